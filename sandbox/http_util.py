"""Small aiohttp helpers shared by the sandbox's local servers."""

from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def utc_now() -> datetime:
    """The real current time, aware, in UTC."""
    return datetime.now(UTC)


def iso_z(moment: datetime, *, millis: bool = True) -> str:
    """Format an aware datetime as ISO-8601 UTC with a trailing ``Z``."""
    moment = moment.astimezone(UTC)
    if millis:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str | datetime) -> datetime:
    """Parse an ISO-8601 string (``Z`` allowed); naive values are taken as UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return iso_z(value)
    return str(value)


def json_response(
    data: Any,
    status: int = 200,
    *,
    headers: Mapping[str, str] | None = None,
    content_type: str = "application/json",
) -> web.Response:
    """A JSON response whose ``Content-Type`` is exactly ``content_type`` (no charset added)."""
    body = json.dumps(data, default=_json_default, ensure_ascii=False).encode()
    all_headers = {"Content-Type": content_type}
    if headers:
        all_headers.update(headers)
    return web.Response(body=body, status=status, headers=all_headers)


@dataclass
class RequestLog:
    """A record of (method, path, status) for every request a local server answered."""

    entries: list[tuple[str, str, int]] = field(default_factory=list)

    def add(self, method: str, path: str, status: int) -> None:
        self.entries.append((method, path, status))


def logging_middleware(log: RequestLog) -> Middleware:
    """An aiohttp middleware that appends each answered request to ``log``."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            log.add(request.method, request.path, exc.status)
            raise
        log.add(request.method, request.path, response.status)
        return response

    return middleware


class Holder:
    """Holds requests open (a "timeout" fault) until a bound elapses or the server closes."""

    def __init__(self, max_seconds: float) -> None:
        self.max_seconds = max_seconds
        self._closing = asyncio.Event()
        self.held = 0  # requests held so far (a test waits for one to aim a crash at it)

    async def hold(self) -> None:
        """Wait up to ``max_seconds``; returns at once when the server is closing."""
        self.held += 1
        try:
            await asyncio.wait_for(self._closing.wait(), timeout=self.max_seconds)
        except TimeoutError:
            return

    def release_all(self) -> None:
        self._closing.set()

    def reset(self) -> None:
        self._closing = asyncio.Event()


class LocalServer(ABC):
    """Start/stop plumbing for an aiohttp application on a local port."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"

    @abstractmethod
    def _build_app(self) -> web.Application:
        """The aiohttp application this server runs."""

    def _on_close(self) -> None:  # noqa: B027 - an optional hook, empty by default
        """Hook for subclasses: release anything that holds requests open."""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if self._runner is not None:
            raise RuntimeError("server already started")
        runner = web.AppRunner(self._build_app(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        addresses = runner.addresses
        self._port = int(addresses[0][1])
        self._host = host
        self._runner = runner

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("server not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    async def close(self) -> None:
        self._on_close()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
