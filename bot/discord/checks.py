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
    """True when ``member`` holds the configured role (by id or by name)."""
    if not isinstance(member, discord.Member):
        return False
    wanted = getattr(bot.settings.config.roles, role_key)
    for role in member.roles:
        if (isinstance(wanted, int) and role.id == wanted) or role.name == str(wanted):
            return True
    return False


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
