"""Helpers shared by the mentoring sandbox tests (no tests here): members, a mentor with a
profile, a team, and the mentoring rows read back from the real database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.models import MentorBooking, MentorProfile, MentorReminder, MentorRequest, MentorSlot
from sandbox.harness import MemberSpec, Sandbox
from sandbox.state import mentors as mentor_state
from tests.integration.teams_support import create_team, ok

MENTOR = ("mentor",)
PARTICIPANT = ("participant",)


def people(**extra: tuple[str, ...] | MemberSpec) -> dict[str, tuple[str, ...] | MemberSpec]:
    """mateo and marta mentor; ana, bea, carlos and dani (English) take part; olga organizes."""
    found: dict[str, tuple[str, ...] | MemberSpec] = {
        "mateo": MENTOR,
        "marta": MENTOR,
        "ana": PARTICIPANT,
        "bea": PARTICIPANT,
        "carlos": PARTICIPANT,
        "dani": MemberSpec(roles=PARTICIPANT, locale="en-US"),
        "olga": ("organizer",),
    }
    found.update(extra)
    return found


async def profile(
    sandbox: Sandbox, handle: str, expertise: str = "datasets, rag", **options: Any
) -> None:
    ok(await sandbox.run(handle, "mentor profile", {"expertise": expertise, **options}))


async def team(
    sandbox: Sandbox, captain: str = "ana", name: str = "Los Tigres", *rest: str
) -> None:
    await create_team(sandbox, captain, name, *rest)


async def rows(sandbox: Sandbox, model: Any) -> list[Any]:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return list(await session.scalars(select(model).order_by(model.id)))


async def slots(sandbox: Sandbox) -> list[MentorSlot]:
    return await rows(sandbox, MentorSlot)


async def bookings(sandbox: Sandbox) -> list[MentorBooking]:
    return await rows(sandbox, MentorBooking)


async def requests(sandbox: Sandbox) -> list[MentorRequest]:
    return await rows(sandbox, MentorRequest)


async def reminders(sandbox: Sandbox) -> list[MentorReminder]:
    return await rows(sandbox, MentorReminder)


async def profile_of(sandbox: Sandbox, handle: str) -> MentorProfile | None:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return await session.get(MentorProfile, sandbox.discord.user_id(handle))


async def state(sandbox: Sandbox) -> dict[str, Any]:
    """The rehearsal state line's mentoring sections."""
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        return await mentor_state.sections(session, sandbox)
