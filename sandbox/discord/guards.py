"""Permission checks the way Discord applies them to a bot's requests."""

from __future__ import annotations

from . import errors
from .models import DM, BotAccount, Channel, Guild
from .permissions import VIEW_CHANNEL, base_permissions, channel_permissions
from .state import State


def guild_for(state: State, channel: Channel) -> Guild | None:
    return state.guild_of(channel)


def require_view(state: State, bot: BotAccount, channel: Channel) -> None:
    if channel.type == DM:
        if channel.owner_id != bot.user_id:
            raise errors.missing_access()
        return
    guild = state.guild_of(channel)
    if guild is None or bot.user_id not in guild.members:
        raise errors.missing_access()
    if not channel_permissions(guild, channel, bot.user_id) & VIEW_CHANNEL:
        raise errors.missing_access()
    if not state.can_see(bot.user_id, channel):
        raise errors.missing_access()


def require_channel_perm(state: State, bot: BotAccount, channel: Channel, perm: int) -> None:
    require_view(state, bot, channel)
    if channel.type == DM:
        return
    guild = state.guild_of(channel)
    assert guild is not None
    if channel_permissions(guild, channel, bot.user_id) & perm != perm:
        raise errors.missing_permissions()


def require_guild_perm(state: State, bot: BotAccount, guild: Guild, perm: int) -> None:
    if bot.user_id not in guild.members:
        raise errors.missing_access()
    if base_permissions(guild, bot.user_id) & perm != perm:
        raise errors.missing_permissions()


def has_channel_perm(state: State, bot: BotAccount, channel: Channel, perm: int) -> bool:
    guild = state.guild_of(channel)
    if guild is None:
        return False
    return channel_permissions(guild, channel, bot.user_id) & perm == perm


def guild_member_of(state: State, bot: BotAccount, guild_id: int) -> Guild:
    guild = state.guilds.get(guild_id)
    if guild is None or bot.user_id not in guild.members:
        raise errors.unknown_guild()
    return guild
