"""The event's server, roles and channels resolved to ids (bot/discord/place.py): once, kept
when names move, never guessed between two of the same name."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.discord.place import EventPlace
from bot.settings import Settings, load_settings
from tests.conftest import CONFIG


@dataclass
class Named:
    id: int
    name: str


@dataclass
class Guild:
    id: int
    name: str
    roles: list[Named] = field(default_factory=list)
    channels: list[Named] = field(default_factory=list)


@dataclass
class Client:
    guilds: list[Guild]

    def get_guild(self, guild_id: int) -> Guild | None:
        return next((g for g in self.guilds if g.id == guild_id), None)


def event(guild_id: int = 1, name: str = "SomosNLP") -> Guild:
    return Guild(
        guild_id,
        name,
        roles=[Named(10, "participante"), Named(11, "mentor"), Named(12, "organizacion")],
        channels=[Named(20, "equipos"), Named(21, "encuentra-equipo")],
    )


def place_of(settings: Settings | None = None) -> EventPlace:
    return EventPlace((settings or load_settings(CONFIG, env={})).config)


def test_names_resolve_to_ids_in_the_event_server_only() -> None:
    attacker = Guild(2, "Mallory's", roles=[Named(99, "organizacion")])
    client: Any = Client([attacker, event()])
    place = place_of()

    assert place.guild(client).id == 1
    assert place.role_id("organizer", client) == 12
    assert place.channel_id("teams", client) == 20


def test_a_same_named_server_joining_later_changes_nothing() -> None:
    client: Any = Client([event()])
    place = place_of()
    place.resolve(client)
    client.guilds.insert(0, event(guild_id=2))

    place.resolve(client)

    assert place.guild_id == 1


def test_two_same_named_servers_at_start_are_not_guessed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client: Any = Client([event(1), event(2)])
    place = place_of()

    with caplog.at_level(logging.ERROR):
        assert place.guild(client) is None
        place.resolve(client)

    assert place.role_id("organizer", client) is None
    [record] = caplog.records  # reported once
    assert "discord.guild" in record.getMessage() and "numeric id" in record.getMessage()


def test_a_renamed_role_keeps_its_id_and_a_duplicate_is_not_guessed() -> None:
    guild = event()
    client: Any = Client([guild])
    place = place_of()
    place.resolve(client)

    guild.roles[2].name = "staff"  # renamed: still the organizers' role
    guild.roles.append(Named(13, "participante"))  # a second role named like one configured
    place.resolve(client)

    assert place.role_id("organizer", client) == 12
    assert place.role_id("participant", client) == 10
    guild.roles = [r for r in guild.roles if r.id != 12]  # deleted: no organizer role at all
    place.resolve(client)
    assert place.role_id("organizer", client) is None


def test_ids_in_the_config_are_taken_as_they_are() -> None:
    base = load_settings(CONFIG, env={})
    overrides: dict[str, Any] = {"discord": {"guild": 1}, "roles": {"organizer": 12}}
    settings = load_settings(CONFIG, env={}, overrides=overrides)
    assert base.config.discord.guild != settings.config.discord.guild
    client: Any = Client([event(name="Renamed server")])
    place = place_of(settings)

    assert place.guild(client).id == 1
    assert place.role_id("organizer", client) == 12
    assert place.channel_id("team_forum", client) == 21
