"""A board as people see it: an embed's texts (within Discord's limits whatever the number of
entries) and its chart. Plain values, no Discord: the notifier and the command turn a
:class:`Card` into a message."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal, format_percent

from bot.i18n import Catalogs, language_of
from bot.services.leaderboard.boards import Board, Row
from bot.services.leaderboard.chart import Bar, ChartError, render_png
from bot.text import Safe, clean

log = logging.getLogger(__name__)
FILENAME = "leaderboard.png"
# Discord's embed limits (docs/platform-limits.md) and what a card keeps below them.
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_VALUE_MAX = 1024
TOTAL_MAX = 6000
NAME_MAX = 40  # characters of a name on a line, before escaping
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


@dataclass(frozen=True)
class Card:
    title: str
    description: str
    fields: tuple[tuple[str, str], ...] = ()
    footer: str = ""
    image: bytes | None = field(default=None, repr=False)
    filename: str = FILENAME

    def size(self) -> int:
        """Characters Discord counts towards the 6,000 of an embed."""
        return (
            len(self.title)
            + len(self.description)
            + len(self.footer)
            + sum(len(name) + len(value) for name, value in self.fields)
        )


def arrow(key: str, place: int, previous: Mapping[str, int] | None) -> str:
    """▲n / ▼n since the previous post, ＝ when unchanged, 🆕 for a newcomer; nothing on the
    first post of a board."""
    if previous is None:
        return ""
    before = previous.get(key)
    if before is None:
        return "🆕"
    if before > place:
        return f"▲{before - place}"
    if before < place:
        return f"▼{place - before}"
    return "＝"


def _short(name: str, limit: int = NAME_MAX) -> str:
    name = clean(name)
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def country_name(code: str, language: str) -> str:
    try:
        return str(Locale.parse(language).territories.get(code.upper(), code.upper()))
    except (UnknownLocaleError, ValueError):
        return code.upper()


def flag(code: str) -> str:
    code = code.upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        return ""
    return "".join(chr(0x1F1E6 + ord(ch) - ord("A")) for ch in code)


class CardMaker:
    """Texts of one board in one language."""

    def __init__(self, catalogs: Catalogs, locale: str) -> None:
        self.catalogs = catalogs
        self.locale = locale
        self.language = language_of(locale, catalogs.default)

    def t(self, key: str, /, **params: Any) -> str:
        return self.catalogs.t(self.locale, key, **params)

    def number(self, value: float, digits: int = 0) -> Safe:
        pattern = "#,##0" if digits == 0 else "#,##0." + "0" * digits
        return Safe(format_decimal(value, format=pattern, locale=self.language))

    def name(self, board: Board, row: Row) -> str:
        if board.kind == "countries":
            code = row.entry.name
            return f"{flag(code)} {country_name(code, self.language)}".strip()
        return row.entry.name

    def detail(self, board: Board, row: Row) -> str:
        d = row.entry.detail
        if board.kind == "likes":
            return self.t(
                "leaderboard.detail.likes",
                count=d["likes"],
                downloads=self.number(d["downloads"]),
            )
        if board.kind == "progress":
            return self.t(
                "leaderboard.detail.progress",
                count=d["total"],
                passed=self.number(d["passed"]),
                percent=Safe(format_percent(d["share"], locale=self.language)),
            )
        if board.kind == "evaluation":
            if d["score"] is None:
                return self.t("leaderboard.detail.pending", model=d["model"])
            return self.t(
                "leaderboard.detail.evaluation",
                model=d["model"],
                score=self.number(100 * d["score"], 2),
            )
        return self.t(
            "leaderboard.detail.countries",
            count=d["participants"],
            teams=self.number(d["teams"]),
        )

    def bar(self, board: Board, row: Row) -> Bar:
        d = row.entry.detail
        values = row.entry.values or (0.0,)
        if board.kind == "likes":
            text = f"{self.number(d['likes'])} ♥"
        elif board.kind == "progress":
            text = format_percent(d["share"], locale=self.language)
        elif board.kind == "evaluation":
            text = self.number(100 * (d["score"] or 0.0), 2)
        else:
            text = self.number(d["participants"])
        label = (
            country_name(row.entry.name, self.language)
            if board.kind == "countries"
            else row.entry.name
        )
        return Bar(f"{row.place}. {label}", values[0], text)

    def line(self, board: Board, row: Row, previous: Mapping[str, int] | None) -> str:
        assert row.place is not None
        return self.t(
            "leaderboard.line",
            medal=Safe(MEDALS.get(row.place, "▫️")),
            place=row.place,
            name=_short(self.name(board, row)),
            detail=Safe(self.detail(board, row)),
            arrow=Safe(arrow(row.entry.key, row.place, previous)),
        ).rstrip()

    def texts(
        self, board: Board, top_n: int, previous: Mapping[str, int] | None
    ) -> tuple[str, str, tuple[tuple[str, str], ...], str]:
        title = self.t(f"leaderboard.title.{board.kind}")[:TITLE_MAX]
        ranked = board.ranked
        pending = [row for row in board.rows if row.place is None]
        if not board.rows:
            return title, self.t(f"leaderboard.empty.{board.kind}"), (), ""
        lines: list[str] = []
        for row in ranked[:top_n]:
            line = self.line(board, row, previous)
            if sum(len(x) + 1 for x in lines) + len(line) > DESCRIPTION_MAX - 200:
                break
            lines.append(line)
        fields: list[tuple[str, str]] = []
        rest = ranked[len(lines) :]
        if rest:
            fields.append(
                (
                    self.t("leaderboard.rest.name"),
                    self.t(
                        "leaderboard.rest.value",
                        count=len(rest),
                        first=rest[0].place,
                        last=rest[-1].place,
                    )[:FIELD_VALUE_MAX],
                )
            )
        if pending:
            names = ", ".join(_short(row.entry.name, 30) for row in pending[:5])
            fields.append(
                (
                    self.t("leaderboard.pending.name"),
                    self.t(
                        "leaderboard.pending.value",
                        count=len(pending),
                        names=names,
                    )[:FIELD_VALUE_MAX],
                )
            )
        if not ranked:
            lines.append(self.t("leaderboard.pending.none_ranked"))
        footer = self.t(f"leaderboard.footer.{board.kind}", count=len(board.rows))
        return title, "\n".join(lines), tuple(fields), footer

    def bars(self, board: Board, top_n: int) -> list[Bar]:
        return [self.bar(board, row) for row in board.ranked[:top_n]]


async def make_card(
    board: Board,
    catalogs: Catalogs,
    locale: str,
    top_n: int,
    previous: Mapping[str, int] | None,
) -> Card:
    maker = CardMaker(catalogs, locale)
    title, description, fields, footer = maker.texts(board, top_n, previous)
    try:
        image: bytes | None = await render_png(
            title, maker.bars(board, top_n), maker.t(f"leaderboard.empty.{board.kind}")
        )
    except ChartError:  # the board is all in the text: it goes out without its picture
        log.warning("the %s board's chart could not be drawn", board.kind, exc_info=True)
        image = None
    card = Card(title, description, fields, footer, image)
    excess = card.size() - TOTAL_MAX
    if excess > 0:  # not reached with the catalogs' texts; a guard against a long translation
        cut = description[: max(len(description) - excess - 1, 0)].rsplit("\n", 1)[0]
        card = Card(title, cut, fields, footer, image)
    return card
