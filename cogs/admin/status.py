"""Organizer commands about the bot itself."""

from __future__ import annotations

import math
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import HackBot
from bot.discord.checks import require_role
from bot.discord.replies import catalogs_of, defer, locale_of, send, tr
from bot.discord.timestamps import discord_ts
from bot.services.status import feature_sections, job_statuses
from bot.text import Safe, neutralize


def job_detail(interaction: discord.Interaction[Any], detail: str) -> str:
    """A job's stored detail (``"key"`` or ``"key|count"``) in the member's language."""
    key, _, count = detail.partition("|")
    if key.split(".")[1:2] == ["jobs"]:  # core.jobs.*, or a feature's <feature>.jobs.*
        return tr(interaction, key, count=int(count or 0))
    return neutralize(detail)  # an error id and exception type


class Admin(commands.GroupCog, group_name="admin", group_description="Bot administration"):
    def __init__(self, bot: HackBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(
        name="status", description="Uptime, latency, database, jobs and work waiting"
    )
    @app_commands.guild_only()
    @require_role("organizer")
    async def status(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        bot = self.bot
        job_ids = [job.id for job in bot.jobs]
        async with bot.db.read() as session:
            statuses = await job_statuses(session, job_ids)
            sections = await feature_sections(session, bot.settings.config)
        waiting = []
        for job in bot.jobs:
            if job.backlog is not None:
                waiting.append((job.id, await job.backlog(bot.job_context)))
        latency = bot.latency
        embed = discord.Embed(title=tr(interaction, "core.status.title"))
        # "started 3 hours ago" / "desde hace 3 horas": Discord writes the relative time in
        # the reader's language, the catalog the words around it.
        embed.add_field(
            name=tr(interaction, "core.status.uptime"),
            value=tr(
                interaction, "core.status.uptime_value", since=discord_ts(bot.started_at, "R")
            ),
        )
        embed.add_field(
            name=tr(interaction, "core.status.latency"),
            value=tr(
                interaction,
                "core.status.latency_value",
                ms=0 if math.isnan(latency) else round(latency * 1000),
            ),
        )
        embed.add_field(name=tr(interaction, "core.status.database"), value=bot.db.backend)
        # In a rehearsal (the sandbox runs the jobs on its own clock) wall-clock housekeeping
        # such as the heartbeat never runs: say so rather than "has not run yet".
        rehearsal_only = (
            {job.id for job in bot.jobs if not job.in_sandbox}
            if bot.scheduler_mode == "manual"
            else set()
        )
        lines = []
        for status in statuses:
            if status.job_id in rehearsal_only:
                lines.append(
                    tr(interaction, "core.status.job_not_in_rehearsals", job=Safe(status.job_id))
                )
                continue
            if status.last_started_at is None:
                lines.append(tr(interaction, "core.status.job_never", job=Safe(status.job_id)))
                continue
            outcome = (
                "core.status.outcome_ok"
                if status.last_outcome == "ok"
                else "core.status.outcome_error"
            )
            detail = status.last_error if status.last_outcome != "ok" else status.last_detail
            lines.append(
                tr(
                    interaction,
                    "core.status.job_line",
                    job=Safe(status.job_id),
                    outcome=Safe(tr(interaction, outcome)),
                    when=discord_ts(status.last_started_at, "R"),
                    detail=Safe(f" ({job_detail(interaction, detail)})") if detail else "",
                )
            )
        embed.add_field(
            name=tr(interaction, "core.status.jobs"), value="\n".join(lines)[:1024], inline=False
        )
        backlog = [
            tr(interaction, "core.status.waiting_line", job=Safe(j), count=c)
            for j, c in waiting
            if c
        ]
        embed.add_field(
            name=tr(interaction, "core.status.waiting"),
            value="\n".join(backlog)[:1024] or tr(interaction, "core.status.waiting_none"),
            inline=False,
        )
        catalogs, locale = catalogs_of(interaction), locale_of(interaction)
        for section in sections:
            embed.add_field(
                name=catalogs.render(locale, section.title)[:256],
                value="\n".join(catalogs.render(locale, line) for line in section.lines)[:1024]
                or "-",
                inline=False,
            )
        await send(interaction, embed=embed)


async def setup(bot: HackBot) -> None:
    await bot.add_cog(Admin(bot))
