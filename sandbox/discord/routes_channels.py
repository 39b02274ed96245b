"""REST routes for guild channels: create, edit (threads and forums too), delete, overwrites."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import errors
from .guards import guild_member_of, has_channel_perm, require_channel_perm, require_view
from .http_core import (
    API_PREFIX,
    bot_of,
    channel_of,
    json_response,
    no_content,
    read_body,
    server_of,
)
from .http_core import snowflake_arg as sf
from .models import CATEGORY, FORUM, KIND_TO_TYPE, NEWS, PRIVATE_THREAD, TEXT, BotAccount, Channel
from .permissions import MANAGE_CHANNELS, MANAGE_ROLES, MANAGE_THREADS
from .routes_threads import tag_names

if TYPE_CHECKING:
    from .server import LocalDiscord as Server

MAX_GUILD_CHANNELS = 500
MAX_CATEGORY_CHANNELS = 50
CHANNEL_TYPES = {*KIND_TO_TYPE.values(), NEWS, 13}


def register(app: web.Application) -> None:
    r, p = app.router, API_PREFIX
    r.add_patch(p + "/channels/{channel_id}", edit_channel)
    r.add_delete(p + "/channels/{channel_id}", delete_channel)
    r.add_put(p + "/channels/{channel_id}/permissions/{target_id}", put_overwrite)
    r.add_delete(p + "/channels/{channel_id}/permissions/{target_id}", delete_overwrite)
    r.add_get(p + "/guilds/{guild_id}/channels", list_channels)
    r.add_post(p + "/guilds/{guild_id}/channels", create_channel)


async def edit_channel(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    channel = channel_of(server, request)
    payload, _ = await read_body(request)
    if channel.is_thread:
        _edit_thread(server, bot, channel, payload)
        server.dispatch_thread_update(channel)
    else:
        require_channel_perm(server.state, bot, channel, MANAGE_CHANNELS)
        _edit_guild_channel(server, channel, payload)
        server.gateway.dispatch(
            "CHANNEL_UPDATE", channel.to_dict(), guild_id=channel.guild_id, channel=channel
        )
    return json_response(channel.to_dict(me=bot.user_id))


def _edit_thread(server: Server, bot: BotAccount, thread: Channel, payload: dict[str, Any]) -> None:
    state = server.state
    require_view(state, bot, thread)
    manage = has_channel_perm(state, bot, thread, MANAGE_THREADS)
    owner = thread.owner_id == bot.user_id
    if not (manage or owner):
        raise errors.missing_permissions()
    if ("locked" in payload or "invitable" in payload) and not manage:
        raise errors.missing_permissions()
    if thread.locked and not manage:
        raise errors.thread_locked()
    if thread.archived and payload.get("archived", True) and set(payload) - {"archived", "locked"}:
        raise errors.thread_archived()
    parent = state.find_channel(thread.parent_id or 0)
    label = thread.name
    if "name" in payload and payload["name"] and payload["name"] != thread.name:
        new_name = str(payload["name"]).strip()
        if not 1 <= len(new_name) <= 100:
            raise errors.invalid_form(
                [("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")]
            )
        server.recorder.add("thread_renamed", old=thread.name, name=new_name)
        thread.name = new_name
        label = new_name
    if "applied_tags" in payload:
        if parent is None or parent.type != FORUM:
            raise errors.DiscordError(400, 50024, "Cannot execute action on this channel type")
        from .routes_threads import _tags

        tags = _tags(parent, payload.get("applied_tags"))
        if tags != thread.applied_tags:
            thread.applied_tags = tags
            server.recorder.add("tags_changed", thread=label, tags=tag_names(parent, tags))
    if "locked" in payload:
        thread.locked = bool(payload["locked"])
    if "invitable" in payload and thread.type == PRIVATE_THREAD:
        thread.invitable = bool(payload["invitable"])
    if payload.get("auto_archive_duration"):
        thread.auto_archive_duration = int(payload["auto_archive_duration"])
    if "archived" in payload and bool(payload["archived"]) != thread.archived:
        thread.archived = bool(payload["archived"])
        thread.archive_timestamp = state.now()
        server.recorder.add(
            "thread_archived" if thread.archived else "thread_unarchived", thread=label
        )


def _edit_guild_channel(server: Server, channel: Channel, payload: dict[str, Any]) -> None:
    state = server.state
    if payload.get("name"):
        channel.name = str(payload["name"])
    if "topic" in payload:
        channel.topic = payload["topic"]
    if "position" in payload and payload["position"] is not None:
        channel.position = int(payload["position"])
    if "parent_id" in payload:
        parent = int(payload["parent_id"]) if payload["parent_id"] else None
        guild = state.guild_of(channel)
        if parent is not None and (guild is None or parent not in guild.channels):
            raise errors.unknown_channel()
        channel.parent_id = parent
    if "permission_overwrites" in payload:
        channel.overwrites = [_overwrite(o) for o in payload["permission_overwrites"] or []]
    if "available_tags" in payload:
        if channel.type != FORUM:
            raise errors.DiscordError(400, 50024, "Cannot execute action on this channel type")
        tags = payload["available_tags"] or []
        if len(tags) > 20:
            raise errors.invalid_form(
                [("available_tags", "BASE_TYPE_MAX_LENGTH", "Must be 20 or fewer in length.")]
            )
        result = []
        for tag in tags:
            if tag.get("id"):
                result.append({**state.new_tag(str(tag["name"])), **tag, "id": str(tag["id"])})
            else:
                result.append(state.new_tag(str(tag["name"]), tag.get("emoji_name")))
                result[-1]["moderated"] = bool(tag.get("moderated", False))
        channel.available_tags = result


def _overwrite(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(raw["id"]),
        "type": int(raw.get("type", 0)),
        "allow": str(raw.get("allow", "0")),
        "deny": str(raw.get("deny", "0")),
    }


async def delete_channel(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    channel = channel_of(server, request)
    state = server.state
    guild = state.guild_of(channel)
    if guild is None:
        raise errors.missing_access()
    if channel.is_thread:
        require_channel_perm(state, bot, channel, MANAGE_THREADS)
    else:
        require_channel_perm(state, bot, channel, MANAGE_CHANNELS)
    data = channel.to_dict(me=bot.user_id)
    del guild.channels[channel.id]
    if channel.is_thread:
        event = {
            "id": str(channel.id),
            "guild_id": str(guild.id),
            "parent_id": str(channel.parent_id),
            "type": channel.type,
        }
        server.gateway.dispatch("THREAD_DELETE", event, guild_id=guild.id)
    else:
        for thread in [
            c for c in guild.channels.values() if c.parent_id == channel.id and c.is_thread
        ]:
            del guild.channels[thread.id]
        for child in guild.channels.values():
            if child.parent_id == channel.id:
                child.parent_id = None
        server.gateway.dispatch("CHANNEL_DELETE", data, guild_id=guild.id)
    server.recorder.add("channel_deleted", name=state.label(channel))
    return json_response(data)


async def put_overwrite(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    channel = channel_of(server, request)
    require_channel_perm(server.state, bot, channel, MANAGE_ROLES)
    payload, _ = await read_body(request)
    target = request.match_info["target_id"]
    payload["id"] = target
    channel.overwrites = [o for o in channel.overwrites if o["id"] != target] + [
        _overwrite(payload)
    ]
    server.gateway.dispatch("CHANNEL_UPDATE", channel.to_dict(), guild_id=channel.guild_id)
    return no_content()


async def delete_overwrite(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    channel = channel_of(server, request)
    require_channel_perm(server.state, bot, channel, MANAGE_ROLES)
    target = request.match_info["target_id"]
    channel.overwrites = [o for o in channel.overwrites if o["id"] != target]
    server.gateway.dispatch("CHANNEL_UPDATE", channel.to_dict(), guild_id=channel.guild_id)
    return no_content()


async def list_channels(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    guild = guild_member_of(server.state, bot, sf(request, "guild_id", errors.unknown_guild))
    return json_response([c.to_dict() for c in guild.channels.values() if not c.is_thread])


async def create_channel(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    state = server.state
    guild = guild_member_of(state, bot, sf(request, "guild_id", errors.unknown_guild))
    payload, _ = await read_body(request)
    from .guards import require_guild_perm

    require_guild_perm(state, bot, guild, MANAGE_CHANNELS)
    kind = int(payload.get("type") or TEXT)
    if kind not in CHANNEL_TYPES:
        raise errors.invalid_form(
            [("type", "BASE_TYPE_CHOICES", "Value must be a valid channel type.")]
        )
    name = str(payload.get("name") or "").strip()
    if not 1 <= len(name) <= 100:
        raise errors.invalid_form(
            [("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")]
        )
    if kind in (TEXT, NEWS, FORUM):
        name = name.lower().replace(" ", "-")
    regular = [c for c in guild.channels.values() if not c.is_thread]
    if len(regular) >= MAX_GUILD_CHANNELS:
        raise errors.max_channels()
    parent_id = int(payload["parent_id"]) if payload.get("parent_id") else None
    if parent_id is not None:
        parent = guild.channels.get(parent_id)
        if parent is None or parent.type != CATEGORY:
            raise errors.invalid_form(
                [("parent_id", "CHANNEL_PARENT_INVALID", "Category does not exist")]
            )
        if len([c for c in regular if c.parent_id == parent_id]) >= MAX_CATEGORY_CHANNELS:
            raise errors.invalid_form(
                [
                    (
                        "parent_id",
                        "CHANNEL_PARENT_MAX_CHANNELS",
                        "Maximum number of channels in category reached (50)",
                    )
                ]
            )
    channel = Channel(
        id=state.ids.next(),
        type=kind,
        name=name,
        guild_id=guild.id,
        parent_id=parent_id,
        position=int(payload.get("position") or len(regular)),
        overwrites=[_overwrite(o) for o in payload.get("permission_overwrites") or []],
        topic=payload.get("topic"),
        created_at=state.now(),
    )
    for tag in payload.get("available_tags") or []:
        channel.available_tags.append(state.new_tag(str(tag["name"]), tag.get("emoji_name")))
    guild.channels[channel.id] = channel
    server.gateway.dispatch("CHANNEL_CREATE", channel.to_dict(), guild_id=guild.id, channel=channel)
    parent_name = guild.channels[parent_id].name if parent_id else None
    server.recorder.add("channel_created", name=channel.name, parent=parent_name)
    return json_response(channel.to_dict())
