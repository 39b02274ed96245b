"""`/leaderboard [board]`: the current board on demand, ephemeral, with the same chart as the
scheduled posts. A rendered card is reused for a minute per board and language, so a burst of
members asking costs one computation."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HackBot
from bot.discord.notifier import card_message
from bot.discord.replies import catalogs_of, defer, locale_of
from bot.errors import DomainError
from bot.i18n import Message, language_of
from bot.services.leaderboard import posts
from bot.services.leaderboard.card import Card, make_card
from bot.services.leaderboard.compute import compute
from bot.services.leaderboard.hub_data import StatsCache
from bot.settings.leaderboard import BOARDS

CARD_TTL = 60.0  # seconds a rendered card is reused
STATS_TTL = 300.0  # seconds Hub likes and downloads are reused

BOARD_CHOICES = [app_commands.Choice(name=name.capitalize(), value=name) for name in BOARDS]


class Leaderboard(commands.Cog):
    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
        self.stats = StatsCache(STATS_TTL)
        self.cards: dict[tuple[str, str], tuple[float, Card]] = {}
        # One computation per board and language at a time: members who ask while it runs
        # wait for its card instead of each computing and rendering their own.
        self.building: dict[tuple[str, str], asyncio.Lock] = {}

    @app_commands.command(name="leaderboard", description="Show one of the event's leaderboards")
    @app_commands.describe(board="Which leaderboard to show")
    @app_commands.choices(board=BOARD_CHOICES)
    @app_commands.guild_only()
    async def leaderboard(
        self, interaction: discord.Interaction[Any], board: str | None = None
    ) -> None:
        await defer(interaction)
        settings = self.bot.settings.config.leaderboard
        enabled = settings.enabled_boards()
        if not enabled:
            raise DomainError("leaderboard.errors.none_enabled")
        kind = board or enabled[0]
        if kind not in enabled:
            raise DomainError(
                "leaderboard.errors.disabled", board=Message(f"leaderboard.board.{kind}")
            )
        card = await self.card(interaction, kind)
        embed, file = card_message(card)
        if file is None:
            await interaction.followup.send(embed=embed, ephemeral=True)
        else:
            await interaction.followup.send(embed=embed, file=file, ephemeral=True)

    async def card(self, interaction: discord.Interaction[Any], kind: str) -> Card:
        found = catalogs_of(interaction)
        key = (kind, language_of(locale_of(interaction), found.default))
        cached = self.cards.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self.building.setdefault(key, asyncio.Lock()):
            cached = self.cards.get(key)
            if cached is not None and cached[0] > time.monotonic():
                return cached[1]
            return await self.build(interaction, kind, key)

    async def build(
        self, interaction: discord.Interaction[Any], kind: str, key: tuple[str, str]
    ) -> Card:
        found = catalogs_of(interaction)
        settings = self.bot.settings.config.leaderboard
        ranked = await compute(self.bot.db, kind, settings, self.bot.hub, self.stats)
        async with self.bot.db.read() as session:
            previous = await posts.previous_post(session, kind)
        card = await make_card(
            ranked,
            found,
            locale_of(interaction),
            settings.top_n,
            previous.places if previous is not None else None,
        )
        self.cards[key] = (time.monotonic() + CARD_TTL, card)
        return card


async def setup(bot: HackBot) -> None:
    await bot.add_cog(Leaderboard(bot))
