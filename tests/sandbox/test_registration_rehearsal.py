"""Rehearsals take sign-up rows as ``[[registrations]]`` (imported before the first step) and
report ``registrations`` in the final state line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.sandbox.test_rehearse import rehearse

SCENARIO = """
[[registrations]]
email = "zoe@example.org"
name = "Zoe"
country = "CL"

[[registrations]]
email = "mentor@example.org"
role = "mentor"

[members.zoe]
roles = []

[members.yago]
roles = []

[[steps]]
as = "zoe"
run = "verify"

[[steps]]
as = "zoe"
submit = ["zoe@example.org"]

[[steps]]
as = "yago"
click = "Verificar"
in = "#bienvenida"

[[steps]]
as = "yago"
submit = ["zoe@example.org"]
"""


def test_registrations_are_imported_before_the_first_step_and_reported(tmp_path: Path) -> None:
    result = rehearse(tmp_path, SCENARIO, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert out[-1]["state"]["registrations"] == {"registered": 2, "verified": ["zoe"]}
    assert out[1]["effects"] == [{"type": "role_added", "member": "zoe", "role": "participante"}]
    assert out[3]["effects"] == [], "yago's try of zoe's address gives nothing"


def test_the_readable_transcript_words_the_section(tmp_path: Path) -> None:
    result = rehearse(tmp_path, SCENARIO)
    assert "registrations: 2 registered, verified: zoe" in result.stdout
