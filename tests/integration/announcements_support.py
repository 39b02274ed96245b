"""Helpers shared by the announcement sandbox tests (no tests here)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.models import Announcement, AnnouncementDelivery
from sandbox.harness import Sandbox, StepOutcome
from tests.integration.replies import expected
from tests.integration.teams_support import ok


async def compose(
    sandbox: Sandbox,
    handle: str,
    options: dict[str, Any] | None = None,
    *,
    title: str = "Kick-off",
    body: str = "La hackathon empieza **hoy**.",
) -> StepOutcome:
    """`/announce send` with ``options``, then the modal filled: the preview step."""
    opened = ok(await sandbox.run(handle, "announce send", options or {}))
    assert opened.replies[-1]["modal"] is not None, opened.replies
    return ok(await sandbox.submit(handle, {"title": title, "body": body}))


def confirm_label() -> str:
    return expected("announcements.preview.confirm")


def cancel_label() -> str:
    return expected("announcements.preview.cancel")


async def rows(sandbox: Sandbox) -> list[Announcement]:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return list(await session.scalars(select(Announcement).order_by(Announcement.id)))


async def deliveries(sandbox: Sandbox) -> list[AnnouncementDelivery]:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return list(
            await session.scalars(select(AnnouncementDelivery).order_by(AnnouncementDelivery.id))
        )


def posts(outcome: StepOutcome, channel: str) -> list[dict[str, Any]]:
    return [e for e in outcome.effects if e["type"] == "message" and e["channel"] == channel]


def dms(outcome: StepOutcome) -> list[dict[str, Any]]:
    return [
        e for e in outcome.effects if e["type"] == "message" and str(e["channel"]).startswith("dm:")
    ]
