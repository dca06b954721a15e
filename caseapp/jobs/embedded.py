"""The embedded runner: jobs in a daemon thread of the web process, for `make run` and the tests.

No broker needed. What is dispatched runs in order, one at a time, off the request; with `schedule` on the
thread also runs each job every `JOBS_SCHEDULE` period (the sweep). Each process has its own thread: with
several gunicorn workers and no broker every worker sweeps (the outbox claims each message, so mail still
goes once), which is why production uses Celery.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from flask import Flask

from caseapp.jobs.tasks import run_job, schedule_of

log = logging.getLogger(__name__)
IDLE_SECONDS = 5.0  # without a schedule, the thread ends after this long with nothing to do


class EmbeddedRunner:
    """Run dispatched (and, optionally, scheduled) jobs in one daemon thread of this process."""

    def __init__(self, app: Flask, schedule: bool) -> None:
        self.app = app
        self.schedule = schedule
        self._queue: queue.Queue[str] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._last_run: dict[str, float] = {}
        self._stopping = threading.Event()

    def start(self) -> None:
        """Make sure the thread runs."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="caseapp-jobs", daemon=True)
                self._thread.start()

    def dispatch(self, name: str) -> None:
        """Queue a job for the thread."""
        self._queue.put(name)
        self.start()

    def stop(self) -> None:
        """End the thread after the job it is running (the queue keeps what was not run)."""
        self._stopping.set()
        thread = self._thread
        if thread is not None:
            thread.join()

    def drain(self) -> None:
        """Wait until every dispatched job has run (tests, and a clean stop)."""
        self._queue.join()

    def _run(self, name: str) -> None:
        with self.app.app_context():
            try:
                run_job(name)
            except Exception:  # noqa: BLE001 - one failed job must not end the thread
                log.exception("job %s failed; it runs again at its next turn", name)

    def _run_due(self) -> None:
        now = time.monotonic()
        for name, period in schedule_of(self.app.config).items():
            if now - self._last_run.get(name, -float("inf")) >= period:
                self._last_run[name] = now
                self._run(name)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            if self.schedule:
                self._run_due()
            try:
                name = self._queue.get(timeout=1.0 if self.schedule else IDLE_SECONDS)
            except queue.Empty:
                if self.schedule:
                    continue
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            if self._stopping.is_set():
                self._queue.task_done()
                return
            try:
                self._run(name)
            finally:
                self._queue.task_done()
