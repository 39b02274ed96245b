"""A board as files anyone can read outside Discord: ``<board>.csv`` and ``<board>.json``, as
committed to the organization's Hub dataset (``leaderboard.publish_repo``)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from bot.services.leaderboard.boards import Board
from bot.text import clean

# A cell starting with one of these is a formula to a spreadsheet: written with a quote first.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = clean(value)
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value


def rows_of(board: Board) -> list[dict[str, Any]]:
    rows = []
    for row in board.rows:
        item: dict[str, Any] = {"place": row.place, "key": row.entry.key, "name": row.entry.name}
        item.update(row.entry.detail)
        rows.append(item)
    return rows


def board_files(board: Board, scheduled_for: datetime) -> dict[str, bytes]:
    """``{"<board>.csv": ..., "<board>.json": ...}``: every entry, pending ones without a place."""
    rows = rows_of(board)
    columns: list[str] = ["place", "key", "name"]
    for row in rows:
        columns += [key for key in row if key not in columns]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row.get(key)) for key in columns})
    document = {
        "board": board.kind,
        "scheduled_for": scheduled_for.isoformat(),
        "entries": [{key: row.get(key) for key in columns} for row in rows],
    }
    return {
        f"{board.kind}.csv": text.getvalue().encode("utf-8"),
        f"{board.kind}.json": json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"),
    }
