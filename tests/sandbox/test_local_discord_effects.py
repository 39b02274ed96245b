"""Messages, DMs, threads, forum posts, roles, limits, faults and mentions, as effects."""

from __future__ import annotations

import datetime as dt

import discord
import pytest

from sandbox.discord.permissions import SEND_MESSAGES, VIEW_CHANNEL

from .conftest import World, guild_of, make_bot, start_bot, text_channel


async def test_rate_limit_is_retried_by_discord_py(world: World) -> None:
    bot = await start_bot(world, make_bot())
    channel = text_channel(bot, world, "general")
    world.server.inject_fault("POST", r"/channels/\d+/messages", 429, retry_after=0.3)
    message = await channel.send("hola")
    assert message.content == "hola"
    posts = [r for r in world.server.requests if r[0] == "POST" and r[1].endswith("/messages")]
    assert [status for _, _, status in posts] == [429, 200]
    assert world.server.take_effects() == [
        {
            "type": "message",
            "channel": "general",
            "content": "hola",
            "embeds": [],
            "buttons": [],
            "selects": [],
            "files": [],
            "mentions": {"everyone": False, "roles": [], "users": []},
        }
    ]


async def test_dm_to_closed_member_fails(world: World) -> None:
    bot = await start_bot(world, make_bot())
    guild = guild_of(bot, world)
    closed = guild.get_member(world.server.user_id("nodm"))
    assert closed is not None
    with pytest.raises(discord.Forbidden) as info:
        await closed.send("hola")
    assert info.value.code == 50007
    ana = guild.get_member(world.server.user_id("ana"))
    assert ana is not None
    await ana.send("bienvenida", file=discord.File(__file__, filename="guia.txt"))
    effects = world.server.take_effects()
    assert effects[0] == {"type": "dm_failed", "to": "nodm"}
    assert effects[1]["channel"] == "dm:ana" and effects[1]["files"] == ["guia.txt"]
    assert world.server.messages("dm:ana")[0]["content"] == "bienvenida"


async def test_threads_forum_roles_and_limits(world: World) -> None:
    bot = await start_bot(world, make_bot())
    server = world.server
    guild = guild_of(bot, world)
    equipos = text_channel(bot, world, "equipos")
    thread = await equipos.create_thread(
        name="Los Tigres", type=discord.ChannelType.private_thread, invitable=False
    )
    ana = guild.get_member(server.user_id("ana"))
    assert ana is not None
    await thread.add_user(ana)
    await thread.send(f"Hola {ana.mention}")
    await thread.edit(name="Los Tigres 2")
    await thread.edit(archived=True)

    forum = discord.utils.get(guild.forums, name="proyectos")
    assert forum is not None
    nlp = discord.utils.get(forum.available_tags, name="nlp")
    assert nlp is not None
    post = await forum.create_thread(name="Tigre 7B", content="Nuestro modelo", applied_tags=[nlp])
    assert post.thread.applied_tags == [nlp] and post.message.content == "Nuestro modelo"

    mentor = discord.utils.get(guild.roles, name="mentor")
    assert mentor is not None
    await ana.add_roles(mentor)
    assert server.member_roles(world.guild_id, "ana") == ["participant", "mentor"]

    effects = server.take_effects()
    assert [e["type"] for e in effects] == [
        "thread_created",
        "thread_member_added",
        "message",
        "thread_renamed",
        "thread_archived",
        "forum_post_created",
        "role_added",
    ]
    assert effects[0] == {
        "type": "thread_created",
        "name": "Los Tigres",
        "parent": "equipos",
        "private": True,
    }
    assert effects[1] == {"type": "thread_member_added", "thread": "Los Tigres", "member": "ana"}
    assert effects[2]["channel"] == "thread:Los Tigres" and effects[2]["mentions"]["users"] == [
        "ana"
    ]
    assert effects[3] == {"type": "thread_renamed", "old": "Los Tigres", "name": "Los Tigres 2"}
    assert effects[5] == {
        "type": "forum_post_created",
        "channel": "proyectos",
        "title": "Tigre 7B",
        "tags": ["nlp"],
    }
    assert effects[6] == {"type": "role_added", "member": "ana", "role": "mentor"}
    assert server.thread_members("Los Tigres 2") == ["hackbot", "ana"]
    assert server.forum_posts("proyectos")[0]["tags"] == ["nlp"]

    general = text_channel(bot, world, "general")
    with pytest.raises(discord.HTTPException) as info:
        await general.send("x" * 2001)
    assert info.value.code == 50035 and info.value.status == 400
    with pytest.raises(discord.HTTPException) as info:
        await general.send(embed=discord.Embed(title="t" * 257))
    assert info.value.code == 50035

    server.set_bot_permissions(world.guild_id, VIEW_CHANNEL | SEND_MESSAGES)
    await server.wait_settled()
    with pytest.raises(discord.Forbidden) as forbidden:
        await equipos.create_thread(name="Sin permiso")
    assert forbidden.value.code == 50013
    with pytest.raises(discord.Forbidden):
        await ana.remove_roles(mentor)
    await general.send("aún puedo escribir")
    assert server.take_effects()[-1]["content"] == "aún puedo escribir"


async def test_allowed_mentions(world: World) -> None:
    bot = await start_bot(world, make_bot())
    general = text_channel(bot, world, "general")
    ana_id = world.server.user_id("ana")
    mentor_id = world.server.role_id(world.guild_id, "mentor")
    text = f"@everyone <@{ana_id}> <@&{mentor_id}>"
    await general.send(text, allowed_mentions=discord.AllowedMentions.none())
    await general.send(text)
    await general.send(
        text, allowed_mentions=discord.AllowedMentions(everyone=False, users=True, roles=False)
    )
    quiet, loud, users_only = (e["mentions"] for e in world.server.take_effects())
    assert quiet == {"everyone": False, "roles": [], "users": []}
    assert loud == {"everyone": True, "roles": ["mentor"], "users": ["ana"]}
    assert users_only == {"everyone": False, "roles": [], "users": ["ana"]}


async def test_edit_delete_pin_and_events(world: World) -> None:
    bot = await start_bot(world, make_bot())
    server = world.server
    general = text_channel(bot, world, "general")
    message = await general.send(
        "v1", embed=discord.Embed(title="Ranking", description="1. Tigres").set_footer(text="pie")
    )
    await message.edit(content="v2")
    await message.pin()
    fetched = await general.fetch_message(message.id)
    assert fetched.content == "v2" and fetched.pinned and fetched.edited_at is not None
    await message.delete()
    with pytest.raises(discord.NotFound) as info:
        await general.fetch_message(message.id)
    assert info.value.code == 10008

    guild = guild_of(bot, world)
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    event = await guild.create_scheduled_event(
        name="Keynote",
        start_time=start,
        end_time=start + dt.timedelta(hours=1),
        entity_type=discord.EntityType.external,
        privacy_level=discord.PrivacyLevel.guild_only,
        location="YouTube",
    )
    await event.edit(name="Keynote: corpus")
    await event.delete()
    kinds = [e["type"] for e in server.take_effects()]
    assert kinds == [
        "message",
        "message_edited",
        "message_pinned",
        "message_deleted",
        "scheduled_event_created",
        "scheduled_event_updated",
        "scheduled_event_deleted",
    ]
    with pytest.raises(discord.NotFound) as info:
        await bot.http.get_message(123, 456)
    assert info.value.code == 10003
