"""Retrieval quality over a corpus nobody here wrote: the machine's manual pages (man -P cat).

Each question names the page(s) that answer it. The corpus is indexed by the real pipeline
(parsers, chunker, MiniLM, LanceDB) with the default chunk settings and a smaller one; prints
recall@1, recall@5 and MRR (by source file) for the vector, keyword and hybrid modes: float32
(bare sentence-transformers) vectors and questions, then the app's export in each of its
runtimes (the int8 copy in onnxruntime, the float32 copy in OpenVINO computing in bfloat16) for
both, and float32 vectors searched with the questions of the runtime the app chose on this
computer (a collection indexed before the export existed). Target: every export's rows within
0.01 of float32's recall@5 and MRR."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant_builder.core.knowledge.collection import Collections
from assistant_builder.core.knowledge.embedder import SentenceTransformerEmbedder
from assistant_builder.core.knowledge.embedder_export import (
    cached_export,
    memo_key,
    prepared_embedder,
)
from assistant_builder.core.knowledge.embedder_onnx import BF16, INT8, OnnxEmbedder
from assistant_builder.core.knowledge.indexer import IndexReport, index_collection
from assistant_builder.core.knowledge.search import Searcher
from assistant_builder.core.paths import Paths
from bench.knowledge_corpus import man_page

MINILM = Path.home() / ".cache" / "assistant-builder-tests" / "embedders" / "all-MiniLM-L6-v2"

QUESTIONS: list[tuple[str, set[str]]] = [
    ("How do I list a directory's contents sorted by modification time?", {"ls"}),
    ("copy files and keep their timestamps and ownership", {"cp"}),
    ("rename a file or move it to another folder", {"mv"}),
    ("delete a directory together with everything inside it", {"rm"}),
    ("create the parent directories too when making a new folder", {"mkdir"}),
    ("remove an empty directory", {"rmdir"}),
    ("change a file's permission bits with an octal number like 755", {"chmod"}),
    ("make another user the owner of a file", {"chown"}),
    ("create a symbolic link pointing to a file", {"ln"}),
    ("pack a folder into a compressed archive and unpack it later", {"tar"}),
    ("compress a file with Lempel-Ziv coding so it ends in .gz", {"gzip"}),
    ("print only the lines of a file that match a regular expression", {"grep"}),
    ("replace every occurrence of a word in a file from a script", {"sed"}),
    ("search a directory tree for files by name or modification time", {"find"}),
    ("run a command on each item read from standard input", {"xargs"}),
    ("order the lines of a text file numerically, largest first", {"sort"}),
    ("drop repeated adjacent lines and count how often each occurs", {"uniq"}),
    ("count the number of lines, words and bytes in a file", {"wc"}),
    ("show only the first ten lines of a file", {"head"}),
    ("keep printing a log file as new lines are appended to it", {"tail"}),
    ("select the third comma-separated field of each line", {"cut"}),
    ("turn lowercase letters into uppercase in a stream of text", {"tr"}),
    ("see how two files differ line by line", {"diff"}),
    ("list the processes running right now with their CPU usage", {"ps", "top"}),
    ("send a signal to stop a process given its PID", {"kill"}),
    ("how much space is left on each mounted file system", {"df"}),
    ("how much disk space does each directory use", {"du"}),
    ("print the current date in a custom format", {"date"}),
    ("log in to a remote computer securely with a key", {"ssh"}),
    ("copy a file to another host over a secure connection", {"scp"}),
    ("update a file's access and modification times or create it empty", {"touch"}),
    ("concatenate several files and print them", {"cat"}),
    ("run a program with some environment variables changed", {"env"}),
    ("start a program with a lower scheduling priority", {"nice"}),
    ("keep a command running after I log out of the terminal", {"nohup"}),
    ("stop a command automatically if it runs longer than a time limit", {"timeout"}),
    ("write a command's output to a file and to the screen at the same time", {"tee"}),
    ("cut a big file into pieces of a fixed size", {"split"}),
    ("check a download's MD5 checksum", {"md5sum"}),
    ("compute the SHA-256 digest of a file", {"sha256sum"}),
    ("encode binary data as base64 text and decode it again", {"base64"}),
    ("show a file's inode number, size and timestamps", {"stat"}),
    ("find out what kind of data a file contains using magic numbers", {"file"}),
    ("print the kernel name and release of this machine", {"uname"}),
    ("show or change the machine's host name", {"hostname"}),
    ("print my user ID and the groups I belong to", {"id", "groups"}),
    ("change a user's login password", {"passwd"}),
    ("create a new user account with a home directory", {"useradd"}),
    ("show the IP addresses and routes of the network interfaces", {"ip"}),
    ("how much memory is free and used, including swap", {"free"}),
    ("apply a diff file to update the original source", {"patch"}),
    ("rebuild only the parts of a program whose sources changed, using a Makefile", {"make"}),
    ("a pattern scanning and text processing language with fields like $1", {"awk"}),
    ("shuffle the lines of a file into a random order", {"shuf"}),
    ("print the numbers from 1 to 100, one per line", {"seq"}),
    ("pause for a number of seconds in a shell script", {"sleep"}),
    ("rerun a command every two seconds and show its output full screen", {"watch"}),
    ("print a file with its last line first", {"tac"}),
    ("add line numbers to a file", {"nl"}),
    ("merge the lines of two files side by side separated by tabs", {"paste"}),
    ("combine the lines of two files that share a common key field", {"join"}),
    ("which lines appear in only one of two sorted files", {"comm"}),
    ("wrap long lines to a fixed width", {"fold"}),
    ("dump a file in octal and hexadecimal", {"od", "hexdump"}),
    ("copy a disk image with a given block size", {"dd"}),
    ("change the group that owns a file", {"chgrp"}),
    ("print where a symbolic link points", {"readlink"}),
    ("print the absolute canonical path of a file", {"realpath", "readlink"}),
    ("safely create a temporary file with a unique name", {"mktemp"}),
    ("break a number into its prime factors", {"factor"}),
    ("list the disks and partitions (block devices)", {"lsblk"}),
    ("find the process IDs of programs by their name", {"pgrep"}),
    ("how long has the system been up and what is the load average", {"uptime"}),
    ("add an existing user to a supplementary group", {"usermod"}),
    ("read the systemd journal logs of one service", {"journalctl"}),
    ("install a .deb package file on Debian", {"dpkg"}),
    ("extract the files of a ZIP archive", {"unzip"}),
]

PAGES = sorted({n for _, names in QUESTIONS for n in names} - {"top", "groups", "hexdump"})
# A few pages nobody asks about, so retrieval has to tell neighbours apart.
PAGES += ["killall", "pkill", "who", "w", "last", "fmt", "printf", "expr", "yes", "basename",
          "dirname", "sync", "tty"]  # fmt: skip


def build_corpus(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    made = 0
    for name in PAGES:
        text = man_page(name)
        if text.strip():
            (folder / f"{name}.txt").write_text(text, encoding="utf-8")
            made += 1
    return made


def evaluate(searcher: Searcher, mode: str) -> tuple[float, float, float]:
    r1 = r5 = rr = 0.0
    for question, names in QUESTIONS:
        hits = searcher.search(question, top_k=5, mode=mode)
        ranked = [Path(h.source).stem for h in hits]
        rank = next((i for i, n in enumerate(ranked) if n in names), None)
        if rank is not None:
            r5 += 1
            rr += 1 / (rank + 1)
            r1 += rank == 0
    n = len(QUESTIONS)
    return r1 / n, r5 / n, rr / n


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    float32 = SentenceTransformerEmbedder(MINILM)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "man"
        pages = build_corpus(corpus)
        print(f"corpus: {pages} manual pages, {len(QUESTIONS)} questions; load {os.getloadavg()}")
        paths = Paths.from_env({"ASSISTANT_BUILDER_HOME": tmp}).ensure()
        chosen = prepared_embedder(MINILM, paths.embedders_cache)
        export = cached_export(paths.embedders_cache, memo_key(MINILM))
        assert chosen is not None and export is not None, "the export could not be made"
        print(f"the app's choice on this computer: {chosen.variant}")
        embedders = {"float32": float32} | {
            runner: OnnxEmbedder(MINILM, export, pooling="mean", runner=runner)
            for runner in (INT8, BF16)
        }  # fmt: skip
        collections = Collections(paths)
        for chunk_tokens in (200, 120):
            for label, embedder in embedders.items():
                name = f"man{chunk_tokens}-{label}"
                collections.create(name, [corpus], embedder=str(MINILM), chunk_tokens=chunk_tokens)
                t0 = time.perf_counter()
                report = list(index_collection(collections, name, embedder=embedder))[-1]
                assert isinstance(report, IndexReport)
                print(f"chunk_tokens={chunk_tokens} {label}: {report.chunks} chunks indexed in "
                      f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
            rows = [(label, label, embedder) for label, embedder in embedders.items()]
            for vectors, queries, embedder in [*rows, ("float32", chosen.variant, chosen)]:
                config = collections.get(f"man{chunk_tokens}-{vectors}")
                searcher = Searcher(collections, config, embedder=embedder)
                print(f"  {vectors} vectors, {queries} questions:")
                for mode in ("vector", "keyword", "hybrid"):
                    r1, r5, mrr = evaluate(searcher, mode)
                    print(f"    {mode:<8} recall@1 {r1:.3f}  recall@5 {r5:.3f}  MRR {mrr:.3f}")


if __name__ == "__main__":
    main()
