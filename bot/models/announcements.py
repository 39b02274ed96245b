"""Announcement tables: what organizers broadcast, when, to whom, and each DM's outcome.

An ``Announcement`` row starts as the draft an organizer previews (its Confirm and Cancel
buttons carry its id, so they work after a restart). Once confirmed it is the audit record of a
broadcast (author, time, text, channel, who it pings, who gets it by DM, delivery counts) and
the schedule that sends it: the send job delivers rows whose ``publish_at`` has come, moving
``status`` from scheduled to sending to sent by conditional updates, so one worker wins and a
restart never sends twice. A DM fan-out keeps one
``AnnouncementDelivery`` row per recipient, claimed before its DM is sent: a restart resumes the
fan-out with the rows still pending and never sends a claimed one again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, Snowflake, UTCDateTime

# Announcement status. A draft is a preview waiting for Confirm (nothing is sent from it);
# Cancel on the preview discards it.
DRAFT = "draft"
DISCARDED = "discarded"
SCHEDULED = "scheduled"
SENDING = "sending"
SENT = "sent"
CANCELLED = "cancelled"
STATUSES = (DRAFT, DISCARDED, SCHEDULED, SENDING, SENT, CANCELLED)
# What organizers confirmed: the audit log of broadcasts.
CONFIRMED = (SCHEDULED, SENDING, SENT, CANCELLED)

# Who the channel post pings.
PING_NOBODY = "nobody"
PING_PARTICIPANTS = "participants"
PING_MENTORS = "mentors"
PING_ROLE = "role"
PING_EVERYONE = "everyone"
PINGS = (PING_NOBODY, PING_PARTICIPANTS, PING_MENTORS, PING_ROLE, PING_EVERYONE)

# Who gets the announcement by DM.
DM_NOBODY = "nobody"
DM_PARTICIPANTS = "participants"
DM_CAPTAINS = "captains"
DM_MISSING = "missing"  # members of teams missing a deliverable
DM_MENTORS = "mentors"
DM_AUDIENCES = (DM_NOBODY, DM_PARTICIPANTS, DM_CAPTAINS, DM_MISSING, DM_MENTORS)

# Delivery status of one DM.
PENDING = "pending"
CLAIMED = "claimed"  # being sent; a claimed row is never sent again
DELIVERED = "sent"
CLOSED = "closed"  # the member does not accept DMs (Discord error 50007): not retried
FAILED = "failed"
DELIVERY_STATUSES = (PENDING, CLAIMED, DELIVERED, CLOSED, FAILED)

TITLE_MAX = 200
BODY_MAX = 1500  # the ping, the title (escaped, up to twice its length) and the body fit 2,000


class Announcement(Base):
    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_status_publish_at", "status", "publish_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    author_id: Mapped[int] = mapped_column(Snowflake)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    # Where it is posted; None: by DM only.
    channel_id: Mapped[int | None] = mapped_column(Snowflake)
    ping: Mapped[str] = mapped_column(String(16), default=PING_NOBODY)
    ping_role_id: Mapped[int | None] = mapped_column(Snowflake)
    dm_audience: Mapped[str] = mapped_column(String(16), default=DM_NOBODY)
    # When it goes out; a draft's None means "as soon as it is confirmed".
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=DRAFT)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(Snowflake)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[int | None] = mapped_column(Snowflake)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Delivery counts, final once status is sent.
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)


class AnnouncementDelivery(Base):
    """One DM of an announcement's fan-out."""

    __tablename__ = "announcement_deliveries"
    __table_args__ = (
        UniqueConstraint("announcement_id", "user_id"),
        Index("ix_announcement_deliveries_announcement_status", "announcement_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Snowflake)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    reason: Mapped[str | None] = mapped_column(String(32))  # why it failed
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
