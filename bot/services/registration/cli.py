"""`hackbot registrations import FILE.csv --as participant|mentor`: the import, run from the
command line against the configured database (migrated first), its report in English."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.clock import SystemClock
from bot.db import Database
from bot.errors import DomainError
from bot.i18n import catalogs
from bot.migrate import upgrade
from bot.services.registration.addresses import registration_key
from bot.services.registration.imports import ImportReport, decode, prepare_text, store
from bot.settings import Settings
from bot.text import Safe

EXIT_OK, EXIT_USAGE = 0, 2
LANGUAGE = "en"


def report_lines(report: ImportReport, language: str = LANGUAGE) -> list[str]:
    """The report line by line in ``language``."""
    found = catalogs()
    out = []
    for line in report.lines:
        outcome = found.t(language, f"registration.import.{line.outcome}")
        reasons = [found.t(language, line.reason, **line.params)] if line.reason else []
        reasons += [found.t(language, note) for note in line.params.get("notes", [])]
        if reasons:
            text = found.t(
                language,
                "registration.import.line_reason",
                line=line.line,
                outcome=Safe(outcome),
                reason=Safe("; ".join(reasons)),
            )
        else:
            text = found.t(
                language, "registration.import.line", line=line.line, outcome=Safe(outcome)
            )
        out.append(text)
    return out


def summary(report: ImportReport, language: str = LANGUAGE) -> str:
    return catalogs().t(
        language,
        "registration.import.summary",
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        skipped=report.skipped,
    )


def import_file(
    settings: Settings,
    path: Path,
    role: str,
    out: TextIO,
    failure: Callable[[str, int], Exception],
) -> int:
    """Import ``path`` as ``role``; a problem the operator can fix raises ``failure(line,
    code)``."""
    try:
        key = registration_key(settings.secrets.registration_secret)
    except DomainError as exc:
        raise failure(catalogs().t(LANGUAGE, exc.key, **exc.params), EXIT_USAGE) from None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise failure(f"{path}: cannot be read ({exc.strerror or exc})", EXIT_USAGE) from None
    config = settings.config.registration
    url = settings.secrets.database_url

    async def run() -> ImportReport:
        await upgrade(url)
        db = Database(url)
        try:
            text = decode(data)
            now = SystemClock().now()
            prepared = prepare_text(key, text, role=role, ticket_types=config.ticket_types)
            return await db.write(lambda session: store(session, prepared, now))
        finally:
            await db.dispose()

    try:
        report = asyncio.run(run())
    except DomainError as exc:
        raise failure(
            f"{path}: {catalogs().t(LANGUAGE, exc.key, **exc.params)}", EXIT_USAGE
        ) from None
    for line in report_lines(report):
        out.write(line + "\n")
    out.write(f"{path}: {summary(report)}\n")
    return EXIT_OK
