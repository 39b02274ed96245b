from __future__ import annotations

import re

from bot.i18n import LANGUAGES, Catalogs, catalogs, language_of, placeholders
from bot.text import Safe

COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")


def test_every_key_exists_in_every_catalog() -> None:
    cats = catalogs()
    keys = {lang: set(cats.messages[lang]) for lang in LANGUAGES}
    for lang in LANGUAGES:
        assert keys[lang] == keys["es"], (
            f"{lang}: missing {keys['es'] - keys[lang]}, extra {keys[lang] - keys['es']}"
        )


def test_placeholders_match_across_catalogs() -> None:
    cats = catalogs()
    for key, spanish in cats.messages["es"].items():
        for lang in LANGUAGES:
            assert placeholders(cats.messages[lang][key]) == placeholders(spanish), (lang, key)


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
