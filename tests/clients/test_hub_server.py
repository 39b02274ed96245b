"""The real huggingface_hub client, unmodified, against the local Hub."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.errors import (
    DisabledRepoError,
    GatedRepoError,
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from sandbox.hub import LocalHub, commit_sha


def api(hub: LocalHub, token: str | bool = False) -> HfApi:
    return HfApi(endpoint=hub.url, token=token)


async def test_model_info_fields(hub: LocalHub) -> None:
    info = await asyncio.to_thread(api(hub).model_info, "somosnlp/tigre-7b", files_metadata=True)
    assert info.sha == commit_sha("somosnlp/tigre-7b", "2024-04-09T21:00:00Z")
    assert info.last_modified is not None and info.last_modified.isoformat().startswith(
        "2024-04-09T21:00:00"
    )
    assert info.card_data is not None and info.card_data["license"] == "apache-2.0"
    assert info.card_data["base_model"] == "mistralai/Mistral-7B-v0.1"
    assert info.safetensors is not None and info.safetensors.total == 7_241_732_096
    names = {s.rfilename for s in info.siblings or []}
    assert {"README.md", "config.json", "model.safetensors", "tokenizer.json"} <= names
    sizes = {s.rfilename: s.size for s in info.siblings or []}
    assert sizes["README.md"] is not None and sizes["README.md"] > 0
    assert info.likes == 12 and info.downloads == 340 and info.gated is False


async def test_model_info_at_older_revision(hub: LocalHub) -> None:
    old = commit_sha("somosnlp/tigre-7b", "2024-04-02T08:30:00Z")
    info = await asyncio.to_thread(api(hub).model_info, "somosnlp/tigre-7b", revision=old)
    assert info.sha == old


async def test_private_repo_is_not_found_without_access(hub: LocalHub) -> None:
    with pytest.raises(RepositoryNotFoundError):
        await asyncio.to_thread(api(hub).model_info, "somosnlp/secreto")
    with pytest.raises(RepositoryNotFoundError):
        await asyncio.to_thread(api(hub, "hf_someone_else").model_info, "somosnlp/secreto")
    info = await asyncio.to_thread(api(hub, "hf_owner_token").model_info, "somosnlp/secreto")
    assert info.private is True
    assert [r[2] for r in hub.requests] == [401, 404, 200]


async def test_gated_repo_info_public_files_need_access(hub: LocalHub, tmp_path: Path) -> None:
    info = await asyncio.to_thread(api(hub).model_info, "somosnlp/cerrado")
    assert info.gated == "auto" and info.card_data is not None

    def download(filename: str, token: str | bool) -> str:
        return str(
            hf_hub_download(
                "somosnlp/cerrado", filename, endpoint=hub.url, token=token, cache_dir=tmp_path
            )
        )

    readme = await asyncio.to_thread(download, "README.md", False)
    assert "Tigre 7B" in await asyncio.to_thread(Path(readme).read_text)
    with pytest.raises(GatedRepoError):
        await asyncio.to_thread(download, "model.safetensors", False)
    with pytest.raises(GatedRepoError):
        await asyncio.to_thread(download, "model.safetensors", "hf_someone_else")
    weights = await asyncio.to_thread(download, "model.safetensors", "hf_owner_token")
    assert await asyncio.to_thread(Path(weights).exists)


async def test_disabled_repo(hub: LocalHub) -> None:
    with pytest.raises(DisabledRepoError):
        await asyncio.to_thread(api(hub).model_info, "somosnlp/apagado")


async def test_revision_and_entry_not_found(hub: LocalHub, tmp_path: Path) -> None:
    with pytest.raises(RevisionNotFoundError):
        await asyncio.to_thread(api(hub).model_info, "somosnlp/tigre-7b", revision="f" * 40)
    with pytest.raises(RemoteEntryNotFoundError):
        await asyncio.to_thread(
            hf_hub_download,
            "somosnlp/tigre-7b",
            "adapter_config.json",
            endpoint=hub.url,
            token=False,
            cache_dir=tmp_path,
        )


async def test_invalid_token_is_401_not_repo_not_found(hub: LocalHub) -> None:
    with pytest.raises(HfHubHTTPError) as caught:
        await asyncio.to_thread(api(hub, "hf_invalid_expired").model_info, "somosnlp/tigre-7b")
    assert not isinstance(caught.value, RepositoryNotFoundError)
    assert caught.value.response is not None and caught.value.response.status_code == 401


async def test_dataset_rows_download_as_jsonl(hub: LocalHub, tmp_path: Path) -> None:
    path = await asyncio.to_thread(
        hf_hub_download,
        "somosnlp/tigre-corpus-it",
        "data/train.jsonl",
        repo_type="dataset",
        endpoint=hub.url,
        token=False,
        cache_dir=tmp_path,
    )
    text = await asyncio.to_thread(Path(str(path)).read_text, encoding="utf-8")
    assert text == ('{"pregunta": "¿Qué?", "respuesta": "Esto."}\n')
    methods = [(m, p) for m, p, _ in hub.requests]
    assert ("HEAD", "/datasets/somosnlp/tigre-corpus-it/resolve/main/data/train.jsonl") in methods


async def test_commits_and_tree_paginate(hub: LocalHub) -> None:
    hub.page_size = 2
    dates = [f"2024-04-0{d}T10:00:00Z" for d in range(9, 0, -1)]
    files = [f"shards/part-{i:02d}.json" for i in range(5)]
    hub.set("somosnlp/muchos", {"commits": dates, "files": files})
    commits = await asyncio.to_thread(api(hub).list_repo_commits, "somosnlp/muchos")
    assert [c.commit_id for c in commits] == [commit_sha("somosnlp/muchos", d) for d in dates]
    assert commits[-1].title == "Initial commit"
    tree = await asyncio.to_thread(
        lambda: list(api(hub).list_repo_tree("somosnlp/muchos", recursive=True))
    )
    assert {e.path for e in tree} == {".gitattributes", "shards", *files}
    commit_pages = [p for m, p, _ in hub.requests if "/commits/" in p]
    tree_pages = [p for m, p, _ in hub.requests if "/tree/" in p]
    assert len(commit_pages) == 5 and len(tree_pages) == 4


async def test_tree_of_folder(hub: LocalHub) -> None:
    tree = await asyncio.to_thread(
        lambda: list(
            api(hub).list_repo_tree(
                "somosnlp/tigre-corpus-it", path_in_repo="data", repo_type="dataset"
            )
        )
    )
    assert [e.path for e in tree] == ["data/train.jsonl"]


async def test_space_runtime_and_info(hub: LocalHub) -> None:
    runtime = await asyncio.to_thread(api(hub).get_space_runtime, "somosnlp/tigre-demo")
    assert runtime.stage == "BUILDING" and runtime.hardware is None
    hub.set("somosnlp/tigre-demo", {"stage": "RUNNING"})
    info = await asyncio.to_thread(api(hub).space_info, "somosnlp/tigre-demo")
    assert info.runtime is not None and info.runtime.stage == "RUNNING"
    assert info.sdk == "gradio" and info.models == ["somosnlp/tigre-7b"]


async def test_set_creates_repo_with_guessed_kind(hub: LocalHub) -> None:
    hub.set("somosnlp/tigre-demo", {"likes": 3})
    assert hub.get("somosnlp/tigre-demo", "space") is not None
    assert hub.get("somosnlp/tigre-demo", "model") is None
    hub.set("somosnlp/nuevo", {"files": ["config.json"]})
    assert hub.get("somosnlp/nuevo", "model") is not None
    with pytest.raises(ValueError, match="unknown hub field"):
        hub.set("somosnlp/nuevo", {"stars": 3})


async def test_rate_limit_fault_headers(hub: LocalHub) -> None:
    hub.load({"faults": {"somosnlp/tigre-7b": "429"}})
    with pytest.raises(HfHubHTTPError) as caught:
        await asyncio.to_thread(api(hub).model_info, "somosnlp/tigre-7b")
    response = caught.value.response
    assert response is not None and response.status_code == 429
    assert response.headers["RateLimit"] == f'"api";r=0;t={hub.rate_limit_reset}'
    assert "q=500" in response.headers["RateLimit-Policy"]
    hub.set_fault("somosnlp/tigre-7b", "none")
    await asyncio.to_thread(api(hub).model_info, "somosnlp/tigre-7b")


async def test_scenario_tags_are_added(hub: LocalHub) -> None:
    hub.set("somosnlp/tigre-7b", {"tags": ["somos600m"]})
    info = await asyncio.to_thread(api(hub).model_info, "somosnlp/tigre-7b")
    assert info.tags is not None and "somos600m" in info.tags and "license:apache-2.0" in info.tags
