"""Computing a board: read the database in one short read, then ask the Hub (outside any
transaction), then rank."""

from __future__ import annotations

from bot.clients.hub import HubClient
from bot.db import Database
from bot.services.leaderboard.boards import (
    Board,
    countries_board,
    evaluation_board,
    likes_board,
    progress_board,
    rank,
    teams_with_submissions,
)
from bot.services.leaderboard.hub_data import StatsCache, evaluation_scores, repo_stats
from bot.settings.leaderboard import LeaderboardSettings


async def compute(
    db: Database,
    kind: str,
    settings: LeaderboardSettings,
    hub: HubClient,
    cache: StatsCache | None = None,
) -> Board:
    """The board ``kind`` as it stands; raises ``HubError`` when the Hub is unreachable."""
    if kind == "countries":
        async with db.read() as session:
            return await countries_board(session)
    async with db.read() as session:
        teams = await teams_with_submissions(session, all_teams=kind == "progress")
    if kind == "progress":
        return progress_board(teams)
    if kind == "likes":
        return likes_board(teams, await repo_stats(hub, teams, cache))
    if kind == "evaluation":
        if settings.results_dataset is None or not settings.tasks:
            return evaluation_board(teams, {})
        scores = await evaluation_scores(hub, settings.results_dataset, teams, settings.tasks)
        return evaluation_board(teams, scores)
    return rank(kind, [])
