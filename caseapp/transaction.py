"""The unit of work: one transaction per request or command, committed once or rolled back whole.

Services flush and never commit. The request pipeline (`caseapp.http.transaction`) and the command line
(`caseapp.cli`) own the transaction: it commits when the work succeeded and rolls back when it failed,
in one place each. Facts that must outlive a refused request (an authorization denial, a failed sign-in)
are written in a short transaction of their own (`separate_transaction`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

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
