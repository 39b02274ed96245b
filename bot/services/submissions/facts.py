"""What the Hub says about one submitted repo, gathered in as few requests as possible.

A passing repo costs: repo info (1) and its card's text (1, only when the `card_length` check
runs: repo info carries the card's metadata, not its text); a dataset whose card does not
describe its columns one more (the first bytes of its first data file); an adapter model one
more (its base model's size, reused for an hour). Everything read at a commit sha is cached
by the adapter, so verifying an unchanged repo again costs the one head request.

This module reads the Hub and nothing else: no database, no Discord.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from bot.clients.hub import HubClient, HubError, RepoInfo
from bot.services.submissions.refs import RepoRef

# Hub errors that are a fact about the repo (the `exists` check fails); any other HubError
# (token rejected, rate-limited, unreachable) leaves the submission pending.
REPO_CAUSES: Final = frozenset({"not_found", "gated", "disabled", "revision_not_found"})
COLUMN_SAMPLE_BYTES: Final = 64 * 1024
BASE_MODEL_MAX_AGE: Final = 3600.0
CARD_MAX_BYTES: Final = 256 * 1024


@dataclass(frozen=True)
class RepoFacts:
    """One verification's reading of a repo. ``missing`` names why the repo cannot be read
    (an `exists` cause); otherwise ``info`` is the repo at the pinned commit."""

    ref: RepoRef
    missing: str | None = None
    info: RepoInfo | None = None
    card_text: str | None = None
    columns: tuple[str, ...] | None = None
    base_parameters: int | None = None
    # The head, when its commit came after the deadline (the pinned commit is then older).
    late_sha: str | None = None
    late_at: datetime | None = None
    # No commit at or before the deadline: the oldest commit's date, to say how late it was.
    first_commit_after: datetime | None = None
    # The pinned commit's date from the commit list, when the head was not pinned.
    pinned_at: datetime | None = None

    @property
    def sha(self) -> str | None:
        return self.info.sha if self.info is not None else None

    @property
    def committed_at(self) -> datetime | None:
        if self.pinned_at is not None:
            return self.pinned_at
        return self.info.last_modified if self.info is not None else None


async def gather(
    hub: HubClient,
    ref: RepoRef,
    *,
    deadline: datetime,
    data_formats: tuple[str, ...],
    card_text: bool = True,
) -> RepoFacts:
    """Read ``ref`` on the Hub. Raises ``HubError`` only when the Hub could not answer about
    the repo (token rejected, rate-limited, unreachable). ``card_text`` False: the card's text
    is not read (only the `card_length` check needs it; repo info already carries its
    metadata)."""
    kind: Any = ref.kind
    try:
        info = await hub.repo_info(ref.repo_id, kind, ref.revision)
    except HubError as exc:
        if exc.kind in REPO_CAUSES:
            return RepoFacts(ref=ref, missing=exc.kind)
        raise
    if info.gated:
        return RepoFacts(ref=ref, missing="gated", info=info)
    late_sha = late_at = first_after = pinned_at = None
    if info.last_modified is not None and info.last_modified > deadline and ref.revision is None:
        late_sha, late_at = info.sha, info.last_modified
        commits = await hub.list_commits(ref.repo_id, kind)
        before = [c for c in commits if c.date <= deadline]
        if before:
            info = await hub.repo_info(ref.repo_id, kind, before[0].sha)
            pinned_at = before[0].date
        elif commits:
            first_after = min(c.date for c in commits)
    card = None
    if card_text and "README.md" in info.files:
        try:
            raw = await hub.read_bytes(ref.repo_id, "README.md", kind, info.sha)
            card = raw[:CARD_MAX_BYTES].decode("utf-8", errors="replace")
        except HubError as exc:
            if exc.kind not in ("entry_not_found", "gated"):
                raise
    columns = None
    if ref.kind == "dataset":
        columns = card_columns(info.card_data)
        if columns is None:
            columns = await _file_columns(hub, ref, info, data_formats)
    base_parameters = None
    if ref.kind == "model" and is_adapter(info):
        base = first_text(info.card_data.get("base_model"))
        if base is not None and "/" in base:
            try:
                base_info = await hub.repo_info(base, "model", max_age=BASE_MODEL_MAX_AGE)
                base_parameters = base_info.parameters
            except HubError as exc:
                if exc.kind not in REPO_CAUSES:
                    raise
    return RepoFacts(
        ref=ref,
        info=info,
        card_text=card,
        columns=columns,
        base_parameters=base_parameters,
        late_sha=late_sha,
        late_at=late_at,
        first_commit_after=first_after,
        pinned_at=pinned_at,
    )


def is_adapter(info: RepoInfo) -> bool:
    return "adapter_config.json" in info.files


def first_text(value: object) -> str | None:
    """A card field that may be a string or a list of strings: its first string."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str) and item.strip():
                return item.strip()
    return None


def texts(value: object) -> list[str]:
    """A card field that may be a string or a list: every string in it."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def card_columns(card_data: dict[str, Any]) -> tuple[str, ...] | None:
    """Column names from the card's ``dataset_info.features`` (one config or a list)."""
    info = card_data.get("dataset_info")
    configs = info if isinstance(info, list) else [info]
    names: list[str] = []
    for config in configs:
        if not isinstance(config, dict):
            continue
        features = config.get("features")
        if isinstance(features, list):
            names += [str(f["name"]) for f in features if isinstance(f, dict) and "name" in f]
        elif isinstance(features, dict):
            names += [str(name) for name in features]
    return tuple(names) if names else None


def data_files(info: RepoInfo, formats: tuple[str, ...]) -> list[str]:
    suffixes = tuple(f".{fmt}" for fmt in formats)
    return sorted(
        path
        for path in info.files
        if path.lower().endswith(suffixes) and path.rsplit("/", 1)[-1] != "dataset_infos.json"
    )


async def _file_columns(
    hub: HubClient, ref: RepoRef, info: RepoInfo, formats: tuple[str, ...]
) -> tuple[str, ...] | None:
    """Columns of the first readable data file (JSON lines, JSON or CSV), from its first bytes.
    Parquet and Arrow files need the card's ``dataset_info``: ``None`` (unknown)."""
    readable = [p for p in data_files(info, formats) if p.lower().endswith((".jsonl", ".csv"))]
    readable += [p for p in data_files(info, formats) if p.lower().endswith(".json")]
    if not readable:
        return None
    path = readable[0]
    try:
        head = await hub.read_bytes(
            ref.repo_id, path, "dataset", info.sha, limit=COLUMN_SAMPLE_BYTES
        )
    except HubError as exc:
        if exc.kind in ("entry_not_found", "gated"):
            return None
        raise
    return columns_of(path, head)


def columns_of(path: str, head: bytes) -> tuple[str, ...] | None:
    text = head.decode("utf-8", errors="replace")
    lower = path.lower()
    try:
        if lower.endswith(".csv"):
            header = next(csv.reader(io.StringIO(text)), None)
            return tuple(h.strip() for h in header) if header else None
        if lower.endswith(".jsonl"):
            first = next((line for line in text.splitlines() if line.strip()), None)
            row = json.loads(first) if first else None
        else:
            data = json.loads(text)
            row = data[0] if isinstance(data, list) and data else data
    except (json.JSONDecodeError, csv.Error):
        return None
    return tuple(str(k) for k in row) if isinstance(row, dict) else None
