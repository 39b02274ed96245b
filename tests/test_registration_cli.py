"""`hackbot registrations import`, run as organizers would: a real subprocess on a SQLite file
(the first run migrates it), the report line by line, and one line when something is wrong."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.test_cli import hackbot

SECRET = {"REGISTRATION_SECRET": "a-test-secret-of-enough-length"}
EXPORT = (
    "Order #,First Name,Last Name,Email,Ticket Type,country,Hugging Face user\n"
    "1,Ana,Pérez,ana@example.org,Hackathon + Talleres,México,anaperez\n"
    "2,Bea,Ruiz,bea-example.org,Hackathon + Talleres,ES,\n"
    "3,Carl,Doe,carl@example.org,Solo talleres,ES,\n"
    "4,Ana,Pérez,ANA@example.org,Hackathon + Talleres,MX,\n"
)


def test_import_prints_each_line_and_reimport_updates(tmp_path: Path) -> None:
    csv_file = tmp_path / "attendees.csv"
    csv_file.write_text(EXPORT, encoding="utf-8")
    env = {**SECRET, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hackbot.db'}"}
    result = hackbot("registrations", "import", str(csv_file), "--as", "participant", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "line 2: added",
        "line 3: skipped (bad email)",
        "line 4: skipped (ticket type “Solo talleres” is not in registration.ticket_types)",
        "line 5: skipped (duplicate of line 2)",
        f"{csv_file}: 1 added, 0 updated, 0 unchanged, 3 skipped",
    ]
    csv_file.write_text("ana@example.org,Ana P.\n", encoding="utf-8")
    result = hackbot("registrations", "import", str(csv_file), "--as", "mentor", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].endswith("0 added, 1 updated, 0 unchanged, 0 skipped")
    with sqlite3.connect(tmp_path / "hackbot.db") as conn:
        rows = conn.execute(
            "SELECT name, participant, mentor, country FROM registrations"
        ).fetchall()
    assert rows == [("Ana P.", 1, 1, "MX")]


def test_without_the_secret_nothing_is_imported(tmp_path: Path) -> None:
    csv_file = tmp_path / "attendees.csv"
    csv_file.write_text(EXPORT, encoding="utf-8")
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'hackbot.db'}"}
    result = hackbot("registrations", "import", str(csv_file), "--as", "participant", env=env)
    assert result.returncode == 2
    assert "REGISTRATION_SECRET" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "hackbot.db").exists()
    missing = hackbot(
        "registrations", "import", str(tmp_path / "nope.csv"), "--as", "mentor", env=SECRET
    )
    assert missing.returncode == 2 and "cannot be read" in missing.stderr
