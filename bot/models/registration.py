"""Registration tables: the sign-up lists, who verified, and what a member says about themselves.

``Registration`` holds one row per sign-up, keyed by a keyed hash (HMAC-SHA256 with
``REGISTRATION_SECRET``) of the normalized email address: no address is ever stored in clear.
``user_id`` links the member who verified; it is unique, so a registration has one member and a
member one registration, on SQLite and PostgreSQL alike.

``MemberProfile`` is filled from the sign-up list when a member verifies and corrected by the
member with ``/profile``; the ``countries`` leaderboard and the team cards read it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, Snowflake, UTCDateTime

PARTICIPANT = "participant"
MENTOR = "mentor"
ROLES = (PARTICIPANT, MENTOR)
NAME_LENGTH = 200
HUB_USER_LENGTH = 96
TICKET_LENGTH = 100


class MemberProfile(Base):
    __tablename__ = "member_profiles"

    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    country: Mapped[str | None] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2
    hub_user: Mapped[str | None] = mapped_column(String(HUB_USER_LENGTH))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Registration(Base):
    """One sign-up (a participant ticket, a mentor form answer, or both for one address)."""

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex HMAC-SHA256
    participant: Mapped[bool] = mapped_column(Boolean, default=False)
    mentor: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    country: Mapped[str | None] = mapped_column(String(2))
    hub_user: Mapped[str | None] = mapped_column(String(HUB_USER_LENGTH))
    ticket_type: Mapped[str | None] = mapped_column(String(TICKET_LENGTH))
    user_id: Mapped[int | None] = mapped_column(Snowflake, unique=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by: Mapped[int | None] = mapped_column(Snowflake)  # an organizer who linked by hand
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VerifyAttempts(Base):
    """A member's failed /verify attempts in the current window (the rate limit)."""

    __tablename__ = "verify_attempts"

    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer, default=0)
