"""Logging in: REST identity, the gateway handshake and the guild cache."""

from __future__ import annotations

import asyncio

import discord
import pytest

from .conftest import World, guild_of, make_bot, start_bot


async def test_login_populates_the_cache(world: World) -> None:
    bot = await start_bot(world, make_bot())
    assert bot.user is not None and bot.user.name == "hackbot"
    assert bot.application_id is not None
    guild = guild_of(bot, world)
    assert guild.name == "Hackathon"
    assert {r.name for r in guild.roles} >= {"@everyone", "participant", "mentor", "organizer"}
    assert guild.default_role.id == world.guild_id
    assert {c.name for c in guild.text_channels} == {"general", "equipos"}
    forum = discord.utils.get(guild.forums, name="proyectos")
    assert forum is not None and [t.name for t in forum.available_tags] == ["nlp", "vision"]
    assert forum.category is not None and forum.category.name == "Proyectos"
    assert {m.name for m in guild.members} >= {"ana", "bea", "nodm", "hackbot"}
    assert guild.chunked
    assert guild.me.guild_permissions.manage_roles


async def test_member_joins_while_connected(world: World) -> None:
    bot = await start_bot(world, make_bot())
    joined: asyncio.Future[discord.Member] = asyncio.get_running_loop().create_future()

    async def on_member_join(member: discord.Member) -> None:
        joined.set_result(member)

    bot.add_listener(on_member_join)
    world.server.add_member(world.guild_id, "carla", roles=["mentor"])
    member = await asyncio.wait_for(joined, 2)
    assert member.name == "carla" and [r.name for r in member.roles[1:]] == ["mentor"]


async def test_wrong_token_is_a_login_failure(world: World) -> None:
    bot = make_bot()
    with pytest.raises(discord.LoginFailure):
        await bot.login("not-a-token")
    await bot.close()


async def test_gateway_bot_endpoint(world: World) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bot {world.token}"}
        async with session.get(world.server.base_url + "/gateway/bot", headers=headers) as resp:
            assert resp.headers["Content-Type"] == "application/json"
            data = await resp.json()
        async with session.get(world.server.base_url + "/nope", headers=headers) as resp:
            assert resp.status == 404
            assert await resp.json() == {"message": "404: Not Found", "code": 0}
    assert world.server.errors == [{"type": "unknown_route", "method": "GET", "path": "/nope"}]
    assert data["url"].startswith("ws://127.0.0.1:")
    assert data["shards"] == 1
    assert data["session_start_limit"]["max_concurrency"] == 1
