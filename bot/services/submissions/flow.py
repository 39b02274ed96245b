"""Verifying submissions end to end: read the database, ask the Hub, then one short write.

Entry points (the `/submit` cog, the retry and re-verification jobs) call these; no database
transaction is open while the Hub is asked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clients.hub import HubClient, HubError
from bot.db import Database
from bot.errors import Conflict
from bot.models.submissions import PENDING
from bot.models.teams import Team
from bot.services.submissions import store
from bot.services.submissions.checks import Context, evaluate
from bot.services.submissions.durations import late_message
from bot.services.submissions.facts import RepoFacts, gather
from bot.services.submissions.refs import RepoRef
from bot.services.submissions.store import SubmissionView, TeamRef, Verified
from bot.settings import Config

log = logging.getLogger(__name__)
ORDER: Final = ("dataset", "model", "space")
BATCH_READS: Final = 16  # repos read at once by a job (the adapter bounds the requests in flight)
BUDGET_SHARE: Final = 0.5  # re-verification stops when less than this share of the budget is left
# A deliverable's link checks name the team's other deliverables: submitting one of these kinds
# verifies again the current deliverables that link to it.
DEPENDS_ON: Final[dict[str, tuple[str, ...]]] = {
    "model": ("dataset",),
    "space": ("dataset", "model"),
}


@dataclass(frozen=True)
class Result:
    """One repo's verification: the stored row; ``hub_problem`` is why it is pending."""

    view: SubmissionView
    hub_problem: str | None = None


@dataclass(frozen=True)
class SubmitResult:
    team: TeamRef
    results: list[Result]
    token_alert: bool = False  # tell organizers the Hub token was rejected (at most hourly)
    # The team's other current deliverables whose link checks were verified again.
    updated: list[Result] = field(default_factory=list)


@dataclass(frozen=True)
class LateCommit:
    team: str
    view: SubmissionView
    late_sha: str
    late_at: datetime | None


@dataclass(frozen=True)
class BatchResult:
    """What a retry or re-verification run did."""

    done: list[tuple[TeamRef | None, Result]] = field(default_factory=list)
    late: list[LateCommit] = field(default_factory=list)
    token_alert: bool = False
    still_pending: int = 0


def context_for(config: Config, links: dict[str, str | None]) -> Context:
    return Context(
        settings=config.submissions,
        organization=config.event.hub_organization,
        deadline=config.event.submission_deadline,
        team_dataset=links.get("dataset"),
        team_model=links.get("model"),
    )


def needs_card_text(config: Config, kind: str) -> bool:
    """Whether a check reads the card's text (one more Hub request): `card_length`, when it
    runs and asks for at least one character."""
    rules = config.submissions
    return rules.min_card_chars > 0 and "card_length" in rules.checks_for(kind)


def closed_error(config: Config, now: datetime) -> Conflict | None:
    """After the deadline a submission is refused, saying by how much it was late."""
    deadline = config.event.submission_deadline
    if now <= deadline:
        return None
    return Conflict(
        "submissions.errors.closed", late=late_message(int((now - deadline).total_seconds()))
    )


async def _read(
    hub: HubClient, ref: RepoRef, config: Config
) -> tuple[RepoFacts | None, str | None]:
    try:
        facts = await gather(
            hub,
            ref,
            deadline=config.event.submission_deadline,
            data_formats=tuple(config.submissions.data_formats),
            card_text=needs_card_text(config, ref.kind),
        )
    except HubError as exc:
        return None, exc.kind
    return facts, None


def _verified(facts: RepoFacts, ctx: Context) -> Verified:
    return Verified(sha=facts.sha, committed_at=facts.committed_at, checklist=evaluate(facts, ctx))


async def submit(
    db: Database,
    hub: HubClient,
    config: Config,
    *,
    user_id: int,
    refs: Sequence[RepoRef],
    now: datetime,
) -> SubmitResult:
    """Verify and store ``refs`` (at most one per kind) for the member's team."""
    closed = closed_error(config, now)
    if closed is not None:
        raise closed
    async with db.read() as session:
        team, current = await store.team_and_current(session, user_id)
    links: dict[str, str | None] = {k: v.repo_id for k, v in current.items()}
    links.update({ref.kind: ref.repo_id for ref in refs})
    ctx = context_for(config, links)
    ordered = sorted(refs, key=lambda r: ORDER.index(r.kind))
    found = await asyncio.gather(*(_read(hub, ref, config) for ref in ordered))
    # Checked before the transaction: the write holds the database for as short as it can.
    read = [
        (ref, _verified(facts, ctx) if facts is not None else None, problem)
        for ref, (facts, problem) in zip(ordered, found, strict=True)
    ]
    retry_at = now + config.submissions.retry_every
    # No current deliverable of these kinds when read: nothing to retire, one INSERT each.
    fresh = not any(ref.kind in current for ref in refs)

    async def write(session: AsyncSession, retire: bool) -> tuple[list[Result], bool]:
        results = []
        for ref, verified, problem in read:
            view = await store.record(
                session,
                team_id=team.id,
                user_id=user_id,
                ref=ref,
                verified=verified,
                now=now,
                retry_at=retry_at,
                retire=retire,
            )
            results.append(Result(view, problem))
        alert = False
        if any(problem == "unauthorized" for _, _, problem in read):
            alert = await store.claim_token_alert(session, now)
        return results, alert

    try:
        results, alert = await db.write(lambda session: write(session, retire=not fresh))
    except IntegrityError:
        if not fresh:
            raise
        # Another submission of the team stored one of these kinds since the read (the index
        # of current deliverables refused a second): retire it, as any resubmission does.
        log.info("submission of team %s crossed another one; storing it again", team.id)
        results, alert = await db.write(lambda session: write(session, retire=True))
    changed = {ref.kind for ref in refs}
    dependents = [
        view
        for kind, view in current.items()
        if kind not in changed
        and view.status != PENDING
        and any(d in changed for d in DEPENDS_ON.get(kind, ()))
    ]
    updated: list[Result] = []
    if dependents:
        batch = await _verify_batch(
            db,
            hub,
            config,
            now,
            rows=dependents,
            teams={team.id: team},
            links={team.id: links},
            retrying=True,
        )
        updated = [result for _, result in batch.done]
    return SubmitResult(team=team, results=results, token_alert=alert, updated=updated)


async def _links(session: AsyncSession, team_id: int) -> dict[str, str | None]:
    return {k: v.repo_id for k, v in (await store.current_of(session, team_id)).items()}


async def retry_pending(db: Database, hub: HubClient, config: Config, now: datetime) -> BatchResult:
    """Verify again every pending submission whose retry is due; each result is stored marked
    to post (``store.results_to_post``) until the job has posted it."""
    async with db.read() as session:
        due = await store.pending_due(session, now)
        teams = {v.team_id: await _team(session, v.team_id) for v in due}
        links = {v.team_id: await _links(session, v.team_id) for v in due}
    return await _verify_batch(
        db, hub, config, now, rows=due, teams=teams, links=links, retrying=True, to_post=True
    )


async def reverify(
    db: Database, hub: HubClient, config: Config, now: datetime, team_id: int | None = None
) -> BatchResult:
    """Verify every current submission again (of one team, or all). After the deadline the
    pinned commit stays the newest one at or before it; a newer commit is reported as late."""
    async with db.read() as session:
        rows = await store.all_current(session, team_id, verified_only=False)
        teams = {v.team_id: await _team(session, v.team_id) for v in rows}
        links = {v.team_id: await _links(session, v.team_id) for v in rows}
    return await _verify_batch(
        db, hub, config, now, rows=rows, teams=teams, links=links, retrying=False
    )


async def _team(session: AsyncSession, team_id: int) -> TeamRef | None:
    team = await session.get(Team, team_id)
    return None if team is None else TeamRef(team.id, team.name, team.thread_id)


async def _verify_batch(
    db: Database,
    hub: HubClient,
    config: Config,
    now: datetime,
    *,
    rows: list[SubmissionView],
    teams: dict[int, TeamRef | None],
    links: dict[int, dict[str, str | None]],
    retrying: bool,
    to_post: bool = False,
) -> BatchResult:
    batch = BatchResult()
    unauthorized = False
    retry_at = now + config.submissions.retry_every
    readings: list[tuple[SubmissionView, RepoFacts | None, str | None]] = []
    for start in range(0, len(rows), BATCH_READS):
        left = hub.budget_left()
        if not retrying and left is not None and left < hub.budget_limit() * BUDGET_SHARE:
            # Re-verification never takes the budget members need for /submit: the rest
            # waits for the next run.
            break
        chunk = rows[start : start + BATCH_READS]
        found = await asyncio.gather(*(_read(hub, view.ref, config) for view in chunk))
        readings += [
            (view, facts, problem) for view, (facts, problem) in zip(chunk, found, strict=True)
        ]
    for view, facts, problem in readings:
        team = teams.get(view.team_id)
        if facts is None:
            unauthorized = unauthorized or problem == "unauthorized"
            if view.status == PENDING:

                async def later(session: AsyncSession, v: SubmissionView = view) -> None:
                    await store.postpone(session, v.id, retry_at)

                await db.write(later)
                batch = _add_pending(batch)
            continue
        verified = _verified(facts, context_for(config, links.get(view.team_id, {})))
        late_sha = facts.late_sha

        async def write(
            session: AsyncSession,
            v: SubmissionView = view,
            ver: Verified = verified,
            late: str | None = late_sha,
        ) -> tuple[SubmissionView | None, bool]:
            stored = await store.store_result(session, v.id, ver, now, to_post=to_post)
            claimed = False
            if stored is not None and late is not None:
                claimed = await store.claim_late(session, v.id, late)
            return stored, claimed

        stored, claimed = await db.write(write)
        if stored is None:
            continue
        if retrying or stored.status != view.status or stored.sha != view.sha:
            batch.done.append((team, Result(stored)))
        if claimed and late_sha is not None:
            batch.late.append(
                LateCommit(team.name if team else "?", stored, late_sha, facts.late_at)
            )
    if unauthorized:
        batch = BatchResult(
            batch.done,
            batch.late,
            await db.write(lambda s: store.claim_token_alert(s, now)),
            batch.still_pending,
        )
    return batch


def _add_pending(batch: BatchResult) -> BatchResult:
    return BatchResult(batch.done, batch.late, batch.token_alert, batch.still_pending + 1)
