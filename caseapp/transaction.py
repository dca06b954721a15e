"""The unit of work: one transaction per request or command, committed once or rolled back whole.

Services flush and never commit. The request pipeline (`caseapp.http.transaction`) and the command line
(`caseapp.cli`) own the transaction: it commits when the work succeeded and rolls back when it failed,
in one place each. Facts that must outlive a refused request (an authorization denial, a failed sign-in)
are written in a short transaction of their own (`separate_transaction`).

What a transaction collects in `session.info` for its end (audit entries chained before the commit, files
deleted after it, jobs asked for after it, files written before it) is declared with `savepoint_scoped`: what
a savepoint (`begin_nested()`) added is dropped when that savepoint rolls back, as its rows are, while the
transaction around it goes on. A savepoint's release is not the commit: SQLAlchemy fires `before_commit` and
`after_commit` for it too, so a hook acting on the commit returns while `session.in_nested_transaction()`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass(frozen=True)
class _Scope:
    keep: Callable[[Session, Any], bool] | None
    dropped: Callable[[Session, list[Any]], None] | None


_SCOPED: dict[str, _Scope] = {}


def savepoint_scoped(
    key: str,
    *,
    keep: Callable[[Session, Any], bool] | None = None,
    dropped: Callable[[Session, list[Any]], None] | None = None,
) -> str:
    """Declare `session.info[key]` a list of what a transaction collects for its end: the items a savepoint
    appended are dropped when that savepoint rolls back (but for those `keep(session, item)` says must
    outlive a rollback), and `dropped(session, items)` is called with them to undo what they stand for.
    Returns the key."""
    _SCOPED[key] = _Scope(keep, dropped)
    return key


def _marks(session: Session) -> weakref.WeakKeyDictionary[SessionTransaction, dict[str, int]]:
    marks: weakref.WeakKeyDictionary[SessionTransaction, dict[str, int]] = session.info.setdefault(
        _MARKS, weakref.WeakKeyDictionary()
    )
    return marks


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    """Note how long each declared list is when a savepoint begins."""
    if not transaction.nested or not _SCOPED:
        return
    _marks(session)[transaction] = {key: len(session.info.get(key) or ()) for key in _SCOPED}


@event.listens_for(Session, "after_commit")
def _release_savepoint(session: Session) -> None:
    """A savepoint was released: what it appended now belongs to the transaction around it."""
    released = session.get_nested_transaction()  # still the one released while its commit runs
    marks = session.info.get(_MARKS)
    if released is not None and marks is not None:
        marks.pop(released, None)


@event.listens_for(Session, "after_transaction_end")
def _drop_savepoint_items(session: Session, transaction: SessionTransaction) -> None:
    """A savepoint ended unreleased, rolled back: drop what it appended to each declared list.

    Its end, not its rollback: a savepoint that a failed flush rolled back is only closed when its
    `with begin_nested():` block ends, and no rollback event comes then.
    """
    if not transaction.nested:
        return
    marks = session.info.get(_MARKS)
    mark = marks.pop(transaction, None) if marks is not None else None
    if mark is None:
        return
    for key, scope in _SCOPED.items():
        items = session.info.get(key)
        start = mark.get(key, 0)
        if not items or len(items) <= start:
            continue
        kept: list[Any] = []
        gone: list[Any] = []
        for item in items[start:]:
            (kept if scope.keep is not None and scope.keep(session, item) else gone).append(item)
        items[start:] = kept
        if gone and scope.dropped is not None:
            scope.dropped(session, gone)
