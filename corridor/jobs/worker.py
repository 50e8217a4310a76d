"""`corridor worker`: the database backend's worker, plus what it lacks on its own — a
heartbeat, recovery of jobs whose worker died, and the periodic schedule."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import OperationalError, close_old_connections, connection
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from corridor.jobs import services

logger = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 2.0


class CorridorWorker(Worker):
    def __init__(
        self,
        *,
        queue_names: list[str] | None = None,
        interval: float = 1.0,
        batch: bool = False,
        max_tasks: int | None = None,
        worker_id: str = "",
        housekeeping_seconds: float = HOUSEKEEPING_SECONDS,
        log: Callable[[str], None] | None = None,
    ):
        super().__init__(
            queue_names=queue_names or ["*"],
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id=worker_id or f"w-{get_random_string(20)}",
            excluded_queue_names=[],
        )
        self.housekeeping_seconds = housekeeping_seconds
        self.log = log or logger.info
        self._stop = threading.Event()

    def run(self) -> None:
        services.register_worker(self.worker_id)
        self.housekeeping()
        keeper = None
        if not self.batch:
            keeper = threading.Thread(
                target=self._keep_house, name=f"{self.worker_id}-housekeeping", daemon=True
            )
            keeper.start()
        try:
            super().run()
        finally:
            self._stop.set()
            if keeper is not None:
                keeper.join(timeout=10)
            try:
                services.unregister_worker(self.worker_id)
            except OperationalError:  # the database went away first; the row expires
                logger.warning("could not unregister worker %s", self.worker_id)

    def stop(self) -> None:
        """Finish the job in hand, then return from `run` (for a worker in a thread)."""
        self.running = False
        self._stop.set()

    def housekeeping(self) -> None:
        services.heartbeat(self.worker_id)
        services.recover_abandoned(log=self.log)
        services.enqueue_due(log=self.log)

    def _keep_house(self) -> None:
        while not self._stop.wait(self.housekeeping_seconds):
            try:
                close_old_connections()
                self.housekeeping()
            except Exception:  # noqa: BLE001 - the next round tries again
                logger.exception("worker housekeeping failed")
        connection.close()


def run_jobs(*, max_tasks: int | None = None) -> int:
    """Run every job that is due now in this process and this database connection, then
    return how many ran. For tests and callers inside a transaction: unlike the worker's own
    loop it never closes the connection between jobs."""
    worker = CorridorWorker(batch=True, max_tasks=max_tasks, interval=0)
    services.register_worker(worker.worker_id)
    ran = 0
    try:
        worker.housekeeping()
        while max_tasks is None or ran < max_tasks:
            with exclusive_transaction(DBTaskResult.objects.db):
                task = DBTaskResult.objects.ready().get_locked()
                if task is not None:
                    task.claim(worker.worker_id)
            if task is None:
                break
            worker.run_task(task)
            ran += 1
    finally:
        services.unregister_worker(worker.worker_id)
    return ran
