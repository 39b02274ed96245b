"""REST routes for guild scheduled events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import errors
from .guards import guild_member_of
from .http_core import API_PREFIX, bot_of, json_response, no_content, read_body, server_of
from .http_core import snowflake_arg as sf
from .models import Guild, ScheduledEvent
from .permissions import CREATE_EVENTS, MANAGE_EVENTS, base_permissions
from .snowflake import iso_z, parse_iso

if TYPE_CHECKING:
    from .server import LocalDiscord as Server

MAX_EVENTS = 100
EXTERNAL = 3


def register(app: web.Application) -> None:
    r, p = app.router, API_PREFIX
    r.add_get(p + "/guilds/{guild_id}/scheduled-events", list_events)
    r.add_post(p + "/guilds/{guild_id}/scheduled-events", create_event)
    r.add_get(p + "/guilds/{guild_id}/scheduled-events/{event_id}", get_event)
    r.add_patch(p + "/guilds/{guild_id}/scheduled-events/{event_id}", edit_event)
    r.add_delete(p + "/guilds/{guild_id}/scheduled-events/{event_id}", delete_event)


def _guild(server: Server, request: web.Request) -> Guild:
    return guild_member_of(
        server.state, bot_of(request), sf(request, "guild_id", errors.unknown_guild)
    )


def _require_events(server: Server, request: web.Request, guild: Guild) -> None:
    perms = base_permissions(guild, bot_of(request).user_id)
    if not perms & (MANAGE_EVENTS | CREATE_EVENTS):
        raise errors.missing_permissions()


def _event(guild: Guild, request: web.Request) -> ScheduledEvent:
    event = guild.events.get(sf(request, "event_id", errors.unknown_event))
    if event is None:
        raise errors.unknown_event()
    return event


def _effect(server: Server, kind: str, event: ScheduledEvent) -> None:
    server.recorder.add(
        kind, name=event.name, start=iso_z(event.start), end=iso_z(event.end) if event.end else None
    )


def _dispatch(server: Server, name: str, event: ScheduledEvent) -> None:
    server.gateway.dispatch(name, event.to_dict(), guild_id=event.guild_id, intent=1 << 16)


async def list_events(request: web.Request) -> web.Response:
    guild = _guild(server_of(request), request)
    return json_response([e.to_dict() for e in guild.events.values()])


async def get_event(request: web.Request) -> web.Response:
    guild = _guild(server_of(request), request)
    return json_response(_event(guild, request).to_dict())


def _validate(server: Server, event: ScheduledEvent, creating: bool) -> None:
    problems: list[tuple[str, str, str]] = []
    if not 1 <= len(event.name) <= 100:
        problems.append(("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."))
    if event.description and len(event.description) > 1000:
        problems.append(("description", "BASE_TYPE_MAX_LENGTH", "Must be 1000 or fewer in length."))
    if event.entity_type == EXTERNAL:
        if event.end is None:
            problems.append(("scheduled_end_time", "BASE_TYPE_REQUIRED", "This field is required"))
        if not event.location:
            problems.append(
                ("entity_metadata.location", "BASE_TYPE_REQUIRED", "This field is required")
            )
        elif len(event.location) > 100:
            problems.append(
                (
                    "entity_metadata.location",
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 100 or fewer in length.",
                )
            )
    elif event.channel_id is None:
        problems.append(("channel_id", "BASE_TYPE_REQUIRED", "This field is required"))
    if creating and event.start <= server.state.now():
        problems.append(
            (
                "scheduled_start_time",
                "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
                "Cannot schedule event in the past.",
            )
        )
    if event.end is not None and event.end <= event.start:
        problems.append(
            (
                "scheduled_end_time",
                "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
                "Cannot schedule event to end before starting.",
            )
        )
    if problems:
        raise errors.invalid_form(problems)


def _apply(event: ScheduledEvent, payload: dict[str, Any]) -> None:
    if "name" in payload:
        event.name = str(payload["name"] or "")
    if "description" in payload:
        event.description = payload["description"]
    if payload.get("scheduled_start_time"):
        event.start = parse_iso(str(payload["scheduled_start_time"]))
    if "scheduled_end_time" in payload:
        end = payload["scheduled_end_time"]
        event.end = parse_iso(str(end)) if end else None
    if payload.get("entity_type") is not None:
        event.entity_type = int(payload["entity_type"])
    if "channel_id" in payload:
        event.channel_id = int(payload["channel_id"]) if payload["channel_id"] else None
    metadata = payload.get("entity_metadata")
    if isinstance(metadata, dict) and "location" in metadata:
        event.location = metadata["location"]
    if payload.get("status") is not None:
        event.status = int(payload["status"])
    if payload.get("privacy_level") is not None:
        event.privacy_level = int(payload["privacy_level"])


async def create_event(request: web.Request) -> web.Response:
    server, bot = server_of(request), bot_of(request)
    guild = _guild(server, request)
    _require_events(server, request, guild)
    payload, _ = await read_body(request)
    if len([e for e in guild.events.values() if e.status in (1, 2)]) >= MAX_EVENTS:
        raise errors.max_events()
    missing = [key for key in ("scheduled_start_time", "privacy_level") if not payload.get(key)]
    if missing:
        # Both are required by Discord's OpenAPI description (privacy_level: 2, guild only).
        raise errors.invalid_form(
            [(key, "BASE_TYPE_REQUIRED", "This field is required") for key in missing]
        )
    event = ScheduledEvent(
        id=server.state.ids.next(),
        guild_id=guild.id,
        name="",
        start=parse_iso(str(payload["scheduled_start_time"])),
        end=None,
        entity_type=int(payload.get("entity_type") or EXTERNAL),
        creator_id=bot.user_id,
    )
    _apply(event, payload)
    _validate(server, event, creating=True)
    guild.events[event.id] = event
    _dispatch(server, "GUILD_SCHEDULED_EVENT_CREATE", event)
    _effect(server, "scheduled_event_created", event)
    return json_response(event.to_dict())


async def edit_event(request: web.Request) -> web.Response:
    server = server_of(request)
    guild = _guild(server, request)
    _require_events(server, request, guild)
    event = _event(guild, request)
    payload, _ = await read_body(request)
    if event.status in (3, 4):
        raise errors.DiscordError(400, 180000, "Cannot modify a finished event")
    _apply(event, payload)
    _validate(server, event, creating=False)
    _dispatch(server, "GUILD_SCHEDULED_EVENT_UPDATE", event)
    _effect(server, "scheduled_event_updated", event)
    return json_response(event.to_dict())


async def delete_event(request: web.Request) -> web.Response:
    server = server_of(request)
    guild = _guild(server, request)
    _require_events(server, request, guild)
    event = _event(guild, request)
    del guild.events[event.id]
    _dispatch(server, "GUILD_SCHEDULED_EVENT_DELETE", event)
    _effect(server, "scheduled_event_deleted", event)
    return no_content()
