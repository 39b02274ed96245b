"""HubClient (real HfApi in worker threads) against the local Hub."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from huggingface_hub import constants as hf_constants
from huggingface_hub.utils import _detect_agent

from bot.clients.hub import HubClient, HubError
from sandbox.hub import LocalHub, commit_sha
from tests.clients.conftest import RecordingSleep


def client(
    hub: LocalHub, sleep: RecordingSleep, token: str | None = None, **kw: float
) -> HubClient:
    return HubClient(hub.url, token, sleep=sleep, **kw)  # type: ignore[arg-type]


async def test_model_info_maps_to_plain_dataclass(hub: LocalHub, sleep: RecordingSleep) -> None:
    info = await client(hub, sleep).model_info("somosnlp/tigre-7b")
    assert info.sha == commit_sha("somosnlp/tigre-7b", "2024-04-09T21:00:00Z")
    assert info.parameters == 7_241_732_096
    assert info.card_data["license"] == "apache-2.0"
    assert "config.json" in info.files and info.gated is None and not info.private
    assert info.kind == "model"


async def test_requests_in_flight_are_bounded_and_run_in_the_clients_own_threads(
    hub: LocalHub, sleep: RecordingSleep
) -> None:
    hub.latency = 0.2  # every request is still in flight when the next ones are sent
    api = client(hub, sleep, max_concurrency=3)
    threads: set[str] = set()
    original = api._in_thread

    def noting_thread(fn: Any) -> Any:
        threads.add(threading.current_thread().name)
        return original(fn)

    api._in_thread = noting_thread  # type: ignore[method-assign]
    infos = await asyncio.gather(*(api.model_info("somosnlp/tigre-7b") for _ in range(10)))
    assert {info.parameters for info in infos} == {7_241_732_096}
    assert hub.peak_in_flight == 3
    assert threads and all(name.startswith("hub") for name in threads)
    assert len(threads) <= 3


async def test_no_request_beyond_the_configured_endpoint(
    hub: LocalHub, sleep: RecordingSleep, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SDK's telemetry would fetch an "agent harnesses" registry from HF_ENDPOINT (the
    public Hub) on the first request and cache it under HF_HOME. Here HF_ENDPOINT points at the
    local Hub and the registry is not known yet: the fetch would show in its log."""
    monkeypatch.setattr(hf_constants, "ENDPOINT", hub.url)
    registry = tmp_path / "agent_harnesses.json"
    monkeypatch.setattr(hf_constants, "AGENT_HARNESSES_PATH", str(registry))
    monkeypatch.setattr(_detect_agent, "_registry", None)
    api = client(hub, sleep)
    await api.model_info("somosnlp/tigre-7b")
    assert [path for _, path, _ in hub.requests] == ["/api/models/somosnlp/tigre-7b"]
    assert not registry.exists()


async def test_space_info_and_runtime(hub: LocalHub, sleep: RecordingSleep) -> None:
    hub.set("somosnlp/tigre-demo", {"stage": "RUNTIME_ERROR"})
    hc = client(hub, sleep)
    info = await hc.space_info("somosnlp/tigre-demo")
    assert info.stage == "RUNTIME_ERROR" and info.sdk == "gradio"
    assert info.linked_models == ("somosnlp/tigre-7b",)
    runtime = await hc.space_runtime("somosnlp/tigre-demo")
    assert runtime.stage == "RUNTIME_ERROR" and runtime.requested_hardware == "cpu-basic"


async def test_commits_files_and_card(hub: LocalHub, sleep: RecordingSleep) -> None:
    hub.page_size = 1
    hc = client(hub, sleep)
    commits = await hc.list_commits("somosnlp/tigre-7b", "model")
    assert [c.date.day for c in commits] == [9, 2]
    files = await hc.list_files("somosnlp/tigre-corpus-it", "dataset")
    assert {(f.path, f.is_dir) for f in files} >= {("data", True), ("data/train.jsonl", False)}
    card = await hc.read_card("somosnlp/tigre-7b", "model")
    assert card.startswith("---\nlicense: apache-2.0")


@pytest.mark.parametrize(
    ("repo_id", "revision", "kind"),
    [
        ("somosnlp/no-existe", None, "not_found"),
        ("somosnlp/secreto", None, "not_found"),
        ("somosnlp/apagado", None, "not_found"),  # without a token, as on the Hub
        ("somosnlp/tigre-7b", "0" * 40, "revision_not_found"),
    ],
)
async def test_info_errors(
    hub: LocalHub, sleep: RecordingSleep, repo_id: str, revision: str | None, kind: str
) -> None:
    with pytest.raises(HubError) as caught:
        await client(hub, sleep).model_info(repo_id, revision)
    assert caught.value.kind == kind and caught.value.repo_id == repo_id
    assert sleep.calls == []
    if kind == "not_found":
        assert "not found or private" in str(caught.value)


async def test_disabled_told_apart_with_a_token(hub: LocalHub, sleep: RecordingSleep) -> None:
    with pytest.raises(HubError) as caught:
        await client(hub, sleep, "hf_owner_token").model_info("somosnlp/apagado")
    assert caught.value.kind == "disabled"


async def test_unknown_token_is_unauthorized(hub: LocalHub, sleep: RecordingSleep) -> None:
    hc = client(hub, sleep, "hf_owner_token")
    await hc.model_info("somosnlp/tigre-7b")
    hub.revoke("hf_owner_token")
    for call in (
        hc.model_info("somosnlp/tigre-7b"),
        hc.read_card("somosnlp/tigre-7b"),
        hc.list_commits("somosnlp/tigre-7b"),
        hc.upload_files("somosnlp/tigre-7b", "model", {"a.txt": b"a"}, "a"),
    ):
        with pytest.raises(HubError) as caught:
            await call
        assert caught.value.kind == "unauthorized"
    assert sleep.calls == []


async def test_repo_info_asks_only_for_what_it_reads(hub: LocalHub, sleep: RecordingSleep) -> None:
    hc = client(hub, sleep)
    info = await hc.space_info("somosnlp/tigre-demo")
    assert info.stage == "BUILDING" and info.linked_models == ("somosnlp/tigre-7b",)
    (method, path, status), *_ = hub.requests
    assert (method, path, status) == ("GET", "/api/spaces/somosnlp/tigre-demo", 200)


async def test_create_repo_and_upload_files(hub: LocalHub, sleep: RecordingSleep) -> None:
    hc = client(hub, sleep, "hf_owner_token")
    await hc.create_repo("somosnlp/tablas", "dataset")
    await hc.create_repo("somosnlp/tablas", "dataset")  # exist_ok
    sha = await hc.upload_files(
        "somosnlp/tablas",
        "dataset",
        {"likes.csv": b"equipo,likes\n", "README.md": b"---\nlicense: mit\n---\n# Tablas\n"},
        "Publish likes",
    )
    info = await hc.dataset_info("somosnlp/tablas")
    assert info.sha == sha and info.card_data == {"license": "mit"}
    assert {"likes.csv", "README.md"} <= set(info.files)
    assert await hc.read_text("somosnlp/tablas", "likes.csv", "dataset", sha) == "equipo,likes\n"
    commits = await hc.list_commits("somosnlp/tablas", "dataset")
    assert [c.title for c in commits] == ["Publish likes", "Initial commit"]
    # Unchanged content: no commit, the head's sha.
    assert (
        await hc.upload_files(
            "somosnlp/tablas", "dataset", {"likes.csv": b"equipo,likes\n"}, "again"
        )
        == sha
    )
    assert len(await hc.list_commits("somosnlp/tablas", "dataset")) == 2
    with pytest.raises(HubError) as caught:
        await client(hub, sleep).upload_files("somosnlp/tablas", "dataset", {"x": b"x"}, "x")
    assert caught.value.kind == "unauthorized"


async def test_write_rate_limited_is_retried(hub: LocalHub, sleep: RecordingSleep) -> None:
    hub.set_fault("somosnlp/tigre-7b", "429")

    async def clear_then_sleep(delay: float) -> None:
        await sleep(delay)
        hub.set_fault("somosnlp/tigre-7b", "none")

    hc = HubClient(hub.url, "hf_owner_token", sleep=clear_then_sleep)
    sha = await hc.upload_files("somosnlp/tigre-7b", "model", {"notes.md": b"hola"}, "Notes")
    assert (await hc.model_info("somosnlp/tigre-7b")).sha == sha
    assert sleep.calls == [float(hub.rate_limit_reset)]
    assert [s for m, _, s in hub.requests if m == "POST"] == [429, 200, 200]


async def test_private_repo_visible_with_owner_token(hub: LocalHub, sleep: RecordingSleep) -> None:
    info = await client(hub, sleep, "hf_owner_token").model_info("somosnlp/secreto")
    assert info.private


async def test_gated_file_and_missing_file(hub: LocalHub, sleep: RecordingSleep) -> None:
    hc = client(hub, sleep)
    assert "Tigre" in await hc.read_card("somosnlp/cerrado")
    with pytest.raises(HubError) as gated:
        await hc.read_text("somosnlp/cerrado", "model.safetensors")
    assert gated.value.kind == "gated"
    with pytest.raises(HubError) as missing:
        await hc.read_text("somosnlp/tigre-7b", "adapter_config.json")
    assert missing.value.kind == "entry_not_found"
    assert sleep.calls == []


async def test_bad_token_is_unauthorized_without_retry(
    hub: LocalHub, sleep: RecordingSleep
) -> None:
    with pytest.raises(HubError) as caught:
        await client(hub, sleep, "hf_invalid_token").model_info("somosnlp/tigre-7b")
    assert caught.value.kind == "unauthorized"
    assert sleep.calls == [] and len(hub.requests) == 1


async def test_rate_limit_is_retried_after_reset(hub: LocalHub, sleep: RecordingSleep) -> None:
    hub.set_fault("somosnlp/tigre-7b", "429")

    async def clear_then_sleep(delay: float) -> None:
        await sleep(delay)
        hub.set_fault("somosnlp/tigre-7b", "none")

    hc = HubClient(hub.url, None, sleep=clear_then_sleep)
    info = await hc.model_info("somosnlp/tigre-7b")
    assert info.repo_id == "somosnlp/tigre-7b"
    assert [status for _, _, status in hub.requests] == [429, 200]
    assert sleep.calls == [float(hub.rate_limit_reset)]


async def test_rate_limit_persistent_gives_rate_limited(
    hub: LocalHub, sleep: RecordingSleep
) -> None:
    hub.set_fault("*", "429")
    with pytest.raises(HubError) as caught:
        await client(hub, sleep, retries=2).read_card("somosnlp/tigre-7b")
    assert caught.value.kind == "rate_limited"
    assert caught.value.retry_after == hub.rate_limit_reset
    assert len(sleep.calls) == 2


async def test_server_error_retried_then_unavailable(hub: LocalHub, sleep: RecordingSleep) -> None:
    hub.set_fault("somosnlp/tigre-7b", "500")
    with pytest.raises(HubError) as caught:
        await client(hub, sleep, retries=3).model_info("somosnlp/tigre-7b")
    assert caught.value.kind == "unavailable"
    assert [s for _, _, s in hub.requests] == [500] * 4
    assert sleep.calls == [1.0, 2.0, 4.0]


async def test_timeout_gives_unavailable_quickly(hub: LocalHub, sleep: RecordingSleep) -> None:
    hub.set_fault("somosnlp/tigre-7b", "timeout")
    started = time.monotonic()
    with pytest.raises(HubError) as caught:
        await client(hub, sleep, retries=1, timeout=0.3).model_info("somosnlp/tigre-7b")
    assert caught.value.kind == "unavailable"
    assert len(sleep.calls) == 1
    assert time.monotonic() - started < 3


async def test_timeout_applies_to_card_download(hub: LocalHub, sleep: RecordingSleep) -> None:
    hub.set_fault("somosnlp/tigre-7b", "timeout")
    started = time.monotonic()
    with pytest.raises(HubError) as caught:
        await client(hub, sleep, retries=0, timeout=0.3).read_card("somosnlp/tigre-7b")
    assert caught.value.kind == "unavailable"
    assert time.monotonic() - started < 3


async def test_reads_at_a_sha_are_cached(hub: LocalHub, sleep: RecordingSleep) -> None:
    hc = client(hub, sleep)
    head = await hc.model_info("somosnlp/tigre-7b")
    assert head.sha is not None
    again = await hc.model_info("somosnlp/tigre-7b", head.sha)
    card = await hc.read_card("somosnlp/tigre-7b", "model", head.sha)
    assert await hc.read_card("somosnlp/tigre-7b", "model", head.sha) == card
    assert again == head and len(hub.requests) == 2 and hc.requests == 2
    # A head read is never taken from the cache, unless max_age allows it.
    await hc.model_info("somosnlp/tigre-7b")
    await hc.repo_info("somosnlp/tigre-7b", "model", max_age=60)
    assert len(hub.requests) == 3


async def test_read_bytes_asks_only_for_a_range(hub: LocalHub, sleep: RecordingSleep) -> None:
    hub.set("somosnlp/tigre-7b", {"contents": {"tokenizer.json": "x" * 5000}})
    hc = client(hub, sleep)
    head = await hc.read_bytes("somosnlp/tigre-7b", "tokenizer.json", limit=100)
    assert head == b"x" * 100


async def test_budget_turns_into_rate_limited(hub: LocalHub, sleep: RecordingSleep) -> None:
    hc = HubClient(hub.url, None, sleep=sleep, budget=2, budget_window=300)
    await hc.model_info("somosnlp/tigre-7b")
    await hc.dataset_info("somosnlp/tigre-corpus-it")
    with pytest.raises(HubError) as caught:
        await hc.space_info("somosnlp/tigre-demo")
    assert caught.value.kind == "rate_limited" and caught.value.retry_after is not None
    assert len(hub.requests) == 2
