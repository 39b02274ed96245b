"""The bot's own start-up on a 2,000-member server whose GUILD_CREATE holds only the bot: it
requests the members (op 8), becomes ready once they arrive, and members who left while it was
down still leave their teams (the reconciliation needs ``guild.chunked``)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.clock import ManualClock
from sandbox.harness import MemberSpec, Sandbox
from tests.conftest import CONFIG
from tests.integration.teams_support import ok, team_state

START = datetime(2024, 3, 20, 10, 0, tzinfo=UTC)
CROWD = 2_000


async def test_start_up_on_2000_members_chunks_becomes_ready_and_reconciles(
    tmp_path: Path,
) -> None:
    sandbox = Sandbox(CONFIG, clock=ManualClock(START), workdir=tmp_path)
    await sandbox.start()
    try:
        for handle in ("ana", "bea", "carlos"):
            sandbox.add_member(handle, MemberSpec(roles=("participant",)))
        await sandbox.settle()
        ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))
        ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))
        ok(await sandbox.run("carlos", "team join", {"team": "Los Tigres"}))
        for i in range(CROWD):
            sandbox.discord.add_member(sandbox.guild_id, f"crowd{i:04d}")
        await sandbox.settle()
        total = len(sandbox.discord.state.guild(sandbox.guild_id).members)
        assert total > CROWD

        await sandbox.kill_bot()
        sandbox.discord.remove_member(sandbox.guild_id, "carlos")  # nobody is listening
        requests_before = sandbox.discord.gateway.member_requests
        # How long this takes is measured by `make bench` (benchmarks/ready.py), not here.
        await sandbox.start_bot()

        session = max(sandbox.discord.gateway.sessions.values(), key=lambda s: s.attached_at)
        [created] = [p["d"] for p in session.buffer if p["t"] == "GUILD_CREATE"]
        assert [m["user"]["username"] for m in created["members"]] == ["hackbot"]
        assert created["member_count"] == total - 1 and created["large"] is True
        assert sandbox.discord.gateway.member_requests == requests_before + 1
        chunks = [p["d"] for p in session.buffer if p["t"] == "GUILD_MEMBERS_CHUNK"]
        assert [c["chunk_index"] for c in chunks] == [0, 1, 2]

        assert sandbox.bot is not None
        guild = sandbox.bot.guild
        assert guild is not None and guild.chunked
        assert len(guild.members) == total - 1
        assert (await team_state(sandbox))[0]["members"] == ["ana", "bea"]
    finally:
        await sandbox.close()
