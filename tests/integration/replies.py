"""What the bot should say, by catalog key and parameters (no tests here).

Integration tests assert replies and messages through the catalogs, rendered exactly as the bot
renders them, so a copy edit in ``bot/locales`` breaks none of them. The word-for-word Spanish
copy of the most visible messages is pinned, on purpose, in ``test_teams_copy.py`` only.

- Replies speak the language of the member who acted: members of the sandbox fixtures are
  Spanish (``es-ES``) unless a test gives them another locale (``dani`` is ``en-US``).
- Public messages (team threads, forum posts, announcements, edited invitation and request
  messages) speak the event's language, ``PUBLIC``.
- Parameters are given as the bot gives them: mentions with :func:`mention_of` or
  ``bot.discord.mentions``, times with ``bot.discord.timestamps.discord_ts``, translated words
  inside a sentence as :class:`bot.i18n.Message` (:func:`status`), and plain strings for what a
  member typed (the catalog neutralizes them as it does for the bot).
- Hints that name a command are Discord command mentions (``</team leave:123>``) whose id each
  sandbox's sync decides: :func:`expected` writes them with any id, and its text equals the
  bot's whatever the id (never the plain ``/equipo salir`` the bot writes before it knows the
  ids). :func:`command_mention` gives the exact mention a sandbox's bot writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from bot.discord.mentions import mention
from bot.i18n import Message, catalogs
from bot.text import Safe
from sandbox.harness import Sandbox, StepOutcome
from tests.integration.teams_support import reply_text, uid

SPANISH = "es-ES"
ENGLISH = "en-US"
PUBLIC = "es"  # config.toml [event] default_locale


_MENTIONED_COMMAND = re.compile(r"(</[^:>]+):[0-9]+>")


class _AnyCommandId(Mapping[str, int]):
    """Every command has an id (written 0): catalogs render command mentions, not names."""

    def __getitem__(self, name: str) -> int:
        return 0

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


_CATALOGS = catalogs().with_commands(_AnyCommandId())


class Rendered(str):
    """A message as the bot renders it, equal to a text that differs only in the ids of the
    commands it mentions (each sandbox syncs its commands with ids of its own)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        return str.__eq__(_MENTIONED_COMMAND.sub(r"\1:0>", other), str(self))

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = str.__hash__


def expected(key: str, /, locale: str | None = SPANISH, **params: Any) -> Rendered:
    """The catalog message ``key`` in ``locale`` with ``params``, as the bot renders it."""
    assert _CATALOGS.has(key), f"no catalog key {key}"
    return Rendered(_CATALOGS.t(locale, key, **params))


def command_mention(sandbox: Sandbox, *path: str) -> str:
    """The command mention the sandbox's bot writes for ``/team leave``
    (``command_mention(sandbox, "team", "leave")``): its real id, known since the sync."""
    assert sandbox.bot is not None
    return f"</{' '.join(path)}:{sandbox.bot.command_ids[path[0]]}>"


def english(key: str, /, **params: Any) -> Rendered:
    """``key`` in English, checked to read differently in Spanish: a test that expects it
    proves the reply followed the member's language, not just that it rendered."""
    text = expected(key, ENGLISH, **params)
    assert text != expected(key, SPANISH, **params), f"{key} reads the same in es and en"
    return text


def mention_of(sandbox: Sandbox, handle: str) -> Safe:
    """The mention of a sandbox member, as the bot writes it (``<@id>``)."""
    return mention(uid(sandbox, handle))


def status(name: str) -> Message:
    """A status word of an invitation or request (``accepted``, ``full``...)."""
    return Message(f"teams.status.{name}")


def command(*path: str, locale: str | None = SPANISH) -> str:
    """A slash command as members type it in ``locale``: ``command("team", "leave")`` is
    ``/equipo salir`` in Spanish."""
    names = [expected(f"commands.{'.'.join(path[: i + 1])}.name", locale) for i in range(len(path))]
    return "/" + " ".join(names)


def button_labels(locale: str | None = SPANISH) -> list[str]:
    """The Accept and Decline buttons of an invitation or a join request."""
    return [accept_label(locale), decline_label(locale)]


def accept_label(locale: str | None = SPANISH) -> str:
    return expected("teams.buttons.accept", locale)


def decline_label(locale: str | None = SPANISH) -> str:
    return expected("teams.buttons.decline", locale)


def assert_reply(
    outcome: StepOutcome, key: str, /, locale: str | None = SPANISH, index: int = -1, **params: Any
) -> Rendered:
    """The reply (default: the last one) is exactly the message ``key``: its content, and no
    embed. Returns the text, for checks on what it names."""
    text = expected(key, locale, **params)
    assert reply_text(outcome, index) == text
    return text
