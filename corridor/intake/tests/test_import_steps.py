"""A long register is written a few rows at a time, so that nobody else waits on it: every
row is checked first with nothing written, then each step commits its rows together with
the batch's mark of the last row written. A crash after a step resumes after that row; a
row refused while writing undoes the import; an import nobody will finish is undone."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, connections
from django.test import Client
from django.utils import timezone

from corridor.accounts.models import User
from corridor.audit.models import AuditEvent
from corridor.audit.services import verify_chain
from corridor.cases.models import ProtectionCase
from corridor.cases.services import open_case
from corridor.intake import services
from corridor.intake.models import ImportBatch
from corridor.intake.tasks import start_register_import
from corridor.intake.tests.test_pages import counts
from corridor.jobs.models import Job, WorkerProcess
from corridor.jobs.services import retry_job, socket
from corridor.jobs.tests.test_jobs import _abandon, _last_pid
from corridor.jobs.worker import run_jobs
from corridor.people.models import Person

ROWS = 7


def register(rows: int = ROWS, *, tag: str = "") -> bytes:
    lines = ["Nom;Prénom;Sexe;Nationalité"]
    lines += [f"FAMILLE{tag}{i};Prénom{i};F;NG" for i in range(rows)]
    return "\n".join(lines).encode()


@pytest.fixture(autouse=True)
def _three_rows_a_step(settings, monkeypatch):
    """Steps cut by rows only: a busy machine must not cut them by time as well (the
    half-second cut has a test of its own)."""
    settings.CORRIDOR_REQUIRE_MFA = False
    settings.CORRIDOR_IMPORT_BATCH_ROWS = 3
    monkeypatch.setattr(services, "STEP_SECONDS", 3600)


def persons_of(agency) -> int:
    return Person.objects.filter(owner_agency=agency).count()


def failing_after(calls: int, real, error: BaseException):
    """`real`, until it was called `calls` times; then it raises `error`."""
    seen = [0]

    def patched(*args, **kwargs):
        seen[0] += 1
        if seen[0] > calls:
            raise error
        return real(*args, **kwargs)

    return patched


# --- short transactions --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_slow_step_stops_at_the_time_limit_with_the_rows_it_wrote(world, monkeypatch):
    monkeypatch.setattr(services, "STEP_SECONDS", 0)  # every row takes longer than that
    steps = []
    result = services.import_register(
        actor=world.users.responder,
        content=register(),
        file_name="r.csv",
        progress=lambda done, total: steps.append(done),
    )
    assert steps == list(range(ROWS + 1))  # one row a step, none lost
    assert persons_of(world.police) >= ROWS and result


@pytest.mark.django_db(transaction=True)
def test_a_long_register_is_written_in_short_transactions_others_can_write_between(
    world, monkeypatch
):
    commits = []
    real_commit = connection.commit
    monkeypatch.setattr(connection, "commit", lambda: commits.append(1) or real_commit())
    between: list[tuple] = []

    def progress(done, total):
        batch = ImportBatch.objects.filter(sha256=services.sha256(content)).first()
        between.append((done, total, connection.in_atomic_block, batch and batch.status))
        between[-1] += (_another_connection_writes(world.users.admin.pk),)

    during = []
    real_register = services.register_person

    def register_and_probe(**fields):
        during.append(_another_connection_writes(world.users.admin.pk))
        return real_register(**fields)

    monkeypatch.setattr(services, "register_person", register_and_probe)
    content = register()
    result = services.import_register(
        actor=world.users.responder, content=content, file_name="r.csv", progress=progress
    )
    if connection.vendor == "sqlite":  # the probe works: within a step, SQLite is locked
        assert during == [False] * ROWS
    # one to open the batch, three steps of 3, 3 and 1 rows, one to close it
    assert len(commits) == 5
    assert [b[:2] for b in between] == [(0, 7), (3, 7), (6, 7), (7, 7)]
    assert all(not in_transaction for _d, _t, in_transaction, _s, _w in between)
    assert {status for *_x, status, _w in between} == {ImportBatch.Status.IMPORTING}
    assert all(wrote for *_x, wrote in between)  # nobody waited on the import
    assert result.batch.status == ImportBatch.Status.IMPORTED
    assert (result.persons, result.batch.persons_created, result.batch.last_row) == (7, 7, 8)
    assert verify_chain().ok


def _another_connection_writes(user_pk) -> bool:
    """A sign-in's write, from another thread and connection, that gives up at once."""
    outcome = []

    def sign_in():
        try:
            User.objects.filter(pk=user_pk).update(last_login=timezone.now())
            outcome.append(True)
        except Exception:  # noqa: BLE001 - locked: the import held the database
            outcome.append(False)
        finally:
            connections.close_all()

    thread = threading.Thread(target=sign_in)
    thread.start()
    thread.join(timeout=10)
    return outcome == [True]


@pytest.mark.django_db(transaction=True)
def test_a_rejected_register_writes_nothing_not_even_a_transaction(world, monkeypatch):
    commits = []
    real_commit = connection.commit
    monkeypatch.setattr(connection, "commit", lambda: commits.append(1) or real_commit())
    bad = register(5).replace(b"FAMILLE3;Pr\xc3\xa9nom3;F;NG", b"FAMILLE3;Prenom3;F;Atlantis")
    before = counts()
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_register(actor=world.users.responder, content=bad, file_name="r.csv")
    assert [(e.row, e.column, e.field) for e in rejected.value.errors] == [
        (5, "Nationalité", "nationality")
    ]
    assert counts() == before and commits == []


# --- a crash between steps, then the job again ----------------------------------------------


def start(world, content: bytes) -> Job:
    staged, headers = services.stage_upload(
        actor=world.users.responder, file_name="r.csv", content=content
    )
    mapping = services.suggest_mapping(world.police.pk, headers)
    return start_register_import(
        staged, actor=world.users.responder, mapping=mapping, open_cases=True, dry_run=False
    )


@pytest.mark.parametrize("crash", [RuntimeError("worker lost"), IntegrityError("db went away")])
def test_a_job_that_crashed_after_a_step_resumes_after_its_last_row_written(
    world, monkeypatch, crash
):
    before = persons_of(world.police)
    job = start(world, register())
    monkeypatch.setattr(
        services, "_write_step", failing_after(2, services._write_step, crash)
    )  # the third step dies: two steps (6 rows) were committed
    run_jobs()
    job.refresh_from_db()
    batch = ImportBatch.objects.get()
    assert job.status == Job.Status.FAILED
    assert (batch.status, batch.last_row, batch.persons_created) == ("importing", 7, 6)
    assert persons_of(world.police) == before + 6
    page = _client_for(world).get("/intake/").content.decode()
    assert "Importing" in page  # not counted as done

    monkeypatch.undo()
    retry_job(job, actor=world.users.admin)
    run_jobs()

    job.refresh_from_db()
    batch.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.outcome and (job.progress_done, job.progress_total) == (7, 7)
    assert batch.status == ImportBatch.Status.IMPORTED and ImportBatch.objects.count() == 1
    assert [c["row"] for c in batch.created] == list(range(2, 9))  # each row once
    assert persons_of(world.police) == before + 7
    families = Person.objects.filter(reference__in=[c["person"] for c in batch.created])
    assert sorted(p.family_name for p in families) == [f"FAMILLE{i}" for i in range(7)]
    cases = ProtectionCase.objects.filter(reference__in=[c["case"] for c in batch.created])
    assert cases.count() == 7 and batch.cases_created == 7
    assert verify_chain().ok


def _client_for(world):
    client = Client()
    client.force_login(world.users.responder)
    return client


def test_a_job_whose_worker_was_killed_mid_import_is_taken_again_and_resumes(world, monkeypatch):
    """What SIGKILL leaves: steps committed, the job running for a worker that is gone."""
    before = persons_of(world.police)
    job = start(world, register())

    class Killed(BaseException):
        pass

    monkeypatch.setattr(services, "_write_step", failing_after(1, services._write_step, Killed()))
    run_jobs()  # the worker logs it; the job stays running, as after a SIGKILL
    monkeypatch.undo()
    assert persons_of(world.police) == before + 3
    dead = WorkerProcess.objects.create(
        worker_id="killed", hostname=socket.gethostname(), pid=_last_pid()
    )
    _abandon(job, dead)

    run_jobs()  # the next worker takes it again

    job.refresh_from_db()
    batch = ImportBatch.objects.get()
    assert job.status == Job.Status.SUCCEEDED and job.attempts == 2
    assert batch.status == "imported" and [c["row"] for c in batch.created] == list(range(2, 9))
    assert persons_of(world.police) == before + 7


def test_another_import_of_a_file_being_imported_is_refused_and_resumes_nothing(world, monkeypatch):
    job = start(world, register())
    monkeypatch.setattr(
        services, "_write_step", failing_after(1, services._write_step, RuntimeError())
    )
    run_jobs()
    monkeypatch.undo()
    with pytest.raises(services.AlreadyImported, match="being imported"):
        services.import_register(
            actor=world.users.colleague, content=register(), file_name="again.csv"
        )
    batch = ImportBatch.objects.get()
    assert batch.last_row == 4 and batch.job_id == job.pk


# --- refused while writing: undone ------------------------------------------------------------


def test_a_row_refused_while_writing_undoes_the_import_and_names_the_row(world, monkeypatch):
    before = counts()[:2]
    monkeypatch.setattr(
        services,
        "register_person",
        failing_after(4, services.register_person, IntegrityError("UNIQUE constraint failed")),
    )
    with pytest.raises(services.ImportRejected) as rejected:
        services.import_register(
            actor=world.users.responder, content=register(), file_name="r.csv", open_cases=True
        )
    (error,) = rejected.value.errors
    assert error.row == 6 and "changed while it was imported" in error.message
    assert counts()[:2] == before  # the four rows written were removed
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created, batch.last_row, batch.persons_created) == (
        "failed",
        [],
        0,
        0,
    )
    assert services.failure_of(batch)["errors"] == [error]
    removed = AuditEvent.objects.filter(action="delete", details__undone=True)
    assert removed.filter(object_type="person").count() == 3  # the fourth step rolled back
    assert removed.filter(object_type="protectioncase").count() == 3
    page = _client_for(world).get(f"/intake/imports/{batch.pk}/")
    assert page.context["errors"][0]["row"] == 6
    assert "Failed" in page.content.decode()
    assert verify_chain().ok

    monkeypatch.undo()  # the failed import does not count: the file can be imported again
    again = services.import_register(
        actor=world.users.responder, content=register(), file_name="r.csv"
    )
    assert again.batch.status == "imported" and again.persons == ROWS


def test_a_record_used_meanwhile_is_kept_when_an_import_is_undone(world, monkeypatch):
    before = persons_of(world.police)

    def someone_uses_the_first_person(done, total):
        if done == 3:  # between the first and the second step
            first = ImportBatch.objects.get().created[0]["person"]
            open_case(Person.objects.get(reference=first), actor=world.users.colleague)

    monkeypatch.setattr(
        services,
        "register_person",
        failing_after(4, services.register_person, IntegrityError("conflict")),
    )
    with pytest.raises(services.ImportRejected):
        services.import_register(
            actor=world.users.responder,
            content=register(),
            file_name="r.csv",
            progress=someone_uses_the_first_person,
        )
    batch = ImportBatch.objects.get()
    kept = services.failure_of(batch)["kept"]
    assert [k["row"] for k in kept] == [2] and batch.persons_created == 1
    assert persons_of(world.police) == before + 1
    page = _client_for(world).get(f"/intake/imports/{batch.pk}/").content.decode()
    assert kept[0]["person"] in page and "was kept" in page


# --- interrupted imports nobody will finish --------------------------------------------------


def test_an_interrupted_import_of_the_page_is_undone_at_once(world, monkeypatch):
    before = persons_of(world.police)
    monkeypatch.setattr(
        services, "_write_step", failing_after(1, services._write_step, RuntimeError("bug"))
    )
    with pytest.raises(RuntimeError, match="bug"):
        services.import_register(actor=world.users.responder, content=register(), file_name="r.csv")
    assert persons_of(world.police) == before
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


def test_an_import_left_half_written_is_undone_by_the_sweep_once_stale(world, monkeypatch):
    before = persons_of(world.police)
    monkeypatch.setattr(services, "_undo_quietly", lambda batch: None)  # as if killed
    monkeypatch.setattr(
        services, "_write_step", failing_after(1, services._write_step, RuntimeError())
    )
    with pytest.raises(RuntimeError):
        services.import_register(actor=world.users.responder, content=register(), file_name="r.csv")
    monkeypatch.undo()
    running = start(world, register(tag="B"))  # a queued job's half-import is left alone
    monkeypatch.setattr(
        services, "_write_step", failing_after(1, services._write_step, SystemExit())
    )
    run_jobs()
    monkeypatch.undo()
    Job.objects.filter(pk=running.pk).update(status=Job.Status.RUNNING)
    assert persons_of(world.police) == before + 6

    assert services.undo_abandoned_imports() == 0  # it may still be going on
    later = timezone.now() + services.ABANDONED_AFTER + timedelta(seconds=1)
    assert services.undo_abandoned_imports(now=later) == 1
    assert persons_of(world.police) == before + 3
    statuses = dict(ImportBatch.objects.values_list("job_id", "status"))
    assert statuses == {None: "failed", running.pk: "importing"}
    errors = services.failure_of(ImportBatch.objects.get(job=None))["errors"]
    assert "interrupted" in errors[0].message


def test_the_sweep_runs_as_periodic_work(world):
    run_jobs()
    sweep = Job.objects.get(task_name__endswith=".undo_interrupted_imports")
    assert sweep.status == Job.Status.SUCCEEDED
