"""Declaring background jobs and periodic work.

A domain app declares its jobs in its own `tasks.py`:

    @background_job(title=_("Deliver messages to partner countries"))
    def deliver_outbox(run: JobRun) -> dict:
        ...

    every(timedelta(minutes=1), deliver_outbox)

and starts one with `corridor.jobs.services.start_job(deliver_outbox, actor=...)`. The
decorated function becomes a `django_tasks` task whose arguments are a `Job` id and the
keyword arguments given to `start_job`; the job's progress, outcome and errors live on the
`Job` row, never in the queue backend (which keeps them in clear).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django_tasks import DEFAULT_TASK_QUEUE_NAME, TaskContext
from django_tasks import task as make_task
from django_tasks.base import Task

from corridor.jobs.runner import execute


@dataclass(frozen=True)
class JobType:
    name: str
    title: Any  # a lazy translation
    function: Callable[..., Any]
    task: Task


@dataclass(frozen=True)
class Periodic:
    name: str
    interval: timedelta
    task: Task


JOB_TYPES: dict[str, JobType] = {}
PERIODIC: dict[str, Periodic] = {}


def background_job(*, title, queue_name: str = DEFAULT_TASK_QUEUE_NAME) -> Callable:
    """Turn `function(run: JobRun, **kwargs)` into a task run by the job system."""

    def decorate(function: Callable[..., Any]) -> Task:
        def run(context: TaskContext, job_id: str, **kwargs: Any) -> None:
            execute(job_id, function, kwargs, context)

        # The task is found again by its dotted path, which must name the module-level
        # attribute the decorator's result is bound to.
        run.__module__ = function.__module__
        run.__name__ = function.__name__
        run.__qualname__ = function.__qualname__
        run.__doc__ = function.__doc__
        task = make_task(takes_context=True, queue_name=queue_name)(run)
        JOB_TYPES[task.module_path] = JobType(task.module_path, title, function, task)
        return task

    return decorate


def every(interval: timedelta, task: Task, *, name: str = "") -> Periodic:
    """Run `task` every `interval`, started by whichever worker sees it due first."""
    if task.module_path not in JOB_TYPES:
        raise ValueError(f"{task.module_path} is not a background job")
    periodic = Periodic(name or task.module_path, interval, task)
    PERIODIC[periodic.name] = periodic
    return periodic


def job_type(name: str) -> JobType | None:
    return JOB_TYPES.get(name)
