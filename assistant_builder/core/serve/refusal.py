"""A refusal in OpenAI's error shape, with its HTTP status and, when the server is busy,
how many seconds to wait before retrying (sent as ``Retry-After``)."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A refusal in OpenAI's error shape, with its HTTP status."""

    def __init__(
        self,
        status: int,
        message: str,
        kind: str,
        code: str | None = None,
        *,
        param: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.body: dict[str, Any] = {
            "error": {"message": message, "type": kind, "param": param, "code": code}
        }


def bad_request(message: str, param: str | None = None) -> ApiError:
    return ApiError(400, message, "invalid_request_error", param=param)


def busy(waiting: int, retry_after: int) -> ApiError:
    """Too many requests are already waiting for the one model: come back shortly."""
    return ApiError(
        429,
        f"The server is busy answering other requests ({waiting} are waiting); "
        f"try again in {retry_after} seconds.",
        "rate_limit_error",
        "server_busy",
        retry_after=retry_after,
    )


def still_busy(waited_s: float, retry_after: int) -> ApiError:
    """A request waited its whole allowance behind other answers."""
    return ApiError(
        503,
        f"The server was still busy after {waited_s:.0f} seconds of waiting; "
        f"try again in {retry_after} seconds.",
        "server_error",
        "server_busy",
        retry_after=retry_after,
    )
