"""Organizer commands through the sandbox: `/admin registrations` with an attached CSV,
`/admin verify` by address or number, `/admin unverify`, the counts in `/admin status`, and
`/profile` (country by Babel names with autocomplete, Hub user)."""

from __future__ import annotations

from pathlib import Path

from bot.services.registration.countries import country_names
from bot.text import neutralize
from sandbox.harness import MemberSpec, Sandbox
from tests.integration.conftest import MakeSandbox
from tests.integration.registration_support import (
    TICKET,
    eventbrite_csv,
    import_csv,
    profile_of,
    registration_of,
    registrations,
    role_names,
)
from tests.integration.replies import ENGLISH, assert_reply, expected, mention_of
from tests.integration.teams_support import audit_log, ok, reply_text
from tests.services.test_registration_import import export_500

MEMBERS = {
    "ana": (),
    "bea": (),
    "dani": MemberSpec(roles=(), locale="en-US"),
    "olga": ("organizer",),
}
ROWS = [
    ("Ana", "Pérez", "ana@example.org", TICKET, "MX", "anaperez"),
    ("Bea", "Ruiz", "bea@example.org", TICKET, "ES", ""),
    ("Xavi", "Mal", "xavi-at-example.org", TICKET, "", ""),
    ("Tere", "Taller", "tere@example.org", "Solo talleres", "", ""),
]


async def started(make_sandbox: MakeSandbox) -> Sandbox:
    return await make_sandbox(members=MEMBERS)


def roles_text(*keys: str, locale: str = "es-ES") -> str:
    return expected("registration.verify.and", locale).join(
        expected(f"core.roles.{key}", locale) for key in keys
    )


async def test_an_attached_export_is_imported_with_a_report_file(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await started(make_sandbox)
    upload = {"filename": "attendees.csv", "content": eventbrite_csv(ROWS)}
    outcome = ok(
        await sandbox.run("olga", "admin registrations", {"file": upload, "role": "as-participant"})
    )
    summary = expected(
        "registration.admin.imported",
        role=expected("choices.as-participant"),
        added=2,
        updated=0,
        unchanged=0,
        skipped=2,
    )
    assert reply_text(outcome) == summary
    assert outcome.replies[-1]["files"] == ["registrations-participant-report.txt"]
    assert len(await registrations(sandbox)) == 2
    # Again with an edit: updated, never duplicated.
    edited = eventbrite_csv([("Ana", "Pérez García", *ROWS[0][2:]), *ROWS[1:]])
    upload = {"filename": "attendees.csv", "content": edited}
    outcome = ok(
        await sandbox.run("olga", "admin registrations", {"file": upload, "role": "as-participant"})
    )
    assert reply_text(outcome) == expected(
        "registration.admin.imported",
        role=expected("choices.as-participant"),
        added=0,
        updated=1,
        unchanged=1,
        skipped=2,
    )
    assert sorted(r.name or "" for r in await registrations(sandbox)) == [
        "Ana Pérez García",
        "Bea Ruiz",
    ]


async def test_only_organizers_import_and_link(make_sandbox: MakeSandbox) -> None:
    sandbox = await started(make_sandbox)
    upload = {"filename": "attendees.csv", "content": eventbrite_csv(ROWS)}
    outcome = ok(
        await sandbox.run("ana", "admin registrations", {"file": upload, "role": "as-mentor"})
    )
    assert_reply(outcome, "core.errors.missing_role", role=expected("core.roles.organizer"))
    outcome = ok(await sandbox.run("ana", "admin verify", {"member": "@ana", "registration": "#1"}))
    assert_reply(outcome, "core.errors.missing_role", role=expected("core.roles.organizer"))
    assert await registrations(sandbox) == []


async def test_a_file_that_is_not_a_csv_is_refused(make_sandbox: MakeSandbox) -> None:
    sandbox = await started(make_sandbox)
    upload = {"filename": "attendees.xlsx", "content": "PK\x03\x04"}
    outcome = ok(
        await sandbox.run("olga", "admin registrations", {"file": upload, "role": "as-participant"})
    )
    assert_reply(outcome, "registration.errors.not_csv")


async def test_organizers_verify_by_address_or_number_and_unverify(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await started(make_sandbox)
    await import_csv(sandbox, eventbrite_csv(ROWS))
    outcome = ok(
        await sandbox.run(
            "olga", "admin verify", {"member": "@ana", "registration": "ANA@example.org"}
        )
    )
    ana = await registration_of(sandbox, "ana")
    assert ana is not None
    assert_reply(
        outcome,
        "registration.admin.verified",
        member=mention_of(sandbox, "ana"),
        number=ana.id,
        roles=roles_text("participant"),
    )
    assert "participante" in role_names(sandbox, "ana")
    profile = await profile_of(sandbox, "ana")
    assert profile is not None and profile.country == "MX"
    # The same registration for a second member is refused; so is a second one for ana.
    outcome = ok(
        await sandbox.run("olga", "admin verify", {"member": "@bea", "registration": f"#{ana.id}"})
    )
    assert_reply(outcome, "registration.errors.linked_to_other", number=ana.id)
    bea_number = ana.id + 1
    outcome = ok(
        await sandbox.run(
            "olga", "admin verify", {"member": "@ana", "registration": f"#{bea_number}"}
        )
    )
    assert_reply(outcome, "registration.errors.member_has_other", number=ana.id)
    outcome = ok(await sandbox.run("olga", "admin unverify", {"member": "@ana"}))
    assert_reply(
        outcome,
        "registration.admin.unverified",
        member=mention_of(sandbox, "ana"),
        number=ana.id,
        roles=roles_text("participant"),
    )
    assert "participante" not in role_names(sandbox, "ana")
    assert await registration_of(sandbox, "ana") is None
    outcome = ok(await sandbox.run("olga", "admin unverify", {"member": "@ana"}))
    assert_reply(outcome, "registration.errors.not_verified")
    # Free again: bea may now be linked to it.
    ok(await sandbox.run("olga", "admin verify", {"member": "@bea", "registration": f"#{ana.id}"}))
    actions = [entry.action for entry in await audit_log(sandbox, "registration.")]
    assert actions == ["registration.linked", "registration.unlinked", "registration.linked"]
    outcome = ok(
        await sandbox.run("olga", "admin verify", {"member": "@dani", "registration": "#999"})
    )
    assert_reply(outcome, "registration.errors.no_registration")


async def test_admin_status_counts_registered_verified_and_unverified(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await started(make_sandbox)
    await import_csv(sandbox, eventbrite_csv(ROWS))
    ok(await sandbox.run("ana", "verify"))
    ok(await sandbox.submit("ana", ["ana@example.org"]))
    outcome = ok(await sandbox.run("olga", "admin status"))
    fields = {f["name"]: f["value"] for f in outcome.replies[-1]["embeds"][0]["fields"]}
    title = expected("registration.status.title")
    assert fields[title].splitlines() == [
        expected("registration.status.registered", count=2),
        expected("registration.status.roles", participants=2, mentors=0),
        expected("registration.status.verified", count=1),
        expected("registration.status.unverified", count=1),
    ]


async def test_profile_country_autocomplete_and_hub_user(make_sandbox: MakeSandbox) -> None:
    sandbox = await started(make_sandbox)
    outcome = ok(await sandbox.forge_autocomplete("dani", "profile", "country", "spa"))
    choices = outcome.replies[-1]["choices"]
    assert {"name": "Spain", "value": "ES"} in choices
    outcome = ok(await sandbox.forge_autocomplete("ana", "profile", "country", "méx"))
    assert outcome.replies[-1]["choices"][0] == {"name": "México", "value": "MX"}
    outcome = ok(await sandbox.run("ana", "profile", {"country": "MX", "hub_user": "@ana-p"}))
    assert reply_text(outcome).splitlines() == [
        expected("registration.profile.updated"),
        expected("registration.profile.country", country=country_names("es")["MX"]),
        expected("registration.profile.hub_user", hub_user="ana-p"),
    ]
    outcome = ok(await sandbox.run("ana", "profile", {"country": "Atlantis"}))
    assert_reply(outcome, "registration.errors.bad_country")
    outcome = ok(await sandbox.run("ana", "profile", {"hub_user": "<@123> hi"}))
    assert_reply(outcome, "registration.errors.bad_hub_user")
    profile = await profile_of(sandbox, "ana")
    assert profile is not None and (profile.country, profile.hub_user) == ("MX", "ana-p")
    # Verifying later keeps what the member set and fills only what is missing.
    await import_csv(sandbox, eventbrite_csv(ROWS))
    ok(await sandbox.run("ana", "verify"))
    ok(await sandbox.submit("ana", ["ana@example.org"]))
    profile = await profile_of(sandbox, "ana")
    assert profile is not None and (profile.country, profile.hub_user) == ("MX", "ana-p")
    outcome = ok(await sandbox.run("dani", "profile"))
    assert reply_text(outcome).splitlines()[0] == expected("registration.profile.title", ENGLISH)


async def test_a_500_row_export_through_discord_then_a_member_verifies(
    make_sandbox: MakeSandbox,
) -> None:
    sandbox = await started(make_sandbox)
    upload = {"filename": "attendees.csv", "content": export_500()}
    outcome = ok(
        await sandbox.run("olga", "admin registrations", {"file": upload, "role": "as-participant"})
    )
    assert reply_text(outcome) == expected(
        "registration.admin.imported",
        role=expected("choices.as-participant"),
        added=440,
        updated=0,
        unchanged=0,
        skipped=60,
    )
    ok(await sandbox.click("ana", label=expected("registration.welcome.button", "es")))
    outcome = ok(await sandbox.submit("ana", ["Person123@example.org"]))
    assert_reply(outcome, "registration.verify.done", roles=roles_text("participant"))
    linked = await registration_of(sandbox, "ana")
    assert linked is not None and linked.name == "Nombre123 Apellido123"
    if sandbox.db_url.startswith("sqlite"):
        assert sandbox.bot is not None
        await sandbox.bot.db.dispose()
        path = Path(sandbox.db_url.split("///", 1)[1])
        blob = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert b"Nombre123" in blob and b"example.org" not in blob


async def test_the_team_card_shows_the_hub_users_members_gave(make_sandbox: MakeSandbox) -> None:
    sandbox = await make_sandbox(members={"ana": ("participant",), "bea": ("participant",)})
    ok(await sandbox.run("ana", "team create", {"name": "Los Tigres"}))
    ok(await sandbox.run("ana", "team invite", {"member": "@bea"}))
    ok(await sandbox.click("bea", index=0, where="dm"))
    ok(await sandbox.run("ana", "profile", {"hub_user": "ana-p"}))
    outcome = ok(await sandbox.run("bea", "team info"))
    [embed] = outcome.replies[-1]["embeds"]
    members = next(
        field["value"]
        for field in embed["fields"]
        if field["name"].startswith(expected("teams.info.members", size=2, max=5)[:8])
    )
    # Ana gave a Hub user and shows it (escaped as any text a member wrote: Discord shows
    # "ana-p"); Bea gave none and shows only her mention.
    hub = neutralize("ana-p")
    assert members == f"{mention_of(sandbox, 'ana')} (🤗 {hub}), {mention_of(sandbox, 'bea')}"
