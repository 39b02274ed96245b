"""The `hackbot` command line.

Every failure an operator can fix ends with one line saying what is wrong and what to do, and a
non-zero exit status (docs/deployment.md, "Exit status and errors"); a traceback means a bug.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import event_loop
from bot.settings import ConfigError, Settings, load_settings, redact_url

log = logging.getLogger("hackbot")
EXIT_OK = 0
EXIT_UNHEALTHY = 1  # `health` (Docker's HEALTHCHECK knows only 0 and 1)
EXIT_USAGE = 2  # config.toml, a missing DISCORD_TOKEN, an invalid scenario
EXIT_DATABASE = 3  # the database cannot be reached, opened or migrated
# 4: Discord refused the token or the intents; 5: no answer from Discord (bot/discord/login.py)
HEALTHY_WITHIN = timedelta(minutes=3)


class Failure(Exception):
    """A failure an operator can fix: printed as one line, exits with ``code``."""

    def __init__(self, line: str, code: int) -> None:
        super().__init__(line)
        self.line = line
        self.code = code


def _settings(path: str, exit_code: int = EXIT_USAGE) -> Settings:
    try:
        return load_settings(path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise SystemExit(exit_code) from None


@contextmanager
def database_errors(url: str, code: int = EXIT_DATABASE) -> Iterator[None]:
    """Turn a database that cannot be reached, opened or migrated into a :class:`Failure`."""
    from bot.db import database_problem, url_problem
    from bot.migrate import MigrationError

    problem = url_problem(url)
    if problem is not None:
        raise Failure(problem, code)
    try:
        yield
    except Failure:
        raise
    except MigrationError as exc:
        raise Failure(str(exc), code) from None
    except Exception as exc:
        problem = database_problem(exc, url)
        if problem is None:
            raise
        raise Failure(problem, code) from None


def _report(run: Callable[[], int]) -> int:
    """Run a command; a :class:`Failure` becomes its line on stderr and its exit status."""
    try:
        return run()
    except Failure as failure:
        print(f"hackbot: {failure.line}", file=sys.stderr)
        return failure.code


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = _settings(args.path)
    event = settings.config.event
    print(f"{args.path}: ok ({event.name}, time zone {event.zone.key})")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.migrate import upgrade_sync

    settings = _settings(args.config)
    url = settings.secrets.database_url

    def upgrade() -> int:
        with database_errors(url):
            upgrade_sync(url)
        print(f"database at {redact_url(url)} is up to date")
        return EXIT_OK

    return _report(upgrade)


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings(args.config)
    token = settings.secrets.discord_token
    if not token:
        print(
            "hackbot: DISCORD_TOKEN is not set; "
            "put the bot's token in the environment (see .env.example)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from bot.app import HackBot, create_bot
    from bot.discord.login import login_problem
    from bot.logs import setup_logging
    from bot.migrate import upgrade
    from bot.services.startup import record_start

    setup_logging(settings.secrets.log_level)
    url = settings.secrets.database_url

    async def prepare() -> tuple[HackBot, float]:
        with database_errors(url):
            await upgrade(url)
            bot = create_bot(settings)
            bot.freeze_at_ready = True
            try:
                async with bot.db.transaction() as session:
                    delay = await record_start(session, bot.clock.now())
            except BaseException:
                await bot.db.dispose()
                raise
        return bot, delay

    async def main() -> None:
        bot, delay = await prepare()
        if delay:
            log.warning("restarted quickly again: waiting %.0f s before logging in", delay)
            await asyncio.sleep(delay)
        try:
            async with bot:
                await bot.start(token)
        except Exception as exc:
            problem = login_problem(exc)
            if problem is None:
                raise
            raise Failure(*problem) from None

    def start() -> int:
        event_loop.run(main())
        return EXIT_OK

    return _report(start)


async def _describe(settings: Settings) -> list[dict[str, object]]:
    from bot.app import create_bot
    from bot.db import Database
    from bot.discord.commands_doc import describe_commands

    bot = create_bot(settings, db=Database("sqlite+aiosqlite:///:memory:"), scheduler="manual")
    await bot.prepare()
    try:
        return await describe_commands(bot.tree)
    finally:
        await bot.db.dispose()


def cmd_commands(args: argparse.Namespace) -> int:
    from bot.discord.commands_doc import render_markdown

    entries = asyncio.run(_describe(_settings(args.config)))
    if args.json:
        print(json.dumps(entries, ensure_ascii=False, indent=2))
    elif args.markdown:
        sys.stdout.write(render_markdown(entries))
    else:
        for entry in entries:
            print(f"/{entry['name']}  [{', '.join(entry['roles'])}]  {entry['description']}")  # type: ignore[arg-type]
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    """Exit 0 when the running bot's heartbeat is recent, else 1 with one line (also when the
    database is missing: this never creates one)."""
    settings = _settings(args.config, exit_code=EXIT_UNHEALTHY)
    url = settings.secrets.database_url

    def check() -> int:
        with database_errors(url, code=EXIT_UNHEALTHY):
            beat = asyncio.run(_last_heartbeat(url))
        if beat is None or datetime.now(UTC) - beat > HEALTHY_WITHIN:
            print(
                f"unhealthy: last heartbeat {beat.isoformat() if beat else 'never'}",
                file=sys.stderr,
            )
            return EXIT_UNHEALTHY
        print(f"healthy: last heartbeat {beat.isoformat()}")
        return EXIT_OK

    try:
        return check()
    except Failure as failure:
        print(f"unhealthy: {failure.line}", file=sys.stderr)
        return EXIT_UNHEALTHY


async def _last_heartbeat(url: str) -> datetime | None:
    from bot.db import Database, sqlite_file
    from bot.services.status import last_heartbeat

    path = sqlite_file(url)
    if path is not None and not path.is_file():
        raise Failure(
            f"no SQLite database at {path} (DATABASE_URL): the bot has not run with this "
            "DATABASE_URL, or it points elsewhere",
            EXIT_UNHEALTHY,
        )
    db = Database(url)
    try:
        async with db.read() as session:
            return await last_heartbeat(session)
    finally:
        await db.dispose()


def cmd_registrations_import(args: argparse.Namespace) -> int:
    """Import a sign-up list; the report line by line on stdout (logic in the services)."""
    from bot.services.registration.cli import import_file

    settings = _settings(args.config)
    url = settings.secrets.database_url

    def run() -> int:
        with database_errors(url):
            return import_file(settings, Path(args.file), args.role, sys.stdout, Failure)

    return _report(run)


SANDBOX_MISSING = (
    "hackbot: the sandbox is not installed ({missing}); "
    "install it with: pip install 'hackbot[sandbox]'"
)


def _rehearse(scenario: str | None, *, json_lines: bool, db_url: str | None) -> int:
    """Run a rehearsal (``None``: the demo day shipped with the sandbox), or say in one line
    how to install the sandbox when it is missing."""
    try:
        from sandbox.rehearse import main as rehearse_main
    except ModuleNotFoundError as exc:
        print(SANDBOX_MISSING.format(missing=exc.name), file=sys.stderr)
        return EXIT_USAGE
    path = None if scenario is None else Path(scenario)
    return rehearse_main(path, json_lines=json_lines, db_url=db_url)


def cmd_rehearse(args: argparse.Namespace) -> int:
    return _rehearse(args.scenario, json_lines=args.json, db_url=args.db)


def cmd_demo(args: argparse.Namespace) -> int:
    return _rehearse(args.scenario, json_lines=args.json, db_url=None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hackbot", description="Event-operations bot for online hackathons."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def with_config(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--config", default="config.toml", help="path to config.toml")
        return p

    p = with_config(sub.add_parser("run", help="start the bot (needs DISCORD_TOKEN)"))
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("check-config", help="validate config.toml and exit")
    p.add_argument("path", nargs="?", default="config.toml")
    p.set_defaults(func=cmd_check_config)
    db = sub.add_parser("db", help="database maintenance").add_subparsers(
        dest="db_command", required=True
    )
    p = with_config(db.add_parser("upgrade", help="apply migrations up to the latest"))
    p.set_defaults(func=cmd_db_upgrade)
    p = with_config(sub.add_parser("commands", help="list every slash command"))
    p.add_argument("--json", action="store_true")
    p.add_argument("--markdown", action="store_true", help="the docs/commands.md page")
    p.set_defaults(func=cmd_commands)
    p = with_config(
        sub.add_parser("health", help="exit 0 when the running bot's heartbeat is recent")
    )
    p.set_defaults(func=cmd_health)
    regs = sub.add_parser("registrations", help="the sign-up lists").add_subparsers(
        dest="registrations_command", required=True
    )
    p = with_config(
        regs.add_parser("import", help="import an Eventbrite export or an email,name,... list")
    )
    p.add_argument("file", help="the CSV file")
    p.add_argument("--as", dest="role", required=True, choices=("participant", "mentor"))
    p.set_defaults(func=cmd_registrations_import)
    p = sub.add_parser("rehearse", help="run a scenario against the sandbox")
    p.add_argument("scenario")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument(
        "--db",
        default=None,
        help="an empty database to keep (default: a fresh temporary SQLite file); "
        "one holding hackbot data is refused",
    )
    p.set_defaults(func=cmd_rehearse)
    p = sub.add_parser("demo", help="rehearse the scripted demo day (no token, no network)")
    p.add_argument(
        "--scenario", default=None, help="another scenario (default: the demo shipped with hackbot)"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
