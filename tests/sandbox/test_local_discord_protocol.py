"""Protocol details: double acknowledgement, token lifetime, RESUME, member chunks, caps."""

from __future__ import annotations

import asyncio
import datetime as dt
import io

import aiohttp
import discord
import pytest
from discord import app_commands

from sandbox.discord import RejectedByDiscord

from .conftest import World, guild_of, make_bot, start_bot, text_channel


async def test_callback_twice_and_unknown_interaction(world: World) -> None:
    bot = make_bot()
    got: asyncio.Future[discord.Interaction] = asyncio.get_running_loop().create_future()

    @bot.tree.command(name="ping", description="Ping", guild=discord.Object(world.guild_id))
    async def ping(interaction: discord.Interaction) -> None:
        got.set_result(interaction)

    await start_bot(world, bot)
    await bot.tree.sync(guild=discord.Object(world.guild_id))
    ix = await world.server.run_command(world.guild_id, "ana", "ping", {})
    await asyncio.wait_for(got, 2)
    url = f"{world.server.base_url}/interactions/{ix.id}/{ix.token}/callback"
    body = {"type": 4, "data": {"content": "pong"}}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=body, params={"with_response": "true"}) as resp:
            assert resp.status == 200 and resp.headers["Content-Type"] == "application/json"
            data = await resp.json()
        async with session.post(url, json=body) as resp:
            assert resp.status == 400 and (await resp.json())["code"] == 40060
        bad = f"{world.server.base_url}/interactions/{ix.id}/wrong/callback"
        async with session.post(bad, json=body) as resp:
            assert resp.status == 404 and (await resp.json())["code"] == 10062
    assert data["interaction"]["response_message_loading"] is False
    assert data["resource"]["message"]["content"] == "pong"
    assert ix.replies[0]["content"] == "pong" and ix.replies[0]["ephemeral"] is False


async def test_webhook_token_expires_after_15_minutes(world: World) -> None:
    clock = [dt.datetime(2024, 3, 20, 10, 0, tzinfo=dt.UTC)]
    world.server.now = lambda: clock[0]
    bot = make_bot()
    outcome: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    go_on = asyncio.Event()

    @bot.tree.command(name="long", description="Long job", guild=discord.Object(world.guild_id))
    async def long(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="working…")
        await go_on.wait()
        try:
            await interaction.followup.send("done")
        except discord.HTTPException as exc:
            outcome.set_result(exc.code)

    await start_bot(world, bot)
    await bot.tree.sync(guild=discord.Object(world.guild_id))
    ix = await world.server.run_command(world.guild_id, "ana", "long", {})
    await world.server.wait_settled()
    assert [r["content"] for r in ix.replies] == ["working…"]
    clock[0] += dt.timedelta(minutes=16)
    go_on.set()
    assert await asyncio.wait_for(outcome, 2) == 50027


async def test_component_deferred_update_then_edit(world: World) -> None:
    bot = make_bot()

    class Vote(discord.ui.View):
        @discord.ui.button(label="Votar", custom_id="vote")
        async def vote(
            self, interaction: discord.Interaction, button: discord.ui.Button[Vote]
        ) -> None:
            await interaction.response.defer()
            await interaction.edit_original_response(content="1 voto", view=None)

    await start_bot(world, bot)
    await text_channel(bot, world, "general").send("¿Votas?", view=Vote())
    ix = await world.server.click("bea", index=0, where="#general")
    await world.server.wait_settled()
    assert [c["type"] for c in ix.callbacks] == [6]
    assert ix.replies == [
        {
            "ephemeral": False,
            "content": "1 voto",
            "embeds": [],
            "buttons": [],
            "selects": [],
            "files": [],
            "modal": None,
            "updated": True,
        }
    ]


async def test_resume_replays_missed_events(world: World) -> None:
    bot = await start_bot(world, make_bot())
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    bot.add_listener(on_resumed)
    await world.server.drop_connections()
    world.server.add_member(world.guild_id, "dani")
    await asyncio.wait_for(resumed.wait(), 5)
    guild = guild_of(bot, world)
    assert discord.utils.get(guild.members, name="dani") is not None
    assert world.server.gateway.identifies == 1


async def test_member_chunk_and_caps(world: World) -> None:
    # Rate limits off: 250 channel and role creations test the caps, not the pacing (which
    # would add seconds of waiting on the global limit).
    world.server.ratelimits.enabled = False
    bot = await start_bot(world, make_bot())
    guild = guild_of(bot, world)
    found = await guild.query_members("an")
    assert [m.name for m in found] == ["ana"]

    category = discord.utils.get(guild.categories, name="Proyectos")
    assert category is not None
    for i in range(49):
        await bot.http.create_channel(guild.id, 0, name=f"sala-{i}", parent_id=category.id)
    with pytest.raises(discord.HTTPException) as info:
        await guild.create_text_channel("sala-50", category=category)
    assert info.value.code == 50035
    created = [e for e in world.server.take_effects() if e["type"] == "channel_created"]
    assert len(created) == 49 and created[0] == {
        "type": "channel_created",
        "name": "sala-0",
        "parent": "Proyectos",
    }

    for i in range(250 - len(guild.roles)):
        await bot.http.create_role(guild.id, name=f"r{i}")
    with pytest.raises(discord.HTTPException) as info:
        await guild.create_role(name="one too many")
    assert info.value.code == 30005


async def test_global_command_with_file_reply_and_embed(world: World) -> None:
    bot = make_bot()

    @bot.tree.command(name="leaderboard", description="Show the leaderboard")
    @app_commands.describe(top="How many teams")
    async def leaderboard(
        interaction: discord.Interaction, top: app_commands.Range[int, 1, 25] = 10
    ) -> None:
        embed = discord.Embed(title="Ranking", description=f"Top {top}")
        embed.add_field(name="1", value="Los Tigres").set_footer(text="Actualizado")
        await interaction.response.send_message(
            embed=embed, file=discord.File(io.BytesIO(b"png"), filename="leaderboard.png")
        )

    await start_bot(world, bot)
    synced = await bot.tree.sync()
    assert synced[0].name == "leaderboard" and synced[0].id
    with pytest.raises(RejectedByDiscord):
        await world.server.run_command(world.guild_id, "ana", "leaderboard", {"top": 26})
    ix = await world.server.run_command(world.guild_id, "ana", "leaderboard", {"top": "3"})
    await world.server.wait_settled()
    assert ix.replies == [
        {
            "ephemeral": False,
            "content": "",
            "embeds": [
                {
                    "title": "Ranking",
                    "description": "Top 3",
                    "fields": [{"name": "1", "value": "Los Tigres"}],
                    "footer": "Actualizado",
                }
            ],
            "buttons": [],
            "selects": [],
            "files": ["leaderboard.png"],
            "modal": None,
        }
    ]
    assert world.server.messages("general")[-1]["attachments"][0]["filename"] == "leaderboard.png"
