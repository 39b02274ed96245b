"""Team names: what is accepted, how it is shown, and the key that makes it unique."""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

from bot.errors import InvalidInput
from bot.models.teams import NAME_COLUMN_LENGTH
from bot.text import clean, fold, has_mention_or_link, is_invisible, visible_length

# Characters that would format a message, escape formatting, or start a mention or an emoji.
FORBIDDEN_CHARACTERS = frozenset("*_~`|>\\@<")
# A name may not start like a heading, a subtext line or a list item.
FORBIDDEN_LEADING = frozenset("#-")
MAX_COMBINING_MARKS = 2


class NameLimits(Protocol):
    @property
    def name_min_length(self) -> int: ...

    @property
    def name_max_length(self) -> int: ...


_ANY_WORD_CHARACTER = re.compile(r"\w")


def validate_team_name(raw: str, rules: NameLimits) -> tuple[str, str]:
    """The display name and the unique key of ``raw``, or :class:`InvalidInput`.

    Refusal keys: ``teams.errors.name_invisible`` (control or zero-width characters),
    ``name_mention`` (mention or link syntax), ``name_markdown`` (formatting characters,
    with ``chars``), ``name_no_letters``, ``name_too_short`` / ``name_too_long`` (``min`` /
    ``max`` visible characters).
    """
    if any(is_invisible(ch) for ch in raw) or _has_stacked_marks(raw):
        raise InvalidInput("teams.errors.name_invisible")
    display = clean(raw)
    if has_mention_or_link(display):
        raise InvalidInput("teams.errors.name_mention")
    bad = sorted({ch for ch in display if ch in FORBIDDEN_CHARACTERS})
    if display[:1] in FORBIDDEN_LEADING:
        bad = sorted({*bad, display[0]})
    if bad:
        raise InvalidInput("teams.errors.name_markdown", chars=" ".join(bad))
    length = visible_length(display)
    if length < rules.name_min_length:
        raise InvalidInput("teams.errors.name_too_short", min=rules.name_min_length)
    if length > rules.name_max_length or len(display) > NAME_COLUMN_LENGTH:
        raise InvalidInput("teams.errors.name_too_long", max=rules.name_max_length)
    if not _ANY_WORD_CHARACTER.search(display.replace("_", "")):
        raise InvalidInput("teams.errors.name_no_letters")
    return display, name_key(display)


def name_key(name: str) -> str:
    """The comparison key of a team name: case, accents and spacing folded."""
    return fold(name)


def _has_stacked_marks(text: str) -> bool:
    run = 0
    for ch in unicodedata.normalize("NFD", text):
        run = run + 1 if unicodedata.combining(ch) else 0
        if run > MAX_COMBINING_MARKS:
            return True
    return False
