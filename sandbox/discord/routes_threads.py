"""REST routes for threads, forum posts and thread members."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import errors
from .guards import has_channel_perm, require_channel_perm, require_view
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
from .messages import build_message, message_to_dict
from .models import FORUM, NEWS, PRIVATE_THREAD, PUBLIC_THREAD, TEXT, BotAccount, Channel
from .permissions import (
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    MANAGE_THREADS,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
)
from .snowflake import iso

if TYPE_CHECKING:
    from .server import LocalDiscord as Server

MAX_APPLIED_TAGS = 5


def register(app: web.Application) -> None:
    r, p = app.router, API_PREFIX
    r.add_post(p + "/channels/{channel_id}/threads", create_thread)
    r.add_post(p + "/channels/{channel_id}/messages/{message_id}/threads", thread_from_message)
    r.add_get(p + "/channels/{channel_id}/thread-members", list_thread_members)
    r.add_get(p + "/channels/{channel_id}/thread-members/{user_id}", get_thread_member)
    r.add_put(p + "/channels/{channel_id}/thread-members/{user_id}", add_thread_member)
    r.add_delete(p + "/channels/{channel_id}/thread-members/{user_id}", remove_thread_member)
    r.add_get(p + "/channels/{channel_id}/threads/archived/public", archived_public)
    r.add_get(p + "/channels/{channel_id}/threads/archived/private", archived_private)
    r.add_get(p + "/guilds/{guild_id}/threads/active", active_threads)


def _thread(server: Server, request: web.Request) -> Channel:
    channel = channel_of(server, request)
    if not channel.is_thread:
        raise errors.DiscordError(400, 50024, "Cannot execute action on this channel type")
    return channel


def _new_thread(  # noqa: PLR0917
    server: Server,
    parent: Channel,
    bot: BotAccount,
    name: str,
    kind: int,
    payload: dict[str, Any],
    thread_id: int | None = None,
) -> Channel:
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise errors.invalid_form(
            [("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")]
        )
    state = server.state
    now = state.now()
    thread = Channel(
        id=thread_id or state.ids.next(),
        type=kind,
        name=name,
        guild_id=parent.guild_id,
        parent_id=parent.id,
        owner_id=bot.user_id,
        invitable=bool(payload.get("invitable", True)),
        auto_archive_duration=int(payload.get("auto_archive_duration") or 1440),
        created_at=now,
        archive_timestamp=now,
    )
    thread.members[bot.user_id] = now
    guild = state.guild_of(parent)
    assert guild is not None
    guild.channels[thread.id] = thread
    return thread


def _tags(parent: Channel, raw: Any) -> list[int]:
    ids = [int(t) for t in raw or []]
    if len(ids) > MAX_APPLIED_TAGS:
        raise errors.invalid_form(
            [("applied_tags", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")]
        )
    known = {int(t["id"]) for t in parent.available_tags}
    for i, tag in enumerate(ids):
        if tag not in known:
            raise errors.invalid_form([(f"applied_tags.{i}", "FORUM_TAG_INVALID", "Invalid tag")])
    return ids


def tag_names(parent: Channel | None, ids: list[int]) -> list[str]:
    names = {int(t["id"]): str(t["name"]) for t in (parent.available_tags if parent else [])}
    return [names.get(i, str(i)) for i in ids]


async def create_thread(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    parent = channel_of(server, request)
    payload, files = await read_body(request)
    state = server.state
    if parent.type == FORUM:
        require_channel_perm(state, bot, parent, SEND_MESSAGES)
        applied = _tags(parent, payload.get("applied_tags"))
        message_payload = payload.get("message") or {}
        from . import limits

        limits.check_message(message_payload, files=len(files))
        thread = _new_thread(
            server, parent, bot, str(payload.get("name") or ""), PUBLIC_THREAD, payload
        )
        thread.applied_tags = applied
        message = build_message(state, thread, bot.user_id, message_payload, files)
        message.id = thread.id
        server.dispatch_thread_create(thread)
        server.post_message(message, record=False)
        server.recorder.add(
            "forum_post_created",
            channel=parent.name,
            title=thread.name,
            tags=tag_names(parent, applied),
        )
        data = thread.to_dict(me=bot.user_id)
        data["message"] = message_to_dict(state, message)
        return json_response(data, status=201)
    if parent.type not in (TEXT, NEWS):
        raise errors.DiscordError(400, 50024, "Cannot execute action on this channel type")
    kind = int(payload.get("type") or PRIVATE_THREAD)
    if kind not in (PUBLIC_THREAD, PRIVATE_THREAD, 10):
        raise errors.invalid_form(
            [("type", "BASE_TYPE_CHOICES", "Value must be one of {10, 11, 12}.")]
        )
    needed = CREATE_PRIVATE_THREADS if kind == PRIVATE_THREAD else CREATE_PUBLIC_THREADS
    require_channel_perm(state, bot, parent, needed)
    thread = _new_thread(server, parent, bot, str(payload.get("name") or ""), kind, payload)
    server.dispatch_thread_create(thread)
    server.recorder.add(
        "thread_created", name=thread.name, parent=parent.name, private=kind == PRIVATE_THREAD
    )
    return json_response(thread.to_dict(me=bot.user_id), status=201)


async def thread_from_message(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    parent = channel_of(server, request)
    state = server.state
    require_channel_perm(state, bot, parent, CREATE_PUBLIC_THREADS)
    message = state.message(parent.id, sf(request, "message_id", errors.unknown_message))
    if message.thread_id is not None:
        raise errors.DiscordError(400, 160004, "A thread has already been created for this message")
    payload, _ = await read_body(request)
    kind = 10 if parent.type == NEWS else PUBLIC_THREAD
    thread = _new_thread(
        server, parent, bot, str(payload.get("name") or ""), kind, payload, thread_id=message.id
    )
    message.thread_id = thread.id
    server.dispatch_thread_create(thread)
    server.recorder.add("thread_created", name=thread.name, parent=parent.name, private=False)
    return json_response(thread.to_dict(me=bot.user_id), status=201)


def _member_payload(
    server: Server, thread: Channel, user_id: int, with_member: bool
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(thread.id),
        "user_id": str(user_id),
        "join_timestamp": iso(thread.members[user_id]),
        "flags": 0,
    }
    guild = server.state.guild_of(thread)
    if with_member and guild is not None and user_id in guild.members:
        data["member"] = guild.members[user_id].to_dict()
    return data


async def list_thread_members(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    thread = _thread(server, request)
    require_view(server.state, bot, thread)
    with_member = request.query.get("with_member", "false").lower() in ("true", "1")
    return json_response([_member_payload(server, thread, u, with_member) for u in thread.members])


def _user_arg(request: web.Request, bot: BotAccount) -> int:
    raw = request.match_info["user_id"]
    if raw == "@me":
        return bot.user_id
    return sf(request, "user_id", errors.unknown_user)


async def get_thread_member(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    thread = _thread(server, request)
    require_view(server.state, bot, thread)
    user_id = _user_arg(request, bot)
    if user_id not in thread.members:
        raise errors.unknown_member()
    with_member = request.query.get("with_member", "false").lower() in ("true", "1")
    return json_response(_member_payload(server, thread, user_id, with_member))


async def add_thread_member(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    thread = _thread(server, request)
    state = server.state
    user_id = _user_arg(request, bot)
    if user_id == bot.user_id and thread.type != PRIVATE_THREAD:
        require_view(state, bot, thread)
    else:
        require_channel_perm(state, bot, thread, SEND_MESSAGES_IN_THREADS)
    if thread.archived:
        raise errors.thread_archived()
    guild = state.guild_of(thread)
    if guild is None or user_id not in guild.members:
        raise errors.unknown_member()
    if user_id not in thread.members:
        thread.members[user_id] = state.now()
        server.dispatch_thread_members(thread, added=[user_id], removed=[])
        if user_id != bot.user_id:
            server.recorder.add(
                "thread_member_added", thread=thread.name, member=state.handle_of(user_id)
            )
    return no_content()


async def remove_thread_member(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    thread = _thread(server, request)
    state = server.state
    user_id = _user_arg(request, bot)
    require_view(state, bot, thread)
    if user_id != bot.user_id and not (
        has_channel_perm(state, bot, thread, MANAGE_THREADS)
        or (thread.type == PRIVATE_THREAD and thread.owner_id == bot.user_id)
    ):
        raise errors.missing_permissions()
    if thread.archived:
        raise errors.thread_archived()
    if user_id not in thread.members:
        raise errors.unknown_member()
    del thread.members[user_id]
    server.dispatch_thread_members(thread, added=[], removed=[user_id])
    if user_id != bot.user_id:
        server.recorder.add(
            "thread_member_removed", thread=thread.name, member=state.handle_of(user_id)
        )
    return no_content()


def _thread_list(server: Server, bot: BotAccount, threads: list[Channel]) -> dict[str, Any]:
    return {
        "threads": [t.to_dict(me=bot.user_id) for t in threads],
        "members": [
            _member_payload(server, t, bot.user_id, False)
            for t in threads
            if bot.user_id in t.members
        ],
        "has_more": False,
    }


async def archived_public(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    parent = channel_of(server, request)
    require_view(server.state, bot, parent)
    guild = server.state.guild_of(parent)
    assert guild is not None
    found = [
        c
        for c in guild.channels.values()
        if c.is_thread and c.parent_id == parent.id and c.archived and c.type != PRIVATE_THREAD
    ]
    return json_response(_thread_list(server, bot, found))


async def archived_private(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    parent = channel_of(server, request)
    require_channel_perm(server.state, bot, parent, MANAGE_THREADS)
    guild = server.state.guild_of(parent)
    assert guild is not None
    found = [
        c
        for c in guild.channels.values()
        if c.parent_id == parent.id and c.archived and c.type == PRIVATE_THREAD
    ]
    return json_response(_thread_list(server, bot, found))


async def active_threads(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    guild = server.state.guilds.get(sf(request, "guild_id", errors.unknown_guild))
    if guild is None or bot.user_id not in guild.members:
        raise errors.unknown_guild()
    found = [
        c
        for c in guild.channels.values()
        if c.is_thread and not c.archived and server.state.can_see(bot.user_id, c)
    ]
    return json_response(_thread_list(server, bot, found))
