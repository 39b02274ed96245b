"""The command tree: the trust gate before every command and autocomplete, one command at a
time per member for the features that ask for it, and every error to the bot's registry."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.discord import trust
from bot.discord.limits import MemberLocks, answer_error, busy

Interaction = discord.Interaction[Any]


def lock_scope(interaction: Interaction) -> str | None:
    """The one-at-a-time scope of the command run (its cog's ``member_lock``), if any."""
    if interaction.type is not discord.InteractionType.application_command:
        return None
    command = interaction.command
    binding = getattr(command, "binding", None)
    scope = getattr(binding, "member_lock", None)
    return scope if isinstance(scope, str) else None


class HackTree(app_commands.CommandTree[Any]):
    async def interaction_check(self, interaction: Interaction) -> bool:
        """Refuse what does not come from a member inside the event's server, a command the
        bot does not have, an option value the command does not accept, and a second command
        of a member whose previous one still runs. Then remember the member's language, so DMs
        later reach them in it (in the background: nothing may delay the command's answer)."""
        if not await trust.passes(interaction):
            return False
        if interaction.type is discord.InteractionType.application_command:
            if interaction.command is None:
                await trust.refuse(interaction, "core.errors.unknown_command")
                return False
            option = trust.bad_option(interaction)
            if option is not None:
                await trust.refuse(interaction, "core.errors.invalid_option", option=option)
                return False
            if not self._take_lock(interaction):
                await answer_error(interaction, busy())
                return False
        remember = getattr(interaction.client, "remember_locale_soon", None)
        if remember is not None:
            remember(interaction.user.id, str(interaction.locale.value))
        return True

    def _take_lock(self, interaction: Interaction) -> bool:
        scope = lock_scope(interaction)
        locks = getattr(interaction.client, "member_locks", None)
        if scope is None or not isinstance(locks, MemberLocks):
            return True
        token = locks.acquire(scope, interaction.user.id)
        if token is None:
            return False
        interaction.extras["member_lock"] = (scope, token)
        return True

    async def _call(self, interaction: Interaction) -> None:
        # discord.py has no after-invoke hook for app commands: the member's lock, taken in
        # interaction_check, is given back here, however the command ended.
        try:
            await super()._call(interaction)
        finally:
            held = interaction.extras.pop("member_lock", None)
            locks = getattr(interaction.client, "member_locks", None)
            if held is not None and isinstance(locks, MemberLocks):
                scope, token = held
                locks.release(scope, interaction.user.id, token)

    async def on_error(self, interaction: Interaction, error: app_commands.AppCommandError) -> None:
        await answer_error(interaction, error)
