"""Domain errors: each carries a catalog key and its parameters, never a sentence."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal the member should read, localized from ``key`` with ``params``."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r}, {self.params!r})"


class NotFound(DomainError):
    """The thing the member named does not exist."""


class Forbidden(DomainError):
    """The member may not do this."""


class Conflict(DomainError):
    """The request clashes with the current state (full team, taken name...)."""


class InvalidInput(DomainError):
    """A value the member typed is not acceptable."""


class MissingRole(Forbidden):
    """The command needs a configured role (organizer, mentor) the member lacks."""

    def __init__(self, role: str) -> None:
        super().__init__("core.errors.missing_role", role=role)
