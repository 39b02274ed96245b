"""The `hackbot` command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.settings import ConfigError, Settings, load_settings

log = logging.getLogger("hackbot")
EXIT_USAGE = 2
HEALTHY_WITHIN = timedelta(minutes=3)


def _settings(path: str) -> Settings:
    try:
        return load_settings(path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = _settings(args.path)
    print(f"{args.path}: ok ({settings.config.event.name})")
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.migrate import upgrade_sync
    from bot.settings import redact_url

    settings = _settings(args.config)
    upgrade_sync(settings.secrets.database_url)
    print(f"database at {redact_url(settings.secrets.database_url)} is up to date")
    return 0


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
    from bot.app import create_bot
    from bot.logs import setup_logging
    from bot.migrate import upgrade
    from bot.services.startup import record_start

    setup_logging(settings.secrets.log_level)

    async def main() -> None:
        await upgrade(settings.secrets.database_url)
        bot = create_bot(settings)
        async with bot.db.transaction() as session:
            delay = await record_start(session, bot.clock.now())
        if delay:
            log.warning("restarted quickly again: waiting %.0f s before logging in", delay)
            await asyncio.sleep(delay)
        async with bot:
            await bot.start(token)

    asyncio.run(main())
    return 0


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
    from bot.db import Database
    from bot.services.status import last_heartbeat

    settings = _settings(args.config)

    async def check() -> datetime | None:
        db = Database(settings.secrets.database_url)
        try:
            async with db.read() as session:
                return await last_heartbeat(session)
        finally:
            await db.dispose()

    beat = asyncio.run(check())
    if beat is None or datetime.now(UTC) - beat > HEALTHY_WITHIN:
        print(f"unhealthy: last heartbeat {beat.isoformat() if beat else 'never'}", file=sys.stderr)
        return 1
    print(f"healthy: last heartbeat {beat.isoformat()}")
    return 0


SANDBOX_MISSING = (
    "hackbot: the sandbox is not installed ({missing}); "
    "install it with: pip install 'hackbot[sandbox]'"
)


def _rehearse(scenario: str, *, json_lines: bool, db_url: str | None) -> int:
    """Run a rehearsal, or say in one line how to install the sandbox when it is missing."""
    try:
        from sandbox.rehearse import main as rehearse_main
    except ModuleNotFoundError as exc:
        print(SANDBOX_MISSING.format(missing=exc.name), file=sys.stderr)
        return EXIT_USAGE
    return rehearse_main(Path(scenario), json_lines=json_lines, db_url=db_url)


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
    p = sub.add_parser("rehearse", help="run a scenario against the sandbox")
    p.add_argument("scenario")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument(
        "--db", default=None, help="database URL (default: a fresh temporary SQLite file)"
    )
    p.set_defaults(func=cmd_rehearse)
    p = sub.add_parser("demo", help="rehearse the scripted demo day (no token, no network)")
    p.add_argument("--scenario", default=str(Path("examples") / "demo.toml"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
