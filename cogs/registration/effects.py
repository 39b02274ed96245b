"""What registration makes Discord do: give and take the roles of a registration, and keep
one welcome message with its Verify button in the welcome channel."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.discord.components import HackView
from bot.models import KeyValue

if TYPE_CHECKING:
    from bot.app import HackBot

log = logging.getLogger(__name__)
WELCOME_KEY = "registration.welcome_message"
AUDIT_REASON = "registration verified"


def _roles(bot: HackBot, keys: tuple[str, ...]) -> list[discord.Role]:
    found = [bot.role(key) for key in keys]
    return [role for role in found if role is not None]


async def _member(bot: HackBot, user_id: int) -> discord.Member | None:
    guild = bot.guild
    if guild is None:
        return None
    member = guild.get_member(user_id)
    if member is not None:
        return member
    try:
        return await guild.fetch_member(user_id)
    except discord.HTTPException:
        return None


async def grant_roles(bot: HackBot, user_id: int, keys: tuple[str, ...]) -> bool:
    """Give ``user_id`` the configured roles ``keys``; False when Discord refused."""
    member, roles = await _member(bot, user_id), _roles(bot, keys)
    if member is None or len(roles) != len(keys):
        log.error("could not give roles %s to %s: member or role not found", keys, user_id)
        return False
    missing = [role for role in roles if role not in member.roles]
    if not missing:
        return True
    try:
        await member.add_roles(*missing, reason=AUDIT_REASON)
    except discord.HTTPException as exc:
        log.error("could not give roles %s to %s: HTTP %s", keys, user_id, exc.status)
        return False
    return True


async def take_roles(bot: HackBot, user_id: int, keys: tuple[str, ...]) -> bool:
    """Take the configured roles ``keys`` from ``user_id``; False when Discord refused."""
    member, roles = await _member(bot, user_id), _roles(bot, keys)
    if member is None:
        return True  # gone from the server: nothing to take
    held = [role for role in roles if role in member.roles]
    if not held:
        return True
    try:
        await member.remove_roles(*held, reason="registration unverified")
    except discord.HTTPException as exc:
        log.error("could not take roles %s from %s: HTTP %s", keys, user_id, exc.status)
        return False
    return True


def welcome_channel(bot: HackBot) -> discord.TextChannel | None:
    """The configured ``registration.welcome_channel`` (a name or an id) of the event's server;
    a name held by several channels is not guessed."""
    guild = bot.guild
    wanted = bot.settings.config.registration.welcome_channel
    if guild is None:
        return None
    if isinstance(wanted, int):
        channel = guild.get_channel(wanted)
        return channel if isinstance(channel, discord.TextChannel) else None
    found = [c for c in guild.text_channels if c.name == wanted]
    if len(found) != 1:
        log.error(
            "registration.welcome_channel: %d text channels are named %r; the welcome message "
            "needs exactly one (or its numeric id)",
            len(found),
            wanted,
        )
        return None
    return found[0]


async def ensure_welcome(bot: HackBot, view: HackView, text: str) -> None:
    """Post the welcome message once; after a restart the stored one is kept (its button is
    persistent), and posted again only when it was deleted."""
    channel = welcome_channel(bot)
    if channel is None:
        return
    async with bot.db.read() as session:
        stored = await session.get(KeyValue, WELCOME_KEY)
    if stored is not None:
        channel_id, _, message_id = stored.value.partition(":")
        if channel_id == str(channel.id) and message_id.isdigit():
            try:
                await channel.fetch_message(int(message_id))
                return
            except discord.NotFound:
                pass
            except discord.HTTPException as exc:
                log.warning("could not check the welcome message: HTTP %s", exc.status)
                return
    try:
        message = await channel.send(text, view=view)
    except discord.HTTPException as exc:
        log.error("could not post the welcome message in #%s: HTTP %s", channel.name, exc.status)
        return
    value = f"{channel.id}:{message.id}"
    await bot.db.write(lambda session: session.merge(KeyValue(key=WELCOME_KEY, value=value)))
