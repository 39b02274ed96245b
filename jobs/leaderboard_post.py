"""Posts each enabled board to the leaderboard channel at the times its cron gives.

Exactly once per board and scheduled time: the job claims the ``(board, time)`` row in one
short transaction (unique in the database) before computing anything, so a restart or a second
bot process on the same database finds it taken. Then, outside any transaction: the Hub figures,
the chart, and the post, which edits the board's previous message when that one is younger than
``edit_within`` (Discord caps edits of older messages) and is a fresh message otherwise. A Hub
outage skips that post and alerts the organizers instead of posting a wrong board.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clients.hub import HubClient, HubError
from bot.i18n import Message, catalogs
from bot.services.leaderboard import posts
from bot.services.leaderboard.boards import Board
from bot.services.leaderboard.card import Card, make_card
from bot.services.leaderboard.compute import compute
from bot.services.leaderboard.publish import board_files
from bot.settings import Settings
from jobs.base import Job
from jobs.context import JobContext

log = logging.getLogger(__name__)

JOB_ID = "leaderboard_post"
CHANNEL = "leaderboard"


@runtime_checkable
class CardNotifier(Protocol):
    """What the job needs beyond plain messages: post and edit a card (embed and chart)."""

    async def post_card(self, channel_key: str, card: Card, /) -> tuple[int, int] | None: ...

    async def edit_card(self, channel_id: int, message_id: int, card: Card, /) -> bool: ...


def hub_client(settings: Settings) -> HubClient:
    """The Hub adapter as the bot builds it (one per run: it lives on the running loop)."""
    submissions = settings.config.submissions
    return HubClient(
        submissions.hub_endpoint,
        settings.secrets.hf_token,
        max_concurrency=submissions.hub_concurrency,
        timeout=submissions.hub_timeout.total_seconds(),
    )


def board_name(board: str) -> Message:
    return Message(f"leaderboard.board.{board}")


async def post_board(
    ctx: JobContext, notifier: CardNotifier, hub: HubClient, board: str, when: datetime
) -> bool:
    """Compute, post (or edit) and record ``board`` for ``when``, already claimed."""
    config = ctx.settings.config
    settings = config.leaderboard
    try:
        ranked = await compute(ctx.db, board, settings, hub)
    except HubError as exc:
        kind = exc.kind
        log.warning("leaderboard %s skipped: Hub %s", board, kind)
        await ctx.db.write(lambda s: posts.record_skipped(s, board, when, f"hub_{kind}"))
        await ctx.notifier.post(
            "organizers",
            Message("leaderboard.alerts.hub_down", board=board_name(board), error=kind),
        )
        return False
    async with ctx.db.read() as session:
        previous = await posts.previous_post(session, board)
    card = await make_card(
        ranked,
        catalogs(),
        config.event.default_locale,
        settings.top_n,
        previous.places if previous is not None else None,
    )
    now = ctx.clock.now()
    where: tuple[int, int] | None = None
    message_at = now
    if posts.should_edit(previous, now, settings.edit_within):
        assert previous is not None and previous.channel_id and previous.message_id
        if await notifier.edit_card(previous.channel_id, previous.message_id, card):
            where = (previous.channel_id, previous.message_id)
            message_at = previous.message_at or now
    if where is None:
        where = await notifier.post_card(CHANNEL, card)
    if where is None:
        await ctx.db.write(lambda s: posts.record_skipped(s, board, when, "discord_refused"))
        await ctx.notifier.post(
            "organizers", Message("leaderboard.alerts.discord_refused", board=board_name(board))
        )
        return False
    channel_id, message_id = where
    places = ranked.places()
    await ctx.db.write(
        lambda s: posts.record_posted(
            s,
            board,
            when,
            channel_id=channel_id,
            message_id=message_id,
            message_at=message_at,
            places=places,
            now=now,
        )
    )
    if settings.publish_repo:
        await publish(ctx, hub, settings.publish_repo, ranked, when)
    return True


async def publish(
    ctx: JobContext, hub: HubClient, repo: str, ranked: Board, when: datetime
) -> None:
    """Commit the posted board to the Hub dataset ``repo``. The Discord post stays whatever
    happens; a failure is recorded and told to the organizers."""
    files = board_files(ranked, when)
    message = f"{ranked.kind} leaderboard, {when:%Y-%m-%d %H:%M} UTC"
    try:
        await hub.create_repo(repo, "dataset", exist_ok=True)
        await hub.upload_files(repo, "dataset", files, message)
    except HubError as exc:
        kind = exc.kind
        log.warning("leaderboard %s not published to %s: Hub %s", ranked.kind, repo, kind)
        await ctx.db.write(lambda s: posts.record_published(s, ranked.kind, when, "failed"))
        await ctx.notifier.post(
            "organizers",
            Message(
                "leaderboard.alerts.publish_failed",
                board=board_name(ranked.kind),
                repo=repo,
                error=kind,
            ),
        )
        return
    await ctx.db.write(lambda s: posts.record_published(s, ranked.kind, when, "published"))


def claimer(board: str, when: datetime, now: datetime) -> Callable[[AsyncSession], Awaitable[bool]]:
    async def claim(session: AsyncSession) -> bool:
        return await posts.claim(session, board, when, now)

    return claim


async def run(ctx: JobContext) -> str | None:
    settings = ctx.settings.config.leaderboard
    now = ctx.clock.now()
    async with ctx.db.read() as session:
        due = await posts.due(session, settings, now)
    if not due:
        return None
    notifier = ctx.notifier
    if not isinstance(notifier, CardNotifier):
        log.error("the notifier cannot post leaderboard cards; %d board(s) not posted", len(due))
        return None
    # The bot's own adapter where there is one (its cache, budget and threads are shared): one
    # built per run would leave a pool of idle Hub threads behind every run in a long process.
    hub = ctx.hub if ctx.hub is not None else hub_client(ctx.settings)
    posted = skipped = 0
    for board, when in due:
        if not await ctx.db.write(claimer(board, when, now)):
            continue  # another process (or an earlier run) has it
        if await post_board(ctx, notifier, hub, board, when):
            posted += 1
        else:
            skipped += 1
    if skipped and not posted:
        return f"leaderboard.jobs.skipped|{skipped}"
    return f"leaderboard.jobs.posted|{posted}" if posted else None


async def next_due(ctx: JobContext) -> datetime | None:
    async with ctx.db.read() as session:
        return await posts.next_due(session, ctx.settings.config.leaderboard, ctx.clock.now())


async def backlog(ctx: JobContext) -> int:
    async with ctx.db.read() as session:
        return len(await posts.due(session, ctx.settings.config.leaderboard, ctx.clock.now()))


def make_job(settings: Settings) -> Job:
    return Job(
        id=JOB_ID,
        every=settings.config.scheduler.tick,
        run=run,
        next_due=next_due,
        backlog=backlog,
    )
