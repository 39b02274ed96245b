"""The local Discord as a second client sees it: GUILD_CREATE and member chunks, the REST guild,
followups' interaction metadata, and a listen queue that takes a burst (issue 8)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest

from sandbox.discord.gateway import GUILD_MEMBERS, GUILD_PRESENCES, GUILDS

from .conftest import World, guild_of, make_bot, start_bot


class RawGateway:
    """A bare websocket client: what the gateway sends, as any client library receives it."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def send(self, op: int, d: Any) -> None:
        await self.ws.send_str(json.dumps({"op": op, "d": d}))

    async def next_event(self, name: str, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
        while True:
            msg = await asyncio.wait_for(self.ws.receive(), timeout)
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"gateway closed: {msg.type} {self.ws.close_code}")
            frame = json.loads(msg.data)
            if frame.get("t") == name:
                data: dict[str, Any] = frame["d"]
                return data

    async def events(
        self, name: str, quiet: float = 1.0, first: float = 15.0
    ) -> list[dict[str, Any]]:
        """Every ``name`` event until the gateway has been quiet for ``quiet`` seconds after
        one came (the first may take up to ``first`` seconds on a loaded machine)."""
        found = []
        with contextlib.suppress(TimeoutError):
            while True:
                found.append(await self.next_event(name, timeout=quiet if found else first))
        return found


@contextlib.asynccontextmanager
async def identified(
    world: World, intents: int, large_threshold: int | None = None
) -> AsyncIterator[tuple[RawGateway, dict[str, Any]]]:
    """A raw session after IDENTIFY, with the GUILD_CREATE it received."""
    identify: dict[str, Any] = {
        "token": world.token,
        "intents": intents,
        "properties": {"os": "linux", "browser": "raw", "device": "raw"},
    }
    if large_threshold is not None:
        identify["large_threshold"] = large_threshold
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(world.server.gateway_url) as ws,
    ):
        gateway = RawGateway(ws)
        hello = await asyncio.wait_for(ws.receive_json(), 5)
        assert hello["op"] == 10
        await gateway.send(2, identify)
        await gateway.next_event("READY")
        yield gateway, await gateway.next_event("GUILD_CREATE")


def populate(world: World, count: int, prefix: str = "m") -> None:
    for i in range(count):
        world.server.add_member(world.guild_id, f"{prefix}{i:04d}")


def total_members(world: World) -> int:
    return len(world.server.state.guild(world.guild_id).members)


# ---- GUILD_CREATE ----------------------------------------------------------------------------
async def test_guild_create_without_presences_holds_the_bot_alone_and_the_true_count(
    world: World,
) -> None:
    populate(world, 300)
    async with identified(world, GUILDS | GUILD_MEMBERS, large_threshold=250) as (_, guild):
        assert [m["user"]["username"] for m in guild["members"]] == ["hackbot"]
        assert guild["member_count"] == total_members(world) > 300
        assert guild["large"] is True


async def test_large_follows_identifys_threshold_which_defaults_to_50(world: World) -> None:
    populate(world, 95)
    assert 50 < total_members(world) <= 250
    async with identified(world, GUILDS | GUILD_MEMBERS, large_threshold=250) as (_, guild):
        assert guild["large"] is False
    async with identified(world, GUILDS | GUILD_MEMBERS) as (_, guild):
        assert guild["large"] is True


async def test_with_presences_a_small_guild_sends_everyone_a_large_one_not_the_offline(
    world: World,
) -> None:
    intents = GUILDS | GUILD_MEMBERS | GUILD_PRESENCES
    async with identified(world, intents) as (_, guild):
        assert len(guild["members"]) == guild["member_count"] == total_members(world)
    populate(world, 60)
    async with identified(world, intents) as (_, guild):
        # nobody is online in the sandbox: only members with a role (or a nickname) come
        names = {m["user"]["username"] for m in guild["members"]}
        assert names == {"hackbot", "ana", "bea"}
        assert guild["large"] is True and guild["member_count"] == total_members(world)


# ---- op 8 REQUEST_GUILD_MEMBERS ---------------------------------------------------------------
async def test_requesting_every_member_answers_chunks_of_1000_with_the_nonce(world: World) -> None:
    populate(world, 2_500)
    async with identified(world, GUILDS | GUILD_MEMBERS) as (gateway, _):
        request = {"guild_id": str(world.guild_id), "query": "", "limit": 0, "nonce": "n-1"}
        await gateway.send(8, request)
        chunks = await gateway.events("GUILD_MEMBERS_CHUNK")
    assert [c["chunk_index"] for c in chunks] == [0, 1, 2]
    assert {c["chunk_count"] for c in chunks} == {3}
    assert {c["nonce"] for c in chunks} == {"n-1"}
    assert [len(c["members"]) for c in chunks] == [1000, 1000, total_members(world) - 2000]
    ids = [m["user"]["id"] for c in chunks for m in c["members"]]
    assert len(set(ids)) == total_members(world)


async def test_requesting_every_member_without_the_members_intent_gets_nothing(
    world: World,
) -> None:
    async with identified(world, GUILDS) as (gateway, guild):
        assert [m["user"]["username"] for m in guild["members"]] == ["hackbot"]
        await gateway.send(8, {"guild_id": str(world.guild_id), "query": "", "limit": 0})
        assert await gateway.events("GUILD_MEMBERS_CHUNK", first=1.0) == []
        # a prefix or a list of ids is still answered (at most 100 members)
        await gateway.send(8, {"guild_id": str(world.guild_id), "query": "an", "limit": 0})
        [chunk] = await gateway.events("GUILD_MEMBERS_CHUNK")
        assert [m["user"]["username"] for m in chunk["members"]] == ["ana"]
    assert world.server.gateway.refused_member_requests == 1


async def test_queries_and_user_ids_return_at_most_100_and_a_long_nonce_is_dropped(
    world: World,
) -> None:
    populate(world, 150)
    wanted = [world.server.user_id(f"m{i:04d}") for i in range(120)]
    async with identified(world, GUILDS | GUILD_MEMBERS) as (gateway, _):
        await gateway.send(8, {"guild_id": str(world.guild_id), "query": "m", "limit": 0})
        [by_prefix] = await gateway.events("GUILD_MEMBERS_CHUNK")
        await gateway.send(
            8,
            {
                "guild_id": str(world.guild_id),
                "user_ids": [str(u) for u in wanted[:3]] + ["1"],
                "limit": 4,
                "nonce": "x" * 33,
            },
        )
        [by_ids] = await gateway.events("GUILD_MEMBERS_CHUNK")
        await gateway.send(8, {"guild_id": str(world.guild_id), "user_ids": wanted, "limit": 0})
        [many_ids] = await gateway.events("GUILD_MEMBERS_CHUNK")
    assert len(by_prefix["members"]) == 100
    assert len(by_ids["members"]) == 3 and by_ids["not_found"] == ["1"]
    assert "nonce" not in by_ids
    assert len(many_ids["members"]) == 100


async def test_discord_py_chunks_at_start_up_before_on_ready(world: World) -> None:
    populate(world, 1_200)
    bot = await start_bot(world, make_bot())
    guild = guild_of(bot, world)
    assert guild.chunked and guild.large
    assert guild.member_count == len(guild.members) == total_members(world)
    assert world.server.gateway.member_requests == 1


# ---- the REST guild ---------------------------------------------------------------------------
async def test_rest_guild_has_no_gateway_fields_and_counts_only_on_request(world: World) -> None:
    url = f"{world.server.base_url}/guilds/{world.guild_id}"
    headers = {"Authorization": f"Bot {world.token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.get(url) as resp:
            plain = await resp.json()
        async with session.get(url, params={"with_counts": "true"}) as resp:
            counted = await resp.json()
    gateway_only = {"member_count", "large", "unavailable", "members", "channels", "threads"}
    gateway_only |= {"presences", "voice_states", "joined_at", "guild_scheduled_events", "lazy"}
    assert gateway_only.isdisjoint(plain) and gateway_only.isdisjoint(counted)
    assert "approximate_member_count" not in plain
    assert "approximate_presence_count" not in plain
    assert counted["approximate_member_count"] == total_members(world)
    assert counted["approximate_presence_count"] == 0  # nobody online: no bot connected
    assert plain["roles"] and plain["region"] and plain["owner_id"]

    bot = await start_bot(world, make_bot())
    fetched = await bot.fetch_guild(world.guild_id, with_counts=True)
    assert fetched.approximate_member_count == total_members(world)
    assert fetched.approximate_presence_count == 1  # the bot


# ---- followups ----------------------------------------------------------------------------------
async def test_followups_carry_interaction_metadata_with_the_original_response(
    world: World,
) -> None:
    bot = make_bot()
    sent: list[discord.WebhookMessage] = []

    @bot.tree.command(name="twice", description="Two answers", guild=discord.Object(world.guild_id))
    async def twice(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("first")
        sent.append(await interaction.followup.send("second", wait=True))

    await start_bot(world, bot)
    await bot.tree.sync(guild=discord.Object(world.guild_id))
    ix = await world.server.run_command(world.guild_id, "ana", "twice", {})
    await world.server.wait_settled()
    assert ix.original_message_id is not None and len(ix.followup_ids) == 1
    state = world.server.state
    original = state.messages[ix.original_message_id].interaction_metadata
    followup = state.messages[ix.followup_ids[0]].interaction_metadata
    assert original is not None and followup is not None
    assert "original_response_message_id" not in original
    assert followup["original_response_message_id"] == str(ix.original_message_id)
    assert followup["id"] == original["id"] == str(ix.id)
    metadata = sent[0].interaction_metadata
    assert metadata is not None
    assert metadata.original_response_message_id == ix.original_message_id


async def test_a_modal_answers_metadata_names_the_interaction_that_opened_it(
    world: World,
) -> None:
    bot = make_bot()

    class Ask(discord.ui.Modal, title="Pregunta"):
        text: discord.ui.TextInput[Ask] = discord.ui.TextInput(label="Texto")

        async def on_submit(self, interaction: discord.Interaction) -> None:
            await interaction.response.send_message(f"got {self.text.value}")

    @bot.tree.command(name="ask", description="Ask", guild=discord.Object(world.guild_id))
    async def ask(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Ask())

    await start_bot(world, bot)
    await bot.tree.sync(guild=discord.Object(world.guild_id))
    opened = await world.server.run_command(world.guild_id, "ana", "ask", {})
    await world.server.wait_settled()
    submitted = await world.server.submit_modal("ana", ["hola"])
    await world.server.wait_settled()
    assert submitted.original_message_id is not None
    meta = world.server.state.messages[submitted.original_message_id].interaction_metadata
    assert meta is not None and meta["type"] == 5
    assert meta["triggering_interaction_metadata"]["id"] == str(opened.id)


# ---- the listen queue ---------------------------------------------------------------------------
def _somaxconn() -> int:
    try:
        return int(Path("/proc/sys/net/core/somaxconn").read_text())
    except (OSError, ValueError):
        return 0


@pytest.mark.skipif(_somaxconn() < 1024, reason="the kernel caps listen backlogs below 1,024")
async def test_a_burst_of_connections_is_queued_not_dropped(world: World) -> None:
    """The kernel completes handshakes into the listen queue while the server is busy: with
    aiohttp's default backlog of 128, connection 130 onwards is dropped and waits for a SYN
    retransmission (1 s, then 3 s...). The event loop is blocked here on purpose, so that no
    connection is accepted while the burst arrives."""
    host, port = "127.0.0.1", int(world.server.base_url.split(":")[2].split("/")[0])
    burst = 1_000
    opened: list[socket.socket] = []
    failed: list[BaseException] = []

    def connect_all() -> None:
        for _ in range(burst):
            try:
                opened.append(socket.create_connection((host, port), timeout=0.5))
            except OSError as exc:
                failed.append(exc)
                return  # one dropped connection is enough to know

    worker = threading.Thread(target=connect_all)
    started = time.monotonic()
    worker.start()
    worker.join()  # blocks the loop: nothing is accepted meanwhile
    took = time.monotonic() - started
    for sock in opened:
        sock.close()
    assert failed == [] and len(opened) == burst, (
        f"connection {len(opened) + 1} was dropped ({failed}) after {took:.1f} s"
    )
