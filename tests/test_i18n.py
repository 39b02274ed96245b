from __future__ import annotations

import re

import discord

from bot.i18n import (
    LANGUAGES,
    PLURAL_FORMS,
    Catalogs,
    Message,
    catalogs,
    language_of,
    placeholders,
    plural_form,
)
from bot.text import Safe

COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")
COMMAND_PLACEHOLDER = re.compile(r"^cmd_([a-z]+(?:_[a-z]+)*)$")


def test_every_key_exists_in_every_catalog() -> None:
    cats = catalogs()
    keys = {lang: set(cats.messages[lang]) for lang in LANGUAGES}
    for lang in LANGUAGES:
        assert keys[lang] == keys["es"], (
            f"{lang}: missing {keys['es'] - keys[lang]}, extra {keys[lang] - keys['es']}"
        )


def test_placeholders_match_across_catalogs() -> None:
    """Every form of a message names the same fields in every language (a plural table's forms
    together: Spanish may write "una plaza" where English writes "{count} place")."""
    cats = catalogs()
    for key in cats.messages["es"]:
        spanish = set().union(*(placeholders(form) for form in cats.forms("es", key)))
        for lang in LANGUAGES:
            found = set().union(*(placeholders(form) for form in cats.forms(lang, key)))
            assert found == spanish, (lang, key)


def test_plural_tables_are_plural_in_every_language_with_the_forms_it_needs() -> None:
    """A plural table in one language is one in all; it has every CLDR form a count up to
    1,000 takes in that language (``many`` for a million may fall back to ``other``), no form
    the language does not have, and chooses by ``count``."""
    cats = catalogs()
    plural_keys = set(cats.plurals["es"])
    assert {"teams.list.free", "core.jobs.expired", "teams.errors.team_full"} <= plural_keys
    for lang in LANGUAGES:
        assert set(cats.plurals[lang]) == plural_keys, lang
        needed = {plural_form(lang, n) for n in range(1001)}
        for key, table in cats.plurals[lang].items():
            assert needed <= set(table) <= PLURAL_FORMS, (lang, key, sorted(table))
            assert any("count" in placeholders(form) for form in table.values()), (lang, key)


def test_plural_forms_follow_the_count() -> None:
    cats = Catalogs()
    assert cats.t("en-US", "teams.lft.team_line", rank=1, team="X", count=1, reasons="-") == (
        "1. **X** (1 free place): \\-"
    )
    assert "2 free places" in cats.t(
        "en-US", "teams.lft.team_line", rank=1, team="X", count=2, reasons="-"
    )
    assert "0 plazas libres" in cats.t(
        "es-ES", "teams.lft.team_line", rank=1, team="X", count=0, reasons="-"
    )
    assert cats.t("es-419", "core.jobs.expired", count=1) == "1 invitación o solicitud caducada"
    assert cats.t("es-419", "core.jobs.expired", count=1_000_000).endswith("caducadas")


def test_command_placeholders_name_real_commands() -> None:
    """``{cmd_team_leave}`` names ``/team leave``: the path exists in the catalogs."""
    cats = catalogs()
    for lang in LANGUAGES:
        for key in cats.messages[lang]:
            for form in cats.forms(lang, key):
                for name in placeholders(form):
                    if not name.startswith("cmd_"):
                        continue
                    match = COMMAND_PLACEHOLDER.match(name)
                    assert match, (lang, key, name)
                    path = ".".join(match[1].split("_"))
                    assert cats.get(lang, f"commands.{path}.name"), (lang, key, name)


def test_commands_are_mentions_once_their_ids_are_known() -> None:
    """Before the bot knows the ids, hints name commands in the reader's language; after, by a
    Discord command mention that every client shows in its own language."""
    cats = Catalogs()
    assert "`/equipo salir`" in cats.t("es-ES", "teams.errors.lft_in_team", team="X")
    assert "`/team leave`" in cats.t("en-US", "teams.errors.lft_in_team", team="X")
    ids = {"team": 111, "lft": 222}
    known = cats.with_commands(ids)
    assert "</team leave:111>" in known.t("es-ES", "teams.errors.lft_in_team", team="X")
    assert "</lft post:222>" in known.t("en-US", "teams.errors.lft_not_found")
    nested = known.t("es-ES", "teams.errors.lft_in_team", team=Message("teams.status.full"))
    assert "</team leave:111>" in nested


def test_every_discord_permission_has_a_human_name() -> None:
    cats = catalogs()
    for lang in LANGUAGES:
        for flag in discord.Permissions.VALID_FLAGS:
            name = cats.get(lang, f"core.permissions.{flag}")
            assert name and "_" not in name, (lang, flag)


def test_command_names_are_valid_discord_names() -> None:
    cats = catalogs()
    for lang in LANGUAGES:
        for key, value in cats.messages[lang].items():
            if key.startswith("commands.") and key.endswith(".name"):
                assert COMMAND_NAME.match(value) and value == value.lower(), (lang, key, value)
            if key.startswith("commands.") and key.endswith(".description"):
                assert 1 <= len(value) <= 100, (lang, key)


def test_locales_map_to_languages() -> None:
    assert language_of("es-ES") == language_of("es-419") == "es"
    assert language_of("en-US") == language_of("en-GB") == "en"
    assert language_of("pt-BR") == "es"
    assert language_of(None, default="en") == "en"


def test_parameters_are_neutralized_unless_safe() -> None:
    cats = Catalogs()
    text = cats.t("en-US", "core.errors.missing_role", role="@everyone **x**")
    assert "@everyone" not in text and "**" not in text
    assert "<t:1:R>" in cats.t("en-US", "core.errors.cooldown", when=Safe("<t:1:R>"))


def test_english_and_spanish_differ() -> None:
    cats = Catalogs()
    assert cats.t("en-GB", "core.status.title") != cats.t("es-419", "core.status.title")


def test_spanish_is_neutral_and_inclusive() -> None:
    """Neutral Spanish for every country (no vosotros), and no masculine by default where the
    reader could be anyone."""
    cats = catalogs()
    banned = re.compile(
        r"\b(vosotros|vosotras|os|podéis|tenéis|queréis|sois|estáis|eres capitán|"
        r"a ti mismo|a ti misma|bienvenido)\b",
        re.IGNORECASE,
    )
    for key in cats.messages["es"]:
        for form in cats.forms("es", key):
            assert not banned.search(form), (key, form)
