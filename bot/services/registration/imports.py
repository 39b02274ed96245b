"""Importing the sign-up lists: an Eventbrite attendee export or a plain list from a form.

Columns are found by their header name (Spanish or English Eventbrite exports, custom questions
"country" and "Hugging Face user" when present); a file without a header row is a plain
``email[,name,country,hub_user]`` list. Re-importing updates rows, never duplicates them: the
row of an address is found by its keyed hash. Every line of the file gets an outcome in the
report (added, updated, unchanged, skipped and why), named by its line number only: the report
never repeats an address.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput
from bot.models.registration import (
    HUB_USER_LENGTH,
    NAME_LENGTH,
    ROLES,
    TICKET_LENGTH,
    Registration,
)
from bot.services.registration.addresses import RegistrationKey, email_hash
from bot.services.registration.countries import country_code
from bot.text import clean, fold, has_mention_or_link

Outcome = Literal["added", "updated", "unchanged", "skipped"]
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
LOOKUP_CHUNK = 500
# Header names (folded: case, accents and spacing ignored) of each column.
HEADERS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e-mail", "correo", "correo electronico", "email address", "mail"),
    "first_name": ("first name", "nombre", "first_name"),
    "last_name": ("last name", "apellidos", "apellido", "last_name"),
    "name": ("name", "full name", "nombre completo", "nombre y apellidos"),
    "ticket_type": ("ticket type", "tipo de entrada", "tipo de ticket", "ticket", "entrada"),
    "country": ("country", "pais", "pais de residencia", "country of residence"),
    "hub_user": (
        "hugging face user",
        "hugging face username",
        "hub user",
        "hub_user",
        "usuario de hugging face",
        "usuario en hugging face",
        "hf user",
        "hf username",
    ),
}
PLAIN_COLUMNS = ("email", "name", "country", "hub_user")
_HUB_USER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
_HUB_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?(?:hf\.co|huggingface\.co)/", re.I)


@dataclass(frozen=True)
class Row:
    """One line of a sign-up list, as read (before any rule)."""

    line: int
    email: str
    name: str | None = None
    country: str | None = None
    hub_user: str | None = None
    ticket_type: str | None = None


@dataclass(frozen=True)
class LineReport:
    """What happened to one line; ``reason`` is a catalog key (``registration.import.*``)."""

    line: int
    outcome: Outcome
    reason: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportReport:
    role: str
    lines: list[LineReport]
    fmt: str  # "eventbrite" or "plain"

    def count(self, outcome: Outcome) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def added(self) -> int:
        return self.count("added")

    @property
    def updated(self) -> int:
        return self.count("updated")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def skipped(self) -> int:
        return self.count("skipped")


def decode(data: bytes) -> str:
    """The text of an uploaded list: UTF-8 (with or without a byte order mark), else the
    Windows code page spreadsheets save in."""
    if len(data) > MAX_BYTES:
        raise InvalidInput("registration.errors.file_too_big", count=MAX_BYTES // (1024 * 1024))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


# Words that name a column inside a longer header (a form's question: "¿De qué país eres?",
# "Dirección de correo electrónico"), used when no header is exactly one of ``HEADERS``.
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "email": ("correo", "email", "e-mail"),
    "country": ("pais", "country"),
    "hub_user": ("hugging face", "huggingface"),
    "ticket_type": ("ticket type", "tipo de entrada"),
}


def _columns(header: Sequence[str]) -> dict[str, int]:
    folded = [fold(cell) for cell in header]
    found: dict[str, int] = {}
    for column, names in HEADERS.items():
        for index, cell in enumerate(folded):
            if cell in names:
                found[column] = index
                break
    taken = set(found.values())
    for column, words in HEADER_WORDS.items():
        if column in found:
            continue
        for index, cell in enumerate(folded):
            if index not in taken and any(word in cell for word in words):
                found[column] = index
                taken.add(index)
                break
    return found


def parse_rows(text: str) -> tuple[str, list[Row]]:
    """("eventbrite" | "plain", rows) of a sign-up list; line numbers are the file's."""
    # Universal newlines: a lone "\r" (old spreadsheets) ends a line instead of breaking csv.
    reader = csv.reader(io.StringIO(text, newline=None), _dialect(text))
    try:
        records = [(reader.line_num, record) for record in reader]
    except csv.Error:  # a field beyond csv's size limit, a stray quote in a strict dialect
        raise InvalidInput("registration.errors.not_csv") from None
    records = [(line, record) for line, record in records if any(cell.strip() for cell in record)]
    if len(records) > MAX_ROWS + 1:
        raise InvalidInput("registration.errors.too_many_rows", count=MAX_ROWS)
    if not records:
        return "plain", []
    columns = _columns(records[0][1])
    if "email" in columns:
        fmt = "eventbrite" if "ticket_type" in columns else "plain"
        body = records[1:]
    else:
        if columns and "@" not in "".join(records[0][1]):
            raise InvalidInput("registration.errors.no_email_column")
        columns = {name: index for index, name in enumerate(PLAIN_COLUMNS)}
        fmt, body = "plain", records

    def cell(record: list[str], column: str) -> str | None:
        index = columns.get(column)
        if index is None or index >= len(record):
            return None
        value = record[index].strip()
        return value or None

    rows = []
    for line, record in body:
        name = cell(record, "name")
        if name is None:
            parts = [cell(record, "first_name"), cell(record, "last_name")]
            name = " ".join(part for part in parts if part) or None
        rows.append(
            Row(
                line=line,
                email=cell(record, "email") or "",
                name=name,
                country=cell(record, "country"),
                hub_user=cell(record, "hub_user"),
                ticket_type=cell(record, "ticket_type"),
            )
        )
    return fmt, rows


def hub_username(text: str | None) -> str | None:
    """A Hub user name from what a form holds (``ana``, ``@ana``, ``https://hf.co/ana``), or
    None when it cannot be one."""
    if not text:
        return None
    value = _HUB_PREFIX.sub("", clean(text)).strip().lstrip("@").rstrip("/")
    if not value or len(value) > HUB_USER_LENGTH or not _HUB_USER.match(value):
        return None
    return value


def display_name(text: str | None) -> str | None:
    """A name safe to keep and show: no control characters, no mention or link."""
    if not text:
        return None
    value = clean(text)[:NAME_LENGTH].strip()
    if not value or has_mention_or_link(value):
        return None
    return value


@dataclass(frozen=True)
class _Values:
    email_hash: str
    name: str | None
    country: str | None
    hub_user: str | None
    ticket_type: str | None


def _check(
    row: Row, key: RegistrationKey, role: str, ticket_types: Iterable[str], fmt: str
) -> tuple[_Values | None, LineReport | None, list[str]]:
    """The values of a valid line, or the line's refusal; plus notes on what was dropped."""
    hashed = email_hash(key, row.email)
    if hashed is None:
        reason = "bad_email" if row.email else "no_email"
        return None, LineReport(row.line, "skipped", f"registration.import.{reason}"), []
    wanted = {fold(ticket) for ticket in ticket_types}
    if role == "participant" and fmt == "eventbrite" and fold(row.ticket_type or "") not in wanted:
        ticket = clean(row.ticket_type or "")[:TICKET_LENGTH]
        return (
            None,
            LineReport(row.line, "skipped", "registration.import.other_ticket", {"ticket": ticket}),
            [],
        )
    notes = []
    country = country_code(row.country)
    if row.country and country is None:
        notes.append("registration.import.note_country")
    hub_user = hub_username(row.hub_user)
    if row.hub_user and hub_user is None:
        notes.append("registration.import.note_hub_user")
    name = display_name(row.name)
    if row.name and name is None:
        notes.append("registration.import.note_name")
    ticket_type = clean(row.ticket_type)[:TICKET_LENGTH] if row.ticket_type else None
    return _Values(hashed, name, country, hub_user, ticket_type), None, notes


@dataclass(frozen=True)
class PreparedImport:
    """A list checked line by line, hashes computed: all the work that needs no database, done
    before the write transaction so that it holds the database for the writes only."""

    role: str
    fmt: str
    checked: list[tuple[Row, _Values | None, LineReport | None, list[str]]]


def prepare_rows(
    key: RegistrationKey,
    rows: Sequence[Row],
    *,
    role: str,
    ticket_types: Iterable[str],
    fmt: str,
) -> PreparedImport:
    if role not in ROLES:
        raise InvalidInput("registration.errors.bad_role", role=role)
    ticket_types = list(ticket_types)
    checked = []
    for row in rows:
        values, refusal, notes = _check(row, key, role, ticket_types, fmt)
        checked.append((row, values, refusal, notes))
    return PreparedImport(role=role, fmt=fmt, checked=checked)


def prepare_text(
    key: RegistrationKey, text: str, *, role: str, ticket_types: Iterable[str]
) -> PreparedImport:
    """Parse and check a CSV (no database)."""
    fmt, rows = parse_rows(text)
    return prepare_rows(key, rows, role=role, ticket_types=ticket_types, fmt=fmt)


async def import_rows(
    session: AsyncSession,
    key: RegistrationKey,
    rows: Sequence[Row],
    *,
    role: str,
    ticket_types: Iterable[str],
    fmt: str,
    now: datetime,
) -> ImportReport:
    """Check ``rows`` and store them (in the caller's transaction)."""
    prepared = prepare_rows(key, rows, role=role, ticket_types=ticket_types, fmt=fmt)
    return await store(session, prepared, now)


async def store(session: AsyncSession, prepared: PreparedImport, now: datetime) -> ImportReport:
    """Add or update one registration per valid line (in the caller's transaction)."""
    role, fmt, checked = prepared.role, prepared.fmt, prepared.checked
    hashes = sorted({values.email_hash for _, values, _, _ in checked if values is not None})
    existing: dict[str, Registration] = {}
    for start in range(0, len(hashes), LOOKUP_CHUNK):
        chunk = hashes[start : start + LOOKUP_CHUNK]
        found = await session.scalars(
            select(Registration).where(Registration.email_hash.in_(chunk))
        )
        existing.update({registration.email_hash: registration for registration in found})
    seen: dict[str, int] = {}
    lines: list[LineReport] = []
    added: list[dict[str, Any]] = []
    for row, values, refusal, notes in checked:
        if values is None:
            assert refusal is not None
            lines.append(refusal)
            continue
        first = seen.get(values.email_hash)
        if first is not None:
            lines.append(
                LineReport(row.line, "skipped", "registration.import.duplicate", {"first": first})
            )
            continue
        seen[values.email_hash] = row.line
        registration = existing.get(values.email_hash)
        params = {"notes": notes} if notes else {}
        if registration is None:
            added.append(
                {
                    "email_hash": values.email_hash,
                    "participant": role == "participant",
                    "mentor": role == "mentor",
                    "name": values.name,
                    "country": values.country,
                    "hub_user": values.hub_user,
                    "ticket_type": values.ticket_type,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            lines.append(LineReport(row.line, "added", None, params))
            continue
        changed = _update(registration, values, role)
        if changed:
            registration.updated_at = now
        lines.append(LineReport(row.line, "updated" if changed else "unchanged", None, params))
    await session.flush()
    if added:  # one multi-row insert, not one statement per row
        await session.execute(insert(Registration), added)
    return ImportReport(role=role, lines=lines, fmt=fmt)


def _update(registration: Registration, values: _Values, role: str) -> bool:
    """Apply what the list says now; True when anything changed. A value the list leaves
    empty keeps what an earlier import said."""
    changed = False
    if not getattr(registration, role):
        setattr(registration, role, True)
        changed = True
    for column in ("name", "country", "hub_user", "ticket_type"):
        value = getattr(values, column)
        if value is not None and getattr(registration, column) != value:
            setattr(registration, column, value)
            changed = True
    return changed


async def import_text(
    session: AsyncSession,
    key: RegistrationKey,
    text: str,
    *,
    role: str,
    ticket_types: Iterable[str],
    now: datetime,
) -> ImportReport:
    """Parse ``text`` (a CSV) and import it."""
    return await store(session, prepare_text(key, text, role=role, ticket_types=ticket_types), now)
