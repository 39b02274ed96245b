"""reminder claims and retry results to post

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 07:40:00

Talk and mentoring reminders record their claim and each message delivered, so a process
started after a crash finishes a reminder the dead one had begun; a retried submission's result
is marked until it is posted, so a crash between the two does not lose the post.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.models.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("talk_reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("claimed_at", bot.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("sent_through", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("mentor_reminders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("claimed_at", bot.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("step", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("result_due", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("result_due")
    with op.batch_alter_table("mentor_reminders", schema=None) as batch_op:
        batch_op.drop_column("step")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claim")
    with op.batch_alter_table("talk_reminders", schema=None) as batch_op:
        batch_op.drop_column("sent_through")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("claim")
