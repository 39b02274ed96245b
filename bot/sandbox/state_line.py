"""The rehearsal's last line: the domain state read from the database, members by handle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.services import teams
from bot.services.teams import TeamRules

if TYPE_CHECKING:
    from bot.sandbox.harness import Sandbox

# Sections whose features do not exist yet stay empty, as the transcript contract says.
EMPTY_SECTIONS: dict[str, Any] = {
    "mentor_slots": [],
    "mentor_requests": [],
    "talks": [],
    "submissions": [],
    "announcements": [],
    "leaderboard_posts": 0,
}


async def domain_state(sandbox: Sandbox) -> dict[str, Any]:
    assert sandbox.settings is not None
    rules = TeamRules.from_settings(sandbox.settings.config)
    from bot.db import Database

    db = Database(sandbox.db_url)
    try:
        async with db.read() as session:
            snapshot = await teams.state_snapshot(session, rules, sandbox.clock.now())
    finally:
        await db.dispose()
    state: dict[str, Any] = {
        "teams": [
            {
                "name": team["name"],
                "captain": sandbox.handle_of(team["captain_id"]),
                "members": [sandbox.handle_of(uid) for uid in team["member_ids"]],
                "locked": team["locked"],
            }
            for team in snapshot
        ]
    }
    state.update(EMPTY_SECTIONS)
    return state
