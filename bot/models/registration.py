"""Registration tables: what a member says about themselves (country, Hub user).

``MemberProfile`` is filled from the sign-up list when a member verifies and corrected by the
member with ``/profile``; the ``countries`` leaderboard and the team cards read it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, Snowflake, UTCDateTime


class MemberProfile(Base):
    __tablename__ = "member_profiles"

    user_id: Mapped[int] = mapped_column(Snowflake, primary_key=True, autoincrement=False)
    country: Mapped[str | None] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2
    hub_user: Mapped[str | None] = mapped_column(String(96))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
