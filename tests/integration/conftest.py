"""The sandbox for cog and job tests: the real bot against the local Discord, Hub and Calendar,
on a real database (a copy of the session's migrated SQLite file, or the PostgreSQL of
TEST_DATABASE_URL with its tables emptied): the sandbox does not migrate it again."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from sandbox.harness import MemberSpec, Sandbox
from tests.conftest import CONFIG, fresh_database

START = datetime(2024, 3, 20, 10, 0, tzinfo=UTC)
MakeSandbox = Callable[..., Awaitable[Sandbox]]


@pytest.fixture
async def make_sandbox(
    tmp_path: Path, migrated_template: Path | str, one_rsa_key: None
) -> AsyncIterator[MakeSandbox]:
    """``await make_sandbox(members={"ana": ("participant",)}, settings={...})``."""
    started: list[Sandbox] = []

    async def make(
        members: Mapping[str, tuple[str, ...] | MemberSpec] | None = None,
        settings: Mapping[str, Any] | None = None,
        clock: datetime = START,
        interaction_timeout: float = 3.0,
    ) -> Sandbox:
        url = await fresh_database(migrated_template, tmp_path / "hackbot.db")
        sandbox = Sandbox(
            CONFIG,
            clock=ManualClock(clock),
            db_url=url,
            overrides=settings,
            interaction_timeout=interaction_timeout,
            workdir=tmp_path,
            migrate=False,
        )
        started.append(sandbox)
        await sandbox.start()
        for handle, spec in (members or {}).items():
            sandbox.add_member(
                handle, spec if isinstance(spec, MemberSpec) else MemberSpec(roles=spec)
            )
        await sandbox.settle()
        return sandbox

    yield make
    for sandbox in started:
        await sandbox.close()


@pytest.fixture
async def sandbox(make_sandbox: MakeSandbox) -> Sandbox:
    """A sandbox with a few participants (ana, bea, carlos, dani in English) and an organizer."""
    return await make_sandbox(
        members={
            "ana": ("participant",),
            "bea": ("participant",),
            "carlos": ("participant",),
            "dani": MemberSpec(roles=("participant",), locale="en-US"),
            "olga": ("organizer",),
        }
    )
