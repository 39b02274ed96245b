"""The DM fan-out: a throttled queue within Discord's limits (the local Discord enforces them),
closed DMs counted and never retried, and a delivery report for the organizer."""

from __future__ import annotations

import time

from sandbox.discord.ratelimits import Limit, RouteLimit
from sandbox.harness import MemberSpec
from tests.integration.announcements_support import compose, confirm_label, deliveries, dms, rows
from tests.integration.conftest import MakeSandbox
from tests.integration.replies import expected
from tests.integration.teams_support import ok, reply_text

MEMBERS = 500
CLOSED_EVERY = 10  # one member in ten does not accept DMs
RATE = 20  # DMs per second, the most the settings allow


async def test_fan_out_to_500_members_with_a_tenth_closed_reports_450_and_50(
    make_sandbox: MakeSandbox,
) -> None:
    members: dict[str, tuple[str, ...] | MemberSpec] = {"olga": ("organizer",)}
    for i in range(MEMBERS):
        members[f"p{i:03d}"] = MemberSpec(roles=("participant",), dms=i % CLOSED_EVERY != 0)
    sandbox = await make_sandbox(
        members=members, settings={"announcements": {"messages_per_second": RATE}}
    )
    # Opening a DM channel has an undocumented limit; the local Discord assumes 10 per 10 s,
    # which alone would make 500 DMs take 500 s. Discord's documented global limit (50
    # requests per second) still holds, and so do the per-channel message buckets.
    sandbox.discord.ratelimits.routes[("POST", "/users/@me/channels")] = RouteLimit(
        "dm-open", Limit(50, 1.0)
    )
    sandbox.settle_limit = 90.0  # 500 DMs at 20 a second

    preview = await compose(sandbox, "olga", {"post": False, "dm": "participants"})
    assert expected("announcements.preview.reach", count=MEMBERS) in reply_text(preview)
    began = time.monotonic()
    sent = ok(await sandbox.click("olga", label=confirm_label()))
    elapsed = time.monotonic() - began

    delivered = dms(sent)
    failed = [e for e in sent.effects if e["type"] == "dm_failed"]
    assert len(delivered) == 450 and len(failed) == 50
    assert len({e["channel"] for e in delivered}) == 450  # nobody twice
    [row] = await rows(sandbox)
    assert (row.status, row.recipients, row.delivered, row.closed, row.failed) == (
        "sent",
        500,
        450,
        50,
        0,
    )
    assert {d.status for d in await deliveries(sandbox)} == {"sent", "closed"}
    report = reply_text(sent)
    assert "450" in report and "50" in report
    # Paced: 500 DMs at 20 a second take at least 25 s; and Discord never answered 429.
    assert elapsed >= MEMBERS / RATE
    assert sandbox.discord.ratelimits.limited_routes == {}, (
        sandbox.discord.ratelimits.limited_routes
    )
    print(f"fan-out of {MEMBERS} DMs: {elapsed:.1f} s")
