"""``assistant-builder serve``: the local OpenAI-compatible API, each assistant a model."""

from __future__ import annotations

import argparse
import signal
from typing import TYPE_CHECKING, Any

from assistant_builder.cli.common import progress, services
from assistant_builder.core.errors import AppError

if TYPE_CHECKING:
    from assistant_builder.core.serve.http import ApiServer

DEFAULT_PORT = 8765


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "serve", help="serve your assistants to other programs (OpenAI-compatible API)"
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this computer only)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, metavar="N",
        help=f"port to listen on (default {DEFAULT_PORT}; 0 picks a free one)",
    )  # fmt: skip
    parser.add_argument(
        "--allow-origin", action="append", default=[], metavar="URL",
        help="a web page allowed to call the API from a browser, e.g. http://localhost:3000 "
        "(repeatable; also kept in the settings as api_origins)",
    )  # fmt: skip
    parser.add_argument(
        "--api-key-env", metavar="VAR",
        help="the environment variable holding the key clients must send (needed for a --host "
        "other than this computer when no key was made yet)",
    )  # fmt: skip
    parser.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    import os

    from assistant_builder.core.assistants.session import AnswerSession
    from assistant_builder.core.serve.api import ChatApi, serving_key
    from assistant_builder.core.serve.http import ApiServer

    given = ""
    if args.api_key_env:
        given = os.environ.get(args.api_key_env, "").strip()
        if not given:
            raise AppError(
                f"The environment variable {args.api_key_env} is empty or not set; put the "
                "API key clients must send in it and start again."
            )
    svc = services()
    key = serving_key(svc, args.host, given)
    session = AnswerSession(svc)
    origins = [*session.settings.api_origins, *args.allow_origin]
    try:
        server = ApiServer((args.host, args.port), ChatApi(session, key), origins=origins)
    except OSError as exc:
        session.close()
        raise AppError(
            f"Could not listen on {args.host}:{args.port} ({exc.strerror or exc}); "
            "choose another port with --port."
        ) from exc
    # A plain "kill" stops the server as cleanly as Ctrl+C: the model process is ended too. The
    # handler only asks the server to finish, so a kill that comes at any moment (even before
    # uvicorn has taken the signals over, or after it gave them back) ends the same clean way.
    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    try:
        _announce(args.host, server, key, origins)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        session.close()
    progress("Stopped.")
    return 0


def _announce(host: str, server: ApiServer, key: str, origins: list[str]) -> None:
    from assistant_builder.core.serve.hosts import is_loopback, reach_urls

    print(f"Serving your assistants at {server.url}", flush=True)
    print(f"API key: {key}", flush=True)
    if not is_loopback(host):
        port = int(server.socket.getsockname()[1])
        progress(
            f"Listening on {host}: other computers that can reach this one may use your "
            "assistants if they have the API key. They connect to "
            + " or ".join(reach_urls(host, port))
            + " with the header “Authorization: Bearer <the API key>”."
        )
    if origins:
        progress(f"Web pages allowed to call it from a browser: {', '.join(origins)}.")
    progress("Each assistant is a model (GET /v1/models). Press Ctrl+C to stop.")
