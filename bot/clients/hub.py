"""Async adapter over the synchronous ``huggingface_hub`` client.

Every SDK call runs in a worker thread of the client's own pool, one per request allowed in
flight (``max_concurrency``). Results are plain frozen dataclasses; every failure is one exception
type, :class:`HubError`, whose ``kind`` tells the caller what really happened (missing or
private, gated, bad token, ...).

Retries: 429 (waiting the ``RateLimit`` reset, capped), 5xx and timeouts, with exponential backoff
and an injectable ``sleep``. 401, 403 and 404 are never retried.

``HfApi`` serves repo info and Space runtime. Commit and tree listings and file reads go through
the SDK's own session, headers and error mapping (``get_session``, ``build_hf_headers``,
``hf_raise_for_status``) rather than ``HfApi.list_repo_commits``/``list_repo_tree``/
``hf_hub_download``: those retry 429/5xx/timeouts internally with blocking ``time.sleep`` (up to
five times, 23 s for a 5xx, the whole rate-limit window for a 429), which would pin a worker
thread and bypass this adapter's backoff.

Writes: ``create_repo`` is ``HfApi.create_repo``. ``upload_files`` calls the preupload and commit
endpoints itself (``HfApi.create_commit`` preuploads through the SDK's ``http_backoff``, a blocking
retry loop); only files the Hub wants through LFS go through ``HfApi.create_commit``.

Cache and budget: reads at a full commit sha (repo info, files) never change and are kept in a
bounded LRU, so verifying an unchanged repo again costs its one head request; every request
first takes a place in a sliding-window budget (``budget`` per ``budget_window`` seconds, shared
by every caller of the client and its ``impatient()`` views) and, when the budget would make it
wait more than two seconds, fails at once as ``rate_limited``.

Repo info asks only for the fields the adapter reads (``expand=``). A disabled repo read without
a token answers 401 like a missing one (kind ``not_found``); only a valid token tells ``disabled``.

Per-request timeout: the SDK's shared HTTP client has no timeout by default, and its paginated
calls take no timeout argument. On first use this module installs an HTTP client factory (through
``huggingface_hub.set_client_factory``) whose transport applies the timeout of the calling
``HubClient``, carried by a context variable; outside a ``HubClient`` call it behaves exactly like
the SDK's default client.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import json
import logging
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal, TypeVar
from urllib.parse import quote

import httpx2
from huggingface_hub import (
    CommitOperationAdd,
    HfApi,
    get_session,
    hf_hub_url,
    hf_raise_for_status,
    set_client_factory,
)
from huggingface_hub import constants as hf_constants
from huggingface_hub.errors import (
    DisabledRepoError,
    EntryNotFoundError,
    FileMetadataError,
    GatedRepoError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import (  # type: ignore[attr-defined]
    build_hf_headers,
    parse_datetime,
    parse_ratelimit_headers,
)

__all__ = [
    "CommitInfo",
    "HubClient",
    "HubError",
    "HubErrorKind",
    "RepoEntry",
    "RepoInfo",
    "RepoKind",
    "SpaceRuntimeInfo",
]

log = logging.getLogger(__name__)

RepoKind = Literal["model", "dataset", "space"]
HubErrorKind = Literal[
    "not_found",
    "gated",
    "revision_not_found",
    "entry_not_found",
    "unauthorized",
    "disabled",
    "rate_limited",
    "unavailable",
]
T = TypeVar("T")

_RETRYABLE: Final = frozenset({"rate_limited", "unavailable"})
# The repo info fields the adapter reads (``expand=``): the Hub sends nothing else.
_COMMON_FIELDS: Final = (
    "sha",
    "lastModified",
    "createdAt",
    "private",
    "disabled",
    "likes",
    "tags",
    "siblings",
    "cardData",
)
EXPAND: Final[dict[str, tuple[str, ...]]] = {
    "model": (*_COMMON_FIELDS, "gated", "downloads", "safetensors"),
    "dataset": (*_COMMON_FIELDS, "gated", "downloads"),
    "space": (*_COMMON_FIELDS, "sdk", "runtime", "models", "datasets"),
}
_MESSAGES: Final[dict[str, str]] = {
    "not_found": "repository not found or private",
    "gated": "gated repository: access not granted",
    "revision_not_found": "revision not found",
    "entry_not_found": "file not found in the repository",
    "unauthorized": "invalid or expired token",
    "disabled": "repository disabled",
    "rate_limited": "rate limited by the Hub",
    "unavailable": "Hub unavailable",
}


class HubError(Exception):
    """The one error of :class:`HubClient`. ``kind`` is one of :data:`HubErrorKind`."""

    def __init__(
        self, kind: HubErrorKind, repo_id: str, *, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{repo_id}: {_MESSAGES[kind]}")
        self.kind: HubErrorKind = kind
        self.repo_id = repo_id
        self.retry_after = retry_after


@dataclass(frozen=True)
class RepoInfo:
    """What the Hub says about a model, dataset or Space at one revision."""

    repo_id: str
    kind: RepoKind
    sha: str | None
    last_modified: datetime | None
    created_at: datetime | None
    private: bool
    gated: str | None  # None when not gated, else "auto" or "manual"
    disabled: bool
    likes: int
    downloads: int
    tags: tuple[str, ...]
    files: tuple[str, ...]
    card_data: dict[str, Any] = field(hash=False)
    parameters: int | None = None  # safetensors total (models)
    sdk: str | None = None  # Spaces
    stage: str | None = None  # Spaces
    hardware: str | None = None  # Spaces
    linked_models: tuple[str, ...] = ()  # Spaces
    linked_datasets: tuple[str, ...] = ()  # Spaces


@dataclass(frozen=True)
class SpaceRuntimeInfo:
    stage: str
    hardware: str | None
    requested_hardware: str | None


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    title: str
    message: str
    date: datetime
    authors: tuple[str, ...]


@dataclass(frozen=True)
class RepoEntry:
    path: str
    is_dir: bool
    size: int | None
    lfs: bool


# -- per-call timeout through the SDK's shared HTTP client ---------------------------------------
_REQUEST_TIMEOUT: ContextVar[float | None] = ContextVar("hub_request_timeout", default=None)
_FACTORY_LOCK = threading.Lock()
_FACTORY_STATE: dict[str, bool] = {"installed": False}


class _TimeoutTransport(httpx2.BaseTransport):
    """Applies the calling HubClient's timeout to every request made in its worker thread."""

    def __init__(self, inner: httpx2.BaseTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        timeout = _REQUEST_TIMEOUT.get()
        if timeout is not None:
            request.extensions["timeout"] = httpx2.Timeout(timeout).as_dict()
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def _client_factory() -> httpx2.Client:
    from huggingface_hub.utils._http import hf_request_event_hook

    return httpx2.Client(
        event_hooks={"request": [hf_request_event_hook]},
        follow_redirects=True,
        timeout=None,
        transport=_TimeoutTransport(httpx2.HTTPTransport()),
    )


def _install_client_factory() -> None:
    with _FACTORY_LOCK:
        if not _FACTORY_STATE["installed"]:
            set_client_factory(_client_factory)
            # The SDK's telemetry adds to each request's User-Agent what it can find out about
            # the machine (torch, "AI agent" harnesses); for the latter it first fetches a
            # registry from the public Hub (`/api/agent-harnesses` on HF_ENDPOINT, not on the
            # endpoint given here) and writes it under HF_HOME. A bot sends nothing of the sort
            # and reaches no host it was not configured for (the sandbox has no network).
            hf_constants.HF_HUB_DISABLE_TELEMETRY = True
            _FACTORY_STATE["installed"] = True


def _classify(exc: BaseException) -> tuple[HubErrorKind, float | None, bool]:
    """(kind, retry-after hint, retryable) for an exception raised by the SDK."""
    if isinstance(exc, GatedRepoError):
        return "gated", None, False
    if isinstance(exc, RepositoryNotFoundError):
        return "not_found", None, False
    if isinstance(exc, RevisionNotFoundError):
        return "revision_not_found", None, False
    if isinstance(exc, DisabledRepoError):
        return "disabled", None, False
    if isinstance(exc, LocalEntryNotFoundError):
        # hf_hub_download hides the HEAD failure behind this error: classify its cause.
        cause = exc.__cause__
        if cause is not None:
            return _classify(cause)
        return "unavailable", None, True
    if isinstance(exc, EntryNotFoundError):
        return "entry_not_found", None, False
    if isinstance(exc, HfHubHTTPError):
        status = exc.response.status_code if exc.response is not None else 0
        if status in (401, 403):
            return "unauthorized", None, False
        if status == 429:
            info = parse_ratelimit_headers(exc.response.headers)
            hint = float(info.reset_in_seconds) if info is not None else None
            return "rate_limited", hint, True
        if status >= 500 or status == 408:
            return "unavailable", None, True
        return "unavailable", None, False
    if isinstance(exc, httpx2.TimeoutException | httpx2.TransportError):
        return "unavailable", None, True
    if isinstance(exc, OfflineModeIsEnabled | FileMetadataError):
        return "unavailable", None, False
    raise exc


class HubClient:
    """Bounded, retrying async access to the Hub. Independent of Discord."""

    def __init__(
        self,
        endpoint: str,
        token: str | None,
        *,
        max_concurrency: int = 4,
        retries: int = 3,
        timeout: float = 10.0,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        backoff_base: float = 1.0,
        max_backoff: float = 30.0,
        max_rate_limit_wait: float = 60.0,
        budget: int | None = None,
        budget_window: float = 300.0,
        cache_size: int = 4096,
    ) -> None:
        _install_client_factory()
        self._endpoint = endpoint.rstrip("/")
        # False, not None: never fall back to a token saved on the machine or in HF_TOKEN.
        self._token: str | bool = token if token else False
        self._api = HfApi(endpoint=self._endpoint, token=self._token)
        self._semaphore = asyncio.Semaphore(max_concurrency)
        # Threads of its own, one per request in flight: the loop's default executor has
        # min(32, cores + 4) threads, 6 on two cores, shared with every other blocking call.
        self._threads = ThreadPoolExecutor(max_concurrency, thread_name_prefix="hub")
        self._retries = retries
        self._timeout = timeout
        self._sleep = sleep
        self._backoff_base = backoff_base
        self._max_backoff = max_backoff
        self._max_rate_limit_wait = max_rate_limit_wait
        self._budget = _Budget(budget, budget_window)
        self._cache = _ShaCache(cache_size)
        self.requests = 0  # Hub requests attempted (each retry counts), for benchmarks and status

    def budget_left(self) -> int | None:
        """Requests the budget still allows in its window now (None: no budget)."""
        return self._budget.left()

    def budget_limit(self) -> int:
        return self._budget.limit

    def impatient(self, retries: int = 1, max_wait: float = 5.0) -> HubClient:
        """The same client (cache, concurrency, budget shared) that gives up sooner: for a member
        waiting on an answer, a Hub that needs more than a short wait means "pending"."""
        clone = copy.copy(self)
        clone._retries = retries
        clone._max_rate_limit_wait = max_wait
        clone._max_backoff = min(self._max_backoff, max_wait)
        return clone

    def __repr__(self) -> str:
        return f"HubClient(endpoint={self._endpoint!r}, authenticated={bool(self._token)})"

    # -- public API ----------------------------------------------------------------------------
    async def model_info(self, repo_id: str, revision: str | None = None) -> RepoInfo:
        return await self.repo_info(repo_id, "model", revision)

    async def dataset_info(self, repo_id: str, revision: str | None = None) -> RepoInfo:
        return await self.repo_info(repo_id, "dataset", revision)

    async def space_info(self, repo_id: str, revision: str | None = None) -> RepoInfo:
        return await self.repo_info(repo_id, "space", revision)

    async def repo_info(
        self,
        repo_id: str,
        kind: RepoKind,
        revision: str | None = None,
        *,
        max_age: float | None = None,
    ) -> RepoInfo:
        """Repo info at ``revision`` (default: the head). A read at a full commit sha is cached
        (a commit never changes); with ``max_age`` a head read that recent is reused too."""
        expand: Any = list(EXPAND[kind])
        if revision is not None and _is_sha(revision):
            cached = self._cache.get(("info", kind, repo_id, revision))
            if isinstance(cached, RepoInfo):
                return cached
        elif max_age is not None:
            fresh = self._cache.get_fresh(("head", kind, repo_id), max_age)
            if isinstance(fresh, RepoInfo):
                return fresh

        def call() -> RepoInfo:
            if kind == "model":
                raw: Any = self._api.model_info(
                    repo_id, revision=revision, timeout=self._timeout, expand=expand
                )
            elif kind == "dataset":
                raw = self._api.dataset_info(
                    repo_id, revision=revision, timeout=self._timeout, expand=expand
                )
            else:
                raw = self._api.space_info(
                    repo_id, revision=revision, timeout=self._timeout, expand=expand
                )
            return _to_repo_info(raw, kind)

        info = await self._call(repo_id, call)
        if info.sha is not None:
            self._cache.put(("info", kind, repo_id, info.sha), info)
        if revision is None:
            self._cache.put(("head", kind, repo_id), info)
        return info

    async def space_runtime(self, repo_id: str) -> SpaceRuntimeInfo:
        def call() -> SpaceRuntimeInfo:
            runtime = self._api.get_space_runtime(repo_id)
            return SpaceRuntimeInfo(
                stage=str(runtime.stage),
                hardware=_opt_str(runtime.hardware),
                requested_hardware=_opt_str(runtime.requested_hardware),
            )

        return await self._call(repo_id, call)

    async def list_commits(
        self, repo_id: str, kind: RepoKind = "model", revision: str | None = None
    ) -> list[CommitInfo]:
        """Commits newest first."""
        url = f"{self._repo_api(repo_id, kind)}/commits/{quote(revision or 'main', safe='')}"

        def call() -> list[CommitInfo]:
            return [
                CommitInfo(
                    sha=str(item["id"]),
                    title=str(item.get("title", "")),
                    message=str(item.get("message", "")),
                    date=parse_datetime(str(item["date"])),
                    authors=tuple(str(a["user"]) for a in item.get("authors", [])),
                )
                for item in self._paginate(url, {})
            ]

        return await self._call(repo_id, call)

    async def list_files(
        self, repo_id: str, kind: RepoKind = "model", revision: str | None = None
    ) -> list[RepoEntry]:
        """Every file and folder of the repo, recursively."""
        url = f"{self._repo_api(repo_id, kind)}/tree/{quote(revision or 'main', safe='')}"

        def call() -> list[RepoEntry]:
            return [
                RepoEntry(
                    path=str(item["path"]),
                    is_dir=item.get("type") == "directory",
                    size=int(item["size"]) if item.get("type") == "file" else None,
                    lfs=item.get("lfs") is not None,
                )
                for item in self._paginate(url, {"recursive": "true"})
            ]

        return await self._call(repo_id, call)

    async def read_card(
        self, repo_id: str, kind: RepoKind = "model", revision: str | None = None
    ) -> str:
        """The repo's README.md text (the card, with its YAML front matter)."""
        return await self.read_text(repo_id, "README.md", kind, revision)

    async def read_text(
        self,
        repo_id: str,
        filename: str,
        kind: RepoKind = "model",
        revision: str | None = None,
    ) -> str:
        """One (small) file of the repo as text, from its ``resolve`` URL (cached at a sha)."""
        return (await self.read_bytes(repo_id, filename, kind, revision)).decode("utf-8")

    async def read_bytes(
        self,
        repo_id: str,
        filename: str,
        kind: RepoKind = "model",
        revision: str | None = None,
        *,
        limit: int | None = None,
    ) -> bytes:
        """A file of the repo, or its first ``limit`` bytes (an HTTP range request); cached when
        ``revision`` is a full commit sha."""
        key = ("file", kind, repo_id, revision, filename, limit)
        if revision is not None and _is_sha(revision):
            cached = self._cache.get(key)
            if isinstance(cached, bytes):
                return cached
        url = hf_hub_url(
            repo_id, filename, repo_type=kind, revision=revision, endpoint=self._endpoint
        )
        headers = {"Range": f"bytes=0-{limit - 1}"} if limit else None

        def call() -> bytes:
            data = self._get(url, headers=headers).content
            return data[:limit] if limit else data

        data = await self._call(repo_id, call)
        if revision is not None and _is_sha(revision) and len(data) <= _CACHED_FILE_MAX:
            self._cache.put(key, data)
        return data

    # -- writes ----------------------------------------------------------------------------------
    async def create_repo(
        self, repo_id: str, repo_type: RepoKind, private: bool = False, exist_ok: bool = True
    ) -> None:
        """Create a repo (a Space gets Gradio); with ``exist_ok`` an existing one is kept."""

        def call() -> None:
            self._api.create_repo(
                repo_id,
                repo_type=repo_type,
                private=private,
                exist_ok=exist_ok,
                space_sdk="gradio" if repo_type == "space" else None,
            )

        await self._call(repo_id, call)

    async def upload_files(
        self, repo_id: str, repo_type: RepoKind, files: dict[str, bytes], message: str
    ) -> str:
        """Commit ``files`` (path -> content) in one commit; returns the new commit's sha.

        Files whose content is already there are left out by the SDK; when nothing changed, no
        commit is made and the sha of the current head is returned.
        """

        def call() -> str:
            return self._commit(repo_id, repo_type, files, message)

        return await self._call(repo_id, call)

    # -- raw requests through the SDK's session (no SDK-internal retry loop) -------------------
    def _repo_api(self, repo_id: str, kind: RepoKind) -> str:
        return f"{self._endpoint}/api/{kind}s/{repo_id}"

    def _get(
        self,
        url: str,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx2.Response:
        all_headers = build_hf_headers(token=self._token, library_name="hackbot")
        all_headers.update(headers or {})
        response = get_session().get(url, params=params, headers=all_headers, timeout=self._timeout)
        hf_raise_for_status(response)
        return response

    def _post(self, url: str, **kw: Any) -> httpx2.Response:
        headers = build_hf_headers(token=self._token, library_name="hackbot")
        headers.update(kw.pop("headers", {}))
        response = get_session().post(url, headers=headers, timeout=self._timeout, **kw)
        hf_raise_for_status(response)
        return response

    def _commit(self, repo_id: str, kind: RepoKind, files: dict[str, bytes], message: str) -> str:
        """Preupload, then one commit of the changed files, without the SDK's retry loop."""
        base = self._repo_api(repo_id, kind)
        payload = {
            "files": [
                {
                    "path": path,
                    "sample": base64.b64encode(data[:512]).decode("ascii"),
                    "size": len(data),
                }
                for path, data in files.items()
            ]
        }
        answer = self._post(f"{base}/preupload/main", json=payload).json()
        modes = {str(f["path"]): f for f in answer.get("files", [])}
        if any(modes.get(path, {}).get("uploadMode") != "regular" for path in files):
            # Large or binary files go through LFS/Xet: the SDK's own upload path.
            operations = [CommitOperationAdd(path, data) for path, data in files.items()]
            info = self._api.create_commit(
                repo_id, operations=operations, commit_message=message, repo_type=kind
            )
            return str(info.oid)
        changed = {
            path: data for path, data in files.items() if modes[path].get("oid") != git_hash(data)
        }
        if not changed:
            head = answer.get("commitOid")
            if isinstance(head, str):
                return head
            sha_only: Any = ["sha"]
            return str(self._api.repo_info(repo_id, repo_type=kind, expand=sha_only).sha)
        lines = [{"key": "header", "value": {"summary": message, "description": ""}}]
        lines.extend(
            {
                "key": "file",
                "value": {
                    "content": base64.b64encode(data).decode("ascii"),
                    "path": path,
                    "encoding": "base64",
                },
            }
            for path, data in changed.items()
        )
        body = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
        response = self._post(
            f"{base}/commit/main",
            content=body,
            headers={"Content-Type": "application/x-ndjson"},
        )
        return str(response.json()["commitOid"])

    def _paginate(self, url: str, params: dict[str, str]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        next_url: str | None = url
        first = True
        while next_url is not None:
            response = self._get(next_url, params if first else None)
            first = False
            items.extend(response.json())
            next_url = response.links.get("next", {}).get("url")
        return items

    # -- machinery -----------------------------------------------------------------------------
    def _in_thread(self, fn: Callable[[], T]) -> T:
        marker = _REQUEST_TIMEOUT.set(self._timeout)
        try:
            return fn()
        finally:
            _REQUEST_TIMEOUT.reset(marker)

    async def _call(self, repo_id: str, fn: Callable[[], T]) -> T:
        attempt = 0
        while True:
            try:
                await self._budget.acquire(repo_id)
                self.requests += 1
                async with self._semaphore:
                    loop = asyncio.get_running_loop()
                    return await loop.run_in_executor(self._threads, self._in_thread, fn)
            except Exception as exc:
                kind, hint, retryable = _classify(exc)
                if not retryable or attempt >= self._retries:
                    raise HubError(kind, repo_id, retry_after=hint) from exc
            if hint is not None:
                delay = min(max(hint, 0.0), self._max_rate_limit_wait)
            else:
                delay = min(self._backoff_base * 2**attempt, self._max_backoff)
            attempt += 1
            log.warning(
                "Hub %s for %s; retry %d/%d in %.1fs", kind, repo_id, attempt, self._retries, delay
            )
            await self._sleep(delay)


_SHA = re.compile(r"[0-9a-f]{40}")
_CACHED_FILE_MAX: Final = 256 * 1024


def _is_sha(revision: str) -> bool:
    return _SHA.fullmatch(revision) is not None


class _ShaCache:
    """A bounded LRU of what never changes (reads at a commit sha) and of recent head reads."""

    def __init__(self, size: int) -> None:
        self._size = max(1, size)
        self._items: OrderedDict[tuple[Any, ...], tuple[float, object]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> object | None:
        found = self._items.get(key)
        if found is None:
            return None
        self._items.move_to_end(key)
        return found[1]

    def get_fresh(self, key: tuple[Any, ...], max_age: float) -> object | None:
        found = self._items.get(key)
        if found is None or time.monotonic() - found[0] > max_age:
            return None
        return found[1]

    def put(self, key: tuple[Any, ...], value: object) -> None:
        self._items[key] = (time.monotonic(), value)
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


class _Budget:
    """At most ``limit`` requests per ``window`` seconds (a sliding window), shared by every
    caller of one client. A caller that would wait longer than ``max_wait`` gets a
    ``rate_limited`` HubError at once (the submission waits as pending, a job retries it)."""

    def __init__(self, limit: int | None, window: float, max_wait: float = 2.0) -> None:
        self._limit = limit
        self._window = window
        self._max_wait = max_wait
        self._stamps: deque[float] = deque()

    @property
    def limit(self) -> int:
        return self._limit or 0

    def left(self) -> int | None:
        if self._limit is None:
            return None
        now = time.monotonic()
        while self._stamps and now - self._stamps[0] >= self._window:
            self._stamps.popleft()
        return self._limit - len(self._stamps)

    async def acquire(self, repo_id: str) -> None:
        if self._limit is None:
            return
        while True:
            now = time.monotonic()
            while self._stamps and now - self._stamps[0] >= self._window:
                self._stamps.popleft()
            if len(self._stamps) < self._limit:
                self._stamps.append(now)
                return
            wait = self._stamps[0] + self._window - now
            if wait > self._max_wait:
                raise HubError("rate_limited", repo_id, retry_after=wait)
            await asyncio.sleep(wait)


def git_hash(data: bytes) -> str:
    """Git's blob id of ``data`` (what the Hub's preupload answers as a regular file's ``oid``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _to_repo_info(raw: Any, kind: RepoKind) -> RepoInfo:
    card = raw.card_data.to_dict() if raw.card_data is not None else {}
    safetensors = getattr(raw, "safetensors", None)
    runtime = getattr(raw, "runtime", None)
    gated = raw.gated
    return RepoInfo(
        repo_id=raw.id,
        kind=kind,
        sha=raw.sha,
        last_modified=raw.last_modified,
        created_at=raw.created_at,
        private=bool(raw.private),
        gated=str(gated) if gated else None,
        disabled=bool(raw.disabled),
        likes=int(raw.likes or 0),
        downloads=int(getattr(raw, "downloads", None) or 0),
        tags=tuple(raw.tags or ()),
        files=tuple(s.rfilename for s in raw.siblings or ()),
        card_data=card,
        parameters=int(safetensors.total) if safetensors is not None else None,
        sdk=getattr(raw, "sdk", None),
        stage=_opt_str(runtime.stage) if runtime is not None else None,
        hardware=_opt_str(runtime.hardware) if runtime is not None else None,
        linked_models=tuple(getattr(raw, "models", None) or ()),
        linked_datasets=tuple(getattr(raw, "datasets", None) or ()),
    )
