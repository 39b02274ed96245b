"""`hackbot rehearse`: run a scenario against the sandbox and print the transcript."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

from bot.settings import ConfigError, load_settings
from sandbox.discord import Interaction, RejectedByDiscord
from sandbox.harness import MemberSpec, Sandbox, StepOutcome, quiet_discord_logs
from sandbox.scenario import Scenario, ScenarioError, load_scenario, parse_advance
from sandbox.state import domain_state
from sandbox.transcript import json_line, render_state, render_step

ROOT_CONFIG = Path("config.toml")
EXIT_OK, EXIT_STEP_ERRORS, EXIT_INVALID = 0, 1, 2


class Rejected:
    """A dispatch Discord's own client would refuse: the step still counts as run."""

    def __init__(self, reason: str) -> None:
        self.replies = [{"rejected_by_discord": reason}]
        self.ack_ms = None
        self.failed = False


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
            return await sandbox.step(self._dispatch(step))
        if "parallel" in step:
            factories = [self._dispatch(inner) for inner in step["parallel"]]

            async def all_at_once() -> list[Any]:
                return list(await asyncio.gather(*(make() for make in factories)))

            return await sandbox.step(all_at_once)
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
            await sandbox.settle()
            if not json_lines:
                out.write(
                    f"Rehearsal: {scenario.title}\n"
                    f"clock {scenario.clock.isoformat()} · config {scenario.config.name}\n"
                )
            rehearsal = Rehearsal(scenario, sandbox)
            for number, step in enumerate(scenario.steps, start=1):
                try:
                    outcome = await rehearsal.run_step(step)
                except (LookupError, ValueError) as exc:  # a click on nothing, an unknown event
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
                else:
                    render_step(out, line, sandbox.readable)
                out.flush()
            state = await domain_state(sandbox)
            if json_lines:
                out.write(json_line({"state": state}) + "\n")
            else:
                render_state(out, state)
        finally:
            await sandbox.close()
    return EXIT_STEP_ERRORS if failed else EXIT_OK


def main(
    path: Path, *, json_lines: bool = False, db_url: str | None = None, out: TextIO | None = None
) -> int:
    out = out or sys.stdout
    try:
        scenario = load_scenario(path, ROOT_CONFIG.resolve())
    except ScenarioError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return EXIT_INVALID
    try:
        load_settings(scenario.config, env={}, overrides=scenario.settings)
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"{path}: settings: {problem}", file=sys.stderr)
        return EXIT_INVALID
    return asyncio.run(rehearse(scenario, out, json_lines=json_lines, db_url=db_url))
