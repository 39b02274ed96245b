"""The Hub's HTTP routes: ``/api/{type}s/{id}/...`` and ``/{type}s/{id}/resolve/{rev}/{path}``."""

from __future__ import annotations

import asyncio
import hashlib
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlencode

from aiohttp import web

from sandbox.http_util import Holder, json_response

from . import writes
from .access import check_gate, lookup, preflight, require_write, revision_index
from .errors import PAGE_NOT_FOUND, HubError, error_response
from .repos import LFS_SUFFIXES, PLURAL, HubRepo, RepoKind, blob_oid
from .views import commit_items, expand_fields, repo_info, space_runtime, tree_entries

if TYPE_CHECKING:
    from .server import LocalHub


class HubRoutes:
    """Answers every request to ``hub``; ``dispatch`` is the app's one handler."""

    def __init__(self, hub: LocalHub, holder: Holder) -> None:
        self._hub = hub
        self._holder = holder

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        raw = request.raw_path.split("?", 1)[0]
        segments = [unquote(s) for s in raw.split("/")[1:]]
        hub = self._hub
        hub.in_flight += 1
        hub.peak_in_flight = max(hub.peak_in_flight, hub.in_flight)
        try:
            return await self._answer(request, segments)
        finally:
            hub.in_flight -= 1

    async def _answer(self, request: web.Request, segments: list[str]) -> web.StreamResponse:
        if self._hub.latency > 0:
            await asyncio.sleep(self._hub.latency)
        try:
            if request.method == "POST":
                return await self._post(request, segments)
            if request.method not in ("GET", "HEAD"):
                raise HubError(405, "Method not allowed")
            if segments[:1] == ["api"] and len(segments) >= 3 and segments[1] in PLURAL:
                return await self._api(request, PLURAL[segments[1]], segments[2:])
            if "resolve" in segments:
                return await self._resolve(request, segments)
            raise HubError(404, PAGE_NOT_FOUND)
        except HubError as err:
            return error_response(err)

    async def _preflight(self, request: web.Request, repo_id: str, resource: str) -> None:
        hub = self._hub
        fault = hub.faults.get(repo_id) or hub.faults.get("*")
        await preflight(
            request,
            fault,
            resource,
            rate_limit_reset=hub.rate_limit_reset,
            holder=self._holder,
            known_tokens=hub.tokens | hub.users,
        )

    def _lookup(self, request: web.Request, kind: RepoKind, repo_id: str) -> HubRepo:
        return lookup(request, self._hub.repos, self._hub.tokens, kind, repo_id)

    # -- /api/{type}s/{id}/... -----------------------------------------------------------------
    async def _api(self, request: web.Request, kind: RepoKind, rest: list[str]) -> web.Response:
        repo_id, tail = _split_repo(rest)
        await self._preflight(request, repo_id, "api")
        repo = self._lookup(request, kind, repo_id)
        blobs = request.query.get("blobs", "").lower() in ("1", "true")
        expand = [*request.query.getall("expand", []), *request.query.getall("expand[]", [])]
        if not tail or (tail[0] == "revision" and len(tail) >= 2):
            index = revision_index(repo, "/".join(tail[1:])) if tail else 0
            info = repo_info(repo, index, blobs=blobs)
            if expand:
                if blobs:
                    raise HubError(400, '"expand" cannot be combined with "blobs"')
                info = expand_fields(info, kind, expand)
            return json_response(info)
        if tail == ["runtime"] and kind == "space":
            return json_response(space_runtime(repo))
        if tail[0] == "tree" and len(tail) >= 2:
            revision, path = tail[1], "/".join(tail[2:]).strip("/")
            entries = tree_entries(
                repo,
                revision_index(repo, revision),
                revision,
                path,
                recursive=request.query.get("recursive", "").lower() in ("1", "true"),
                expand=request.query.get("expand", "").lower() in ("1", "true"),
            )
            return self._page(request, entries, "cursor")
        if tail[0] == "commits" and len(tail) >= 2:
            items = commit_items(
                repo,
                revision_index(repo, "/".join(tail[1:])),
                formatted=request.query.get("expand[]") == "formatted",
            )
            return self._page(request, items, "p")
        raise HubError(404, PAGE_NOT_FOUND)

    # -- writes: POST /api/repos/create, /api/validate-yaml, /api/{type}s/{id}/{preupload,commit}
    async def _post(self, request: web.Request, segments: list[str]) -> web.Response:
        hub = self._hub
        if segments == ["api", "repos", "create"]:
            await self._preflight(request, "", "api")
            return await writes.create_repo(hub, request)
        if segments == ["api", "validate-yaml"]:
            await self._preflight(request, "", "api")
            return await writes.validate_yaml(request)
        if segments[:1] == ["api"] and len(segments) >= 6 and segments[1] in PLURAL:
            kind = PLURAL[segments[1]]
            repo_id, tail = _split_repo(segments[2:])
            if len(tail) >= 2 and tail[0] in ("preupload", "commit"):
                await self._preflight(request, repo_id, "api")
                repo = self._lookup(request, kind, repo_id)
                require_write(request, repo_id.split("/", 1)[0], hub.tokens)
                revision = "/".join(tail[1:])
                if tail[0] == "preupload":
                    return await writes.preupload(repo, request, revision)
                return await writes.commit(hub, repo, request, revision)
        raise HubError(404, PAGE_NOT_FOUND)

    def _page(self, request: web.Request, items: list[dict[str, Any]], param: str) -> web.Response:
        try:
            raw = request.query.get(param, "0")
            page = int(raw) if param == "p" else int(raw or "0", 16)
        except ValueError:
            raise HubError(400, f"Invalid {param}") from None
        size = max(1, self._hub.page_size)
        start = page * size
        chunk = items[start : start + size]
        headers: dict[str, str] = {}
        if start + size < len(items):
            query = {k: v for k, v in request.query.items() if k != param}
            query[param] = str(page + 1) if param == "p" else format(page + 1, "x")
            raw_path = request.raw_path.split("?", 1)[0]
            headers["Link"] = f'<{self._hub.url}{raw_path}?{urlencode(query)}>; rel="next"'
        return json_response(chunk, headers=headers)

    # -- /{type}s/{id}/resolve/{rev}/{path} ----------------------------------------------------
    async def _resolve(self, request: web.Request, segments: list[str]) -> web.Response:
        at = segments.index("resolve")
        head, tail = segments[:at], segments[at + 1 :]
        kind: RepoKind = "model"
        if head and head[0] in ("datasets", "spaces"):
            kind = PLURAL[head[0]]
            head = head[1:]
        repo_id = "/".join(head)
        await self._preflight(request, repo_id, "resolvers")
        if len(tail) < 2:
            raise HubError(404, "Entry not found", "EntryNotFound")
        repo = self._lookup(request, kind, repo_id)
        revision, path = tail[0], "/".join(tail[1:])
        index = revision_index(repo, revision)
        sha = repo.commit_list()[index][0]
        repo = repo.at(index)
        check_gate(
            request, repo, path, self._hub.tokens, kind=kind, repo_id=repo_id, url=self._hub.url
        )
        if path not in repo.paths():
            raise HubError(404, "Entry not found", "EntryNotFound", **{"X-Repo-Commit": sha})
        data = repo.content(path)
        lfs = path.endswith(LFS_SUFFIXES)
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
        wanted = _byte_range(request.headers.get("Range"), len(data))
        if wanted is not None and request.method == "GET":
            start, end = wanted
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            return web.Response(status=206, body=data[start : end + 1], headers=headers)
        # aiohttp leaves the body out of HEAD replies but keeps its Content-Length.
        return web.Response(status=200, body=data, headers=headers)


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``bytes=a-b`` (or ``bytes=a-``) as inclusive offsets within ``size``; anything else: the
    whole file, as servers may answer."""
    if not header or not header.startswith("bytes=") or "," in header or size == 0:
        return None
    first, _, last = header.removeprefix("bytes=").partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        return None
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start > end:
        return None
    return start, end


def _split_repo(rest: list[str]) -> tuple[str, list[str]]:
    if len(rest) < 2:
        return "/".join(rest), []
    return f"{rest[0]}/{rest[1]}", rest[2:]
