"""The screening API, as a case management system or an offline collector calls it: the same
rules as the wizard, errors that name the field, nothing written on bad input."""

import pytest

from corridor.accounts.services import issue_api_token
from corridor.audit.models import AuditEvent
from corridor.screening.models import IndicatorCatalogue, Screening

from .conftest import FORCED_LABOUR


def auth(user) -> dict:
    _token, raw = issue_api_token(actor=user, name="case management system")
    return {"Authorization": f"Bearer {raw}"}


def post(client, user, body, headers=None):
    return client.post(
        "/api/screenings", body, content_type="application/json", headers=headers or auth(user)
    )


def test_a_responder_screens_through_the_api_and_gets_the_explanation(
    client, world, adult, catalogues
):
    response = post(
        client,
        world.users.responder,
        {"person": adult.reference, "exploitation": "labour", "answers": FORCED_LABOUR},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["result"] == "presumed_victim"
    assert body["result_label"] == "Presumed victim of trafficking"
    assert body["catalogue"] == {
        "code": "ilo-ec-2009-adult-labour",
        "version": 1,
        "list_kind": "adult_labour",
    }
    assert body["person"] == adult.reference and body["case"]
    dimensions = {d["code"]: d for d in body["explanation"]["dimensions"]}
    assert dimensions["coercion_at_destination"]["rule"] == "two_strong"
    assert [p["code"] for p in dimensions["exploitation"]["present"]] == [
        "ex_excessive_hours",
        "ex_low_or_no_pay",
    ]
    assert body["htcds"]["vic_TypeOfExploitation"] == ["ForcedLabour"]
    assert Screening.objects.get(reference=body["reference"]).person == adult


def test_a_catalogue_is_chosen_by_code_and_version_or_by_list(client, world, adult, catalogues):
    by_code = post(
        client,
        world.users.responder,
        {"person": adult.reference, "catalogue": "ilo-ec-2009-adult-labour", "version": 1},
    )
    by_kind = post(
        client, world.users.responder, {"person": adult.reference, "list_kind": "adult_sexual"}
    )
    assert by_code.status_code == by_kind.status_code == 201
    assert by_kind.json()["catalogue"]["list_kind"] == "adult_sexual"


def test_a_child_screened_with_an_adult_list_gets_422_naming_catalogue(
    client, world, child, catalogues
):
    response = post(
        client,
        world.users.responder,
        {"person": child.reference, "list_kind": "adult_labour", "answers": FORCED_LABOUR},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["detail"]] == ["catalogue"]
    assert not Screening.objects.exists()
    # By exploitation, the children's list is chosen for her.
    response = post(
        client, world.users.responder, {"person": child.reference, "exploitation": "labour"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["catalogue"]["list_kind"] == "child_labour"
    assert body["treated_as_child"] and body["guardian_required"]
    assert body["next_step"] == "child_protection"
    assert body["suggested_service"] == "child_protection"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"exploitation": "labour", "answers": {"dr_invented": True}}, "answers"),
        ({"exploitation": "labour", "answers": {"dr_wages": "perhaps"}}, "answers.dr_wages"),
        ({"catalogue": "ilo-ec-2009-adult-labour", "version": 99}, "catalogue"),
        ({"catalogue": "no-such-list"}, "catalogue"),
        ({}, "catalogue"),
        ({"exploitation": "organ"}, "exploitation"),
        ({"exploitation": "labour", "colour": "blue"}, "colour"),
    ],
)
def test_bad_input_gets_422_naming_the_field_and_writes_nothing(
    client, world, adult, catalogues, body, field
):
    headers = auth(world.users.responder)
    events = AuditEvent.objects.count()
    response = post(client, None, {"person": adult.reference, **body}, headers)
    assert response.status_code == 422, response.content
    assert field in [e["field"] for e in response.json()["detail"]]
    assert not Screening.objects.exists() and not adult.cases.exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("username", ["foreign_responder", "analyst", "admin"])
def test_a_person_outside_scope_is_not_found(client, world, adult, catalogues, username):
    response = post(
        client,
        getattr(world.users, username),
        {"person": adult.reference, "exploitation": "labour"},
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_reader_who_may_not_change_the_person_gets_403(client, world, catalogues):
    # The shelter sees the referred person but does not screen them.
    response = post(
        client, world.users.provider, {"person": world.person.reference, "exploitation": "labour"}
    )
    assert response.status_code == 403
    assert not Screening.objects.exists()


def test_reading_a_screening_is_scoped_and_audited(client, world, adult, catalogues):
    reference = post(
        client, world.users.responder, {"person": adult.reference, "exploitation": "labour"}
    ).json()["reference"]
    response = client.get(f"/api/screenings/{reference}", headers=auth(world.users.colleague))
    assert response.status_code == 200 and response.json()["reference"] == reference
    assert AuditEvent.objects.filter(action="view", object_ref=reference).count() == 1
    for user in (world.users.foreign_coordinator, world.users.analyst):
        response = client.get(f"/api/screenings/{reference}", headers=auth(user))
        assert response.status_code == 404
    assert AuditEvent.objects.filter(action="view", object_ref=reference).count() == 1


def test_the_published_lists_come_with_their_indicators_in_few_queries(
    client, world, catalogues, django_assert_max_num_queries
):
    headers = auth(world.users.analyst)
    with django_assert_max_num_queries(8):
        response = client.get("/api/catalogues", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == IndicatorCatalogue.objects.filter(published=True).count() == 4
    adult_labour = next(c for c in body["items"] if c["list_kind"] == "adult_labour")
    assert adult_labour["offered"] and "original" in adult_labour["source_note"]
    first = adult_labour["dimensions"][0]
    assert first["code"] == "deceptive_recruitment"
    assert first["indicators"][0] == {
        "code": "dr_nature_of_job",
        "strength": "S",
        "text": first["indicators"][0]["text"],
        "methods_of_control": ["MethodsOfControlFalsePromises"],
        "exploitation": [],
    }
    assert {"en", "fr", "pt", "ar"} <= set(first["indicators"][0]["text"])
