"""team name keys fold look-alike letters of other scripts

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:00:00

``name_key`` now counts a Cyrillic or Greek letter that looks like a Latin one as that Latin
letter (``bot.services.teams.names.name_key``). Keys stored before are recomputed, so lookups by
name keep finding every team. Two existing teams whose names now fold to the same key keep
their old keys (the older team is rekeyed first); nothing is renamed or lost.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEAMS = sa.table(
    "teams",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("name_key", sa.String),
)


def _rekey(key_of: Callable[[str], str]) -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_TEAMS.c.id, _TEAMS.c.name, _TEAMS.c.name_key).order_by(_TEAMS.c.id)
    ).all()
    taken = {row.name_key for row in rows}
    for row in rows:
        wanted = key_of(row.name)
        if wanted == row.name_key or wanted in taken:
            continue
        connection.execute(sa.update(_TEAMS).where(_TEAMS.c.id == row.id).values(name_key=wanted))
        taken.discard(row.name_key)
        taken.add(wanted)


def upgrade() -> None:
    from bot.services.teams.names import name_key

    _rekey(name_key)


def downgrade() -> None:
    from bot.text import fold

    _rekey(fold)
