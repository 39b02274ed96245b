"""The local Discord forges what a modified client makes Discord deliver: a second server the
bot joins, commands from any server or a DM with raw option values, buttons with any
custom_id. A bare discord.py bot receives them as it would from Discord (and, being bare,
runs them: that is what the bot's own trust gate is for)."""

from __future__ import annotations

import asyncio
import math
import re
from typing import Any, ClassVar

import discord
from discord import app_commands

from sandbox.discord import ChannelSpec

from .conftest import World, make_bot, start_bot


def offset_command(bot: discord.Client, world: World, seen: list[dict[str, Any]]) -> None:
    tree: app_commands.CommandTree[Any] = bot.tree  # type: ignore[attr-defined]

    @tree.command(name="offset", description="A time zone", guild=discord.Object(world.guild_id))
    @app_commands.guild_only()
    async def offset(
        interaction: discord.Interaction, hours: app_commands.Range[float, -12, 14]
    ) -> None:
        seen.append({"guild": interaction.guild_id, "hours": hours})
        await interaction.response.send_message("ok", ephemeral=True)


async def test_the_bot_joins_a_second_server(world: World) -> None:
    bot = make_bot()
    joined: list[int] = []

    async def on_guild_join(guild: discord.Guild) -> None:
        joined.append(guild.id)

    bot.add_listener(on_guild_join)
    await start_bot(world, bot)
    other = world.server.create_guild(
        "Otro", roles=["organizer"], channels=[ChannelSpec("general")]
    )
    world.server.add_member(other, "mallory", roles=["organizer"])

    world.server.join_bot(other)
    await world.server.wait_settled()
    for _ in range(100):  # discord.py announces the join once the new server is chunked
        if joined:
            break
        await asyncio.sleep(0.01)

    assert joined == [other]
    guild = bot.get_guild(other)
    assert guild is not None and guild.get_member(world.server.user_id("mallory")) is not None


async def test_a_command_forged_from_a_dm_and_another_server_with_raw_values(
    world: World,
) -> None:
    seen: list[dict[str, Any]] = []
    bot = make_bot()
    offset_command(bot, world, seen)
    await start_bot(world, bot)
    await bot.tree.sync(guild=discord.Object(world.guild_id))
    other = world.server.create_guild("Otro", roles=[], channels=[ChannelSpec("general")])
    world.server.add_member(other, "mallory")
    world.server.join_bot(other)
    await world.server.wait_settled()

    for guild_id, raw in ((None, math.inf), (other, 1e9)):
        ix = await world.server.forge_command(
            "mallory" if guild_id else "ana",
            "offset",
            {"hours": 1},
            commands_of=world.guild_id,
            guild_id=guild_id,
            raw={"hours": raw},
        )
        await world.server.wait_settled()
        assert ix.replies and ix.replies[0]["content"] == "ok"
    # discord.py itself checks neither guild_only nor the range: the values arrive as sent.
    assert seen == [{"guild": None, "hours": math.inf}, {"guild": other, "hours": 1e9}]


class Probe(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"probe:(?P<rest>.*)"):
    seen: ClassVar[list[tuple[str, int | None]]] = []

    def __init__(self, rest: str) -> None:
        super().__init__(discord.ui.Button(label="p", custom_id=f"probe:{rest}"))
        self.rest = rest

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Probe:
        return cls(match["rest"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        Probe.seen.append((self.rest, interaction.guild_id))
        await interaction.response.send_message("pressed", ephemeral=True)


async def test_a_button_forged_with_any_custom_id(world: World) -> None:
    Probe.seen = []
    bot = make_bot()
    bot.add_dynamic_items(Probe)
    await start_bot(world, bot)

    in_dm = await world.server.forge_click(
        "ana", f"probe:{2**70}", bot_guild=world.guild_id, guild_id=None
    )
    in_guild = await world.server.forge_click(
        "ana", "probe:x", bot_guild=world.guild_id, guild_id=world.guild_id, channel="equipos"
    )
    await asyncio.wait_for(world.server.wait_settled(), 5)

    assert Probe.seen == [(str(2**70), None), ("x", world.guild_id)]
    assert [ix.replies[-1]["content"] for ix in (in_dm, in_guild)] == ["pressed", "pressed"]
