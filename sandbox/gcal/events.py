"""Calendar events as stored (with the change version sync tokens count on) and as served."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from sandbox.http_util import iso_z, parse_iso

EVENT_FIELDS: Final = frozenset(
    {"id", "summary", "description", "start", "end", "status", "location"}
)


@dataclass
class Event:
    """One stored event; ``version`` is the calendar-wide change count at its last change."""

    id: str
    summary: str
    description: str
    start: datetime
    end: datetime
    status: str
    location: str
    created: datetime
    updated: datetime
    version: int
    sequence: int = 0

    @property
    def deleted(self) -> bool:
        return self.status == "cancelled"


@dataclass
class Calendar:
    """One calendar and its events, by id."""

    id: str
    events: dict[str, Event] = field(default_factory=dict)


def new_event(event_id: str, fields: Mapping[str, Any], now: datetime, version: int) -> Event:
    """An event made from a scenario's fields (``start`` is required)."""
    if "start" not in fields:
        raise ValueError(f"calendar event {event_id!r} needs a start")
    start = parse_iso(fields["start"])
    return Event(
        id=event_id,
        summary=str(fields.get("summary", "")),
        description=str(fields.get("description", "")),
        start=start,
        end=parse_iso(fields["end"]) if "end" in fields else start,
        status=str(fields.get("status", "confirmed")),
        location=str(fields.get("location", "")),
        created=now,
        updated=now,
        version=version,
    )


def merge_event(current: Event, fields: Mapping[str, Any], now: datetime, version: int) -> None:
    """Apply a scenario's changed fields to ``current``."""
    for key in ("summary", "description", "status", "location"):
        if key in fields:
            setattr(current, key, str(fields[key]))
    for key in ("start", "end"):
        if key in fields:
            setattr(current, key, parse_iso(fields[key]))
    current.updated = now
    current.version = version
    current.sequence += 1


def event_resource(calendar: Calendar, event: Event, *, full: bool) -> dict[str, Any]:
    """The ``calendar#event`` resource; a deleted event that is not ``full`` is only its id."""
    etag = f'"{event.version * 1000 + event.sequence}"'
    if event.deleted and not full:
        return {"kind": "calendar#event", "etag": etag, "id": event.id, "status": "cancelled"}
    eid = base64.urlsafe_b64encode(f"{event.id} {calendar.id}".encode()).decode().rstrip("=")
    resource: dict[str, Any] = {
        "kind": "calendar#event",
        "etag": etag,
        "id": event.id,
        "status": event.status,
        "htmlLink": f"https://www.google.com/calendar/event?eid={eid}",
        "created": iso_z(event.created),
        "updated": iso_z(event.updated),
        "summary": event.summary,
        "creator": {"email": calendar.id},
        "organizer": {"email": calendar.id, "self": True},
        "start": {"dateTime": iso_z(event.start, millis=False), "timeZone": "UTC"},
        "end": {"dateTime": iso_z(event.end, millis=False), "timeZone": "UTC"},
        "iCalUID": f"{event.id}@google.com",
        "sequence": event.sequence,
        "reminders": {"useDefault": True},
        "eventType": "default",
    }
    if event.description:
        resource["description"] = event.description
    if event.location:
        resource["location"] = event.location
    return resource
