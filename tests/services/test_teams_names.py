"""Team name validation: what is refused, with which key, and how names fold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import InvalidInput
from bot.services.teams import TeamRules, validate_team_name
from bot.text import has_mention_or_link, is_invisible
from tests.services import assert_key, rules_of

LIMITS = {"name_min_length": 3, "name_max_length": 32}


@pytest.fixture
def rules(settings) -> TeamRules:  # type: ignore[no-untyped-def]
    return rules_of(settings)


def test_accepts_and_cleans_spacing(rules: TeamRules) -> None:
    assert validate_team_name("  Los   Tígres ", rules) == ("Los Tígres", "los tigres")


def test_folding_makes_case_accents_and_spacing_equal(rules: TeamRules) -> None:
    _, first = validate_team_name("Los Tígres", rules)
    _, second = validate_team_name("los  tigres", rules)
    assert first == second


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("ab", "teams.errors.name_too_short"),
        ("x" * 33, "teams.errors.name_too_long"),
        ("Los\u200bTigres", "teams.errors.name_invisible"),
        ("Los\x07Tigres", "teams.errors.name_invisible"),
        ("Los Tigres\u202e", "teams.errors.name_invisible"),
        ("Ze\u0301\u0301\u0301ro", "teams.errors.name_invisible"),
        ("@everyone team", "teams.errors.name_mention"),
        ("team <@123456789>", "teams.errors.name_mention"),
        ("[click](https://x.y)", "teams.errors.name_mention"),
        ("see https://x.y", "teams.errors.name_mention"),
        ("**bold**", "teams.errors.name_markdown"),
        ("under_score", "teams.errors.name_markdown"),
        ("pipe||spoiler", "teams.errors.name_markdown"),
        ("> quote", "teams.errors.name_markdown"),
        ("# Heading", "teams.errors.name_markdown"),
        ("-# small", "teams.errors.name_markdown"),
        ("`code`", "teams.errors.name_markdown"),
        ("hi @ana", "teams.errors.name_markdown"),
        ("...", "teams.errors.name_no_letters"),
    ],
)
def test_refuses_with_a_specific_key(rules: TeamRules, raw: str, key: str) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_team_name(raw, rules)
    assert_key(info.value, key)


def test_length_counts_visible_characters(rules: TeamRules) -> None:
    decomposed = "e\u0301" * 32  # 32 visible characters written with combining accents
    display, _ = validate_team_name(decomposed, rules)
    assert len(display) == 32


def test_hash_inside_a_name_is_fine(rules: TeamRules) -> None:
    assert validate_team_name("Equipo #1", rules)[0] == "Equipo #1"


@given(st.text(max_size=60))
def test_no_accepted_name_hides_or_pings(raw: str) -> None:
    rules = TeamRules(
        min_size=1,
        max_size=5,
        invitation_ttl=timedelta(hours=48),
        team_deadline=datetime(2024, 3, 31, tzinfo=UTC),
        **LIMITS,
    )
    try:
        display, key = validate_team_name(raw, rules)
    except InvalidInput:
        return
    assert not any(is_invisible(ch) for ch in display)
    assert not has_mention_or_link(display)
    assert not set(display) & set("*_~`|>@<\\")
    assert not display.startswith(("#", "-"))
    assert display == display.strip()
    assert validate_team_name(display, rules) == (display, key)
