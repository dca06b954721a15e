"""Background jobs asked for after the commit: the transactional-outbox side of `caseapp.jobs`.

A service that leaves work for later (an e-mail in the outbox table) writes that work in its own
transaction and calls `after_commit("outbox.send")`. Once the transaction commits, the job runner the app
was built with (`app.extensions["caseapp.jobs"]`: Celery with a broker, or the embedded thread) is asked
to run the job; a rolled-back transaction asks for nothing. Only the outermost commit dispatches (a
savepoint's release commits nothing yet: a job sent then could run before its rows exist), and a savepoint
that rolls back takes the jobs asked for inside it along with its rows. The row in the database is the
fact, the queued job only a wake-up call: when the broker is down the request still succeeds, and the
periodic sweep (`outbox.send` every minute) picks the row up later. Nothing here sends mail or touches the
broker itself.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from caseapp.extensions import db
from caseapp.transaction import savepoint_scoped

_PENDING = savepoint_scoped("caseapp_jobs_pending")
log = logging.getLogger(__name__)


class JobRunner(Protocol):
    """What the application's job runner offers to the rest of the code."""

    def dispatch(self, name: str) -> None:
        """Ask for the named job to run soon (never raises: the sweep is the safety net)."""


def after_commit(name: str) -> None:
    """Ask for the named job once the current transaction commits (at most once per transaction)."""
    session = db.session()
    pending: list[str] = session.info.setdefault(_PENDING, [])
    if name not in pending:
        pending.append(name)


@event.listens_for(Session, "after_commit")
def _dispatch_pending(session: Session) -> None:
    """Hand the committed transaction's jobs to the runner (no SQL may run here)."""
    if session.in_nested_transaction():
        return  # a savepoint's release is not the commit
    pending = session.info.pop(_PENDING, None)
    if not pending or not has_app_context():
        return
    runner: Any = current_app.extensions.get("caseapp.jobs")
    if runner is None:
        return
    for name in pending:
        try:
            runner.dispatch(name)
        except Exception:  # noqa: BLE001 - the committed work stands; the sweep runs the job later
            log.warning("jobs: %s could not be queued; the periodic sweep will run it", name)


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction: Any) -> None:
    """A rolled-back transaction asks for no job."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
