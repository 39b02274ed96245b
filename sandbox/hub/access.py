"""Who may see what: faults, tokens, private, disabled and gated repos, and revisions."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final

from aiohttp import web

from sandbox.http_util import Holder

from .errors import DISABLED, INVALID_CREDENTIALS, HubError
from .repos import HubRepo, RepoKind

_INVALID_TOKEN_PREFIX: Final = "hf_invalid"
_UNGATED_FILES: Final = frozenset({"README.md", ".gitattributes"})


def bearer(request: web.Request) -> str | None:
    """The request's bearer token, or ``None`` for an anonymous caller."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


async def preflight(
    request: web.Request,
    fault: str | None,
    resource: str,
    *,
    rate_limit_reset: int,
    holder: Holder,
) -> None:
    """Checks made before the repo is looked up: the repo's fault, then an invalid token."""
    if fault == "429":
        quota = 500 if resource == "api" else 3000
        raise HubError(
            429,
            f"You have exceeded our hourly quotas for action '{resource}'. "
            "We invite you to retry later.",
            None,
            **{
                "RateLimit": f'"{resource}";r=0;t={rate_limit_reset}',
                "RateLimit-Policy": f'"fixed window";"{resource}";q={quota};w=300',
            },
        )
    if fault == "500":
        raise HubError(500, "Internal Error - We're working hard to fix this as soon as possible!")
    if fault == "timeout":
        await holder.hold()
        raise HubError(504, "Gateway Timeout")
    token = bearer(request)
    if token is not None and token.startswith(_INVALID_TOKEN_PREFIX):
        raise HubError(401, INVALID_CREDENTIALS)


def lookup(
    request: web.Request,
    repos: Mapping[tuple[RepoKind, str], HubRepo],
    tokens: Collection[str],
    kind: RepoKind,
    repo_id: str,
) -> HubRepo:
    """The repo, if the caller may see it."""
    token = bearer(request)
    repo = repos.get((kind, repo_id))
    if repo is None or (repo.private and token not in tokens):
        # Anonymous callers get 401 (the Hub hides whether the repo exists), users 404.
        raise HubError(401 if token is None else 404, "Repository not found", "RepoNotFound")
    if repo.disabled:
        raise HubError(403, DISABLED)
    return repo


def check_gate(
    request: web.Request,
    repo: HubRepo,
    path: str,
    tokens: Collection[str],
    *,
    kind: RepoKind,
    repo_id: str,
    url: str,
) -> None:
    """Refuse a download of a gated repo's file to a caller without access."""
    token = bearer(request)
    if repo.gated and path not in _UNGATED_FILES and token not in tokens:
        noun = {"model": "model", "dataset": "dataset", "space": "space"}[kind]
        if token is None:
            message = (
                f"Access to {noun} {repo_id} is restricted. You must have access to it and "
                "be authenticated to access it. Please log in."
            )
        else:
            message = (
                f"Access to {noun} {repo_id} is restricted and you are not in the authorized "
                f"list. Visit {url}/{repo_id} to ask for access."
            )
        raise HubError(401 if token is None else 403, message, "GatedRepo")


def revision_index(repo: HubRepo, revision: str) -> int:
    """The position of ``revision`` in ``repo.commit_list()`` ("main" is the newest)."""
    commits = repo.commit_list()
    if revision in ("main", "refs/heads/main"):
        return 0
    for index, (sha, _) in enumerate(commits):
        if sha == revision:
            return index
    raise HubError(404, f"Invalid rev id: {revision}", "RevisionNotFound")
