from __future__ import annotations

import logging

import pytest

from bot.logs import ScrubFilter, scrub

DISCORD_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789"


def test_tokens_keys_and_passwords_are_redacted() -> None:
    text = scrub(
        f"token={DISCORD_TOKEN} hf=hf_abcdefghijklmnopqrstuvwx "
        "url=postgresql+asyncpg://bot:hunter2@db/hackbot Authorization: Bearer abc.def"
    )
    assert DISCORD_TOKEN not in text
    assert "hf_abcdefghijklmnopqrstuvwx" not in text
    assert "hunter2" not in text
    assert "abc.def" not in text


def test_log_records_are_scrubbed_and_control_characters_escaped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("hackbot.test")
    logger.addFilter(ScrubFilter())
    try:
        with caplog.at_level(logging.INFO, logger="hackbot.test"):
            logger.info("member %s sent %s", "eve\x1b[31m\rfake line", DISCORD_TOKEN)
    finally:
        logger.filters.clear()
    message = caplog.records[0].getMessage()
    assert DISCORD_TOKEN not in message
    assert "\x1b" not in message and "\r" not in message
