"""Read-only views of the local Discord's state, for tests and transcripts."""

from __future__ import annotations

from typing import Any

from .messages import message_to_dict
from .models import FORUM, Channel
from .recorder import render_body
from .snowflake import iso_z
from .state import State


class StateViews:
    state: State

    def messages(self, where: str, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Messages in a channel (``name``, ``#name``, ``dm:handle``, ``thread:name``).

        Oldest first; each is Discord's message object plus ``rendered`` (the transcript shape)."""
        channel = self.state.resolve_where(where, guild_id)
        result = []
        for message_id in self.state.channel_messages.get(channel.id, []):
            message = self.state.messages[message_id]
            if message.deleted or message.ephemeral:
                continue
            data = message_to_dict(self.state, message)
            data["rendered"] = render_body(message)
            result.append(data)
        return result

    def threads(self, guild_id: int) -> list[dict[str, Any]]:
        guild = self.state.guild(guild_id)
        return [
            {
                "id": c.id,
                "name": c.name,
                "parent": self._name(c.parent_id),
                "private": c.type == 12,
                "archived": c.archived,
                "locked": c.locked,
                "members": self._handles(c),
                "tags": self._tag_names(c),
            }
            for c in guild.channels.values()
            if c.is_thread
        ]

    def thread_members(self, thread: int | str) -> list[str]:
        channel = (
            self.state.channel(thread)
            if isinstance(thread, int)
            else self.state.resolve_where(
                thread if thread.startswith("thread:") else f"thread:{thread}"
            )
        )
        return self._handles(channel)

    def forum_posts(self, channel: str, guild_id: int | None = None) -> list[dict[str, Any]]:
        forum = self.state.resolve_where(channel, guild_id)
        if forum.type != FORUM:
            raise LookupError(f"{channel!r} is not a forum channel")
        guild = self.state.guild_of(forum)
        assert guild is not None
        posts = []
        for thread in guild.channels.values():
            if thread.parent_id != forum.id:
                continue
            starter = self.state.messages.get(thread.id)
            posts.append(
                {
                    "id": thread.id,
                    "title": thread.name,
                    "tags": self._tag_names(thread),
                    "content": starter.content if starter else "",
                    "archived": thread.archived,
                }
            )
        return posts

    def member_roles(self, guild_id: int, handle: str) -> list[str]:
        guild = self.state.guild(guild_id)
        member = guild.members.get(self.state.user_id(handle))
        if member is None:
            raise LookupError(f"{handle!r} is not a member")
        return [guild.roles[r].name for r in member.roles if r in guild.roles]

    def scheduled_events(self, guild_id: int) -> list[dict[str, Any]]:
        guild = self.state.guild(guild_id)
        return [
            {
                "id": e.id,
                "name": e.name,
                "start": iso_z(e.start),
                "end": iso_z(e.end) if e.end else None,
                "status": e.status,
                "location": e.location,
                "description": e.description,
            }
            for e in guild.events.values()
        ]

    def channels(self, guild_id: int) -> list[dict[str, Any]]:
        guild = self.state.guild(guild_id)
        return [c.to_dict() for c in guild.channels.values() if not c.is_thread]

    def _name(self, channel_id: int | None) -> str | None:
        channel = self.state.find_channel(channel_id or 0)
        return None if channel is None else channel.name

    def _handles(self, channel: Channel) -> list[str]:
        return [self.state.handle_of(u) or str(u) for u in channel.members]

    def _tag_names(self, thread: Channel) -> list[str]:
        parent = self.state.find_channel(thread.parent_id or 0)
        names = {int(t["id"]): str(t["name"]) for t in (parent.available_tags if parent else [])}
        return [names.get(t, str(t)) for t in thread.applied_tags]
