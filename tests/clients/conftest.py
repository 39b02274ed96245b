"""Fixtures: the local Hub and the local Calendar, each on a free port, one per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sandbox.gcal import LocalCalendar
from sandbox.hub import LocalHub

CLOCK = datetime(2024, 4, 10, 12, 0, tzinfo=UTC)

MODEL_CARD = """---
license: apache-2.0
language: [es]
datasets: [somosnlp/tigre-corpus-it]
base_model: mistralai/Mistral-7B-v0.1
---
# Tigre 7B

Modelo ajustado con instrucciones en español.
"""


class RecordingSleep:
    """An injectable sleep that records its delays and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.calls.append(delay)


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def hub() -> AsyncIterator[LocalHub]:
    server = LocalHub(
        now=lambda: CLOCK,
        tokens={"hf_owner_token"},
        users={"hf_someone_else"},
        hold_seconds=5.0,
    )
    server.load(
        {
            "models": {
                "somosnlp/tigre-7b": {
                    "card": MODEL_CARD,
                    "files": ["config.json", "model.safetensors", "tokenizer.json"],
                    "parameters": 7_241_732_096,
                    "likes": 12,
                    "downloads": 340,
                    "commits": ["2024-04-09T21:00:00Z", "2024-04-02T08:30:00Z"],
                },
                "somosnlp/secreto": {"card": MODEL_CARD, "private": True},
                "somosnlp/cerrado": {
                    "card": MODEL_CARD,
                    "gated": True,
                    "files": ["model.safetensors"],
                },
                "somosnlp/apagado": {"disabled": True},
            },
            "datasets": {
                "somosnlp/tigre-corpus-it": {
                    "card": "---\nlanguage: [es]\nlicense: cc-by-4.0\n---\n# Corpus\n",
                    "files": ["data/train.jsonl"],
                    "rows": [{"pregunta": "¿Qué?", "respuesta": "Esto."}],
                }
            },
            "spaces": {
                "somosnlp/tigre-demo": {
                    "card": "---\nsdk: gradio\nmodels: [somosnlp/tigre-7b]\n---\n",
                    "files": ["app.py", "requirements.txt"],
                    "stage": "BUILDING",
                }
            },
        }
    )
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def calendar() -> AsyncIterator[LocalCalendar]:
    server = LocalCalendar(now=lambda: CLOCK, hold_seconds=5.0)
    await server.start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
def key_file(calendar: LocalCalendar, tmp_path: Path) -> Path:
    return calendar.write_service_account_key(tmp_path / "service-account.json")
