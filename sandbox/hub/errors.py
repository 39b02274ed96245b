"""Hub-style errors: the status, ``X-Error-Code`` and ``X-Error-Message`` the real Hub sends."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from sandbox.http_util import json_response

INVALID_CREDENTIALS: Final = "Invalid credentials in Authorization header"
DISABLED: Final = "Access to this resource is disabled."
PAGE_NOT_FOUND: Final = "Sorry, we can't find the page you are looking for."


class HubError(Exception):
    """An error reply: ``status``, ``message``, the Hub's error ``code`` and extra ``headers``."""

    def __init__(self, status: int, message: str, code: str | None = None, **headers: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers


def error_response(err: HubError) -> web.Response:
    """The JSON reply the Hub gives for ``err``."""
    headers = {"X-Error-Message": err.message, **err.headers}
    if err.code is not None:
        headers["X-Error-Code"] = err.code
    return json_response({"error": err.message}, err.status, headers=headers)
