"""Declaring jobs. Every job module is listed in TASK_MODULES; the worker imports them all."""
from __future__ import annotations

import functools
from typing import Callable

from flask import Flask

TASK_MODULES = [
    "server.jobs.housekeeping",
    "server.alerts.tasks",
    "server.webhooks.tasks",
    "server.briefs.tasks",
]

DECLARED: list[tuple] = []  # (name, runner, options, cron) for each job
FUNCTIONS: dict[str, Callable] = {}  # job name -> the plain function (tests run them inline)
_state: dict = {"app": None}


def bind(app: Flask) -> None:
    """The Flask app whose context every job runs in (the worker's)."""
    _state["app"] = app


def task(name: str, *, periodic: str | None = None, **options):
    """Declare the function as the job `name` (its keyword arguments are the job's JSON
    arguments). `periodic`: a cron expression (a 6th field for seconds) for a job the worker
    defers itself; the function then receives `timestamp`."""
    def declare(func: Callable):
        FUNCTIONS[name] = func

        @functools.wraps(func)
        def run(**kwargs):
            with _state["app"].app_context():
                return func(**kwargs)

        DECLARED.append((name, run, options, periodic))
        return func
    return declare


def declare_on(queue) -> None:
    """Register every job on a procrastinate App (one per worker)."""
    load_all()
    for name, run, options, cron in DECLARED:
        job = queue.task(name=name, **options)(run)
        if cron:
            queue.periodic(cron=cron, periodic_id=name)(job)


def load_all() -> None:
    from importlib import import_module
    for module in TASK_MODULES:
        import_module(module)
