"""The JSON the Hub API returns: repo info, Space runtime, tree entries and commits."""

from __future__ import annotations

import hashlib
from typing import Any, Final

from sandbox.http_util import iso_z

from .errors import HubError
from .repos import LFS_SUFFIXES, HubRepo, blob_oid

_RUNNING_STAGES: Final = frozenset({"RUNNING", "RUNNING_BUILDING", "APP_STARTING"})
_COMMON_EXPAND: Final = frozenset(
    {
        "author",
        "cardData",
        "createdAt",
        "disabled",
        "lastModified",
        "likes",
        "private",
        "resourceGroup",
        "sha",
        "siblings",
        "tags",
        "trendingScore",
        "usedStorage",
    }
)
# The values of ``expand`` the Hub accepts for each kind (huggingface_hub 2.4's Literal types).
EXPANDABLE: Final[dict[str, frozenset[str]]] = {
    "model": _COMMON_EXPAND
    | {
        "baseModels",
        "childrenModelCount",
        "config",
        "downloads",
        "downloadsAllTime",
        "evalResults",
        "gated",
        "gguf",
        "inference",
        "inferenceProviderMapping",
        "library_name",
        "mask_token",
        "model-index",
        "pipeline_tag",
        "safetensors",
        "spaces",
        "transformersInfo",
        "widgetData",
    },
    "dataset": _COMMON_EXPAND
    | {
        "citation",
        "description",
        "downloads",
        "downloadsAllTime",
        "gated",
        "mainSize",
        "paperswithcode_id",
    },
    "space": _COMMON_EXPAND | {"datasets", "models", "region", "runtime", "sdk", "subdomain"},
}


def expand_fields(info: dict[str, Any], kind: str, expand: list[str]) -> dict[str, Any]:
    """Only the fields named in ``expand`` (plus ``_id`` and ``id``), as the Hub answers."""
    unknown = [value for value in expand if value not in EXPANDABLE[kind]]
    if unknown:
        allowed = ", ".join(f'"{value}"' for value in sorted(EXPANDABLE[kind]))
        raise HubError(400, f'"expand" must be one of {allowed}; got {", ".join(unknown)}')
    return {key: value for key, value in info.items() if key in ("_id", "id") or key in expand}


def repo_info(repo: HubRepo, index: int, *, blobs: bool) -> dict[str, Any]:
    """``/api/{type}s/{id}`` (at the ``index``-th newest commit)."""
    sha, modified = repo.commit_list()[index]
    created = repo.commit_list()[-1][1]
    repo = repo.at(index)
    siblings: list[dict[str, Any]] = []
    for path in repo.paths():
        sibling: dict[str, Any] = {"rfilename": path}
        if blobs:
            data = repo.content(path)
            sibling["size"] = len(data)
            sibling["blobId"] = blob_oid(data)
            if path.endswith(LFS_SUFFIXES):
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
        info["runtime"] = space_runtime(repo)
        info["subdomain"] = repo.repo_id.replace("/", "-").lower()
        card = card_data or {}
        for key in ("models", "datasets"):
            linked = card.get(key)
            info[key] = [str(x) for x in linked] if isinstance(linked, list) else []
    return info


def space_runtime(repo: HubRepo) -> dict[str, Any]:
    """``/api/spaces/{id}/runtime``."""
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


def tree_entries(
    repo: HubRepo,
    index: int,
    revision: str,
    path: str,
    *,
    recursive: bool,
    expand: bool,
) -> list[dict[str, Any]]:
    """``/api/{type}s/{id}/tree/{revision}/{path}``, every page (folders first)."""
    sha, date = repo.commit_list()[index]
    title = repo.commits_newest_first()[index].title
    repo = repo.at(index)
    files = repo.paths()
    prefix = f"{path}/" if path else ""
    if path and not any(f.startswith(prefix) for f in files):
        raise HubError(404, f'{path} does not exist on "{revision}"', "EntryNotFound")
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
            if file.endswith(LFS_SUFFIXES):
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
        for entry in entries:
            entry["lastCommit"] = {"id": sha, "title": title, "date": iso_z(date)}
    return entries


def commit_items(repo: HubRepo, index: int, *, formatted: bool) -> list[dict[str, Any]]:
    """``/api/{type}s/{id}/commits/{revision}``, every page (newest first)."""
    author = repo.repo_id.split("/", 1)[0]
    items: list[dict[str, Any]] = []
    for commit in repo.commits_newest_first()[index:]:
        title = commit.title
        item: dict[str, Any] = {
            "id": commit.sha,
            "title": title,
            "message": "",
            "date": iso_z(commit.date),
            "authors": [{"user": author, "avatar": None}],
        }
        if formatted:
            item["formatted"] = {"title": f"<p>{title}</p>", "message": ""}
        items.append(item)
    return items
