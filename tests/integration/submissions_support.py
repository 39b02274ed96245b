"""Helpers shared by the submissions sandbox tests (no tests here): a team's passing dataset,
model and Space on the local Hub, and the submissions as the database holds them."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from bot.models.submissions import Submission
from sandbox.harness import Sandbox, StepOutcome
from tests.integration.teams_support import create_team, reply_text

TEXT = (
    "Este corpus reúne preguntas y respuestas en español de doce países, revisadas a mano por el "
    "equipo. Explicamos cómo se creó, cómo se limpió, qué sesgos encontramos y cómo los "
    "mitigamos, y damos los scripts para reproducirlo todo desde cero sin sorpresas."
)
COLUMNS = {
    "pregunta": "¿Qué?",
    "respuesta": "Esto.",
    "idioma": "es",
    "registro": "formal",
    "periodo": "actual",
    "dominio": "general",
    "tarea": "qa",
    "país_origen": "MX",
    "pais_referencia": "ES",
}
DATASET = "somosnlp/tigre-corpus-it"
MODEL = "somosnlp/tigre-7b"
SPACE = "somosnlp/tigre-demo"


def card(**meta: Any) -> str:
    lines = ["---"]
    for key, value in meta.items():
        lines.append(f"{key}: {value}")
    lines += ["---", "# Proyecto", "", TEXT, ""]
    return "\n".join(lines)


def passing_hub() -> dict[str, dict[str, dict[str, Any]]]:
    return {
        "datasets": {
            DATASET: {
                "card": card(license="cc-by-4.0", language="[es]"),
                "files": ["data/train.jsonl"],
                "rows": [COLUMNS],
            }
        },
        "models": {
            MODEL: {
                "card": card(
                    license="apache-2.0",
                    language="[es]",
                    datasets=f"[{DATASET}]",
                    base_model="mistralai/Mistral-7B-v0.1",
                ),
                "files": ["config.json", "model.safetensors", "tokenizer.json"],
                "parameters": 7_241_732_096,
            }
        },
        "spaces": {
            SPACE: {
                "card": card(
                    license="apache-2.0",
                    language="[es]",
                    sdk="gradio",
                    models=f"[{MODEL}]",
                    datasets=f"[{DATASET}]",
                ),
                "files": ["app.py", "requirements.txt"],
                "stage": "RUNNING",
            }
        },
    }


async def team_with_hub(sandbox: Sandbox, *joiners: str, captain: str = "ana") -> None:
    """The team "Los Tigres" (``captain`` and ``joiners``) and its passing repos on the Hub."""
    sandbox.hub.load(passing_hub())
    await create_team(sandbox, captain, "Los Tigres", *joiners)


async def rows(sandbox: Sandbox, *, current_only: bool = True) -> list[Submission]:
    assert sandbox.bot is not None
    async with sandbox.bot.db.read() as session:
        query = select(Submission).order_by(Submission.id)
        if current_only:
            query = query.where(Submission.is_current)
        return list(await session.scalars(query))


async def by_kind(sandbox: Sandbox) -> dict[str, Submission]:
    return {row.kind: row for row in await rows(sandbox)}


def hub_calls(sandbox: Sandbox, since: int = 0) -> list[tuple[str, str, int]]:
    return sandbox.hub.requests[since:]


_COMMAND_ID = re.compile(r"(</[^:>]+):[0-9]+>")


def text_of(outcome: StepOutcome, index: int = -1) -> str:
    """A reply's text with command ids written 0, as :func:`expected` writes them, so a test
    may look for an expected line inside it."""
    return _COMMAND_ID.sub(r"\1:0>", reply_text(outcome, index))


def plain(text: str) -> str:
    return _COMMAND_ID.sub(r"\1:0>", text)
