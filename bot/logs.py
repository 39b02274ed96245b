"""Logging, configured once at start; secrets are scrubbed from every record.

Scrubbing covers the whole record as written: the message, the exception text and the
traceback (an exception's message or a frame's source line can hold a token or a database
URL), and a logged stack. Secrets are recognized by shape (Discord and Hugging Face tokens,
``Bot``/``Bearer`` credentials, private keys, passwords in URLs) and, once the settings are
loaded, by value (:func:`redact_values`): the configured tokens and database password are
redacted wherever they appear, whatever their shape.
"""

from __future__ import annotations

import logging
import re
import sys
from urllib.parse import unquote, urlsplit

REDACTED = "[redacted]"
# A known secret shorter than this is not redacted by value (it would blank common words);
# its shape still is.
MIN_SECRET_LENGTH = 6

_SECRET_PATTERNS = [
    re.compile(r"[MN][A-Za-z\d_-]{23,25}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,}"),  # Discord bot token
    re.compile(r"hf_[A-Za-z0-9]{20,}"),  # Hugging Face token
    re.compile(r"(Bearer|Bot)\s+[A-Za-z0-9._\-]+", re.I),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
    re.compile(r"(?<=://)([^:/@\s]+):([^@/\s]+)@"),  # passwords in URLs
    re.compile(r"(?i)(password|passwd|pwd)=([^\s&;'\"]+)"),  # password=... in DSNs and errors
]
_known: set[str] = set()


def redact_values(*values: str | None) -> None:
    """Redact these secret values (tokens, a database URL's password) from every record."""
    for value in values:
        if not value:
            continue
        if "://" in value:
            password = urlsplit(value).password
            for candidate in (password, unquote(password) if password else None):
                if candidate and len(candidate) >= MIN_SECRET_LENGTH:
                    _known.add(candidate)
            continue
        if len(value) >= MIN_SECRET_LENGTH:
            _known.add(value)


def scrub(text: str) -> str:
    for secret in sorted(_known, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def _escape_controls(text: str) -> str:
    text = text.replace("\r", "\\r")
    return "".join(ch if ch in "\n\t" or ch >= " " else f"\\x{ord(ch):02x}" for ch in text)


class ScrubFilter(logging.Filter):
    """Replaces secrets and control characters in the message, and secrets in the exception
    text and stack the record carries (rendered here once, then cached on the record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _escape_controls(scrub(message))
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class ScrubFormatter(logging.Formatter):
    """A formatter whose every output line is scrubbed (the last line of defence)."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def setup_logging(level: str = "INFO") -> None:
    """Configure the root logger once (idempotent)."""
    root = logging.getLogger()
    if any(getattr(h, "_hackbot", False) for h in root.handlers):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ScrubFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ScrubFilter())
    handler._hackbot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("discord").setLevel(max(logging.getLevelName(level), logging.INFO))
