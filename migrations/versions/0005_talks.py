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
    op.create_table('talk_subscribers',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('since', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dm_channel_id', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_talk_subscribers'))
    )
    op.create_table('talks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('calendar_event_id', sa.String(length=1024), nullable=False),
    sa.Column('series_id', sa.String(length=1024), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('location', sa.String(length=1024), nullable=False),
    sa.Column('start_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('all_day', sa.Boolean(), nullable=False),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('discord_event_id', sa.BigInteger(), nullable=True),
    sa.Column('discord_stale', sa.Boolean(), nullable=False),
    sa.Column('updated_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_talks')),
    sa.UniqueConstraint('calendar_event_id', name=op.f('uq_talks_calendar_event_id')),
    sa.UniqueConstraint('discord_event_id', name=op.f('uq_talks_discord_event_id'))
    )
    with op.batch_alter_table('talks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talks_start_at'), ['start_at'], unique=False)

    op.create_table('talk_reminders',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('talk_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('for_start', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('done_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['talk_id'], ['talks.id'], name=op.f('fk_talk_reminders_talk_id_talks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_talk_reminders')),
    sa.UniqueConstraint('talk_id', 'kind', 'for_start', name=op.f('uq_talk_reminders_talk_id_kind_for_start'))
    )
    with op.batch_alter_table('talk_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talk_reminders_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_talk_reminders_talk_id'), ['talk_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('talk_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_talk_reminders_talk_id'))
        batch_op.drop_index(batch_op.f('ix_talk_reminders_due_at'))

    op.drop_table('talk_reminders')
    with op.batch_alter_table('talks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_talks_start_at'))

    op.drop_table('talks')
    op.drop_table('talk_subscribers')
