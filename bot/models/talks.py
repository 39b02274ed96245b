"""Talks mirrored from the Google Calendar, their reminders and who subscribed to them.

``Talk.calendar_event_id`` is unique: a calendar event (or one instance of a recurring event)
is one talk, whatever the number of syncs and restarts; ``discord_event_id`` links it to its
Discord scheduled event. A reminder row exists per (talk, kind, start it was planned for):
moving a talk plans new rows, and a row is claimed (``pending`` -> ``sent`` or ``skipped``) by
a conditional update before anything is delivered; each message delivered is then recorded on
the row, so a process that dies mid-delivery leaves the rest to the next one and at most the
message in flight goes out twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, Snowflake, UTCDateTime

# Reminder statuses.
REMINDER_PENDING = "pending"
REMINDER_SENT = "sent"
REMINDER_SKIPPED = "skipped"
# Notice kinds (reminder kinds are the offsets written as "24h", "1h", "10m").
NOTICE_CANCELLED = "cancelled"
NOTICE_MOVED = "moved"

CALENDAR_ID_LENGTH = 1024
TITLE_LENGTH = 200


class Talk(Base):
    __tablename__ = "talks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    calendar_event_id: Mapped[str] = mapped_column(String(CALENDAR_ID_LENGTH), unique=True)
    series_id: Mapped[str | None] = mapped_column(String(CALENDAR_ID_LENGTH))
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(CALENDAR_ID_LENGTH), default="")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    discord_event_id: Mapped[int | None] = mapped_column(Snowflake, unique=True)
    # The Discord event no longer shows what the talk is (created, changed or cancelled since).
    discord_stale: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TalkReminder(Base):
    __tablename__ = "talk_reminders"
    __table_args__ = (UniqueConstraint("talk_id", "kind", "for_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talks.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    for_start: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default=REMINDER_PENDING)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # While a process delivers a ``sent`` reminder: its claim (NULL once every message went
    # out), when it last recorded progress, and how far it got (NULL: nothing; 0: the channel
    # post; a user id: the DMs up to that subscriber). A claim with no progress for
    # ``talks.reminder_takeover`` is taken over from there.
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_through: Mapped[int | None] = mapped_column(Snowflake)


class TalkSubscriber(Base):
    """A member who wants talk reminders by DM (and holds the talk-alerts role)."""

    __tablename__ = "talk_subscribers"

    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    # Their DM channel, opened when they subscribed: a reminder to a thousand subscribers then
    # costs a message each, not a DM opening each (Discord allows about one a second).
    dm_channel_id: Mapped[int | None] = mapped_column(Snowflake)
