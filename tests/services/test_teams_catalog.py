"""Every catalog key the team services use exists in Spanish and English, alike."""

from __future__ import annotations

import re
from pathlib import Path

from bot.i18n import placeholders
from tests.services import catalogs

SERVICES = Path(__file__).resolve().parents[2] / "bot" / "services"
DYNAMIC = {
    "teams.errors.{kind}_expired": ("invitation", "request"),
    "teams.errors.{kind}_team_full": ("invitation", "request"),
    "teams.errors.{kind}_closed": ("invitation", "request"),
    "teams.errors.{key}": ("already_member", "already_in_team"),
}
SUFFIXES = ("_too_many", "_too_long", "_mention")


def _used_keys() -> set[str]:
    keys: set[str] = set()
    prefixes: set[str] = set()
    for path in SERVICES.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r'"(teams\.(?:errors|match)\.[a-z_]+)"', source))
        for template, fills in DYNAMIC.items():
            if template in source:
                keys |= {template.replace("{kind}", f).replace("{key}", f) for f in fills}
        for prefix in set(re.findall(r'error_prefix="(teams\.errors\.[a-z]+)"', source)):
            keys |= {prefix + suffix for suffix in SUFFIXES}
            prefixes.add(prefix)
    return keys - prefixes


def test_every_used_key_exists_in_both_languages() -> None:
    used = _used_keys()
    assert len(used) > 40
    for language in ("es", "en"):
        missing = {key for key in used if catalogs().get(language, key) is None}
        assert not missing, (language, missing)


def test_spanish_and_english_have_the_same_keys_and_placeholders() -> None:
    spanish = {k: v for k, v in catalogs().messages["es"].items() if k.startswith("teams.")}
    english = {k: v for k, v in catalogs().messages["en"].items() if k.startswith("teams.")}
    assert spanish.keys() == english.keys()
    for key, template in spanish.items():
        assert placeholders(template) == placeholders(english[key]), key


def test_services_do_not_import_discord() -> None:
    for path in SERVICES.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+discord\b", source, re.M), path
