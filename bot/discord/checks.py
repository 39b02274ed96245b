"""Role checks done in code: Discord's default permissions are only a hint admins can change."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.discord.replies import tr
from bot.errors import MissingRole

if TYPE_CHECKING:
    from bot.app import HackBot

T = TypeVar("T")


class RoleCheckFailed(app_commands.CheckFailure):
    """discord.py only routes CheckFailure to the tree's error handler; this carries ours."""

    def __init__(self, error: MissingRole) -> None:
        super().__init__(error.key)
        self.error = error


ROLE_KEYS = ("participant", "mentor", "organizer")


def member_has_role(bot: HackBot, member: discord.Member | discord.User, role_key: str) -> bool:
    """True when ``member``, a member of the event's server, holds the configured role.

    Ids only: the role was resolved once from its configured name or id
    (:mod:`bot.discord.place`), so a role with the same name in another server, or a second
    one made later, never passes."""
    if not isinstance(member, discord.Member):
        return False
    guild = bot.place.guild(bot)
    if guild is None or member.guild.id != guild.id:
        return False
    role_id = bot.place.role_id(role_key, bot)
    return role_id is not None and any(role.id == role_id for role in member.roles)


def require_role(*role_keys: str) -> Callable[[T], T]:
    """Allow the command to members holding any of ``role_keys`` (organizers always pass)."""
    keys = tuple(dict.fromkeys((*role_keys, "organizer")))

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        bot: HackBot = interaction.client
        if any(member_has_role(bot, interaction.user, key) for key in keys):
            return True
        raise RoleCheckFailed(MissingRole(tr(interaction, f"core.roles.{role_keys[0]}")))

    def decorator(func: T) -> T:
        func.__hackbot_roles__ = keys  # type: ignore[attr-defined]
        return app_commands.check(predicate)(func)  # type: ignore[arg-type,return-value]

    return decorator


def roles_of(command: app_commands.Command[Any, ..., Any]) -> list[str]:
    """The role keys that may use ``command`` (``everyone`` when unrestricted)."""
    roles = getattr(command.callback, "__hackbot_roles__", None)
    return list(roles) if roles else ["everyone"]
