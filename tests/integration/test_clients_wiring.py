"""The bot's Hub and Calendar adapters are built from settings and reach the sandbox's servers:
the base the submission and talk features stand on."""

from __future__ import annotations

from datetime import UTC, datetime

from sandbox.harness import Sandbox

CARD = "---\nlicense: apache-2.0\nlanguage: [es]\n---\n# Tigre 7B\n"


async def test_bot_hub_client_reads_the_local_hub(sandbox: Sandbox) -> None:
    sandbox.hub.load({"models": {"somosnlp/tigre-7b": {"card": CARD, "likes": 12}}})
    assert sandbox.bot is not None
    info = await sandbox.bot.hub.model_info("somosnlp/tigre-7b")
    assert info.likes == 12
    assert info.card_data["license"] == "apache-2.0"
    assert any(path == "/api/models/somosnlp/tigre-7b" for _, path, _ in sandbox.hub.requests)


async def test_bot_calendar_client_syncs_the_configured_calendar(sandbox: Sandbox) -> None:
    sandbox.calendar.load(
        [
            {
                "id": "keynote-1",
                "summary": "Keynote: Corpus en español",
                "start": "2024-03-26T17:00:00Z",
                "end": "2024-03-26T18:00:00Z",
            }
        ],
        calendar_id=sandbox.calendar_id,
    )
    assert sandbox.bot is not None
    page = await sandbox.bot.calendar.list_changes(None)
    [event] = page.events
    assert (event.id, event.summary) == ("keynote-1", "Keynote: Corpus en español")
    assert event.start == datetime(2024, 3, 26, 17, tzinfo=UTC)
    assert page.next_sync_token
