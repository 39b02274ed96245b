"""The event's server, roles and channels, resolved to ids once.

``config.toml`` names each of them by name or by numeric id. Names are looked up once, when the
server is available at start-up, and again when Discord reports a change of servers, roles or
channels (or lazily, when something is still missing); everything else compares ids. Role
checks, the trust gate (:mod:`bot.discord.trust`) and every channel the bot posts in use these
ids, so a server an attacker owns, with a role named like the organizers' role, counts for
nothing.

The server, once found, is kept: a second server with the same name joining later does not
replace it. A name that matches more than one server (or role, or channel) at start-up is not
guessed: it stays unresolved, the bot refuses to serve, and the log says to configure the id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import discord

from bot.settings import Config

log = logging.getLogger(__name__)

ROLE_KEYS = ("participant", "mentor", "organizer")
# Gateway events after which names are looked up again.
EVENTS = (
    "on_guild_available",
    "on_guild_join",
    "on_guild_remove",
    "on_guild_update",
    "on_guild_role_create",
    "on_guild_role_update",
    "on_guild_role_delete",
    "on_guild_channel_create",
    "on_guild_channel_update",
    "on_guild_channel_delete",
)


class _Named(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...


class _Client(Protocol):
    @property
    def guilds(self) -> Sequence[discord.Guild]: ...

    def get_guild(self, guild_id: int, /) -> discord.Guild | None: ...


@dataclass
class EventPlace:
    """Ids of the configured server, roles and channels (``None`` / missing: unresolved)."""

    config: Config
    guild_id: int | None = None
    roles: dict[str, int] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)
    _reported: set[str] = field(default_factory=set)

    # -- lookups ----------------------------------------------------------------------------
    def guild(self, client: _Client) -> discord.Guild | None:
        """The event's server (resolved now if it was not yet)."""
        if self.guild_id is None:
            self.resolve(client)
        return None if self.guild_id is None else client.get_guild(self.guild_id)

    def role_id(self, key: str, client: _Client) -> int | None:
        if key not in self.roles:
            self.resolve(client)
        return self.roles.get(key)

    def channel_id(self, key: str, client: _Client) -> int | None:
        if key not in self.channels:
            self.resolve(client)
        return self.channels.get(key)

    # -- resolution ---------------------------------------------------------------------------
    def resolve(self, client: _Client) -> None:
        """Look the configured names up again (ids configured as ids are taken as they are)."""
        guild = self._resolve_guild(client)
        if guild is None:
            self.roles, self.channels = {}, {}
            return
        roles = {key: getattr(self.config.roles, key) for key in ROLE_KEYS}
        if self.config.roles.talk_alerts is not None:  # optional: only when configured
            roles["talk_alerts"] = self.config.roles.talk_alerts
        self.roles = self._resolve_all("roles", roles, guild.roles, self.roles)
        channels = self.config.channels.model_dump()
        self.channels = self._resolve_all("channels", channels, guild.channels, self.channels)

    def _resolve_guild(self, client: _Client) -> discord.Guild | None:
        wanted = self.config.discord.guild
        if isinstance(wanted, int):
            guild = client.get_guild(wanted)
            self.guild_id = wanted if guild is not None else None
            return guild
        if self.guild_id is not None:
            kept = client.get_guild(self.guild_id)
            if kept is not None:
                return kept  # found once: a same-named server joining later changes nothing
        found = [g for g in client.guilds if g.name == wanted]
        if len(found) == 1:
            self.guild_id = found[0].id
            log.info("the event's server %r is %s", wanted, found[0].id)
            return found[0]
        self.guild_id = None
        if len(found) > 1:
            self._report(
                "discord.guild",
                f"{len(found)} servers the bot is in are named {wanted!r}; refusing to guess: "
                "set discord.guild in config.toml to the numeric id of the event's server",
            )
        return None

    def _resolve_all(
        self,
        section: str,
        wanted: dict[str, Any],
        available: Iterable[_Named],
        previous: dict[str, int] | None = None,
    ) -> dict[str, int]:
        available = list(available)
        by_id = {item.id for item in available}
        resolved: dict[str, int] = {}
        for key, value in wanted.items():
            if isinstance(value, int):
                if value in by_id:
                    resolved[key] = value
                continue
            found = [item.id for item in available if item.name == value]
            if len(found) == 1:
                resolved[key] = found[0]
            elif previous and previous.get(key) in by_id:
                resolved[key] = previous[key]  # renamed since: keep what was resolved
            elif len(found) > 1:
                self._report(
                    f"{section}.{key}",
                    f"{len(found)} {section} of the event's server are named {value!r}; "
                    f"refusing to guess: set {section}.{key} in config.toml to its numeric id",
                )
        return resolved

    def _report(self, what: str, message: str) -> None:
        if what not in self._reported:
            self._reported.add(what)
            log.error("%s: %s", what, message)

    # -- wiring -------------------------------------------------------------------------------
    def install(self, client: discord.Client) -> None:
        """Look names up again whenever Discord reports a change that may move them."""

        async def refresh(*_: Any) -> None:
            self.resolve(client)

        add = getattr(client, "add_listener", None)
        if add is None:
            return
        for event in EVENTS:
            add(refresh, event)
