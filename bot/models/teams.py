"""Team formation tables: teams, members, invitations, join requests, looking-for-team profiles.

Capacity is kept in ``Team.size`` and changed only by conditional updates
(``size = size + 1 WHERE size < :max``) in the same transaction as the membership row, and
``TeamMember.user_id`` is unique: one team per member, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, Snowflake, UTCDateTime

# Statuses shared by invitations and join requests.
PENDING = "pending"
ACCEPTED = "accepted"
DECLINED = "declined"
EXPIRED = "expired"
FULL = "full"
CANCELLED = "cancelled"
STATUSES = (PENDING, ACCEPTED, DECLINED, EXPIRED, FULL, CANCELLED)

NAME_COLUMN_LENGTH = 100
_PENDING_ONLY = text("status = 'pending'")


class Team(Base):
    """A team; ``name_key`` is the folded name (case, accents, spacing) and is unique."""

    __tablename__ = "teams"
    __table_args__ = (
        CheckConstraint("size >= 0", name="size_not_negative"),
        Index(
            "ix_teams_name_key_prefix",
            "name_key",
            postgresql_ops={"name_key": "text_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_COLUMN_LENGTH))
    name_key: Mapped[str] = mapped_column(String(NAME_COLUMN_LENGTH), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    captain_id: Mapped[int] = mapped_column(Snowflake)
    open: Mapped[bool] = mapped_column(Boolean, default=False)
    size: Mapped[int] = mapped_column(Integer, default=0)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    looking_for: Mapped[list[str]] = mapped_column(JSON, default=list)
    thread_id: Mapped[int | None] = mapped_column(Snowflake)
    forum_post_id: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TeamMember(Base):
    """Membership; ``user_id`` is unique, so a member belongs to one team at most."""

    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Snowflake, unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Invitation(Base):
    """A single-use invitation from a team member to a member without team."""

    __tablename__ = "team_invitations"
    __table_args__ = (
        Index(
            "uq_team_invitations_pending",
            "team_id",
            "invitee_id",
            unique=True,
            sqlite_where=_PENDING_ONLY,
            postgresql_where=_PENDING_ONLY,
        ),
        Index("ix_team_invitations_invitee_status", "invitee_id", "status"),
        Index("ix_team_invitations_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    inviter_id: Mapped[int] = mapped_column(Snowflake)
    invitee_id: Mapped[int] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel_id: Mapped[int | None] = mapped_column(Snowflake)
    message_id: Mapped[int | None] = mapped_column(Snowflake)


class JoinRequest(Base):
    """A member's request to join a team that is not open; the captain answers it."""

    __tablename__ = "team_join_requests"
    __table_args__ = (
        Index(
            "uq_team_join_requests_pending",
            "team_id",
            "user_id",
            unique=True,
            sqlite_where=_PENDING_ONLY,
            postgresql_where=_PENDING_ONLY,
        ),
        Index("ix_team_join_requests_user_status", "user_id", "status"),
        Index("ix_team_join_requests_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[int | None] = mapped_column(Snowflake)
    channel_id: Mapped[int | None] = mapped_column(Snowflake)
    message_id: Mapped[int | None] = mapped_column(Snowflake)


class LftProfile(Base):
    """A looking-for-team profile. Kept (``looking`` false) once its member joins a team, so
    the team's skills and languages stay known for matching."""

    __tablename__ = "lft_profiles"

    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    utc_offset_minutes: Mapped[int | None] = mapped_column(Integer)
    looking: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    post_id: Mapped[int | None] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TeamsControl(Base):
    """The organizers' global switch (single row, ``id = 1``)."""

    __tablename__ = "teams_control"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_by: Mapped[int | None] = mapped_column(Snowflake)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
