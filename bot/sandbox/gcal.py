"""A local Google Calendar (API v3): OAuth token endpoint and ``events.list`` / ``events.get``.

The real ``google-api-python-client`` runs against it unmodified::

    build("calendar", "v3", static_discovery=True, http=...,
          client_options={"api_endpoint": cal.api_endpoint})

Service-account credentials written by ``write_service_account_key`` post a JWT-bearer grant to
``cal.token_uri``; the server verifies the RS256 signature with the key's public half and hands out
an access token. API calls without a token it issued answer 401.

Sync semantics follow Google's: ``nextSyncToken`` only on the last page; a ``syncToken`` list
returns the events changed since (deleted ones as ``{id, status: "cancelled"}``); ``syncToken``
combined with ``timeMin``/``timeMax``/``orderBy``/``q``/``updatedMin``/``iCalUID`` is a 400; an
unknown token is a 410 ``fullSyncRequired``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bot.sandbox.http_util import (
    Holder,
    LocalServer,
    RequestLog,
    iso_z,
    json_response,
    logging_middleware,
    parse_iso,
    utc_now,
)

__all__ = ["CALENDAR_FAULTS", "LocalCalendar"]

CALENDAR_FAULTS: Final = frozenset({"429", "500", "timeout", "410"})
_API_PREFIX: Final = "/calendar/v3/"
_JWT_GRANT: Final = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_TOKEN_LIFETIME: Final = 3600
# google-auth always addresses its grant assertion to Google's token endpoint, whatever token_uri.
_GOOGLE_TOKEN_AUDIENCE: Final = "https://oauth2.googleapis.com/token"
_MAX_RESULTS_CAP: Final = 2500
_SYNC_CONFLICTS: Final = ("timeMin", "timeMax", "orderBy", "q", "updatedMin", "iCalUID")
_EVENT_FIELDS: Final = frozenset(
    {"id", "summary", "description", "start", "end", "status", "location"}
)


@dataclass
class _Event:
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
class _Calendar:
    id: str
    events: dict[str, _Event] = field(default_factory=dict)


class _ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str, **extra: str) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.extra = extra

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"domain": "global", "reason": self.reason, "message": self.message}
        error.update(self.extra)
        return {"error": {"errors": [error], "code": self.status, "message": self.message}}


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _encode_token(data: Mapping[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str) -> dict[str, Any] | None:
    try:
        data = json.loads(_b64url_decode(token))
    except (ValueError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


class LocalCalendar(LocalServer):
    """The local Google Calendar. Times are served in UTC."""

    def __init__(
        self, now: Callable[[], datetime] = utc_now, *, hold_seconds: float = 30.0
    ) -> None:
        super().__init__()
        self.now = now
        self.calendars: dict[str, _Calendar] = {}
        self._version = 0
        self._issued_sync_versions: set[int] = set()
        self._access_tokens: dict[str, float] = {}
        self._public_keys: dict[str, rsa.RSAPublicKey] = {}
        self._faults: list[str] = []
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
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_id = secrets.token_hex(20)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        info = {
            "type": "service_account",
            "project_id": "hackbot-sandbox",
            "private_key_id": key_id,
            "private_key": pem,
            "client_email": client_email,
            "client_id": str(int(hashlib.sha1(client_email.encode()).hexdigest()[:15], 16)),
            "auth_uri": f"{self.base_url}/o/oauth2/auth",
            "token_uri": self.token_uri,
            "universe_domain": "googleapis.com",
        }
        self._public_keys[client_email] = key.public_key()
        path.write_text(json.dumps(info, indent=2))
        path.chmod(0o600)
        return path

    def load(self, events: Iterable[Mapping[str, Any]], calendar_id: str = "primary") -> None:
        """Load the scenario's ``[[calendar.events]]``."""
        self.calendars.setdefault(calendar_id, _Calendar(calendar_id))
        for event in events:
            self.upsert(event, calendar_id=calendar_id)

    def upsert(self, event: Mapping[str, Any], calendar_id: str | None = None) -> None:
        """Create an event or merge the given fields into it (a scenario step)."""
        unknown = set(event) - _EVENT_FIELDS
        if unknown:
            raise ValueError(f"unknown calendar event field(s) {sorted(unknown)}")
        if "id" not in event:
            raise ValueError("a calendar event needs an id")
        calendar = self._calendar_for_step(calendar_id)
        event_id = str(event["id"])
        now = self.now()
        self._version += 1
        current = calendar.events.get(event_id)
        if current is None:
            if "start" not in event:
                raise ValueError(f"calendar event {event_id!r} needs a start")
            start = parse_iso(event["start"])
            current = _Event(
                id=event_id,
                summary=str(event.get("summary", "")),
                description=str(event.get("description", "")),
                start=start,
                end=parse_iso(event["end"]) if "end" in event else start,
                status=str(event.get("status", "confirmed")),
                location=str(event.get("location", "")),
                created=now,
                updated=now,
                version=self._version,
            )
            calendar.events[event_id] = current
            return
        for key in ("summary", "description", "status", "location"):
            if key in event:
                setattr(current, key, str(event[key]))
        for key in ("start", "end"):
            if key in event:
                setattr(current, key, parse_iso(event[key]))
        current.updated = now
        current.version = self._version
        current.sequence += 1

    def cancel(self, event_id: str, calendar_id: str | None = None) -> None:
        """Cancel (delete) an event (a scenario step)."""
        calendar = self._calendar_for_step(calendar_id)
        if event_id not in calendar.events:
            raise ValueError(f"unknown calendar event {event_id!r}")
        self.upsert({"id": event_id, "status": "cancelled"}, calendar_id=calendar.id)

    def set_fault(self, kind: str, count: int = 1) -> None:
        """The next ``count`` API requests fail with ``kind``; ``"410"`` applies to sync-token
        requests only; ``"none"`` clears every pending fault."""
        if kind == "none":
            self._faults.clear()
            return
        if kind not in CALENDAR_FAULTS:
            raise ValueError(f"unknown calendar fault {kind!r}")
        self._faults.extend([kind] * count)

    def _calendar_for_step(self, calendar_id: str | None) -> _Calendar:
        if calendar_id is None:
            calendar_id = next(iter(self.calendars)) if len(self.calendars) == 1 else "primary"
        return self.calendars.setdefault(calendar_id, _Calendar(calendar_id))

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
        form = await request.post()
        if form.get("grant_type") != _JWT_GRANT:
            return json_response(
                {"error": "unsupported_grant_type", "error_description": "Invalid grant_type."}, 400
            )
        assertion = str(form.get("assertion", ""))
        problem = self._check_assertion(assertion)
        if problem is not None:
            return json_response({"error": "invalid_grant", "error_description": problem}, 400)
        token = "ya29.local-" + secrets.token_urlsafe(32)
        self._access_tokens[token] = time.time() + _TOKEN_LIFETIME
        return json_response(
            {"access_token": token, "expires_in": _TOKEN_LIFETIME - 1, "token_type": "Bearer"}
        )

    def _check_assertion(self, assertion: str) -> str | None:
        parts = assertion.split(".")
        if len(parts) != 3:
            return "Invalid JWT."
        try:
            header = json.loads(_b64url_decode(parts[0]))
            claims = json.loads(_b64url_decode(parts[1]))
            signature = _b64url_decode(parts[2])
        except (ValueError, json.JSONDecodeError):
            return "Invalid JWT."
        if header.get("alg") != "RS256":
            return "Invalid JWT Signature."
        public_key = self._public_keys.get(str(claims.get("iss")))
        if public_key is None:
            return "Invalid grant: account not found"
        try:
            public_key.verify(
                signature,
                f"{parts[0]}.{parts[1]}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return "Invalid JWT Signature."
        # JWTs are stamped with the real clock by the client library, not the sandbox clock.
        real_now = time.time()
        if claims.get("aud") not in (_GOOGLE_TOKEN_AUDIENCE, self.token_uri):
            return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe."
        if not (float(claims.get("iat", 0)) - 300 <= real_now <= float(claims.get("exp", 0)) + 300):
            return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe."
        return None

    async def _api(self, request: web.Request) -> web.Response:
        try:
            self._authorize(request)
            raw = request.raw_path.split("?", 1)[0][len(_API_PREFIX) :]
            segments = [unquote(s) for s in raw.split("/")]
            if len(segments) >= 3 and segments[0] == "calendars" and segments[2] == "events":
                calendar = self.calendars.get(segments[1])
                if calendar is None:
                    raise _ApiError(404, "notFound", "Not Found")
                if request.method == "GET" and len(segments) == 3:
                    await self._inject_fault(sync="syncToken" in request.query)
                    return json_response(self._list(request, calendar))
                if request.method == "GET" and len(segments) == 4:
                    await self._inject_fault(sync=False)
                    event = calendar.events.get(segments[3])
                    if event is None:
                        raise _ApiError(404, "notFound", "Not Found")
                    return json_response(self._resource(calendar, event, full=True))
            raise _ApiError(404, "notFound", "Not Found")
        except _ApiError as err:
            headers = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
            return json_response(
                err.body(),
                err.status,
                headers=headers if err.status == 401 else None,
                content_type="application/json; charset=UTF-8",
            )

    def _authorize(self, request: web.Request) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        expiry = self._access_tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if expiry is None or expiry < time.time():
            raise _ApiError(
                401,
                "authError",
                "Request had invalid authentication credentials.",
                location="Authorization",
                locationType="header",
            )

    async def _inject_fault(self, *, sync: bool) -> None:
        if not self._faults:
            return
        fault = self._faults[0]
        if fault == "410":
            if not sync:
                return
            self._faults.pop(0)
            self._issued_sync_versions.clear()
            raise _ApiError(
                410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required."
            )
        self._faults.pop(0)
        if fault == "429":
            raise _ApiError(429, "rateLimitExceeded", "Rate Limit Exceeded")
        if fault == "500":
            raise _ApiError(500, "backendError", "Backend Error")
        await self._holder.hold()
        raise _ApiError(503, "backendError", "Backend Error")

    # -- events.list ---------------------------------------------------------------------------
    def _list(self, request: web.Request, calendar: _Calendar) -> dict[str, Any]:
        query = request.query
        sync_token = query.get("syncToken")
        if sync_token is not None:
            conflicts = [name for name in _SYNC_CONFLICTS if name in query]
            if conflicts:
                raise _ApiError(
                    400,
                    "invalid",
                    f"Sync token cannot be combined with {conflicts[0]}.",
                    location=conflicts[0],
                    locationType="parameter",
                )
        single = query.get("singleEvents", "false").lower() == "true"
        order_by = query.get("orderBy")
        if order_by not in (None, "startTime", "updated"):
            raise _ApiError(400, "invalid", "Invalid value for orderBy.")
        if order_by == "startTime" and not single:
            raise _ApiError(
                400, "invalid", "The requested ordering is not available for the particular query."
            )
        try:
            max_results = min(int(query.get("maxResults", "250")), _MAX_RESULTS_CAP)
            time_min = parse_iso(query["timeMin"]) if "timeMin" in query else None
            time_max = parse_iso(query["timeMax"]) if "timeMax" in query else None
        except ValueError:
            raise _ApiError(400, "invalid", "Bad Request") from None
        if max_results < 1:
            raise _ApiError(400, "invalid", "Invalid value for maxResults.")

        page_token = query.get("pageToken")
        page: dict[str, Any] = {"o": 0, "v": self._version}
        if page_token is not None:
            decoded = _decode_token(page_token)
            if decoded is None or decoded.get("c") != calendar.id:
                raise _ApiError(400, "invalid", "Invalid page token value.")
            page = decoded
        since: int | None = None
        if sync_token is not None:
            decoded_sync = _decode_token(sync_token)
            version = decoded_sync.get("s") if decoded_sync else None
            if (
                not isinstance(version, int)
                or version not in self._issued_sync_versions
                or decoded_sync is None
                or decoded_sync.get("c") != calendar.id
            ):
                raise _ApiError(
                    410,
                    "fullSyncRequired",
                    "Sync token is no longer valid, a full sync is required.",
                )
            since = version
        snapshot = int(page["v"])
        show_deleted = query.get("showDeleted", "false").lower() == "true"

        events = [e for e in calendar.events.values() if e.version <= snapshot]
        if since is not None:
            events = [e for e in events if e.version > since]
        else:
            if not show_deleted:
                events = [e for e in events if not e.deleted]
            if time_min is not None:
                events = [e for e in events if e.end > time_min]
            if time_max is not None:
                events = [e for e in events if e.start < time_max]
        if order_by == "updated":
            events.sort(key=lambda e: (e.updated, e.version, e.id))
        else:
            events.sort(key=lambda e: (e.start, e.id))

        offset = int(page["o"])
        chunk = events[offset : offset + max_results]
        body: dict[str, Any] = {
            "kind": "calendar#events",
            "etag": f'"{snapshot}"',
            "summary": calendar.id,
            "description": "",
            "updated": iso_z(
                max((e.updated for e in calendar.events.values()), default=self.now())
            ),
            "timeZone": "UTC",
            "accessRole": "reader",
            "defaultReminders": [],
            "items": [
                self._resource(calendar, e, full=since is None or not e.deleted) for e in chunk
            ],
        }
        if offset + max_results < len(events):
            body["nextPageToken"] = _encode_token(
                {"c": calendar.id, "o": offset + max_results, "v": snapshot}
            )
        else:
            self._issued_sync_versions.add(snapshot)
            body["nextSyncToken"] = _encode_token({"c": calendar.id, "s": snapshot})
        return body

    def _resource(self, calendar: _Calendar, event: _Event, *, full: bool) -> dict[str, Any]:
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
