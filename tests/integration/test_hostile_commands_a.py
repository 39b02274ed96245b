"""Hostile input through every command: each input of the corpus (tests/hostile/corpus.txt)
goes into every free-text option and every file option of every command the bot synced, and
into every field of every form (modal) a command opens, one at a time, the other options
holding harmless values.

Each must end in a clear refusal or a correct result: the interaction answered, nothing
logged at error level, nobody pinged, no control or zero-width character stored, and a
refused command leaves every table of the database exactly as it was (no partial write). A
value Discord's own client would not send (longer than the option's max_length) is refused by
the local Discord before the bot sees it, as on Discord; it is then sent anyway, as a modified
client would, and must be answered as cleanly.

The commands are walked from what the bot synced, in shards run as separate tests (pytest-xdist
spreads them), so a new command or option is covered without editing this file.
"""

from __future__ import annotations

import pytest

from tests.integration.conftest import MakeSandbox
from tests.integration.hostile_support import hostile_shard


@pytest.mark.parametrize("index", [0, 1])
async def test_every_command_answers_every_hostile_input(
    make_sandbox: MakeSandbox, index: int
) -> None:
    await hostile_shard(make_sandbox, index)
