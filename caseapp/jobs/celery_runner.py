"""The Celery runner (Flask's documented pattern): tasks run in an application context of the worker.

Started with `celery -A make_celery worker` and scheduled with `celery -A make_celery beat`; the broker is
`CELERY_BROKER_URL` (Redis). Publishing after a commit is bounded: short socket timeouts and no publish
retries, so a broker that is down or hangs costs the request about a second, never the commit (the sweep
runs the job later).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import Celery, Task
from flask import Flask

from caseapp.jobs.tasks import JOBS, run_job, schedule_of


def task_name(name: str) -> str:
    """Return Celery's name of a job."""
    return f"caseapp.{name}"


def make_celery(app: Flask) -> Any:
    """Build the Celery application of a Flask application, with one task per job and the beat schedule."""

    class FlaskTask(Task):
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    queue = app.config.get("JOBS_QUEUE") or "caseapp"
    timeout = float(app.config.get("JOBS_PUBLISH_TIMEOUT", 1.0))
    celery.conf.update(
        broker_url=app.config["CELERY_BROKER_URL"],
        broker_connection_timeout=timeout,
        broker_connection_retry_on_startup=True,
        # max_retries 0: a publish to a broker that is down fails at once (else ~2 s of reconnecting).
        broker_transport_options={
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
            "max_retries": 0,
        },
        task_default_queue=queue,
        task_ignore_result=True,
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        timezone="UTC",
        enable_utc=True,
        beat_schedule={
            name: {"task": task_name(name), "schedule": timedelta(seconds=period)}
            for name, period in schedule_of(app.config).items()
        },
    )
    for name in JOBS:
        celery.task(name=task_name(name), bind=False)(_job_runner(name))
    return celery


def _job_runner(name: str) -> Any:
    def run() -> str:
        return run_job(name)

    run.__name__ = name.replace(".", "_")
    run.__doc__ = JOBS[name].__doc__
    return run


class CeleryRunner:
    """Dispatch jobs to Celery workers through the broker."""

    def __init__(self, app: Flask) -> None:
        self.celery = make_celery(app)
        app.extensions["celery"] = self.celery

    def dispatch(self, name: str) -> None:
        """Publish the job once, without retrying (an error here is the sweep's to make good)."""
        self.celery.send_task(task_name(name), retry=False)
