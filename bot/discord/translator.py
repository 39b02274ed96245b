"""Localized command names and descriptions through discord.py's Translator.

Keys derive from the command path, so cogs write plain English names and descriptions:
``commands.team.create.name``, ``commands.team.create.description``,
``commands.team.create.options.name.name`` / ``.description``, ``commands.team.name`` (groups),
and ``choices.<value>`` for choice names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import TranslationContextLocation as Where

from bot.i18n import Catalogs, language_of

# The Discord locales we translate into; others fall back to the default (English) names.
LOCALES = (
    discord.Locale.spain_spanish,
    discord.Locale.latin_american_spanish,
    discord.Locale.american_english,
    discord.Locale.british_english,
)


def _path(command: Any) -> str:
    return str(command.qualified_name).replace(" ", ".")


def catalog_key(
    string: app_commands.locale_str, context: app_commands.TranslationContext[Any, Any]
) -> str | None:
    """The catalog key for a translatable string, or None when it is not ours."""
    explicit = string.extras.get("key")
    if explicit:
        return str(explicit)
    data = context.data
    where = context.location
    if where in (Where.command_name, Where.group_name):
        return f"commands.{_path(data)}.name"
    if where in (Where.command_description, Where.group_description):
        return f"commands.{_path(data)}.description"
    if where in (Where.parameter_name, Where.parameter_description):
        suffix = "name" if where is Where.parameter_name else "description"
        return f"commands.{_path(data.command)}.options.{data.name}.{suffix}"
    if where is Where.choice_name:
        return f"choices.{data.value}"
    return None


class CatalogTranslator(app_commands.Translator):
    """``params`` fill the catalog's placeholders, so that what the settings decide (a team
    name's length limits) is never written in the text: ``{name_min}`` in a description."""

    def __init__(self, catalogs: Catalogs, params: Mapping[str, Any] | None = None) -> None:
        self.catalogs = catalogs
        self.params = dict(params or {})

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext[Any, Any],
    ) -> str | None:
        if locale not in LOCALES:
            return None
        key = catalog_key(string, context)
        if key is None:
            return None
        text = self.catalogs.get(language_of(locale.value), key)
        if text is None or "{" not in text:
            return text
        return text.format_map(self.params)
