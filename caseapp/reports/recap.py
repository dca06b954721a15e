"""The task force's recap in the SIMFONI-PPA shape: counts only, every count rounded before it is shown.

Nothing decrypts and nothing leads to a case: each query groups plaintext categories and returns, per group,
how many records it counts and the sum of their statistics keys (`disclosure.Count`), from which the
published figure is rounded (`disclosure.published`).

What is counted:
- **children**: cases registered in the period (not cancelled), one child once: cases of the same NIK (by its
  blind index) are one child, city-wide in the all-agency recap and within the agency in an agency's recap.
  A child's categories (sex, age at the incident, kecamatan, main form of violence, place, the main alleged
  perpetrator's relationship) are those of their first case in the period;
- **cases**: every case registered in the period (not cancelled);
- **incidents**: the distinct incidents of those cases (cases of several children of one incident share an
  `Incident`; a case without one is an incident of its own);
- **victims**: the children (as above) whose first case in the period has them as a victim (not a witness
  or a child in conflict with the law);
- **alleged perpetrators**: the perpetrator rows of those cases, one person once: the copies of a
  perpetrator on the cases of one incident share `incident_person` and count as one (with the band, sex and
  key of the first row);
- **services**: children who received a service (provided or ongoing, not refused or unavailable) dated in
  the period, whenever their case was registered;
- **referrals**: sent in the period, by where they stand now.

Tables whose rows share out one headline (`partition`) add up to it in truth (an "unknown" row holds what was
not recorded); the forms of violence, AMPK categories and services can be several per child, so those tables
count a child under each and have no total row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    String,
    and_,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy import case as sql_case
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Subquery

from caseapp.cache import cached
from caseapp.database import utcnow
from caseapp.extensions import db
from caseapp.localtime import midnight_utc
from caseapp.models import (
    Agency,
    Case,
    CaseAmpk,
    CaseParty,
    CaseViolenceType,
    Diversion,
    Region,
    ServiceRecord,
)
from caseapp.models.case import AgeGroup, CaseStatus, ChildRole, PartyRole, ServiceOutcome
from caseapp.models.legal import DiversionOutcome
from caseapp.models.referral import Referral, ReferralStatus
from caseapp.reports.disclosure import ZERO, Count, published, total
from caseapp.reports.periods import Period

SEX_AGE = [("F", "0-5"), ("F", "6-12"), ("F", "13-17"), ("M", "0-5"), ("M", "6-12"), ("M", "13-17")]
FLOW_COLUMNS = ["waiting", "overdue", "accepted", "completed", "declined", "withdrawn"]
TIMELINESS_COLUMNS = ["in_time", "late", "overdue", "waiting", "withdrawn"]
PERPETRATOR_ROWS = [
    "child",
    AgeGroup.ADULT_18_24.value,
    AgeGroup.ADULT_25_44.value,
    AgeGroup.ADULT_45_59.value,
    AgeGroup.ADULT_60_PLUS.value,
    AgeGroup.ADULT.value,
    "unknown",
]
CHILD_AGE_GROUPS = {"0-5", "6-12", "13-17"}
UNKNOWN = "unknown"
NO_PERPETRATOR = "none"
GIVEN = (ServiceOutcome.PROVIDED.value, ServiceOutcome.ONGOING.value)
# Spreads a case's key over the rows it owns (perpetrators, referrals), so that each gets a key of its own.
_SPREAD = 40503  # times a row id: 64-bit arithmetic (a 32-bit id times it overflows past id 53,020)


@dataclass
class RawTable:
    """Counts by row and column codes, before rounding. Never shown: show `shown()`."""

    rows: list[str]
    columns: list[str]
    counts: list[list[Count]]
    partition: bool = True  # each record in one cell: the table has totals, the union of its cells

    @property
    def total_column(self) -> bool:
        """Say whether each row ends with its total (only where there is more than one column)."""
        return self.partition and len(self.columns) > 1

    @property
    def total_row(self) -> bool:
        """Say whether the last row is the total of each column."""
        return self.partition

    def full(self) -> list[list[Count]]:
        """Return the true counts with their totals (columns then rows), as `shown` lays them out."""
        body = [[*row, total(row)] if self.total_column else list(row) for row in self.counts]
        if self.total_row:
            width = len(self.columns) + (1 if self.total_column else 0)
            body.append([total([row[j] for row in body]) for j in range(width)])
        return body

    def shown(self) -> list[list[str]]:
        """Return every cell (totals included) as it may be published."""
        return [[str(published(c)) for c in row] for row in self.full()]

    def true_total(self) -> int:
        """The true number of records the table shares out (for tests; never shown)."""
        return sum(c.n for row in self.counts for c in row)


@dataclass
class Indicator:
    """A KLA indicator of the period: published numerator and denominator, and the share they give."""

    key: str
    numerator: int | None
    denominator: int | None

    @property
    def percent(self) -> float | None:
        """The share in percent, computed from the published (rounded) counts; None when not computable."""
        if self.numerator is None or not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)


@dataclass
class Recap:
    """Every table of the recap, for one period and one scope (an agency, or all)."""

    period: Period
    agency_code: str | None
    children: Count
    cases: Count
    perpetrators: Count
    incidents: Count = ZERO
    victims: Count = ZERO
    tables: dict[str, RawTable] = field(default_factory=dict)
    indicators: list[Indicator] = field(default_factory=list)
    computed_at: datetime = field(default_factory=utcnow)

    @property
    def children_shown(self) -> int:
        """The number of children as it may be published."""
        return published(self.children)

    @property
    def cases_shown(self) -> int:
        """The number of cases as it may be published."""
        return published(self.cases)

    @property
    def incidents_shown(self) -> int:
        """The number of incidents as it may be published."""
        return published(self.incidents)

    @property
    def victims_shown(self) -> int:
        """The number of child victims as it may be published."""
        return published(self.victims)

    @property
    def perpetrators_shown(self) -> int:
        """The number of alleged perpetrators as it may be published."""
        return published(self.perpetrators)


def current(period: Period, agency_id: int | None = None) -> Recap:
    """The recap as served: computed at most REPORT_CACHE_SECONDS ago (each view is still audited)."""
    seconds = float(current_app.config.get("REPORT_CACHE_SECONDS", 60))
    return cached("recap", (period.label, agency_id), lambda: build(period, agency_id), seconds)


# Queries ------------------------------------------------------------------------------------------------


def _counted_by_code(pairs: Any) -> dict[tuple[str, ...], Count]:
    """Count the (child, key, code) rows of `pairs` by code."""
    rows = db.session.execute(
        select(pairs.c.code, func.count().label("n"), func.sum(pairs.c.key).label("keys")).group_by(
            pairs.c.code
        )
    )
    return _counted(rows, lambda r: (r.code,))


def _counted(rows: Iterable[Any], key: Callable[[Any], tuple[str, ...]]) -> dict[tuple[str, ...], Count]:
    """Add up (n, keys) of result rows by a key of their columns."""
    out: dict[tuple[str, ...], Count] = defaultdict(lambda: ZERO)
    for r in rows:
        k = key(r)
        out[k] = out[k] + Count(int(r.n), int(r.keys or 0))
    return out


def _grid(
    cells: dict[tuple[str, ...], Count], rows: Sequence[str], columns: Sequence[str], partition: bool = True
) -> RawTable:
    return RawTable(
        list(rows), list(columns), [[cells.get((r, c), ZERO) for c in columns] for r in rows], partition
    )


def _column(cells: dict[tuple[str, ...], Count], rows: Sequence[str], partition: bool = False) -> RawTable:
    return RawTable(list(rows), ["n"], [[cells.get((r,), ZERO)] for r in rows], partition)


def _codes(vocabulary: str) -> list[str]:
    from caseapp.models import ReferenceCode

    stmt = (
        select(ReferenceCode.code)
        .where(ReferenceCode.vocabulary == vocabulary)
        .order_by(ReferenceCode.position)
    )
    return list(db.session.scalars(stmt))


def cases_where(period: Period | None, agency_id: int | None, case: Any = Case) -> ColumnElement[bool]:
    """Return the recap's cases: registered in the period, of the agency (each if given), not cancelled.

    `case` is `Case` or an alias of it (a subquery comparing a case with others)."""
    cond: ColumnElement[bool] = case.status != CaseStatus.CANCELLED.value
    if period is not None:
        cond = and_(cond, case.created_at >= period.start, case.created_at < period.end)
    if agency_id is not None:
        cond = and_(cond, case.owner_agency_id == agency_id)
    return cond


def child_map(period: Period | None, agency_id: int | None) -> Subquery:
    """Map each case in scope to its child: (case_id, child_id, key), one child_id per NIK (blind index).

    A child is identified by the first of their cases in scope; a case without a NIK is a child of its own.
    The child's key is that first case's statistics key.
    """
    same_child = [Case.child_nik_bidx, sql_case((Case.child_nik_bidx.is_(None), Case.id))]
    return (
        select(
            Case.id.label("case_id"),
            func.min(Case.id).over(partition_by=same_child).label("child_id"),
            func.first_value(Case.stat_key).over(partition_by=same_child, order_by=Case.id).label("key"),
        )
        .where(cases_where(period, agency_id))
        .subquery()
    )


def _const(value: str) -> ColumnElement[str]:
    """A constant string of the recap's own (never input) written into the SQL, so that an expression in
    GROUP BY is the same text as in SELECT (bound parameters would differ, which PostgreSQL refuses)."""
    assert value.replace("_", "").replace("-", "").isalnum()  # noqa: S101 - only the recap's own codes
    return literal_column(f"'{value}'", String)


def _month(period: Period) -> ColumnElement[str]:
    """The Kendari month (YYYY-MM) of a case's registration in the period (boundaries at WITA midnight)."""
    months = _months(period)
    branches = [(Case.created_at < midnight_utc(_next_month(month)), _const(month)) for month in months[:-1]]
    return sql_case(*branches, else_=_const(months[-1])) if branches else _const(months[-1])


def _next_month(label: str) -> date:
    year, month = int(label[:4]), int(label[5:7])
    return date(year + month // 12, month % 12 + 1, 1)


def _months(period: Period) -> list[str]:
    out = []
    year, month = period.first_day.year, period.first_day.month
    while date(year, month, 1) < period.end_day:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _main_relationship(case_id: ColumnElement[int]) -> ColumnElement[str]:
    """The relationship of the case's first alleged perpetrator, 'unknown' if not recorded, 'none' if none."""
    first = (
        select(func.coalesce(CaseParty.relationship_code, _const(UNKNOWN)))
        .where(CaseParty.case_id == case_id, CaseParty.role == PartyRole.PERPETRATOR.value)
        .order_by(CaseParty.id)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(first, _const(NO_PERPETRATOR))


def _per_child(children: Subquery, table: Any, code: Any, *where: Any) -> dict[tuple[str, ...], Count]:
    """Count children (once each) by a code of any of their cases (forms of violence, AMPK, ...)."""
    pairs = (
        select(children.c.child_id, children.c.key, code.label("code"))
        .select_from(children)
        .join(table, table.case_id == children.c.case_id)
        .where(*where)
        .distinct()
        .subquery()
    )
    return _counted_by_code(pairs)


def build(period: Period, agency_id: int | None = None) -> Recap:
    """Compute the recap (true counts; publish only `RawTable.shown()` and the `*_shown` headlines)."""
    agency_code = db.session.scalar(select(Agency.code).where(Agency.id == agency_id)) if agency_id else None
    in_scope = cases_where(period, agency_id)
    children = child_map(period, agency_id)
    types = _codes("violence_type")
    kecamatan_codes = list(
        db.session.scalars(select(Region.code).where(Region.level == "kecamatan").order_by(Region.name))
    )

    # Children, once each, by every category of their first case in the period (one query, one pass over the
    # period's cases: the categories ride along with the window that finds each child's first case).
    same_child = [Case.child_nik_bidx, sql_case((Case.child_nik_bidx.is_(None), Case.id))]
    scoped = (
        select(
            Case.id.label("case_id"),
            func.min(Case.id).over(partition_by=same_child).label("child_id"),
            func.first_value(Case.stat_key).over(partition_by=same_child, order_by=Case.id).label("key"),
            func.coalesce(Case.kecamatan, _const(UNKNOWN)).label("kecamatan"),
            Case.child_sex.label("sex"),
            func.coalesce(Case.child_age_group, _const(UNKNOWN)).label("age"),
            Case.primary_violence_type.label("type"),
            func.coalesce(Case.place, _const(UNKNOWN)).label("place"),
            _month(period).label("month"),
            cast(Case.child_disability, Integer).label("disability"),
            Case.child_role.label("role"),
        )
        .where(in_scope)
        .subquery()
    )
    first_cases = (
        select(
            *[c for c in scoped.c if c.name not in ("case_id", "child_id", "role", "key")],
            _main_relationship(scoped.c.case_id).label("relationship"),
            scoped.c.role,
            scoped.c.key,
        )
        .where(scoped.c.case_id == scoped.c.child_id)
        .subquery()
    )
    dimensions = [c for c in first_cases.c if c.name != "key"]
    rows = db.session.execute(
        select(*dimensions, func.count().label("n"), func.sum(first_cases.c.key).label("keys")).group_by(
            *dimensions
        )
    ).all()
    child_count = total(list(_counted(rows, lambda r: ()).values()))
    sex_age = [f"{s}:{a}" for s, a in SEX_AGE]
    kecamatan_rows = [*kecamatan_codes, UNKNOWN]

    def by(*names: str) -> dict[tuple[str, ...], Count]:
        return _counted(rows, lambda r: tuple(_dimension(r, name) for name in names))

    tables: dict[str, RawTable] = {}
    tables["type_sex_age"] = _grid(by("type", "sex_age"), types, sex_age)
    tables["type_sex_age_kecamatan"] = _grid(
        by("kecamatan_type", "sex_age"), [f"{k}|{t}" for k in kecamatan_rows for t in types], sex_age
    )
    tables["kecamatan"] = _grid(by("kecamatan", "sex"), kecamatan_rows, ["F", "M"])
    tables["month_type"] = _grid(by("month", "type"), _months(period), types)
    tables["place"] = _column(by("place"), [*_codes("place"), UNKNOWN], partition=True)
    tables["relationship"] = _column(
        by("relationship"), [*_codes("relationship"), UNKNOWN, NO_PERPETRATOR], partition=True
    )
    tables["disability"] = _grid(by("disability", "sex_age"), ["1", "0"], sex_age)
    tables["violence_types"] = _column(
        _per_child(children, CaseViolenceType, CaseViolenceType.code), types, partition=False
    )
    tables["ampk"] = _column(_per_child(children, CaseAmpk, CaseAmpk.code), _codes("ampk"), partition=False)

    tables["services"] = _column(_services(period, agency_id), _codes("service"), partition=False)

    # Alleged perpetrators of the period's cases, by age band and sex: one person once (the copies of a
    # perpetrator on the cases of one incident share `incident_person`), as their first row says.
    perpetrator_key = cast(Case.stat_key, BigInteger) + cast(CaseParty.id, BigInteger) * _SPREAD
    band = sql_case(
        (CaseParty.is_child, _const("child")),
        (CaseParty.age_group.in_(CHILD_AGE_GROUPS), _const("child")),
        else_=func.coalesce(CaseParty.age_group, _const(UNKNOWN)),
    )
    same_person = [
        CaseParty.incident_person,
        sql_case((CaseParty.incident_person.is_(None), CaseParty.id)),
    ]
    people = (
        select(
            CaseParty.id.label("party_id"),
            func.min(CaseParty.id).over(partition_by=same_person).label("first_id"),
            band.label("band"),
            func.coalesce(CaseParty.sex, _const(UNKNOWN)).label("sex"),
            perpetrator_key.label("key"),
        )
        .join(Case, Case.id == CaseParty.case_id)
        .where(in_scope, CaseParty.role == PartyRole.PERPETRATOR.value)
        .subquery()
    )
    prows = db.session.execute(
        select(people.c.band, people.c.sex, func.count().label("n"), func.sum(people.c.key).label("keys"))
        .where(people.c.party_id == people.c.first_id)
        .group_by(people.c.band, people.c.sex)
    ).all()
    tables["perpetrators"] = _grid(
        _counted(prows, lambda r: (r.band, r.sex)), PERPETRATOR_ROWS, ["F", "M", UNKNOWN]
    )
    perpetrator_count = total(list(_counted(prows, lambda r: ()).values()))
    case_row = db.session.execute(
        select(func.count().label("n"), func.sum(Case.stat_key).label("keys")).where(in_scope)
    ).one()
    case_count = Count(int(case_row.n), int(case_row.keys or 0))
    child_perpetrators = total(
        [v for k, v in _counted(prows, lambda r: (r.band,)).items() if k == ("child",)]
    )
    incident_count = _incidents(in_scope)
    victim_count = total([v for k, v in by("role").items() if k == (ChildRole.VICTIM.value,)])
    tables["summary"] = RawTable(
        ["cases", "children", "perpetrators", "child_perpetrators", "incidents", "victims"],
        ["n"],
        [
            [case_count],
            [child_count],
            [perpetrator_count],
            [child_perpetrators],
            [incident_count],
            [victim_count],
        ],
        partition=False,
    )

    tables.update(_referral_tables(period, agency_id))
    recap = Recap(
        period=period,
        agency_code=agency_code,
        children=child_count,
        cases=case_count,
        perpetrators=perpetrator_count,
        incidents=incident_count,
        victims=victim_count,
        tables=tables,
    )
    recap.indicators = _indicators(period, children)
    return recap


def _services(period: Period, agency_id: int | None) -> dict[tuple[str, ...], Count]:
    """Count children (once each) by the services given to them in the period (by service date), whenever
    their case was registered: the children of `child_map(None, agency_id)`, found for the served cases only.

    A served case's child is the first case in scope of its NIK (blind index), else the case itself, and the
    child's key is that first case's; `child_map` over every case ever registered would sort the whole table
    for it. Each served case looks its first case up in `ix_case_file_child_nik_bidx` (index-only on
    PostgreSQL).
    """
    given = (
        select(ServiceRecord.case_id, ServiceRecord.service_type.label("code"))
        .where(
            ServiceRecord.service_date >= period.first_day,
            ServiceRecord.service_date < period.end_day,
            ServiceRecord.outcome.in_(GIVEN),
        )
        .distinct()
        .subquery()
    )
    other = aliased(Case)
    same_nik = select(other.id).where(
        other.child_nik_bidx == Case.child_nik_bidx, cases_where(None, agency_id, other)
    )
    first_id = same_nik.order_by(other.id).limit(1).scalar_subquery()
    first_key = same_nik.with_only_columns(other.stat_key).order_by(other.id).limit(1).scalar_subquery()
    pairs = (
        select(
            func.coalesce(first_id, Case.id).label("child_id"),
            func.coalesce(first_key, Case.stat_key).label("key"),
            given.c.code,
        )
        .join(given, given.c.case_id == Case.id)
        .where(cases_where(None, agency_id))
        .distinct()
        .subquery()
    )
    return _counted_by_code(pairs)


def _incidents(in_scope: ColumnElement[bool]) -> Count:
    """Count the distinct incidents of the cases in scope, each with the key of its first case."""
    same_incident = [Case.incident_id, sql_case((Case.incident_id.is_(None), Case.id))]
    cases = (
        select(
            Case.id.label("case_id"),
            func.min(Case.id).over(partition_by=same_incident).label("first_id"),
            Case.stat_key.label("key"),
        )
        .where(in_scope)
        .subquery()
    )
    row = db.session.execute(
        select(func.count().label("n"), func.sum(cases.c.key).label("keys")).where(
            cases.c.case_id == cases.c.first_id
        )
    ).one()
    return Count(int(row.n), int(row.keys or 0))


def _dimension(r: Any, name: str) -> str:
    if name == "sex_age":
        return f"{r.sex}:{r.age}"
    if name == "kecamatan_type":
        return f"{r.kecamatan}|{r.type}"
    return str(getattr(r, name))


def _referral_tables(period: Period, agency_id: int | None) -> dict[str, RawTable]:
    """Referrals sent in the period (of cases not cancelled): who referred to whom, where they stand now,
    and whether they were answered in time. The rows and columns are every agency that takes referrals,
    whatever the data: a row that appeared only with a referral would tell that a child was referred."""
    now = utcnow()
    sent = and_(
        Referral.sent_at >= period.start,
        Referral.sent_at < period.end,
        Case.status != CaseStatus.CANCELLED.value,
    )
    if agency_id is not None:
        sent = and_(sent, or_(Referral.from_agency_id == agency_id, Referral.to_agency_id == agency_id))
    from_agency = Agency.__table__.alias("from_agency")
    to_agency = Agency.__table__.alias("to_agency")
    waiting = Referral.status == ReferralStatus.SENT.value
    overdue = and_(waiting, Referral.due_at < now)
    state = sql_case((overdue, _const("overdue")), (waiting, _const("waiting")), else_=Referral.status)
    answered_at = func.coalesce(Referral.accepted_at, Referral.declined_at)
    timeliness = sql_case(
        (answered_at.is_(None) & overdue, _const("overdue")),
        (answered_at.is_(None) & waiting, _const("waiting")),
        (answered_at.is_(None), _const("withdrawn")),
        (answered_at <= Referral.due_at, _const("in_time")),
        else_=_const("late"),
    )
    key = cast(Case.stat_key, BigInteger) + cast(Referral.id, BigInteger) * _SPREAD
    rows = db.session.execute(
        select(
            from_agency.c.code.label("src"),
            to_agency.c.code.label("dst"),
            state.label("state"),
            timeliness.label("timeliness"),
            func.count().label("n"),
            func.sum(key).label("keys"),
        )
        .select_from(Referral)
        .join(Case, Case.id == Referral.case_id)
        .join(from_agency, from_agency.c.id == Referral.from_agency_id)
        .join(to_agency, to_agency.c.id == Referral.to_agency_id)
        .where(sent)
        .group_by(from_agency.c.code, to_agency.c.code, state, timeliness)
    ).all()
    agencies = list(
        db.session.scalars(
            select(Agency.code).where(Agency.accepts_referrals.is_(True)).order_by(Agency.code)
        )
    )
    return {
        "referral_flows": _grid(_counted(rows, lambda r: (r.src, r.dst)), agencies, agencies),
        "referral_outcomes": _grid(_counted(rows, lambda r: (r.dst, r.state)), agencies, FLOW_COLUMNS),
        "referral_timeliness": _grid(
            _counted(rows, lambda r: (r.dst, r.timeliness)), agencies, TIMELINESS_COLUMNS
        ),
    }


def _indicators(period: Period, children: Subquery) -> list[Indicator]:
    """KLA cluster V indicators of the period, from published (rounded) counts only."""
    with_ampk = (
        select(children.c.child_id, children.c.key)
        .join(CaseAmpk, CaseAmpk.case_id == children.c.case_id)
        .distinct()
        .subquery()
    )
    ampk_children = db.session.execute(
        select(func.count().label("n"), func.sum(with_ampk.c.key).label("keys"))
    ).one()
    served_case = (
        select(children.c.child_id)
        .join(ServiceRecord, ServiceRecord.case_id == children.c.case_id)
        .where(ServiceRecord.outcome.in_(GIVEN), ServiceRecord.service_date < period.end_day)
    )
    ampk_served = db.session.execute(
        select(func.count().label("n"), func.sum(with_ampk.c.key).label("keys")).where(
            exists(served_case.where(children.c.child_id == with_ampk.c.child_id))
        )
    ).one()
    # Cases of children in conflict with the law registered in the period, and those of them settled by
    # diversion (agreement approved by the court) before the period ended. Counted by case.
    abh = (
        select(Case.id.label("case_id"), Case.stat_key.label("key"))
        .join(children, children.c.case_id == Case.id)
        .where(Case.child_role == ChildRole.IN_CONFLICT_WITH_LAW.value)
        .subquery()
    )
    abh_cases = db.session.execute(select(func.count().label("n"), func.sum(abh.c.key).label("keys"))).one()
    settled = select(Diversion.id).where(
        Diversion.case_id == abh.c.case_id,
        Diversion.outcome == DiversionOutcome.SETTLED.value,
        Diversion.court_approved_on < period.end_day,
    )
    abh_diverted = db.session.execute(
        select(func.count().label("n"), func.sum(abh.c.key).label("keys")).where(exists(settled))
    ).one()
    all_ampk = published(Count(int(ampk_children.n), int(ampk_children.keys or 0)))
    served = published(Count(int(ampk_served.n), int(ampk_served.keys or 0)))
    all_abh = published(Count(int(abh_cases.n), int(abh_cases.keys or 0)))
    diverted = published(Count(int(abh_diverted.n), int(abh_diverted.keys or 0)))
    return [
        # Rounded apart, a part could show more than its whole: never more than all of them.
        Indicator("ampk_served", min(served, all_ampk), all_ampk),
        Indicator("abh_diversion", min(diverted, all_abh), all_abh),
    ]
