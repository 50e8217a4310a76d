"""Screenings collected offline on phones come in from ODK Central and KoBoToolbox exports.

`kobo_adult_labour.json` (KoBoToolbox JSON, adults' labour list): a woman with forced-labour
indicators, a smuggled Eritrean man, and a new screening of the person already registered as
P-7K3F9QXM. `odk_child_labour.csv` (ODK Central CSV, children's labour list): a girl of
unknown age with recruitment and exploitation indicators, and a 16-year-old smuggled boy.
"""

import copy
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from corridor.accounts.services import issue_api_token
from corridor.audit.models import AuditEvent
from corridor.cases.models import ProtectionCase
from corridor.core.testing import PersonFactory
from corridor.intake import services
from corridor.intake.models import ImportBatch, SubmissionReceipt
from corridor.people.models import Person
from corridor.screening.models import Screening

DATA = Path(__file__).parent / "data"
KOBO = "kobo_adult_labour.json"
ODK = "odk_child_labour.csv"


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def kobo() -> list[dict]:
    return json.loads(read(KOBO))


def counts() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        ProtectionCase.objects.count(),
        Screening.objects.count(),
        AuditEvent.objects.count(),
        ImportBatch.objects.count(),
        SubmissionReceipt.objects.count(),
    )


@pytest.fixture
def known_person(world):
    """The person the third KoBo submission names by reference, registered by the police."""
    return PersonFactory(reference="P-7K3F9QXM", owner_agency=world.police)


def test_a_kobo_json_export_becomes_screenings_with_the_right_results(world, known_person):
    responder = world.users.responder
    result = services.import_submissions_file(actor=responder, content=read(KOBO), file_name=KOBO)
    assert (result.rows, result.screenings, result.persons, result.already_imported) == (
        3,
        3,
        2,
        0,
    )
    by_row = {c["row"]: c for c in result.batch.created}
    first = Screening.objects.get(reference=by_row[1]["screening"])
    assert first.result == "presumed_victim" and not first.treated_as_child
    assert first.catalogue.code == "ilo-ec-2009-adult-labour"
    assert first.answers["dr_nature_of_job"] is True
    assert first.answers["dr_contract"] is False
    assert first.answers["ar_beliefs"] is None  # "dont_know"
    assert first.location == "Campobello di Mazara, tomato fields (37.6356, 12.7460)"
    assert first.notes.startswith("Works 14 hours a day")
    assert first.screened_by == responder and first.agency == world.police
    woman = first.person
    assert (woman.sex, woman.age_estimate_min, woman.age_estimate_max) == ("female", 32, 32)
    assert (woman.nationality, woman.languages, woman.owner_agency) == (
        "NG",
        "en, yo",
        world.police,
    )
    assert by_row[1]["case"] == first.case.reference  # a protection case was opened
    assert (first.case.person, first.case.kind) == (woman, "trafficking")
    assert result.cases == 3  # none of the three had a protection case yet

    second = Screening.objects.get(reference=by_row[2]["screening"])
    assert second.result == "smuggled_migrant"
    assert (second.person.nationality, second.person.age_estimate_min) == ("ER", 20)
    assert second.person.languages == "ti, ar"

    third = Screening.objects.get(reference=by_row[3]["screening"])
    assert third.person == known_person
    assert third.result == "possible_victim"

    receipt = SubmissionReceipt.objects.get(instance_id="4f1c2a9e-1b7d-4c55-9a8e-2d3f4a5b6c71")
    assert receipt.screening == first and receipt.batch == result.batch
    assert receipt.submitted_at.isoformat() == "2024-03-01T11:12:00+00:00"
    batch = result.batch
    assert (batch.kind, batch.file_name, batch.screenings_created) == ("submissions", KOBO, 3)
    assert batch.sha256 == services.sha256(read(KOBO))


def test_an_odk_central_csv_of_the_childrens_list_takes_the_child_path(world):
    result = services.import_submissions_file(
        actor=world.users.responder, content=read(ODK), file_name=ODK
    )
    assert result.screenings == 2
    by_row = {c["row"]: c for c in result.batch.created}
    assert set(by_row) == {2, 3}  # CSV rows as the user sees them, the header being row 1
    girl = Screening.objects.get(reference=by_row[2]["screening"])
    assert girl.person.presumed_minor and girl.person.age_estimate_min is None
    assert girl.treated_as_child and girl.guardian_required
    assert girl.result == "presumed_victim"
    assert girl.next_step == "child_protection"
    assert girl.location == "Castel Volturno (40.9931, 13.9886)"
    boy = Screening.objects.get(reference=by_row[3]["screening"])
    assert boy.person.age_estimate_min == 16 and boy.treated_as_child
    assert boy.result == "smuggled_migrant"


def test_the_same_export_twice_creates_nothing_new(world, known_person):
    services.import_submissions_file(
        actor=world.users.responder, content=read(KOBO), file_name=KOBO
    )
    before = counts()
    again = services.import_submissions_file(
        actor=world.users.colleague, content=read(KOBO), file_name="export-again.json"
    )
    assert counts() == before
    assert (again.already_imported, again.screenings, again.batch) == (3, 0, None)


def test_a_later_export_imports_only_the_new_submissions(world, known_person):
    submissions = kobo()
    services.import_submissions(actor=world.users.responder, submissions=submissions[:1])
    result = services.import_submissions(actor=world.users.responder, submissions=submissions)
    assert (result.already_imported, result.screenings) == (1, 2)
    assert result.batch.already_imported == 1
    assert Screening.objects.count() == 3


def test_a_submission_twice_in_one_file_is_imported_once(world):
    submission = kobo()[0]
    result = services.import_submissions(
        actor=world.users.responder, submissions=[submission, copy.deepcopy(submission)]
    )
    assert (result.screenings, result.already_imported) == (1, 1)


def test_bad_submissions_are_all_reported_and_nothing_is_written(world, known_person):
    submissions = kobo()
    submissions[0]["deceptive_recruitment/dr_teleportation"] = "yes"  # unknown indicator
    submissions[0]["coercion_at_destination/cd_documents"] = "maybe"  # bad value
    submissions[1]["person/nationality"] = "Atlantis"
    submissions[2]["corridor_catalogue_version"] = "9"  # no such version
    foreign = PersonFactory(owner_agency=world.foreign)
    extra = copy.deepcopy(kobo()[2])
    extra.update(
        {"person/reference": foreign.reference, "_uuid": "x-1", "meta/instanceID": "uuid:x-1"}
    )
    missing_id = copy.deepcopy(kobo()[1])
    del missing_id["_uuid"], missing_id["meta/instanceID"]
    before = counts()
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_submissions(
            actor=world.users.responder, submissions=[*submissions, extra, missing_id]
        )
    assert counts() == before
    found = {(e.row, e.column, e.field) for e in rejected.value.errors}
    assert found == {
        (1, "deceptive_recruitment/dr_teleportation", "dr_teleportation"),
        (1, "coercion_at_destination/cd_documents", "cd_documents"),
        (2, "person/nationality", "nationality"),
        (3, "corridor_catalogue", "catalogue"),
        (4, "person/reference", "reference"),  # another country's person: as if unknown
        (5, "meta/instanceID", "instance_id"),
    }
    messages = {e.row: e.message for e in rejected.value.errors}
    assert "ilo-ec-2009-adult-labour version 9" in messages[3]
    assert foreign.reference in messages[4]


def test_an_instance_id_too_long_to_be_odks_is_refused_with_its_column(world):
    submission = kobo()[0]
    submission["meta/instanceID"] = "uuid:" + "x" * 120
    before = counts()
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_submissions(actor=world.users.responder, submissions=[submission])
    assert counts() == before
    (error,) = rejected.value.errors
    assert (error.row, error.column, error.field) == (1, "meta/instanceID", "instance_id")


def test_the_adults_list_is_refused_for_a_person_of_unknown_age(world):
    submission = kobo()[0]
    submission["person/age_status"] = "unknown"
    del submission["person/age"]
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_submissions(actor=world.users.responder, submissions=[submission])
    (error,) = rejected.value.errors
    assert (error.row, error.column, error.field) == (1, "corridor_catalogue", "catalogue")
    assert "children's list" in error.message
    assert Screening.objects.count() == 0 and Person.objects.count() == 1


def test_only_roles_that_register_persons_may_import_submissions(world):
    with pytest.raises(PermissionDenied):
        services.import_submissions(actor=world.users.provider, submissions=kobo())
    with pytest.raises(PermissionDenied):
        services.import_submissions_file(
            actor=world.users.analyst, content=read(ODK), file_name=ODK
        )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"a": 1}', "list of submissions"),
        (b"[]", "no submission"),
    ],
)
def test_an_unreadable_export_is_rejected(world, content, message):
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_submissions_file(
            actor=world.users.responder, content=content, file_name="export.json"
        )
    assert message in rejected.value.errors[0].message


# --- the API ------------------------------------------------------------------------------


def auth(user) -> dict:
    _token, raw = issue_api_token(actor=user, name="kobo sync")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_takes_kobo_submissions_and_is_idempotent(client, world, known_person):
    headers = auth(world.users.responder)
    response = client.post(
        "/api/intake/submissions", kobo(), content_type="application/json", headers=headers
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["screenings"], body["persons"], body["already_imported"]) == (3, 2, 0)
    assert [c["row"] for c in body["created"]] == [1, 2, 3]
    assert body["created"][0]["screening"].startswith("S-")
    again = client.post(
        "/api/intake/submissions", kobo(), content_type="application/json", headers=headers
    )
    assert again.status_code == 200
    assert (again.json()["already_imported"], again.json()["batch"]) == (3, None)
    assert Screening.objects.count() == 3


def test_the_api_reports_bad_submissions_with_422(client, world, known_person):
    submissions = kobo()
    submissions[1]["smuggling"] = "perhaps"
    response = client.post(
        "/api/intake/submissions",
        submissions,
        content_type="application/json",
        headers=auth(world.users.responder),
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "row": 2,
            "column": "smuggling",
            "field": "smuggling",
            "message": "“perhaps” is not an answer: yes, no or dont_know.",
        }
    ]
    assert Screening.objects.count() == 0


def test_the_api_refuses_roles_that_do_not_register_persons(client, world):
    response = client.post(
        "/api/intake/submissions",
        kobo(),
        content_type="application/json",
        headers=auth(world.users.provider),
    )
    assert response.status_code == 403
    assert Screening.objects.count() == 0
