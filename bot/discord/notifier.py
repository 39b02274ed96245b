"""The bot's notifier: what jobs (and feature effects) make Discord show, in the right language.

Public places (configured channels, team threads) speak the event's language; a DM speaks the
member's own, remembered from their last interaction; an edited message speaks its reader's (an
invitation's invitee, a join request's captain) when the editor names them, the event's
otherwise.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.discord.mentions import role_mention
from bot.i18n import Message
from bot.services.leaderboard.card import Card
from bot.services.members import locales_of

if TYPE_CHECKING:
    from bot.app import HackBot

log = logging.getLogger(__name__)
# Discord's error code for a member who does not accept DMs from the server's members.
CANNOT_DM = 50007

CARD_COLOUR = discord.Colour(0xF5A623)


def card_message(card: Card) -> tuple[discord.Embed, discord.File | None]:
    """A leaderboard card as an embed and its chart attached (shown inside the embed)."""
    embed = discord.Embed(title=card.title, description=card.description, colour=CARD_COLOUR)
    for name, value in card.fields:
        embed.add_field(name=name, value=value, inline=False)
    if card.footer:
        embed.set_footer(text=card.footer)
    if card.image is None:
        return embed, None
    embed.set_image(url=f"attachment://{card.filename}")
    return embed, discord.File(io.BytesIO(card.image), filename=card.filename)


class DiscordNotifier:
    def __init__(self, bot: HackBot) -> None:
        self.bot = bot

    def public(self, message: Message) -> str:
        return self.bot.catalogs.render(self.bot.settings.config.event.default_locale, message)

    async def post(self, channel_key: str, message: Message, /) -> bool:
        channel = self.bot.channel(channel_key)
        if not isinstance(channel, discord.abc.Messageable):
            log.warning(
                "channel %s is not configured or not visible; %s not posted",
                channel_key,
                message.key,
            )
            return False
        return await self._send(channel, self.public(message), message.key)

    async def ping(self, channel_key: str, role_key: str, message: Message, /) -> bool:
        channel = self.bot.channel(channel_key)
        if not isinstance(channel, discord.abc.Messageable):
            log.warning(
                "channel %s is not configured or not visible; %s not posted",
                channel_key,
                message.key,
            )
            return False
        text = self.public(message)
        role = self.bot.role(role_key)
        if role is None:
            return await self._send(channel, text, message.key)
        try:
            # The one deliberate ping: this role, nobody else, whatever the text contains.
            await channel.send(
                f"{role_mention(role.id)} {text}",
                allowed_mentions=discord.AllowedMentions(
                    everyone=False, users=False, roles=[role], replied_user=False
                ),
            )
        except discord.HTTPException as exc:
            log.warning("discord refused %s: %s %s", message.key, exc.status, exc.code)
            return False
        return True

    async def to_thread(self, thread_id: int, message: Message, /) -> bool:
        thread = await self.channel_by_id(thread_id)
        if not isinstance(thread, discord.Thread):
            return False
        return await self._send(thread, self.public(message), message.key)

    async def reader_locale(self, user_id: int | None) -> str:
        """The remembered language of ``user_id``; the event's when unknown (or nobody)."""
        locale = None
        if user_id is not None:
            async with self.bot.db.read() as session:
                locale = (await locales_of(session, [user_id])).get(user_id)
        return locale or self.bot.settings.config.event.default_locale

    async def dm(self, user_id: int, message: Message, /, channel_id: int | None = None) -> bool:
        language = await self.reader_locale(user_id)
        try:
            if channel_id is not None:
                channel = self.bot.get_partial_messageable(
                    channel_id, type=discord.ChannelType.private
                )
                await channel.send(self.bot.catalogs.render(language, message))
                return True
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(self.bot.catalogs.render(language, message))
        except discord.HTTPException as exc:
            log.info("could not DM %s (%s): %s", user_id, message.key, exc.status)
            return False
        return True

    async def edit(
        self, channel_id: int, message_id: int, message: Message, /, reader_id: int | None = None
    ) -> bool:
        target = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        text = self.bot.catalogs.render(await self.reader_locale(reader_id), message)
        try:
            await target.edit(content=text, embed=None, view=None)
        except discord.HTTPException as exc:
            log.info("could not edit message %s (%s): %s", message_id, message.key, exc.status)
            return False
        return True

    # -- leaderboard cards: an embed with its chart; the caller keeps the message's ids ----------
    async def post_card(self, channel_key: str, card: Card, /) -> tuple[int, int] | None:
        """Post ``card`` to the ``[channels]`` entry; (channel id, message id), or None."""
        channel = self.bot.channel(channel_key)
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("channel %s is not configured or not visible; card not posted", channel_key)
            return None
        embed, file = card_message(card)
        try:
            if file is None:
                sent = await channel.send(embed=embed)
            else:
                sent = await channel.send(embed=embed, file=file)
        except discord.HTTPException as exc:
            log.warning("discord refused a leaderboard card: %s %s", exc.status, exc.code)
            return None
        return sent.channel.id, sent.id

    async def edit_card(self, channel_id: int, message_id: int, card: Card, /) -> bool:
        """Replace a card the bot posted (its chart too); False when Discord refused."""
        target = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        embed, file = card_message(card)
        try:
            await target.edit(embed=embed, attachments=[file] if file is not None else [])
        except discord.HTTPException as exc:
            log.info("could not edit leaderboard card %s: %s", message_id, exc.status)
            return False
        return True

    # -- announcements -------------------------------------------------------------------
    async def role_members(self, role_key: str, /) -> list[int] | None:
        role = self.bot.role(role_key)
        return None if role is None else [m.id for m in role.members if not m.bot]

    async def publish(
        self,
        channel_id: int,
        content: str,
        /,
        *,
        roles: Sequence[int] = (),
        everyone: bool = False,
    ) -> int | None:
        channel = await self.channel_by_id(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("channel %s is gone or not visible; announcement not posted", channel_id)
            return None
        allowed = discord.AllowedMentions(
            everyone=everyone,
            users=False,
            roles=[discord.Object(role_id) for role_id in roles],
            replied_user=False,
        )
        try:
            message = await channel.send(content, allowed_mentions=allowed)
        except discord.HTTPException as exc:
            log.warning("discord refused an announcement: %s %s", exc.status, exc.code)
            return None
        return message.id

    async def dm_text(self, user_id: int, content: str, /) -> str:
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            await user.send(content)
        except discord.Forbidden as exc:
            return "closed" if exc.code == CANNOT_DM else f"forbidden_{exc.code}"
        except discord.NotFound:
            return "unknown_user"
        except discord.HTTPException as exc:
            return f"http_{exc.status}"
        return "sent"

    async def channel_by_id(self, channel_id: int | None) -> Any:
        """A channel or thread from the cache, else from Discord; None when it is gone."""
        if channel_id is None:
            return None
        channel = self.bot.get_channel(channel_id)
        if channel is not None:
            return channel
        try:
            return await self.bot.fetch_channel(channel_id)
        except discord.HTTPException:
            return None

    async def _send(self, channel: discord.abc.Messageable, text: str, key: str) -> bool:
        try:
            await channel.send(text)
        except discord.HTTPException as exc:
            log.warning("discord refused %s: %s %s", key, exc.status, exc.code)
            return False
        return True
