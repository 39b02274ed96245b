"""The fields a scenario may set on a Hub repo, and how each is checked and stored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from sandbox.http_util import parse_iso

from .repos import HubRepo

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


def apply_field(repo: HubRepo, key: str, value: Any) -> None:
    """Store one scenario field (a key of ``REPO_FIELDS``) on ``repo``."""
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
        _apply_rows(repo, value)
    elif key == "tags":
        repo.extra_tags = [str(tag) for tag in value]
    elif key == "contents":
        repo.contents.update({str(k): str(v) for k, v in dict(value).items()})


def _apply_rows(repo: HubRepo, value: Any) -> None:
    if isinstance(value, Mapping):
        repo.rows.update({str(k): list(v) for k, v in value.items()})
        return
    target = next(
        (p for p in repo.files if p.endswith((".jsonl", ".json"))),
        "data/train.jsonl",
    )
    repo.rows[target] = [dict(row) for row in value]


def _as_bool(key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"hub field {key!r} must be true or false")
    return value


def _as_int(key: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"hub field {key!r} must be a non-negative integer")
    return value
