"""Countries as ISO 3166-1 alpha-2 codes, named in the member's language by Babel."""

from __future__ import annotations

import functools
import re

from babel import Locale, UnknownLocaleError

from bot.text import fold

# Territory codes Babel names that are not countries.
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})
LANGUAGES = ("es", "en")
_CODE = re.compile(r"^[A-Z]{2}$")


@functools.cache
def country_names(language: str) -> dict[str, str]:
    """Code -> name in ``language`` (Spanish when Babel does not know the language)."""
    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = Locale("es")
    return {
        code: name
        for code, name in locale.territories.items()
        if _CODE.match(code) and code not in NOT_COUNTRIES
    }


@functools.cache
def _by_folded_name() -> dict[str, str]:
    """Folded country names in every supported language (and the codes) -> code."""
    out: dict[str, str] = {}
    for language in LANGUAGES:
        for code, name in country_names(language).items():
            out.setdefault(fold(name), code)
    for code in country_names("en"):
        out.setdefault(fold(code), code)
    return out


def country_code(text: str | None) -> str | None:
    """An ISO code for what a sign-up form or a member wrote (``MX``, ``México``, ``Spain``),
    or None when it names no country."""
    if not text:
        return None
    return _by_folded_name().get(fold(text))


def country_name(code: str, language: str) -> str:
    return country_names(language).get(code, code)


def country_choices(current: str, language: str, limit: int = 25) -> list[tuple[str, str]]:
    """(name, code) pairs in ``language`` whose name or code matches ``current``: names that
    start with it first, then names that contain it."""
    names = country_names(language)
    wanted = fold(current)
    starts, contains = [], []
    for code, name in sorted(names.items(), key=lambda item: fold(item[1])):
        folded = fold(name)
        if not wanted or folded.startswith(wanted) or fold(code) == wanted:
            starts.append((name, code))
        elif wanted in folded:
            contains.append((name, code))
    return (starts + contains)[:limit]
