"""``events.list``: filters, ordering, pages, and sync tokens with Google's semantics."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.http_util import iso_z, parse_iso

from .encoding import decode_token, encode_token
from .errors import ApiError
from .events import Calendar, Event, event_resource, expand

_MAX_RESULTS_CAP: Final = 2500
_SYNC_CONFLICTS: Final = ("timeMin", "timeMax", "orderBy", "q", "updatedMin", "iCalUID")


def list_events(
    query: Mapping[str, str],
    calendar: Calendar,
    *,
    version: int,
    issued_sync_versions: set[int],
    now: Callable[[], datetime],
) -> dict[str, Any]:
    """One page of ``calendar``'s events; the last page records and returns a sync token."""
    sync_token = query.get("syncToken")
    if sync_token is not None:
        conflicts = [name for name in _SYNC_CONFLICTS if name in query]
        if conflicts:
            raise ApiError(
                400,
                "invalid",
                f"Sync token cannot be combined with {conflicts[0]}.",
                location=conflicts[0],
                locationType="parameter",
            )
    single = query.get("singleEvents", "false").lower() == "true"
    order_by = query.get("orderBy")
    if order_by not in (None, "startTime", "updated"):
        raise ApiError(400, "invalid", "Invalid value for orderBy.")
    if order_by == "startTime" and not single:
        raise ApiError(
            400, "invalid", "The requested ordering is not available for the particular query."
        )
    try:
        max_results = min(int(query.get("maxResults", "250")), _MAX_RESULTS_CAP)
        time_min = parse_iso(query["timeMin"]) if "timeMin" in query else None
        time_max = parse_iso(query["timeMax"]) if "timeMax" in query else None
    except ValueError:
        raise ApiError(400, "invalid", "Bad Request") from None
    if max_results < 1:
        raise ApiError(400, "invalid", "Invalid value for maxResults.")

    page_token = query.get("pageToken")
    page: dict[str, Any] = {"o": 0, "v": version}
    if page_token is not None:
        decoded = decode_token(page_token)
        if decoded is None or decoded.get("c") != calendar.id:
            raise ApiError(400, "invalid", "Invalid page token value.")
        page = decoded
    since: int | None = None
    if sync_token is not None:
        decoded_sync = decode_token(sync_token)
        sync_version = decoded_sync.get("s") if decoded_sync else None
        if (
            not isinstance(sync_version, int)
            or sync_version not in issued_sync_versions
            or decoded_sync is None
            or decoded_sync.get("c") != calendar.id
        ):
            raise ApiError(
                410,
                "fullSyncRequired",
                "Sync token is no longer valid, a full sync is required.",
            )
        since = sync_version
    snapshot = int(page["v"])
    show_deleted = query.get("showDeleted", "false").lower() == "true"

    zone = query.get("timeZone")
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ApiError(400, "timeRangeEmpty", "Invalid time zone definition.") from None

    events = [e for e in _served(calendar, single=single) if e.version <= snapshot]
    if since is not None:
        events = [e for e in events if e.version > since]
    else:
        if not show_deleted:
            events = [e for e in events if not e.deleted]
        if time_min is not None:
            events = [e for e in events if e.end.moment > time_min]
        if time_max is not None:
            events = [e for e in events if e.start.moment < time_max]
    if order_by == "updated":
        events.sort(key=lambda e: (e.updated, e.version, e.id))
    else:
        events.sort(key=lambda e: (e.start.moment, e.id))

    offset = int(page["o"])
    chunk = events[offset : offset + max_results]
    body: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": f'"{snapshot}"',
        "summary": calendar.id,
        "description": "",
        "updated": iso_z(max((e.updated for e in calendar.events.values()), default=now())),
        "timeZone": zone or "UTC",
        "accessRole": "reader",
        "defaultReminders": [],
        "items": [
            event_resource(calendar, e, full=since is None or not e.deleted, zone=zone)
            for e in chunk
        ],
    }
    if offset + max_results < len(events):
        body["nextPageToken"] = encode_token(
            {"c": calendar.id, "o": offset + max_results, "v": snapshot}
        )
    else:
        issued_sync_versions.add(snapshot)
        body["nextSyncToken"] = encode_token({"c": calendar.id, "s": snapshot})
    return body


def _served(calendar: Calendar, *, single: bool) -> list[Event]:
    """What a listing sees: with ``singleEvents`` every series expanded into its instances (its
    exceptions in place); without, series and exceptions as stored, as Google lists them."""
    if not single:
        return list(calendar.events.values())
    out: list[Event] = []
    for event in calendar.events.values():
        if event.recurring_event_id is not None:
            series = calendar.events.get(event.recurring_event_id)
            if series is None or not series.recurrence:
                out.append(event)  # an exception whose series is gone stands alone
            continue
        out.extend(expand(calendar, event) if event.recurrence else [event])
    return out
