"""Property tests of the helpers that read what members type: whatever the text, each returns
a correct value or refuses with its own error (``InvalidInput`` in the services, ``ValueError``
for durations), never another exception; and what it keeps is clean.

Examples are bounded (a few hundred each) so the file runs in seconds; the hostile corpus
(tests/hostile/corpus.txt) is replayed through each helper as explicit examples.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.durations import parse_duration
from bot.errors import InvalidInput
from bot.services.announcements.drafts import clean_body, parse_when, render
from bot.services.mentors.times import parse_length, parse_local, zone
from bot.services.registration.addresses import normalize_email
from bot.services.registration.imports import hub_username, parse_rows
from bot.services.submissions.refs import MAX_REPO_ID, parse_ref
from bot.text import clean, fold, has_mention_or_link, is_invisible, neutralize
from tests.hostile import corpus, parse_line, unescape

BOUNDED = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2024, 3, 20, 10, 0, tzinfo=UTC)
MADRID = ZoneInfo("Europe/Madrid")
# Text with what hostile input is made of: any character, and the ones that matter most.
NASTY = st.sampled_from(
    list("@<>#&!:*_~`|[]()\\/.%-'\" \n\t\r\x00\u200b\u202e\u2066\ufeff\u3164ß²١")
)
TEXT = st.one_of(
    st.text(max_size=300),
    st.text(NASTY, max_size=60),
    st.lists(st.one_of(NASTY, st.characters()), max_size=80).map("".join),
    st.sampled_from(corpus()),
)


def each_corpus_input(test):  # type: ignore[no-untyped-def]
    """Run ``test`` on every corpus input as well (explicit examples, shown when they fail)."""
    for value in corpus():
        test = example(value)(test)
    return test


# -- the corpus file ---------------------------------------------------------------------------
def test_the_corpus_has_at_least_a_hundred_distinct_inputs() -> None:
    inputs = corpus()
    assert len(inputs) >= 100 and len(set(inputs)) == len(inputs)
    assert max(map(len, inputs)) >= 10_000
    assert any(any(is_invisible(ch) for ch in value) for value in inputs)


def test_corpus_escapes() -> None:
    assert unescape(r"a\u200bb\x00\n\\") == "a\u200bb\x00\n\\"
    assert parse_line("## a comment") is None and parse_line("##") is None
    assert parse_line(r"\x23# not a comment") == "## not a comment"
    assert parse_line("repeat(3) ab") == "ababab"


# -- bot/text.py -------------------------------------------------------------------------------
@BOUNDED
@given(TEXT)
@each_corpus_input
def test_clean_is_idempotent_and_visible(raw: str) -> None:
    once = clean(raw)
    assert clean(once) == once
    assert not any(is_invisible(ch) for ch in once)
    assert once == once.strip() and "\n" not in once


@BOUNDED
@given(TEXT)
@each_corpus_input
def test_fold_is_a_stable_key(raw: str) -> None:
    key = fold(raw)
    assert fold(key) == key
    assert fold(raw.upper()) == fold(raw.lower()) or not raw.isascii()


@BOUNDED
@given(TEXT)
@each_corpus_input
def test_neutralized_text_has_no_live_mention_or_invisible_character(raw: str) -> None:
    out = neutralize(raw)
    assert "@everyone" not in out and "@here" not in out
    assert re.search(r"(?<!\\)[<\[\]()]", out) is None  # no mention or link syntax unescaped
    assert not any(is_invisible(ch) and ch not in "\n\u200b" for ch in out)
    # Nothing typed is lost: only escapes and zero-width breaks are added.
    visible = "".join(ch for ch in raw if not is_invisible(ch) or ch == "\n")
    assert out.replace("@\u200b", "@").replace("\\", "") == visible.replace("\\", "")


@BOUNDED
@given(TEXT)
def test_a_text_with_a_mention_is_detected(raw: str) -> None:
    assert has_mention_or_link(f"{raw}@everyone")
    assert has_mention_or_link(f"<@123>{raw}")


# -- durations and times ----------------------------------------------------------------------
@BOUNDED
@given(TEXT)
@each_corpus_input
def test_a_duration_is_read_or_refused(raw: str) -> None:
    try:
        value = parse_duration(raw)
    except ValueError:
        return
    assert value >= timedelta(0)


@BOUNDED
@given(st.lists(st.tuples(st.integers(0, 10**25), st.sampled_from("smhdw")), max_size=4))
def test_durations_add_their_parts(parts: list[tuple[int, str]]) -> None:
    text = "".join(f"{n}{u}" for n, u in parts)
    seconds = sum(n * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[u] for n, u in parts)
    try:
        value = parse_duration(text)
    except ValueError:
        assert not parts or seconds > timedelta.max.total_seconds()
        return
    assert value == timedelta(seconds=seconds)


@BOUNDED
@given(TEXT)
@each_corpus_input
def test_a_session_length_is_read_or_refused(raw: str) -> None:
    maximum = timedelta(hours=2)
    try:
        value = parse_length(raw, timedelta(minutes=30), maximum)
    except InvalidInput:
        return
    assert timedelta(0) < value <= maximum


@BOUNDED
@given(TEXT)
@each_corpus_input
def test_a_time_zone_is_found_or_refused(raw: str) -> None:
    try:
        found = zone(raw)
    except InvalidInput as error:
        assert error.key == "mentors.errors.unknown_timezone"
        return
    assert isinstance(found, ZoneInfo)


@BOUNDED
@given(
    st.one_of(
        TEXT,
        st.builds(
            "{:04d}-{:02d}-{:02d} {:02d}:{:02d}".format,
            st.integers(0, 9999),
            st.integers(0, 13),
            st.integers(0, 32),
            st.integers(0, 25),
            st.integers(0, 60),
        ),
    ),
    st.sampled_from(["UTC", "Europe/Madrid", "America/Bogota", "Pacific/Kiritimati", "Etc/GMT+12"]),
)
@example("0001-01-01 00:00", "Europe/Madrid")
@example("9999-12-31 23:59", "America/Bogota")
def test_a_local_time_is_read_or_refused(raw: str, zone_name: str) -> None:
    try:
        when = parse_local(raw, ZoneInfo(zone_name))
    except InvalidInput:
        return
    assert when.tzinfo is UTC


@BOUNDED
@given(TEXT, st.one_of(TEXT, st.sampled_from(["Europe/Madrid", "America/Lima", "UTC"])))
@example("0001-01-01 00:00", "Europe/Madrid")
@example("9999-12-31 23:59", "America/Lima")
@example("2025-01-01 10:00", "a" * 300)
def test_an_announcement_time_is_read_or_refused(raw: str, zone_name: str) -> None:
    try:
        when = parse_when(raw, zone_name, NOW)
    except InvalidInput:
        return
    assert when > NOW


# -- announcements ----------------------------------------------------------------------------
@BOUNDED
@given(TEXT)
@each_corpus_input
def test_announcement_text_pings_nobody(raw: str) -> None:
    body = clean_body(raw)
    assert re.search(r"@(everyone|here)", body) is None
    assert not any(is_invisible(ch) for ch in body.replace("@\u200b", "@"))
    shown = render(raw, raw)  # the title is escaped when shown
    assert re.search(r"(?<!\\)@(everyone|here)", shown) is None


# -- Hub repo references ----------------------------------------------------------------------
@BOUNDED
@given(st.sampled_from(["dataset", "model", "space"]), TEXT)
@example("model", "https://huggingface.co.evil.example/ana/model")
@example("model", "https://user:pass@huggingface.co/ana/model")
@example("dataset", "https://huggingface.co/datasets/../../api/whoami")
def test_a_repo_reference_is_a_hub_id_or_refused(kind: str, raw: str) -> None:
    try:
        ref = parse_ref(kind, raw)
    except InvalidInput as error:
        assert error.key.startswith("submissions.errors.")
        return
    owner, name = ref.repo_id.split("/")
    assert ref.kind == kind and ref.repo_id.isascii()
    assert ".." not in ref.repo_id and len(name) <= MAX_REPO_ID and len(owner) <= MAX_REPO_ID
    assert all(ch.isalnum() or ch in "._-" for ch in owner + name)


@BOUNDED
@given(st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9]|[_-][A-Za-z0-9]){0,12}", fullmatch=True))
def test_a_plain_repo_id_is_kept(name: str) -> None:
    assert parse_ref("model", f"ana/{name}").repo_id == f"ana/{name}"
    url = f"https://huggingface.co/datasets/ana/{name}"
    assert parse_ref("dataset", url).repo_id == f"ana/{name}"


# -- sign-up lists -----------------------------------------------------------------------------
CSV_CELL = st.one_of(TEXT, st.emails(), st.sampled_from(["", "ES", "=1+1", '"a,b"', "ana"]))


@BOUNDED
@given(st.lists(st.lists(CSV_CELL, min_size=1, max_size=5), max_size=6), st.sampled_from(",;\t"))
def test_a_sign_up_list_is_read_or_refused(rows: list[list[str]], sep: str) -> None:
    text = "email,name,country,hub_user\n" + "\n".join(sep.join(row) for row in rows)
    try:
        fmt, parsed = parse_rows(text)
    except InvalidInput as error:
        assert error.key.startswith("registration.errors.")
        return
    assert fmt in ("plain", "eventbrite")
    for row in parsed:
        assert isinstance(row.email, str) and row.line >= 1


@BOUNDED
@given(TEXT)
@each_corpus_input
def test_a_sign_up_file_of_any_text_is_read_or_refused(raw: str) -> None:
    try:
        parse_rows(raw)
    except InvalidInput as error:
        assert error.key.startswith("registration.errors.")


@BOUNDED
@given(st.one_of(TEXT, st.emails()))
@each_corpus_input
def test_an_address_is_normalized_or_refused(raw: str) -> None:
    value = normalize_email(raw)
    if value is not None:
        assert value == value.casefold() == value.strip()
        assert normalize_email(value) == value
        assert unicodedata.normalize("NFKC", value) == value


@BOUNDED
@given(TEXT)
@each_corpus_input
def test_a_hub_user_is_a_plain_name_or_nothing(raw: str) -> None:
    value = hub_username(raw)
    if value is not None:
        assert value.isascii() and "/" not in value and "@" not in value
        assert not has_mention_or_link(value)
