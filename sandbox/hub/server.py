"""The local Hub server: its repos, tokens and faults, and the controls scenarios use."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from aiohttp import web

from sandbox.http_util import Holder, LocalServer, RequestLog, logging_middleware, utc_now

from .fields import REPO_FIELDS, apply_field
from .repos import FAULTS, PLURAL, HubRepo, RepoKind, repo_kind
from .routes import HubRoutes


class LocalHub(LocalServer):
    """The local Hub. See the ``sandbox.hub`` docstring for its access model and faults."""

    def __init__(
        self,
        now: Callable[[], datetime] = utc_now,
        *,
        tokens: Iterable[str] = (),
        users: Iterable[str] = (),
        page_size: int = 50,
        rate_limit_reset: int = 3,
        hold_seconds: float = 30.0,
    ) -> None:
        super().__init__()
        self.now = now
        # Valid tokens: ``tokens`` belong to members of every namespace (they see private repos,
        # pass gates and may write); ``users`` are other valid users. Any other token is refused.
        self.tokens: set[str] = set(tokens)
        self.users: set[str] = set(users)
        self.page_size = page_size
        self.rate_limit_reset = rate_limit_reset
        self.repos: dict[tuple[RepoKind, str], HubRepo] = {}
        self.faults: dict[str, str] = {}
        # Seconds added before every answer (benchmarks: the real Hub is not on loopback).
        self.latency = 0.0
        self.in_flight = 0  # requests being answered now, and the most at once so far
        self.peak_in_flight = 0
        self._log = RequestLog()
        self._holder = Holder(hold_seconds)

    # -- control -------------------------------------------------------------------------------
    @property
    def held(self) -> int:
        """Requests held open by a "timeout" fault so far."""
        return self._holder.held

    def release_held(self) -> None:
        """Answer every request held open now (the server stays up)."""
        self._holder.release_all()
        self._holder.reset()

    @property
    def url(self) -> str:
        return self.base_url

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        return self._log.entries

    def load(self, table: Mapping[str, Any]) -> None:
        """Load a scenario's ``[hub]`` table: models, datasets, spaces, faults (and tokens)."""
        for key, value in table.items():
            if key in PLURAL:
                for repo_id, fields in dict(value).items():
                    self.set(repo_id, dict(fields), kind=PLURAL[key])
            elif key == "faults":
                for repo_id, fault in dict(value).items():
                    self.set_fault(repo_id, str(fault))
            elif key == "tokens":
                self.tokens.update(str(token) for token in value)
            elif key == "users":
                self.users.update(str(token) for token in value)
            else:
                raise ValueError(f"unknown hub key {key!r}")

    def set(self, repo_id: str, fields: Mapping[str, Any], kind: str | None = None) -> HubRepo:
        """Merge ``fields`` into a repo, creating it if new.

        As on the Hub, a change of content (card, files, parameters, rows, contents) of an existing
        repo is a new commit at the Hub's clock; ``commits`` instead lays out the repo's whole
        history (every listed commit holding the content as it is after this call).
        """
        unknown = set(fields) - REPO_FIELDS
        if unknown:
            raise ValueError(f"unknown hub field(s) {sorted(unknown)} for {repo_id}")
        existed = self._existing(repo_id, kind) is not None
        repo = self._find_for_set(repo_id, kind)
        before = repo.snapshot()
        for key, value in fields.items():
            apply_field(repo, key, value)
        if "commits" in fields or not existed:
            repo.rebuild_history()
        elif repo.snapshot() != before:
            repo.record(self.now(), "Update files")
        return repo

    def revoke(self, token: str) -> None:
        """Revoke a token: from now on every call with it answers 401."""
        self.tokens.discard(token)
        self.users.discard(token)

    def set_fault(self, repo_id: str, fault: str) -> None:
        """Set "429", "500" or "timeout" for a repo ("*": every repo); "none" clears it."""
        if fault == "none":
            self.faults.pop(repo_id, None)
        elif fault in FAULTS:
            self.faults[repo_id] = fault
        else:
            raise ValueError(f"unknown hub fault {fault!r}")

    def get(self, repo_id: str, kind: str = "model") -> HubRepo | None:
        return self.repos.get((repo_kind(kind), repo_id))

    def _wanted(self, repo_id: str, kind: str | None) -> RepoKind:
        if kind is not None:
            return repo_kind(kind)
        existing = [k for (k, rid) in self.repos if rid == repo_id]
        return existing[0] if len(existing) == 1 else "model"

    def _existing(self, repo_id: str, kind: str | None) -> HubRepo | None:
        return self.repos.get((self._wanted(repo_id, kind), repo_id))

    def _find_for_set(self, repo_id: str, kind: str | None) -> HubRepo:
        wanted = self._wanted(repo_id, kind)
        repo = self.repos.get((wanted, repo_id))
        if repo is None:
            if "/" not in repo_id.strip("/"):
                raise ValueError(f"hub repo id {repo_id!r} must be namespace/name")
            repo = HubRepo(repo_id=repo_id, kind=wanted, created=self.now())
            if wanted == "space":
                repo.stage = "RUNNING"
            self.repos[(wanted, repo_id)] = repo
        return repo

    # -- server --------------------------------------------------------------------------------
    def _build_app(self) -> web.Application:
        self._holder.reset()
        app = web.Application(middlewares=[logging_middleware(self._log)])
        app.router.add_route("*", "/{tail:.*}", HubRoutes(self, self._holder).dispatch)
        return app

    def _on_close(self) -> None:
        self._holder.release_all()
