"""Submission tables: each repo a team submitted for a deliverable, with its checklist.

Resubmitting a kind adds a row and clears ``is_current`` on the team's previous row of that kind:
the history is kept and a team has at most one current row per kind. What other features may
read: ``team_id``, ``kind``, ``repo_id``, ``sha``, ``status``, ``checks`` and ``is_current``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, Snowflake, UTCDateTime

KINDS = ("dataset", "model", "space")
# Submission status.
PASSED = "passed"
FAILED = "failed"
PENDING = "pending"
# Outcome of one check, in ``Submission.checks``.
CHECK_PASSED = "passed"
CHECK_FAILED = "failed"
CHECK_WARNED = "warned"


class Submission(Base):
    __tablename__ = "submissions"
    __table_args__ = (
        Index(
            "uq_submissions_current_kind",
            "team_id",
            "kind",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # dataset | model | space
    repo_id: Mapped[str] = mapped_column(String(200))
    revision: Mapped[str | None] = mapped_column(String(100))  # as the member asked, if any
    sha: Mapped[str | None] = mapped_column(String(40))  # the pinned commit, what is judged
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # passed | failed | pending
    # {check id: "passed" | "failed" | "warned"}, in the order the checks ran.
    checks: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # What a member needs to fix each failed or warned check: {check id: {hint params}}.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_by: Mapped[int] = mapped_column(Snowflake)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    # Pending (Hub unreachable or rate-limited): how many verifications failed, and when the
    # retry job tries again.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # A retry's result written and not yet posted in the team's thread: the retry job posts it,
    # then clears this (a crash in between leaves it for the next run).
    result_due: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The newest commit seen after the deadline, once organizers were told about it.
    late_sha: Mapped[str | None] = mapped_column(String(40))


class SubmissionNudge(Base):
    """One deadline reminder sent to a team's thread; (team, stage) is unique: exactly once."""

    __tablename__ = "submission_nudges"
    __table_args__ = (UniqueConstraint("team_id", "stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16))  # the nudge's offset before the deadline, "48h"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
