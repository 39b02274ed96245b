from __future__ import annotations

from sandbox.harness import Sandbox


async def test_team_create_makes_thread_and_forum_post(sandbox: Sandbox) -> None:
    outcome = await sandbox.run("ana", "team create", {"name": "Los Tigres"})
    assert outcome.errors == []
    assert outcome.replies[0]["ephemeral"] is True
    kinds = [effect["type"] for effect in outcome.effects]
    assert kinds[:3] == ["thread_created", "thread_member_added", "forum_post_created"]
    assert outcome.effects[2]["tags"] == ["buscamos gente"]
