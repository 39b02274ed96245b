"""Who may see what: faults, tokens, private, disabled and gated repos, and revisions."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final

from aiohttp import web

from sandbox.http_util import Holder

from .errors import DISABLED, INVALID_CREDENTIALS, HubError
from .repos import HubRepo, RepoKind

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
    known_tokens: Collection[str],
) -> None:
    """Checks made before the repo is looked up: the repo's fault, then the token.

    A token the Hub does not know (mistyped, revoked, expired) is refused on every call.
    """
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
    if token is not None and token not in known_tokens:
        raise HubError(401, INVALID_CREDENTIALS)


def lookup(
    request: web.Request,
    repos: Mapping[tuple[RepoKind, str], HubRepo],
    tokens: Collection[str],
    kind: RepoKind,
    repo_id: str,
) -> HubRepo:
    """The repo, if the caller may see it.

    Anonymous callers get 401 for a missing, private or disabled repo alike (the Hub hides which),
    users 404 for a missing or private repo and 403 "disabled" for a disabled one.
    """
    token = bearer(request)
    repo = repos.get((kind, repo_id))
    hidden = repo is None or (repo.private and token not in tokens)
    if hidden or (token is None and repo is not None and repo.disabled):
        raise HubError(401 if token is None else 404, "Repository not found", "RepoNotFound")
    assert repo is not None
    if repo.disabled:
        raise HubError(403, DISABLED)
    return repo


def require_write(request: web.Request, repo_namespace: str, tokens: Collection[str]) -> None:
    """Writing needs a token of a member of the namespace (``tokens``: members of every one)."""
    token = bearer(request)
    if token is None:
        raise HubError(401, "You must be authenticated to access this resource.")
    if token not in tokens:
        raise HubError(403, f"You don't have the rights to write to the namespace {repo_namespace}")


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
