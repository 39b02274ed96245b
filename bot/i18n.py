"""Message catalogs: Spanish first, English complete.

Catalogs live in ``bot/locales/<lang>/<area>.toml``; nested tables flatten into dotted keys
prefixed by the file's stem (``teams.toml`` -> ``teams.errors.name_taken``). Every string
parameter is neutralized (no markdown, no mention) unless wrapped in :class:`bot.text.Safe`.
"""

from __future__ import annotations

import logging
import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from bot.text import Safe, neutralize

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"


def language_of(locale: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Map a Discord locale ("es-ES", "es-419", "en-US", "en-GB"...) to a catalog language."""
    if not locale:
        return default
    base = str(locale).split("-", 1)[0].lower()
    return base if base in LANGUAGES else default


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}"
        if isinstance(value, Mapping):
            _flatten(full, value, out)
        else:
            out[full] = str(value)


def load_catalog(language: str, root: Path = LOCALES_DIR) -> dict[str, str]:
    messages: dict[str, str] = {}
    for path in sorted((root / language).glob("*.toml")):
        _flatten(path.stem, tomllib.loads(path.read_text(encoding="utf-8")), messages)
    return messages


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Catalogs:
    """All catalogs, loaded once."""

    def __init__(self, root: Path = LOCALES_DIR, default: str = DEFAULT_LANGUAGE) -> None:
        self.default = default
        self.messages = {lang: load_catalog(lang, root) for lang in LANGUAGES}

    def has(self, key: str) -> bool:
        return key in self.messages[self.default]

    def get(self, language: str, key: str) -> str | None:
        return self.messages.get(language, {}).get(key)

    def t(self, locale: str | None, key: str, /, **params: Any) -> str:
        """The message ``key`` in the language of ``locale`` with safe parameters."""
        language = language_of(locale, self.default)
        template = self.get(language, key) or self.get(self.default, key)
        if template is None:
            log.error("missing catalog key %s", key)
            return key
        safe = {name: _safe(value) for name, value in params.items()}
        return template.format(**safe)


def _safe(value: Any) -> Any:
    if isinstance(value, Safe) or not isinstance(value, str):
        return value
    return neutralize(value)


@cache
def catalogs() -> Catalogs:
    """The shipped catalogs (read from the package on first use, never at import)."""
    return Catalogs()
