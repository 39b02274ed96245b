"""The board as a PNG: a horizontal bar chart readable on a phone (1080 px wide, large type).

Rendered with matplotlib's object API on the Agg canvas (no pyplot, no global figure state), in a
short-lived process of its own (this file run as a script: the request as JSON on its standard
input, the PNG on its standard output). matplotlib and numpy take about 40 MiB once imported and
are needed only for the few renders an event makes (a card is reused for a minute), so the bot
never imports them: each render's process returns all of it to the system when it exits, and a
crash in native drawing code cannot take the bot down. Names cannot break the image: invisible
characters are dropped, characters the font has no glyph for (emoji) are left out, ``$`` never
starts math, and long names are cut.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from bot.text import clean

FONT = "DejaVu Sans"
NAME_CHARS = 24
MAX_BARS = 25
WIDTH_IN = 7.2
DPI = 150
BAR_COLOR = "#f5a623"
TOP_COLOR = "#e8590c"
RENDER_TIMEOUT_S = 60.0  # a render takes well under a second plus the process's start
# The directory that holds the ``bot`` package: the render process imports ``bot.text`` from it.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[3])


class ChartError(RuntimeError):
    """The render process failed or timed out; its last words are in the message."""


@dataclass(frozen=True)
class Bar:
    label: str  # "1. Los Tigres", as shown
    value: float
    value_text: str


@cache
def _glyphs() -> frozenset[int]:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(FONT, fallback_to_default=True)
    return frozenset(FT2Font(path).get_charmap())


def drawable(text: str, limit: int = NAME_CHARS) -> str:
    """``text`` as the chart can draw it: visible characters the font has, cut to ``limit``."""
    glyphs = _glyphs()
    kept = "".join(ch for ch in clean(text) if ord(ch) in glyphs or ch == " ")
    kept = " ".join(kept.split())
    if len(kept) > limit:
        kept = kept[: limit - 1].rstrip() + "…"
    return kept or "?"


def render(title: str, bars: Sequence[Bar], empty_text: str) -> bytes:
    """The chart as PNG bytes, in this process (blocking, and it imports matplotlib: the bot
    calls :func:`render_png`, which runs this in a process of its own)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    bars = list(bars)[:MAX_BARS]
    height = 1.4 + 0.42 * max(len(bars), 3)
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout=None)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.40, 0.3 / height, 0.52, 1 - 1.0 / height))
    figure.text(
        0.5,
        1 - 0.35 / height,
        drawable(title, 60),
        ha="center",
        va="center",
        fontsize=15,
        fontweight="bold",
        parse_math=False,
        family=FONT,
    )
    if not bars:
        axes.set_axis_off()
        axes.text(
            0.5, 0.5, drawable(empty_text, 60), ha="center", va="center", fontsize=13,
            parse_math=False, family=FONT, transform=axes.transAxes,
        )  # fmt: skip
    else:
        positions = list(range(len(bars)))[::-1]
        values = [max(bar.value, 0.0) for bar in bars]
        top = max(values) or 1.0
        colors = [TOP_COLOR if i < 3 else BAR_COLOR for i in range(len(bars))]
        axes.barh(positions, values, color=colors, height=0.72)
        axes.set_xlim(0, top * 1.25)
        axes.set_ylim(-0.6, len(bars) - 0.4)
        axes.set_yticks([])
        axes.set_xticks([])
        for side in ("top", "right", "bottom", "left"):
            axes.spines[side].set_visible(False)
        for position, bar, value in zip(positions, bars, values, strict=True):
            axes.text(
                -0.02, position, drawable(bar.label), ha="right", va="center", fontsize=12,
                parse_math=False, family=FONT, transform=axes.get_yaxis_transform(),
            )  # fmt: skip
            axes.text(
                value + top * 0.02, position, drawable(bar.value_text, 16), ha="left",
                va="center", fontsize=11, parse_math=False, family=FONT,
            )  # fmt: skip
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


async def render_png(title: str, bars: Sequence[Bar], empty_text: str) -> bytes:
    """The chart as PNG bytes, rendered by a process of its own (see the module's docstring).

    Raises :class:`ChartError` when that process fails or takes longer than
    ``RENDER_TIMEOUT_S``.

    The process is started by the standard library's ``subprocess`` in a worker thread, not by
    the event loop: uvloop's ``create_subprocess_exec`` runs the interpreter's at-fork handlers
    in the forked child before ``exec`` (uvloop issue 749), and huggingface_hub's handler closes
    its HTTP client there, taking a lock that a Hub worker thread may hold at that instant. That
    child then never reaches ``exec``, and libuv, which waits for the ``exec``, froze the whole
    event loop. ``subprocess`` runs no Python code between ``fork`` and ``exec``."""
    request = json.dumps({"title": title, "bars": [asdict(bar) for bar in bars],
                          "empty_text": empty_text}).encode()  # fmt: skip
    done = await asyncio.to_thread(_run_render_process, request)
    if done.returncode != 0 or not done.stdout:
        last = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise ChartError(f"the chart process exited {done.returncode}: {last[0]}")
    return done.stdout


def _run_render_process(request: bytes) -> subprocess.CompletedProcess[bytes]:
    """In a worker thread: this file as a script, ``request`` on its standard input; killed
    after ``RENDER_TIMEOUT_S`` (a caller cancelled meanwhile leaves it to that bound)."""
    path = os.pathsep.join(p for p in (_PACKAGE_ROOT, os.environ.get("PYTHONPATH")) if p)
    try:
        return subprocess.run(  # our own interpreter and file, no shell
            [sys.executable, __file__],
            input=request,
            capture_output=True,
            timeout=RENDER_TIMEOUT_S,
            env={**os.environ, "PYTHONPATH": path, "MPLBACKEND": "Agg"},
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # subprocess.run has killed it
        raise ChartError(f"the chart process took over {RENDER_TIMEOUT_S:.0f} s") from exc


def main() -> int:
    """The render process: a request as JSON on standard input, the PNG on standard output."""
    request = json.loads(sys.stdin.buffer.read())
    bars = [Bar(**bar) for bar in request["bars"]]
    sys.stdout.buffer.write(render(request["title"], bars, request["empty_text"]))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
