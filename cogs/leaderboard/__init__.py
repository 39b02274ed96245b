"""Leaderboards: `/leaderboard [board]` shows a board on demand (the scheduled posts are the
`leaderboard_post` job)."""
