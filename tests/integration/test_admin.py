from __future__ import annotations

from datetime import timedelta

from sandbox.harness import Sandbox


async def test_admin_status_shows_backend_jobs_and_waiting_work(sandbox: Sandbox) -> None:
    await sandbox.run("ana", "team create", {"name": "Los Tigres"})
    await sandbox.run("ana", "team invite", {"member": "@bea"})
    outcome = await sandbox.run("olga", "admin status")
    assert outcome.errors == []
    embed = outcome.replies[0]["embeds"][0]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert embed["title"] == "Estado de hackbot"
    assert fields["Base de datos"] == sandbox.bot.db.backend  # type: ignore[union-attr]
    assert "`team_expiry`" in fields["Tareas programadas"]
    assert "`team_expiry`: 1" in fields["Trabajo pendiente"]  # the pending invitation


async def test_admin_status_reports_job_outcome_after_it_ran(sandbox: Sandbox) -> None:
    await sandbox.run("ana", "team create", {"name": "Los Tigres"})
    await sandbox.run("ana", "team invite", {"member": "@bea"})
    await sandbox.advance(timedelta(hours=49))
    outcome = await sandbox.run("olga", "admin status")
    fields = {f["name"]: f["value"] for f in outcome.replies[0]["embeds"][0]["fields"]}
    assert "`team_expiry`: ✅" in fields["Tareas programadas"]
    assert fields["Trabajo pendiente"] == "Nada pendiente."


async def test_participant_cannot_use_admin_status(sandbox: Sandbox) -> None:
    outcome = await sandbox.run("dani", "admin status")
    assert outcome.errors == []
    assert outcome.replies[0]["ephemeral"] is True
    assert "only for the organizer role" in outcome.replies[0]["content"]
    assert outcome.replies[0]["embeds"] == []
