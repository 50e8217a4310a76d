"""The import pages and the register API, for the people who use them and those who may not."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from corridor.accounts.services import issue_api_token
from corridor.audit.models import AuditEvent
from corridor.cases.models import ProtectionCase
from corridor.intake import services
from corridor.intake.models import ImportBatch, ImportMapping, StagedUpload
from corridor.people.models import Person
from corridor.screening.models import Screening

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _no_mfa(settings):
    settings.CORRIDOR_REQUIRE_MFA = False


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / name).read_bytes())


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        ProtectionCase.objects.count(),
        AuditEvent.objects.count(),
        ImportBatch.objects.count(),
    )


def stage(client, name: str) -> str:
    response = client.post("/intake/registers/", {"file": upload(name)})
    assert response.status_code == 302, response.content
    return response.url


# --- a register through the pages ---------------------------------------------------------


def test_a_responder_uploads_maps_checks_and_imports_a_french_register(client, world):
    client.force_login(world.users.responder)
    map_url = stage(client, "registre_fr.csv")
    page = client.get(map_url)
    assert page.status_code == 200
    form = page.context["form"]
    initial = {form[name].label: form[name].initial for name in form.column_fields}
    assert initial["Nom"] == "family_name" and initial["Sexe"] == "sex"
    assert initial["Date de naissance"] == "date_of_birth" and initial["Âge"] == "age"
    assert "TRAORÉ · OKAFOR · DIALLO" in page.content.decode()

    choices = {
        f"column_{i}": form[f"column_{i}"].initial or "" for i in range(len(form.column_fields))
    }
    before = counts()
    checked = client.post(map_url, {**choices, "check": "1"})
    assert checked.status_code == 200
    assert checked.context["checked"].persons == 5
    assert "All 5 rows checked, no problem found" in checked.content.decode()
    persons, cases, events, batches = counts()
    assert (persons, cases, batches) == (before[0], before[1], before[3])
    # nothing written but the record of the one search for persons seen before
    assert events == before[2] + 1
    assert AuditEvent.objects.last().action == AuditEvent.Action.SEARCH

    done = client.post(map_url, {**choices, "import": "1", "save_as": "Registre de la gare"})
    batch = ImportBatch.objects.get()
    assert done.status_code == 302 and done.url == f"/intake/imports/{batch.pk}/"
    assert Person.objects.filter(owner_agency=world.police).count() == 6
    assert not StagedUpload.objects.exists()  # the uploaded file is not kept once imported
    assert ImportMapping.objects.get().name == "Registre de la gare"
    detail = client.get(done.url)
    assert detail.status_code == 200
    for record in batch.created:
        assert record["person"] in detail.content.decode()


def test_bad_rows_are_listed_on_the_page_and_nothing_is_written(client, world):
    client.force_login(world.users.responder)
    map_url = stage(client, "register_errors.csv")
    form = client.get(map_url).context["form"]
    choices = {
        f"column_{i}": form[f"column_{i}"].initial or "" for i in range(len(form.column_fields))
    }
    before = counts()
    response = client.post(map_url, {**choices, "import": "1"})
    assert response.status_code == 200
    assert counts() == before
    errors = response.context["errors"]
    assert [(e["row"], e["column"]) for e in errors][:3] == [
        (3, "Date of birth"),
        (4, "Sex"),
        (5, "Nationality"),
    ]
    html = response.content.decode()
    assert "7 problems found: nothing was imported" in html
    assert "Unknown country “Atlantis”" in html
    assert StagedUpload.objects.count() == 1  # kept, so that the mapping can be changed


def test_the_same_register_again_is_refused_at_upload(client, world):
    services.import_register(
        actor=world.users.colleague,
        content=(DATA / "registre_fr.csv").read_bytes(),
        file_name="registre_fr.csv",
    )
    client.force_login(world.users.responder)
    response = client.post("/intake/registers/", {"file": upload("registre_fr.csv")}, follow=True)
    assert response.redirect_chain[-1][0] == f"/intake/imports/{ImportBatch.objects.get().pk}/"
    assert "already imported on" in response.content.decode()
    assert Person.objects.count() == 6


def test_an_unreadable_upload_is_explained(client, world):
    client.force_login(world.users.responder)
    response = client.post(
        "/intake/registers/", {"file": SimpleUploadedFile("scan.pdf", b"%PDF-1.4")}
    )
    assert response.status_code == 200
    assert "Send a CSV or an Excel (.xlsx) file." in response.content.decode()
    assert not StagedUpload.objects.exists()


def test_an_uploaded_file_is_only_for_the_person_who_uploaded_it(client, world):
    client.force_login(world.users.responder)
    map_url = stage(client, "registre_fr.csv")
    client.force_login(world.users.colleague)
    assert client.get(map_url).status_code == 404
    assert client.post(map_url, {"import": "1"}).status_code == 404


def test_an_import_of_another_agency_is_not_found(client, world):
    result = services.import_register(
        actor=world.users.coordinator,
        content=(DATA / "registre_fr.csv").read_bytes(),
        file_name="registre_fr.csv",
    )
    client.force_login(world.users.responder)
    assert client.get(f"/intake/imports/{result.batch.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["provider", "prosecutor", "analyst", "admin"])
@pytest.mark.parametrize("url", ["/intake/", "/intake/registers/", "/intake/submissions/"])
def test_only_roles_that_register_persons_reach_the_import_pages(client, world, who, url):
    client.force_login(getattr(world.users, who))
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": upload("registre_fr.csv")}).status_code == 403
    assert Person.objects.count() == 1


def test_the_home_page_lists_the_agencys_imports_without_n_plus_one(client, world):
    client.force_login(world.users.responder)
    content = (DATA / "registre_fr.csv").read_bytes()
    services.import_register(actor=world.users.responder, content=content, file_name="a.csv")
    services.import_register(actor=world.users.coordinator, content=content, file_name="nrm.csv")
    with CaptureQueriesContext(connection) as one:
        page = client.get("/intake/")
    assert [b.file_name for b in page.context["batches"]] == ["a.csv"]
    for n in range(5):
        services.import_register(
            actor=world.users.colleague,
            content=b"Nom;Prenom\nDoe;" + str(n).encode(),
            file_name=f"b{n}.csv",
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get("/intake/")
    assert len(page.context["batches"]) == 6
    assert len(many) == len(one)


# --- submissions through the page ---------------------------------------------------------


def test_a_responder_imports_an_odk_export_and_the_second_time_nothing_happens(client, world):
    client.force_login(world.users.responder)
    response = client.post(
        "/intake/submissions/", {"file": upload("odk_child_labour.csv")}, follow=True
    )
    batch = ImportBatch.objects.get()
    assert response.redirect_chain[-1][0] == f"/intake/imports/{batch.pk}/"
    assert Screening.objects.count() == 2
    again = client.post(
        "/intake/submissions/", {"file": upload("odk_child_labour.csv")}, follow=True
    )
    assert again.redirect_chain[-1][0] == "/intake/"
    assert (
        "All 2 submissions in odk_child_labour.csv were already imported" in again.content.decode()
    )
    assert (Screening.objects.count(), ImportBatch.objects.count()) == (2, 1)


# --- the register API ---------------------------------------------------------------------


def auth(user) -> dict:
    _token, raw = issue_api_token(actor=user, name="paper registers")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_imports_a_register_with_a_mapping_and_refuses_it_twice(client, world):
    headers = auth(world.users.responder)
    mapping = json.dumps(
        {"Nom": "family_name", "Prénom": "given_name", "Nationalité": "nationality"}
    )
    response = client.post(
        "/api/intake/registers",
        {"file": upload("registre_fr.csv"), "mapping": mapping},
        headers=headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["rows"], body["persons"], body["cases"]) == (5, 5, 0)
    assert body["mapping"] == json.loads(mapping)
    assert [c["row"] for c in body["created"]] == [2, 3, 4, 5, 6]
    again = client.post(
        "/api/intake/registers",
        {"file": upload("registre_fr.csv"), "mapping": mapping},
        headers=headers,
    )
    assert again.status_code == 409
    assert "already imported on" in again.json()["detail"]
    assert Person.objects.count() == 6


def test_the_api_reports_every_bad_row_with_422(client, world):
    headers = auth(world.users.responder)
    before = counts()
    response = client.post(
        "/api/intake/registers", {"file": upload("register_errors.csv")}, headers=headers
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert len(detail) == 7
    assert detail[0] == {
        "row": 3,
        "column": "Date of birth",
        "field": "date_of_birth",
        "message": "Unknown date “31/02/2001”: write it as 2024-03-01, 01/03/2024 or 1.3.2024.",
    }
    assert counts() == before


def test_the_api_checks_without_importing_and_rejects_a_bad_mapping(client, world):
    headers = auth(world.users.responder)
    checked = client.post(
        "/api/intake/registers",
        {"file": upload("register.xlsx"), "check": "true"},
        headers=headers,
    )
    assert checked.status_code == 200
    assert (checked.json()["persons"], checked.json()["batch"]) == (3, None)
    bad = client.post(
        "/api/intake/registers",
        {"file": upload("register.xlsx"), "mapping": "[1, 2]"},
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "mapping"
    assert Person.objects.count() == 1


def test_the_api_refuses_roles_that_do_not_register_persons(client, world):
    response = client.post(
        "/api/intake/registers",
        {"file": upload("registre_fr.csv")},
        headers=auth(world.users.analyst),
    )
    assert response.status_code == 403
    assert Person.objects.count() == 1
