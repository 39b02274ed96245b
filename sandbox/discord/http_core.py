"""The REST application: JSON answers, auth, fault injection, rate-limit headers, request log."""

from __future__ import annotations

import functools
import json
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, web

from . import errors
from .errors import DiscordError, DiscordFault
from .messages import UploadedFile
from .models import BotAccount, Channel
from .ratelimits import Verdict

if TYPE_CHECKING:
    from .server import LocalDiscord

API_PREFIX = "/api/v10"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SERVER_KEY: web.AppKey[Any] = web.AppKey("local_discord")
BOT_KEY = web.RequestKey("bot", BotAccount)
BODY_KEY: web.RequestKey[Any] = web.RequestKey("body", object)
# Routes a bot may call without its token: the token is in the URL.
UNAUTHENTICATED = ("/interactions/", "/webhooks/", "/gateway")


@dataclass
class Exchange:
    """One REST request and its answer, as the wire carried them (recorded on demand)."""

    method: str
    route: str  # the route as declared, under /api/v10: "/channels/{channel_id}/messages"
    path: str
    query: dict[str, str]
    status: int
    request_body: Any = None  # the JSON body, or a multipart request's payload_json
    request_multipart: bool = False
    response_raw: bytes | None = None
    response_type: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    at: float = 0.0  # time.monotonic() when answered

    @functools.cached_property
    def response_body(self) -> Any:
        """The answer's JSON (parsed on first use: recording must stay cheap under load)."""
        if self.response_raw is None or self.response_type != "application/json":
            return None
        return json.loads(self.response_raw)


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
                request[BODY_KEY] = payload
            elif part.filename is not None:
                files.append(
                    UploadedFile(
                        field=part.name or "",
                        filename=part.filename,
                        size=len(data),
                        content_type=part.headers.get("Content-Type"),
                        data=bytes(data),
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
    request[BODY_KEY] = parsed
    if not isinstance(parsed, dict):
        return {"_list": parsed}, []
    return parsed, []


def route_of(request: web.Request) -> str:
    """The route as the router declares it, under /api/v10 (the path itself when unknown)."""
    resource = request.match_info.route.resource
    canonical = resource.canonical if resource is not None else request.path
    return canonical.removeprefix(API_PREFIX)


def _who(request: web.Request) -> str:
    """Whose limits a request counts against: the bot, or the IP without a token."""
    bot: BotAccount | None = request.get(BOT_KEY)
    return f"bot:{bot.user_id}" if bot is not None else f"ip:{request.remote}"


def ratelimit_headers(server: LocalDiscord, request: web.Request) -> dict[str, str]:
    """The route bucket's headers, without counting the request against it."""
    return server.ratelimits.headers_for(
        _who(request), request.method, route_of(request), request.match_info
    )


def limited_response(verdict: Verdict) -> web.Response:
    if verdict.body is None:  # banned: Cloudflare's page, not Discord's JSON
        return web.Response(
            status=429,
            body=b"error code: 1015",
            headers={"Content-Type": "text/plain; charset=UTF-8", **verdict.headers},
        )
    return json_response(verdict.body, status=429, headers=verdict.headers)


def fault_response(server: LocalDiscord, request: web.Request, fault: DiscordFault) -> web.Response:
    if fault.status != 429:
        return _with_limits(server, request, error_response(errors.fault_error(fault.status)))
    body = {
        "message": "You are being rate limited.",
        "retry_after": fault.retry_after,
        "global": fault.global_,
        "code": 0,
    }
    headers = ratelimit_headers(server, request)
    headers.update(
        {
            "Retry-After": str(max(1, math.ceil(fault.retry_after))),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
            "X-RateLimit-Scope": "global" if fault.global_ else "user",
            "Via": "1.1 google",
        }
    )
    if fault.global_:
        headers["X-RateLimit-Global"] = "true"
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
    response: web.StreamResponse | None = None
    scope = ""
    try:
        response, scope = await _handle(server, request, handler, sub)
        status = response.status
        return response
    finally:
        server.inflight -= 1
        server.requests.append((request.method, sub, status))
        bans = server.ratelimits.bans
        server.ratelimits.record(status, scope)
        if server.ratelimits.bans > bans:
            server.errors.append(
                {
                    "type": "invalid_request_ban",
                    "message": "10,000 invalid requests (401, 403, 429) in 10 minutes: "
                    "Cloudflare bans the IP for an hour",
                    "invalid_requests": server.ratelimits.invalid_total,
                }
            )
        if server.exchanges is not None and response is not None:
            server.exchanges.append(_exchange(request, sub, response))
        server.touch()


def _exchange(request: web.Request, sub: str, response: web.StreamResponse) -> Exchange:
    raw: bytes | None = None
    if isinstance(response, web.Response) and isinstance(response.body, bytes):
        raw = response.body
    return Exchange(
        method=request.method,
        route=route_of(request),
        path=sub,
        query=dict(request.query),
        status=response.status,
        request_body=request.get(BODY_KEY),
        request_multipart=request.content_type.startswith("multipart/"),
        response_raw=raw,
        response_type=response.headers.get("Content-Type", ""),
        headers=dict(response.headers),
        at=time.monotonic(),
    )


async def _handle(
    server: LocalDiscord, request: web.Request, handler: Handler, sub: str
) -> tuple[web.StreamResponse, str]:
    """The answer, and the scope of a 429 (which decides whether it counts as invalid)."""
    auth = request.headers.get("Authorization", "")
    if auth:
        bot = server.state.bot_by_token(auth.removeprefix("Bot ").strip())
        if bot is None:
            return _with_limits(server, request, error_response(errors.unauthorized())), ""
        request[BOT_KEY] = bot
    elif not sub.startswith(UNAUTHENTICATED):
        return _with_limits(server, request, error_response(errors.unauthorized())), ""
    for fault in server.faults:
        if fault.matches(request.method, sub):
            fault.count -= 1
            fault.hits += 1
            return fault_response(server, request, fault), "global" if fault.global_ else "user"
    verdict = server.ratelimits.check(
        _who(request), request.method, route_of(request), request.match_info, sub
    )
    if verdict.status == 429:
        return limited_response(verdict), verdict.scope
    try:
        response = await handler(request)
    except DiscordError as exc:
        response = error_response(exc)
    except web.HTTPNotFound:
        server.errors.append({"type": "unknown_route", "method": request.method, "path": sub})
        response = error_response(errors.not_found())
    except web.HTTPMethodNotAllowed:
        server.errors.append({"type": "unknown_route", "method": request.method, "path": sub})
        response = json_response({"message": "405: Method Not Allowed", "code": 0}, status=405)
    except Exception as exc:  # a server bug: answer like Discord's 500 and keep the evidence
        server.errors.append({"type": "server_exception", "path": sub, "error": repr(exc)})
        response = json_response({"message": "500: Internal Server Error", "code": 0}, status=500)
    response.headers.update(verdict.headers)
    for hold in server.holds:
        if hold.matches(request.method, sub):
            hold.count -= 1
            hold.hits += 1
            await hold.hold()
            break
    return response, ""


def _with_limits(
    server: LocalDiscord, request: web.Request, response: web.Response
) -> web.Response:
    """Discord announces the route's bucket on its error answers too."""
    response.headers.update(ratelimit_headers(server, request))
    return response
