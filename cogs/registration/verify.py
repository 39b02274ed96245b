"""`/verify` (anyone in the event's server) and the welcome message with its Verify button."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HackBot
from cogs.registration.effects import ensure_welcome
from cogs.registration.views import (
    DYNAMIC_ITEMS,
    answer_email_form,
    is_email_form,
    open_verification,
    welcome_view,
)

log = logging.getLogger(__name__)


class Verify(commands.Cog):
    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
        self._welcome: asyncio.Task[None] | None = None
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    @app_commands.command(
        name="verify", description="Verify your registration with your email and get your role"
    )
    @app_commands.guild_only()
    async def verify(self, interaction: discord.Interaction[Any]) -> None:
        await open_verification(interaction)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        if is_email_form(interaction):
            await answer_email_form(interaction)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self._welcome is None or self._welcome.done():
            self._welcome = asyncio.create_task(self._post_welcome(), name="hackbot-welcome")

    async def _post_welcome(self) -> None:
        bot = self.bot
        locale = bot.settings.config.event.default_locale
        text = bot.catalogs.t(
            locale, "registration.welcome.text", event=bot.settings.config.event.name
        )
        try:
            await ensure_welcome(bot, welcome_view(bot, locale), text)
        except Exception:
            log.exception("could not post the welcome message")


async def setup(bot: HackBot) -> None:
    await bot.add_cog(Verify(bot))
