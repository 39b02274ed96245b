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


def downgrade() -> None:
    with op.batch_alter_table('member_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_profiles_country'))

    op.drop_table('member_profiles')
