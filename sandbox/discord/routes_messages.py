"""REST routes for channels' messages, pins and DMs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import errors
from .guards import require_channel_perm, require_view
from .http_core import (
    API_PREFIX,
    bot_of,
    channel_of,
    json_response,
    no_content,
    read_body,
    server_of,
    snowflake_arg,
)
from .messages import apply_edit, build_message, message_event, message_to_dict
from .models import CATEGORY, DM, FORUM, BotAccount, Channel, Message
from .permissions import (
    ATTACH_FILES,
    MANAGE_MESSAGES,
    MANAGE_THREADS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
)

if TYPE_CHECKING:
    from .server import LocalDiscord as Server


def register(app: web.Application) -> None:
    r = app.router
    p = API_PREFIX
    r.add_get(p + "/channels/{channel_id}", get_channel)
    r.add_post(p + "/channels/{channel_id}/messages", create_message)
    r.add_get(p + "/channels/{channel_id}/messages", list_messages)
    r.add_get(p + "/channels/{channel_id}/messages/pins", list_pins_new)
    r.add_get(p + "/channels/{channel_id}/pins", list_pins)
    r.add_put(p + "/channels/{channel_id}/messages/pins/{message_id}", pin)
    r.add_delete(p + "/channels/{channel_id}/messages/pins/{message_id}", unpin)
    r.add_put(p + "/channels/{channel_id}/pins/{message_id}", pin)
    r.add_delete(p + "/channels/{channel_id}/pins/{message_id}", unpin)
    r.add_post(p + "/channels/{channel_id}/messages/bulk-delete", bulk_delete)
    r.add_get(p + "/channels/{channel_id}/messages/{message_id}", get_message)
    r.add_patch(p + "/channels/{channel_id}/messages/{message_id}", edit_message)
    r.add_delete(p + "/channels/{channel_id}/messages/{message_id}", delete_message)
    r.add_put(p + "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me", react)
    r.add_post(p + "/channels/{channel_id}/typing", typing)
    r.add_post(p + "/users/@me/channels", open_dm)


async def get_channel(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    channel = channel_of(server, request)
    require_view(server.state, bot, channel)
    return json_response(channel.to_dict(me=bot.user_id))


def check_can_send(server: Server, bot: BotAccount, channel: Channel, files: int) -> None:
    """Discord's checks before a bot message lands in a channel."""
    state = server.state
    if channel.type == DM:
        recipient = state.users.get(channel.recipient_id or 0)
        shares_guild = any(
            recipient is not None and recipient.id in g.members and bot.user_id in g.members
            for g in state.guilds.values()
        )
        if recipient is None or not recipient.dms or not shares_guild:
            server.recorder.add("dm_failed", to=state.handle_of(channel.recipient_id or 0))
            raise errors.cannot_dm()
        return
    if channel.type in (CATEGORY, FORUM):
        raise errors.DiscordError(400, 50008, "Cannot send messages in a non-text channel")
    needed = SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES
    if files:
        needed |= ATTACH_FILES
    require_channel_perm(state, bot, channel, needed)
    if channel.is_thread and channel.archived:
        if channel.locked:
            require_channel_perm(state, bot, channel, MANAGE_THREADS)
        channel.archived = False
        server.dispatch_thread_update(channel)


async def create_message(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    channel = channel_of(server, request)
    payload, files = await read_body(request)
    check_can_send(server, bot, channel, len(files))
    message = build_message(server.state, channel, bot.user_id, payload, files)
    server.post_message(message, record=True)
    return json_response(message_to_dict(server.state, message))


def _visible(server: Server, channel_id: int) -> list[Message]:
    ids = server.state.channel_messages.get(channel_id, [])
    found = [server.state.messages[i] for i in ids]
    return [m for m in found if not m.deleted and not m.ephemeral]


async def list_messages(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    channel = channel_of(server, request)
    require_channel_perm(server.state, bot, channel, READ_MESSAGE_HISTORY)
    limit = max(1, min(100, int(request.query.get("limit", "50"))))
    found = sorted(_visible(server, channel.id), key=lambda m: -m.id)
    if "before" in request.query:
        before = int(request.query["before"])
        found = [m for m in found if m.id < before][:limit]
    elif "after" in request.query:
        after = int(request.query["after"])
        found = sorted([m for m in found if m.id > after], key=lambda m: m.id)[:limit]
        found.reverse()
    elif "around" in request.query:
        around = int(request.query["around"])
        older = [m for m in found if m.id <= around][: (limit + 1) // 2]
        newer = sorted([m for m in found if m.id > around], key=lambda m: m.id)[: limit // 2]
        found = list(reversed(newer)) + older
    else:
        found = found[:limit]
    return json_response([message_to_dict(server.state, m) for m in found])


async def get_message(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    channel = channel_of(server, request)
    require_channel_perm(server.state, bot, channel, READ_MESSAGE_HISTORY)
    message = _message(server, request, channel)
    return json_response(message_to_dict(server.state, message))


def _message(server: Server, request: web.Request, channel: Channel) -> Message:
    message_id = snowflake_arg(request, "message_id", errors.unknown_message)
    message = server.state.message(channel.id, message_id)
    if message.ephemeral:
        raise errors.unknown_message()
    return message


async def edit_message(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    channel = channel_of(server, request)
    require_view(server.state, bot, channel)
    message = _message(server, request, channel)
    payload, files = await read_body(request)
    if message.author_id != bot.user_id:
        if set(payload) - {"flags"}:
            raise errors.DiscordError(403, 50005, "Cannot edit a message authored by another user")
        require_channel_perm(server.state, bot, channel, MANAGE_MESSAGES)
    apply_edit(server.state, message, payload, files)
    server.gateway.dispatch_message("MESSAGE_UPDATE", message, message_event(server.state, message))
    server.recorder.message("message_edited", message)
    return json_response(message_to_dict(server.state, message))


async def delete_message(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    channel = channel_of(server, request)
    require_view(server.state, bot, channel)
    message = _message(server, request, channel)
    if message.author_id != bot.user_id:
        require_channel_perm(server.state, bot, channel, MANAGE_MESSAGES)
    server.delete_message(message)
    return no_content()


async def bulk_delete(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    channel = channel_of(server, request)
    require_channel_perm(server.state, bot, channel, MANAGE_MESSAGES)
    payload, _ = await read_body(request)
    ids = [int(i) for i in payload.get("messages") or []]
    if not 2 <= len(ids) <= 100:
        raise errors.invalid_form(
            [("messages", "BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100 in length.")]
        )
    for message_id in ids:
        message = server.state.messages.get(message_id)
        if message is not None and message.channel_id == channel.id and not message.deleted:
            server.delete_message(message)
    return no_content()


async def _pins(server: Server, request: web.Request) -> tuple[Channel, list[Message]]:
    bot = bot_of(request)
    channel = channel_of(server, request)
    require_channel_perm(server.state, bot, channel, READ_MESSAGE_HISTORY)
    pinned = [m for m in _visible(server, channel.id) if m.pinned]
    return channel, sorted(pinned, key=lambda m: -m.id)


async def list_pins(request: web.Request) -> web.Response:
    server = server_of(request)
    _, pinned = await _pins(server, request)
    return json_response([message_to_dict(server.state, m) for m in pinned])


async def list_pins_new(request: web.Request) -> web.Response:
    server = server_of(request)
    _, pinned = await _pins(server, request)
    items: list[dict[str, Any]] = [
        {
            "pinned_at": (m.edited_timestamp or m.timestamp).isoformat(),
            "message": message_to_dict(server.state, m),
        }
        for m in pinned
    ]
    return json_response({"items": items, "has_more": False})


async def _set_pinned(request: web.Request, pinned: bool) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    channel = channel_of(server, request)
    require_channel_perm(server.state, bot, channel, MANAGE_MESSAGES if channel.type != DM else 0)
    message = _message(server, request, channel)
    pins = sum(1 for m in _visible(server, channel.id) if m.pinned)
    if pinned and not message.pinned and pins >= 250:
        raise errors.DiscordError(400, 30003, "Maximum number of pins reached (250)")
    message.pinned = pinned
    server.gateway.dispatch_message("MESSAGE_UPDATE", message, message_event(server.state, message))
    data: dict[str, Any] = {"channel_id": str(channel.id), "last_pin_timestamp": None}
    if channel.guild_id is not None:
        data["guild_id"] = str(channel.guild_id)
    server.gateway.dispatch("CHANNEL_PINS_UPDATE", data, guild_id=channel.guild_id, channel=channel)
    server.recorder.add(
        "message_pinned" if pinned else "message_unpinned",
        channel=server.state.label(channel),
        content=message.content,
    )
    return no_content()


async def pin(request: web.Request) -> web.Response:
    return await _set_pinned(request, True)


async def unpin(request: web.Request) -> web.Response:
    return await _set_pinned(request, False)


async def react(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    channel = channel_of(server, request)
    require_view(server.state, bot, channel)
    _message(server, request, channel)
    return no_content()


async def typing(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    require_view(server.state, bot, channel_of(server, request))
    return no_content()


async def open_dm(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    payload, _ = await read_body(request)
    try:
        recipient = int(payload.get("recipient_id", 0))
    except (TypeError, ValueError):
        recipient = 0
    user = server.state.users.get(recipient)
    if user is None:
        raise errors.unknown_user()
    channel = server.state.dm_channel(user.id, bot.user_id)
    data = channel.to_dict()
    data["recipients"] = [user.to_dict()]
    return json_response(data)
