"""State changes the routes share: storing and announcing messages, thread and member events."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from .gateway import GUILD_MEMBERS, Gateway, Session
from .messages import message_event
from .models import Channel, Guild, Member, Message
from .recorder import Recorder
from .state import State


class Dispatches(ABC):
    state: State
    gateway: Gateway
    recorder: Recorder

    @abstractmethod
    def touch(self) -> None:
        """Note activity (the server settles only after a quiet period)."""

    def post_message(self, message: Message, *, record: bool) -> None:
        self.state.store_message(message)
        self.gateway.dispatch_message("MESSAGE_CREATE", message, message_event(self.state, message))
        if record:
            self.recorder.message("message", message)
        self.touch()

    def delete_message(self, message: Message) -> None:
        message.deleted = True
        channel = self.state.channel(message.channel_id)
        data: dict[str, Any] = {"id": str(message.id), "channel_id": str(channel.id)}
        if channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
        intent = 1 << 12 if channel.type == 1 else 1 << 9
        self.gateway.dispatch(
            "MESSAGE_DELETE", data, guild_id=channel.guild_id, intent=intent, channel=channel
        )
        self.recorder.add(
            "message_deleted", channel=self.state.label(channel), content=message.content
        )

    def dispatch_thread_create(self, thread: Channel) -> None:
        def shaped(session: Session) -> dict[str, Any]:
            data = thread.to_dict(me=session.bot.user_id)
            data["newly_created"] = True
            return data

        self.gateway.dispatch("THREAD_CREATE", shaped, guild_id=thread.guild_id, channel=thread)

    def dispatch_thread_update(self, thread: Channel) -> None:
        self.gateway.dispatch(
            "THREAD_UPDATE",
            lambda s: thread.to_dict(me=s.bot.user_id),
            guild_id=thread.guild_id,
            channel=thread,
        )

    def dispatch_thread_members(
        self, thread: Channel, added: list[int], removed: list[int]
    ) -> None:
        guild = self.state.guild_of(thread)
        if guild is None:
            return
        added_payload = []
        for user_id in added:
            entry: dict[str, Any] = {
                "id": str(thread.id),
                "user_id": str(user_id),
                "join_timestamp": thread.members[user_id].isoformat(),
                "flags": 0,
            }
            if user_id in guild.members:
                entry["member"] = guild.members[user_id].to_dict()
            added_payload.append(entry)
        data = {
            "id": str(thread.id),
            "guild_id": str(guild.id),
            "member_count": min(len(thread.members), 50),
            "added_members": added_payload,
            "removed_member_ids": [str(u) for u in removed],
        }

        def shaped(session: Session) -> dict[str, Any] | None:
            me = session.bot.user_id
            if session.intents & GUILD_MEMBERS or me in added or me in removed:
                return data
            return None

        self.gateway.dispatch("THREAD_MEMBERS_UPDATE", shaped, guild_id=guild.id, intent=0)

    def dispatch_member_update(self, guild: Guild, member: Member) -> None:
        data = member.to_dict()
        data["guild_id"] = str(guild.id)
        self.gateway.dispatch("GUILD_MEMBER_UPDATE", data, guild_id=guild.id, intent=GUILD_MEMBERS)
