"""Five members of one team submit its model at the same moment: every submission is kept in
the history and exactly one is current. Runs on SQLite and, with TEST_DATABASE_URL, on
PostgreSQL."""

from __future__ import annotations

import asyncio

from tests.integration.conftest import MakeSandbox
from tests.integration.submissions_support import MODEL, rows, team_with_hub
from tests.integration.teams_support import members

RACERS = ("ana", "bea", "carlos", "dani", "eva")


async def test_simultaneous_submissions_leave_one_current(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members=members(*RACERS))
    await team_with_hub(sandbox, *RACERS[1:])
    outcome = await sandbox.step(
        lambda: asyncio.gather(
            *(
                sandbox.discord.run_command(sandbox.guild_id, h, "submit", {"model": MODEL})
                for h in RACERS
            )
        )
    )
    assert outcome.errors == []
    history = await rows(sandbox, current_only=False)
    assert len(history) == len(RACERS)
    assert [r.is_current for r in history].count(True) == 1
    assert {r.submitted_by for r in history} == {sandbox.discord.user_id(h) for h in RACERS}
