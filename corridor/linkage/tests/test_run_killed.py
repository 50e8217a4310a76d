"""A coordinator asks for a full check of every record; the worker running it is killed
(SIGKILL) half-way through. The next worker takes the job again and runs it to the end: the
review queue holds each likely pair once, nothing is half-written, and running the check
once more proposes nothing new.

Real processes on a real SQLite file: the demo instance with its seeded duplicates, two
`corridor worker` processes in turn, and the test reading the database through the
instance's own commands.
"""

import json
import signal
import time

import pytest

from corridor.jobs.tests.test_worker_killed import instance  # noqa: F401 - a fixture
from corridor.jobs.tests.test_worker_killed import wait_for as wait_until

pytestmark = pytest.mark.processes  # starts servers, workers or whole instances

VICTIMS = 400

START_SCRIPT = """
import json, django
django.setup()
from corridor.accounts.models import User
from corridor.linkage.models import MatchCandidate
from corridor.linkage.services import check_unchecked_persons
from corridor.linkage.tasks import start_linkage_run
from corridor.retention.services import apply_retention
# The worker's daily retention run erases the seed's expired records when it starts; done
# first, so that both runs below read the same records.
apply_retention()
check_unchecked_persons()  # as `corridor demo` does: the worker's periodic check finds none
job = start_linkage_run(actor=User.objects.get(username="coordinator"))
print(json.dumps({"job": str(job.pk), "pairs": MatchCandidate.objects.count()}))
"""

STATUS_SCRIPT = """
import json, sys, django
django.setup()
from django.db.models import Count
from corridor.jobs.models import Job
from corridor.jobs.runner import progress_of
from corridor.linkage.models import MatchCandidate
job = Job.objects.get(pk=sys.argv[1])
done, total = progress_of(job)
twice = MatchCandidate.objects.values("left", "right").annotate(n=Count("id")).filter(n__gt=1)
print(json.dumps({"status": job.status, "attempts": job.attempts, "done": done,
    "total": total, "pairs": MatchCandidate.objects.count(), "twice": twice.count(),
    "error": job.error}))
"""


def status(node, job: str) -> dict:
    return json.loads(node.python("-c", STATUS_SCRIPT, job))


def wait_for(node, job: str, condition, *, timeout: float) -> dict:
    return wait_until(node, job, condition, timeout=timeout, read=status)


def test_a_linkage_run_whose_worker_is_killed_finishes_once(instance):  # noqa: F811
    instance.manage("seed", "--victims", str(VICTIMS))
    started = json.loads(instance.python("-c", START_SCRIPT))
    job = started["job"]

    first = instance.start_worker("first")
    half_way = wait_for(
        instance, job, lambda s: s["status"] == "running" and 0 < s["done"], timeout=120
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    assert half_way["done"] < half_way["total"], "the run ended before the kill"

    restarted = time.monotonic()
    instance.start_worker("second")
    wait_for(instance, job, lambda s: s["attempts"] == 2, timeout=30)
    taken_again_after = time.monotonic() - restarted
    done = wait_for(instance, job, lambda s: s["status"] in {"succeeded", "failed"}, timeout=240)

    assert done["status"] == "succeeded", done["error"]
    assert taken_again_after < 15
    assert done["twice"] == 0 and done["pairs"] > started["pairs"]  # each pair once

    again = instance.manage("linkage", "run")  # the same records: nothing new to propose
    assert json.loads(instance.python("-c", STATUS_SCRIPT, job))["pairs"] == done["pairs"], again
    assert "intact" in instance.manage("audit", "verify").lower()
