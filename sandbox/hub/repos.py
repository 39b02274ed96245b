"""One repository of the local Hub: its commits, files, file contents, card data and tags."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Final, Literal

import yaml

from sandbox.http_util import iso_z, parse_iso

RepoKind = Literal["model", "dataset", "space"]
FAULTS: Final = frozenset({"429", "500", "timeout"})

PLURAL: Final[dict[str, RepoKind]] = {"models": "model", "datasets": "dataset", "spaces": "space"}
LFS_SUFFIXES: Final = (
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
_GITATTRIBUTES: Final = "".join(
    f"*{suffix} filter=lfs diff=lfs merge=lfs -text\n" for suffix in LFS_SUFFIXES
)


def commit_sha(repo_id: str, date: str | datetime) -> str:
    """The sha the local Hub gives the commit of ``repo_id`` made at ``date``."""
    stamp = iso_z(parse_iso(date), millis=False)
    return hashlib.sha1(f"{repo_id}@{stamp}".encode()).hexdigest()


def blob_oid(content: bytes) -> str:
    """Git's blob id for ``content``."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def repo_kind(kind: str) -> RepoKind:
    """``kind`` ("model", "datasets", ...) as a repo kind; any other value is a ``ValueError``."""
    normalized = kind.rstrip("s")
    if normalized == "model":
        return "model"
    if normalized == "dataset":
        return "dataset"
    if normalized == "space":
        return "space"
    raise ValueError(f"unknown repo kind {kind!r}")


@dataclass(frozen=True)
class Snapshot:
    """The content of a repo at one commit: what a read at that commit's sha sees."""

    card: str | None
    files: tuple[str, ...]
    parameters: int | None
    rows: dict[str, list[dict[str, Any]]]
    contents: dict[str, str | bytes]


@dataclass(frozen=True)
class Commit:
    """One commit of a repo: its sha, date, title and the content it holds."""

    sha: str
    date: datetime
    title: str
    state: Snapshot


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
    contents: dict[str, str | bytes] = field(default_factory=dict)
    extra_tags: list[str] = field(default_factory=list)
    # Oldest first. Every change of content (card, files, parameters, rows, contents) is a commit.
    history: list[Commit] = field(default_factory=list)

    # -- history -------------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The current content, copied."""
        return Snapshot(
            card=self.card,
            files=tuple(self.files),
            parameters=self.parameters,
            rows=copy.deepcopy(self.rows),
            contents=dict(self.contents),
        )

    def rebuild_history(self) -> None:
        """One commit per date of ``commits`` (or one at creation), each holding today's content."""
        dates = sorted(self.commits) or [self.created]
        state = self.snapshot()
        self.history = []
        for position, date in enumerate(dates):
            title = "Initial commit" if position == 0 else "Upload folder"
            self.history.append(Commit(self._new_sha(date), date, title, state))

    def record(self, date: datetime, title: str) -> str:
        """Commit the current content at ``date``; returns the new sha."""
        if not self.history:
            self.rebuild_history()
        sha = self._new_sha(date)
        self.history.append(Commit(sha, date, title, self.snapshot()))
        return sha

    def _new_sha(self, date: datetime) -> str:
        sha = commit_sha(self.repo_id, date)
        taken = {c.sha for c in self.history}
        counter = 0
        while sha in taken:
            counter += 1
            stamp = iso_z(date, millis=False)
            sha = hashlib.sha1(f"{self.repo_id}@{stamp}#{counter}".encode()).hexdigest()
        return sha

    def commits_newest_first(self) -> list[Commit]:
        if not self.history:
            self.rebuild_history()
        return list(reversed(self.history))

    def commit_list(self) -> list[tuple[str, datetime]]:
        """(sha, date) newest first; a repo without listed commits has one at its creation."""
        return [(c.sha, c.date) for c in self.commits_newest_first()]

    def at(self, index: int) -> HubRepo:
        """The repo as the ``index``-th newest commit holds it (0: the newest)."""
        state = self.commits_newest_first()[index].state
        return replace(
            self,
            card=state.card,
            files=list(state.files),
            parameters=state.parameters,
            rows=state.rows,
            contents=state.contents,
        )

    # -- derived views -------------------------------------------------------------------------

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
            value = self.contents[path]
            return value.encode() if isinstance(value, str) else value
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
