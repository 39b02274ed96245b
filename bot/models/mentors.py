"""Mentoring tables: mentor profiles, bookable slots, bookings and their reminders, and the
help queue.

A slot is booked by one team at most: ``MentorSlot.team_id`` changes only by a conditional
update (``SET team_id = :t WHERE team_id IS NULL``) in the same transaction as the booking row,
and a partial unique index keeps one live booking per slot. A help request is claimed the same
way (``SET mentor_id = :m, status = 'claimed' WHERE status = 'open'``). Reminders are rows with a
unique (booking, offset): written before they are sent, then each message recorded as it goes
out, so a process dying mid-reminder leaves the rest to the next and repeats at most one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, Snowflake, UTCDateTime

BOOKED = "booked"
CANCELLED = "cancelled"

OPEN = "open"
CLAIMED = "claimed"
RESOLVED = "resolved"
REQUEST_STATUSES = (OPEN, CLAIMED, RESOLVED, CANCELLED)

_BOOKED_ONLY = text("status = 'booked'")


class MentorProfile(Base):
    """A mentor's expertise tags, languages, time zone and bio."""

    __tablename__ = "mentor_profiles"

    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    expertise: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    timezone: Mapped[str] = mapped_column(String(64))
    bio: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MentorSlot(Base):
    """A time a mentor offers; ``team_id`` is the team that booked it (None: free)."""

    __tablename__ = "mentor_slots"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_mentor_slots_mentor_start", "mentor_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mentor_id: Mapped[int] = mapped_column(Snowflake)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True
    )
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MentorBooking(Base):
    """A team's booking of a slot; cancelled bookings stay as a record."""

    __tablename__ = "mentor_bookings"
    __table_args__ = (
        Index(
            "uq_mentor_bookings_live",
            "slot_id",
            unique=True,
            sqlite_where=_BOOKED_ONLY,
            postgresql_where=_BOOKED_ONLY,
        ),
        Index("ix_mentor_bookings_team_status", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("mentor_slots.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    mentor_id: Mapped[int] = mapped_column(Snowflake)
    booked_by: Mapped[int] = mapped_column(Snowflake)
    topic: Mapped[str | None] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=BOOKED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[int | None] = mapped_column(Snowflake)


class MentorReminder(Base):
    """A reminder sent (or being sent) for a booking, ``offset_seconds`` before it starts."""

    __tablename__ = "mentor_reminders"
    __table_args__ = (UniqueConstraint("booking_id", "offset_seconds"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("mentor_bookings.id", ondelete="CASCADE"), index=True
    )
    offset_seconds: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # While a process delivers it: its claim (NULL once all three messages went out), when it
    # last recorded progress, and the messages delivered (thread, mentor's DM, member's DM). A
    # claim with no progress for ``mentors.reminder_takeover`` is taken over from there.
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    step: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class MentorRequest(Base):
    """A help request in the queue: open, claimed by one mentor, resolved (and rated), or
    cancelled."""

    __tablename__ = "mentor_requests"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating_range"),
        Index("ix_mentor_requests_status_created", "status", "created_at"),
        Index("ix_mentor_requests_team_status", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    requester_id: Mapped[int] = mapped_column(Snowflake)
    topic: Mapped[str] = mapped_column(String(32))
    details: Mapped[str] = mapped_column(Text)
    preferred_mentor_id: Mapped[int | None] = mapped_column(Snowflake)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    mentor_id: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the request (re-)entered the queue, and when it was last announced there.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    announced_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[int | None] = mapped_column(Snowflake)
    rating: Mapped[int | None] = mapped_column(Integer)
    rated_by: Mapped[int | None] = mapped_column(Snowflake)
    claims: Mapped[int] = mapped_column(Integer, default=0)
    channel_id: Mapped[int | None] = mapped_column(Snowflake)
    message_id: Mapped[int | None] = mapped_column(Snowflake)
    thread_id: Mapped[int | None] = mapped_column(Snowflake)
