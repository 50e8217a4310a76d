"""A long register is imported by a background job: the responder watches a progress bar,
then lands on the imported batch — or back on the mapping page with every bad row listed."""

import pytest

from corridor.intake.models import ImportBatch, StagedUpload
from corridor.intake.tasks import import_register_file
from corridor.intake.tests.test_pages import auth, counts, stage, upload
from corridor.jobs.models import Job
from corridor.jobs.worker import run_jobs
from corridor.people.models import Person


@pytest.fixture(autouse=True)
def _background_from_three_rows(settings):
    settings.CORRIDOR_REQUIRE_MFA = False
    settings.CORRIDOR_BACKGROUND_IMPORT_ROWS = 3


def choices_for(client, map_url) -> dict:
    form = client.get(map_url).context["form"]
    return {
        f"column_{i}": form[f"column_{i}"].initial or "" for i in range(len(form.column_fields))
    }


def test_a_long_register_is_imported_in_the_background_with_progress(client, world):
    client.force_login(world.users.responder)
    map_url = stage(client, "registre_fr.csv")
    before = counts()
    response = client.post(map_url, {**choices_for(client, map_url), "import": "1"})
    job = Job.objects.get(task_name=import_register_file.module_path)
    assert response.status_code == 302 and response.url == f"/jobs/{job.pk}/"
    assert counts() == before  # nothing written until the worker runs it
    page = client.get(response.url).content.decode()
    assert "Register import" in page and 'data-testid="job-progress"' in page

    run_jobs()

    job.refresh_from_db()
    batch = ImportBatch.objects.get()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (5, 5)
    assert Person.objects.filter(owner_agency=world.police).count() == 6
    assert not StagedUpload.objects.exists()
    poll = client.get(f"/jobs/{job.pk}/progress/")
    assert poll["HX-Redirect"] == f"/intake/imports/{batch.pk}/"


def test_a_long_register_with_bad_rows_comes_back_to_the_mapping_page(client, world):
    client.force_login(world.users.responder)
    map_url = stage(client, "register_errors.csv")
    before = counts()
    client.post(map_url, {**choices_for(client, map_url), "import": "1"})
    run_jobs()
    job = Job.objects.get(task_name=import_register_file.module_path)
    assert job.status == Job.Status.SUCCEEDED  # the job worked: the file was refused
    assert counts() == before
    back = client.get(f"/jobs/{job.pk}/progress/")["HX-Redirect"]
    assert back == f"{map_url}?job={job.pk}"
    page = client.get(back)
    assert [(e["row"], e["column"]) for e in page.context["errors"]][:2] == [
        (3, "Date of birth"),
        (4, "Sex"),
    ]
    assert "7 problems found: nothing was imported" in page.content.decode()


def test_a_long_register_is_checked_in_the_background_too(client, world):
    client.force_login(world.users.responder)
    map_url = stage(client, "registre_fr.csv")
    client.post(map_url, {**choices_for(client, map_url), "check": "1"})
    run_jobs()
    job = Job.objects.get(task_name=import_register_file.module_path)
    page = client.get(client.get(f"/jobs/{job.pk}/progress/")["HX-Redirect"])
    assert page.context["checked"].persons == 5
    assert not ImportBatch.objects.exists() and StagedUpload.objects.exists()


def test_another_users_job_outcome_is_not_shown_on_a_mapping_page(client, world):
    client.force_login(world.users.responder)
    map_url = stage(client, "register_errors.csv")
    client.post(map_url, {**choices_for(client, map_url), "import": "1"})
    run_jobs()
    job = Job.objects.get(task_name=import_register_file.module_path)
    client.force_login(world.users.colleague)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"{map_url}?job={job.pk}").status_code == 404  # the upload is hers


def test_an_integration_imports_in_the_background_and_follows_the_job(client, world):
    headers = auth(world.users.responder)
    response = client.post(
        "/api/intake/registers",
        {"file": upload("registre_fr.csv"), "background": "true"},
        headers=headers,
    )
    assert response.status_code == 202, response.content
    url = response.json()["url"]
    assert client.get(url, headers=headers).json()["status"] == "queued"
    run_jobs()
    body = client.get(url, headers=headers).json()
    assert body["status"] == "succeeded" and (body["done"], body["total"]) == (5, 5)
    batch = ImportBatch.objects.get()
    assert body["outcome"]["batch"] == batch.pk and batch.persons_created == 5
    assert client.get(url, headers=auth(world.users.colleague)).status_code == 404
    admin_view = client.get(url, headers=auth(world.users.admin)).json()
    assert admin_view["status"] == "succeeded" and admin_view["outcome"] == {}
