"""Slash commands, deferrals, followups, persistent views, modals and interaction failures."""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from sandbox.discord import RejectedByDiscord

from .conftest import World, guild_of, make_bot, start_bot, stop_bot, text_channel


def team_commands(bot: commands.Bot, world: World, seen: list[dict[str, object]]) -> None:
    team = app_commands.Group(name="team", description="Teams")
    admin = app_commands.Group(name="admin", description="Team admin", parent=team)

    @admin.command(name="create", description="Create a team")
    @app_commands.describe(name="Team name")
    @app_commands.choices(
        size=[app_commands.Choice(name="tres", value=3), app_commands.Choice(name="cinco", value=5)]
    )
    async def create(
        interaction: discord.Interaction,
        name: app_commands.Range[str, 3, 20],
        captain: discord.Member,
        size: app_commands.Choice[int],
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        seen.append(
            {
                "name": name,
                "captain": captain.name,
                "size": size.value,
                "locale": str(interaction.locale),
                "app_permissions": interaction.app_permissions.manage_threads,
            }
        )
        await interaction.followup.send(f"Equipo {name} creado ({size.value})", ephemeral=True)

    @team.command(name="join", description="Join a team")
    async def join(interaction: discord.Interaction, team: str) -> None:
        await interaction.response.send_message(f"joined {team}")

    @join.autocomplete("team")
    async def join_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["Los Tigres", "Las Águilas", "Los Toros"]
        return [app_commands.Choice(name=n, value=n) for n in names if current.lower() in n.lower()]

    bot.tree.add_command(team, guild=discord.Object(world.guild_id))


async def test_subcommand_group_defer_and_followup(world: World) -> None:
    seen: list[dict[str, object]] = []
    bot = make_bot()
    team_commands(bot, world, seen)
    await start_bot(world, bot)
    synced = await bot.tree.sync(guild=discord.Object(world.guild_id))
    assert [c.name for c in synced] == ["team"]

    ix = await world.server.run_command(
        world.guild_id,
        "bea",
        "team admin create",
        {"name": "Los Tigres", "captain": "@ana", "size": 5},
        channel="equipos",
    )
    await world.server.wait_settled()
    assert not world.handler_errors
    assert seen == [
        {
            "name": "Los Tigres",
            "captain": "ana",
            "size": 5,
            "locale": "en-US",
            "app_permissions": True,
        }
    ]
    assert ix.kind == "command" and ix.handle == "bea" and not ix.failed
    assert ix.ack_ms is not None and 0 <= ix.ack_ms < 500
    assert [c["type"] for c in ix.callbacks] == [5]
    assert len(ix.replies) == 1
    reply = ix.replies[0]
    assert reply["ephemeral"] is True
    assert reply["content"] == "Equipo Los Tigres creado (5)"
    assert reply["modal"] is None
    # an ephemeral answer is not an effect in the channel
    assert world.server.effects == []

    # choice by display name is what the member picks in the client
    ix2 = await world.server.run_command(
        world.guild_id,
        "ana",
        "team admin create",
        {"name": "Osos", "captain": "bea", "size": "tres"},
    )
    await world.server.wait_settled()
    assert ix2.replies[0]["content"] == "Equipo Osos creado (3)"


async def test_autocomplete_choices(world: World) -> None:
    bot = make_bot()
    team_commands(bot, world, [])
    await start_bot(world, bot)
    await bot.tree.sync(guild=discord.Object(world.guild_id))
    ix = await world.server.autocomplete(
        world.guild_id, "ana", "team join", {"team": "los"}, focused="team"
    )
    await world.server.wait_settled()
    assert ix.replies == [
        {
            "choices": [
                {"name": "Los Tigres", "value": "Los Tigres"},
                {"name": "Los Toros", "value": "Los Toros"},
            ]
        }
    ]


async def test_rejected_by_discord(world: World) -> None:
    bot = make_bot()
    team_commands(bot, world, [])
    await start_bot(world, bot)
    await bot.tree.sync(guild=discord.Object(world.guild_id))
    server = world.server

    async def run(options: dict[str, object], path: str = "team admin create") -> str:
        with pytest.raises(RejectedByDiscord) as info:
            await server.run_command(world.guild_id, "ana", path, options)
        return info.value.reason

    good = {"name": "Los Tigres", "captain": "ana", "size": 3}
    assert "longer than 20" in await run({**good, "name": "x" * 21})
    assert "shorter than 3" in await run({**good, "name": "xy"})
    assert "not a choice" in await run({**good, "size": 4})
    assert "missing required" in await run({"name": "Los Tigres", "size": 3})
    assert "unknown option" in await run({**good, "color": "red"})
    assert "no user" in await run({**good, "captain": "@nobody"})
    assert "unknown command" in await run(good, path="teams")
    assert "needs a subcommand" in await run({}, path="team admin")
    assert server.interactions.ordered == []


class Persistent(discord.ui.View):
    def __init__(self, clicks: list[str]) -> None:
        super().__init__(timeout=None)
        self.clicks = clicks

    @discord.ui.button(
        label="Aceptar", custom_id="invite:accept", style=discord.ButtonStyle.success
    )
    async def accept(
        self, interaction: discord.Interaction, button: discord.ui.Button[Persistent]
    ) -> None:
        self.clicks.append(interaction.user.name)
        await interaction.response.edit_message(content="Aceptado", view=None)


async def test_persistent_view_survives_restart(world: World) -> None:
    first = await start_bot(world, make_bot())
    channel = text_channel(first, world, "general")
    await channel.send("¿Te unes?", view=Persistent([]))
    await world.server.wait_settled()
    assert world.server.take_effects()[0]["buttons"] == ["Aceptar"]
    await stop_bot(world, first)

    clicks: list[str] = []
    second = make_bot()

    async def setup_hook() -> None:
        second.add_view(Persistent(clicks))

    second.setup_hook = setup_hook  # type: ignore[method-assign]
    await start_bot(world, second)
    ix = await world.server.click("ana", label="Aceptar")
    await world.server.wait_settled()
    assert clicks == ["ana"]
    assert ix.kind == "component" and [c["type"] for c in ix.callbacks] == [7]
    assert ix.replies[0]["updated"] is True
    assert ix.replies[0]["content"] == "Aceptado" and ix.replies[0]["buttons"] == []
    assert world.server.messages("general")[-1]["content"] == "Aceptado"
    with pytest.raises(LookupError):
        await world.server.click("ana", label="Aceptar")


class TalkModal(discord.ui.Modal, title="Propuesta de charla"):
    topic: discord.ui.TextInput[TalkModal] = discord.ui.TextInput(label="Tema", max_length=50)
    body: discord.ui.TextInput[TalkModal] = discord.ui.TextInput(
        label="Resumen", style=discord.TextStyle.paragraph
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            f"Recibido: {self.topic.value} / {self.body.value}", ephemeral=True
        )


async def test_modal_roundtrip(world: World) -> None:
    bot = make_bot()

    @bot.tree.command(
        name="talk", description="Propose a talk", guild=discord.Object(world.guild_id)
    )
    async def talk(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(TalkModal())

    await start_bot(world, bot)
    await bot.tree.sync(guild=discord.Object(world.guild_id))
    ix = await world.server.run_command(world.guild_id, "ana", "talk", {})
    await world.server.wait_settled()
    assert ix.replies == [
        {"modal": {"title": "Propuesta de charla", "fields": ["Tema", "Resumen"]}}
    ]
    with pytest.raises(RejectedByDiscord):
        await world.server.submit_modal("ana", {"Tema": "x" * 51, "Resumen": "..."})
    submitted = await world.server.submit_modal(
        "ana", {"Tema": "Corpus", "Resumen": "Datos en español"}
    )
    await world.server.wait_settled()
    assert submitted.kind == "modal_submit"
    assert submitted.replies[0]["content"] == "Recibido: Corpus / Datos en español"
    assert submitted.replies[0]["ephemeral"] is True
    with pytest.raises(LookupError):
        await world.server.submit_modal("ana", ["again", "again"])


async def test_unanswered_interaction_fails(world: World) -> None:
    bot = make_bot()
    release = asyncio.Event()

    @bot.tree.command(
        name="slow", description="Never answers in time", guild=discord.Object(world.guild_id)
    )
    async def slow(interaction: discord.Interaction) -> None:
        await release.wait()
        try:
            await interaction.response.send_message("too late")
        except discord.NotFound as exc:
            late.set_result(exc.code)

    late: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    await start_bot(world, bot)
    await bot.tree.sync(guild=discord.Object(world.guild_id))
    ix = await world.server.run_command(world.guild_id, "ana", "slow", {})
    await world.server.wait_settled(timeout=3)
    assert ix.failed and ix.ack_ms is None and ix.replies == []
    release.set()
    assert await asyncio.wait_for(late, 2) == 10062


async def test_select_menu_and_double_ack(world: World) -> None:
    bot = make_bot()
    codes: list[int] = []

    class Schedule(discord.ui.View):
        @discord.ui.select(
            placeholder="Horario",
            custom_id="slot",
            options=[
                discord.SelectOption(label="Lunes 16h", value="mon16"),
                discord.SelectOption(label="Martes 10h", value="tue10"),
            ],
        )
        async def slot(
            self, interaction: discord.Interaction, select: discord.ui.Select[Schedule]
        ) -> None:
            await interaction.response.send_message(f"Elegiste {select.values[0]}", ephemeral=True)
            try:
                await interaction.response.send_message("again")
            except discord.InteractionResponded:
                codes.append(0)
            try:
                await interaction.followup.send("again", ephemeral=True)
            except discord.HTTPException as exc:
                codes.append(exc.code)

    @bot.tree.command(name="slots", description="Pick a slot", guild=discord.Object(world.guild_id))
    async def slots(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Elige", view=Schedule(), ephemeral=True)

    await start_bot(world, bot)
    await bot.tree.sync(guild=discord.Object(world.guild_id))
    await world.server.run_command(world.guild_id, "bea", "slots", {})
    await world.server.wait_settled()
    with pytest.raises(LookupError):
        await world.server.choose("ana", select="Horario", values=["Martes 10h"])
    ix = await world.server.choose("bea", select="Horario", values=["Martes 10h"])
    await world.server.wait_settled()
    assert [r["content"] for r in ix.replies] == ["Elegiste tue10", "again"]
    assert codes == [0]
    assert guild_of(bot, world) is not None
