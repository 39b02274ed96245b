from __future__ import annotations

import logging
import sys

import pytest

from bot.logs import ScrubFilter, ScrubFormatter, redact_values, scrub, setup_logging

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


HF_TOKEN = "hf_abcdefghijklmnopqrstuvwxyz012345"
ODD_TOKEN = "sandbox.token.that-matches-no-known-shape"
DATABASE_URL = "postgresql+asyncpg://hackbot:s3cret-pa55@db:5432/hackbot"


def _formatted(record: logging.LogRecord) -> str:
    """The record as the bot's handler writes it: filtered, then formatted."""
    assert ScrubFilter().filter(record)
    return ScrubFormatter("%(levelname)s %(name)s: %(message)s").format(record)


def _record_of(exc: BaseException, message: str = "unexpected error") -> logging.LogRecord:
    try:
        raise exc
    except type(exc):
        return logging.LogRecord(
            "bot", logging.ERROR, __file__, 1, message, None, sys.exc_info(), stack_info=None
        )


def test_exception_text_and_traceback_are_scrubbed() -> None:
    # The traceback holds the exception's message and this file's source lines: both carry
    # the Discord token, the HF token and the database password.
    error = RuntimeError(f"login failed: {DISCORD_TOKEN} {HF_TOKEN} {DATABASE_URL}")
    text = _formatted(_record_of(error))

    assert "Traceback" in text and "RuntimeError: login failed" in text
    for secret in (DISCORD_TOKEN, HF_TOKEN, "s3cret-pa55"):
        assert secret not in text


def test_a_chained_exception_is_scrubbed_too() -> None:
    try:
        try:
            raise ValueError(f"Authorization: Bot {DISCORD_TOKEN}")
        except ValueError as inner:
            raise RuntimeError("while connecting") from inner
    except RuntimeError:
        record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    text = _formatted(record)
    assert "ValueError" in text and DISCORD_TOKEN not in text


def test_known_secret_values_are_redacted_whatever_their_shape() -> None:
    redact_values(ODD_TOKEN, None, DATABASE_URL, "short")
    text = _formatted(_record_of(KeyError(f"{ODD_TOKEN} password is s3cret-pa55")))
    assert ODD_TOKEN not in text and "s3cret-pa55" not in text
    # A value too short to redact safely leaves ordinary words alone.
    assert scrub("a short story") == "a short story"


def test_a_logged_stack_is_scrubbed() -> None:
    record = logging.LogRecord(
        "bot", logging.WARNING, __file__, 1, "here", None, None, stack_info=f"x = '{HF_TOKEN}'"
    )
    assert HF_TOKEN not in _formatted(record)


def test_setup_logging_installs_the_scrubbing_formatter() -> None:
    root, library = logging.getLogger(), logging.getLogger("discord")
    before, levels = list(root.handlers), (root.level, library.level)
    try:
        setup_logging("INFO")
        [handler] = [h for h in root.handlers if getattr(h, "_hackbot", False)]
        assert isinstance(handler.formatter, ScrubFormatter)
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
        root.setLevel(levels[0])
        library.setLevel(levels[1])
