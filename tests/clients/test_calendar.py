"""The real google-api-python-client (service-account auth) against the local Calendar."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httplib2
import pytest
from google.oauth2 import service_account
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from bot.clients.calendar import CalendarClient, CalendarError
from sandbox.gcal import LocalCalendar
from tests.clients.conftest import RecordingSleep

TALKS = [
    {
        "id": f"talk-{i}",
        "summary": f"Charla {i}",
        "description": "Keynote",
        "start": f"2024-03-{10 + i:02d}T17:00:00Z",
        "end": f"2024-03-{10 + i:02d}T18:00:00Z",
        "status": "confirmed",
    }
    for i in range(1, 8)
]


def raw_service(calendar: LocalCalendar, key_file: Path | None) -> Any:
    http: Any = httplib2.Http(timeout=5)
    if key_file is not None:
        creds = service_account.Credentials.from_service_account_file(
            str(key_file), scopes=["https://www.googleapis.com/auth/calendar.readonly"]
        )
        http = AuthorizedHttp(creds, http=http)
    return build(
        "calendar",
        "v3",
        http=http,
        static_discovery=True,
        client_options={"api_endpoint": calendar.api_endpoint},
    )


def client(
    calendar: LocalCalendar, key_file: Path | None, sleep: RecordingSleep, **kw: Any
) -> CalendarClient:
    return CalendarClient(
        calendar.api_endpoint,
        str(key_file) if key_file else None,
        "primary",
        sleep=sleep,
        **kw,
    )


async def test_raw_client_pages_and_sync_token(calendar: LocalCalendar, key_file: Path) -> None:
    calendar.load(TALKS)
    service = raw_service(calendar, key_file)

    def first_page() -> Any:
        return (
            service.events().list(calendarId="primary", maxResults=3, singleEvents=True).execute()
        )

    page = await asyncio.to_thread(first_page)
    assert [e["id"] for e in page["items"]] == ["talk-1", "talk-2", "talk-3"]
    assert "nextPageToken" in page and "nextSyncToken" not in page
    event = page["items"][0]
    assert (
        event["kind"] == "calendar#event" and event["start"]["dateTime"] == "2024-03-11T17:00:00Z"
    )
    assert event["iCalUID"] and event["etag"] and event["htmlLink"] and event["updated"]
    paths = [(m, p) for m, p, _ in calendar.requests]
    assert paths[0] == ("POST", "/token")
    assert paths[1] == ("GET", "/calendar/v3/calendars/primary/events")


async def test_full_then_incremental_sync(
    calendar: LocalCalendar, key_file: Path, sleep: RecordingSleep
) -> None:
    calendar.load(TALKS)
    cal = client(calendar, key_file, sleep, page_size=3)
    full = await cal.list_changes(None)
    assert full.full_sync and len(full.events) == 7 and full.next_sync_token
    assert sum(1 for _, p, _ in calendar.requests if p.endswith("/events")) == 3
    assert full.events[0].start is not None and full.events[0].start.utcoffset() is not None

    calendar.upsert(
        {"id": "talk-2", "start": "2024-03-27T17:00:00Z", "end": "2024-03-27T18:00:00Z"}
    )
    calendar.cancel("talk-5")
    calendar.upsert(
        {
            "id": "talk-8",
            "summary": "Nueva",
            "start": "2024-03-30T17:00:00Z",
            "end": "2024-03-30T18:00:00Z",
        }
    )
    changes = await cal.list_changes(full.next_sync_token)
    assert not changes.full_sync
    by_id = {e.id: e for e in changes.events}
    assert set(by_id) == {"talk-2", "talk-5", "talk-8"}
    assert by_id["talk-5"].cancelled and by_id["talk-5"].start is None
    assert by_id["talk-2"].start is not None and by_id["talk-2"].start.day == 27
    assert by_id["talk-2"].summary == "Charla 2"

    again = await cal.list_changes(changes.next_sync_token)
    assert again.events == [] and again.next_sync_token


async def test_expired_sync_token_falls_back_to_full_sync(
    calendar: LocalCalendar, key_file: Path, sleep: RecordingSleep
) -> None:
    calendar.load(TALKS)
    cal = client(calendar, key_file, sleep)
    full = await cal.list_changes(None)
    calendar.set_fault("410")
    result = await cal.list_changes(full.next_sync_token)
    assert result.full_sync and len(result.events) == 7
    statuses = [s for _, p, s in calendar.requests if p.endswith("/events")]
    assert statuses == [200, 410, 200]
    garbage = await cal.list_changes("not-a-token")
    assert garbage.full_sync


async def test_no_credentials_is_unauthorized(
    calendar: LocalCalendar, sleep: RecordingSleep
) -> None:
    calendar.load(TALKS)
    with pytest.raises(HttpError) as caught:
        await asyncio.to_thread(
            raw_service(calendar, None).events().list(calendarId="primary").execute
        )
    assert caught.value.resp.status == 401
    with pytest.raises(CalendarError) as err:
        await client(calendar, None, sleep).list_changes(None)
    assert err.value.kind == "unauthorized" and sleep.calls == []


async def test_foreign_key_is_rejected_by_token_endpoint(
    calendar: LocalCalendar, sleep: RecordingSleep, tmp_path: Path
) -> None:
    other = LocalCalendar()
    await other.start()
    try:
        foreign = other.write_service_account_key(tmp_path / "other.json")
    finally:
        await other.close()
    text = foreign.read_text().replace(other.token_uri, calendar.token_uri)
    foreign.write_text(text)
    with pytest.raises(CalendarError) as err:
        await client(calendar, foreign, sleep).list_changes(None)
    assert err.value.kind == "unauthorized"
    assert calendar.requests == [("POST", "/token", 400)]


async def test_sync_token_with_time_min_is_400(calendar: LocalCalendar, key_file: Path) -> None:
    calendar.load(TALKS)
    service = raw_service(calendar, key_file)

    def run() -> None:
        token = service.events().list(calendarId="primary").execute()["nextSyncToken"]
        service.events().list(
            calendarId="primary", syncToken=token, timeMin="2024-03-01T00:00:00Z"
        ).execute()

    with pytest.raises(HttpError) as caught:
        await asyncio.to_thread(run)
    assert caught.value.resp.status == 400


async def test_rate_limit_and_server_errors_are_retried(
    calendar: LocalCalendar, key_file: Path, sleep: RecordingSleep
) -> None:
    calendar.load(TALKS)
    calendar.set_fault("429")
    calendar.set_fault("500")
    result = await client(calendar, key_file, sleep).list_changes(None)
    assert len(result.events) == 7 and sleep.calls == [1.0, 2.0]


async def test_persistent_failure_is_unavailable(
    calendar: LocalCalendar, key_file: Path, sleep: RecordingSleep
) -> None:
    calendar.load(TALKS)
    calendar.set_fault("500", count=10)
    with pytest.raises(CalendarError) as err:
        await client(calendar, key_file, sleep, retries=2).list_changes(None)
    assert err.value.kind == "unavailable" and len(sleep.calls) == 2


async def test_timeout_is_unavailable(
    calendar: LocalCalendar, key_file: Path, sleep: RecordingSleep
) -> None:
    calendar.load(TALKS)
    calendar.set_fault("timeout")
    result = await client(calendar, key_file, sleep, timeout=0.5).list_changes(None)
    assert len(result.events) == 7 and sleep.calls == [1.0]


KEYNOTES = {
    "id": "keynotes",
    "summary": "Keynote",
    "start": "2024-03-05T18:00:00",
    "end": "2024-03-05T19:00:00",
    "timeZone": "Europe/Madrid",
    "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20240331T235959Z"],
}


async def test_weekly_series_expands_with_exceptions_and_exdate(
    calendar: LocalCalendar, key_file: Path, sleep: RecordingSleep
) -> None:
    """Every Tuesday of March at 18:00 Madrid: one instance moved, one removed by an EXDATE,
    one cancelled; the raw listing keeps the series, the expanded one serves instances."""
    calendar.load([KEYNOTES])
    calendar.upsert(
        {
            "id": "keynotes_20240312T170000Z",
            "start": "2024-03-13T17:00:00Z",
            "end": "2024-03-13T18:00:00Z",
        }
    )
    cal = client(calendar, key_file, sleep)
    full = await cal.list_changes(None)
    assert [(e.id, e.start.isoformat() if e.start else None) for e in full.events] == [
        ("keynotes_20240305T170000Z", "2024-03-05T17:00:00+00:00"),
        ("keynotes_20240312T170000Z", "2024-03-13T17:00:00+00:00"),
        ("keynotes_20240319T170000Z", "2024-03-19T17:00:00+00:00"),
        ("keynotes_20240326T170000Z", "2024-03-26T17:00:00+00:00"),
    ]
    assert {e.recurring_event_id for e in full.events} == {"keynotes"}

    calendar.cancel("keynotes_20240319T170000Z")
    changes = await cal.list_changes(full.next_sync_token)
    assert [(e.id, e.cancelled) for e in changes.events] == [("keynotes_20240319T170000Z", True)]
    calendar.upsert(
        {
            "id": "keynotes",
            "recurrence": [
                "RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20240331T235959Z",
                "EXDATE;TZID=Europe/Madrid:20240326T180000",
            ],
        }
    )
    after = await cal.list_changes(changes.next_sync_token)
    by_id = {e.id: e for e in after.events}
    assert by_id["keynotes_20240326T170000Z"].cancelled
    assert not by_id["keynotes_20240305T170000Z"].cancelled
    assert by_id["keynotes_20240312T170000Z"].start is not None
    assert by_id["keynotes_20240312T170000Z"].start.day == 13

    service = raw_service(calendar, key_file)
    raw = await asyncio.to_thread(service.events().list(calendarId="primary").execute)
    series = next(item for item in raw["items"] if item["id"] == "keynotes")
    assert series["recurrence"][0].startswith("RRULE:FREQ=WEEKLY")
    assert series["start"] == {"dateTime": "2024-03-05T18:00:00+01:00", "timeZone": "Europe/Madrid"}
    moved = next(item for item in raw["items"] if item["id"] == "keynotes_20240312T170000Z")
    assert moved["recurringEventId"] == "keynotes"
    assert moved["originalStartTime"]["dateTime"] == "2024-03-12T18:00:00+01:00"
    instance = await asyncio.to_thread(
        service.events().get(calendarId="primary", eventId="keynotes_20240305T170000Z").execute
    )
    assert instance["recurringEventId"] == "keynotes" and "recurrence" not in instance


async def test_all_day_and_time_zone_are_served_as_google_does(
    calendar: LocalCalendar, key_file: Path, sleep: RecordingSleep
) -> None:
    calendar.load(
        [
            {"id": "day", "summary": "Jornada", "start": "2024-03-20", "end": "2024-03-21"},
            {
                "id": "madrid",
                "summary": "Mesa",
                "start": "2024-03-21T18:30:00",
                "end": "2024-03-21T19:30:00",
                "timeZone": "Europe/Madrid",
            },
        ]
    )
    service = raw_service(calendar, key_file)
    raw = await asyncio.to_thread(
        service.events().list(calendarId="primary", timeZone="America/Bogota").execute
    )
    day, madrid = raw["items"]
    assert day["start"] == {"date": "2024-03-20"} and day["end"] == {"date": "2024-03-21"}
    assert madrid["start"] == {"dateTime": "2024-03-21T12:30:00-05:00", "timeZone": "Europe/Madrid"}
    assert raw["timeZone"] == "America/Bogota"
    events = (await client(calendar, key_file, sleep).list_changes(None)).events
    assert events[0].all_day and events[0].start is not None
    assert events[0].start.isoformat() == "2024-03-20T00:00:00+00:00"
    assert (
        events[1].start is not None and events[1].start.isoformat() == "2024-03-21T17:30:00+00:00"
    )


def test_the_local_calendar_refuses_what_the_api_refuses(calendar: LocalCalendar) -> None:
    with pytest.raises(ValueError, match="end"):
        calendar.upsert({"id": "x", "start": "2024-03-05T17:00:00Z"})
    with pytest.raises(ValueError, match="status"):
        calendar.upsert(
            {
                "id": "x",
                "start": "2024-03-05T17:00:00Z",
                "end": "2024-03-05T18:00:00Z",
                "status": "maybe",
            }
        )
    with pytest.raises(ValueError, match="timeZone"):
        calendar.upsert(
            {
                "id": "x",
                "start": "2024-03-05T17:00:00Z",
                "end": "2024-03-05T18:00:00Z",
                "recurrence": ["RRULE:FREQ=WEEKLY"],
            }
        )
    with pytest.raises(ValueError, match="before"):
        calendar.upsert({"id": "x", "start": "2024-03-05T17:00:00Z", "end": "2024-03-05T16:00:00Z"})
    calendar.upsert({"id": "x", "start": "2024-03-05T17:00:00Z", "end": "2024-03-05T18:00:00Z"})
    with pytest.raises(ValueError, match="status"):
        calendar.upsert({"id": "x", "status": "deleted"})
    assert calendar.calendars["primary"].events["x"].status == "confirmed"


async def test_a_403_rate_limit_is_retried(
    calendar: LocalCalendar, key_file: Path, sleep: RecordingSleep
) -> None:
    calendar.load(TALKS)
    calendar.set_fault("403")
    result = await client(calendar, key_file, sleep).list_changes(None)
    assert len(result.events) == 7 and sleep.calls == [1.0]
    assert [s for _, p, s in calendar.requests if p.endswith("/events")] == [403, 200]


async def test_a_weekly_series_keeps_its_wall_clock_time_across_dst(
    calendar: LocalCalendar, key_file: Path, sleep: RecordingSleep
) -> None:
    """Madrid moves to summer time on 31 March 2024: 18:00 is 17:00 UTC before, 16:00 after."""
    calendar.load([{**KEYNOTES, "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=6"]}])
    events = (await client(calendar, key_file, sleep).list_changes(None)).events
    starts = [e.start.strftime("%m-%d %H:%M") for e in events if e.start is not None]
    assert starts == [
        "03-05 17:00",
        "03-12 17:00",
        "03-19 17:00",
        "03-26 17:00",
        "04-02 16:00",
        "04-09 16:00",
    ]
    assert events[4].id == "keynotes_20240402T160000Z"
