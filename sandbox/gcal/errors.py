"""Google API errors: the ``{"error": {"errors": [...], "code", "message"}}`` body and headers."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox.http_util import json_response


class ApiError(Exception):
    """An error reply: HTTP ``status``, Google's ``reason``, ``message`` and extra error fields."""

    def __init__(self, status: int, reason: str, message: str, **extra: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"domain": "global", "reason": self.reason, "message": self.message}
        error.update(self.extra)
        return {"error": {"errors": [error], "code": self.status, "message": self.message}}


def error_response(err: ApiError) -> web.Response:
    """The JSON reply Google gives for ``err`` (a 401 also names the realm to log in to)."""
    headers = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
    return json_response(
        err.body(),
        err.status,
        headers=headers if err.status == 401 else None,
        content_type="application/json; charset=UTF-8",
    )
