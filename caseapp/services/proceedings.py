"""Whether legal proceedings on a case are still open: what keeps a receiving agency's read access.

A case's proceedings are open from its first legal milestone until a verdict, and for a while after the
latest milestone (an appeal, restitution paid later): `LEGAL_PROCEEDINGS_OPEN_DAYS`, 90 by default.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select

from caseapp import localtime
from caseapp.extensions import db
from caseapp.models import Case, LegalEvent
from caseapp.models.legal import LegalEventKind


def open_days() -> int:
    """Return how many days after its latest milestone a case's proceedings stay open."""
    return int(current_app.config.get("LEGAL_PROCEEDINGS_OPEN_DAYS", 90))


def open_until(case: Case) -> date | None:
    """Return the last day proceedings count as open: None when there are none, date.max before a verdict."""
    latest, verdicts = db.session.execute(
        select(
            func.max(LegalEvent.event_date),
            func.count(LegalEvent.id).filter(LegalEvent.kind == LegalEventKind.VERDICT.value),
        ).where(LegalEvent.case_id == case.id)
    ).one()
    if latest is None:
        return None
    if not verdicts:
        return date.max
    return latest + timedelta(days=open_days())


def proceedings_open(case: Case) -> bool:
    """Say whether legal proceedings on the case are open today (no verdict yet, or a recent milestone)."""
    until = open_until(case)
    return until is not None and localtime.today() <= until
