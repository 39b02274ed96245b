"""The submissions field of `admin status`: current deliverables by status, and late commits."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Message
from bot.models.submissions import FAILED, PASSED, PENDING, Submission
from bot.services.status import StatusSection
from bot.settings import Config


async def status_section(session: AsyncSession, config: Config) -> StatusSection | None:
    rows = await session.execute(
        select(Submission.status, func.count())
        .where(Submission.is_current)
        .group_by(Submission.status)
    )
    counts = {status: int(count) for status, count in rows}
    late = int(
        await session.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.is_current, Submission.late_sha.is_not(None))
        )
        or 0
    )
    return StatusSection(
        title=Message("submissions.status.title"),
        lines=[
            Message(
                "submissions.status.counts",
                passed=counts.get(PASSED, 0),
                failed=counts.get(FAILED, 0),
                pending=counts.get(PENDING, 0),
            ),
            Message("submissions.status.late", count=late),
        ],
    )
