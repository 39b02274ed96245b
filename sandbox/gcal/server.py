"""The local Calendar server: its calendars, faults and keys, the controls, and the API routes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote

from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.http_util import (
    Holder,
    LocalServer,
    RequestLog,
    json_response,
    logging_middleware,
    utc_now,
)

from .errors import ApiError, error_response
from .events import (
    EVENT_FIELDS,
    Calendar,
    event_resource,
    instance_of,
    merge_event,
    new_event,
    split_instance_id,
)
from .listing import list_events
from .oauth import authorize, new_service_account_key, token_reply

CALENDAR_FAULTS: Final = frozenset({"429", "403", "500", "timeout", "410"})
_API_PREFIX: Final = "/calendar/v3/"


class LocalCalendar(LocalServer):
    """The local Google Calendar. Times are served in UTC."""

    def __init__(
        self, now: Callable[[], datetime] = utc_now, *, hold_seconds: float = 30.0
    ) -> None:
        super().__init__()
        self.now = now
        self.calendars: dict[str, Calendar] = {}
        self._version = 0
        self._issued_sync_versions: set[int] = set()
        self._access_tokens: dict[str, float] = {}
        self._public_keys: dict[str, rsa.RSAPublicKey] = {}
        self._faults: list[str] = []
        # The change count the last good events listing saw (None: never listed).
        self._listed_version: int | None = None
        self._log = RequestLog()
        self._holder = Holder(hold_seconds)

    # -- control -------------------------------------------------------------------------------
    @property
    def api_endpoint(self) -> str:
        return f"{self.base_url}{_API_PREFIX}"

    @property
    def token_uri(self) -> str:
        return f"{self.base_url}/token"

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        return self._log.entries

    def write_service_account_key(
        self, path: Path, client_email: str = "hackbot@hackbot-sandbox.iam.gserviceaccount.com"
    ) -> Path:
        """Write a service-account key file whose ``token_uri`` is this server; returns ``path``."""
        info, public_key = new_service_account_key(
            client_email, base_url=self.base_url, token_uri=self.token_uri
        )
        self._public_keys[client_email] = public_key
        path.write_text(json.dumps(info, indent=2))
        path.chmod(0o600)
        return path

    def load(self, events: Iterable[Mapping[str, Any]], calendar_id: str = "primary") -> None:
        """Load the scenario's ``[[calendar.events]]``."""
        self.calendars.setdefault(calendar_id, Calendar(calendar_id))
        for event in events:
            self.upsert(event, calendar_id=calendar_id)

    def upsert(self, event: Mapping[str, Any], calendar_id: str | None = None) -> None:
        """Create an event or merge the given fields into it (a scenario step). An id naming an
        instance of a recurring event (``<seriesId>_<YYYYMMDDTHHMMSSZ>``) makes an exception of
        that instance. What the real API would refuse (no end, an invalid status) is refused
        here, with nothing changed."""
        unknown = set(event) - EVENT_FIELDS
        if unknown:
            raise ValueError(f"unknown calendar event field(s) {sorted(unknown)}")
        if "id" not in event:
            raise ValueError("a calendar event needs an id")
        calendar = self._calendar_for_step(calendar_id)
        event_id = str(event["id"])
        now = self.now()
        version = self._version + 1
        current = calendar.events.get(event_id)
        if current is None:
            base = instance_of(calendar, event_id)
            if base is None and split_instance_id(event_id) is not None and "start" not in event:
                raise ValueError(f"unknown instance {event_id!r} of a recurring event")
            calendar.events[event_id] = new_event(event_id, event, now, version, base=base)
        else:
            merge_event(current, event, now, version)
        self._version = version

    def cancel(self, event_id: str, calendar_id: str | None = None) -> None:
        """Cancel (delete) an event (a scenario step)."""
        calendar = self._calendar_for_step(calendar_id)
        if event_id not in calendar.events and instance_of(calendar, event_id) is None:
            raise ValueError(f"unknown calendar event {event_id!r}")
        self.upsert({"id": event_id, "status": "cancelled"}, calendar_id=calendar.id)

    def idle_since_last_read(self) -> bool:
        """Nothing changed since the last complete events listing, and no fault is pending: a
        sync now would find nothing (the sandbox skips such polls)."""
        return self._listed_version == self._version and not self._faults

    def set_fault(self, kind: str, count: int = 1) -> None:
        """The next ``count`` API requests fail with ``kind``; ``"410"`` applies to sync-token
        requests only; ``"none"`` clears every pending fault."""
        if kind == "none":
            self._faults.clear()
            return
        if kind not in CALENDAR_FAULTS:
            raise ValueError(f"unknown calendar fault {kind!r}")
        self._faults.extend([kind] * count)

    def _calendar_for_step(self, calendar_id: str | None) -> Calendar:
        if calendar_id is None:
            calendar_id = next(iter(self.calendars)) if len(self.calendars) == 1 else "primary"
        return self.calendars.setdefault(calendar_id, Calendar(calendar_id))

    # -- server --------------------------------------------------------------------------------
    def _build_app(self) -> web.Application:
        self._holder.reset()
        app = web.Application(middlewares=[logging_middleware(self._log)])
        app.router.add_post("/token", self._token)
        app.router.add_route("*", _API_PREFIX + "{tail:.*}", self._api)
        return app

    def _on_close(self) -> None:
        self._holder.release_all()

    async def _token(self, request: web.Request) -> web.Response:
        return await token_reply(
            request,
            public_keys=self._public_keys,
            token_uri=self.token_uri,
            access_tokens=self._access_tokens,
        )

    async def _api(self, request: web.Request) -> web.Response:
        try:
            authorize(request, self._access_tokens)
            raw = request.raw_path.split("?", 1)[0][len(_API_PREFIX) :]
            segments = [unquote(s) for s in raw.split("/")]
            if len(segments) >= 3 and segments[0] == "calendars" and segments[2] == "events":
                calendar = self.calendars.get(segments[1])
                if calendar is None:
                    raise ApiError(404, "notFound", "Not Found")
                if request.method == "GET" and len(segments) == 3:
                    self._listed_version = None  # until this listing completes
                    await self._inject_fault(sync="syncToken" in request.query)
                    version = self._version
                    body = list_events(
                        request.query,
                        calendar,
                        version=version,
                        issued_sync_versions=self._issued_sync_versions,
                        now=self.now,
                    )
                    if "nextSyncToken" in body:
                        self._listed_version = version
                    return json_response(body)
                if request.method == "GET" and len(segments) == 4:
                    await self._inject_fault(sync=False)
                    event = calendar.events.get(segments[3]) or instance_of(calendar, segments[3])
                    if event is None:
                        raise ApiError(404, "notFound", "Not Found")
                    return json_response(event_resource(calendar, event, full=True))
            raise ApiError(404, "notFound", "Not Found")
        except ApiError as err:
            return error_response(err)

    async def _inject_fault(self, *, sync: bool) -> None:
        if not self._faults:
            return
        fault = self._faults[0]
        if fault == "410":
            if not sync:
                return
            self._faults.pop(0)
            self._issued_sync_versions.clear()
            raise ApiError(
                410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required."
            )
        self._faults.pop(0)
        if fault == "429":
            raise ApiError(429, "rateLimitExceeded", "Rate Limit Exceeded")
        if fault == "403":
            # Calendar's usage limits answer 403 as often as 429 (domain usageLimits).
            raise ApiError(403, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")
        if fault == "500":
            raise ApiError(500, "backendError", "Backend Error")
        await self._holder.hold()
        raise ApiError(503, "backendError", "Backend Error")
