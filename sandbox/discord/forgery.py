"""Forged interactions: what a modified client makes Discord deliver to a bot.

Discord's own client only offers a server's commands inside that server, keeps option values
within their declared ranges and only lets a member press the buttons of a message they see.
A modified client skips all of that, and Discord still delivers the interaction: from another
server the bot is in, from a DM with the bot, with any option value or custom_id. These
methods build such payloads on the local Discord, so tests can prove the bot refuses them by
itself:

- :meth:`Forgery.join_bot` puts a bot in another server (it receives GUILD_CREATE, as when
  someone invites it to theirs);
- :meth:`Forgery.forge_command` / :meth:`Forgery.forge_autocomplete` run a command of the bot
  (its schema taken from the server it was synced to) from any server, or from a DM, with
  option values set raw (out of range, of the wrong type, not finite);
- :meth:`Forgery.forge_click` presses a button with any custom_id, in any channel or DM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import actions
from .errors import RejectedByDiscord
from .gateway import GUILDS
from .interactions import Interaction
from .messages import message_to_dict
from .models import BotAccount, Channel, Guild, Message
from .permissions import FULL_PERMISSIONS
from .state import State

if TYPE_CHECKING:
    from .gateway import Gateway
    from .interactions import InteractionRegistry

SUB_COMMAND_TYPES = (1, 2)


class Forgery:
    state: State
    gateway: Gateway
    interactions: InteractionRegistry

    # ---- a second server ------------------------------------------------------------------
    def join_bot(self, guild_id: int, bot_name: str = "hackbot") -> None:
        """The bot joins ``guild_id`` (someone invited it there): GUILD_CREATE follows."""
        guild = self.state.guild(guild_id)
        account = next((b for b in self.state.bots.values() if b.name == bot_name), None)
        if account is None:
            raise LookupError(f"no bot named {bot_name!r}")
        if account.user_id in guild.members:
            return
        self.state.add_bot_to_guild(account, guild, FULL_PERMISSIONS)

        def joined(session: Any) -> dict[str, Any]:
            # A server joined (not one coming back from an outage): no ``unavailable`` key.
            payload = self.gateway.guild_payload(guild, session)
            payload.pop("unavailable", None)
            return payload

        self.gateway.dispatch(
            "GUILD_CREATE",
            joined,
            guild_id=guild.id,
            intent=GUILDS,
            bot_id=account.user_id,
        )

    # ---- commands ---------------------------------------------------------------------------
    async def forge_command(
        self,
        handle: str,
        path: str,
        options: dict[str, Any] | None = None,
        *,
        commands_of: int,
        guild_id: int | None = None,
        channel: str | None = None,
        raw: dict[str, Any] | None = None,
    ) -> Interaction:
        """Run ``/path`` as ``handle``, with the command as synced to ``commands_of``, sent from
        ``guild_id`` (None: a DM with the bot). ``raw`` option values go in as they are."""
        return await self._forge_app(
            "command", handle, path, options, commands_of, guild_id, channel, raw, None
        )

    async def forge_autocomplete(
        self,
        handle: str,
        path: str,
        focused: str,
        value: str = "",
        *,
        commands_of: int,
        guild_id: int | None = None,
        channel: str | None = None,
    ) -> Interaction:
        """Autocomplete of option ``focused`` of ``/path``, forged like :meth:`forge_command`."""
        return await self._forge_app(
            "autocomplete",
            handle,
            path,
            {focused: value},
            commands_of,
            guild_id,
            channel,
            None,
            focused,
        )

    async def _forge_app(  # noqa: PLR0917
        self,
        kind: Any,
        handle: str,
        path: str,
        options: dict[str, Any] | None,
        commands_of: int,
        guild_id: int | None,
        channel: str | None,
        raw: dict[str, Any] | None,
        focused: str | None,
    ) -> Interaction:
        schema_guild = self.state.guild(commands_of)
        bot = actions.bot_in(self, schema_guild)  # type: ignore[arg-type]
        user_id = self.state.user_id(handle)
        where = self._where(bot, user_id, guild_id, channel)
        data = actions.command_data(
            self,  # type: ignore[arg-type]
            schema_guild,
            bot,
            where,
            path,
            dict(options or {}),
            focused,
        )
        _resolve_members_in(data, self.state.guild_of(where))
        for name, value in (raw or {}).items():
            _set_raw(data["options"], name, value)
        ix = self.interactions.new(kind, bot, user_id, where, data)
        return await self.interactions.dispatch(ix)

    def _where(
        self, bot: BotAccount, user_id: int, guild_id: int | None, channel: str | None
    ) -> Channel:
        if guild_id is None:
            return self.state.dm_channel(user_id, bot.user_id)
        guild = self.state.guild(guild_id)
        if user_id not in guild.members:
            raise RejectedByDiscord(f"{self.state.handle_of(user_id)} is not in {guild.name}")
        if bot.user_id not in guild.members:
            raise RejectedByDiscord(f"the bot is not in {guild.name}")
        return actions.command_channel(self, guild, user_id, channel)  # type: ignore[arg-type]

    # ---- components -------------------------------------------------------------------------
    async def forge_click(
        self,
        handle: str,
        custom_id: str,
        *,
        bot_guild: int,
        guild_id: int | None = None,
        channel: str | None = None,
    ) -> Interaction:
        """Press a button with ``custom_id`` as ``handle``: on a message of the bot in
        ``channel`` of ``guild_id`` (None: in the DM with the bot). The message is the bot's
        newest there (a blank one is made when there is none); its components, as the
        interaction carries them, hold the forged button."""
        bot = actions.bot_in(self, self.state.guild(bot_guild))  # type: ignore[arg-type]
        user_id = self.state.user_id(handle)
        where = self._where(bot, user_id, guild_id, channel)
        message = self._carrier(where, bot)
        data = {"custom_id": custom_id, "component_type": 2}
        ix = self.interactions.new("component", bot, user_id, where, data, message)
        shown = message_to_dict(self.state, message)
        shown["components"] = [
            {
                "type": 1,
                "components": [{"type": 2, "style": 2, "label": "?", "custom_id": custom_id}],
            }
        ]
        ix.payload["message"] = shown
        return await self.interactions.dispatch(ix)

    def _carrier(self, channel: Channel, bot: BotAccount) -> Message:
        for message_id in reversed(self.state.channel_messages.get(channel.id, [])):
            message = self.state.messages[message_id]
            if message.author_id == bot.user_id and not message.deleted and not message.ephemeral:
                return message
        message = Message(
            id=self.state.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author_id=bot.user_id,
            content="",
            timestamp=self.state.now(),
        )
        self.state.store_message(message)
        return message


def _leaf(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    while len(options) == 1 and options[0].get("type") in SUB_COMMAND_TYPES:
        options = options[0].setdefault("options", [])
    return options


def _set_raw(options: list[dict[str, Any]], name: str, value: Any) -> None:
    """Put ``value`` as option ``name`` unchecked (NaN and infinities travel as JSON's
    non-standard literals, which discord.py's JSON reader accepts)."""
    leaf = _leaf(options)
    for entry in leaf:
        if entry["name"] == name:
            entry["value"] = value
            return
    if isinstance(value, bool):
        kind = 5
    elif isinstance(value, int):
        kind = 4
    else:
        kind = 10 if isinstance(value, float) else 3
    leaf.append({"name": name, "type": kind, "value": value})


def _resolve_members_in(data: dict[str, Any], guild: Guild | None) -> None:
    """Resolved members as Discord sends them from where the command runs (none in a DM)."""
    resolved = data.get("resolved")
    if not resolved or "members" not in resolved:
        return
    members: dict[str, Any] = {}
    if guild is not None:
        for user_id in resolved["members"]:
            member = guild.members.get(int(user_id))
            if member is not None:
                members[user_id] = member.to_dict(with_user=False) | {"permissions": "0"}
    if members:
        resolved["members"] = members
    else:
        del resolved["members"]
