"""Leaderboard tables: one row per board and scheduled time, claimed before anything is posted.

The unique ``(board, scheduled_for)`` pair is what keeps a board from being posted twice for one
scheduled time: whichever process inserts the row first posts it, after a restart or with two
bots on one database alike. The row keeps the Discord message it posted (or edited) and the
places it showed, so the next post can show who moved.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, Snowflake, UTCDateTime

# Post status.
CLAIMED = "claimed"  # a process is computing and posting it
POSTED = "posted"  # on Discord (``message_id``)
SKIPPED = "skipped"  # not posted: Hub outage or Discord refused (``reason``)


class LeaderboardPost(Base):
    __tablename__ = "leaderboard_posts"
    __table_args__ = (UniqueConstraint("board", "scheduled_for"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    board: Mapped[str] = mapped_column(String(16))
    scheduled_for: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(64))
    channel_id: Mapped[int | None] = mapped_column(Snowflake)
    message_id: Mapped[int | None] = mapped_column(Snowflake)
    # When the Discord message was first posted: an edit keeps its predecessor's.
    message_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # {entry key: place} as shown, for the arrows of the next post.
    places: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # None: publishing not configured; else "published" or "failed".
    published: Mapped[str | None] = mapped_column(String(16))
