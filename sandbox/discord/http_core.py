"""The REST application: JSON answers, auth, fault injection, rate-limit headers, request log."""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from . import errors
from .errors import DiscordError, DiscordFault
from .messages import UploadedFile
from .models import BotAccount, Channel

if TYPE_CHECKING:
    from .server import LocalDiscord

API_PREFIX = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SERVER_KEY: web.AppKey[Any] = web.AppKey("local_discord")
BOT_KEY = web.RequestKey("bot", BotAccount)
# Routes a bot may call without its token: the token is in the URL.
UNAUTHENTICATED = ("/interactions/", "/webhooks/", "/gateway")


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON answer whose Content-Type is exactly ``application/json``, as Discord sends it."""
    all_headers = {"Content-Type": "application/json"}
    if headers:
        all_headers.update(headers)
    # body bytes, not text: aiohttp would append "; charset=utf-8", which discord.py rejects
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


def no_content() -> web.Response:
    return web.Response(status=204)


def error_response(error: DiscordError) -> web.Response:
    return json_response(error.body(), status=error.status)


def server_of(request: web.Request) -> LocalDiscord:
    server: LocalDiscord = request.app[SERVER_KEY]
    return server


def channel_of(server: LocalDiscord, request: web.Request) -> Channel:
    """The channel named by the route's ``channel_id`` (10003 Unknown Channel otherwise)."""
    return server.state.channel(snowflake_arg(request, "channel_id", errors.unknown_channel))


def bot_of(request: web.Request) -> BotAccount:
    bot: BotAccount | None = request.get(BOT_KEY)
    if bot is None:
        raise errors.unauthorized()
    return bot


def snowflake_arg(request: web.Request, name: str, error: Callable[[], DiscordError]) -> int:
    raw = request.match_info[name]
    if not raw.isdigit():
        raise errors.invalid_form(
            [(name, "NUMBER_TYPE_COERCE", f'Value "{raw}" is not snowflake.')]
        )
    value = int(raw)
    if value <= 0:
        raise error()
    return value


async def read_body(request: web.Request) -> tuple[dict[str, Any], list[UploadedFile]]:
    """JSON body, or multipart/form-data with ``payload_json`` plus files."""
    if request.content_type.startswith("multipart/"):
        payload: dict[str, Any] = {}
        files: list[UploadedFile] = []
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read(decode=False)
            if part.name == "payload_json":
                payload = json.loads(bytes(data).decode("utf-8") or "{}")
            elif part.filename is not None:
                files.append(
                    UploadedFile(
                        field=part.name or "",
                        filename=part.filename,
                        size=len(data),
                        content_type=part.headers.get("Content-Type"),
                    )
                )
        return payload, files
    text = await request.text()
    if not text:
        return {}, []
    try:
        parsed = json.loads(text)
    except ValueError:
        raise errors.DiscordError(400, 50109, "The request body contains invalid JSON.") from None
    if not isinstance(parsed, dict):
        return {"_list": parsed}, []
    return parsed, []


def _bucket(request: web.Request) -> str:
    resource = request.match_info.route.resource
    canonical = resource.canonical if resource is not None else request.path
    return hashlib.sha1(f"{request.method} {canonical}".encode()).hexdigest()[:32]


def ratelimit_headers(request: web.Request) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": "50",
        "X-RateLimit-Remaining": "49",
        "X-RateLimit-Reset": f"{time.time() + 1.0:.3f}",
        "X-RateLimit-Reset-After": "1.000",
        "X-RateLimit-Bucket": _bucket(request),
    }


def fault_response(request: web.Request, fault: DiscordFault) -> web.Response:
    if fault.status != 429:
        return error_response(errors.fault_error(fault.status))
    body = {
        "message": "You are being rate limited.",
        "retry_after": fault.retry_after,
        "global": fault.global_,
    }
    headers = {
        "Retry-After": str(max(1, math.ceil(fault.retry_after))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
        "X-RateLimit-Bucket": _bucket(request),
        "X-RateLimit-Scope": "global" if fault.global_ else "user",
        "Via": "1.1 google",
    }
    if fault.global_:
        headers["X-RateLimit-Global"] = "true"
        body["code"] = 0
    return json_response(body, status=429, headers=headers)


@web.middleware
async def discord_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    server = server_of(request)
    path = request.path
    if not path.startswith(API_PREFIX + "/"):
        return await handler(request)
    sub = path[len(API_PREFIX) :]
    server.inflight += 1
    server.touch()
    status = 500
    try:
        response = await _handle(server, request, handler, sub)
        status = response.status
        return response
    finally:
        server.inflight -= 1
        server.requests.append((request.method, sub, status))
        server.touch()


async def _handle(
    server: LocalDiscord, request: web.Request, handler: Handler, sub: str
) -> web.StreamResponse:
    auth = request.headers.get("Authorization", "")
    if auth:
        bot = server.state.bot_by_token(auth.removeprefix("Bot ").strip())
        if bot is None:
            return error_response(errors.unauthorized())
        request[BOT_KEY] = bot
    elif not sub.startswith(UNAUTHENTICATED):
        return error_response(errors.unauthorized())
    for fault in server.faults:
        if fault.matches(request.method, sub):
            fault.count -= 1
            fault.hits += 1
            return fault_response(request, fault)
    try:
        response = await handler(request)
    except DiscordError as exc:
        return error_response(exc)
    except web.HTTPNotFound:
        server.errors.append({"type": "unknown_route", "method": request.method, "path": sub})
        return error_response(errors.not_found())
    except web.HTTPMethodNotAllowed:
        server.errors.append({"type": "unknown_route", "method": request.method, "path": sub})
        return json_response({"message": "405: Method Not Allowed", "code": 0}, status=405)
    except Exception as exc:  # a server bug: answer like Discord's 500 and keep the evidence
        server.errors.append({"type": "server_exception", "path": sub, "error": repr(exc)})
        return json_response({"message": "500: Internal Server Error", "code": 0}, status=500)
    if isinstance(response, web.Response) and response.status < 300:
        response.headers.update(ratelimit_headers(request))
    return response
