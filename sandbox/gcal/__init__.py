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

from .server import CALENDAR_FAULTS, LocalCalendar

__all__ = ["CALENDAR_FAULTS", "LocalCalendar"]
