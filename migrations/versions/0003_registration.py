"""registration

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 04:40:00

Member profiles (country, Hub user) and the sign-up lists.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('member_profiles',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('hub_user', sa.String(length=96), nullable=True),
    sa.Column('updated_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_member_profiles'))
    )
    with op.batch_alter_table('member_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_profiles_country'), ['country'], unique=False)

    op.create_table('registrations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('participant', sa.Boolean(), nullable=False),
    sa.Column('mentor', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('hub_user', sa.String(length=96), nullable=True),
    sa.Column('ticket_type', sa.String(length=100), nullable=True),
    sa.Column('user_id', sa.BigInteger(), nullable=True),
    sa.Column('verified_at', bot.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verified_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('email_hash', name=op.f('uq_registrations_email_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_registrations_user_id'))
    )
    op.create_table('verify_attempts',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('window_start', bot.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_verify_attempts'))
    )


def downgrade() -> None:
    op.drop_table('verify_attempts')
    op.drop_table('registrations')
    with op.batch_alter_table('member_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_profiles_country'))

    op.drop_table('member_profiles')
