"""Rate limits as Discord applies them: the global 50 requests a second (interaction endpoints
exempt), per-route buckets per top-level resource, X-RateLimit-* headers on every answer, 429
with retry_after, and the count of invalid requests with its ban threshold."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import discord
import pytest

from sandbox.discord.ratelimits import BAN_SECONDS, INVALID_LIMIT, INVALID_WINDOW, RateLimits

from .conftest import World, make_bot, start_bot, text_channel

HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-RateLimit-Reset-After",
    "X-RateLimit-Bucket",
)


class Client:
    """A bare HTTP client with the bot's token."""

    def __init__(self, world: World, session: aiohttp.ClientSession) -> None:
        self.base = world.server.base_url
        self.session = session
        self.auth = {"Authorization": f"Bot {world.token}"}

    async def call(
        self, method: str, path: str, body: Any = None, *, auth: bool = True
    ) -> tuple[int, dict[str, str], Any]:
        headers = self.auth if auth else {}
        async with self.session.request(
            method, self.base + path, json=body, headers=headers
        ) as resp:
            data = await resp.json() if resp.content_type == "application/json" else None
            return resp.status, dict(resp.headers), data


async def client_for(world: World) -> tuple[Client, aiohttp.ClientSession]:
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    return Client(world, session), session


def channel_id(world: World, name: str) -> int:
    return world.server.channel_id(world.guild_id, name)


def test_limits_are_enforced_by_default_with_discords_numbers() -> None:
    limits = RateLimits()
    assert limits.enabled
    assert (limits.global_limit.requests, limits.global_limit.per) == (50, 1.0)
    name, limit = limits.route_of("POST", "/channels/{channel_id}/messages")
    assert (limit.requests, limit.per) == (5, 5.0)
    assert limits.route_of("POST", "/channels/{channel_id}/threads")[0] == "thread-create"
    assert limits.route_of("POST", "/users/@me/channels")[0] == "dm-open"
    assert limits.route_of("PUT", "/channels/{channel_id}/thread-members/{user_id}")[0] == (
        "thread-member"
    )
    assert name == "message-create"
    assert (INVALID_LIMIT, INVALID_WINDOW, BAN_SECONDS) == (10_000, 600.0, 3600.0)


async def test_a_channel_takes_five_messages_in_five_seconds_then_429(world: World) -> None:
    client, session = await client_for(world)
    general, equipos = channel_id(world, "general"), channel_id(world, "equipos")
    async with session:
        answers = [
            await client.call("POST", f"/channels/{general}/messages", {"content": f"{i}"})
            for i in range(6)
        ]
        other = await client.call("POST", f"/channels/{equipos}/messages", {"content": "x"})
    assert [status for status, _, _ in answers] == [200] * 5 + [429]
    assert [h["X-RateLimit-Remaining"] for _, h, _ in answers[:5]] == ["4", "3", "2", "1", "0"]
    assert all(all(name in h for name in HEADERS) for _, h, _ in answers)
    assert len({h["X-RateLimit-Bucket"] for _, h, _ in answers}) == 1
    _, headers, body = answers[5]
    assert headers["X-RateLimit-Scope"] == "user" and headers["Via"]
    assert "X-RateLimit-Global" not in headers
    assert body["global"] is False and 0 < body["retry_after"] <= 5.0
    assert float(headers["X-RateLimit-Reset-After"]) == pytest.approx(body["retry_after"], 0.05)
    # another channel is another bucket of the same route
    assert other[0] == 200 and other[1]["X-RateLimit-Remaining"] == "4"
    assert other[1]["X-RateLimit-Bucket"] == headers["X-RateLimit-Bucket"]
    assert world.server.ratelimits.limited == {"user": 1}


async def test_fifty_requests_a_second_in_all_then_a_global_429_but_callbacks_pass(
    world: World,
) -> None:
    bot = make_bot()
    pinged: asyncio.Event = asyncio.Event()
    interactions: list[discord.Interaction] = []

    @bot.tree.command(name="ping", description="Ping", guild=discord.Object(world.guild_id))
    async def ping(interaction: discord.Interaction) -> None:
        interactions.append(interaction)
        pinged.set()

    await start_bot(world, bot)
    await bot.tree.sync(guild=discord.Object(world.guild_id))
    later = time.monotonic() + 60.0
    world.server.ratelimits.clock = lambda: later  # one fresh window for the whole burst
    client, session = await client_for(world)
    general = channel_id(world, "general")
    async with session:
        answers = await asyncio.gather(
            *(client.call("GET", "/users/@me") for _ in range(30)),
            *(client.call("GET", f"/channels/{general}") for _ in range(30)),
        )
        statuses = sorted(status for status, _, _ in answers)
        assert statuses.count(200) == 50 and statuses.count(429) == 10
        limited = [(h, b) for status, h, b in answers if status == 429]
        assert all(h["X-RateLimit-Global"] == "true" for h, _ in limited)
        assert all(h["X-RateLimit-Scope"] == "global" and b["global"] for h, b in limited)
        # The window is still spent (its clock stands still): an interaction arriving now is
        # answered all the same, since callbacks are not bound by the global limit. It comes
        # after the burst so that the burst cannot outlast the interaction's timeout.
        ix = await world.server.run_command(world.guild_id, "ana", "ping", {})
        await asyncio.wait_for(pinged.wait(), 2)
        url = f"/interactions/{ix.id}/{ix.token}/callback"
        status, _, _ = await client.call("POST", url, {"type": 4, "data": {"content": "pong"}})
    assert status == 204
    assert not ix.failed and ix.replies[0]["content"] == "pong"


async def test_discord_py_paces_itself_by_the_headers(world: World) -> None:
    bot = await start_bot(world, make_bot())
    channel = text_channel(bot, world, "general")
    started = time.monotonic()
    for i in range(7):
        await channel.send(f"mensaje {i}")
    took = time.monotonic() - started
    sent = [r for r in world.server.requests if r[0] == "POST" and r[1].endswith("/messages")]
    assert [status for _, _, status in sent] == [200] * 7  # no 429: it waited for the reset
    assert took >= 4.0


async def test_errors_carry_the_buckets_headers_and_invalid_requests_are_counted(
    world: World,
) -> None:
    client, session = await client_for(world)
    async with session:
        missing = await client.call("GET", "/channels/1")
        unauthorized = await client.call("GET", "/users/@me", auth=False)
        forbidden = await client.call("POST", f"/channels/{channel_id(world, 'charla')}/messages")
    for status, headers, _ in (missing, unauthorized, forbidden):
        assert status in (400, 401, 403, 404)
        assert all(name in headers for name in HEADERS), (status, headers)
    assert world.server.ratelimits.invalid_total == sum(
        1 for status, _, _ in (missing, unauthorized, forbidden) if status in (401, 403)
    )


async def test_ten_thousand_invalid_requests_in_ten_minutes_is_recorded_as_a_ban(
    world: World,
) -> None:
    limits = world.server.ratelimits
    limits.invalid_limit = 20  # the mechanism at a small scale; the default is asserted above
    client, session = await client_for(world)
    async with session:
        for _ in range(20):
            await client.call("GET", "/users/@me", auth=False)
        assert limits.invalid_total == 20 and limits.invalid_recent() == 20
        bans = [e for e in world.server.errors if e["type"] == "invalid_request_ban"]
        world.server.errors[:] = [e for e in world.server.errors if e not in bans]
        assert len(bans) == 1  # expected here; anywhere else it fails the test
        assert limits.bans == 1 and limits.banned()
        status, headers, body = await client.call("GET", "/users/@me")
    # Cloudflare's answer: no Via header, no JSON; discord.py raises instead of retrying
    assert status == 429 and "Via" not in headers and body is None
    bot = make_bot()
    with pytest.raises(discord.HTTPException) as info:
        await bot.login(world.token)
    assert info.value.status == 429
    await bot.close()


async def test_limits_can_be_switched_off_per_instance(world: World) -> None:
    world.server.ratelimits.enabled = False  # what this test checks
    client, session = await client_for(world)
    general = channel_id(world, "general")
    async with session:
        answers = [
            await client.call("POST", f"/channels/{general}/messages", {"content": f"{i}"})
            for i in range(8)
        ]
    assert [status for status, _, _ in answers] == [200] * 8
    assert all(h["X-RateLimit-Remaining"] != "0" for _, h, _ in answers)
