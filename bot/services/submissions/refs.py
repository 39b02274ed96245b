"""What a member typed for a deliverable, as a repo reference, or a refusal that says why.

Accepted: ``org/name``, or a Hub URL (``https://huggingface.co/datasets/org/name``, ``hf.co``,
with or without ``/tree/<revision>``). Everything else is refused before it reaches the Hub:
other hosts, paths that climb (``..``), ids longer than the Hub allows, mentions, spaces and any
character outside the Hub's ASCII set (so no unicode look-alike of a real repo gets through).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote, urlsplit

from bot.errors import InvalidInput
from bot.i18n import Message

MAX_INPUT: Final = 300  # the option's max length; a longer value never reaches the parser
MAX_REPO_ID: Final = 96  # the Hub's limit for a repo name
SHOWN_MAX: Final = 80  # how much of a refused value a reply quotes
HOSTS: Final = frozenset({"huggingface.co", "www.huggingface.co", "hf.co"})
_PART: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_REVISION: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")
_URL_PREFIX: Final[dict[str, str]] = {"datasets": "dataset", "spaces": "space"}


@dataclass(frozen=True)
class RepoRef:
    kind: str  # dataset | model | space
    repo_id: str
    revision: str | None = None

    @property
    def url_path(self) -> str:
        prefix = {"dataset": "datasets/", "space": "spaces/", "model": ""}[self.kind]
        return f"{prefix}{self.repo_id}"


def shown(text: str) -> str:
    """A refused value as a reply may quote it: one line, at most ``SHOWN_MAX`` characters."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= SHOWN_MAX else one_line[: SHOWN_MAX - 1] + "…"


def parse_ref(kind: str, text: str) -> RepoRef:
    """``text`` (an id or a Hub URL) as a reference to a ``kind`` repo, or ``InvalidInput``."""
    raw = text.strip()
    if not raw:
        raise InvalidInput("submissions.errors.empty", kind=_kind_word(kind))
    if len(raw) > MAX_INPUT:
        raise InvalidInput("submissions.errors.too_long", count=MAX_INPUT)
    if not raw.isascii() or any(ch.isspace() or not ch.isprintable() for ch in raw):
        raise InvalidInput("submissions.errors.bad_characters", value=shown(raw))
    revision = None
    if "://" in raw or raw.lower().startswith(tuple(f"{h}/" for h in HOSTS)):
        repo_id, url_kind, revision = _from_url(raw)
        if url_kind != kind:
            raise InvalidInput(
                "submissions.errors.wrong_kind",
                value=shown(raw),
                given=_kind_word(url_kind),
                expected=_kind_word(kind),
            )
    else:
        repo_id = raw
    _check_repo_id(repo_id, raw)
    return RepoRef(kind=kind, repo_id=repo_id, revision=revision)


def _from_url(raw: str) -> tuple[str, str, str | None]:
    url = urlsplit(raw if "://" in raw else f"https://{raw}")
    host = (url.hostname or "").lower()
    if url.scheme not in ("https", "http") or host not in HOSTS or url.port is not None:
        raise InvalidInput("submissions.errors.bad_host", value=shown(raw))
    if url.username or url.password:
        raise InvalidInput("submissions.errors.bad_host", value=shown(raw))
    segments = [unquote(s) for s in url.path.split("/") if s]
    if any(s in (".", "..") or "/" in s or "\\" in s for s in segments):
        raise InvalidInput("submissions.errors.bad_repo", value=shown(raw))
    kind = "model"
    if segments and segments[0] in _URL_PREFIX:
        kind = _URL_PREFIX[segments[0]]
        segments = segments[1:]
    if len(segments) < 2:
        raise InvalidInput("submissions.errors.bad_repo", value=shown(raw))
    repo_id = f"{segments[0]}/{segments[1]}"
    rest = segments[2:]
    revision = None
    if rest:
        if rest[0] in ("tree", "blob", "resolve", "commit") and len(rest) >= 2:
            revision = rest[1]
            if not _REVISION.fullmatch(revision) or ".." in revision:
                raise InvalidInput("submissions.errors.bad_repo", value=shown(raw))
        elif rest[0] not in ("discussions", "blob", "tree", "commits"):
            raise InvalidInput("submissions.errors.bad_repo", value=shown(raw))
    return repo_id, kind, revision


def _check_repo_id(repo_id: str, raw: str) -> None:
    parts = repo_id.split("/")
    if len(parts) != 2 or not all(_PART.fullmatch(p) for p in parts):
        raise InvalidInput("submissions.errors.bad_repo", value=shown(raw))
    if any(".." in p or "--" in p for p in parts) or len(parts[1]) > MAX_REPO_ID:
        raise InvalidInput("submissions.errors.bad_repo", value=shown(raw))
    if len(parts[0]) > MAX_REPO_ID:
        raise InvalidInput("submissions.errors.bad_repo", value=shown(raw))


def _kind_word(kind: str) -> Message:
    return Message(f"submissions.kinds.{kind}")
