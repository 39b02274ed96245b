"""`/admin submissions` (the jury's CSV) and `/admin reverify [team]` (organizers)."""

from __future__ import annotations

import csv
import io
from typing import Any

import discord
from discord import app_commands

from bot.app import HackBot
from bot.discord.admin_group import AdminCommands
from bot.discord.checks import require_role
from bot.discord.replies import defer, send, tr
from bot.discord.submissions import announce_batch
from bot.services import submissions
from bot.services.submissions import store
from bot.services.submissions.store import ExportRow

CSV_NAME = "submissions.csv"
CSV_COLUMNS = (
    "team",
    "members",
    "repo",
    "kind",
    "pinned_sha",
    "commit_time",
    "status",
    "failed_checks",
    "submission_time",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text (never runs it as a formula)."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def iso(value: Any) -> str:
    return value.isoformat().replace("+00:00", "Z") if value is not None else ""


def export_csv(rows: list[ExportRow], names: dict[int, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        view = row.submission
        members = "; ".join(f"{names.get(m, m)} ({m})" for m in row.member_ids)
        writer.writerow(
            [
                cell(row.team),
                cell(members),
                view.repo_id,
                view.kind,
                view.sha or "",
                iso(view.committed_at),
                view.status,
                " ".join(view.failed_checks),
                iso(view.submitted_at),
            ]
        )
    return out.getvalue().encode("utf-8")


class SubmissionAdmin(AdminCommands):
    def __init__(self, bot: HackBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="submissions", description="Export every team's current submissions as CSV"
    )
    @app_commands.guild_only()
    @require_role("organizer")
    async def export(self, interaction: discord.Interaction[Any]) -> None:
        await defer(interaction)
        async with self.bot.db.read() as session:
            rows = await store.export_rows(session)
        names: dict[int, str] = {}
        guild = interaction.guild
        for row in rows:
            for member_id in row.member_ids:
                member = guild.get_member(member_id) if guild is not None else None
                names[member_id] = member.display_name if member is not None else str(member_id)
        data = export_csv(rows, names)
        await interaction.followup.send(
            tr(interaction, "submissions.admin.exported", count=len(rows)),
            file=discord.File(io.BytesIO(data), filename=CSV_NAME),
            ephemeral=True,
        )

    @app_commands.command(name="reverify", description="Verify submissions on the Hub again")
    @app_commands.describe(team="Only this team (default: every team)")
    @app_commands.guild_only()
    @require_role("organizer")
    async def reverify(
        self,
        interaction: discord.Interaction[Any],
        team: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        await defer(interaction)
        team_id = None
        if team is not None:
            async with self.bot.db.read() as session:
                team_id = (await store.team_by_name(session, team)).id
        batch = await submissions.reverify(
            self.bot.db, self.bot.hub, self.bot.settings.config, self.bot.clock.now(), team_id
        )
        await announce_batch(self.bot.job_context.notifier, batch)
        await send(
            interaction,
            tr(
                interaction,
                "submissions.admin.reverified",
                count=len(batch.done),
                late=len(batch.late),
                pending=batch.still_pending,
            ),
        )


async def setup(bot: HackBot) -> None:
    await bot.add_cog(SubmissionAdmin(bot))
