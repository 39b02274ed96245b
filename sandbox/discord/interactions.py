"""Interactions: what a member triggered, and everything the bot answered to it."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from . import errors, limits
from .messages import EPHEMERAL, LOADING, UploadedFile, apply_edit, build_message, message_event
from .messages import message_to_dict as _message_dict
from .models import DM, BotAccount, Channel, Message
from .permissions import (
    ATTACH_FILES,
    EMBED_LINKS,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    channel_permissions,
)
from .recorder import render_modal, render_reply

if TYPE_CHECKING:
    from .server import LocalDiscord

Kind = Literal["command", "autocomplete", "component", "modal_submit"]
KIND_TYPES: dict[str, int] = {"command": 2, "component": 3, "autocomplete": 4, "modal_submit": 5}
TOKEN_LIFETIME = timedelta(minutes=15)
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
DM_APP_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY
)


@dataclass
class Interaction:
    id: int
    kind: Kind
    handle: str
    user_id: int
    bot: BotAccount
    guild_id: int | None
    channel_id: int
    token: str
    created_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    dispatched_at: float = 0.0
    ack_ms: float | None = None
    failed: bool = False
    replies: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    response_type: int | None = None
    thinking: bool = False
    original_message_id: int | None = None
    source_message_id: int | None = None
    modal: dict[str, Any] | None = None
    followup_ids: list[int] = field(default_factory=list)

    @property
    def application_id(self) -> int:
        return self.bot.application_id

    @property
    def answered(self) -> bool:
        return self.response_type is not None

    @property
    def settled(self) -> bool:
        """Answered (and not left "thinking"), or failed."""
        return self.failed or (self.answered and not self.thinking)


class InteractionRegistry:
    def __init__(self, server: LocalDiscord) -> None:
        self.server = server
        self.by_id: dict[int, Interaction] = {}
        self.by_token: dict[str, Interaction] = {}
        self.ordered: list[Interaction] = []
        self._timers: set[asyncio.TimerHandle] = set()

    # ---- creating -------------------------------------------------------------------------
    def new(  # noqa: PLR0917
        self,
        kind: Kind,
        bot: BotAccount,
        user_id: int,
        channel: Channel,
        data: dict[str, Any],
        message: Message | None = None,
    ) -> Interaction:
        state = self.server.state
        user = state.users[user_id]
        ix = Interaction(
            id=state.ids.next(),
            kind=kind,
            handle=user.username,
            user_id=user_id,
            bot=bot,
            guild_id=channel.guild_id,
            channel_id=channel.id,
            token="aW50ZXJhY3Rpb24" + secrets.token_urlsafe(64),
            created_at=state.now(),
        )
        payload: dict[str, Any] = {
            "id": str(ix.id),
            "application_id": str(bot.application_id),
            "type": KIND_TYPES[kind],
            "data": data,
            "token": ix.token,
            "version": 1,
            "locale": user.locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "channel_id": str(channel.id),
        }
        channel_data = channel.to_dict()
        guild = state.guild_of(channel)
        if guild is not None:
            member = guild.members[user_id]
            member_data = member.to_dict()
            member_data["permissions"] = str(channel_permissions(guild, channel, user_id))
            channel_data["permissions"] = member_data["permissions"]
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": "es-ES", "features": []},
                guild_locale="es-ES",
                member=member_data,
                app_permissions=str(channel_permissions(guild, channel, bot.user_id)),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            payload.update(
                user=user.to_dict(),
                app_permissions=str(DM_APP_PERMISSIONS),
                authorizing_integration_owners={"0": "0"},
                context=1,
            )
            channel_data["recipients"] = [user.to_dict()]
        payload["channel"] = channel_data
        if message is not None:
            payload["message"] = _message_dict(state, message)
            ix.source_message_id = message.id
        ix.payload = payload
        self.by_id[ix.id] = ix
        self.by_token[ix.token] = ix
        self.ordered.append(ix)
        return ix

    async def dispatch(self, ix: Interaction) -> Interaction:
        loop = asyncio.get_running_loop()
        future = self.server.gateway.dispatch_interaction(ix.bot, ix.payload)
        ix.dispatched_at = loop.time()
        timer = loop.call_later(self.server.interaction_timeout, self._expire, ix)
        self._timers.add(timer)
        await future
        return ix

    def _expire(self, ix: Interaction) -> None:
        if not ix.answered:
            ix.failed = True
            self.server.touch()

    def cancel_timers(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()

    # ---- callback ---------------------------------------------------------------------------
    def callback(
        self, interaction_id: int, token: str, body: dict[str, Any], files: list[UploadedFile]
    ) -> tuple[Interaction, Message | None]:
        ix = self.by_id.get(interaction_id)
        if ix is None or ix.token != token or ix.failed:
            raise errors.unknown_interaction()
        if ix.answered:
            raise errors.already_acknowledged()
        rtype = int(body.get("type", 0))
        data = body.get("data") or {}
        allowed = {
            "command": (4, 5, 9),
            "autocomplete": (8,),
            "component": (4, 5, 6, 7, 9),
            "modal_submit": (4, 5, 6, 7),
        }[ix.kind]
        if ix.kind == "modal_submit" and ix.source_message_id is None and rtype in (6, 7):
            allowed = (4, 5)
        if rtype not in allowed:
            raise errors.invalid_form(
                [
                    (
                        "type",
                        "INTERACTION_RESPONSE_TYPE_INVALID",
                        "Interaction response type is invalid",
                    )
                ]
            )
        message = self._apply_callback(ix, rtype, data, files)
        ix.response_type = rtype
        ix.callbacks.append(body)
        loop = asyncio.get_running_loop()
        ix.ack_ms = (loop.time() - ix.dispatched_at) * 1000.0
        self.server.touch()
        return ix, message

    def _apply_callback(
        self, ix: Interaction, rtype: int, data: dict[str, Any], files: list[UploadedFile]
    ) -> Message | None:
        state = self.server.state
        if rtype == 8:
            limits.check_choices(data.get("choices"))
            ix.replies.append(
                {
                    "choices": [
                        {"name": c["name"], "value": c["value"]} for c in data.get("choices") or []
                    ]
                }
            )
            return None
        if rtype == 9:
            limits.check_modal(data)
            ix.modal = data
            ix.replies.append(render_modal(data))
            return None
        if rtype in (6, 7):
            source = state.messages.get(ix.source_message_id or 0)
            if source is None:
                raise errors.unknown_message()
            ix.original_message_id = source.id
            if rtype == 7:
                apply_edit(state, source, data, files)
                self._after_edit(ix, source, updated=True)
            return source
        channel = state.channel(ix.channel_id)
        if rtype == 5:
            message = build_message(state, channel, ix.bot.user_id, {}, [], check_limits=False)
            message.flags |= LOADING
            ix.thinking = True
        else:
            message = build_message(state, channel, ix.bot.user_id, data, files)
        self._stamp(ix, message, int(data.get("flags") or 0) & EPHEMERAL)
        ix.original_message_id = message.id
        state.store_message(message)
        if rtype == 4:
            ix.replies.append(render_reply(message))
        self._announce(message, "MESSAGE_CREATE")
        return message

    def _stamp(
        self, ix: Interaction, message: Message, ephemeral: int, *, followup: bool = False
    ) -> None:
        message.webhook_id = ix.application_id
        message.application_id = ix.application_id
        message.type = 20 if ix.kind == "command" else 0
        if ephemeral:
            message.ephemeral_to = ix.user_id
        meta = self.metadata(ix)
        if followup and ix.original_message_id is not None:
            meta["original_response_message_id"] = str(ix.original_message_id)
        message.interaction_metadata = meta

    def metadata(self, ix: Interaction) -> dict[str, Any]:
        """The message interaction metadata object of a message answering ``ix``."""
        user = self.server.state.users[ix.user_id]
        meta: dict[str, Any] = {
            "id": str(ix.id),
            "type": ix.payload["type"],
            "user": user.to_dict(),
            "authorizing_integration_owners": ix.payload.get("authorizing_integration_owners", {}),
        }
        if ix.kind == "command":
            meta["name"] = str(ix.payload["data"].get("name", ""))
        if ix.kind == "modal_submit":
            opener = self._modal_opener(ix)
            if opener is not None:
                meta["triggering_interaction_metadata"] = self.metadata(opener)
        elif ix.source_message_id is not None:
            meta["interacted_message_id"] = str(ix.source_message_id)
        return meta

    def _modal_opener(self, ix: Interaction) -> Interaction | None:
        """The interaction whose modal ``ix`` submits: the member's last one that opened one."""
        for earlier in reversed(self.ordered):
            if earlier.user_id == ix.user_id and earlier.id < ix.id and earlier.modal is not None:
                return earlier
        return None

    def _announce(self, message: Message, event: str) -> None:
        if message.ephemeral:
            return
        state = self.server.state
        self.server.gateway.dispatch_message(event, message, message_event(state, message))

    def _after_edit(self, ix: Interaction, message: Message, *, updated: bool) -> None:
        reply = render_reply(message)
        if updated:
            reply["updated"] = True
        ix.replies.append(reply)
        self._announce(message, "MESSAGE_UPDATE")

    # ---- webhook (followups and original) ---------------------------------------------------
    def by_webhook(self, application_id: int, token: str) -> Interaction:
        if not any(b.application_id == application_id for b in self.server.state.bots.values()):
            raise errors.unknown_webhook()
        ix = self.by_token.get(token)
        if ix is None or ix.application_id != application_id:
            raise errors.invalid_webhook_token()
        if self.server.state.now() - ix.created_at > TOKEN_LIFETIME:
            raise errors.invalid_webhook_token()
        return ix

    def followup(self, ix: Interaction, body: dict[str, Any], files: list[UploadedFile]) -> Message:
        state = self.server.state
        if not ix.answered or ix.response_type in (8, 9):
            raise errors.unknown_webhook()
        original = state.messages.get(ix.original_message_id or 0)
        if ix.thinking and original is not None and original.flags & LOADING:
            limits.check_message(body, files=len(files))
            apply_edit(state, original, body, files)
            original.edited_timestamp = None
            ix.thinking = False
            ix.replies.append(render_reply(original))
            self._announce(original, "MESSAGE_UPDATE")
            self.server.touch()
            return original
        channel = state.channel(ix.channel_id)
        message = build_message(state, channel, ix.bot.user_id, body, files)
        self._stamp(ix, message, int(body.get("flags") or 0) & EPHEMERAL, followup=True)
        state.store_message(message)
        ix.followup_ids.append(message.id)
        ix.replies.append(render_reply(message))
        self._announce(message, "MESSAGE_CREATE")
        self.server.touch()
        return message

    def webhook_message(self, ix: Interaction, message_id: str) -> Message:
        state = self.server.state
        if message_id == "@original":
            target = ix.original_message_id
        else:
            target = int(message_id)
            if target not in ix.followup_ids and target != ix.original_message_id:
                raise errors.unknown_message()
        message = state.messages.get(target or 0)
        if message is None or message.deleted:
            raise errors.unknown_message()
        return message

    def edit(
        self, ix: Interaction, message: Message, body: dict[str, Any], files: list[UploadedFile]
    ) -> Message:
        state = self.server.state
        was_loading = bool(message.flags & LOADING)
        apply_edit(state, message, body, files)
        if was_loading:
            message.edited_timestamp = None
            ix.thinking = False
            ix.replies.append(render_reply(message))
            self._announce(message, "MESSAGE_UPDATE")
        elif message.id == ix.source_message_id:
            self._after_edit(ix, message, updated=True)
        else:
            reply = render_reply(message)
            reply["edited"] = True
            ix.replies.append(reply)
            self._announce(message, "MESSAGE_UPDATE")
        self.server.touch()
        return message

    def delete(self, ix: Interaction, message: Message) -> None:
        message.deleted = True
        if message.flags & LOADING:
            ix.thinking = False
        if not message.ephemeral:
            data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
            if message.guild_id is not None:
                data["guild_id"] = str(message.guild_id)
            channel = self.server.state.channel(message.channel_id)
            intent = 1 << 12 if channel.type == DM else 1 << 9
            self.server.gateway.dispatch(
                "MESSAGE_DELETE", data, guild_id=message.guild_id, intent=intent, channel=channel
            )
        self.server.touch()

    def last_modal_for(self, user_id: int) -> Interaction:
        for ix in reversed(self.ordered):
            if ix.user_id == user_id:
                if ix.modal is not None:
                    return ix
                break
        raise LookupError("the member's last interaction did not open a modal")
