"""`/admin calendar-sync`: organizers read the talks calendar now and see what changed."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.app import HackBot
from bot.discord.admin_group import AdminCommands
from bot.discord.checks import require_role
from bot.discord.replies import defer, send, tr
from bot.discord.timestamps import discord_ts
from jobs.talks_sync import sync_now

CHANGES_SHOWN = 10


class TalksAdmin(AdminCommands):
    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(
        name="calendar-sync", description="Read the talks calendar now and tell what changed"
    )
    @app_commands.guild_only()
    @require_role("organizer")
    async def calendar_sync(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        report = await sync_now(self.bot.job_context)
        if report.error is not None:
            error = tr(interaction, f"talks.calendar_error.{report.error}")
            await send(interaction, tr(interaction, "talks.admin.sync_failed", error=error))
            return
        lines = []
        if report.full:
            lines.append(tr(interaction, "talks.admin.synced_full"))
        if report.changes:
            lines.append(tr(interaction, "talks.admin.synced", count=len(report.changes)))
        else:
            lines.append(tr(interaction, "talks.admin.synced_nothing"))
        for change in report.changes[:CHANGES_SHOWN]:
            lines.append(
                "- "
                + tr(
                    interaction,
                    f"talks.admin.{change.kind}",
                    title=change.title,
                    at=discord_ts(change.start, "f"),
                )
            )
        if len(report.changes) > CHANGES_SHOWN:
            lines.append(
                tr(interaction, "talks.admin.more", count=len(report.changes) - CHANGES_SHOWN)
            )
        discord_outcome = report.discord
        if any(vars(discord_outcome).values()):
            lines.append(
                tr(
                    interaction,
                    "talks.admin.discord",
                    created=discord_outcome.created,
                    updated=discord_outcome.updated,
                    deleted=discord_outcome.deleted,
                    failed=discord_outcome.failed,
                )
            )
        await send(interaction, "\n".join(lines))


async def setup(bot: HackBot) -> None:
    await bot.add_cog(TalksAdmin(bot))
