"""`hackbot rehearse`: run a scenario against the sandbox and print the transcript."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO, cast

from sqlalchemy import func, inspect, select

from bot.db import Database, database_problem, url_problem
from bot.models import Base
from bot.settings import ConfigError, load_settings, redact_url
from sandbox.discord import Interaction, LocalDiscord, RejectedByDiscord
from sandbox.discord.models import FORUM
from sandbox.discord.recorder import render_body
from sandbox.harness import MemberSpec, Sandbox, StepOutcome, quiet_discord_logs
from sandbox.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    parse_advance,
    printable,
)
from sandbox.state import domain_state
from sandbox.transcript import json_line, render_state, render_step

ROOT_CONFIG = Path("config.toml")
# `hackbot demo`: shipped inside the package (with the event it rehearses) to run from anywhere.
DEMO_SCENARIO = Path(__file__).resolve().parent / "demo" / "demo.toml"
EXIT_OK, EXIT_STEP_ERRORS, EXIT_INVALID = 0, 1, 2
STEP_FAILURES = (LookupError, ValueError)  # a click on nothing, an unknown calendar event


class Rejected:
    """A dispatch Discord's own client would refuse: the step still counts as run."""

    def __init__(self, reason: str) -> None:
        self.replies = [{"rejected_by_discord": reason}]
        self.ack_ms = None
        self.failed = False


class Failed:
    """An action that could not be dispatched (a click on nothing): recorded as the step's
    error without stopping the other actions of a ``parallel``."""

    def __init__(self, message: str) -> None:
        self.replies: list[Any] = []
        self.ack_ms = None
        self.failed = False
        self.message = message


class Rehearsal:
    def __init__(self, scenario: Scenario, sandbox: Sandbox) -> None:
        self.scenario = scenario
        self.sandbox = sandbox

    def _dispatch(self, step: dict[str, Any]) -> Callable[[], Awaitable[Any]]:
        """A coroutine factory dispatching one interactive action (without waiting for it)."""
        discord = self.sandbox.discord
        handle = step["as"]
        where = step.get("in")

        async def guarded(make: Callable[[], Awaitable[Interaction]]) -> Any:
            try:
                return await make()
            except RejectedByDiscord as exc:
                return Rejected(str(exc))
            except STEP_FAILURES as exc:
                return Failed(str(exc))

        if "run" in step:
            channel = (
                where.lstrip("#") if isinstance(where, str) and where.startswith("#") else None
            )
            return lambda: guarded(
                lambda: discord.run_command(
                    self.sandbox.guild_id,
                    handle,
                    step["run"],
                    dict(step.get("options", {})),
                    channel=channel,
                )
            )
        if "click" in step:
            target = step["click"]
            if isinstance(target, dict):
                return lambda: guarded(
                    lambda: discord.click(handle, index=int(target["index"]), where=where)
                )

            async def click() -> Interaction:
                try:
                    return await discord.click(handle, label=target, where=where)
                except LookupError:
                    return await discord.click(handle, custom_id=target, where=where)

            return lambda: guarded(click)
        if "choose" in step:
            choice = step["choose"]
            if set(choice) == {"index"}:
                return lambda: guarded(
                    lambda: discord.choose(handle, index=int(choice["index"]), where=where)
                )
            ((select, values),) = choice.items()
            return lambda: guarded(
                lambda: discord.choose(
                    handle, select=select, values=[str(v) for v in values], where=where
                )
            )
        return lambda: guarded(lambda: discord.submit_modal(handle, step["submit"]))

    async def run_step(self, step: dict[str, Any]) -> StepOutcome:
        sandbox = self.sandbox
        if any(key in step for key in ("run", "click", "choose", "submit")):
            dispatched: list[Any] = []

            async def one() -> Any:
                dispatched.append(await self._dispatch(step)())
                return dispatched[0]

            return _with_failures(await sandbox.step(one), dispatched)
        if "parallel" in step:
            factories = [self._dispatch(inner) for inner in step["parallel"]]
            results: list[Any] = []

            async def all_at_once() -> list[Any]:
                # Each action is guarded: one that fails leaves its siblings' replies whole.
                results.extend(await asyncio.gather(*(make() for make in factories)))
                return results

            return _with_failures(await sandbox.step(all_at_once), results)
        if "advance" in step:
            return await sandbox.advance(parse_advance(step["advance"], "advance"))
        if "restart" in step:

            async def restart() -> None:
                await sandbox.restart()

            return await sandbox.step(restart)
        if "leave" in step:
            return await sandbox.leave(step["leave"])
        if "hub" in step:

            async def change_hub() -> None:
                for repo, fields in step["hub"].get("set", {}).items():
                    sandbox.hub.set(repo, dict(fields))
                for repo, fault in step["hub"].get("faults", {}).items():
                    sandbox.hub.set_fault(repo, str(fault))

            return await sandbox.step(change_hub)

        async def change_calendar() -> None:
            change = step["calendar"]
            if "upsert" in change:
                sandbox.calendar.upsert(dict(change["upsert"]))
            else:
                sandbox.calendar.cancel(str(change["cancel"]))

        return await sandbox.step(change_calendar)


def _with_failures(outcome: StepOutcome, results: list[Any]) -> StepOutcome:
    """Record each action that could not be dispatched as a ``step_failed`` error."""
    several = len(results) > 1
    for number, result in enumerate(results, start=1):
        if isinstance(result, Failed):
            message = f"action {number}: {result.message}" if several else result.message
            outcome.errors.append({"type": "step_failed", "message": message})
    return outcome


def _threads(discord: LocalDiscord) -> dict[int, str]:
    """Every thread of the local Discord by id, with its name."""
    return {
        channel.id: channel.name
        for guild in discord.state.guilds.values()
        for channel in guild.channels.values()
        if channel.is_thread
    }


def transcript_notes(
    discord: LocalDiscord, before: dict[int, str], effects: list[dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    """What the readable transcript adds to a step's effects, by effect index: a forum post's
    first message, and the channel of a renamed thread (a team's thread and its forum post share
    the team's name). Read from the local Discord; the JSON lines stay as the contract says."""
    state = discord.state
    after = _threads(discord)
    new_posts: dict[str, list[int]] = {}
    for thread_id in sorted(set(after) - set(before)):
        thread = state.find_channel(thread_id)
        parent = state.find_channel(thread.parent_id or 0) if thread is not None else None
        if parent is not None and parent.type == FORUM:
            new_posts.setdefault(parent.name, []).append(thread_id)
    renamed = [tid for tid in sorted(before) if tid in after and after[tid] != before[tid]]
    notes: dict[int, dict[str, Any]] = {}
    for index, effect in enumerate(effects):
        if effect.get("type") == "forum_post_created":
            posts = new_posts.get(str(effect.get("channel")), [])
            message = state.messages.get(posts.pop(0)) if posts else None
            if message is not None:
                notes[index] = {"first_message": render_body(message)}
        elif effect.get("type") == "thread_renamed":
            match = next((tid for tid in renamed if before[tid] == effect.get("old")), None)
            thread = state.find_channel(match) if match is not None else None
            parent = state.find_channel(thread.parent_id or 0) if thread is not None else None
            if match is not None and parent is not None:
                renamed.remove(match)
                what = "forum post" if parent.type == FORUM else "thread"
                notes[index] = {"parent": parent.name, "what": what}
    return notes


class SavedFiles:
    """Files the bot attached during a rehearsal (a leaderboard's chart), written to a folder
    made on first use (a new temporary one unless given); the readable transcript says where."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder

    def save(
        self, discord: LocalDiscord, step: int, effects: list[dict[str, Any]]
    ) -> dict[int, dict[str, Any]]:
        """Write the files of the step's messages; their paths by effect index."""
        notes: dict[int, dict[str, Any]] = {}
        for index, effect in enumerate(effects):
            names = effect.get("files") or []
            if effect.get("type") not in ("message", "message_edited") or not names:
                continue
            attachments = _attachments_of(discord, str(effect.get("channel")), names)
            saved = []
            for attachment in attachments:
                data = discord.state.uploads.get(int(attachment["id"]))
                if data is None:
                    continue
                if self.folder is None:
                    self.folder = Path(tempfile.mkdtemp(prefix="hackbot-rehearsal-files-"))
                path = self.folder / f"step-{step:03d}-{Path(attachment['filename']).name}"
                path.write_bytes(data)
                saved.append(str(path))
            if saved:
                notes[index] = {"saved": saved}
        return notes


def _attachments_of(discord: LocalDiscord, where: str, names: list[str]) -> list[dict[str, Any]]:
    """The attachments of the newest message in ``where`` whose files are ``names``."""
    state = discord.state
    try:
        channel = state.resolve_where(where)
    except (LookupError, ValueError):
        return []
    for message_id in reversed(state.channel_messages.get(channel.id, [])):
        message = state.messages[message_id]
        if [str(a.get("filename", "")) for a in message.attachments] == names:
            return list(message.attachments)
    return []


async def earlier_data(url: str) -> dict[str, int]:
    """Rows already in hackbot's tables at ``url``, by table (empty for a new database)."""
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            present = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
            counts = {}
            for table in Base.metadata.sorted_tables:
                if table.name in present:
                    rows = await conn.scalar(select(func.count()).select_from(table))
                    if rows:
                        counts[table.name] = int(rows)
            return counts
    finally:
        await db.dispose()


def database_refusal(url: str) -> str | None:
    """Why ``--db url`` cannot hold a rehearsal, in one line, or None when it can.

    A rehearsal starts from an empty database: one that holds an earlier rehearsal (or an
    event!) is refused, never emptied."""
    problem = url_problem(url)
    if problem is None:
        try:
            counts = asyncio.run(earlier_data(url))
        except Exception as exc:
            problem = database_problem(exc, url)
            if problem is None:
                raise
    if problem is not None:
        return "--db: " + problem.replace("DATABASE_URL", "the --db URL")
    if not counts:
        return None
    held = ", ".join(f"{table}: {rows}" for table, rows in counts.items())
    return (
        f"--db {redact_url(url)} already holds hackbot data ({held}); a rehearsal starts from "
        "an empty database: name a new one, or leave out --db for a temporary SQLite file"
    )


async def rehearse(scenario: Scenario, out: TextIO, *, json_lines: bool, db_url: str | None) -> int:
    from bot.clock import ManualClock

    sandbox = Sandbox(
        scenario.config,
        clock=ManualClock(scenario.clock),
        db_url=db_url,
        overrides=scenario.settings,
    )
    failed = False
    with quiet_discord_logs():
        await sandbox.start()
        try:
            for handle, member in scenario.members.items():
                sandbox.add_member(
                    handle, MemberSpec(roles=member.roles, locale=member.locale, dms=member.dms)
                )
            sandbox.hub.load(scenario.hub)
            sandbox.calendar.load(scenario.calendar_events, calendar_id=sandbox.calendar_id)
            await sandbox.register(scenario.registrations)
            await sandbox.settle()
            if not json_lines:
                out.write(
                    f"Rehearsal: {scenario.title}\n"
                    f"clock {scenario.clock.isoformat()} · config {scenario.config.name}\n"
                )
            rehearsal = Rehearsal(scenario, sandbox)
            saved_files = SavedFiles()
            for number, step in enumerate(scenario.steps, start=1):
                threads = _threads(sandbox.discord)
                try:
                    outcome = await rehearsal.run_step(step)
                except STEP_FAILURES as exc:
                    outcome = StepOutcome(errors=[{"type": "step_failed", "message": str(exc)}])
                line = {
                    "step": number,
                    "action": step,
                    "replies": outcome.replies,
                    "ack_ms": outcome.ack_ms,
                    "effects": outcome.effects,
                    "errors": outcome.errors,
                }
                failed = failed or bool(outcome.errors)
                if json_lines:
                    out.write(json_line(line) + "\n")
                saved = saved_files.save(sandbox.discord, number, outcome.effects)
                if not json_lines:
                    notes = transcript_notes(sandbox.discord, threads, outcome.effects)
                    for index, note in saved.items():
                        notes.setdefault(index, {}).update(note)
                    render_step(out, line, sandbox.readable, notes)
                out.flush()
            state = await domain_state(sandbox)
            if json_lines:
                out.write(json_line({"state": state}) + "\n")
            else:
                render_state(out, state)
        finally:
            await sandbox.close()
    return EXIT_STEP_ERRORS if failed else EXIT_OK


class TerminalSafe:
    """A text stream that writes through :func:`sandbox.scenario.printable`."""

    def __init__(self, out: TextIO, *, json_lines: bool) -> None:
        self.out = out
        self.json_lines = json_lines

    def write(self, text: str) -> int:
        return self.out.write(printable(text, json=self.json_lines))

    def flush(self) -> None:
        self.out.flush()


def main(
    path: Path | None = None,
    *,
    json_lines: bool = False,
    db_url: str | None = None,
    out: TextIO | None = None,
) -> int:
    """Rehearse the scenario at ``path`` (None: the demo day); the exit status of the CLI."""
    # Nothing a scenario says (its title, handles, labels, what the bot echoes) reaches the
    # terminal as an escape sequence: control characters are shown, not sent.
    out = cast(TextIO, TerminalSafe(out or sys.stdout, json_lines=json_lines))
    path = DEMO_SCENARIO if path is None else path
    shown = printable(str(path))
    try:
        scenario = load_scenario(path, ROOT_CONFIG.resolve())
    except ScenarioError as exc:
        print(f"{shown}: {printable(str(exc))}", file=sys.stderr)
        return EXIT_INVALID
    try:
        load_settings(scenario.config, env={}, overrides=scenario.settings)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"{shown}: settings: {printable(problem)}", file=sys.stderr)
        return EXIT_INVALID
    refusal = None if db_url is None else database_refusal(db_url)
    if refusal is not None:
        print(f"hackbot rehearse: {refusal}", file=sys.stderr)
        return EXIT_INVALID
    return asyncio.run(rehearse(scenario, out, json_lines=json_lines, db_url=db_url))
