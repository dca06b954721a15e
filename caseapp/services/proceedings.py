"""Whether legal proceedings on a case are still open: what keeps a receiving agency's read access.

A case's proceedings are open from its first legal milestone until they end, and for a while after the end
(an appeal, restitution paid later): `LEGAL_PROCEEDINGS_OPEN_DAYS`, 90 by default. They end with a verdict,
or without one: investigation stopped (SP3), prosecution stopped (SKP2), a complaint withdrawn, or a
diversion settled with the court's approval (penetapan, UU SPPA Pasal 12).

An end is final here: the days count from the first end, and no milestone recorded after it (nor another
end) moves them. An investigation resumed because a pretrial ruling (praperadilan, KUHAP Pasal 77-82)
annulled an SP3 or an SKP2, or proceedings that go on because a diversion agreement was not carried out
(UU SPPA Pasal 13), may last long; the justice chain then reads the case through a new referral from the
owning agency (an open referral is read whatever the proceedings), so that no milestone a receiving agency
records, however often, gives it longer access.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from caseapp import localtime
from caseapp.extensions import db
from caseapp.models import Case, Diversion, LegalEvent
from caseapp.models.legal import ENDING_KINDS, DiversionOutcome


def open_days() -> int:
    """Return how many days after their end a case's proceedings stay open."""
    return int(current_app.config.get("LEGAL_PROCEEDINGS_OPEN_DAYS", 90))


def open_until(case: Case, loaded: tuple[Sequence[Any], Sequence[Any]] | None = None) -> date | None:
    """Return the last day proceedings count as open: None when there are none, date.max before they end.

    `loaded`: the case's milestones and diversions, all of them, when the caller has read them already
    (the case page); otherwise the columns the rule needs are read here.
    """
    if loaded is None:
        loaded = (
            db.session.execute(
                select(LegalEvent.event_date, LegalEvent.kind).where(LegalEvent.case_id == case.id)
            ).all(),
            db.session.execute(
                select(Diversion.outcome, Diversion.court_approved_on).where(Diversion.case_id == case.id)
            ).all(),
        )
    events, diversions = loaded
    if not events and not diversions:
        return None
    ending = {k.value for k in ENDING_KINDS}
    ends = [e.event_date for e in events if e.kind in ending]
    ends += [
        d.court_approved_on
        for d in diversions
        if d.outcome == DiversionOutcome.SETTLED.value and d.court_approved_on is not None
    ]
    if not ends:
        return date.max if events else None
    return min(ends) + timedelta(days=open_days())


def proceedings_open(case: Case) -> bool:
    """Say whether legal proceedings on the case are open today (no end yet, or a recent one)."""
    until = open_until(case)
    return until is not None and localtime.today() <= until
