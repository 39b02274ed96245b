"""The command tree: one error handler for every slash command."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.replies import report_error


class HackTree(app_commands.CommandTree[Any]):
    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)
