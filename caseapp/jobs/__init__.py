"""Background jobs: the mail outbox, reminders, exports, retention and pruning, run off the web request.

The jobs are plain functions (`tasks.JOBS`), each owning its units of work; two runners execute them:

- **Celery** when `CELERY_BROKER_URL` is set (production: Redis): `celery -A make_celery worker` runs
  them, `celery -A make_celery beat` schedules them (`tasks.SCHEDULE`).
- **Embedded** otherwise (`make run`, tests): one daemon thread per process runs what is dispatched and,
  where `JOBS_EMBEDDED_SCHEDULE` is on, the same schedule. No broker is needed.

Either way the web request only writes rows and asks for a job after its commit (`caseapp.jobqueue`);
mail is never sent inside a request.
"""

from __future__ import annotations

from flask import Flask

from caseapp.jobs.tasks import JOBS, SCHEDULE, run_job

__all__ = ["JOBS", "SCHEDULE", "init_app", "run_job"]


def init_app(app: Flask) -> None:
    """Choose and attach the job runner (no I/O: Celery connects on first use, the thread starts lazily)."""
    if app.config.get("CELERY_BROKER_URL"):
        from caseapp.jobs.celery_runner import CeleryRunner

        runner: object = CeleryRunner(app)
    else:
        from caseapp.jobs.embedded import EmbeddedRunner

        embedded = EmbeddedRunner(app, schedule=bool(app.config.get("JOBS_EMBEDDED_SCHEDULE")))
        if embedded.schedule:
            # Start the schedule with the first request (never at import or in a command).
            app.before_request(embedded.start)
        runner = embedded
    app.extensions["caseapp.jobs"] = runner
