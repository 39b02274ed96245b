"""`[registration]` of config.toml: the sign-up lists and how members verify."""

from __future__ import annotations

from bot.settings.types import Section


class RegistrationSettings(Section):
    pass
