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

Events follow the v3 discovery document that google-api-python-client ships: all-day events
have ``date`` values, timed ones ``dateTime`` (with the event's ``timeZone``, or the listing's
``timeZone`` parameter); a recurring event (``recurrence``: weekly or daily ``RRULE``, ``EXDATE``)
is served as a series, or expanded into instances with ``singleEvents=true``, with its
exceptions (an instance moved or cancelled) in place. An event given without an end, with a
status Google does not have, or with a recurrence and no time zone is refused when given. Faults:
429 and 403 ``rateLimitExceeded``, 500, a timeout, 410 on the next sync.
"""

from .server import CALENDAR_FAULTS, LocalCalendar

__all__ = ["CALENDAR_FAULTS", "LocalCalendar"]
