from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.text import clean, fold, has_mention_or_link, is_invisible, neutralize


def test_clean_drops_invisible_and_folds_spaces() -> None:
    assert clean(" Los\u200b  Tigres\u202e\x07 ") == "Los Tigres"


def test_fold_ignores_case_accents_and_spacing() -> None:
    assert fold("Los  Tígres") == fold("los tigres") == fold("LOS TIGRES ")


def test_mentions_and_links_are_detected() -> None:
    for hostile in (
        "@everyone",
        "<@123>",
        "<@&9>",
        "<#5>",
        "[x](https://e.com)",
        "discord.gg/abc",
        "@here",
    ):
        assert has_mention_or_link(hostile), hostile
    assert not has_mention_or_link("Los Tigres 7B")


@given(st.text())
def test_neutralized_text_cannot_ping_or_format(raw: str) -> None:
    out = neutralize(raw)
    assert "@everyone" not in out and "@here" not in out
    assert "<@" not in out
    for mark in ("**", "__", "~~", "`"):
        assert mark not in out.replace("\\" + mark[0], "")


@given(st.text())
def test_clean_output_has_no_invisible_characters(raw: str) -> None:
    assert not any(is_invisible(ch) for ch in clean(raw))
