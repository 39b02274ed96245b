"""`/team join` answers the member before its thread calls: the answer travels on the
interaction webhook, which Discord's rate limits exempt, and never waits behind the thread's
buckets."""

from __future__ import annotations

from sandbox.harness import Sandbox
from tests.integration.replies import assert_reply
from tests.integration.teams_support import ok


async def test_the_joiner_is_answered_before_the_thread_calls(sandbox: Sandbox) -> None:
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres", "open": True}))
    sandbox.discord.exchanges = []
    try:
        outcome = ok(await sandbox.run("bea", "team join", {"team": "Los Tigres"}))
        routes = [exchange.route for exchange in sandbox.discord.exchanges]
    finally:
        sandbox.discord.exchanges = None

    assert_reply(outcome, "teams.join.joined", team="Los Tigres")
    answer = next(i for i, route in enumerate(routes) if route.startswith("/webhooks/"))
    thread_calls = [i for i, route in enumerate(routes) if route.startswith("/channels/")]
    assert thread_calls, routes  # added to the thread, and a post there
    assert answer < min(thread_calls), routes
