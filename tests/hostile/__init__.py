"""The hostile-input corpus (``corpus.txt`` beside this file), read as the tests use it.

One input per line; a line that is ``##`` or starts with ``## `` is a comment; Python-style
escapes keep invisible characters
visible in the file; ``repeat(N) text`` is ``text`` repeated N times. See the file's header.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus.txt"

_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.S)
_SIMPLE = {"\\": "\\", "n": "\n", "r": "\r", "t": "\t", "0": "\0"}
_REPEAT = re.compile(r"repeat\((\d+)\) (.*)", re.S)


def unescape(text: str) -> str:
    """``text`` with its escapes replaced by the characters they name."""

    def replace(match: re.Match[str]) -> str:
        code = match[1] or match[2] or match[3]
        if code:
            return chr(int(code, 16))
        if match[4] not in _SIMPLE:
            raise ValueError(f"unknown escape \\{match[4]} in {text!r}")
        return _SIMPLE[match[4]]

    return _ESCAPE.sub(replace, text)


def parse_line(line: str) -> str | None:
    """The input a corpus line stands for, or None for a comment or a blank line."""
    if not line.strip() or line == "##" or line.startswith("## "):
        return None
    repeated = _REPEAT.fullmatch(line)
    if repeated:
        return unescape(repeated[2]) * int(repeated[1])
    return unescape(line)


@cache
def corpus() -> tuple[str, ...]:
    """Every input of the corpus, in file order."""
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return tuple(value for line in lines if (value := parse_line(line)) is not None)
