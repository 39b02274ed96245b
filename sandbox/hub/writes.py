"""The Hub's write API, as huggingface_hub 2.4 calls it: create a repo, preupload, commit.

- ``POST /api/repos/create``: a new repo with one commit; an existing one answers 409 with its
  ``url`` (what ``create_repo(exist_ok=True)`` reads).
- ``POST /api/validate-yaml``: checks a card's front matter before a commit that changes it.
- ``POST /api/{type}s/{id}/preupload/{rev}``: every file is a regular (inline) upload; ``oid`` is
  the git blob id of the file already there, so that an unchanged file is left out of the commit.
- ``POST /api/{type}s/{id}/commit/{rev}``: an ndjson body (header, file, deletedFile,
  deletedFolder); it makes a real new commit at the Hub's clock, with its own sha.

Writing needs a token of a member of the namespace (``LocalHub.tokens``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import yaml
from aiohttp import web

from sandbox.http_util import json_response

from .access import require_write
from .errors import HubError
from .repos import HubRepo, RepoKind, blob_oid

if TYPE_CHECKING:
    from .server import LocalHub

_URL_PREFIX: Final[dict[RepoKind, str]] = {"model": "", "dataset": "datasets/", "space": "spaces/"}
_KINDS: Final[dict[str, RepoKind]] = {"model": "model", "dataset": "dataset", "space": "space"}


def repo_url(hub: LocalHub, kind: RepoKind, repo_id: str) -> str:
    return f"{hub.url}/{_URL_PREFIX[kind]}{repo_id}"


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise HubError(400, "Invalid JSON body") from None
    if not isinstance(body, dict):
        raise HubError(400, "Invalid JSON body")
    return body


async def create_repo(hub: LocalHub, request: web.Request) -> web.Response:
    """``POST /api/repos/create``."""
    body = await _json_body(request)
    name, organization = body.get("name"), body.get("organization")
    if not isinstance(name, str) or not name or not isinstance(organization, str):
        raise HubError(400, "name and organization are required")
    kind = _KINDS.get(str(body.get("type") or "model"))
    if kind is None:
        raise HubError(400, f"Invalid repo type {body.get('type')!r}")
    repo_id = f"{organization}/{name}"
    require_write(request, organization, hub.tokens)
    if (kind, repo_id) in hub.repos:
        noun = {"model": "model", "dataset": "dataset", "space": "space"}[kind]
        message = f"You already created this {noun} repo"
        return json_response(
            {"error": message, "url": repo_url(hub, kind, repo_id)},
            409,
            headers={"X-Error-Message": message},
        )
    visibility = body.get("visibility")
    private = visibility == "private" or body.get("private") is True
    repo = HubRepo(repo_id=repo_id, kind=kind, created=hub.now(), private=private)
    if kind == "space":
        repo.sdk = str(body.get("sdk") or "gradio")
        repo.stage = "NO_APP_FILE"
    repo.rebuild_history()
    hub.repos[(kind, repo_id)] = repo
    return json_response({"url": repo_url(hub, kind, repo_id), "name": repo_id, "id": repo_id})


async def validate_yaml(request: web.Request) -> web.Response:
    """``POST /api/validate-yaml``: 400 with ``errors`` when the front matter is not YAML."""
    body = await _json_body(request)
    text = str(body.get("content", "")).lstrip("\ufeff")
    if text.startswith("---"):
        lines = text.split("\n")
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is not None:
            try:
                data = yaml.safe_load("\n".join(lines[1:end]))
            except yaml.YAMLError as exc:
                message = "Invalid YAML in the metadata: " + " ".join(str(exc).split())
                return json_response(
                    {"errors": [{"message": message}], "warnings": []},
                    400,
                    headers={"X-Error-Message": message},
                )
            if data is not None and not isinstance(data, dict):
                message = "The metadata must be a YAML mapping"
                return json_response(
                    {"errors": [{"message": message}], "warnings": []},
                    400,
                    headers={"X-Error-Message": message},
                )
    return json_response({"errors": [], "warnings": []})


def _check_branch(revision: str) -> None:
    if revision not in ("main", "refs/heads/main"):
        raise HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")


async def preupload(repo: HubRepo, request: web.Request, revision: str) -> web.Response:
    """``POST /api/{type}s/{id}/preupload/{rev}``: regular uploads, with the current blob ids."""
    _check_branch(revision)
    body = await _json_body(request)
    files = body.get("files")
    if not isinstance(files, list):
        raise HubError(400, "files is required")
    existing = set(repo.paths())
    answer: list[dict[str, Any]] = []
    for item in files:
        path = str(item.get("path", "")) if isinstance(item, dict) else ""
        if not path:
            raise HubError(400, "every file needs a path")
        oid = blob_oid(repo.content(path)) if path in existing else None
        answer.append({"path": path, "uploadMode": "regular", "shouldIgnore": False, "oid": oid})
    return json_response({"files": answer, "commitOid": repo.commit_list()[0][0]})


async def commit(hub: LocalHub, repo: HubRepo, request: web.Request, revision: str) -> web.Response:
    """``POST /api/{type}s/{id}/commit/{rev}``: apply the operations, make a new commit."""
    _check_branch(revision)
    if request.query.get("create_pr") in ("1", "true"):
        raise HubError(400, "Pull requests are not supported by the local Hub")
    raw = await request.read()
    try:
        lines = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise HubError(400, "Invalid ndjson body") from None
    header = next((ln["value"] for ln in lines if ln.get("key") == "header"), None)
    if not isinstance(header, dict) or not str(header.get("summary", "")).strip():
        raise HubError(400, "A commit needs a header with a summary")
    head = repo.commit_list()[0][0]
    parent = header.get("parentCommit")
    if parent is not None and parent != head:
        raise HubError(412, "A commit has happened since. Please refresh and try again.")
    for line in lines:
        key, value = line.get("key"), line.get("value")
        if key == "header":
            continue
        if not isinstance(value, dict) or not isinstance(value.get("path"), str):
            raise HubError(400, f"Invalid operation {key!r}")
        _apply(repo, str(key), value)
    sha = repo.record(hub.now(), str(header["summary"]).strip().splitlines()[0])
    url = f"{repo_url(hub, repo.kind, repo.repo_id)}/commit/{sha}"
    return json_response(
        {"success": True, "commitOid": sha, "commitUrl": url, "pullRequestUrl": None}
    )


def _apply(repo: HubRepo, key: str, value: dict[str, Any]) -> None:
    path = str(value["path"]).strip("/")
    if not path or ".." in path.split("/"):
        raise HubError(400, f"Invalid path {value['path']!r}")
    if key == "file":
        if value.get("encoding") != "base64":
            raise HubError(400, "Only base64 file content is supported")
        try:
            data = base64.b64decode(str(value.get("content", "")), validate=True)
        except binascii.Error:
            raise HubError(400, f"Invalid base64 content for {path}") from None
        _write(repo, path, data)
    elif key == "deletedFile":
        if path not in repo.paths():
            raise HubError(404, "A file with this name doesn't exist", "EntryNotFound")
        _delete(repo, lambda p: p == path)
    elif key == "deletedFolder":
        _delete(repo, lambda p: p.startswith(f"{path}/"))
    elif key == "lfsFile":
        raise HubError(400, "LFS uploads are not supported by the local Hub")
    else:
        raise HubError(400, f"Unknown operation {key!r}")


def _write(repo: HubRepo, path: str, data: bytes) -> None:
    if path == "README.md":
        repo.card = data.decode("utf-8", errors="replace")
        repo.contents.pop(path, None)
        return
    repo.rows.pop(path, None)
    try:
        repo.contents[path] = data.decode("utf-8")
    except UnicodeDecodeError:
        repo.contents[path] = data
    if path not in repo.files:
        repo.files.append(path)


def _delete(repo: HubRepo, matches: Callable[[str], bool]) -> None:
    if matches("README.md"):
        repo.card = None
    repo.files = [p for p in repo.files if not matches(p)]
    repo.rows = {p: v for p, v in repo.rows.items() if not matches(p)}
    repo.contents = {p: v for p, v in repo.contents.items() if not matches(p)}
