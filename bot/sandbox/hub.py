"""A local Hugging Face Hub: the subset of the Hub's HTTP API the bot's checks use.

The real ``huggingface_hub`` client runs against it unmodified (pass ``endpoint=hub.url``).

Access model (the Hub's, simplified):

- No ``Authorization`` header: anonymous. Private repos and missing repos answer 401 with
  ``X-Error-Code: RepoNotFound`` (the real Hub does not tell the two apart either).
- ``Bearer hf_invalid...``: an invalid or expired token, 401 "Invalid credentials in Authorization
  header" on every route.
- Any other bearer token is a valid user. Tokens listed in ``hub.tokens`` belong to members of every
  namespace: they see private repos and pass gates. Other valid tokens get 404 ``RepoNotFound`` for
  private repos and 403 ``GatedRepo`` for gated files.
- Gated repos: repo info (and so ``cardData``), tree and commits stay public; file downloads
  need access, except ``README.md`` and ``.gitattributes`` (the card stays readable).
- Disabled repos: 403 "Access to this resource is disabled." on every route of the repo.

Faults (``hub.set_fault`` or the scenario's ``[hub.faults]``) apply to every request about that repo
(or to every request with the repo id ``"*"``): ``"429"`` answers with the Hub's ``RateLimit``
headers, ``"500"`` with a server error, ``"timeout"`` holds the request open for ``hold_seconds``
(released at once by ``close()``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Literal
from urllib.parse import quote, unquote, urlencode

import yaml
from aiohttp import web

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

__all__ = ["FAULTS", "REPO_FIELDS", "HubRepo", "LocalHub", "blob_oid", "commit_sha"]

RepoKind = Literal["model", "dataset", "space"]
FAULTS: Final = frozenset({"429", "500", "timeout"})

_PLURAL: Final[dict[str, RepoKind]] = {"models": "model", "datasets": "dataset", "spaces": "space"}
_LFS_SUFFIXES: Final = (
    ".safetensors",
    ".bin",
    ".pt",
    ".pth",
    ".gguf",
    ".onnx",
    ".h5",
    ".msgpack",
    ".parquet",
    ".arrow",
    ".zip",
)
_UNGATED_FILES: Final = frozenset({"README.md", ".gitattributes"})
_RUNNING_STAGES: Final = frozenset({"RUNNING", "RUNNING_BUILDING", "APP_STARTING"})
_GITATTRIBUTES: Final = "".join(
    f"*{suffix} filter=lfs diff=lfs merge=lfs -text\n" for suffix in _LFS_SUFFIXES
)
_INVALID_TOKEN_PREFIX: Final = "hf_invalid"
_INVALID_CREDENTIALS: Final = "Invalid credentials in Authorization header"
_DISABLED: Final = "Access to this resource is disabled."
REPO_FIELDS: Final = frozenset(
    {
        "card",
        "files",
        "parameters",
        "private",
        "gated",
        "disabled",
        "likes",
        "downloads",
        "commits",
        "stage",
        "hardware",
        "sdk",
        "rows",
        "contents",
        "tags",
    }
)


def commit_sha(repo_id: str, date: str | datetime) -> str:
    """The sha the local Hub gives the commit of ``repo_id`` made at ``date``."""
    stamp = iso_z(parse_iso(date), millis=False)
    return hashlib.sha1(f"{repo_id}@{stamp}".encode()).hexdigest()


def blob_oid(content: bytes) -> str:
    """Git's blob id for ``content``."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


@dataclass
class HubRepo:
    """One repository of the local Hub, as a scenario describes it."""

    repo_id: str
    kind: RepoKind
    created: datetime
    card: str | None = None
    files: list[str] = field(default_factory=list)
    parameters: int | None = None
    private: bool = False
    gated: Literal[False, "auto", "manual"] = False
    disabled: bool = False
    likes: int = 0
    downloads: int = 0
    commits: list[datetime] = field(default_factory=list)
    stage: str | None = None
    hardware: str = "cpu-basic"
    sdk: str = "gradio"
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    contents: dict[str, str] = field(default_factory=dict)
    extra_tags: list[str] = field(default_factory=list)

    # -- derived views -------------------------------------------------------------------------
    def commit_list(self) -> list[tuple[str, datetime]]:
        """(sha, date) newest first; a repo without listed commits has one at its creation."""
        dates = sorted(self.commits, reverse=True) or [self.created]
        return [(commit_sha(self.repo_id, date), date) for date in dates]

    def paths(self) -> list[str]:
        names = {".gitattributes", *self.files, *self.rows}
        if self.card is not None:
            names.add("README.md")
        return sorted(names)

    def card_data(self) -> dict[str, Any] | None:
        if self.card is None:
            return None
        text = self.card.lstrip("\ufeff")
        if not text.startswith("---"):
            return None
        parts = text.split("\n")
        for index in range(1, len(parts)):
            if parts[index].strip() == "---":
                try:
                    data = yaml.safe_load("\n".join(parts[1:index]))
                except yaml.YAMLError:
                    return None
                return data if isinstance(data, dict) else None
        return None

    def content(self, path: str) -> bytes:
        if path in self.contents:
            return self.contents[path].encode()
        if path == "README.md" and self.card is not None:
            return self.card.encode()
        if path == ".gitattributes":
            return _GITATTRIBUTES.encode()
        if path in self.rows:
            lines = [json.dumps(row, ensure_ascii=False, default=str) for row in self.rows[path]]
            return ("\n".join(lines) + "\n").encode() if lines else b""
        return self._default_content(path)

    def _default_content(self, path: str) -> bytes:
        name = path.rsplit("/", 1)[-1]
        card = self.card_data() or {}
        if name == "config.json":
            return json.dumps(
                {
                    "architectures": ["MistralForCausalLM"],
                    "model_type": "mistral",
                    "torch_dtype": "bfloat16",
                },
                indent=2,
            ).encode()
        if name == "adapter_config.json":
            base = card.get("base_model")
            return json.dumps(
                {
                    "base_model_name_or_path": base if isinstance(base, str) else None,
                    "peft_type": "LORA",
                },
                indent=2,
            ).encode()
        if name == "app.py":
            return (
                b"import gradio as gr\n\n"
                b"gr.Interface(fn=lambda x: x, inputs='text', outputs='text').launch()\n"
            )
        if name == "requirements.txt":
            return b"gradio\n"
        return f"{self.repo_id}:{path}\n".encode()

    def tags(self) -> list[str]:
        tags: list[str] = []
        if any(p.endswith(".safetensors") for p in self.paths()):
            tags.append("safetensors")
        card = self.card_data() or {}
        languages = card.get("language")
        if isinstance(languages, str):
            languages = [languages]
        if isinstance(languages, list):
            tags.extend(str(lang) for lang in languages)
        if isinstance(card.get("license"), str):
            tags.append(f"license:{card['license']}")
        base = card.get("base_model")
        if isinstance(base, str):
            tags.append(f"base_model:{base}")
        datasets = card.get("datasets")
        if isinstance(datasets, list):
            tags.extend(f"dataset:{d}" for d in datasets)
        if self.kind == "space":
            tags.append(self.sdk)
        tags.extend(t for t in self.extra_tags if t not in tags)
        return tags


def _as_bool(key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"hub field {key!r} must be true or false")
    return value


def _as_int(key: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"hub field {key!r} must be a non-negative integer")
    return value


class _HubError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, **headers: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers


class LocalHub(LocalServer):
    """The local Hub. See the module docstring for its access model and faults."""

    def __init__(
        self,
        now: Callable[[], datetime] = utc_now,
        *,
        tokens: Iterable[str] = (),
        page_size: int = 50,
        rate_limit_reset: int = 3,
        hold_seconds: float = 30.0,
    ) -> None:
        super().__init__()
        self.now = now
        self.tokens: set[str] = set(tokens)
        self.page_size = page_size
        self.rate_limit_reset = rate_limit_reset
        self.repos: dict[tuple[RepoKind, str], HubRepo] = {}
        self.faults: dict[str, str] = {}
        self._log = RequestLog()
        self._holder = Holder(hold_seconds)

    # -- control -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.base_url

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        return self._log.entries

    def load(self, table: Mapping[str, Any]) -> None:
        """Load a scenario's ``[hub]`` table: models, datasets, spaces, faults (and tokens)."""
        for key, value in table.items():
            if key in _PLURAL:
                for repo_id, fields in dict(value).items():
                    self.set(repo_id, dict(fields), kind=_PLURAL[key])
            elif key == "faults":
                for repo_id, fault in dict(value).items():
                    self.set_fault(repo_id, str(fault))
            elif key == "tokens":
                self.tokens.update(str(token) for token in value)
            else:
                raise ValueError(f"unknown hub key {key!r}")

    def set(self, repo_id: str, fields: Mapping[str, Any], kind: str | None = None) -> HubRepo:
        """Merge ``fields`` into a repo, creating it if new."""
        repo = self._find_for_set(repo_id, kind)
        unknown = set(fields) - REPO_FIELDS
        if unknown:
            raise ValueError(f"unknown hub field(s) {sorted(unknown)} for {repo_id}")
        for key, value in fields.items():
            self._apply(repo, key, value)
        return repo

    def set_fault(self, repo_id: str, fault: str) -> None:
        """Set "429", "500" or "timeout" for a repo ("*": every repo); "none" clears it."""
        if fault == "none":
            self.faults.pop(repo_id, None)
        elif fault in FAULTS:
            self.faults[repo_id] = fault
        else:
            raise ValueError(f"unknown hub fault {fault!r}")

    def get(self, repo_id: str, kind: str = "model") -> HubRepo | None:
        return self.repos.get((_kind(kind), repo_id))

    def _find_for_set(self, repo_id: str, kind: str | None) -> HubRepo:
        if kind is not None:
            wanted = _kind(kind)
        else:
            existing = [k for (k, rid) in self.repos if rid == repo_id]
            wanted = existing[0] if len(existing) == 1 else "model"
        repo = self.repos.get((wanted, repo_id))
        if repo is None:
            if "/" not in repo_id.strip("/"):
                raise ValueError(f"hub repo id {repo_id!r} must be namespace/name")
            repo = HubRepo(repo_id=repo_id, kind=wanted, created=self.now())
            if wanted == "space":
                repo.stage = "RUNNING"
            self.repos[(wanted, repo_id)] = repo
        return repo

    def _apply(self, repo: HubRepo, key: str, value: Any) -> None:
        if key == "card":
            repo.card = None if value is None else str(value)
        elif key == "files":
            repo.files = [str(path).lstrip("/") for path in value]
        elif key == "parameters":
            repo.parameters = None if value is None else _as_int(key, value)
        elif key in ("private", "disabled"):
            setattr(repo, key, _as_bool(key, value))
        elif key == "gated":
            if value is True:
                repo.gated = "auto"
            elif value is False or value in ("auto", "manual"):
                repo.gated = value
            else:
                raise ValueError("hub field 'gated' must be true, false, 'auto' or 'manual'")
        elif key in ("likes", "downloads"):
            setattr(repo, key, _as_int(key, value))
        elif key == "commits":
            repo.commits = [parse_iso(v) for v in value]
        elif key == "stage":
            repo.stage = str(value).upper()
        elif key in ("hardware", "sdk"):
            setattr(repo, key, str(value))
        elif key == "rows":
            self._apply_rows(repo, value)
        elif key == "tags":
            repo.extra_tags = [str(tag) for tag in value]
        elif key == "contents":
            repo.contents.update({str(k): str(v) for k, v in dict(value).items()})

    @staticmethod
    def _apply_rows(repo: HubRepo, value: Any) -> None:
        if isinstance(value, Mapping):
            repo.rows.update({str(k): list(v) for k, v in value.items()})
            return
        target = next(
            (p for p in repo.files if p.endswith((".jsonl", ".json"))),
            "data/train.jsonl",
        )
        repo.rows[target] = [dict(row) for row in value]

    # -- server --------------------------------------------------------------------------------
    def _build_app(self) -> web.Application:
        self._holder.reset()
        app = web.Application(middlewares=[logging_middleware(self._log)])
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        return app

    def _on_close(self) -> None:
        self._holder.release_all()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        raw = request.raw_path.split("?", 1)[0]
        segments = [unquote(s) for s in raw.split("/")[1:]]
        try:
            if request.method not in ("GET", "HEAD"):
                raise _HubError(405, "Method not allowed")
            if segments[:1] == ["api"] and len(segments) >= 3 and segments[1] in _PLURAL:
                return await self._api(request, _PLURAL[segments[1]], segments[2:])
            if "resolve" in segments:
                return await self._resolve(request, segments)
            raise _HubError(404, "Sorry, we can't find the page you are looking for.")
        except _HubError as err:
            headers = {"X-Error-Message": err.message, **err.headers}
            if err.code is not None:
                headers["X-Error-Code"] = err.code
            return json_response({"error": err.message}, err.status, headers=headers)

    # -- shared checks -------------------------------------------------------------------------
    async def _preflight(self, request: web.Request, repo_id: str, resource: str) -> None:
        fault = self.faults.get(repo_id) or self.faults.get("*")
        if fault == "429":
            quota = 500 if resource == "api" else 3000
            raise _HubError(
                429,
                f"You have exceeded our hourly quotas for action '{resource}'. "
                "We invite you to retry later.",
                None,
                **{
                    "RateLimit": f'"{resource}";r=0;t={self.rate_limit_reset}',
                    "RateLimit-Policy": f'"fixed window";"{resource}";q={quota};w=300',
                },
            )
        if fault == "500":
            raise _HubError(
                500, "Internal Error - We're working hard to fix this as soon as possible!"
            )
        if fault == "timeout":
            await self._holder.hold()
            raise _HubError(504, "Gateway Timeout")
        token = _bearer(request)
        if token is not None and token.startswith(_INVALID_TOKEN_PREFIX):
            raise _HubError(401, _INVALID_CREDENTIALS)

    def _lookup(self, request: web.Request, kind: RepoKind, repo_id: str) -> HubRepo:
        token = _bearer(request)
        repo = self.repos.get((kind, repo_id))
        if repo is None or (repo.private and token not in self.tokens):
            # Anonymous callers get 401 (the Hub hides whether the repo exists), users 404.
            raise _HubError(401 if token is None else 404, "Repository not found", "RepoNotFound")
        if repo.disabled:
            raise _HubError(403, _DISABLED)
        return repo

    @staticmethod
    def _revision(repo: HubRepo, revision: str) -> int:
        commits = repo.commit_list()
        if revision in ("main", "refs/heads/main"):
            return 0
        for index, (sha, _) in enumerate(commits):
            if sha == revision:
                return index
        raise _HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")

    @staticmethod
    def _split_repo(rest: list[str]) -> tuple[str, list[str]]:
        if len(rest) < 2:
            return "/".join(rest), []
        return f"{rest[0]}/{rest[1]}", rest[2:]

    # -- /api/{type}s/{id}/... -----------------------------------------------------------------
    async def _api(self, request: web.Request, kind: RepoKind, rest: list[str]) -> web.Response:
        repo_id, tail = self._split_repo(rest)
        await self._preflight(request, repo_id, "api")
        repo = self._lookup(request, kind, repo_id)
        blobs = request.query.get("blobs", "").lower() in ("1", "true")
        if not tail:
            return json_response(self._info(repo, 0, blobs=blobs))
        if tail[0] == "revision" and len(tail) >= 2:
            index = self._revision(repo, "/".join(tail[1:]))
            return json_response(self._info(repo, index, blobs=blobs))
        if tail == ["runtime"] and kind == "space":
            return json_response(self._runtime(repo))
        if tail[0] == "tree" and len(tail) >= 2:
            return self._tree(request, repo, tail[1], "/".join(tail[2:]).strip("/"))
        if tail[0] == "commits" and len(tail) >= 2:
            return self._commits(request, repo, "/".join(tail[1:]))
        raise _HubError(404, "Sorry, we can't find the page you are looking for.")

    def _info(self, repo: HubRepo, index: int, *, blobs: bool) -> dict[str, Any]:
        sha, modified = repo.commit_list()[index]
        created = repo.commit_list()[-1][1]
        siblings: list[dict[str, Any]] = []
        for path in repo.paths():
            sibling: dict[str, Any] = {"rfilename": path}
            if blobs:
                data = repo.content(path)
                sibling["size"] = len(data)
                sibling["blobId"] = blob_oid(data)
                if path.endswith(_LFS_SUFFIXES):
                    sibling["lfs"] = {
                        "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "pointerSize": 134,
                    }
            siblings.append(sibling)
        info: dict[str, Any] = {
            "_id": hashlib.sha1(f"{repo.kind}:{repo.repo_id}".encode()).hexdigest()[:24],
            "id": repo.repo_id,
            "author": repo.repo_id.split("/", 1)[0],
            "sha": sha,
            "lastModified": iso_z(modified),
            "createdAt": iso_z(min(created, repo.created)),
            "private": repo.private,
            "gated": repo.gated,
            "disabled": repo.disabled,
            "likes": repo.likes,
            "tags": repo.tags(),
            "siblings": siblings,
            "usedStorage": sum(len(repo.content(p)) for p in repo.paths()),
        }
        card_data = repo.card_data()
        if card_data is not None:
            info["cardData"] = card_data
        if repo.kind != "space":
            info["downloads"] = repo.downloads
        if repo.kind == "model":
            info["modelId"] = repo.repo_id
            info["spaces"] = []
            if repo.parameters is not None:
                info["safetensors"] = {
                    "parameters": {"BF16": repo.parameters},
                    "total": repo.parameters,
                }
        if repo.kind == "space":
            info["sdk"] = repo.sdk
            info["runtime"] = self._runtime(repo)
            info["subdomain"] = repo.repo_id.replace("/", "-").lower()
            card = card_data or {}
            for key in ("models", "datasets"):
                linked = card.get(key)
                info[key] = [str(x) for x in linked] if isinstance(linked, list) else []
        return info

    @staticmethod
    def _runtime(repo: HubRepo) -> dict[str, Any]:
        stage = repo.stage or "RUNNING"
        return {
            "stage": stage,
            "hardware": {
                "current": repo.hardware if stage in _RUNNING_STAGES else None,
                "requested": repo.hardware,
            },
            "storage": None,
            "gcTimeout": 172800,
            "replicas": {"current": 1 if stage in _RUNNING_STAGES else 0, "requested": 1},
            "devMode": False,
            "domains": [
                {
                    "domain": f"{repo.repo_id.replace('/', '-').lower()}.hf.space",
                    "stage": "READY",
                }
            ],
        }

    def _tree(self, request: web.Request, repo: HubRepo, revision: str, path: str) -> web.Response:
        index = self._revision(repo, revision)
        sha, date = repo.commit_list()[index]
        files = repo.paths()
        prefix = f"{path}/" if path else ""
        if path and not any(f.startswith(prefix) for f in files):
            raise _HubError(404, f'{path} does not exist on "{revision}"', "EntryNotFound")
        recursive = request.query.get("recursive", "").lower() in ("1", "true")
        expand = request.query.get("expand", "").lower() in ("1", "true")
        folders: set[str] = set()
        entries: list[dict[str, Any]] = []
        for file in files:
            if not file.startswith(prefix):
                continue
            parts = file[len(prefix) :].split("/")
            for depth in range(1, len(parts)):
                if depth == 1 or recursive:
                    folders.add(prefix + "/".join(parts[:depth]))
            if len(parts) == 1 or recursive:
                data = repo.content(file)
                entry: dict[str, Any] = {
                    "type": "file",
                    "oid": blob_oid(data),
                    "size": len(data),
                    "path": file,
                }
                if file.endswith(_LFS_SUFFIXES):
                    entry["lfs"] = {
                        "oid": hashlib.sha256(data).hexdigest(),
                        "size": len(data),
                        "pointerSize": 134,
                    }
                entries.append(entry)
        for folder in folders:
            entries.append(
                {
                    "type": "directory",
                    "oid": hashlib.sha1(f"{repo.repo_id}:{folder}".encode()).hexdigest(),
                    "size": 0,
                    "path": folder,
                }
            )
        entries.sort(key=lambda e: (e["type"] != "directory", e["path"]))
        if expand:
            title = "Initial commit" if index == len(repo.commit_list()) - 1 else "Upload files"
            for entry in entries:
                entry["lastCommit"] = {"id": sha, "title": title, "date": iso_z(date)}
        return self._page(request, entries, "cursor")

    def _commits(self, request: web.Request, repo: HubRepo, revision: str) -> web.Response:
        index = self._revision(repo, revision)
        commits = repo.commit_list()
        author = repo.repo_id.split("/", 1)[0]
        items: list[dict[str, Any]] = []
        for position, (sha, date) in enumerate(commits[index:], start=index):
            title = "Initial commit" if position == len(commits) - 1 else "Upload folder"
            item: dict[str, Any] = {
                "id": sha,
                "title": title,
                "message": "",
                "date": iso_z(date),
                "authors": [{"user": author, "avatar": None}],
            }
            if request.query.get("expand[]") == "formatted":
                item["formatted"] = {"title": f"<p>{title}</p>", "message": ""}
            items.append(item)
        return self._page(request, items, "p")

    def _page(self, request: web.Request, items: list[dict[str, Any]], param: str) -> web.Response:
        try:
            raw = request.query.get(param, "0")
            page = int(raw) if param == "p" else int(raw or "0", 16)
        except ValueError:
            raise _HubError(400, f"Invalid {param}") from None
        size = max(1, self.page_size)
        start = page * size
        chunk = items[start : start + size]
        headers: dict[str, str] = {}
        if start + size < len(items):
            query = {k: v for k, v in request.query.items() if k != param}
            query[param] = str(page + 1) if param == "p" else format(page + 1, "x")
            raw_path = request.raw_path.split("?", 1)[0]
            headers["Link"] = f'<{self.url}{raw_path}?{urlencode(query)}>; rel="next"'
        return json_response(chunk, headers=headers)

    # -- /{type}s/{id}/resolve/{rev}/{path} ----------------------------------------------------
    async def _resolve(self, request: web.Request, segments: list[str]) -> web.Response:
        at = segments.index("resolve")
        head, tail = segments[:at], segments[at + 1 :]
        kind: RepoKind = "model"
        if head and head[0] in ("datasets", "spaces"):
            kind = _PLURAL[head[0]]
            head = head[1:]
        repo_id = "/".join(head)
        await self._preflight(request, repo_id, "resolvers")
        if len(tail) < 2:
            raise _HubError(404, "Entry not found", "EntryNotFound")
        repo = self._lookup(request, kind, repo_id)
        revision, path = tail[0], "/".join(tail[1:])
        index = self._revision(repo, revision)
        sha = repo.commit_list()[index][0]
        token = _bearer(request)
        if repo.gated and path not in _UNGATED_FILES and token not in self.tokens:
            noun = {"model": "model", "dataset": "dataset", "space": "space"}[kind]
            if token is None:
                message = (
                    f"Access to {noun} {repo_id} is restricted. You must have access to it and "
                    "be authenticated to access it. Please log in."
                )
            else:
                message = (
                    f"Access to {noun} {repo_id} is restricted and you are not in the authorized "
                    f"list. Visit {self.url}/{repo_id} to ask for access."
                )
            raise _HubError(401 if token is None else 403, message, "GatedRepo")
        if path not in repo.paths():
            raise _HubError(404, "Entry not found", "EntryNotFound", **{"X-Repo-Commit": sha})
        data = repo.content(path)
        lfs = path.endswith(_LFS_SUFFIXES)
        etag = hashlib.sha256(data).hexdigest() if lfs else blob_oid(data)
        headers = {
            "ETag": f'"{etag}"',
            "X-Repo-Commit": sha,
            "Accept-Ranges": "bytes",
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(path.rsplit('/', 1)[-1])}",
            "Content-Type": "application/octet-stream" if lfs else "text/plain; charset=utf-8",
        }
        if lfs:
            headers["X-Linked-Etag"] = f'"{etag}"'
            headers["X-Linked-Size"] = str(len(data))
        # aiohttp leaves the body out of HEAD replies but keeps its Content-Length.
        return web.Response(status=200, body=data, headers=headers)


def _kind(kind: str) -> RepoKind:
    normalized = kind.rstrip("s")
    if normalized == "model":
        return "model"
    if normalized == "dataset":
        return "dataset"
    if normalized == "space":
        return "space"
    raise ValueError(f"unknown repo kind {kind!r}")


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()
