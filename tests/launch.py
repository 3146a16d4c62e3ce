"""Starting the command line as a background job would: with Ctrl+C (SIGINT) ignored, as a
shell's ``&``, ``nohup`` or a CI runner hands it on. A command must still stop on Ctrl+C, so
the tests that press it start the command this way, whatever the test run itself inherited."""

from __future__ import annotations

import signal


def as_background_job() -> None:
    """``preexec_fn`` for subprocess.Popen: the child starts with SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
