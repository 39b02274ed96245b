"""Message catalogs: Spanish first, English complete.

Catalogs live in ``bot/locales/<lang>/<feature>.toml``; nested tables flatten into dotted keys
prefixed by the file's stem (``teams.toml`` -> ``teams.errors.name_taken``), except the shared
``[commands...]`` and ``[choices]`` tables, which each feature's file adds to as they are
(``commands.team.create.name``). Every string parameter is neutralized (no markdown, no
mention) unless wrapped in :class:`bot.text.Safe`.

Two kinds of entries besides plain strings:

- **Plural tables**: ``free = { one = "1 plaza libre", other = "{count} plazas libres" }``, whose
  keys are CLDR plural categories (``zero one two few many other``; ``other`` is required). The
  ``count`` parameter picks the form by the language's CLDR plural rules (Babel); a form the
  table lacks falls back to ``other``.
- **Command placeholders**: ``{cmd_team_leave}`` names the command ``/team leave``. Nobody passes
  it: the catalog fills it with a Discord command mention (``</team leave:id>``, which every client
  shows in its own language and which runs the command when clicked) once the bot knows the
  command's id (:meth:`Catalogs.with_commands`), and with the command's name in the reader's
  language until then. Command names have no underscore, so the path is unambiguous.
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

from babel import Locale
from babel.plural import PluralRule

from bot.text import Safe, neutralize

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"
PLURAL_FORMS = frozenset({"zero", "one", "two", "few", "many", "other"})
COMMAND_PLACEHOLDER = "cmd_"

Entry = str | dict[str, str]
CommandIds = Mapping[str, int]


def language_of(locale: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Map a Discord locale ("es-ES", "es-419", "en-US", "en-GB"...) to a catalog language."""
    if not locale:
        return default
    base = str(locale).split("-", 1)[0].lower()
    return base if base in LANGUAGES else default


def is_plural_table(value: Mapping[str, Any]) -> bool:
    """A table whose keys are CLDR plural categories, ``other`` among them."""
    return (
        "other" in value
        and set(value) <= PLURAL_FORMS
        and all(isinstance(form, str) for form in value.values())
    )


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, Entry]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}"
        if isinstance(value, Mapping) and is_plural_table(value):
            out[full] = {form: str(text) for form, text in value.items()}
        elif isinstance(value, Mapping):
            _flatten(full, value, out)
        else:
            out[full] = str(value)


# Tables that every feature's file adds to a shared namespace instead of its own: the command
# names and descriptions that ``bot.discord.translator`` derives from the command path.
SHARED_TABLES = ("commands", "choices")


def load_catalog(language: str, root: Path = LOCALES_DIR) -> dict[str, Entry]:
    """Every ``<feature>.toml`` of ``language``, flattened; a key defined twice is an error."""
    entries: dict[str, Entry] = {}
    for path in sorted((root / language).glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        found: dict[str, Entry] = {}
        for key, value in data.items():
            if key in SHARED_TABLES and isinstance(value, Mapping):
                _flatten(key, value, found)
            else:
                _flatten(path.stem, {key: value}, found)
        clashes = sorted(found.keys() & entries.keys())
        if clashes:
            raise ValueError(f"{path}: keys defined twice: {', '.join(clashes)}")
        entries.update(found)
    return entries


@cache
def placeholders(template: str) -> frozenset[str]:
    """Every field ``template`` names, command placeholders included."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def parameters(template: str) -> set[str]:
    """The fields a caller passes: every placeholder but the commands the catalog fills."""
    return {name for name in placeholders(template) if not name.startswith(COMMAND_PLACEHOLDER)}


@cache
def plural_rule(language: str) -> PluralRule:
    """The CLDR plural rule of ``language`` (``one`` for 1 in Spanish and English...)."""
    return Locale.parse(language).plural_form


def plural_form(language: str, count: Any) -> str:
    """The CLDR category of ``count`` in ``language``; ``other`` for anything not a number."""
    if isinstance(count, bool) or not isinstance(count, int | float):
        return "other"
    return str(plural_rule(language)(abs(count)))


class Catalogs:
    """All catalogs, loaded once."""

    def __init__(self, root: Path = LOCALES_DIR, default: str = DEFAULT_LANGUAGE) -> None:
        self.default = default
        self.entries = {lang: load_catalog(lang, root) for lang in LANGUAGES}
        for lang in LANGUAGES:
            plural_rule(lang)  # Babel's locale data: about 60 ms, paid at start-up, not mid-burst
        # Plain strings by key (a plural table by its ``other`` form), and the plural tables.
        self.messages = {
            lang: {
                key: entry if isinstance(entry, str) else entry["other"]
                for key, entry in entries.items()
            }
            for lang, entries in self.entries.items()
        }
        self.plurals = {
            lang: {key: entry for key, entry in entries.items() if isinstance(entry, dict)}
            for lang, entries in self.entries.items()
        }
        self.command_ids: CommandIds = {}

    def has(self, key: str) -> bool:
        return key in self.messages[DEFAULT_LANGUAGE]

    def with_default(self, language: str) -> Catalogs:
        """The same messages, falling back to ``language`` (the event's ``default_locale``) for
        members whose language is unknown yet or not one the bot speaks."""
        view = copy.copy(self)
        view.default = language_of(language)
        return view

    def with_commands(self, command_ids: CommandIds) -> Catalogs:
        """The same messages, naming commands by mention with ``command_ids`` (top-level command
        name -> id, kept up to date by the bot after it syncs its commands)."""
        view = copy.copy(self)
        view.command_ids = command_ids
        return view

    def get(self, language: str, key: str) -> str | None:
        return self.messages.get(language, {}).get(key)

    def forms(self, language: str, key: str) -> list[str]:
        """Every template of ``key`` in ``language``: one, or each form of a plural table."""
        table = self.plurals.get(language, {}).get(key)
        if table is not None:
            return list(table.values())
        template = self.get(language, key)
        return [] if template is None else [template]

    def template(self, language: str, key: str, count: Any = None) -> str | None:
        """The template of ``key`` in ``language``, its plural form chosen by ``count``."""
        table = self.plurals.get(language, {}).get(key)
        if table is None:
            return self.get(language, key)
        return table.get(plural_form(language, count)) or table["other"]

    def t(self, locale: str | None, key: str, /, **params: Any) -> str:
        """The message ``key`` in the language of ``locale`` with safe parameters."""
        language = language_of(locale, self.default)
        if self.get(language, key) is None:
            language = self.default
        template = self.template(language, key, params.get("count"))
        if template is None:
            log.error("missing catalog key %s", key)
            return key
        safe = {name: self._param(locale, value) for name, value in params.items()}
        for name in placeholders(template):
            if name.startswith(COMMAND_PLACEHOLDER) and name not in safe:
                safe[name] = self.command(language, name.removeprefix(COMMAND_PLACEHOLDER))
        return template.format(**safe)

    def command(self, language: str, path: str) -> Safe:
        """The command ``path`` (``team_leave``) as a mention, or by name in ``language``."""
        parts = path.split("_")
        command_id = self.command_ids.get(parts[0])
        if command_id is not None:
            return Safe(f"</{' '.join(parts)}:{int(command_id)}>")
        names = [
            self.get(language, f"commands.{'.'.join(parts[: i + 1])}.name") or part
            for i, part in enumerate(parts)
        ]
        return Safe(f"`/{' '.join(names)}`")

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
