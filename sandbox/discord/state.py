"""The guilds, users, channels and messages the local Discord holds."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from . import errors
from .models import (
    CATEGORY,
    DM,
    FORUM,
    KIND_TO_TYPE,
    PRIVATE_THREAD,
    BotAccount,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    User,
)
from .permissions import DEFAULT_EVERYONE, MANAGE_THREADS, VIEW_CHANNEL, channel_permissions
from .snowflake import SnowflakeGenerator


@dataclass
class ChannelSpec:
    name: str
    kind: Literal["text", "forum", "category", "voice"] = "text"
    parent: str | None = None
    tags: list[str] = field(default_factory=list)


class State:
    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now
        self.ids = SnowflakeGenerator(now)
        self.guilds: dict[int, Guild] = {}
        self.users: dict[int, User] = {}
        self.handles: dict[str, int] = {}
        self.bots: dict[str, BotAccount] = {}
        self.dm_channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.channel_messages: dict[int, list[int]] = {}
        # Files attached to slash commands, served like Discord's CDN at ``cdn_base`` (set when
        # the server starts): attachment id -> content.
        self.uploads: dict[int, bytes] = {}
        self.cdn_base = ""

    # ---- building -------------------------------------------------------------------------
    def create_user(self, handle: str, *, bot: bool = False, locale: str = "es-ES") -> User:
        if handle in self.handles:
            return self.users[self.handles[handle]]
        user = User(id=self.ids.next(), username=handle, bot=bot, locale=locale)
        self.users[user.id] = user
        self.handles[handle] = user.id
        return user

    def create_guild(self, name: str, roles: list[str], channels: list[ChannelSpec]) -> Guild:
        owner = self.create_user(f"{name}-owner".replace(" ", "-").lower())
        gid = self.ids.next()
        guild = Guild(id=gid, name=name, owner_id=owner.id, created_at=self.now())
        guild.roles[gid] = Role(id=gid, name="@everyone", permissions=DEFAULT_EVERYONE, position=0)
        guild.members[owner.id] = Member(user=owner, roles=[], joined_at=self.now())
        for position, role_name in enumerate(roles, start=1):
            role = Role(id=self.ids.next(), name=role_name, permissions=0, position=position)
            guild.roles[role.id] = role
        self.guilds[gid] = guild
        for spec in [c for c in channels if c.kind == "category"] + [
            c for c in channels if c.kind != "category"
        ]:
            self.add_channel(guild, spec)
        return guild

    def add_channel(self, guild: Guild, spec: ChannelSpec) -> Channel:
        parent_id = self.channel_id(guild.id, spec.parent) if spec.parent else None
        channel = Channel(
            id=self.ids.next(),
            type=KIND_TO_TYPE[spec.kind],
            name=spec.name,
            guild_id=guild.id,
            parent_id=parent_id,
            position=len([c for c in guild.channels.values() if not c.is_thread]),
            created_at=self.now(),
        )
        for tag in spec.tags:
            channel.available_tags.append(self.new_tag(tag))
        guild.channels[channel.id] = channel
        return channel

    def new_tag(self, name: str, emoji_name: str | None = None) -> dict[str, Any]:
        return {
            "id": str(self.ids.next()),
            "name": name,
            "moderated": False,
            "emoji_id": None,
            "emoji_name": emoji_name,
        }

    def create_bot(self, name: str, guild_id: int, permissions: int) -> BotAccount:
        guild = self.guild(guild_id)
        user = self.create_user(name, bot=True)
        user.bot = True
        token = (
            f"{secrets.token_urlsafe(18)}.{secrets.token_urlsafe(4)}.{secrets.token_urlsafe(27)}"
        )
        account = BotAccount(token=token, user_id=user.id, application_id=user.id, name=name)
        self.bots[token] = account
        self.add_bot_to_guild(account, guild, permissions)
        return account

    def add_bot_to_guild(self, account: BotAccount, guild: Guild, permissions: int) -> None:
        role = Role(
            id=self.ids.next(),
            name=account.name,
            permissions=permissions,
            position=len(guild.roles),
            managed=True,
            bot_id=account.user_id,
        )
        guild.roles[role.id] = role
        user = self.users[account.user_id]
        guild.members[user.id] = Member(user=user, roles=[role.id], joined_at=self.now())

    # ---- lookups --------------------------------------------------------------------------
    def guild(self, guild_id: int) -> Guild:
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise errors.unknown_guild() from None

    def bot_by_token(self, token: str) -> BotAccount | None:
        return self.bots.get(token)

    def user_id(self, handle: str) -> int:
        handle = handle.removeprefix("@")
        try:
            return self.handles[handle]
        except KeyError:
            raise LookupError(f"no user with handle {handle!r}") from None

    def handle_of(self, user_id: int) -> str | None:
        user = self.users.get(user_id)
        return None if user is None else user.username

    def channel_id(self, guild_id: int, name: str) -> int:
        name = name.removeprefix("#")
        guild = self.guild(guild_id)
        for channel in sorted(guild.channels.values(), key=lambda c: -c.id):
            if channel.name == name and not channel.is_thread:
                return channel.id
        for channel in sorted(guild.channels.values(), key=lambda c: -c.id):
            if channel.name == name:
                return channel.id
        raise LookupError(f"no channel named {name!r} in guild {guild.name!r}")

    def role_id(self, guild_id: int, name: str) -> int:
        name = name.removeprefix("@")
        for role in self.guild(guild_id).roles.values():
            if role.name == name:
                return role.id
        raise LookupError(f"no role named {name!r}")

    def find_channel(self, channel_id: int) -> Channel | None:
        if channel_id in self.dm_channels:
            return self.dm_channels[channel_id]
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild.channels[channel_id]
        return None

    def channel(self, channel_id: int) -> Channel:
        channel = self.find_channel(channel_id)
        if channel is None:
            raise errors.unknown_channel()
        return channel

    def guild_of(self, channel: Channel) -> Guild | None:
        return None if channel.guild_id is None else self.guilds.get(channel.guild_id)

    def dm_channel(self, user_id: int, bot_id: int) -> Channel:
        for channel in self.dm_channels.values():
            if channel.recipient_id == user_id and channel.owner_id == bot_id:
                return channel
        channel = Channel(
            id=self.ids.next(),
            type=DM,
            name="",
            guild_id=None,
            recipient_id=user_id,
            owner_id=bot_id,
            created_at=self.now(),
        )
        self.dm_channels[channel.id] = channel
        return channel

    def label(self, channel: Channel) -> str:
        """How transcripts name a channel: its name, ``dm:handle`` or ``thread:name``."""
        if channel.type == DM:
            return f"dm:{self.handle_of(channel.recipient_id or 0)}"
        if channel.is_thread:
            return f"thread:{channel.name}"
        return channel.name

    def resolve_places(self, where: str, guild_id: int | None = None) -> list[Channel]:
        """Every channel ``where`` may name: ``thread:NAME`` matches all threads of that name
        (a team's private thread and its forum post share the team's name)."""
        if not where.startswith("thread:"):
            return [self.resolve_where(where, guild_id)]
        name = where.removeprefix("thread:")
        guilds = [self.guild(guild_id)] if guild_id is not None else list(self.guilds.values())
        found = [
            c for guild in guilds for c in guild.channels.values() if c.is_thread and c.name == name
        ]
        if not found:
            raise LookupError(f"no thread named {name!r}")
        return found

    def resolve_where(self, where: str, guild_id: int | None = None) -> Channel:
        guilds = [self.guild(guild_id)] if guild_id is not None else list(self.guilds.values())
        if where.startswith("thread:"):
            name = where.removeprefix("thread:")
            for guild in guilds:
                found = [c for c in guild.channels.values() if c.is_thread and c.name == name]
                if found:
                    return max(found, key=lambda c: c.id)
            raise LookupError(f"no thread named {name!r}")
        if where.startswith("dm:"):
            user_id = self.user_id(where.removeprefix("dm:"))
            for channel in self.dm_channels.values():
                if channel.recipient_id == user_id:
                    return channel
            raise LookupError(f"no DM channel with {where.removeprefix('dm:')!r}")
        for guild in guilds:
            try:
                return guild.channels[self.channel_id(guild.id, where)]
            except LookupError:
                continue
        raise LookupError(f"no channel {where!r}")

    def can_see(self, user_id: int, channel: Channel) -> bool:
        if channel.type == DM:
            return user_id in (channel.recipient_id, channel.owner_id)
        guild = self.guild_of(channel)
        if guild is None or user_id not in guild.members:
            return False
        perms = channel_permissions(guild, channel, user_id)
        if not perms & VIEW_CHANNEL:
            return False
        if channel.type == PRIVATE_THREAD:
            return user_id in channel.members or bool(perms & MANAGE_THREADS)
        return channel.type not in (CATEGORY,)

    def visible_messages(self, user_id: int) -> list[Message]:
        """Messages the user can see, newest first (their own ephemeral ones included)."""
        seen: list[Message] = []
        for message in self.messages.values():
            if message.deleted:
                continue
            if message.ephemeral_to is not None:
                if message.ephemeral_to == user_id:
                    seen.append(message)
                continue
            channel = self.find_channel(message.channel_id)
            if channel is not None and self.can_see(user_id, channel):
                seen.append(message)
        return sorted(seen, key=lambda m: -m.id)

    def store_message(self, message: Message) -> None:
        self.messages[message.id] = message
        self.channel_messages.setdefault(message.channel_id, []).append(message.id)
        channel = self.find_channel(message.channel_id)
        if channel is not None and not message.ephemeral:
            channel.last_message_id = message.id
            if channel.is_thread:
                channel.message_count += 1

    def message(self, channel_id: int, message_id: int) -> Message:
        message = self.messages.get(message_id)
        if message is None or message.deleted or message.channel_id != channel_id:
            raise errors.unknown_message()
        return message

    def forum_channels(self) -> list[Channel]:
        return [c for g in self.guilds.values() for c in g.channels.values() if c.type == FORUM]
