"""The audit log: who did what to which team, for organizers to read back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.ops import AuditEntry

_AUDIT = cast(Table, AuditEntry.__table__)
# One Core insert, built once: the ORM's unit of work cost a team join more than the rest of
# its writes together.
_INSERT = insert(_AUDIT)


async def record(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    subject: str | None,
    now: datetime,
    **details: Any,
) -> None:
    """Write an audit entry in the caller's transaction (committed with it, or not at all)."""
    await session.execute(
        _INSERT,
        {
            "at": now,
            "actor_id": actor_id,
            "action": action,
            "subject": subject,
            "details": dict(details),
        },
    )


# The details that name the member an entry is about, in the order they are looked for.
AFFECTED_KEYS = ("invitee_id", "member_id", "new_captain")


@dataclass(frozen=True)
class AuditView:
    """An entry as organizers read it: ``member_id`` is the member it is about (invited,
    moved, kicked, handed the captaincy, gone from the server), when it is about one."""

    at: datetime
    actor_id: int | None
    action: str
    subject: str | None
    member_id: int | None = None


def affected(details: dict[str, Any] | None) -> int | None:
    """The member an entry's details name, if any."""
    for key in AFFECTED_KEYS:
        value = (details or {}).get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


async def recent(
    session: AsyncSession, *, limit: int = 20, subject: str | None = None
) -> list[AuditView]:
    """The newest entries first, optionally only those about ``subject`` (a team's name)."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if subject is not None:
        query = query.where(AuditEntry.subject == subject)
    rows = await session.scalars(query)
    return [
        AuditView(row.at, row.actor_id, row.action, row.subject, affected(row.details))
        for row in rows
    ]
