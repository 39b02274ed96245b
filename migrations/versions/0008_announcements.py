"""announcements

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 04:40:00

Announcements, scheduled or sent, and their deliveries.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('author_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('channel_id', sa.BigInteger(), nullable=True),
    sa.Column('ping', sa.String(length=16), nullable=False),
    sa.Column('ping_role_id', sa.BigInteger(), nullable=True),
    sa.Column('dm_audience', sa.String(length=16), nullable=False),
    sa.Column('publish_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('finished_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.BigInteger(), nullable=True),
    sa.Column('cancelled_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('delivered', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements'))
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index('ix_announcements_status_publish_at', ['status', 'publish_at'], unique=False)

    op.create_table('announcement_deliveries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_announcement_deliveries_announcement_id_announcements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_deliveries')),
    sa.UniqueConstraint('announcement_id', 'user_id', name=op.f('uq_announcement_deliveries_announcement_id_user_id'))
    )
    with op.batch_alter_table('announcement_deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_announcement_deliveries_announcement_status', ['announcement_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('announcement_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_announcement_deliveries_announcement_status')

    op.drop_table('announcement_deliveries')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index('ix_announcements_status_publish_at')

    op.drop_table('announcements')
