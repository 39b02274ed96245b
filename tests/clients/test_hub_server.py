"""The real huggingface_hub client, unmodified, against the local Hub."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi, hf_hub_download
from huggingface_hub.errors import (
    BadRequestError,
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


async def test_disabled_repo_needs_a_token_to_tell(hub: LocalHub) -> None:
    # Without a token the Hub answers 401, which the client reports as not found.
    with pytest.raises(RepositoryNotFoundError):
        await asyncio.to_thread(api(hub).model_info, "somosnlp/apagado")
    with pytest.raises(DisabledRepoError):
        await asyncio.to_thread(api(hub, "hf_someone_else").model_info, "somosnlp/apagado")
    assert [r[2] for r in hub.requests] == [401, 403]


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


@pytest.mark.parametrize("token", ["hf_mistyped_token", "hf_owner_token_revoked"])
async def test_unknown_or_revoked_token_is_401_on_every_call(
    hub: LocalHub, tmp_path: Path, token: str
) -> None:
    if token.endswith("_revoked"):
        token = "hf_owner_token"
        await asyncio.to_thread(api(hub, token).model_info, "somosnlp/secreto")
        hub.revoke(token)
    calls = [
        lambda: api(hub, token).model_info("somosnlp/tigre-7b"),
        lambda: api(hub, token).list_repo_commits("somosnlp/tigre-7b"),
        lambda: list(api(hub, token).list_repo_tree("somosnlp/tigre-7b")),
        lambda: api(hub, token).get_space_runtime("somosnlp/tigre-demo"),
        lambda: hf_hub_download(
            "somosnlp/tigre-7b", "config.json", endpoint=hub.url, token=token, cache_dir=tmp_path
        ),
        lambda: api(hub, token).upload_file(
            path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="somosnlp/tigre-7b"
        ),
    ]
    hub.requests.clear()
    for call in calls:
        with pytest.raises(Exception) as caught:
            await asyncio.to_thread(call)
        assert not isinstance(caught.value, RepositoryNotFoundError), caught.value
    assert hub.requests and {status for _, _, status in hub.requests} == {401}


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


# -- revisions: every change is a commit, every read at a sha sees that commit --------------------
async def test_change_makes_a_new_commit_and_old_sha_keeps_old_content(
    hub: LocalHub, tmp_path: Path
) -> None:
    old = commit_sha("somosnlp/tigre-7b", "2024-04-09T21:00:00Z")
    later = datetime(2024, 4, 11, 9, 30, tzinfo=UTC)
    hub.now = lambda: later
    hub.set("somosnlp/tigre-7b", {"card": "---\nlicense: mit\n---\n# Nuevo\n"})
    hub.set("somosnlp/tigre-7b", {"files": ["config.json", "model.bin"]})
    hub.set("somosnlp/tigre-7b", {"likes": 99, "downloads": 1})  # not content: no commit
    client = api(hub)
    head = await asyncio.to_thread(client.model_info, "somosnlp/tigre-7b")
    commits = await asyncio.to_thread(client.list_repo_commits, "somosnlp/tigre-7b")
    assert len(commits) == 4 and commits[2].commit_id == old
    assert head.sha == commits[0].commit_id != commits[1].commit_id != old
    assert head.last_modified == later and commits[0].created_at == later
    assert head.card_data is not None and head.card_data["license"] == "mit"
    assert {s.rfilename for s in head.siblings or []} >= {"model.bin"}
    at_old = await asyncio.to_thread(client.model_info, "somosnlp/tigre-7b", revision=old)
    assert at_old.sha == old and at_old.card_data is not None
    assert at_old.card_data["license"] == "apache-2.0"
    assert at_old.safetensors is not None
    old_names = {s.rfilename for s in at_old.siblings or []}
    assert "model.safetensors" in old_names and "model.bin" not in old_names
    tree = await asyncio.to_thread(
        lambda: {e.path for e in client.list_repo_tree("somosnlp/tigre-7b", revision=old)}
    )
    assert "model.safetensors" in tree and "model.bin" not in tree

    def readme(revision: str) -> str:
        path = hf_hub_download(
            "somosnlp/tigre-7b",
            "README.md",
            revision=revision,
            endpoint=hub.url,
            token=False,
            cache_dir=tmp_path,
        )
        return Path(path).read_text(encoding="utf-8")

    assert "# Tigre 7B" in await asyncio.to_thread(readme, old)
    assert "# Nuevo" in await asyncio.to_thread(readme, str(head.sha))
    assert "# Nuevo" in await asyncio.to_thread(readme, "main")


async def test_expand_returns_only_the_asked_fields(hub: LocalHub) -> None:
    info = await asyncio.to_thread(
        api(hub).model_info, "somosnlp/tigre-7b", expand=["likes", "sha"]
    )
    assert info.likes == 12 and info.sha is not None
    assert info.card_data is None and info.siblings is None and info.safetensors is None
    space = await asyncio.to_thread(
        api(hub).space_info, "somosnlp/tigre-demo", expand=["runtime", "models"]
    )
    assert space.runtime is not None and space.models == ["somosnlp/tigre-7b"]
    assert space.sdk is None and space.card_data is None
    with pytest.raises(BadRequestError):
        await asyncio.to_thread(
            api(hub).dataset_info,
            "somosnlp/tigre-corpus-it",
            expand=["safetensors"],  # type: ignore[list-item]
        )


# -- writes --------------------------------------------------------------------------------------
async def test_create_repo_and_exist_ok(hub: LocalHub) -> None:
    owner = api(hub, "hf_owner_token")
    url = await asyncio.to_thread(
        lambda: owner.create_repo("somosnlp/tabla", repo_type="dataset", private=False)
    )
    assert url.repo_id == "somosnlp/tabla" and url.repo_type == "dataset"
    again = await asyncio.to_thread(
        lambda: owner.create_repo("somosnlp/tabla", repo_type="dataset", exist_ok=True)
    )
    assert again.repo_id == "somosnlp/tabla"
    with pytest.raises(HfHubHTTPError) as conflict:
        await asyncio.to_thread(lambda: owner.create_repo("somosnlp/tabla", repo_type="dataset"))
    assert conflict.value.response is not None and conflict.value.response.status_code == 409
    info = await asyncio.to_thread(owner.dataset_info, "somosnlp/tabla")
    commits = await asyncio.to_thread(
        owner.list_repo_commits, "somosnlp/tabla", repo_type="dataset"
    )
    assert info.private is False and [c.commit_id for c in commits] == [info.sha]
    private = await asyncio.to_thread(lambda: owner.create_repo("somosnlp/oculto", private=True))
    assert private.repo_id == "somosnlp/oculto"
    with pytest.raises(RepositoryNotFoundError):
        await asyncio.to_thread(api(hub).model_info, "somosnlp/oculto")


async def test_create_repo_needs_a_member_token(hub: LocalHub) -> None:
    for token, status in ((False, 401), ("hf_someone_else", 403)):
        with pytest.raises(HfHubHTTPError) as caught:
            await asyncio.to_thread(
                lambda t=token: api(hub, t).create_repo("somosnlp/nada", exist_ok=False)
            )
        assert caught.value.response is not None
        assert caught.value.response.status_code == status
    assert hub.get("somosnlp/nada") is None


async def test_upload_file_makes_a_real_commit(hub: LocalHub, tmp_path: Path) -> None:
    owner = api(hub, "hf_owner_token")
    await asyncio.to_thread(lambda: owner.create_repo("somosnlp/tabla", repo_type="dataset"))
    first = await asyncio.to_thread(owner.dataset_info, "somosnlp/tabla")
    hub.now = lambda: datetime(2024, 4, 10, 12, 5, tzinfo=UTC)
    done = await asyncio.to_thread(
        lambda: owner.upload_file(
            path_or_fileobj=b"equipo,likes\nTigres,12\n",
            path_in_repo="data/likes.csv",
            repo_id="somosnlp/tabla",
            repo_type="dataset",
            commit_message="Likes at noon",
        )
    )
    assert done.oid != first.sha
    paths = [(m, p) for m, p, _ in hub.requests if m == "POST"]
    assert ("POST", "/api/datasets/somosnlp/tabla/preupload/main") in paths
    assert ("POST", "/api/datasets/somosnlp/tabla/commit/main") in paths
    commits = await asyncio.to_thread(
        owner.list_repo_commits, "somosnlp/tabla", repo_type="dataset"
    )
    assert [c.commit_id for c in commits] == [done.oid, first.sha]
    assert commits[0].title == "Likes at noon"
    assert commits[0].created_at == datetime(2024, 4, 10, 12, 5, tzinfo=UTC)

    def read(revision: str) -> str:
        path = hf_hub_download(
            "somosnlp/tabla",
            "data/likes.csv",
            repo_type="dataset",
            revision=revision,
            endpoint=hub.url,
            token=False,
            cache_dir=tmp_path,
        )
        return Path(path).read_text(encoding="utf-8")

    assert await asyncio.to_thread(read, done.oid) == "equipo,likes\nTigres,12\n"
    with pytest.raises(RemoteEntryNotFoundError):
        await asyncio.to_thread(read, str(first.sha))
    # The same content again: the SDK leaves it out and no commit is made.
    same = await asyncio.to_thread(
        lambda: owner.upload_file(
            path_or_fileobj=b"equipo,likes\nTigres,12\n",
            path_in_repo="data/likes.csv",
            repo_id="somosnlp/tabla",
            repo_type="dataset",
        )
    )
    assert same.oid == done.oid


async def test_commit_card_delete_and_stale_parent(hub: LocalHub) -> None:
    owner = api(hub, "hf_owner_token")
    before = await asyncio.to_thread(owner.model_info, "somosnlp/tigre-7b")
    card = "---\nlicense: mit\nlanguage: [es]\n---\n# Otro\n"
    done = await asyncio.to_thread(
        lambda: owner.create_commit(
            "somosnlp/tigre-7b",
            operations=[
                CommitOperationAdd("README.md", card.encode()),
                CommitOperationDelete("tokenizer.json"),
            ],
            commit_message="New card",
            parent_commit=before.sha,
        )
    )
    info = await asyncio.to_thread(owner.model_info, "somosnlp/tigre-7b")
    assert info.sha == done.oid and info.card_data is not None
    assert info.card_data["license"] == "mit"
    assert "tokenizer.json" not in {s.rfilename for s in info.siblings or []}
    with pytest.raises(HfHubHTTPError) as stale:
        await asyncio.to_thread(
            lambda: owner.create_commit(
                "somosnlp/tigre-7b",
                operations=[CommitOperationAdd("notes.txt", b"x")],
                commit_message="Stale",
                parent_commit=before.sha,
            )
        )
    assert stale.value.response is not None and stale.value.response.status_code == 412
    with pytest.raises(ValueError, match="Invalid metadata"):
        await asyncio.to_thread(
            lambda: owner.upload_file(
                path_or_fileobj=b"---\nlicense: [mit\n---\n",
                path_in_repo="README.md",
                repo_id="somosnlp/tigre-7b",
            )
        )


async def test_write_needs_a_member_token(hub: LocalHub) -> None:
    for token, status in ((False, 401), ("hf_someone_else", 403)):
        with pytest.raises(HfHubHTTPError) as caught:
            await asyncio.to_thread(
                lambda t=token: api(hub, t).upload_file(
                    path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="somosnlp/tigre-7b"
                )
            )
        assert caught.value.response is not None
        assert caught.value.response.status_code == status
    assert len(await asyncio.to_thread(api(hub).list_repo_commits, "somosnlp/tigre-7b")) == 2
