"""Calendar events as stored (with the change version sync tokens count on) and as served.

What an event may be is checked when it is given, as the real API checks ``events.insert``:
``end`` is required, ``status`` is one of Google's three, a recurring event names the
``timeZone`` its recurrence is expanded in. Times are kept as Google keeps them: an all-day
event has ``date`` values, a timed one ``dateTime`` values, optionally with an IANA ``timeZone``
(a time written without an offset is read in that zone).

Recurrence: ``RRULE`` with ``FREQ=WEEKLY`` or ``DAILY`` (``INTERVAL``, ``COUNT``, ``UNTIL``,
``BYDAY``) and ``EXDATE`` lines, expanded in the event's time zone. An instance's id is Google's
``<seriesId>_<YYYYMMDDTHHMMSSZ>`` (``_<YYYYMMDD>`` all-day); giving an event with such an id
makes an exception of that instance (moved, renamed or cancelled).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.http_util import iso_z

EVENT_FIELDS: Final = frozenset(
    {"id", "summary", "description", "start", "end", "status", "location", "timeZone", "recurrence"}
)
STATUSES: Final = frozenset({"confirmed", "tentative", "cancelled"})
# Google expands an open-ended series a long way ahead; the local Calendar stops here.
MAX_INSTANCES: Final = 730
_INSTANCE_ID: Final = re.compile(r"^(?P<series>.+)_(?P<stamp>\d{8}(T\d{6}Z)?)$")
_WEEKDAYS: Final = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class When:
    """An ``EventDateTime``: an instant (all-day: midnight UTC of the date) and how it was given."""

    moment: datetime
    all_day: bool = False
    zone: str | None = None

    def resource(self, zone_override: str | None = None) -> dict[str, str]:
        if self.all_day:
            return {"date": self.moment.date().isoformat()}
        zone = zone_override or self.zone
        if zone is None or zone == "UTC":
            out = {"dateTime": iso_z(self.moment, millis=False)}
        else:
            out = {"dateTime": self.moment.astimezone(ZoneInfo(zone)).isoformat()}
        if self.zone is not None:
            out["timeZone"] = self.zone
        return out

    def stamp(self) -> str:
        """The suffix of an instance id starting at this time."""
        if self.all_day:
            return self.moment.strftime("%Y%m%d")
        return self.moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass
class Event:
    """One stored event; ``version`` is the calendar-wide change count at its last change.

    A series has ``recurrence``; an exception has ``recurring_event_id`` and ``original_start``.
    """

    id: str
    summary: str
    description: str
    start: When
    end: When
    status: str
    location: str
    created: datetime
    updated: datetime
    version: int
    sequence: int = 0
    recurrence: list[str] = field(default_factory=list)
    recurring_event_id: str | None = None
    original_start: When | None = None

    @property
    def deleted(self) -> bool:
        return self.status == "cancelled"


@dataclass
class Calendar:
    """One calendar and its events (series, exceptions and single events), by id."""

    id: str
    events: dict[str, Event] = field(default_factory=dict)


def _zone(name: Any) -> str:
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timeZone {name!r}") from None
    return str(name)


def parse_when(value: Any, zone: str | None, what: str) -> When:
    """A scenario's ``start``/``end``: ``"2024-03-05"`` (all-day), a time with an offset, or a
    time without one read in ``zone``."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return When(datetime(value.year, value.month, value.day, tzinfo=UTC), all_day=True)
    else:
        text = str(value)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text)
            return When(datetime(day.year, day.month, day.day, tzinfo=UTC), all_day=True)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{what}: not a date or an ISO-8601 time: {text!r}") from None
    if moment.tzinfo is None:
        if zone is None:
            raise ValueError(f"{what}: a time without an offset needs a timeZone: {value!r}")
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return When(moment.astimezone(UTC), zone=zone)


def _check_status(value: Any) -> str:
    status = str(value)
    if status not in STATUSES:
        raise ValueError(f"invalid status {status!r}: one of {sorted(STATUSES)}")
    return status


def _check_span(event_id: str, start: When, end: When) -> None:
    if start.all_day != end.all_day:
        raise ValueError(f"calendar event {event_id!r}: start and end must both be dates or times")
    if end.moment < start.moment or (start.all_day and end.moment == start.moment):
        raise ValueError(f"calendar event {event_id!r}: the end is before the start")


def split_instance_id(event_id: str) -> tuple[str, str] | None:
    """``(series id, stamp)`` when ``event_id`` names an instance of a recurring event."""
    match = _INSTANCE_ID.match(event_id)
    return (match["series"], match["stamp"]) if match else None


def new_event(
    event_id: str, fields: Mapping[str, Any], now: datetime, version: int, *, base: Event | None
) -> Event:
    """An event made from a scenario's fields; ``base`` is the series when ``event_id`` names
    one of its instances (the exception starts as a copy of that instance)."""
    if base is not None:
        event = replace(base, created=now, updated=now, version=version, sequence=0)
        merge_event(event, fields, now, version, bump=False)
        return event
    if "start" not in fields:
        raise ValueError(f"calendar event {event_id!r} needs a start")
    if "end" not in fields:
        raise ValueError(f"calendar event {event_id!r} needs an end (Missing end time.)")
    zone = _zone(fields["timeZone"]) if "timeZone" in fields else None
    recurrence = _recurrence(fields.get("recurrence", []))
    if recurrence and zone is None:
        raise ValueError(f"calendar event {event_id!r}: a recurring event needs a timeZone")
    start = parse_when(fields["start"], zone, "start")
    end = parse_when(fields["end"], zone, "end")
    _check_span(event_id, start, end)
    event = Event(
        id=event_id,
        summary=str(fields.get("summary", "")),
        description=str(fields.get("description", "")),
        start=start,
        end=end,
        status=_check_status(fields.get("status", "confirmed")),
        location=str(fields.get("location", "")),
        created=now,
        updated=now,
        version=version,
        recurrence=recurrence,
    )
    if recurrence:
        series_rule(event)  # refuse a rule the local Calendar cannot expand, at input
    return event


def merge_event(
    current: Event, fields: Mapping[str, Any], now: datetime, version: int, *, bump: bool = True
) -> None:
    """Apply a scenario's changed fields to ``current`` (checked before anything changes)."""
    zone = _zone(fields["timeZone"]) if "timeZone" in fields else current.start.zone
    status = _check_status(fields["status"]) if "status" in fields else current.status
    start = parse_when(fields["start"], zone, "start") if "start" in fields else current.start
    end = parse_when(fields["end"], zone, "end") if "end" in fields else current.end
    if "timeZone" in fields and "start" not in fields:
        start = replace(start, zone=zone) if not start.all_day else start
        end = replace(end, zone=zone) if not end.all_day else end
    recurrence = current.recurrence
    if "recurrence" in fields:
        if current.recurring_event_id is not None:
            raise ValueError(f"calendar event {current.id!r}: an instance has no recurrence")
        recurrence = _recurrence(fields["recurrence"])
    if recurrence and zone is None:
        raise ValueError(f"calendar event {current.id!r}: a recurring event needs a timeZone")
    _check_span(current.id, start, end)
    previous = (current.start, current.recurrence)
    current.start, current.end, current.status, current.recurrence = start, end, status, recurrence
    if recurrence:
        try:
            series_rule(current)
        except ValueError:
            current.start, current.recurrence = previous
            raise
    for key in ("summary", "description", "location"):
        if key in fields:
            setattr(current, key, str(fields[key]))
    current.updated = now
    current.version = version
    if bump:
        current.sequence += 1


def _recurrence(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("recurrence: a list of RRULE / EXDATE lines")
    if not value:
        return []
    for line in value:
        name = line.split(":", 1)[0].split(";", 1)[0].upper()
        if name not in ("RRULE", "EXDATE"):
            raise ValueError(f"recurrence: only RRULE and EXDATE lines are served, got {line!r}")
    if sum(1 for line in value if line.upper().startswith("RRULE")) != 1:
        raise ValueError("recurrence: exactly one RRULE line")
    return list(value)


@dataclass(frozen=True)
class _Rule:
    freq: str
    interval: int
    count: int | None
    until: datetime | None
    weekdays: tuple[int, ...]
    exdates: frozenset[datetime]


def _ical_time(text: str, zone: ZoneInfo, all_day: bool) -> datetime:
    text = text.strip()
    if re.fullmatch(r"\d{8}", text):
        day = datetime.strptime(text, "%Y%m%d")
        return day.replace(tzinfo=UTC if all_day else zone)
    if text.endswith("Z"):
        return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return datetime.strptime(text, "%Y%m%dT%H%M%S").replace(tzinfo=zone)


def series_rule(event: Event) -> _Rule:
    """The parsed RRULE and EXDATEs of a series; ValueError for what is not served."""
    zone = ZoneInfo(event.start.zone or "UTC")
    parts: dict[str, str] = {}
    exdates: set[datetime] = set()
    for line in event.recurrence:
        name, _, value = line.partition(":")
        if name.upper().startswith("RRULE"):
            for part in value.split(";"):
                key, _, val = part.partition("=")
                parts[key.upper()] = val.upper()
        else:
            params = dict(p.split("=", 1) for p in name.split(";")[1:] if "=" in p)
            ex_zone = ZoneInfo(params["TZID"]) if "TZID" in params else zone
            for item in value.split(","):
                exdates.add(_ical_time(item, ex_zone, event.start.all_day).astimezone(UTC))
    freq = parts.get("FREQ")
    if freq not in ("WEEKLY", "DAILY"):
        raise ValueError(f"recurrence: FREQ={freq} is not served (WEEKLY or DAILY)")
    unknown = set(parts) - {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "WKST"}
    if unknown:
        raise ValueError(f"recurrence: {sorted(unknown)} not served")
    try:
        interval = int(parts.get("INTERVAL", "1"))
        count = int(parts["COUNT"]) if "COUNT" in parts else None
        until = None
        if "UNTIL" in parts:
            until = _ical_time(parts["UNTIL"], zone, event.start.all_day).astimezone(UTC)
        weekdays: tuple[int, ...] = ()
        if "BYDAY" in parts:
            weekdays = tuple(_WEEKDAYS.index(day[-2:]) for day in parts["BYDAY"].split(","))
    except (ValueError, KeyError):
        raise ValueError(f"recurrence: cannot read {event.recurrence!r}") from None
    if interval < 1 or (count is not None and count < 1):
        raise ValueError("recurrence: INTERVAL and COUNT must be positive")
    return _Rule(freq, interval, count, until, weekdays, frozenset(exdates))


def series_starts(event: Event) -> list[tuple[When, bool]]:
    """The original starts of a series' instances, each with whether an EXDATE removes it."""
    rule = series_rule(event)
    zone = ZoneInfo(event.start.zone or "UTC")
    first = event.start.moment.astimezone(UTC if event.start.all_day else zone)
    weekdays = rule.weekdays or (first.weekday(),)
    out: list[tuple[When, bool]] = []
    period = 0
    step = timedelta(weeks=rule.interval) if rule.freq == "WEEKLY" else timedelta(rule.interval)
    week_start = first - timedelta(days=first.weekday())
    while len(out) < MAX_INSTANCES:
        if rule.freq == "WEEKLY":
            base = week_start + step * period
            days = [base + timedelta(days=d) for d in sorted(weekdays)]
        else:
            days = [first + step * period]
        period += 1
        for day in days:
            # Wall-clock time in the series' zone: a weekly 18:00 stays 18:00 across DST.
            local = day.replace(
                hour=first.hour, minute=first.minute, second=first.second, tzinfo=first.tzinfo
            )
            if local < first:
                continue
            moment = local.astimezone(UTC)
            if rule.until is not None and moment > rule.until:
                return out
            if rule.count is not None and len(out) >= rule.count:
                return out
            when = When(moment, all_day=event.start.all_day, zone=event.start.zone)
            out.append((when, moment in rule.exdates))
    return out


def expand(calendar: Calendar, series: Event) -> list[Event]:
    """The instances of ``series`` as single events (exceptions in place of their instance);
    an instance an EXDATE removes is a cancelled one, as Google serves it to a sync."""
    duration = series.end.moment - series.start.moment
    out = []
    for original, excluded in series_starts(series):
        instance_id = f"{series.id}_{original.stamp()}"
        exception = calendar.events.get(instance_id)
        if exception is not None:
            version = max(exception.version, series.version)
            out.append(replace(exception, version=version))
            continue
        out.append(
            replace(
                series,
                id=instance_id,
                start=original,
                end=replace(original, moment=original.moment + duration),
                status="cancelled" if excluded or series.deleted else series.status,
                recurrence=[],
                recurring_event_id=series.id,
                original_start=original,
            )
        )
    return out


def instance_of(calendar: Calendar, event_id: str) -> Event | None:
    """The instance ``event_id`` of a stored series, as served (None if there is none)."""
    split = split_instance_id(event_id)
    if split is None:
        return None
    series = calendar.events.get(split[0])
    if series is None or not series.recurrence:
        return None
    for instance in expand(calendar, series):
        if instance.id == event_id:
            return instance
    return None


def event_resource(
    calendar: Calendar, event: Event, *, full: bool, zone: str | None = None
) -> dict[str, Any]:
    """The ``calendar#event`` resource; a deleted event that is not ``full`` is only its id (and,
    for an instance, which one it was)."""
    etag = f'"{event.version * 1000 + event.sequence}"'
    if event.deleted and not full:
        short: dict[str, Any] = {
            "kind": "calendar#event",
            "etag": etag,
            "id": event.id,
            "status": "cancelled",
        }
        if event.recurring_event_id is not None and event.original_start is not None:
            short["recurringEventId"] = event.recurring_event_id
            short["originalStartTime"] = event.original_start.resource(zone)
        return short
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
        "start": event.start.resource(zone),
        "end": event.end.resource(zone),
        "iCalUID": f"{(event.recurring_event_id or event.id)}@google.com",
        "sequence": event.sequence,
        "reminders": {"useDefault": True},
        "eventType": "default",
    }
    if event.recurrence:
        resource["recurrence"] = list(event.recurrence)
    if event.recurring_event_id is not None and event.original_start is not None:
        resource["recurringEventId"] = event.recurring_event_id
        resource["originalStartTime"] = event.original_start.resource(zone)
    if event.description:
        resource["description"] = event.description
    if event.location:
        resource["location"] = event.location
    return resource
