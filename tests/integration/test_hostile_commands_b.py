"""Hostile input through every command: two more shards (see test_hostile_commands_a.py)."""

from __future__ import annotations

import pytest

from tests.integration.conftest import MakeSandbox
from tests.integration.hostile_support import hostile_shard


@pytest.mark.parametrize("index", [2, 3])
async def test_every_command_answers_every_hostile_input(
    make_sandbox: MakeSandbox, index: int
) -> None:
    await hostile_shard(make_sandbox, index)
