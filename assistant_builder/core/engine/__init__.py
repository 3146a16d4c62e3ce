"""Turning messages into streamed answers: the engine protocol (protocol.py), llama.cpp in a
supervised child process (local.py, worker.py, llama_runtime.py), OpenAI-compatible servers
(remote.py), sandboxed chat templates (templates.py, template_library.py), the exact prompt
and its preview (prompt.py, preview.py) and settings validation (sampling.py)."""
