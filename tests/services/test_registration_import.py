"""Importing sign-up lists on a real database: a 500-row Eventbrite export with duplicates, bad
addresses and other ticket types; plain lists; re-import after edits; no address in clear."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.db import Database, sqlite_file
from bot.errors import InvalidInput
from bot.models.registration import Registration
from bot.services import registration
from bot.services.registration import ImportReport, parse_rows
from tests.conftest import server_url

KEY = registration.registration_key("a-test-secret-of-enough-length")
TICKETS = ["Hackathon + Talleres"]
HEADER = [
    "Order #",
    "First Name",
    "Last Name",
    "Email",
    "Ticket Type",
    "country",
    "Hugging Face user",
]


def export_500() -> str:
    """An Eventbrite export of 500 attendee rows: 440 valid participants, 20 repeats of earlier
    addresses (in another case), 20 bad addresses and 20 "Solo talleres" tickets."""
    rng = random.Random(7)
    countries = ["MX", "España", "Colombia", "Argentina", "Perú", "Chile", "US", "Atlantis"]
    rows = []
    for n in range(440):
        rows.append(
            [
                str(n),
                f"Nombre{n}",
                f"Apellido{n}",
                f"person{n}@example.org",
                TICKETS[0],
                rng.choice(countries),
                f"user-{n}" if n % 3 else "",
            ]
        )
    for n in range(20):
        rows.append([str(500 + n), "Dup", "Licate", f"PERSON{n}@Example.org", TICKETS[0], "", ""])
    for n in range(20):
        rows.append([str(600 + n), "Bad", "Mail", f"bad{n}.example.org", TICKETS[0], "", ""])
    for n in range(20):
        rows.append(
            [str(700 + n), "Taller", "Only", f"talleres{n}@example.org", "Solo talleres", "", ""]
        )
    rng.shuffle(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


async def run_import(
    db: Database, clock: ManualClock, text: str, role: str = "participant"
) -> ImportReport:
    now = clock.now()
    return await db.write(
        lambda session: registration.import_text(
            session, KEY, text, role=role, ticket_types=TICKETS, now=now
        )
    )


async def all_rows(db: Database) -> list[Registration]:
    async with db.read() as session:
        return list(await session.scalars(select(Registration).order_by(Registration.id)))


def reasons(report: ImportReport) -> dict[str, int]:
    found: dict[str, int] = {}
    for line in report.lines:
        if line.reason:
            name = line.reason.rsplit(".", 1)[-1]
            found[name] = found.get(name, 0) + 1
    return found


async def test_a_500_row_export_is_imported_line_by_line(db: Database, clock: ManualClock) -> None:
    text = export_500()
    report = await run_import(db, clock, text)
    assert report.fmt == "eventbrite"
    assert len(report.lines) == 500
    assert [line.line for line in report.lines] == list(range(2, 502))
    assert (report.added, report.updated, report.skipped) == (440, 0, 60)
    assert reasons(report) == {"duplicate": 20, "bad_email": 20, "other_ticket": 20}
    rows = await all_rows(db)
    assert len(rows) == 440
    assert all(row.participant and not row.mentor for row in rows)
    assert {row.country for row in rows} == {"MX", "ES", "CO", "AR", "PE", "CL", "US", None}
    unknown = [
        line
        for line in report.lines
        if "registration.import.note_country" in line.params.get("notes", [])
    ]
    assert unknown, "an unknown country is reported on its line"


async def test_reimporting_updates_and_never_duplicates(db: Database, clock: ManualClock) -> None:
    text = export_500()
    await run_import(db, clock, text)
    clock.advance(timedelta(days=1))
    again = await run_import(db, clock, text)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 440)
    edited = text.replace(",Nombre300,", ",Nombre Trescientos,")
    edited += "999,Nueva,Persona,nueva@example.org,Hackathon + Talleres,MX,nueva\n"
    third = await run_import(db, clock, edited)
    assert (third.added, third.updated, third.unchanged) == (1, 1, 439)
    rows = await all_rows(db)
    assert len(rows) == 441
    renamed = [row for row in rows if row.name == "Nombre Trescientos Apellido300"]
    assert len(renamed) == 1 and renamed[0].updated_at == clock.now()


async def test_a_plain_form_list_without_header(db: Database, clock: ManualClock) -> None:
    text = "mara@example.org,Mara Quispe,Perú,@mara\nluis@example.org\n\nno-at-all,Bad\n"
    report = await run_import(db, clock, text, role="mentor")
    assert report.fmt == "plain"
    assert [(line.line, line.outcome) for line in report.lines] == [
        (1, "added"),
        (2, "added"),
        (4, "skipped"),
    ]
    rows = await all_rows(db)
    assert [(row.name, row.country, row.hub_user, row.mentor) for row in rows] == [
        ("Mara Quispe", "PE", "mara", True),
        (None, None, None, True),
    ]


def test_semicolons_spanish_headers_and_a_byte_order_mark() -> None:
    data = (
        "\ufeffNombre;Apellidos;Correo electrónico;Tipo de entrada;País;Usuario de Hugging Face\n"
        "Ana;Pérez;ana@example.org;Hackathon + Talleres;México;https://huggingface.co/anaperez\n"
    ).encode()
    fmt, rows = parse_rows(registration.decode(data))
    assert fmt == "eventbrite"
    assert rows[0].email == "ana@example.org" and rows[0].name == "Ana Pérez"
    assert registration.country_code(rows[0].country) == "MX"


def test_a_header_without_an_email_column_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_rows("Name,Country\nAna,MX\n")
    assert caught.value.key == "registration.errors.no_email_column"


def test_hostile_names_are_not_kept() -> None:
    _, rows = parse_rows("a@example.org,@everyone <@123>\nb@example.org,\u202eevil\u200b name\n")
    assert registration.imports.display_name(rows[0].name) is None
    assert registration.imports.display_name(rows[1].name) == "evil name"


def test_the_key_is_required_and_never_printed() -> None:
    with pytest.raises(Exception) as missing:
        registration.registration_key(None)
    assert getattr(missing.value, "key", "") == "registration.errors.no_secret"
    with pytest.raises(Exception) as short:
        registration.registration_key("short")
    assert getattr(short.value, "key", "") == "registration.errors.short_secret"
    assert "enough" not in repr(KEY)
    other = registration.registration_key("another-secret-of-enough-length")
    assert KEY.hash("ana@example.org") != other.hash("ana@example.org")
    assert registration.email_hash(KEY, " ANA@example.org ") == registration.email_hash(
        KEY, "ana@example.org"
    )


async def test_no_address_is_stored_in_clear(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    text = export_500()
    await run_import(db, clock, text)
    path = sqlite_file(db.url) if server_url() is None else None
    if path is not None:
        await db.dispose()
        blob = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    else:
        async with db.read() as session:
            rows = await session.execute(select(Registration.__table__))
            blob = repr(list(rows)).encode()
    assert len(blob) > 10_000
    for needle in (
        b"person0@example.org",
        b"person439@example.org",
        b"@example.org",
        b"example.org",
    ):
        assert needle not in blob
    assert b"Nombre1" in blob, "the check reads the data it should"


def test_a_google_form_export_is_read_by_its_questions() -> None:
    text = (
        "Marca temporal,Dirección de correo electrónico,Nombre completo,¿De qué país eres?,"
        "Tu usuario de Hugging Face\n"
        "2024/02/20 10:00:00,mara@example.org,Mara Quispe,Perú,mara\n"
    )
    fmt, rows = parse_rows(text)
    assert fmt == "plain"
    assert (rows[0].email, rows[0].name, rows[0].country, rows[0].hub_user) == (
        "mara@example.org",
        "Mara Quispe",
        "Perú",
        "mara",
    )
