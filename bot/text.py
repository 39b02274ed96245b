"""Hostile-input hygiene for every user-supplied string.

``clean`` removes what must never be stored (control and zero-width characters) and folds
spacing; ``neutralize`` makes a stored string safe to show inside a Discord message: no
markdown, no mention, no link syntax survives. Catalog formatting applies ``neutralize`` to
every string parameter unless it is wrapped in :class:`Safe`.
"""

from __future__ import annotations

import re
import unicodedata

# Characters Discord renders as formatting or that start a mention, link, heading or quote.
_MARKDOWN = re.compile(r"([\\*_~`|>#\[\]()<:!-])")
_SPACES = re.compile(r"\s+")
# Mention-like and link-like fragments that a name must never contain.
_MENTION = re.compile(r"<[@#][!&]?\d+>|<a?:\w+:\d+>|<t:\d+(?::\w)?>|@(everyone|here)\b", re.I)
_LINK = re.compile(r"\[[^\]]*\]\([^)]*\)|https?://|discord\.gg/", re.I)


class Safe(str):
    """A string the bot built itself (a timestamp, a mention of a known id): shown as is."""

    __slots__ = ()


def is_invisible(char: str) -> bool:
    """Control, format (zero-width, bidi) and other invisible code points."""
    category = unicodedata.category(char)
    return category in ("Cc", "Cf", "Co", "Cs", "Cn") and char not in ("\n", "\t")


def clean(text: str, *, multiline: bool = False) -> str:
    """NFKC-normalize, drop invisible characters and fold whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if not is_invisible(ch))
    if multiline:
        lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
        return "\n".join(lines).strip()
    return _SPACES.sub(" ", text).strip()


def has_mention_or_link(text: str) -> bool:
    return bool(_MENTION.search(text) or _LINK.search(text))


def neutralize(text: str) -> str:
    """Escape markdown and mention syntax so ``text`` shows literally and pings nobody."""
    if not text.isprintable():  # printable: no Cc, Cf, Co, Cs or Cn code point to drop
        text = "".join(ch for ch in text if not is_invisible(ch) or ch == "\n")
    text = _MARKDOWN.sub(r"\\\1", text)
    return text.replace("@", "@\u200b")


def fold(text: str) -> str:
    """A comparison key: case, accents and spacing folded (for unique names, search)."""
    text = clean(text)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip()


def visible_length(text: str) -> int:
    """Grapheme-ish length: combining marks do not count."""
    return sum(1 for ch in unicodedata.normalize("NFC", text) if not unicodedata.combining(ch))
