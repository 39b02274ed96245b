"""The registration field of `/admin status`: registered, verified and unverified counts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Message
from bot.models.registration import Registration
from bot.services.status import StatusSection
from bot.settings import Config


async def counts(session: AsyncSession) -> dict[str, int]:
    row = (
        await session.execute(
            select(
                func.count(Registration.id),
                func.count(Registration.user_id),
                func.count().filter(Registration.participant.is_(True)),
                func.count().filter(Registration.mentor.is_(True)),
            )
        )
    ).one()
    registered, verified, participants, mentors = (int(value or 0) for value in row)
    return {
        "registered": registered,
        "verified": verified,
        "unverified": registered - verified,
        "participants": participants,
        "mentors": mentors,
    }


async def status_section(session: AsyncSession, config: Config) -> StatusSection | None:
    found = await counts(session)
    return StatusSection(
        title=Message("registration.status.title"),
        lines=[
            Message("registration.status.registered", count=found["registered"]),
            Message(
                "registration.status.roles",
                participants=found["participants"],
                mentors=found["mentors"],
            ),
            Message("registration.status.verified", count=found["verified"]),
            Message("registration.status.unverified", count=found["unverified"]),
        ],
    )
