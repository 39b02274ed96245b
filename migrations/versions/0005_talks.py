"""talks

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 04:40:00

Talks mirrored from the Google Calendar, their Discord events and reminders.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
