"""Async adapter over the synchronous Google Calendar v3 client.

The discovery document ships with ``google-api-python-client`` (``static_discovery=True``), so
building the service needs no network. httplib2 is not thread-safe: each worker thread builds and
keeps its own service object. Calls run through ``asyncio.to_thread`` behind a semaphore.

``list_changes`` does Google's incremental sync: a full listing when there is no sync token, the
changes since the token otherwise, and a full listing again (``full_sync=True``) when Google
answers 410 because the token expired.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import google_auth_httplib2
import httplib2
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2 import service_account
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

__all__ = ["CalendarClient", "CalendarError", "CalendarErrorKind", "CalendarEvent", "CalendarPage"]

log = logging.getLogger(__name__)

SCOPES: Final = ("https://www.googleapis.com/auth/calendar.readonly",)
CalendarErrorKind = Literal[
    "unauthorized", "rate_limited", "unavailable", "not_found", "invalid_request"
]
T = TypeVar("T")
_RATE_REASONS: Final = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})


class CalendarError(Exception):
    """The one error of :class:`CalendarClient`."""

    def __init__(self, kind: CalendarErrorKind, detail: str = "") -> None:
        super().__init__(f"calendar {kind}" + (f": {detail}" if detail else ""))
        self.kind: CalendarErrorKind = kind


class _SyncTokenExpired(Exception):
    pass


@dataclass(frozen=True)
class CalendarEvent:
    """One event (or one instance of a recurring event: the client asks for them expanded)."""

    id: str
    summary: str
    description: str
    start: datetime | None  # aware UTC; None only for cancelled events of an incremental sync
    end: datetime | None
    status: str
    cancelled: bool
    location: str = ""
    # An all-day event: ``start``/``end`` are midnight UTC of its dates.
    all_day: bool = False
    # The series an instance belongs to (None for a single event).
    recurring_event_id: str | None = None


@dataclass(frozen=True)
class CalendarPage:
    events: list[CalendarEvent]
    next_sync_token: str | None
    full_sync: bool


class CalendarClient:
    def __init__(
        self,
        api_endpoint: str | None,
        credentials_file: str | None,
        calendar_id: str,
        *,
        max_concurrency: int = 2,
        retries: int = 3,
        timeout: float = 10.0,
        page_size: int = 250,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        backoff_base: float = 1.0,
        max_backoff: float = 30.0,
    ) -> None:
        self._api_endpoint = api_endpoint
        self._credentials_file = credentials_file
        self._calendar_id = calendar_id
        self._semaphore = asyncio.Semaphore(max_concurrency)
        self._retries = retries
        self._timeout = timeout
        self._page_size = page_size
        self._sleep = sleep
        self._backoff_base = backoff_base
        self._max_backoff = max_backoff
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"CalendarClient(calendar_id={self._calendar_id!r}, endpoint={self._api_endpoint!r})"

    async def list_changes(self, sync_token: str | None) -> CalendarPage:
        """All events (no token) or the changes since ``sync_token``, every page fetched."""
        full_sync = sync_token is None
        try:
            events, next_token = await self._list_all(sync_token)
        except _SyncTokenExpired:
            log.info("calendar sync token expired; doing a full sync")
            full_sync = True
            events, next_token = await self._list_all(None)
        return CalendarPage(events=events, next_sync_token=next_token, full_sync=full_sync)

    async def _list_all(self, sync_token: str | None) -> tuple[list[CalendarEvent], str | None]:
        events: list[CalendarEvent] = []
        page_token: str | None = None
        while True:
            params: dict[str, Any] = {
                "calendarId": self._calendar_id,
                "maxResults": self._page_size,
                "singleEvents": True,
            }
            if sync_token is not None:
                params["syncToken"] = sync_token
            if page_token is not None:
                params["pageToken"] = page_token
            body = await self._call(params)
            events.extend(_to_event(item) for item in body.get("items", []))
            page_token = body.get("nextPageToken")
            if page_token is None:
                token = body.get("nextSyncToken")
                return events, str(token) if token is not None else None

    # -- machinery -----------------------------------------------------------------------------
    def _service(self) -> Any:
        service = getattr(self._local, "service", None)
        if service is None:
            http: Any = httplib2.Http(timeout=self._timeout)
            if self._credentials_file is not None:
                credentials = service_account.Credentials.from_service_account_file(  # type: ignore[no-untyped-call]
                    self._credentials_file, scopes=list(SCOPES)
                )
                http = google_auth_httplib2.AuthorizedHttp(credentials, http=http)
            client_options = {"api_endpoint": self._api_endpoint} if self._api_endpoint else None
            service = build(
                "calendar",
                "v3",
                http=http,
                static_discovery=True,
                cache_discovery=False,
                client_options=client_options,
            )
            self._local.service = service
        return service

    def _list_page(self, params: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._service().events().list(**params).execute(num_retries=0)
        return result

    async def _call(self, params: dict[str, Any]) -> dict[str, Any]:
        attempt = 0
        while True:
            try:
                async with self._semaphore:
                    return await asyncio.to_thread(self._list_page, params)
            except Exception as exc:
                kind, retryable = _classify(exc)
                if not retryable or attempt >= self._retries:
                    raise CalendarError(kind, type(exc).__name__) from exc
            delay = min(self._backoff_base * 2**attempt, self._max_backoff)
            attempt += 1
            log.warning("calendar %s; retry %d/%d in %.1fs", kind, attempt, self._retries, delay)
            await self._sleep(delay)


def _classify(exc: BaseException) -> tuple[CalendarErrorKind, bool]:
    if isinstance(exc, HttpError):
        status = int(exc.resp.status)
        reasons = {str(d.get("reason")) for d in (exc.error_details or []) if isinstance(d, dict)}
        if status == 410:
            raise _SyncTokenExpired from exc
        if status == 429 or (status == 403 and reasons & _RATE_REASONS):
            return "rate_limited", True
        if status in (401, 403):
            return "unauthorized", False
        if status == 404:
            return "not_found", False
        if status >= 500 or status == 408:
            return "unavailable", True
        return "invalid_request", False
    if isinstance(exc, RefreshError):
        return "unauthorized", False
    if isinstance(exc, TransportError | TimeoutError | OSError | httplib2.HttpLib2Error):
        return "unavailable", True
    raise exc


def _parse_time(value: Any) -> datetime | None:
    """An ``EventDateTime`` as an aware UTC instant: ``dateTime`` carries its offset (read in
    ``timeZone`` when it has none); an all-day ``date`` is midnight UTC of that date."""
    if not isinstance(value, dict):
        return None
    try:
        if "dateTime" in value:
            moment = datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))
            if moment.tzinfo is None:
                zone = value.get("timeZone")
                moment = moment.replace(tzinfo=ZoneInfo(str(zone)) if zone else UTC)
        elif "date" in value:
            moment = datetime.fromisoformat(str(value["date"])).replace(tzinfo=UTC)
        else:
            return None
    except (ValueError, ZoneInfoNotFoundError):
        log.warning("calendar time not understood: %r", value)
        return None
    return moment.astimezone(UTC)


def _to_event(item: dict[str, Any]) -> CalendarEvent:
    status = str(item.get("status", "confirmed"))
    return CalendarEvent(
        id=str(item["id"]),
        summary=str(item.get("summary", "")),
        description=str(item.get("description", "")),
        start=_parse_time(item.get("start")),
        end=_parse_time(item.get("end")),
        status=status,
        cancelled=status == "cancelled",
        location=str(item.get("location", "")),
        all_day=isinstance(item.get("start"), dict) and "date" in item["start"],
        recurring_event_id=(
            str(item["recurringEventId"]) if item.get("recurringEventId") else None
        ),
    )
