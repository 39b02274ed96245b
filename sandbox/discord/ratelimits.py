"""Discord's REST rate limits: the global limit, per-route buckets, and invalid requests.

What Discord documents (``topics/rate-limits``): a bot makes at most 50 requests a second in all
(interaction endpoints, the callback and the interaction webhook, are exempt); every route also
has a bucket of its own, counted per top-level resource (channel, guild, webhook) and announced in
``X-RateLimit-*`` headers on every answer; a request over a limit gets 429 with ``retry_after``;
and an IP that makes 10,000 invalid requests (401, 403, 429 other than ``shared``) in 10 minutes
is banned by Cloudflare for about an hour.

What Discord does not document: each route's own numbers. It says not to hard-code them, and
changes them. The table below holds the figures commonly observed (a channel takes 5 messages in
5 s); the others are the sandbox's assumptions, kept deliberately on the strict side. Every
instance can change them (``RateLimits.routes``) or switch enforcement off (``enabled``).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

GLOBAL_LIMIT = 50  # requests per GLOBAL_WINDOW seconds, per bot (per IP without a token)
GLOBAL_WINDOW = 1.0
INVALID_LIMIT = 10_000  # invalid requests per INVALID_WINDOW seconds, per IP
INVALID_WINDOW = 600.0
BAN_SECONDS = 3600.0
# Interaction endpoints are not bound to the bot's global rate limit.
GLOBAL_EXEMPT = ("/interactions/", "/webhooks/")


@dataclass(frozen=True)
class Limit:
    requests: int
    per: float  # seconds


@dataclass(frozen=True)
class RouteLimit:
    """Routes sharing ``bucket`` share one limit (per top-level resource)."""

    bucket: str
    limit: Limit
    note: str = "assumed"


# (method, route as the router declares it under /api/v10) -> its bucket
ROUTE_LIMITS: dict[tuple[str, str], RouteLimit] = {
    ("POST", "/channels/{channel_id}/messages"): RouteLimit(
        "message-create", Limit(5, 5.0), "observed: 5 messages per 5 s per channel"
    ),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"): RouteLimit(
        "message-edit", Limit(5, 5.0)
    ),
    ("DELETE", "/channels/{channel_id}/messages/{message_id}"): RouteLimit(
        "message-delete", Limit(5, 1.0), "observed: 5 per second per channel"
    ),
    ("PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"): RouteLimit(
        "reaction", Limit(1, 0.25), "observed: 1 per 250 ms per channel"
    ),
    ("POST", "/users/@me/channels"): RouteLimit("dm-open", Limit(10, 10.0)),
    ("POST", "/channels/{channel_id}/threads"): RouteLimit("thread-create", Limit(10, 10.0)),
    ("POST", "/channels/{channel_id}/messages/{message_id}/threads"): RouteLimit(
        "thread-create", Limit(10, 10.0)
    ),
    ("PUT", "/channels/{channel_id}/thread-members/{user_id}"): RouteLimit(
        "thread-member", Limit(10, 10.0)
    ),
    ("DELETE", "/channels/{channel_id}/thread-members/{user_id}"): RouteLimit(
        "thread-member", Limit(10, 10.0)
    ),
    ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"): RouteLimit(
        "member-role", Limit(10, 10.0)
    ),
    ("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}"): RouteLimit(
        "member-role", Limit(10, 10.0)
    ),
    ("POST", "/webhooks/{app_id}/{token}"): RouteLimit("interaction-webhook", Limit(5, 2.0)),
    ("GET", "/webhooks/{app_id}/{token}/messages/{message_id}"): RouteLimit(
        "interaction-webhook", Limit(5, 2.0)
    ),
    ("PATCH", "/webhooks/{app_id}/{token}/messages/{message_id}"): RouteLimit(
        "interaction-webhook", Limit(5, 2.0)
    ),
    ("DELETE", "/webhooks/{app_id}/{token}/messages/{message_id}"): RouteLimit(
        "interaction-webhook", Limit(5, 2.0)
    ),
}
# Every other route: a bucket of its own per method and route, loose enough that only the global
# limit binds.
DEFAULT_LIMIT = Limit(50, 1.0)
# The path parameters that make a bucket's top-level resource.
MAJOR_PARAMETERS = {
    "channels": ("channel_id",),
    "guilds": ("guild_id",),
    "webhooks": ("app_id", "token"),
    "interactions": ("interaction_id", "token"),
}


def bucket_hash(name: str) -> str:
    """What ``X-RateLimit-Bucket`` says: the same for routes that share a limit, and free of
    the top-level resource."""
    return hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()


class SandboxTime:
    """The limits' clock for a server whose clock may be moved by hand (a ManualClock): real
    monotonic time, plus every jump of the sandbox clock beyond the real time that passed.
    Two actions a 25 h ``advance`` apart then fall in different windows, as on Discord; a
    burst at one sandbox instant is still paced in real time."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._real = time.monotonic()
        self._virtual = now()
        self._ahead = 0.0

    def __call__(self) -> float:
        real, virtual = time.monotonic(), self._now()
        jumped = (virtual - self._virtual).total_seconds() - (real - self._real)
        if jumped > 0:
            self._ahead += jumped
        self._real, self._virtual = real, virtual
        return real + self._ahead


@dataclass
class Window:
    """A fixed window: opened by the first request after the previous one reset."""

    limit: Limit
    used: int = 0
    resets_at: float = 0.0

    def refresh(self, now: float) -> None:
        if now >= self.resets_at:
            self.used = 0
            self.resets_at = now + self.limit.per

    @property
    def remaining(self) -> int:
        return max(0, self.limit.requests - self.used)


@dataclass(frozen=True)
class Verdict:
    """What the limits say of one request: let it through or answer 429, with its headers."""

    status: int  # 0: go on to the route; 429: rate limited
    headers: dict[str, str]
    body: dict[str, Any] | None = None
    scope: str = ""


@dataclass
class RateLimits:
    enabled: bool = True
    global_limit: Limit = field(default_factory=lambda: Limit(GLOBAL_LIMIT, GLOBAL_WINDOW))
    routes: dict[tuple[str, str], RouteLimit] = field(default_factory=lambda: dict(ROUTE_LIMITS))
    default: Limit = DEFAULT_LIMIT
    invalid_limit: int = INVALID_LIMIT
    invalid_window: float = INVALID_WINDOW
    ban_seconds: float = BAN_SECONDS
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    on_ban: Callable[[int], None] | None = None
    # counts: 429s by scope ("global", "user"), invalid requests in all, bans
    limited: Counter[str] = field(default_factory=Counter)
    limited_routes: Counter[str] = field(default_factory=Counter)
    invalid_total: int = 0
    bans: int = 0
    banned_until: float = 0.0
    _windows: dict[tuple[str, str, str], Window] = field(default_factory=dict)
    _globals: dict[str, Window] = field(default_factory=dict)
    _invalid: deque[float] = field(default_factory=deque)

    # ---- the route a request belongs to ----------------------------------------------------
    def route_of(self, method: str, template: str) -> tuple[str, Limit]:
        """(bucket name, limit) of a route; ``template`` as declared, under /api/v10."""
        known = self.routes.get((method.upper(), template))
        if known is not None:
            return known.bucket, known.limit
        return f"{method.upper()} {template}", self.default

    @staticmethod
    def major(template: str, params: Mapping[str, str]) -> str:
        top = template.lstrip("/").split("/", 1)[0]
        return ":".join(params.get(name, "") for name in MAJOR_PARAMETERS.get(top, ()))

    # ---- deciding ---------------------------------------------------------------------------
    def check(
        self, who: str, method: str, template: str, params: Mapping[str, str], sub: str
    ) -> Verdict:
        """Count one request that reached the API. ``who``: the bot (or the IP without one)."""
        now = self.clock()
        name, limit = self.route_of(method, template)
        if self.banned(now):
            return self._banned(now)
        if not self.enabled:
            return Verdict(0, self._loose_headers(name, limit))
        window = self._window(who, name, self.major(template, params), limit, now)
        glob: Window | None = None
        if not sub.startswith(GLOBAL_EXEMPT):
            glob = self._globals.get(who)
            if glob is None:
                glob = self._globals[who] = Window(self.global_limit)
            glob.refresh(now)
            if glob.remaining <= 0:
                return self._limited(name, window, glob, now, scope="global")
        if window.remaining <= 0:
            return self._limited(name, window, window, now, scope="user")
        window.used += 1
        if glob is not None:
            glob.used += 1
        return Verdict(0, self._headers(name, window, now))

    def headers_for(
        self, who: str, method: str, template: str, params: Mapping[str, str]
    ) -> dict[str, str]:
        """The bucket's headers without counting a request (for answers given before it)."""
        now = self.clock()
        name, limit = self.route_of(method, template)
        if not self.enabled:
            return self._loose_headers(name, limit)
        window = self._window(who, name, self.major(template, params), limit, now)
        return self._headers(name, window, now)

    def _window(self, who: str, name: str, major: str, limit: Limit, now: float) -> Window:
        key = (who, name, major)
        window = self._windows.get(key)
        if window is None or window.limit != limit:
            window = self._windows[key] = Window(limit)
        window.refresh(now)
        return window

    def _headers(self, name: str, window: Window, now: float) -> dict[str, str]:
        after = max(0.0, window.resets_at - now)
        return {
            "X-RateLimit-Limit": str(window.limit.requests),
            "X-RateLimit-Remaining": str(window.remaining),
            "X-RateLimit-Reset": f"{self.wall() + after:.3f}",
            "X-RateLimit-Reset-After": f"{after:.3f}",
            "X-RateLimit-Bucket": bucket_hash(name),
        }

    def _loose_headers(self, name: str, limit: Limit) -> dict[str, str]:
        # Enforcement off: announce a bucket that never runs out, so clients never wait.
        del limit
        return {
            "X-RateLimit-Limit": "50",
            "X-RateLimit-Remaining": "49",
            "X-RateLimit-Reset": f"{self.wall() + 1.0:.3f}",
            "X-RateLimit-Reset-After": "1.000",
            "X-RateLimit-Bucket": bucket_hash(name),
        }

    def _limited(
        self, name: str, window: Window, hit: Window, now: float, *, scope: str
    ) -> Verdict:
        retry_after = max(0.001, round(hit.resets_at - now, 3))
        headers = self._headers(name, window, now)
        headers.update(
            {
                "Retry-After": str(max(1, math.ceil(retry_after))),
                "X-RateLimit-Scope": scope,
                # without Via, discord.py takes a 429 for a Cloudflare ban and raises
                "Via": "1.1 google",
            }
        )
        body: dict[str, Any] = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": scope == "global",
            "code": 0,  # the docs call it optional; the spec, required
        }
        if scope == "global":
            headers["X-RateLimit-Global"] = "true"
        self.limited[scope] += 1
        self.limited_routes[name] += 1
        return Verdict(429, headers, body, scope)

    # ---- invalid requests and the ban -----------------------------------------------------
    def record(self, status: int, scope: str = "") -> None:
        """Count an answer: 401, 403 and 429 (but not a ``shared`` 429) are invalid requests."""
        if status not in (401, 403, 429) or scope == "shared":
            return
        now = self.clock()
        self.invalid_total += 1
        self._invalid.append(now)
        while self._invalid and self._invalid[0] <= now - self.invalid_window:
            self._invalid.popleft()
        if len(self._invalid) >= self.invalid_limit and not self.banned(now):
            self.bans += 1
            self.banned_until = now + self.ban_seconds
            if self.on_ban is not None:
                self.on_ban(len(self._invalid))

    def invalid_recent(self) -> int:
        """Invalid requests in the current 10-minute window."""
        now = self.clock()
        return sum(1 for t in self._invalid if t > now - self.invalid_window)

    def banned(self, now: float | None = None) -> bool:
        return (self.clock() if now is None else now) < self.banned_until

    def _banned(self, now: float) -> Verdict:
        # Cloudflare's answer: 429 with an HTML page and no Via header (error 1015)
        retry = max(1, math.ceil(self.banned_until - now))
        return Verdict(429, {"Retry-After": str(retry)}, None, "ban")
