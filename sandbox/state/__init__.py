"""The rehearsal's last line: the domain state read from the database, members by handle.

Each feature contributes its own sections from ``sandbox/state/<feature>.py`` (a module with
``async def sections(session, sandbox) -> dict``), found by walking this package. The contract
(docs/rehearsals.md) fixes which sections the line has and what each holds while its feature
does not exist yet; a feature that contributes a section replaces that value.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from bot.db import Database
from bot.discovery import walk_modules

if TYPE_CHECKING:
    from sandbox.harness import Sandbox

# The sections of the transcript contract, each with its value before its feature exists.
CONTRACT_SECTIONS: dict[str, Any] = {
    "teams": [],
    "mentor_slots": [],
    "mentor_requests": [],
    "talks": [],
    "submissions": [],
    "announcements": [],
    "leaderboard_posts": 0,
}


def contributors() -> list[str]:
    import sandbox.state

    return walk_modules(sandbox.state, "sections")


def readable_state(state: dict[str, Any]) -> list[str]:
    """The state as lines a person reads: each feature words its own sections
    (``readable(state)``); any other section shows as a count."""
    lines: list[str] = []
    worded: set[str] = set()
    for name in contributors():
        module = importlib.import_module(name)
        readable = getattr(module, "readable", None)
        if readable is not None:
            lines.extend(readable(state))
            worded.update(module.SECTIONS)
    for key, value in state.items():
        if key in worded:
            continue
        count = value if isinstance(value, int) else len(value)
        lines.append(f"{key.replace('_', ' ')}: {count}")
    return lines


async def domain_state(sandbox: Sandbox) -> dict[str, Any]:
    """Every contract section, filled by the features that exist."""
    state = dict(CONTRACT_SECTIONS)
    db = Database(sandbox.db_url)
    try:
        async with db.read() as session:
            for name in contributors():
                contributed = await importlib.import_module(name).sections(session, sandbox)
                unknown = set(contributed) - set(CONTRACT_SECTIONS) - {"registrations"}
                if unknown:
                    raise ValueError(f"{name} contributes sections outside the contract: {unknown}")
                state.update(contributed)
    finally:
        await db.dispose()
    return state
