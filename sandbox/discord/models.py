"""The local Discord's objects and their JSON shapes (API v10)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .snowflake import iso

TEXT, DM, VOICE, CATEGORY, NEWS = 0, 1, 2, 4, 5
PUBLIC_THREAD, PRIVATE_THREAD, FORUM = 11, 12, 15
THREAD_TYPES = (10, PUBLIC_THREAD, PRIVATE_THREAD)
KIND_TO_TYPE = {"text": TEXT, "voice": VOICE, "category": CATEGORY, "forum": FORUM}


@dataclass
class User:
    id: int
    username: str
    bot: bool = False
    locale: str = "es-ES"
    dms: bool = True

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": None if self.bot else self.username,
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "collectibles": None,
            "primary_guild": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int
    managed: bool = False
    bot_id: int | None = None
    color: int = 0
    hoist: bool = False
    mentionable: bool = False

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "color": self.color,
            "colors": {
                "primary_color": self.color,
                "secondary_color": None,
                "tertiary_color": None,
            },
            "hoist": self.hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class Member:
    user: User
    roles: list[int]
    joined_at: datetime
    nick: str | None = None

    def to_dict(self, *, with_user: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": iso(self.joined_at),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.to_dict()
        return data


@dataclass
class Channel:
    id: int
    type: int
    name: str
    guild_id: int | None
    parent_id: int | None = None
    position: int = 0
    overwrites: list[dict[str, Any]] = field(default_factory=list)
    topic: str | None = None
    available_tags: list[dict[str, Any]] = field(default_factory=list)
    last_message_id: int | None = None
    # threads
    owner_id: int | None = None
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 1440
    applied_tags: list[int] = field(default_factory=list)
    members: dict[int, datetime] = field(default_factory=dict)
    message_count: int = 0
    created_at: datetime | None = None
    archive_timestamp: datetime | None = None
    # DMs
    recipient_id: int | None = None

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES

    def to_dict(self, *, me: int | None = None) -> dict[str, Any]:
        if self.type == DM:
            return {
                "id": str(self.id),
                "type": DM,
                "last_message_id": _opt(self.last_message_id),
                "flags": 0,
                "recipients": [],
            }
        data: dict[str, Any] = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "parent_id": _opt(self.parent_id),
            "flags": 0,
            "rate_limit_per_user": 0,
        }
        if self.is_thread:
            data.update(
                owner_id=_opt(self.owner_id),
                last_message_id=_opt(self.last_message_id),
                message_count=self.message_count,
                total_message_sent=self.message_count,
                member_count=min(len(self.members), 50),
                applied_tags=[str(t) for t in self.applied_tags],
                thread_metadata={
                    "archived": self.archived,
                    "auto_archive_duration": self.auto_archive_duration,
                    "archive_timestamp": iso(self.archive_timestamp or self.created_at or _epoch()),
                    "locked": self.locked,
                    "invitable": self.invitable,
                    "create_timestamp": iso(self.created_at or _epoch()),
                },
            )
            if me is not None and me in self.members:
                data["member"] = {
                    "id": str(self.id),
                    "user_id": str(me),
                    "join_timestamp": iso(self.members[me]),
                    "flags": 0,
                }
            return data
        data.update(
            position=self.position,
            permission_overwrites=self.overwrites,
            nsfw=False,
        )
        if self.type in (TEXT, NEWS, FORUM):
            data["topic"] = self.topic
            data["default_auto_archive_duration"] = 1440
            data["last_message_id"] = _opt(self.last_message_id)
        if self.type == VOICE:
            data.update(bitrate=64000, user_limit=0, rtc_region=None, last_message_id=None)
        if self.type == FORUM:
            data.update(
                available_tags=self.available_tags,
                default_reaction_emoji=None,
                default_thread_rate_limit_per_user=0,
                default_sort_order=None,
                default_forum_layout=0,
            )
        return data


@dataclass
class Message:
    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    content: str
    timestamp: datetime
    type: int = 0
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    edited_timestamp: datetime | None = None
    pinned: bool = False
    tts: bool = False
    mentions: list[int] = field(default_factory=list)
    mention_roles: list[int] = field(default_factory=list)
    mention_everyone: bool = False
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    ephemeral_to: int | None = None
    thread_id: int | None = None
    message_reference: dict[str, Any] | None = None
    edits_after_hour: int = 0
    deleted: bool = False

    @property
    def ephemeral(self) -> bool:
        return self.ephemeral_to is not None


@dataclass
class ScheduledEvent:
    id: int
    guild_id: int
    name: str
    start: datetime
    end: datetime | None
    entity_type: int
    creator_id: int
    description: str | None = None
    channel_id: int | None = None
    location: str | None = None
    status: int = 1
    privacy_level: int = 2

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "channel_id": _opt(self.channel_id),
            "creator_id": str(self.creator_id),
            "name": self.name,
            "description": self.description,
            "scheduled_start_time": iso(self.start),
            "scheduled_end_time": iso(self.end) if self.end else None,
            "privacy_level": self.privacy_level,
            "status": self.status,
            "entity_type": self.entity_type,
            "entity_id": None,
            "entity_metadata": {"location": self.location} if self.location else None,
            "user_count": 0,
            "image": None,
            "recurrence_rule": None,
            "guild_scheduled_event_exceptions": [],  # required by the OpenAPI description
        }


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    created_at: datetime
    roles: dict[int, Role] = field(default_factory=dict)
    channels: dict[int, Channel] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    events: dict[int, ScheduledEvent] = field(default_factory=dict)
    commands: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    preferred_locale: str = "es-ES"

    def to_dict(self) -> dict[str, Any]:
        """The guild object of REST (``GET /guilds/{id}``). GUILD_CREATE adds its own fields
        (``member_count``, ``large``, ``members``, ``channels``...); REST has none of them."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "description": None,
            "home_header": None,
            "splash": None,
            "discovery_splash": None,
            "features": [],
            "banner": None,
            "owner_id": str(self.owner_id),
            "application_id": None,
            "region": "deprecated",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "widget_enabled": False,
            "widget_channel_id": None,
            "verification_level": 0,
            "roles": [r.to_dict() for r in self.roles.values()],
            "default_message_notifications": 1,
            "mfa_level": 0,
            "explicit_content_filter": 0,
            "max_presences": None,
            "max_members": 500000,
            "max_stage_video_channel_users": 50,
            "max_video_channel_users": 25,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.preferred_locale,
            "rules_channel_id": None,
            "safety_alerts_channel_id": None,
            "public_updates_channel_id": None,
            "premium_progress_bar_enabled": False,
            "nsfw": False,
            "nsfw_level": 0,
            "emojis": [],
            "stickers": [],
            "incidents_data": None,
        }


@dataclass
class BotAccount:
    token: str
    user_id: int
    application_id: int
    name: str = "hackbot"
    global_commands: list[dict[str, Any]] = field(default_factory=list)


def _opt(value: int | None) -> str | None:
    return None if value is None else str(value)


def _epoch() -> datetime:
    return datetime(2015, 1, 1, tzinfo=UTC)
