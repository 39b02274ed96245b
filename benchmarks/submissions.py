"""Submissions: Hub requests per verification, and 300 simultaneous `/submit` with Hub latency.

1. The verification itself (``bot.services.submissions``) against the local Hub through the real
   huggingface_hub client: requests for a passing model, dataset and Space, the first time and
   again with nothing changed (reads at a commit sha come from the adapter's cache).
2. The real bot: 300 teams submit their model at the same moment while every Hub answer takes
   100 ms. Counted: interactions that failed (none may), members answered, the slowest
   answer, Hub requests made and submissions left pending (the Hub budget, 900 requests per
   5 minutes, is never exceeded: over it a submission waits as pending).

``python -m benchmarks.submissions`` runs this section alone and prints it as Markdown.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from benchmarks.common import (
    CONFIG,
    START,
    Section,
    Summary,
    Verdict,
    add_participants,
    machine,
    ms,
    running_sandbox,
    sqlite_backend,
    stopwatch,
    verdict,
)
from benchmarks.report import render
from bot.clients.hub import HubClient
from bot.models.submissions import Submission
from bot.services.submissions.checks import Context, evaluate
from bot.services.submissions.facts import gather
from bot.services.submissions.refs import RepoRef
from bot.services.teams import TeamRules, create_team
from bot.settings import load_settings
from bot.settings.submissions import SubmissionSettings
from sandbox.hub import LocalHub

DATASET, MODEL, SPACE = "somosnlp/tigre-corpus-it", "somosnlp/tigre-7b", "somosnlp/tigre-demo"
TEXT = (
    "Este proyecto reúne y documenta datos, entrenamiento y evaluación en español: cómo se "
    "crearon los datos, cómo se limpiaron, qué sesgos encontramos y cómo los mitigamos, con "
    "los scripts para reproducirlo todo desde cero."
)
# The corpus schema the `columns` check asks for (the shipped default).
COLUMNS = SubmissionSettings().columns


def card(**meta: str) -> str:
    return "\n".join(["---", *(f"{k}: {v}" for k, v in meta.items()), "---", TEXT, ""])


def passing_hub() -> dict[str, dict[str, dict[str, Any]]]:
    """A team's passing dataset, model and Space (the dataset's card does not describe its
    columns, so its first data file is read too)."""
    meta = {"license": "apache-2.0", "language": "[es]"}
    return {
        "datasets": {
            DATASET: {
                "card": card(**meta),
                "files": ["data/train.jsonl"],
                "rows": [{c: "x" for c in COLUMNS}],
            }
        },
        "models": {
            MODEL: {
                "card": card(**meta, datasets=f"[{DATASET}]", base_model="mistralai/Mistral-7B"),
                "files": ["config.json", "model.safetensors"],
                "parameters": 7_241_732_096,
            }
        },
        "spaces": {
            SPACE: {
                "card": card(**meta, models=f"[{MODEL}]", datasets=f"[{DATASET}]"),
                "files": ["app.py"],
                "stage": "RUNNING",
            }
        },
    }


TEAMS = 300
LATENCY = 0.1
GOAL_FIRST = 3
GOAL_CACHED = 1


async def _requests_per_verification() -> list[tuple[str, int, int, bool]]:
    config = load_settings(CONFIG, env={}).config
    hub = LocalHub(now=lambda: START, tokens={"hf_bench"})
    hub.load(passing_hub())
    await hub.start()
    try:
        client = HubClient(hub.url, "hf_bench")
        found = []
        for label, ref in (
            ("model (safetensors)", RepoRef("model", MODEL)),
            ("dataset (columns read from its first data file)", RepoRef("dataset", DATASET)),
            ("Space", RepoRef("space", SPACE)),
        ):
            counts = []
            passed = True
            for _ in range(2):
                before = len(hub.requests)
                facts = await gather(
                    client,
                    ref,
                    deadline=config.event.submission_deadline,
                    data_formats=tuple(config.submissions.data_formats),
                )
                ctx = Context(
                    config.submissions,
                    config.event.hub_organization,
                    config.event.submission_deadline,
                    team_dataset=DATASET,
                    team_model=MODEL,
                )
                passed = passed and evaluate(facts, ctx).status == "passed"
                counts.append(len(hub.requests) - before)
            found.append((label, counts[0], counts[1], passed))
        return found
    finally:
        await hub.close()


async def _simultaneous() -> dict[str, Any]:
    backend = sqlite_backend()
    with tempfile.TemporaryDirectory(prefix="hackbot-bench-sub-") as tmp:
        workdir = Path(tmp)
        url = backend.fresh_url(workdir, "submissions")
        async with running_sandbox(url, workdir) as sandbox:
            handles = [f"s{i:03d}" for i in range(TEAMS)]
            await add_participants(sandbox, handles)
            content = passing_hub()
            sandbox.hub.load(content)
            model = content["models"][MODEL]
            for i in range(TEAMS):
                sandbox.hub.set(f"somosnlp/modelo-{i:03d}", dict(model), kind="model")
            assert sandbox.bot is not None and sandbox.settings is not None
            rules = TeamRules.from_settings(sandbox.settings.config)
            now = sandbox.clock.now()
            for i, handle in enumerate(handles):
                uid = sandbox.discord.user_id(handle)
                await sandbox.bot.db.write(
                    lambda s, u=uid, n=f"Equipo {i:03d}": create_team(
                        s, rules, captain_id=u, name=n, description=None, open=False, now=now
                    )
                )
            sandbox.hub.latency = LATENCY
            hub_before = len(sandbox.hub.requests)
            sandbox.errors.take()
            with stopwatch() as took:
                interactions = list(
                    await asyncio.gather(
                        *(
                            sandbox.discord.run_command(
                                sandbox.guild_id,
                                handle,
                                "submit",
                                {"model": f"somosnlp/modelo-{i:03d}"},
                            )
                            for i, handle in enumerate(handles)
                        )
                    )
                )
                await sandbox.settle(limit=600.0)
            answered = [ix for ix in interactions if len(ix.replies) >= 1]
            async with sandbox.bot.db.read() as session:
                statuses = dict(
                    (
                        await session.execute(
                            select(Submission.status, func.count()).group_by(Submission.status)
                        )
                    ).all()
                )
                failed_checks = sorted(
                    {
                        check
                        for checks in await session.scalars(select(Submission.checks))
                        for check, outcome in checks.items()
                        if outcome == "failed"
                    }
                )
            return {
                "n": len(interactions),
                "failed": sum(1 for ix in interactions if ix.failed),
                "answered": len(answered),
                "acks": [float(ix.ack_ms) for ix in interactions if ix.ack_ms is not None],
                "seconds": took[0],
                "hub_requests": len(sandbox.hub.requests) - hub_before,
                "statuses": {str(k): int(v) for k, v in statuses.items()},
                "errors": len(sandbox.errors.take()),
                "failed_checks": failed_checks,
            }


async def run() -> Section:
    with stopwatch() as took:
        per = await _requests_per_verification()
        burst = await _simultaneous()
    section = Section(
        title="Submissions: Hub requests and 300 simultaneous submissions",
        method=(
            "Requests per verification: `bot.services.submissions` (gather, then the checks) "
            "against the local Hub through huggingface_hub, a passing repo of each kind, "
            "verified twice with nothing changed. Burst: the real bot on SQLite, 300 teams "
            "submit their model at the same moment, every Hub answer delayed by 100 ms, the "
            "adapter at its configured 4 requests in flight and 900 requests per 5 minutes."
        ),
        headers=["what", "first verification", "again, unchanged", "passed"],
        rows=[[label, str(a), str(b), "yes" if ok else "no"] for label, a, b, ok in per],
    )
    acks = Summary.of(burst["acks"])
    statuses = burst["statuses"]
    section.notes.append(
        f"Burst: {burst['n']} submissions in {burst['seconds']:.1f} s; acknowledgements p50 "
        f"{ms(acks.p50)}, max {ms(acks.max)}; {burst['answered']} members answered; "
        f"{burst['hub_requests']} Hub requests; stored: "
        + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
        + f" (failed checks: {', '.join(burst['failed_checks']) or 'none'}: the teams "
        "submitted no dataset for their model card to link); "
        f"{burst['errors']} errors logged."
    )
    for label, first, again, ok in per:
        section.verdicts.append(
            Verdict(
                f"Hub requests, {label}: first / unchanged",
                f"{first} / {again}",
                f"≤ {GOAL_FIRST} / {GOAL_CACHED}",
                verdict(first <= GOAL_FIRST and again <= GOAL_CACHED and ok),
            )
        )
    section.verdicts += [
        Verdict(
            "300 simultaneous /submit, 100 ms Hub latency: none failed",
            f"{burst['failed']} failed, {burst['answered']} answered",
            f"0 failed, {TEAMS} answered",
            verdict(burst["failed"] == 0 and burst["answered"] == TEAMS),
        ),
        Verdict(
            "300 simultaneous /submit: time until every member had the checklist",
            f"{burst['seconds']:.1f} s",
            "measured",
            verdict(None),
        ),
        Verdict(
            "300 simultaneous /submit: Hub requests (budget 900 per 5 min)",
            str(burst["hub_requests"]),
            "≤ 900",
            verdict(burst["hub_requests"] <= 900),
        ),
    ]
    section.seconds = took[0]
    return section


def main() -> int:
    section = asyncio.run(run())
    text = render([section], machine(), section.seconds, [])
    sys.stdout.write(text)
    print(f"# run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
