"""The command tree: every slash command's error goes to the bot's error registry."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.discord.errors import report_error


class HackTree(app_commands.CommandTree[Any]):
    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        """Remember each member's language, so DMs later reach them in it (in the background:
        nothing may delay the command's answer)."""
        remember = getattr(interaction.client, "remember_locale_soon", None)
        if remember is not None:
            remember(interaction.user.id, str(interaction.locale.value))
        return True

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)
