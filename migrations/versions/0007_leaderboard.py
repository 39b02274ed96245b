"""leaderboard

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 04:40:00

Leaderboard posts and the places they showed.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('leaderboard_posts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('board', sa.String(length=16), nullable=False),
    sa.Column('scheduled_for', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('claimed_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=True),
    sa.Column('channel_id', sa.BigInteger(), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('message_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('posted_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('places', sa.JSON(), nullable=False),
    sa.Column('published', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leaderboard_posts')),
    sa.UniqueConstraint('board', 'scheduled_for', name=op.f('uq_leaderboard_posts_board_scheduled_for'))
    )


def downgrade() -> None:
    op.drop_table('leaderboard_posts')
