"""Discord's JSON errors, the sandbox's own exceptions, and injected faults."""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass, field
from typing import Any


class DiscordError(Exception):
    """An error answer as Discord sends it: HTTP status plus JSON ``{code, message[, errors]}``."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


class RejectedByDiscord(Exception):
    """Something Discord's own client would never send (bad option, disabled button...)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class DiscordFault:
    """A fault the server answers instead of handling a matching bot request."""

    method: str
    path_pattern: str
    status: int
    retry_after: float = 0.5
    count: int = 1
    global_: bool = False
    hits: int = 0
    regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        self.regex = re.compile(self.path_pattern)

    def matches(self, method: str, path: str) -> bool:
        if self.count <= 0:
            return False
        if self.method not in ("*", method.upper()):
            return False
        return self.regex.search(path) is not None


@dataclass
class DiscordHold:
    """A point to crash the bot at: a matching bot request is handled as usual (a message is
    recorded, posted for everyone to see), then its answer is held back until :meth:`release`
    (or ``max_seconds``). ``hits`` counts the requests held."""

    method: str
    path_pattern: str
    count: int = 1
    max_seconds: float = 30.0
    hits: int = 0
    regex: re.Pattern[str] = field(init=False, repr=False)
    released: asyncio.Event = field(init=False, repr=False, default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.method = self.method.upper()
        self.regex = re.compile(self.path_pattern)

    def matches(self, method: str, path: str) -> bool:
        if self.count <= 0:
            return False
        if self.method not in ("*", method.upper()):
            return False
        return self.regex.search(path) is not None

    async def hold(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.released.wait(), self.max_seconds)

    def release(self) -> None:
        self.released.set()


def not_found() -> DiscordError:
    return DiscordError(404, 0, "404: Not Found")


def unauthorized() -> DiscordError:
    return DiscordError(401, 0, "401: Unauthorized")


def unknown_channel() -> DiscordError:
    return DiscordError(404, 10003, "Unknown Channel")


def unknown_guild() -> DiscordError:
    return DiscordError(404, 10004, "Unknown Guild")


def unknown_member() -> DiscordError:
    return DiscordError(404, 10007, "Unknown Member")


def unknown_message() -> DiscordError:
    return DiscordError(404, 10008, "Unknown Message")


def unknown_role() -> DiscordError:
    return DiscordError(404, 10011, "Unknown Role")


def unknown_user() -> DiscordError:
    return DiscordError(404, 10013, "Unknown User")


def unknown_webhook() -> DiscordError:
    return DiscordError(404, 10015, "Unknown Webhook")


def unknown_event() -> DiscordError:
    return DiscordError(404, 10070, "Unknown Guild Scheduled Event")


def unknown_interaction() -> DiscordError:
    return DiscordError(404, 10062, "Unknown interaction")


def unknown_command() -> DiscordError:
    return DiscordError(404, 10063, "Unknown application command")


def missing_access() -> DiscordError:
    return DiscordError(403, 50001, "Missing Access")


def missing_permissions() -> DiscordError:
    return DiscordError(403, 50013, "Missing Permissions")


def cannot_dm() -> DiscordError:
    return DiscordError(403, 50007, "Cannot send messages to this user")


def empty_message() -> DiscordError:
    return DiscordError(400, 50006, "Cannot send an empty message")


def already_acknowledged() -> DiscordError:
    return DiscordError(400, 40060, "Interaction has already been acknowledged.")


def invalid_webhook_token() -> DiscordError:
    return DiscordError(401, 50027, "Invalid Webhook Token")


def max_roles() -> DiscordError:
    return DiscordError(400, 30005, "Maximum number of guild roles reached (250)")


def max_channels() -> DiscordError:
    return DiscordError(400, 30013, "Maximum number of guild channels reached (500)")


def max_old_edits() -> DiscordError:
    return DiscordError(
        400, 30046, "Maximum number of edits to messages older than 1 hour reached. Try again later"
    )


def max_events() -> DiscordError:
    return DiscordError(
        400, 30038, "Maximum number of uncompleted guild scheduled events reached (100)"
    )


def thread_archived() -> DiscordError:
    return DiscordError(400, 50083, "Thread is archived")


def thread_locked() -> DiscordError:
    return DiscordError(403, 160005, "Thread is locked")


def invalid_form(problems: list[tuple[str, str, str]]) -> DiscordError:
    """50035 with Discord's nested ``errors`` tree; each problem is (dotted path, code, message)."""
    tree: dict[str, Any] = {}
    for path, code, message in problems:
        node = tree
        for part in path.split(".") if path else []:
            node = node.setdefault(part, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return DiscordError(400, 50035, "Invalid Form Body", tree)


def fault_error(status: int) -> DiscordError:
    defaults: dict[int, tuple[int, str]] = {
        400: (50035, "Invalid Form Body"),
        401: (0, "401: Unauthorized"),
        403: (50013, "Missing Permissions"),
        404: (0, "404: Not Found"),
        500: (0, "500: Internal Server Error"),
        502: (0, "502: Bad Gateway"),
        503: (0, "503: Service Unavailable"),
    }
    code, message = defaults.get(status, (0, f"{status}: Error"))
    return DiscordError(status, code, message)
