"""Fixtures for the local Discord tests: a started server with a small guild, and bot runners."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from sandbox.discord import ChannelSpec, LocalDiscord, use_local_discord


@dataclass
class World:
    server: LocalDiscord
    guild_id: int
    token: str
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    bots: list[commands.Bot] = field(default_factory=list)
    handler_errors: list[BaseException] = field(default_factory=list)


def make_bot() -> commands.Bot:
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    return commands.Bot(command_prefix="!", intents=intents, guild_ready_timeout=0.05)


async def start_bot(world: World, bot: commands.Bot, token: str | None = None) -> commands.Bot:
    """Start ``bot`` against the local Discord and wait for on_ready."""
    ready = asyncio.Event()

    async def on_ready() -> None:
        ready.set()

    bot.add_listener(on_ready)

    async def on_app_command_error(
        interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        world.handler_errors.append(error)

    bot.tree.on_error = on_app_command_error  # type: ignore[method-assign]
    task = asyncio.create_task(bot.start(token or world.token))
    world.tasks.append(task)
    world.bots.append(bot)
    done, _ = await asyncio.wait(
        [task, asyncio.create_task(ready.wait())], timeout=5, return_when=asyncio.FIRST_COMPLETED
    )
    if task in done:
        task.result()
    assert ready.is_set(), "bot did not become ready"
    return bot


async def stop_bot(world: World, bot: commands.Bot) -> None:
    index = world.bots.index(bot)
    task = world.tasks[index]
    await bot.close()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


StartBot = Callable[[commands.Bot], Awaitable[commands.Bot]]


@pytest.fixture
async def world() -> AsyncIterator[World]:
    server = LocalDiscord(interaction_timeout=0.5)
    guild_id = server.create_guild(
        "Hackathon",
        roles=["participant", "mentor", "organizer"],
        channels=[
            ChannelSpec("general"),
            ChannelSpec("equipos"),
            ChannelSpec("Proyectos", kind="category"),
            ChannelSpec("proyectos", kind="forum", parent="Proyectos", tags=["nlp", "vision"]),
            ChannelSpec("charla", kind="voice"),
        ],
    )
    account = server.create_bot(guild_id=guild_id)
    server.add_member(guild_id, "ana", roles=["participant"])
    server.add_member(guild_id, "bea", roles=["participant"], locale="en-US")
    server.add_member(guild_id, "nodm", dms=False)
    await server.start()
    w = World(server=server, guild_id=guild_id, token=account.token)
    with use_local_discord(server):
        try:
            yield w
        finally:
            for bot in list(w.bots):
                with contextlib.suppress(Exception):
                    await stop_bot(w, bot)
            await server.close()
    unexpected = [e for e in server.errors if e.get("path") != "/nope"]
    assert unexpected == [], unexpected


def guild_of(bot: commands.Bot, world: World) -> discord.Guild:
    guild = bot.get_guild(world.guild_id)
    assert guild is not None
    return guild


def text_channel(bot: commands.Bot, world: World, name: str) -> Any:
    channel = discord.utils.get(guild_of(bot, world).channels, name=name)
    assert channel is not None, name
    return channel
