"""Building, editing and serializing messages the way Discord does."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import errors, limits
from .models import Channel, Message
from .permissions import MENTION_EVERYONE, channel_permissions
from .snowflake import iso

if TYPE_CHECKING:
    from .state import State

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
EPHEMERAL = 1 << 6
LOADING = 1 << 7
SUPPRESS_EMBEDS = 1 << 2


@dataclass
class UploadedFile:
    field: str
    filename: str
    size: int
    content_type: str | None
    # The bytes, kept so that a rehearsal can save the file.
    data: bytes = dataclasses.field(default=b"", repr=False)


def resolve_mentions(
    state: State, channel: Channel, author_id: int, content: str, allowed: dict[str, Any] | None
) -> tuple[bool, list[int], list[int]]:
    """(mention_everyone, user ids, role ids) as Discord resolves them for this message."""
    guild = state.guild_of(channel)
    users = [int(u) for u in USER_MENTION.findall(content) if int(u) in state.users]
    roles = [int(r) for r in ROLE_MENTION.findall(content)]
    roles = [r for r in roles if guild is not None and r in guild.roles]
    everyone = "@everyone" in content or "@here" in content
    if allowed is not None:
        parse = allowed.get("parse") or []
        if "users" not in parse:
            whitelist = {int(u) for u in allowed.get("users") or []}
            users = [u for u in users if u in whitelist]
        if "roles" not in parse:
            whitelist = {int(r) for r in allowed.get("roles") or []}
            roles = [r for r in roles if r in whitelist]
        everyone = everyone and "everyone" in parse
    can_mention_all = True
    if guild is not None:
        can_mention_all = bool(channel_permissions(guild, channel, author_id) & MENTION_EVERYONE)
        roles = [r for r in roles if guild.roles[r].mentionable or can_mention_all]
    everyone = everyone and can_mention_all and guild is not None
    return everyone, list(dict.fromkeys(users)), list(dict.fromkeys(roles))


def attachments_from(
    state: State,
    payload: dict[str, Any],
    files: list[UploadedFile],
    existing: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    by_field = {f.field: f for f in files}
    result: list[dict[str, Any]] = []
    declared = payload.get("attachments")
    kept_ids = {str(a.get("id")) for a in declared or [] if isinstance(a, dict)}
    for old in existing or []:
        if declared is None or str(old["id"]) in kept_ids:
            result.append(old)
    used: set[str] = set()
    for item in declared or []:
        field_name = f"files[{item.get('id')}]"
        upload = by_field.get(field_name)
        if upload is not None:
            used.add(field_name)
            result.append(_attachment(state, upload, item.get("filename") or upload.filename))
    for upload in files:
        if upload.field not in used:
            result.append(_attachment(state, upload, upload.filename))
    return result


def _attachment(state: State, upload: UploadedFile, filename: str) -> dict[str, Any]:
    att_id = state.ids.next()
    state.uploads[att_id] = upload.data  # the content, for a rehearsal to save
    url = f"https://cdn.discordapp.com/attachments/0/{att_id}/{filename}"
    return {
        "id": str(att_id),
        "filename": filename,
        "size": upload.size,
        "url": url,
        "proxy_url": url,
        "content_type": upload.content_type,
    }


def _component_nodes(components: list[Any]) -> list[dict[str, Any]]:
    """Every component of a message, in order (rows, their items, sections' accessories...)."""
    nodes: list[dict[str, Any]] = []
    for comp in components:
        if not isinstance(comp, dict):
            continue
        nodes.append(comp)
        for key in ("component", "accessory"):
            if isinstance(comp.get(key), dict):
                nodes += _component_nodes([comp[key]])
        if isinstance(comp.get("components"), list):
            nodes += _component_nodes(comp["components"])
    return nodes


def number_components(components: Any) -> list[dict[str, Any]]:
    """Components as Discord stores them: each with a numeric ``id``, unique in the message,
    given in order to those sent without one (0 counts as none), skipping ids already used."""
    if not isinstance(components, list):
        return []
    copied: list[dict[str, Any]] = json.loads(json.dumps(components))
    nodes = _component_nodes(copied)
    used = {int(n["id"]) for n in nodes if isinstance(n.get("id"), int) and n["id"]}
    next_id = 1
    for node in nodes:
        if isinstance(node.get("id"), int) and node["id"]:
            continue
        while next_id in used:
            next_id += 1
        node["id"] = next_id
        used.add(next_id)
    return copied


def build_message(
    state: State,
    channel: Channel,
    author_id: int,
    payload: dict[str, Any],
    files: list[UploadedFile],
    *,
    msg_type: int = 0,
    check_limits: bool = True,
) -> Message:
    if check_limits:
        limits.check_message(payload, files=len(files))
    content = str(payload.get("content") or "")
    everyone, users, roles = resolve_mentions(
        state, channel, author_id, content, payload.get("allowed_mentions")
    )
    flags = int(payload.get("flags") or 0)
    message = Message(
        id=state.ids.next(),
        channel_id=channel.id,
        guild_id=channel.guild_id,
        author_id=author_id,
        content=content,
        timestamp=state.now(),
        type=msg_type,
        embeds=[_clean_embed(e) for e in payload.get("embeds") or []],
        components=number_components(payload.get("components") or []),
        attachments=attachments_from(state, payload, files),
        flags=flags & ~EPHEMERAL,
        tts=bool(payload.get("tts")),
        mentions=users,
        mention_roles=roles,
        mention_everyone=everyone,
    )
    if payload.get("message_reference"):
        ref = dict(payload["message_reference"])
        ref.setdefault("channel_id", str(channel.id))
        message.message_reference = ref
        message.type = 19 if msg_type == 0 else msg_type
    return message


def apply_edit(
    state: State, message: Message, payload: dict[str, Any], files: list[UploadedFile]
) -> None:
    limits.check_message(payload, files=len(files), partial=True)
    if message.author_id not in state.users:
        raise errors.missing_permissions()
    channel = state.channel(message.channel_id)
    if "content" in payload:
        message.content = str(payload.get("content") or "")
    if "embeds" in payload:
        message.embeds = [_clean_embed(e) for e in payload.get("embeds") or []]
    if "components" in payload:
        message.components = number_components(payload.get("components") or [])
    if "attachments" in payload or files:
        message.attachments = attachments_from(state, payload, files, message.attachments)
    if "flags" in payload and payload["flags"] is not None:
        message.flags = (message.flags & ~SUPPRESS_EMBEDS) | (
            int(payload["flags"]) & SUPPRESS_EMBEDS
        )
    if "content" in payload or "allowed_mentions" in payload:
        everyone, users, roles = resolve_mentions(
            state, channel, message.author_id, message.content, payload.get("allowed_mentions")
        )
        message.mention_everyone, message.mentions, message.mention_roles = everyone, users, roles
    message.flags &= ~LOADING
    if not (message.content or message.embeds or message.components or message.attachments):
        raise errors.empty_message()
    message.edited_timestamp = state.now()


def _clean_embed(embed: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(embed)
    cleaned.setdefault("type", "rich")
    cleaned.setdefault("content_scan_version", 0)
    return cleaned


def message_to_dict(state: State, message: Message) -> dict[str, Any]:
    author = state.users.get(message.author_id)
    data: dict[str, Any] = {
        "id": str(message.id),
        "channel_id": str(message.channel_id),
        "type": message.type,
        "content": message.content,
        "author": author.to_dict() if author else {"id": str(message.author_id)},
        "attachments": message.attachments,
        "embeds": message.embeds,
        "mentions": [state.users[u].to_dict() for u in message.mentions if u in state.users],
        "mention_roles": [str(r) for r in message.mention_roles],
        "mention_everyone": message.mention_everyone,
        "pinned": message.pinned,
        "tts": message.tts,
        "timestamp": iso(message.timestamp),
        "edited_timestamp": iso(message.edited_timestamp) if message.edited_timestamp else None,
        "flags": message.flags | (EPHEMERAL if message.ephemeral else 0),
        "components": message.components,
    }
    if message.webhook_id is not None:
        data["webhook_id"] = str(message.webhook_id)
    if message.application_id is not None:
        data["application_id"] = str(message.application_id)
    if message.interaction_metadata is not None:
        data["interaction_metadata"] = message.interaction_metadata
    if message.message_reference is not None:
        data["message_reference"] = message.message_reference
    channel = state.find_channel(message.channel_id)
    if channel is not None and channel.is_thread:
        ids = state.channel_messages.get(channel.id, [])
        data["position"] = ids.index(message.id) if message.id in ids else 0
    if message.thread_id is not None:
        thread = state.find_channel(message.thread_id)
        if thread is not None:
            data["thread"] = thread.to_dict()
    return data


def message_event(state: State, message: Message) -> dict[str, Any]:
    """MESSAGE_CREATE / MESSAGE_UPDATE payload: the message, guild_id and the author's member."""
    data = message_to_dict(state, message)
    if message.guild_id is not None:
        data["guild_id"] = str(message.guild_id)
        guild = state.guilds.get(message.guild_id)
        if guild is not None and message.author_id in guild.members:
            data["member"] = guild.members[message.author_id].to_dict(with_user=False)
    return data
