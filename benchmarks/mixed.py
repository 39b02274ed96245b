"""The 1,000-interaction burst of mixed commands from every feature, against the floor.

1,000 members each run one command at the same moment, a sixth of them each: `/team join` (on
42 open teams of one, 4 places each), `/mentor book` (their own team; 20 mentors with 5 free
slots each), `/submit` (their own team's model on the local Hub), `/talks list` (a month of
daily talks synced from the local Calendar), `/team info` (an open team) and `/leaderboard`
(the likes board, enabled for the benchmark). The bot runs in a process of its own
(``benchmarks.bot_process``) against the local Discord; in the same run, on the same sandbox
and data, the floor (``benchmarks.floor_process``: a bare discord.py bot that defers and follows
up) takes the same burst. Each pair runs twice: the local Discord's rate limits off (what the
bot itself costs) and on (what members live through).

Measured per run: failed interactions (not acknowledged within 3 s, or never answered), ack
(dispatch to the first callback) p50/p99/max, answer (dispatch to the last followup or edit of
that interaction) p50/p99/max, the time until all 1,000 were answered, the time until the bot
had no request left in flight (drained), the child process's CPU (user + system from
``/proc/<pid>/stat``) per command, and the bot's own Discord calls (anything but the exempt
interaction callback and webhook) per command, by route, with the 429s it got.

``python -m benchmarks.mixed`` runs this section alone (SQLite and PostgreSQL) and prints it as
Markdown plus one summary line per run on standard error.
"""

from __future__ import annotations

import asyncio
import collections
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.bot_process import bot_in_own_process, child_stats, settle_child
from benchmarks.common import (
    Backend,
    Section,
    Verdict,
    ms,
    percentile,
    prepare,
    running_sandbox,
    sandbox_gc_paused,
    stopwatch,
    verdict,
)
from benchmarks.submissions import passing_hub
from bot.services import mentors as mentor_service
from bot.services.mentors import MentorRules
from bot.services.teams import TeamRules, create_team
from sandbox.discord import Interaction
from sandbox.harness import MemberSpec, Sandbox

N = int(os.environ.get("BENCH_MIXED_N", "1000"))  # smaller for a quick try
KINDS = ("team join", "mentor book", "submit", "talks list", "team info", "leaderboard")
OPEN_TEAMS = 42  # 4 places each: room for every joiner (167)
MENTORS = 20
SLOTS = 5  # per mentor
TALK_DAYS = 30
MODEL = "somosnlp/modelo-{i:04d}"
SETTLE_LIMIT = 300.0
SEQ = 10  # commands of each kind one at a time, for the per-command costs
SEQ_BASE = 5_000  # the sequential members' numbers: m5000..., apart from the burst's
EXTRA_TEAMS = 3  # open teams for the sequential joiners
# Targets of the proof issue (limits off: against the floor; limits on: the members' answers).
ACK_RATIO = 1.5
SETTLED_S = {"SQLite": 8.0, "PostgreSQL": 5.0}
CPU_MS = 4.0
ANSWER_P99_MS = 3000.0
# config.toml ships every board disabled; the burst's `/leaderboard` shows the likes board.
OVERRIDES = {"leaderboard": {"likes": {"enabled": True}}}


def _options(kind: str, i: int) -> dict[str, Any]:
    if kind == "team join":
        return {"team": f"Abierto {(i // len(KINDS)) % OPEN_TEAMS:02d}"}
    if kind == "submit":
        return {"model": MODEL.format(i=i)}
    if kind == "team info":
        return {"team": f"Abierto {i % OPEN_TEAMS:02d}"}
    return {}


def sequential_calls(kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    """The per-command pass: ``SEQ`` members of their own run ``kind`` one after the other."""
    out = []
    for j in range(SEQ):
        i = SEQ_BASE + KINDS.index(kind) * 100 + j
        options = {"team": f"Extra {j // 4}"} if kind == "team join" else _options(kind, i)
        out.append((f"m{i:04d}", kind, options))
    return out


def _sequential_members() -> list[int]:
    return [SEQ_BASE + k * 100 + j for k in range(len(KINDS)) for j in range(SEQ)]


def calls() -> list[tuple[str, str, dict[str, Any]]]:
    """(member, command, options) of the burst: member ``m<i>`` runs ``KINDS[i % 6]``."""
    return [
        (f"m{i:04d}", KINDS[i % len(KINDS)], _options(KINDS[i % len(KINDS)], i)) for i in range(N)
    ]


def _talks() -> list[dict[str, Any]]:
    return [
        {
            "id": "diaria",
            "summary": "Charla del día",
            "description": "Una charla cada día del hackathon",
            "start": "2024-03-21T18:00:00",
            "end": "2024-03-21T19:00:00",
            "timeZone": "Europe/Madrid",
            "recurrence": [f"RRULE:FREQ=DAILY;COUNT={TALK_DAYS}"],
        }
    ]


async def setup(sandbox: Sandbox) -> None:
    """Members, open teams (through the bot), teams of one for bookers and submitters (through
    the service), mentors with slots, a month of talks and the submitters' models."""
    assert sandbox.bot is not None and sandbox.settings is not None
    config = sandbox.settings.config
    participant = MemberSpec(roles=("participant",))
    for i in range(N):
        sandbox.add_member(f"m{i:04d}", participant)
    for i in _sequential_members():
        sandbox.add_member(f"m{i:04d}", participant)
    for i in range(OPEN_TEAMS):
        sandbox.add_member(f"host{i:02d}", participant)
    for i in range(EXTRA_TEAMS):
        sandbox.add_member(f"xhost{i}", participant)
    for i in range(MENTORS):
        sandbox.add_member(f"mentor{i:02d}", MemberSpec(roles=("mentor",)))
    sandbox.add_member("warm", participant)
    sandbox.add_member("olga", MemberSpec(roles=("organizer",)))
    await sandbox.settle(limit=60.0)
    for i in range(OPEN_TEAMS):
        made = await sandbox.run(
            f"host{i:02d}", "team create", {"name": f"Abierto {i:02d}", "open": True}
        )
        if made.errors:
            raise RuntimeError(f"could not create an open team: {made.errors}")
    for i in range(EXTRA_TEAMS):
        made = await sandbox.run(f"xhost{i}", "team create", {"name": f"Extra {i}", "open": True})
        if made.errors:
            raise RuntimeError(f"could not create an open team: {made.errors}")
    rules = TeamRules.from_settings(config)
    mentor_rules = MentorRules.from_settings(config)
    now = sandbox.clock.now()
    own_team = [i for i in range(N) if KINDS[i % len(KINDS)] in ("mentor book", "submit")]
    own_team += [
        i
        for i in _sequential_members()
        if KINDS[(i - SEQ_BASE) // 100] in ("mentor book", "submit")
    ]

    async def teams(session: Any) -> None:
        for i in own_team:
            await create_team(
                session, rules, captain_id=sandbox.discord.user_id(f"m{i:04d}"),
                name=f"Equipo {i:04d}", description=None, open=False, now=now,
            )  # fmt: skip

    async def mentoring(session: Any) -> None:
        for m in range(MENTORS):
            uid = sandbox.discord.user_id(f"mentor{m:02d}")
            await mentor_service.set_profile(
                session, mentor_rules, user_id=uid, expertise="datasets, rag",
                languages=None, timezone=None, bio=None, now=now,
            )  # fmt: skip
            for s in range(SLOTS):
                await mentor_service.add_slots(
                    session, mentor_rules, mentor_id=uid,
                    start=f"2024-03-{21 + s} {9 + m % 8:02d}:00", duration=None,
                    repeat_weeks=0, now=now,
                )  # fmt: skip

    await sandbox.bot.db.write(teams)
    await sandbox.bot.db.write(mentoring)
    content = passing_hub()
    sandbox.hub.load(content)
    model = content["models"][next(iter(content["models"]))]
    submitters = [i for i in range(N) if KINDS[i % len(KINDS)] == "submit"]
    submitters += [SEQ_BASE + KINDS.index("submit") * 100 + j for j in range(SEQ)]
    for i in submitters:
        sandbox.hub.set(MODEL.format(i=i), dict(model), kind="model")
    sandbox.calendar.load(_talks(), calendar_id=sandbox.calendar_id)
    synced = await sandbox.run("olga", "admin calendar-sync")
    if synced.errors:
        raise RuntimeError(f"the calendar sync failed: {synced.errors}")
    await sandbox.settle(limit=60.0)


# -- measuring ------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """User + system CPU of process ``pid`` (all its threads) so far, with that of the child
    processes it has waited for (the leaderboard's chart renderer)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def load_average() -> float:
    """The 1-minute load average: the machine is shared, and a loaded one shows here."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Run:
    who: str  # "floor" or "bot"
    n: int = 0
    failed: int = 0
    unanswered: int = 0  # acknowledged, then never answered (counted in failed too)
    acks: list[float] = field(default_factory=list)
    answers: list[float] = field(default_factory=list)
    answered_s: float = 0.0  # first dispatch to the last member's answer
    drained_s: float = 0.0  # until nothing was left in flight
    cpu_s: float = 0.0
    rss_mib: float = 0.0
    own_calls: collections.Counter[str] = field(default_factory=collections.Counter)
    load: float = 0.0  # the machine's 1-minute load average when the burst began
    global_429: int = 0
    route_429: int = 0
    by_kind: dict[str, list[float]] = field(default_factory=dict)  # answer ms per command

    @property
    def cpu_ms(self) -> float:
        """CPU milliseconds per command."""
        return self.cpu_s * 1000 / max(self.n, 1)

    def ack(self, q: float) -> float:
        return percentile(self.acks, q)

    def answer(self, q: float) -> float:
        return percentile(self.answers, q)

    @property
    def own_total(self) -> int:
        return sum(self.own_calls.values())

    def line(self, label: str) -> str:
        """One line a script can read."""
        return (
            f"BENCH mixed {label} who={self.who} n={self.n} failed={self.failed} "
            f"unanswered={self.unanswered} "
            f"ack_p99_ms={percentile(self.acks, 99):.0f} "
            f"answer_p99_ms={percentile(self.answers, 99):.0f} answered_s={self.answered_s:.2f} "
            f"drained_s={self.drained_s:.2f} cpu_ms_per_cmd={self.cpu_ms:.2f} "
            f"own_calls_per_cmd={self.own_total / max(self.n, 1):.3f} "
            f"429_global={self.global_429} 429_route={self.route_429} rss_mib={self.rss_mib:.0f} "
            f"load={self.load:.1f}"
        )


def _is_own(route: str) -> bool:
    """A call on the bot's token: anything but the exempt interaction endpoints."""
    return not route.startswith(("/webhooks/", "/interactions/"))


async def burst(
    sandbox: Sandbox, who: str, child: asyncio.subprocess.Process, *, rate_limits: bool
) -> Run:
    plan = calls()
    discord = sandbox.discord
    discord.ratelimits.enabled = rate_limits
    discord.exchanges = []
    limited = dict(discord.ratelimits.limited)
    load = load_average()
    pid = child.pid
    with sandbox_gc_paused():
        cpu_before = cpu_seconds(pid)
        loop = asyncio.get_running_loop()
        start = loop.time()
        with stopwatch() as took:
            interactions: list[Interaction] = list(
                await asyncio.gather(
                    *(discord.run_command(sandbox.guild_id, h, c, o) for h, c, o in plan)
                )
            )
            await settle_child(sandbox, child if who == "bot" else None, SETTLE_LIMIT)
        cpu_after = cpu_seconds(pid)
    exchanges = discord.exchanges or []
    discord.exchanges = None
    discord.ratelimits.enabled = False
    last: dict[str, float] = {}
    result = Run(who=who, n=len(interactions), load=load)
    for exchange in exchanges:
        if exchange.route.startswith("/webhooks/"):
            token = exchange.path.split("/")[3]
            last[token] = max(last.get(token, 0.0), exchange.at)
        elif _is_own(exchange.route):
            result.own_calls[f"{exchange.method} {exchange.route}"] += 1
    ends: list[float] = []
    for ix, (_, kind, _) in zip(interactions, plan, strict=True):
        if ix.failed or not ix.replies:
            result.failed += 1
            result.unanswered += int(not ix.failed)
        if ix.ack_ms is not None:
            result.acks.append(float(ix.ack_ms))
        end = last.get(ix.token)
        if end is None and ix.ack_ms is not None and not ix.thinking:
            end = ix.dispatched_at + ix.ack_ms / 1000.0
        if end is not None:
            ends.append(end)
            wait = (end - ix.dispatched_at) * 1000.0
            result.answers.append(wait)
            result.by_kind.setdefault(kind, []).append(wait)
    result.answered_s = (max(ends) - start) if ends else float("nan")
    result.drained_s = took[0]
    result.cpu_s = cpu_after - cpu_before
    result.rss_mib = rss_mib(pid)
    now = discord.ratelimits.limited
    result.global_429 = now.get("global", 0) - limited.get("global", 0)
    result.route_429 = now.get("user", 0) - limited.get("user", 0)
    return result


@dataclass
class PerCommand:
    kind: str
    n: int
    cpu_ms: float  # the bot process's CPU per command
    statements: float  # SQL statements per command
    own_calls: float  # Discord calls other than the interaction endpoints, per command
    settled_ms: float  # median dispatch to settled (answered, effects done)


async def per_command(sandbox: Sandbox, child: Any) -> list[PerCommand]:
    """Each kind ``SEQ`` times, one command at a time (rate limits off): what one command
    costs the bot when nothing else runs."""
    found = []
    discord = sandbox.discord
    for kind in KINDS:
        plan = sequential_calls(kind)
        cpu = cpu_seconds(child.pid)
        statements = (await child_stats(child))["statements"]
        requests = len(discord.requests)
        waits = []
        for handle, command, options in plan:
            ix = await discord.run_command(sandbox.guild_id, handle, command, options)
            await sandbox.settle(limit=60.0)
            if ix.failed or not ix.replies:
                raise RuntimeError(f"{command} by {handle} was not answered")
            waits.append(loop_time() - ix.dispatched_at)
        made = discord.requests[requests:]
        own = sum(1 for _, path, _ in made if not path.startswith(("/webhooks/", "/inter")))
        found.append(
            PerCommand(
                kind=kind,
                n=len(plan),
                cpu_ms=(cpu_seconds(child.pid) - cpu) * 1000 / len(plan),
                statements=((await child_stats(child))["statements"] - statements) / len(plan),
                own_calls=own / len(plan),
                settled_ms=percentile(waits, 50) * 1000,
            )
        )
    return found


def loop_time() -> float:
    return asyncio.get_running_loop().time()


async def _warm_up(sandbox: Sandbox) -> None:
    """One read of each kind that writes nothing, so imports and first connections are paid
    before the burst (the leaderboard is left out: its card would then be cached)."""
    for command, options in (
        ("team info", {"team": "Abierto 00"}),
        ("talks list", {}),
        ("mentor book", {}),
    ):
        await sandbox.discord.run_command(sandbox.guild_id, "warm", command, options)
    await sandbox.settle(limit=60.0)


async def pair(backend: Backend, *, rate_limits: bool) -> tuple[Run, Run, dict[str, Any]]:
    """The floor, then the bot, on one freshly set-up sandbox."""
    with tempfile.TemporaryDirectory(prefix="hackbot-bench-mixed-") as tmp:
        workdir = Path(tmp)
        url = await prepare(backend, workdir, "mixed")
        async with running_sandbox(url, workdir, rate_limits=False, overrides=OVERRIDES) as sandbox:
            with stopwatch() as took:
                await setup(sandbox)
            info: dict[str, Any] = {"setup_s": took[0]}
            async with bot_in_own_process(sandbox, "benchmarks.floor_process") as child:
                await _warm_up(sandbox)
                floor = await burst(sandbox, "floor", child, rate_limits=rate_limits)
            async with bot_in_own_process(sandbox) as child:
                await _warm_up(sandbox)
                info["per_command"] = await per_command(sandbox, child)
                bot = await burst(sandbox, "bot", child, rate_limits=rate_limits)
            log = workdir / "bot_process.log"
            info["bot_log_lines"] = (
                sum(
                    1
                    for line in log.read_text(errors="replace").splitlines()
                    if line.startswith(("ERROR", "CRITICAL"))
                )
                if log.exists()
                else 0
            )
            await sandbox.start_bot()  # the sandbox closes an in-process bot
    return floor, bot, info


# -- the section ----------------------------------------------------------------------------
def _row(label: str, r: Run) -> list[str]:
    return [
        label,
        r.who,
        f"{r.failed} ({r.unanswered})",
        f"{ms(r.ack(50))} / {ms(r.ack(99))} / {ms(r.ack(100))}",
        f"{ms(r.answer(50))} / {ms(r.answer(99))} / {ms(r.answer(100))}",
        f"{r.answered_s:.2f}",
        f"{r.drained_s:.2f}",
        f"{r.cpu_ms:.2f}",
        f"{r.own_total / max(r.n, 1):.2f}",
        f"{r.global_429} / {r.route_429}",
        f"{r.load:.1f}",
    ]  # fmt: skip


async def run(backends: list[Backend], *, limits: tuple[bool, ...] = (False, True)) -> Section:
    section = Section(
        title=f"{N:,}-interaction burst of every feature, against the floor",
        method=(
            f"{N:,} members each run one command at the same moment, a sixth of them each: "
            f"`/team join` (on {OPEN_TEAMS} open teams of one, 4 places each), `/mentor book` "
            f"(their own team; {MENTORS} mentors with {SLOTS} free slots each), `/submit` (their "
            "team's model on the local Hub, no added latency), `/talks list` (a month of daily "
            f"talks synced from the local Calendar), `/team info` (an open team) and "
            "`/leaderboard` (the likes board, enabled for the benchmark). Bot and floor each "
            "run in a process of their own against the local Discord (`benchmarks/bot_process.py`, "
            "`benchmarks/floor_process.py`: a bare discord.py client that defers every "
            "interaction and sends one followup), one after the other on the same sandbox "
            "and data, after a warm-up of three reads. Each pair runs with the local "
            "Discord's rate limits off and on. `ack`: dispatch to the first callback "
            "(an interaction not acknowledged within 3 s fails); `answer`: dispatch to the "
            "last followup or edit of that interaction; `answered s`: first dispatch to the "
            "last member's answer; `drained s`: until nothing was left in flight; `CPU ms/cmd`: "
            "the child process's user + system CPU over the burst (with its own children's); "
            "`own calls/cmd`: the process's Discord requests other than the exempt "
            "interaction callback and webhook; `load`: the machine's 1-minute load average "
            "as the burst began (the local Discord serving the burst is one Python process: "
            "on a loaded machine it falls behind, and the floor's interactions fail too; its "
            "heap is collected and frozen before each burst, so that its own garbage "
            "collection stays out of the figures)."
        ),
        headers=[
            "database, limits",
            "who",
            "failed (of which acknowledged, never answered)",
            "ack p50 / p99 / max ms",
            "answer p50 / p99 / max ms",
            "answered s",
            "drained s",
            "CPU ms/cmd",
            "own calls/cmd",
            "429 global / route",
            "load",
        ],
    )
    with stopwatch() as took:
        for backend in backends:
            if not backend.available:
                section.notes.append(f"{backend.name}: skipped ({backend.unavailable}).")
                continue
            for on in limits:
                label = f"{backend.name}, limits {'on' if on else 'off'}"
                print(f"    {label} ...", file=sys.stderr, flush=True)
                floor, bot, info = await pair(backend, rate_limits=on)
                tag = label.replace(", ", "-").replace(" ", "_")
                for r in (floor, bot):
                    print(r.line(tag), file=sys.stderr, flush=True)
                for c in info["per_command"]:
                    print(
                        f"BENCH mixed-one {tag} command={c.kind.replace(' ', '_')} n={c.n} "
                        f"cpu_ms={c.cpu_ms:.1f} statements={c.statements:.1f} "
                        f"own_calls={c.own_calls:.1f} settled_ms={c.settled_ms:.0f}",
                        file=sys.stderr,
                        flush=True,
                    )
                section.rows += [_row(label, floor), _row(label, bot)]
                _judge(section, backend.name, on, floor, bot)
                _explain(section, label, bot, info)
    section.seconds = took[0]
    return section


def _judge(section: Section, db: str, on: bool, floor: Run, bot: Run) -> None:
    what = f"mixed {N:,}-command burst, {db}, limits {'on' if on else 'off'}"
    section.verdicts.append(
        Verdict(f"{what}: none failed", f"{bot.failed} failed (floor {floor.failed})", "0",
                verdict(bot.failed == 0))
    )  # fmt: skip
    if not on:
        ratio = bot.ack(99) / floor.ack(99)
        # Figures over the interactions that did not fail: with failures they say too little
        # (a failed command did no work), so the target is not shown met.
        whole = bot.failed == 0
        partial = "" if whole else f"; {bot.failed} failed, not comparable"
        section.verdicts += [
            Verdict(f"{what}: ack p99 against the floor",
                    f"{ms(bot.ack(99))} ms vs {ms(floor.ack(99))} ms ({ratio:.1f}x){partial}",
                    f"≤ {ACK_RATIO}x", verdict(whole and ratio <= ACK_RATIO)),
            Verdict(f"{what}: all answered",
                    f"{bot.answered_s:.1f} s (floor {floor.answered_s:.1f} s){partial}",
                    f"≤ {SETTLED_S[db]:.0f} s",
                    verdict(whole and bot.answered_s <= SETTLED_S[db])),
            Verdict(f"{what}: bot CPU per command",
                    f"{bot.cpu_ms:.1f} ms (floor {floor.cpu_ms:.1f} ms){partial}",
                    f"≤ {CPU_MS:.0f} ms", verdict(whole and bot.cpu_ms <= CPU_MS)),
        ]  # fmt: skip
    else:
        p99 = bot.answer(99)
        section.verdicts += [
            Verdict(f"{what}: members' answers p99",
                    f"{ms(p99)} ms (floor {ms(floor.answer(99))} ms)",
                    f"≤ {ANSWER_P99_MS:,.0f} ms", verdict(p99 <= ANSWER_P99_MS)),
            Verdict(f"{what}: non-interaction Discord calls per command",
                    f"{bot.own_total / bot.n:.2f} "
                    f"({bot.global_429} / {bot.route_429} 429s, global / route)",
                    "reported", verdict(None)),
        ]  # fmt: skip


def _explain(section: Section, label: str, bot: Run, info: dict[str, Any]) -> None:
    kinds = ", ".join(
        f"{kind} {ms(percentile(waits, 50))} / {ms(percentile(waits, 99))}"
        for kind, waits in bot.by_kind.items()
    )
    calls_text = ", ".join(f"`{route}` {count}" for route, count in bot.own_calls.most_common())
    one = "; ".join(
        f"{c.kind} {c.cpu_ms:.1f} / {c.statements:.0f} / {c.own_calls:.1f} / {ms(c.settled_ms)}"
        for c in info["per_command"]
    )
    section.notes.append(
        f"{label}: one command at a time ({SEQ} of each kind before the burst, rate limits "
        f"off), bot CPU ms / SQL statements / own Discord calls / ms until settled, per "
        f"command: {one}."
    )
    section.notes.append(
        f"{label}: the bot's answer p50 / p99 ms by command: {kinds}. Its own Discord calls: "
        f"{calls_text or 'none'}. Bot process RSS after the burst {bot.rss_mib:.0f} MiB; "
        f"set-up {info['setup_s']:.0f} s; {info['bot_log_lines']} error line(s) in its log."
    )


def main() -> int:
    from benchmarks.common import machine, postgres_backend, sqlite_backend, stop_postgres
    from benchmarks.report import render

    which = set(sys.argv[1:]) or {"sqlite", "postgres"}
    backends = []
    if "sqlite" in which:
        backends.append(sqlite_backend())
    if "postgres" in which:
        backends.append(postgres_backend())
    try:
        section = asyncio.run(run(backends))
    finally:
        if "postgres" in which:
            stop_postgres()
    sys.stdout.write(render([section], machine(), section.seconds, []))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
