"""Run background jobs: imports, deliveries to partner countries, overdue referrals,
reminders. Keep one running beside the web server (`corridor demo` runs one inside it):

    corridor worker                  # until stopped (Ctrl+C finishes the job in hand)
    corridor worker --batch          # what is due now, then stop
    corridor worker --schedule-only  # with CORRIDOR_JOBS_BACKEND=redis: queue the periodic
                                     # work for `corridor rqworker --job-class django_tasks_rq.Job`

Several may run at once, on one machine or several: each job runs once, periodic work is
queued once per interval, and a job whose worker was killed is taken again within seconds.
"""

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from corridor.jobs.registry import PERIODIC
from corridor.jobs.services import enqueue_due
from corridor.jobs.worker import HOUSEKEEPING_SECONDS, CorridorWorker


class Command(BaseCommand):
    help = "Run background jobs and periodic work (no cron needed)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is due, then stop.")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between looks when idle."
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="Stop after N jobs.")
        parser.add_argument("--worker-id", default="", help="A name unique among the workers.")
        parser.add_argument(
            "--schedule-only",
            action="store_true",
            help="Only queue the periodic work when due (beside RQ workers).",
        )

    def handle(
        self,
        *args,
        batch=False,
        interval=1.0,
        max_tasks=None,
        worker_id="",
        schedule_only=False,
        **options,
    ):
        if schedule_only:
            return self._schedule(batch=batch)
        if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db."):
            raise CommandError(
                "The jobs go to Redis (CORRIDOR_JOBS_BACKEND=redis): run `corridor rqworker "
                "default --with-scheduler --job-class django_tasks_rq.Job`, and one "
                "`corridor worker --schedule-only` for the periodic work."
            )
        if interval < 0 or (max_tasks is not None and max_tasks < 1):
            raise CommandError("--interval must be 0 or more and --max-tasks 1 or more.")
        self._quiet_library_logs(options.get("verbosity", 1))
        worker = CorridorWorker(
            batch=batch,
            interval=interval,
            max_tasks=max_tasks,
            worker_id=worker_id,
            log=self._say,
        )
        worker.configure_signals()
        self._say(
            f"Worker {worker.worker_id} started; periodic jobs: "
            + (", ".join(sorted(p.name.rsplit(".", 1)[-1] for p in PERIODIC.values())) or "none")
        )
        worker.run()
        self._say("Worker stopped.")

    def _schedule(self, *, batch: bool) -> None:
        self._say("Queueing periodic work when due" + (" (one pass)." if batch else "."))
        try:
            while True:
                close_old_connections()
                enqueue_due(log=self._say)
                if batch:
                    return
                time.sleep(HOUSEKEEPING_SECONDS)
        except KeyboardInterrupt:
            self._say("Stopped.")

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def _quiet_library_logs(self, verbosity: int) -> None:
        level = logging.INFO if verbosity > 1 else logging.WARNING
        for name in ("django_tasks", "django_tasks_db", "corridor.jobs"):
            logging.getLogger(name).setLevel(level)
