"""A responder imports a 1,500-row register; the worker importing it is killed (SIGKILL)
half-way. The import is written in short steps, each committing its rows with the batch's
mark of the last row written: meanwhile others write without waiting (a sign-in, with a
short lock timeout), the half-done import is marked "importing", and the next worker takes
the job again within seconds and goes on after the last row written: every row is imported
exactly once, none lost, none twice.

Real processes on a real SQLite file: the demo instance, two `corridor worker` processes in
turn, and the test reading the database through the instance's own commands.
"""

import json
import signal
import subprocess
import sys
import time

import pytest

from corridor.crossborder.e2e import REPO_ROOT, Node

pytestmark = pytest.mark.processes  # starts servers, workers or whole instances

ROWS = 1500

START_SCRIPT = """
import json, sys, django
django.setup()
from corridor.accounts.models import User
from corridor.intake import services
from corridor.intake.tasks import import_register_file
from corridor.jobs.services import start_job
from corridor.people.models import Person
rows = int(sys.argv[1])
lines = ["Nom;Prénom;Sexe;Nationalité"]
lines += [f"FAMILLE{i};Prénom{i};F;NG" for i in range(rows)]
content = "\\n".join(lines).encode()
responder = User.objects.get(username="responder")
staged, headers = services.stage_upload(actor=responder, file_name="registre.csv", content=content)
mapping = services.suggest_mapping(responder.agency_id, headers)
job = start_job(import_register_file, actor=responder, subject="registre.csv",
    staged=str(staged.token), sha256=staged.sha256, mapping=mapping, open_cases=False,
    dry_run=False)
print(json.dumps({"job": str(job.pk), "persons": Person.objects.count()}))
"""

STATUS_SCRIPT = """
import json, sys, django
django.setup()
from corridor.intake.models import ImportBatch
from corridor.jobs.models import Job
from corridor.jobs.runner import progress_of
from corridor.people.models import Person
job = Job.objects.get(pk=sys.argv[1])
done, total = progress_of(job)
batch = ImportBatch.objects.first()
print(json.dumps({"status": job.status, "attempts": job.attempts, "done": done,
    "total": total, "persons": Person.objects.count(), "batches": ImportBatch.objects.count(),
    "batch": batch and {"status": batch.status, "last_row": batch.last_row,
        "persons": batch.persons_created, "rows": sorted(c["row"] for c in batch.created)},
    "error": job.error}))
"""

# A sign-in's writes (the user row, the audit chain) with a 3 s lock timeout instead of 20.
SIGN_IN_SCRIPT = """
import json, time, django
django.setup()
from django.db import connection, transaction
from django.utils import timezone
from corridor.accounts.models import User
from corridor.audit.services import Action, record_event
connection.settings_dict["OPTIONS"]["timeout"] = 3
admin = User.objects.get(username="admin")
began = time.monotonic()
with transaction.atomic():
    User.objects.filter(pk=admin.pk).update(last_login=timezone.now())
    record_event(Action.LOGIN, actor=admin)
print(json.dumps({"seconds": time.monotonic() - began}))
"""


@pytest.fixture
def instance(tmp_path):
    node = Node("IT", tmp_path / "it", 0)
    node.directory.mkdir(parents=True)
    node.manage("demo", "--no-serve", "--victims", "0")
    workers: list[subprocess.Popen] = []

    def start_worker(name: str) -> subprocess.Popen:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "corridor.cli", "worker", "--worker-id", name],
            env=node.env,
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        workers.append(process)
        return process

    node.start_worker = start_worker
    try:
        yield node
    finally:
        for process in workers:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


def status(node: Node, job: str) -> dict:
    return json.loads(node.python("-c", STATUS_SCRIPT, job))


def wait_for(node: Node, job: str, condition, *, timeout: float, read=None) -> dict:
    """Poll `read(node, job)` (the import's status by default) until `condition` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = (read or status)(node, job)
        if condition(now):
            return now
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout} s; the job is {now}")


def test_an_import_whose_worker_is_killed_finishes_exactly_once(instance):
    started = json.loads(instance.python("-c", START_SCRIPT, str(ROWS)))
    job, before = started["job"], started["persons"]

    first = instance.start_worker("first")
    wait_for(
        instance,
        job,
        lambda s: s["status"] == "running" and 0 < s["done"] < s["total"],
        timeout=120,
    )
    signed_in = json.loads(instance.python("-c", SIGN_IN_SCRIPT))  # while it imports
    half_way = status(instance, job)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert half_way["done"] < ROWS, "the import ended before the kill: make it longer"
    assert signed_in["seconds"] < 3

    after_kill = status(instance, job)
    batch = after_kill["batch"]
    assert batch["status"] == "importing"  # not counted as done
    assert 0 < batch["persons"] < ROWS
    assert batch["last_row"] == batch["persons"] + 1  # the header is row 1
    assert after_kill["persons"] == before + batch["persons"]

    restarted = time.monotonic()
    instance.start_worker("second")
    wait_for(instance, job, lambda s: s["attempts"] == 2, timeout=30)
    taken_again_after = time.monotonic() - restarted
    done = wait_for(instance, job, lambda s: s["status"] in {"succeeded", "failed"}, timeout=240)

    assert done["status"] == "succeeded", done["error"]
    assert done["persons"] == before + ROWS  # every row once: none lost, none twice
    assert done["batches"] == 1 and done["batch"]["status"] == "imported"
    assert done["batch"]["rows"] == list(range(2, ROWS + 2))
    assert taken_again_after < 15
    assert "intact" in instance.manage("audit", "verify").lower()
