"""The unit of work: one transaction per request or command, committed once or rolled back whole.

Services flush and never commit. The request pipeline (`caseapp.http.transaction`) and the command line
(`caseapp.cli`) own the transaction: it commits when the work succeeded and rolls back when it failed,
in one place each. Facts that must outlive a refused request (an authorization denial, a failed sign-in)
are written in a short transaction of their own (`separate_transaction`).

What a transaction collects in `session.info` for its end (audit entries chained before the commit, files
deleted after it) is declared with `savepoint_scoped`: what a savepoint (`begin_nested()`) added is dropped
when that savepoint rolls back, as its rows are, while the transaction around it goes on.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from caseapp.extensions import db


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Run a block as one transaction: commit if it returns, roll back if it raises."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


@contextmanager
def separate_transaction() -> Iterator[Session]:
    """Yield a session whose short transaction commits on its own, whatever happens to the request's.

    Call it while the request's session holds no uncommitted writes: SQLite has one writer at a time.
    """
    with Session(bind=db.engine) as session, session.begin():
        yield session


# Savepoints and what a transaction collects for its end ----------------------------------------------------

_MARKS = "caseapp_savepoint_marks"
_SCOPED: dict[str, Callable[[Session, Any], bool] | None] = {}


def savepoint_scoped(key: str, *, keep: Callable[[Session, Any], bool] | None = None) -> str:
    """Declare `session.info[key]` a list of what a transaction collects for its end: the items a savepoint
    appended are dropped when that savepoint rolls back (but for those `keep(session, item)` says must
    outlive a rollback). Returns the key."""
    _SCOPED[key] = keep
    return key


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    """Note how long each declared list is when a savepoint begins."""
    if not transaction.nested or not _SCOPED:
        return
    marks: weakref.WeakKeyDictionary[SessionTransaction, dict[str, int]] = session.info.setdefault(
        _MARKS, weakref.WeakKeyDictionary()
    )
    marks[transaction] = {key: len(session.info.get(key) or ()) for key in _SCOPED}


@event.listens_for(Session, "after_soft_rollback")
def _drop_savepoint_items(session: Session, previous_transaction: SessionTransaction) -> None:
    """A savepoint rolled back: drop what it appended to each declared list."""
    if not previous_transaction.nested:
        return
    marks = session.info.get(_MARKS)
    mark = marks.pop(previous_transaction, None) if marks is not None else None
    if mark is None:
        return
    for key, keep in _SCOPED.items():
        items = session.info.get(key)
        start = mark.get(key, 0)
        if items and len(items) > start:
            items[start:] = [item for item in items[start:] if keep is not None and keep(session, item)]
