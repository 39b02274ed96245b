"""The audit log: who did what to which team, for organizers to read back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.ops import AuditEntry


def record(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str,
    subject: str | None,
    now: datetime,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry to the caller's transaction (written with it, or not at all)."""
    entry = AuditEntry(
        at=now, actor_id=actor_id, action=action, subject=subject, details=dict(details)
    )
    session.add(entry)
    return entry
