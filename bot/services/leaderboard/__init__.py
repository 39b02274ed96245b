"""Leaderboards: what each board ranks, how it looks, and when it is posted."""

from bot.services.leaderboard.boards import Board, Entry, Row, rank

__all__ = ["Board", "Entry", "Row", "rank"]
