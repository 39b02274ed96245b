from __future__ import annotations

from datetime import timedelta

from bot.discord.timestamps import discord_ts
from bot.i18n import Message
from bot.services.status import job_statuses
from bot.text import Safe
from sandbox.harness import Sandbox
from tests.integration.replies import english, expected
from tests.integration.teams_support import reply_text

EXPIRY = Safe("team_expiry")  # job ids are shown as they are, in code spans


def status_fields(embed: dict[str, object]) -> dict[str, list[str]]:
    """The status embed's fields by name, each value as its lines."""
    fields = embed["fields"]
    assert isinstance(fields, list)
    return {f["name"]: f["value"].splitlines() for f in fields}


async def test_admin_status_shows_backend_jobs_and_waiting_work(sandbox: Sandbox) -> None:
    await sandbox.run("ana", "team create", {"name": "Los Tigres"})
    await sandbox.run("ana", "team invite", {"member": "@bea"})
    outcome = await sandbox.run("olga", "admin status")
    assert outcome.errors == []
    embed = outcome.replies[0]["embeds"][0]
    fields = status_fields(embed)
    assert embed["title"] == expected("core.status.title")
    assert fields[expected("core.status.database")] == [sandbox.bot.db.backend]  # type: ignore[union-attr]
    # No job has run yet: the clock has not moved.
    assert expected("core.status.job_never", job=EXPIRY) in fields[expected("core.status.jobs")]
    # The pending invitation is work waiting for the expiry job.
    assert (
        expected("core.status.waiting_line", job=EXPIRY, count=1)
        in fields[expected("core.status.waiting")]
    )


async def test_admin_status_reports_job_outcome_after_it_ran(sandbox: Sandbox) -> None:
    await sandbox.run("ana", "team create", {"name": "Los Tigres"})
    await sandbox.run("ana", "team invite", {"member": "@bea"})
    await sandbox.advance(timedelta(hours=49))
    outcome = await sandbox.run("olga", "admin status")
    fields = status_fields(outcome.replies[0]["embeds"][0])
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        [expiry] = await job_statuses(session, [str(EXPIRY)])
    assert expiry.last_outcome == "ok" and expiry.last_started_at is not None
    expired = expected("core.jobs.expired", count=1)
    assert (
        expected(
            "core.status.job_line",
            job=EXPIRY,
            outcome=Message("core.status.outcome_ok"),
            when=discord_ts(expiry.last_started_at, "R"),
            detail=Safe(f" ({expired})"),
        )
        in fields[expected("core.status.jobs")]
    )
    assert fields[expected("core.status.waiting")] == [expected("core.status.waiting_none")]


async def test_participant_cannot_use_admin_status(sandbox: Sandbox) -> None:
    outcome = await sandbox.run("dani", "admin status")
    assert outcome.errors == []
    assert outcome.replies[0]["ephemeral"] is True
    assert reply_text(outcome) == english(
        "core.errors.missing_role", role=Message("core.roles.organizer")
    )
    assert outcome.replies[0]["embeds"] == []
