"""What a case worker writes about a victim — a note on a step of her case, why her risk rose,
what a review is about, why a referral was withdrawn, why she revoked her consent, why someone
opened her record in an emergency — is encrypted at rest like her narrative. So are the title
of an incident and the towns of its places and route ("the flat above the bakery in Ballarò").
Read straight from the database, none of it is there in clear; through the services, the pages
and the API it reads back, and the search still finds it for those who may see it."""

from datetime import timedelta
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from corridor.accounts.services import issue_api_token
from corridor.cases import services as cases
from corridor.consent.models import Consent
from corridor.consent.services import record_consent, revoke_consent
from corridor.incidents import services as incidents
from corridor.incidents.models import Incident, Place, RouteLeg
from corridor.people.services import break_glass
from corridor.referrals import services as referrals

MARK = "ZQX-fatou-said-the-boss-kept-her-passport"


def raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - test names only
        return [str(row[0] or "") for row in cursor.fetchall()]


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


def test_free_text_about_a_victim_is_never_stored_in_clear(world):
    coordinator, responder = world.users.coordinator, world.users.responder
    case = cases.change_risk_level(
        world.case, actor=coordinator, risk_level="high", reason=f"risk {MARK}", expected_version=1
    )
    cases.schedule_review(
        case, actor=coordinator, due_on=timezone.localdate() + timedelta(days=7), topic=MARK
    )
    consent = record_consent(
        world.person,
        actor=responder,
        purposes=[Consent.Purpose.ASSISTANCE],
        data_categories=[Consent.DataCategory.IDENTITY, Consent.DataCategory.CASE],
        method=Consent.Method.WRITTEN,
        recipient_agencies=[world.shelter],
    )
    referral = referrals.refer_case(
        case, actor=responder, to_agency=world.shelter, service_type="shelter", note=MARK
    )
    referrals.withdraw_referral(
        referral, actor=responder, reason=f"withdrawn {MARK}", expected_version=referral.version
    )
    revoke_consent(consent, actor=responder, reason=f"revoked {MARK}")
    outsider = world.users.investigator
    break_glass(actor=outsider, reference=world.person.reference, reason=f"emergency {MARK}")

    for table, column in [
        ("cases_caseevent", "note"),
        ("cases_casereview", "topic"),
        ("referrals_referral", "note"),
        ("referrals_referral", "withdraw_reason"),
        ("cases_consent", "revocation_reason"),
        ("accounts_breakglassgrant", "reason"),
        ("audit_auditevent", "reason"),
        ("audit_auditevent", "details"),
    ]:
        assert not any(MARK in value for value in raw(table, column)), f"{table}.{column}"

    referral.refresh_from_db()
    assert referral.note == MARK and MARK in referral.withdraw_reason
    assert MARK in Consent.objects.get(pk=consent.pk).revocation_reason


def test_incident_titles_and_localities_are_never_stored_in_clear(client, world):
    responder = world.users.responder
    incident = incidents.record_incident(actor=responder, title=f"Flat above the bakery {MARK}")
    incident = incidents.update_incident(
        incident,
        actor=responder,
        expected_version=incident.version,
        title=f"Flat above the old bakery {MARK}",
    )
    incidents.add_place(
        incident, actor=responder, country="IT", kind="exploitation", locality=f"Ballarò {MARK}"
    )
    incidents.add_route_leg(
        incident, actor=responder, from_country="LY", from_locality=f"Zuwara {MARK}",
        to_country="IT", to_locality=f"Lampedusa {MARK}", mode="sea",
    )  # fmt: skip

    for table, column in [
        ("incidents_incident", "title"),
        ("incidents_place", "locality"),
        ("incidents_routeleg", "from_locality"),
        ("incidents_routeleg", "to_locality"),
        ("audit_auditevent", "reason"),
        ("audit_auditevent", "details"),  # clear JSON by design: field names, never the text
    ]:
        assert not any(MARK in value for value in raw(table, column)), f"{table}.{column}"

    stored = Incident.objects.get(pk=incident.pk)
    assert stored.title == f"Flat above the old bakery {MARK}"
    assert Place.objects.get(incident=stored).locality == f"Ballarò {MARK}"
    assert RouteLeg.objects.get(incident=stored).origin == f"Zuwara {MARK} (LY)"
    client.force_login(responder)
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert f"Flat above the old bakery {MARK}" in page and f"Lampedusa {MARK}" in page
    headers = {"Authorization": f"Bearer {issue_api_token(actor=responder, name='t')[1]}"}
    body = client.get(f"/api/incidents/{incident.reference}", headers=headers).json()
    assert body["title"] == stored.title and body["places"][0]["locality"] == f"Ballarò {MARK}"
    assert body["route_legs"][0]["to_locality"] == f"Lampedusa {MARK}"

    # Words of the title or of a locality, in any case and without the accent, still find it
    # for whoever may see the incident (a coordinator of the country) and never for an outsider.
    for user, sees in [
        (responder, True),
        (world.users.coordinator, True),
        (world.users.foreign_responder, False),
        (world.users.foreign_coordinator, False),
    ]:
        token = {"Authorization": f"Bearer {issue_api_token(actor=user, name='t')[1]}"}
        for q in ["old BAKERY", "ballaro", "zuwara flat"]:
            found = client.get("/api/incidents", {"q": q}, headers=token).json()["items"]
            assert [i["reference"] for i in found] == ([incident.reference] if sees else []), q
        client.force_login(user)
        listing = client.get("/incidents/", {"q": "old bakery"}).content.decode()
        assert (incident.reference in listing) is sees and (MARK in listing) is sees
    assert client.get(f"/incidents/{incident.reference}/").status_code == 404  # an outsider
    assert incidents.filter_incidents(Incident.objects.all(), q="bakery ZANZIBAR").count() == 0


def test_the_migration_encrypts_titles_and_localities_written_in_clear(world):
    incident = incidents.record_incident(actor=world.users.responder, title="placeholder")
    incidents.add_place(incident, actor=world.users.responder, country="IT", kind="transit")
    with connection.cursor() as cursor:  # as rows were before the migration: in clear
        cursor.execute("UPDATE incidents_incident SET title = %s", [f"Old title {MARK}"])
        cursor.execute("UPDATE incidents_place SET locality = %s", [f"Old town {MARK}"])
    migration = import_module(
        "corridor.incidents.migrations.0002_titles_and_localities_encrypted"
    ).Migration
    steps = [op for op in migration.operations if hasattr(op, "code")]
    for _twice in range(2):  # running it again changes nothing
        for step in steps:
            step.code(apps, SimpleNamespace(connection=connection))
        assert not any(MARK in v for v in raw("incidents_incident", "title"))
        assert not any(MARK in v for v in raw("incidents_place", "locality"))
        assert Incident.objects.get(pk=incident.pk).title == f"Old title {MARK}"
        assert Place.objects.get(incident=incident).locality == f"Old town {MARK}"
