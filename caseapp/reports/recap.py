"""The task force's monthly recap in the SIMFONI-PPA shape: counts only, small cells suppressed.

One aggregate query per table, over plaintext columns; nothing decrypts and nothing leads to a case. Cases are
counted by registration date in the period; a child with several forms of violence is counted once under
each, so those tables add up to more than the number of children.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from flask import current_app
from sqlalchemy import String, and_, cast, distinct, func, literal, literal_column, or_, select
from sqlalchemy import case as sql_case

from caseapp.cache import cached
from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.models import Agency, Case, CaseAmpk, CaseParty, CaseViolenceType, Region, ServiceRecord
from caseapp.models.referral import Referral
from caseapp.reports.periods import Period
from caseapp.reports.suppression import SuppressedTable, shown_count, table

SEX_AGE = [("F", "0-5"), ("F", "6-12"), ("F", "13-17"), ("M", "0-5"), ("M", "6-12"), ("M", "13-17")]
FLOW_COLUMNS = ["waiting", "overdue", "accepted", "completed", "declined", "withdrawn"]


@dataclass
class RawTable:
    """Counts by row and column codes, before suppression."""

    rows: list[str]
    columns: list[str]
    counts: list[list[int]]

    def suppressed(self) -> SuppressedTable:
        return table(self.rows, self.columns, self.counts)


@dataclass
class Recap:
    """Every table of the recap, for one period and one scope (an agency, or all)."""

    period: Period
    agency_code: str | None
    children: int
    tables: dict[str, RawTable] = field(default_factory=dict)
    computed_at: datetime = field(default_factory=utcnow)

    @property
    def children_shown(self) -> int | Literal["<5"]:
        """The number of children as it may be shown (a small number is suppressed like a cell)."""
        return shown_count(self.children)


def _pivot(
    rows: Sequence[Any], row_key: Any, col_key: Any, columns: list[str], row_order: list[str] | None = None
) -> RawTable:
    grid: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        grid[row_key(r)][col_key(r)] += int(r.n)
    labels = row_order if row_order is not None else sorted(grid)
    labels = [label for label in labels if label in grid]
    return RawTable(labels, columns, [[grid[label].get(c, 0) for c in columns] for label in labels])


def _codes(vocabulary: str) -> list[str]:
    from caseapp.models import ReferenceCode

    stmt = (
        select(ReferenceCode.code)
        .where(ReferenceCode.vocabulary == vocabulary)
        .order_by(ReferenceCode.position)
    )
    return list(db.session.scalars(stmt))


def current(period: Period, agency_id: int | None = None) -> Recap:
    """The recap as served: computed at most REPORT_CACHE_SECONDS ago (each view is still audited)."""
    seconds = float(current_app.config.get("REPORT_CACHE_SECONDS", 60))
    return cached("recap", (period.label, agency_id), lambda: build(period, agency_id), seconds)


def build(period: Period, agency_id: int | None = None) -> Recap:
    """Compute the recap (raw counts; show only `.suppressed()` tables)."""
    in_period = and_(
        Case.created_at >= period.start, Case.created_at < period.end, Case.status != "cancelled"
    )
    scope = in_period if agency_id is None else and_(in_period, Case.owner_agency_id == agency_id)
    agency_code = db.session.scalar(select(Agency.code).where(Agency.id == agency_id)) if agency_id else None
    children = int(db.session.scalar(select(func.count()).select_from(Case).where(scope)) or 0)
    recap = Recap(period=period, agency_code=agency_code, children=children)
    types = _codes("violence_type")
    kecamatan_names: dict[str, str] = {
        code: name
        for code, name in db.session.execute(
            select(Region.code, Region.name).where(Region.level == "kecamatan")
        )
    }

    # Violence type x sex x age group x kecamatan (one query), and its margins.
    rows: Any = db.session.execute(
        select(
            Case.kecamatan,
            CaseViolenceType.code,
            Case.child_sex,
            Case.child_age_group,
            func.count(distinct(Case.id)).label("n"),
        )
        .join(CaseViolenceType, CaseViolenceType.case_id == Case.id)
        .where(scope)
        .group_by(Case.kecamatan, CaseViolenceType.code, Case.child_sex, Case.child_age_group)
    ).all()
    sex_age = [f"{s}:{a}" for s, a in SEX_AGE]
    recap.tables["type_sex_age"] = _pivot(
        rows, lambda r: r.code, lambda r: f"{r.child_sex}:{r.child_age_group}", sex_age, types
    )

    recap.tables["type_sex_age_kecamatan"] = _pivot(
        rows,
        lambda r: f"{kecamatan_names.get(r.kecamatan, '?') if r.kecamatan else '?'}|{r.code}",
        lambda r: f"{r.child_sex}:{r.child_age_group}",
        sex_age,
    )
    # Children per kecamatan by sex; per month by main form of violence.
    rows = db.session.execute(
        select(Case.kecamatan, Case.child_sex, func.count().label("n"))
        .where(scope)
        .group_by(Case.kecamatan, Case.child_sex)
    ).all()
    recap.tables["kecamatan"] = _pivot(
        rows,
        lambda r: kecamatan_names.get(r.kecamatan, "?") if r.kecamatan else "?",
        lambda r: r.child_sex,
        ["F", "M"],
    )
    month = func.substr(cast(Case.created_at, String), 1, 7)
    rows = db.session.execute(
        select(month.label("month"), Case.primary_violence_type, func.count().label("n"))
        .where(scope)
        .group_by(month, Case.primary_violence_type)
    ).all()
    recap.tables["month_type"] = _pivot(rows, lambda r: r.month, lambda r: r.primary_violence_type, types)

    # Place of incident, AMPK, relationship to the alleged perpetrator.
    rows = db.session.execute(
        select(func.coalesce(Case.place, literal_column("'unknown'")).label("code"), func.count().label("n"))
        .where(scope)
        .group_by(func.coalesce(Case.place, literal_column("'unknown'")))
    ).all()
    recap.tables["place"] = _pivot(
        rows, lambda r: r.code, lambda r: "n", ["n"], [*_codes("place"), "unknown"]
    )
    rows = db.session.execute(
        select(CaseAmpk.code, func.count(distinct(Case.id)).label("n"))
        .join(CaseAmpk, CaseAmpk.case_id == Case.id)
        .where(scope)
        .group_by(CaseAmpk.code)
    ).all()
    recap.tables["ampk"] = _pivot(rows, lambda r: r.code, lambda r: "n", ["n"], _codes("ampk"))
    rows = db.session.execute(
        select(
            func.coalesce(CaseParty.relationship_code, literal_column("'unknown'")).label("code"),
            func.count(distinct(Case.id)).label("n"),
        )
        .join(CaseParty, and_(CaseParty.case_id == Case.id, CaseParty.role == "perpetrator"))
        .where(scope)
        .group_by(func.coalesce(CaseParty.relationship_code, literal_column("'unknown'")))
    ).all()
    recap.tables["relationship"] = _pivot(
        rows, lambda r: r.code, lambda r: "n", ["n"], [*_codes("relationship"), "unknown"]
    )

    # Services given in the period (by service date), whoever registered the case.
    service_scope = and_(
        ServiceRecord.service_date >= period.start.date(), ServiceRecord.service_date < period.end.date()
    )
    if agency_id is not None:
        service_scope = and_(service_scope, Case.owner_agency_id == agency_id)
    rows = db.session.execute(
        select(ServiceRecord.service_type, func.count(distinct(ServiceRecord.case_id)).label("n"))
        .join(Case, Case.id == ServiceRecord.case_id)
        .where(service_scope)
        .group_by(ServiceRecord.service_type)
    ).all()
    recap.tables["services"] = _pivot(rows, lambda r: r.service_type, lambda r: "n", ["n"], _codes("service"))

    # Referral flows between agencies (sent in the period), by where they stand now.
    now = utcnow()
    sent_scope = and_(Referral.sent_at >= period.start, Referral.sent_at < period.end)
    if agency_id is not None:
        sent_scope = and_(
            sent_scope, or_(Referral.from_agency_id == agency_id, Referral.to_agency_id == agency_id)
        )
    from_agency = Agency.__table__.alias("from_agency")
    to_agency = Agency.__table__.alias("to_agency")
    overdue = and_(Referral.status == "sent", Referral.due_at < now)
    state = sql_case(
        (overdue, literal("overdue")), (Referral.status == "sent", literal("waiting")), else_=Referral.status
    )
    rows = db.session.execute(
        select(
            from_agency.c.code.label("src"),
            to_agency.c.code.label("dst"),
            state.label("state"),
            func.count().label("n"),
        )
        .select_from(Referral)
        .join(from_agency, from_agency.c.id == Referral.from_agency_id)
        .join(to_agency, to_agency.c.id == Referral.to_agency_id)
        .where(sent_scope)
        .group_by(from_agency.c.code, to_agency.c.code, state)
    ).all()
    recap.tables["referral_flows"] = _pivot(
        rows, lambda r: f"{r.src}→{r.dst}", lambda r: r.state, FLOW_COLUMNS
    )
    return recap
