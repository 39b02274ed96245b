"""Message catalogs: Spanish first, English complete.

Catalogs live in ``bot/locales/<lang>/<feature>.toml``; nested tables flatten into dotted keys
prefixed by the file's stem (``teams.toml`` -> ``teams.errors.name_taken``), except the shared
``[commands...]`` and ``[choices]`` tables, which each feature's file adds to as they are
(``commands.team.create.name``). Every string
parameter is neutralized (no markdown, no mention) unless wrapped in :class:`bot.text.Safe`.
"""

from __future__ import annotations

import copy
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


# Tables that every feature's file adds to a shared namespace instead of its own: the command
# names and descriptions that ``bot.discord.translator`` derives from the command path.
SHARED_TABLES = ("commands", "choices")


def load_catalog(language: str, root: Path = LOCALES_DIR) -> dict[str, str]:
    """Every ``<feature>.toml`` of ``language``, flattened; a key defined twice is an error."""
    messages: dict[str, str] = {}
    for path in sorted((root / language).glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        found: dict[str, str] = {}
        for key, value in data.items():
            if key in SHARED_TABLES and isinstance(value, Mapping):
                _flatten(key, value, found)
            else:
                _flatten(path.stem, {key: value}, found)
        clashes = sorted(found.keys() & messages.keys())
        if clashes:
            raise ValueError(f"{path}: keys defined twice: {', '.join(clashes)}")
        messages.update(found)
    return messages


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class Catalogs:
    """All catalogs, loaded once."""

    def __init__(self, root: Path = LOCALES_DIR, default: str = DEFAULT_LANGUAGE) -> None:
        self.default = default
        self.messages = {lang: load_catalog(lang, root) for lang in LANGUAGES}

    def has(self, key: str) -> bool:
        return key in self.messages[DEFAULT_LANGUAGE]

    def with_default(self, language: str) -> Catalogs:
        """The same messages, falling back to ``language`` (the event's ``default_locale``) for
        members whose language is unknown yet or not one the bot speaks."""
        view = copy.copy(self)
        view.default = language_of(language)
        return view

    def get(self, language: str, key: str) -> str | None:
        return self.messages.get(language, {}).get(key)

    def t(self, locale: str | None, key: str, /, **params: Any) -> str:
        """The message ``key`` in the language of ``locale`` with safe parameters."""
        language = language_of(locale, self.default)
        template = self.get(language, key) or self.get(self.default, key)
        if template is None:
            log.error("missing catalog key %s", key)
            return key
        safe = {name: self._param(locale, value) for name, value in params.items()}
        return template.format(**safe)

    def render(self, locale: str | None, message: Message) -> str:
        """``message`` in the language of ``locale`` (nested messages in the same language)."""
        return self.t(locale, message.key, **message.params)

    def _param(self, locale: str | None, value: Any) -> Any:
        if isinstance(value, Message):
            return Safe(self.render(locale, value))
        if isinstance(value, Safe) or not isinstance(value, str):
            return value
        return neutralize(value)


class Message:
    """A catalog key and its parameters, rendered later in the reader's language.

    A parameter may itself be a ``Message`` (a status word inside a sentence): it is rendered in
    the same language. This is how code that does not know the reader (jobs, services) says what
    to tell them.
    """

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params

    def __repr__(self) -> str:
        return f"Message({self.key!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.key, self.params) == (other.key, other.params)

    __hash__ = None  # type: ignore[assignment]


@cache
def catalogs() -> Catalogs:
    """The shipped catalogs (read from the package on first use, never at import)."""
    return Catalogs()
