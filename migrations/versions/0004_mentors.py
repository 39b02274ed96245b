"""mentors

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 04:40:00

Mentor profiles, slots, bookings and the help queue.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('mentor_profiles',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('expertise', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('bio', sa.Text(), nullable=True),
    sa.Column('created_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_mentor_profiles'))
    )
    op.create_table('mentor_requests',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.BigInteger(), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('preferred_mentor_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('mentor_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('queued_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('announced_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_claimed_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.BigInteger(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rated_by', sa.BigInteger(), nullable=True),
    sa.Column('claims', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.BigInteger(), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('thread_id', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('rating IS NULL OR (rating >= 1 AND rating <= 5)', name=op.f('ck_mentor_requests_rating_range')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_mentor_requests_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_requests'))
    )
    with op.batch_alter_table('mentor_requests', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_requests_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_mentor_requests_team_status', ['team_id', 'status'], unique=False)

    op.create_table('mentor_slots',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('mentor_id', sa.BigInteger(), nullable=False),
    sa.Column('starts_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('removed_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_mentor_slots_ends_after_start')),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_mentor_slots_team_id_teams'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_slots'))
    )
    with op.batch_alter_table('mentor_slots', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_slots_mentor_start', ['mentor_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_slots_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_slots_team_id'), ['team_id'], unique=False)

    op.create_table('mentor_bookings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.BigInteger(), nullable=False),
    sa.Column('booked_by', sa.BigInteger(), nullable=False),
    sa.Column('topic', sa.String(length=32), nullable=True),
    sa.Column('starts_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['slot_id'], ['mentor_slots.id'], name=op.f('fk_mentor_bookings_slot_id_mentor_slots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_mentor_bookings_team_id_teams'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_bookings'))
    )
    with op.batch_alter_table('mentor_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_bookings_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index('ix_mentor_bookings_team_status', ['team_id', 'status'], unique=False)
        batch_op.create_index('uq_mentor_bookings_live', ['slot_id'], unique=True, sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))

    op.create_table('mentor_reminders',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('offset_seconds', sa.Integer(), nullable=False),
    sa.Column('sent_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['mentor_bookings.id'], name=op.f('fk_mentor_reminders_booking_id_mentor_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_reminders')),
    sa.UniqueConstraint('booking_id', 'offset_seconds', name=op.f('uq_mentor_reminders_booking_id_offset_seconds'))
    )
    with op.batch_alter_table('mentor_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_reminders_booking_id'), ['booking_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('mentor_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_reminders_booking_id'))

    op.drop_table('mentor_reminders')
    with op.batch_alter_table('mentor_bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_mentor_bookings_live', sqlite_where=sa.text("status = 'booked'"), postgresql_where=sa.text("status = 'booked'"))
        batch_op.drop_index('ix_mentor_bookings_team_status')
        batch_op.drop_index(batch_op.f('ix_mentor_bookings_starts_at'))

    op.drop_table('mentor_bookings')
    with op.batch_alter_table('mentor_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_slots_team_id'))
        batch_op.drop_index(batch_op.f('ix_mentor_slots_starts_at'))
        batch_op.drop_index('ix_mentor_slots_mentor_start')

    op.drop_table('mentor_slots')
    with op.batch_alter_table('mentor_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_mentor_requests_team_status')
        batch_op.drop_index('ix_mentor_requests_status_created')

    op.drop_table('mentor_requests')
    op.drop_table('mentor_profiles')
