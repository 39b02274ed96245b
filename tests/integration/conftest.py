"""The sandbox for cog and job tests: the real bot against the local Discord, Hub and Calendar,
on a real database (a fresh SQLite file, or the PostgreSQL of TEST_DATABASE_URL)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.clock import ManualClock
from bot.db import Database
from sandbox.harness import MemberSpec, Sandbox
from tests.conftest import CONFIG

START = datetime(2024, 3, 20, 10, 0, tzinfo=UTC)
MakeSandbox = Callable[..., Awaitable[Sandbox]]


async def _fresh_postgres(url: str) -> None:
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await db.dispose()


@pytest.fixture
async def make_sandbox(tmp_path: Path) -> AsyncIterator[MakeSandbox]:
    """``await make_sandbox(members={"ana": ("participant",)}, settings={...})``."""
    started: list[Sandbox] = []

    async def make(
        members: Mapping[str, tuple[str, ...] | MemberSpec] | None = None,
        settings: Mapping[str, Any] | None = None,
        clock: datetime = START,
        interaction_timeout: float = 3.0,
    ) -> Sandbox:
        url = os.environ.get("TEST_DATABASE_URL") or None
        if url:
            await _fresh_postgres(url)
        sandbox = Sandbox(
            CONFIG,
            clock=ManualClock(clock),
            db_url=url,
            overrides=settings,
            interaction_timeout=interaction_timeout,
            workdir=tmp_path,
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
