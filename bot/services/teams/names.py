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
        raise InvalidInput("teams.errors.name_too_short", count=rules.name_min_length)
    if length > rules.name_max_length or len(display) > NAME_COLUMN_LENGTH:
        raise InvalidInput("teams.errors.name_too_long", count=rules.name_max_length)
    if not _ANY_WORD_CHARACTER.search(display.replace("_", "")):
        raise InvalidInput("teams.errors.name_no_letters")
    return display, name_key(display)


# Letters of other scripts that look like Latin letters, folded into the name key so that
# "Lоs Tigres" with a Cyrillic "о" is taken when "Los Tigres" is. Case matters before folding:
# Greek capital "Υ" looks like "Y" but small "υ" like "u". NFKC (in ``clean``) already folds
# full-width, mathematical and circled letters; this covers what NFKC leaves alone: the
# Cyrillic and Greek letters (and a few Latin-extended and Armenian ones) that Unicode's
# confusables list (UTS #39) maps to a single Latin letter and that look the same in
# Discord's font. Tested in tests/services/test_teams_limits.py.
CONFUSABLES: dict[str, str] = {
    # Cyrillic capitals
    "А": "A", "В": "B", "Е": "E", "Ѕ": "S", "І": "I", "Ј": "J", "К": "K", "М": "M",
    "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y",
    "Ԛ": "Q", "Ԝ": "W", "Ѵ": "V", "Ӏ": "I", "Ԍ": "G", "Һ": "H",
    # Cyrillic small letters
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s",
    "і": "i", "ј": "j", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y",
    "ѵ": "v", "ɡ": "g",
    # Greek capitals
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϳ": "J",
    # Greek small letters
    "ο": "o", "α": "a", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "υ": "u", "χ": "x",
    "ϳ": "j", "γ": "y",
    # Latin-extended and Armenian look-alikes
    "ı": "i", "ɑ": "a", "ɩ": "i", "օ": "o", "ս": "u", "ց": "g", "հ": "h", "ո": "n",
}  # fmt: skip
_UNCONFUSE = str.maketrans(CONFUSABLES)


def unconfuse(text: str) -> str:
    """``text`` with look-alike letters of other scripts replaced by the Latin ones."""
    return text.translate(_UNCONFUSE)


def name_key(name: str) -> str:
    """The comparison key of a team name: case, accents, spacing and look-alike letters of
    other scripts folded (a Cyrillic "о" counts as a Latin "o")."""
    # Once before folding (capitals differ), once after (decomposing may uncover a letter).
    return unconfuse(fold(unconfuse(clean(name))))


def _has_stacked_marks(text: str) -> bool:
    run = 0
    for ch in unicodedata.normalize("NFD", text):
        run = run + 1 if unicodedata.combining(ch) else 0
        if run > MAX_COMBINING_MARKS:
            return True
    return False
