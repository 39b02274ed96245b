"""The Hub figures the boards need, through the Hub adapter (worker threads, bounded
concurrency, back-off). A repo that is gone or private counts as nothing; an unreachable Hub
raises :class:`HubError` so the caller skips the board instead of posting a wrong one."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from bot.clients.hub import HubClient, HubError, RepoKind
from bot.services.leaderboard.boards import RepoStats, TeamRepos

log = logging.getLogger(__name__)

# What an outage looks like: every other Hub error is about one repo (gone, private, gated).
OUTAGE = frozenset({"unavailable", "rate_limited", "unauthorized"})


class StatsCache:
    """Likes and downloads per repo for ``ttl`` seconds (the on-demand command reuses them)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._items: dict[tuple[str, str], tuple[float, RepoStats]] = {}

    def get(self, key: tuple[str, str]) -> RepoStats | None:
        item = self._items.get(key)
        if item is None or item[0] < time.monotonic():
            return None
        return item[1]

    def put(self, key: tuple[str, str], value: RepoStats) -> None:
        if self.ttl > 0:
            self._items[key] = (time.monotonic() + self.ttl, value)


async def repo_stats(
    hub: HubClient, teams: Sequence[TeamRepos], cache: StatsCache | None = None
) -> dict[tuple[str, str], RepoStats]:
    wanted = {(kind, repo) for team in teams for kind, repo, _ in team.repos}
    result: dict[tuple[str, str], RepoStats] = {}

    async def one(kind: str, repo: str) -> None:
        cached = cache.get((kind, repo)) if cache is not None else None
        if cached is not None:
            result[(kind, repo)] = cached
            return
        try:
            info = await hub.repo_info(repo, _kind(kind))
        except HubError as exc:
            if exc.kind in OUTAGE:
                raise
            stats = RepoStats(0, 0)  # gone, private or gated: it shows nothing to count
        else:
            stats = RepoStats(info.likes, info.downloads)
        result[(kind, repo)] = stats
        if cache is not None:
            cache.put((kind, repo), stats)

    await asyncio.gather(*(one(kind, repo) for kind, repo in sorted(wanted)))
    return result


def _kind(kind: str) -> RepoKind:
    if kind == "dataset":
        return "dataset"
    if kind == "space":
        return "space"
    return "model"


def average_score(results: Mapping[str, Any], tasks: Mapping[str, str]) -> float | None:
    """The mean of the configured ``task -> metric`` scores found in an lm-evaluation-harness
    results file; None when none of them is there. Each configured task counts once (a group
    task's own entry is just another key: only the configured ones are read)."""
    table = results.get("results")
    if not isinstance(table, Mapping):
        return None
    scores = []
    for task, metric in tasks.items():
        value = table.get(task, {}).get(metric) if isinstance(table.get(task), Mapping) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            scores.append(float(value))
    return sum(scores) / len(scores) if scores else None


def results_files(paths: Sequence[str], model: str) -> list[str]:
    """The results files of ``model`` (``org/name``) in a results dataset, oldest first:
    JSON files under ``org/name/`` or named with ``org__name``, as leaderboards store them."""
    folder = model.lower() + "/"
    flat = model.lower().replace("/", "__")
    found = [
        path
        for path in paths
        if path.lower().endswith(".json")
        and (folder in path.lower() or flat in path.lower().rsplit("/", 1)[-1])
    ]
    return sorted(found)


MAX_RESULT_READS = 3  # newest files of a model read to find its submitted commit's results
_SHA = re.compile(r"[0-9a-f]{7,40}")


def evaluated_revision(results: Mapping[str, Any]) -> str | None:
    """The commit a results file evaluated (``revision=`` in ``config.model_args``), when it
    names one."""
    config = results.get("config")
    args = config.get("model_args") if isinstance(config, Mapping) else None
    if not isinstance(args, str):
        return None
    for part in args.split(","):
        key, _, value = part.partition("=")
        if key.strip() == "revision" and _SHA.fullmatch(value.strip().lower()):
            return value.strip().lower()
    return None


def for_commit(results: Mapping[str, Any], sha: str | None) -> bool:
    """Whether ``results`` can stand for the submitted commit ``sha``: they name no commit, or
    the same one (a results file of an earlier commit does not count for a resubmission)."""
    revision = evaluated_revision(results)
    if revision is None or sha is None:
        return True
    sha = sha.lower()
    return sha.startswith(revision) or revision.startswith(sha)


async def evaluation_scores(
    hub: HubClient, dataset: str, teams: Sequence[TeamRepos], tasks: Mapping[str, str]
) -> dict[str, float | None]:
    """Each submitted model's average score from its newest results file for the submitted
    commit (None: pending)."""
    shas = {repo: sha for team in teams for kind, repo, sha in team.repos if kind == "model"}
    models = sorted(shas)
    if not models:
        return {}
    try:
        entries = await hub.list_files(dataset, "dataset")
    except HubError as exc:
        if exc.kind in OUTAGE:
            raise
        log.warning("results dataset %s cannot be read: %s", dataset, exc.kind)
        return dict.fromkeys(models)
    paths = [entry.path for entry in entries if not entry.is_dir]
    scores: dict[str, float | None] = {}

    async def one(model: str) -> None:
        scores[model] = None
        for path in reversed(results_files(paths, model)[-MAX_RESULT_READS:]):
            try:
                data = json.loads(await hub.read_text(dataset, path, "dataset"))
            except HubError as exc:
                if exc.kind in OUTAGE:
                    raise
                continue
            except ValueError:
                log.warning("results file %s of %s is not JSON", path, model)
                continue
            if isinstance(data, dict) and for_commit(data, shas[model]):
                scores[model] = average_score(data, tasks)
                return

    await asyncio.gather(*(one(model) for model in models))
    return scores
