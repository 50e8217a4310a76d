"""A first responder registers and edits a person; mistakes and races are caught."""

import pytest
from django.core.exceptions import ValidationError

from corridor.audit.models import AuditEvent
from corridor.core.concurrency import ConcurrentEdit
from corridor.people import services
from corridor.people.models import Person


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


def test_a_responder_registers_a_person_and_the_creation_is_audited(client, world):
    client.force_login(world.users.responder)
    response = client.post(
        "/people/new/",
        {
            "given_name": "Aminata",
            "family_name": "Traoré",
            "sex": "female",
            "nationality": "ML",
            "age_estimate_min": "15",
            "age_estimate_max": "17",
            "languages": "bm, fr",
        },
    )
    person = Person.objects.exclude(pk=world.person.pk).get()
    assert response.status_code == 302 and response.url == f"/people/{person.reference}/"
    assert person.owner_agency == world.police and person.presumed_minor
    event = AuditEvent.objects.get(action="create", object_ref=person.reference)
    assert "given_name" in event.details["fields"]
    assert "Aminata" not in str(event.details)


def test_bad_input_names_the_field_and_writes_nothing(client, world):
    client.force_login(world.users.responder)
    response = client.post(
        "/people/new/",
        {
            "sex": "robot",
            "age_estimate_min": "30",
            "age_estimate_max": "20",
            "email": "not-an-email",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"sex", "email"} <= set(errors)
    assert Person.objects.count() == 1
    response = client.post(
        "/people/new/", {"sex": "male", "age_estimate_min": "30", "age_estimate_max": "20"}
    )
    assert "age_estimate_max" in response.context["form"].errors
    assert Person.objects.count() == 1


def test_two_people_editing_at_once_never_overwrite_each_other(world):
    person = world.person
    version = person.version
    first = Person.objects.get(pk=person.pk)
    second = Person.objects.get(pk=person.pk)
    services.update_person(
        first, actor=world.users.responder, expected_version=version, given_name="Joy"
    )
    with pytest.raises(ConcurrentEdit):
        services.update_person(
            second, actor=world.users.colleague, expected_version=version, given_name="Precious"
        )
    assert Person.objects.get(pk=person.pk).given_name == "Joy"


def test_a_stale_edit_page_shows_a_clear_error(client, world):
    client.force_login(world.users.responder)
    stale = world.person.version
    services.update_person(
        world.person, actor=world.users.colleague, expected_version=stale, aliases="Mama J"
    )
    response = client.post(
        f"/people/{world.person.reference}/edit/",
        {"sex": "female", "given_name": "Changed", "version": stale},
    )
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    assert Person.objects.get(pk=world.person.pk).given_name != "Changed"


def test_changes_are_audited_without_the_sensitive_values(world):
    services.update_person(
        world.person,
        actor=world.users.responder,
        expected_version=world.person.version,
        given_name="Esther",
        nationality="GH",
    )
    event = AuditEvent.objects.get(action="change", object_ref=world.person.reference)
    assert set(event.details["fields"]) == {"given_name", "nationality"}
    assert event.details["values"] == {"nationality": "GH"}


def test_unknown_fields_are_refused(world):
    with pytest.raises(ValidationError) as excinfo:
        services.register_person(actor=world.users.responder, owner_agency_id=999)
    assert "owner_agency_id" in excinfo.value.message_dict


def test_exporting_a_record_uses_htcds_names_and_is_audited(client, world):
    client.force_login(world.users.provider)
    response = client.get(f"/people/{world.person.reference}/export/")
    assert response.status_code == 200
    record = response.json()
    assert record["prs_FirstName"] == world.person.given_name
    assert record["prs_Gender"] == "Female" and record["prs_Citizenship"] == "NG"
    assert record["cases"][0]["cas_Reference"] == world.case.reference
    event = AuditEvent.objects.get(action="export", object_ref=world.person.reference)
    assert event.actor_username == "provider"


def test_outsiders_cannot_export(client, world):
    client.force_login(world.users.analyst)
    assert client.get(f"/people/{world.person.reference}/export/").status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()


def test_the_person_list_costs_the_same_queries_for_5_or_50_records(
    client, world, django_assert_max_num_queries
):
    from corridor.core.testing import PersonFactory

    client.force_login(world.users.coordinator)
    PersonFactory.create_batch(4, owner_agency=world.police)
    with django_assert_max_num_queries(14) as few:
        client.get("/people/")
    PersonFactory.create_batch(45, owner_agency=world.police)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/people/")
