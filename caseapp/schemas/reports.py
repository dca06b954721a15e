"""Shapes of the report API: the query (period, agency, format) and the JSON answers, every key typed.

The pages read the same query, so a period or an agency is checked one way for the browser and the API.
"""

from __future__ import annotations

from dataclasses import asdict
from enum import StrEnum
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import AfterValidator, ConfigDict, Field, PlainValidator, WithJsonSchema, field_validator

from caseapp import reference_data
from caseapp.errors import ValidationFailed
from caseapp.exports import ExportFormat
from caseapp.models.case import CaseStatus, RiskLevel
from caseapp.reports.caseload import MANAGER_ROWS, Caseload, WorkerLoad
from caseapp.reports.disclosure import METHOD
from caseapp.reports.periods import Period, parse_period
from caseapp.reports.recap import Recap
from caseapp.reports.tables import indicator_rows, recap_display
from caseapp.schemas.base import Input, Output, fail
from caseapp.schemas.types import PY_STRIPPED, Document, UtcTime


class ReportFormat(StrEnum):
    """How a report is answered: JSON, or a download of its tables."""

    JSON = "json"
    CSV = ExportFormat.CSV.value
    CSV_ID = ExportFormat.CSV_ID.value
    XLSX = ExportFormat.XLSX.value


def _period(value: Any) -> Period:
    if isinstance(value, Period):
        return value
    if value is not None and not isinstance(value, str):
        raise fail(_("Enter text."))
    try:
        return parse_period(value)
    except ValidationFailed as exc:
        raise fail(exc.message) from None


# What `parse_period` accepts: empty (the current year), or a year 2000-2100 alone, with a month or with a
# quarter, whitespace around it allowed (it strips the value first).
_SPACE = f"[{PY_STRIPPED}]*"
PERIOD_PATTERN = f"^(?:{_SPACE}(?:20[0-9]{{2}}|2100)(?:-(?:0[1-9]|1[0-2])|-Q[1-4])?{_SPACE})?$"

# A period as the URL names it (2026, 2026-Q3, 2026-11), read as its [start, end) range in UTC.
ReportPeriod = Annotated[
    Period,
    PlainValidator(_period),
    WithJsonSchema({"type": "string", "pattern": PERIOD_PATTERN, "examples": ["2026", "2026-Q3", "2026-11"]}),
]


def _current_year() -> Period:
    return parse_period(None)


def _agency_codes() -> list[str]:
    return [code for code, _name in reference_data.agency_choices(active_only=False)]


def _known_agency(value: str) -> str:
    if value not in _agency_codes():
        raise fail(_("Unknown agency %(code)s.", code=value[:32]))
    return value


def _agency_enum(schema: dict[str, Any]) -> None:
    schema["enum"] = sorted(_agency_codes())


AgencyCode = Annotated[str, AfterValidator(_known_agency), Field(json_schema_extra=_agency_enum)]


class ReportQuery(Input):
    """What a report covers and how it is answered."""

    period: ReportPeriod = Field(
        default_factory=_current_year,
        description="YYYY, YYYY-Qn or YYYY-MM (years 2000-2100, UTC); the current year when absent",
    )
    format: ReportFormat = Field(
        default=ReportFormat.JSON,
        description="json, or a download of the same tables: csv, csv-id (semicolons and decimal "
        "comma, as Excel reads it in Indonesia) or xlsx",
    )

    @property
    def download(self) -> ExportFormat | None:
        """The file asked for, or None for the JSON answer (or the page)."""
        return None if self.format is ReportFormat.JSON else ExportFormat(self.format.value)


class CaseloadQuery(ReportQuery):
    """The caseload of the user's own agency."""


class RecapQuery(ReportQuery):
    """The recap of every agency or of one (an analyst's choice; anyone else sees their own agency's)."""

    agency: Annotated[AgencyCode | None, Document(blank=True)] = Field(
        default=None, description="An agency code (GET /reference); all agencies when absent or empty"
    )

    @field_validator("agency", mode="before")
    @classmethod
    def _blank_is_all(cls, value: Any) -> Any:
        return None if value == "" else value


class SimfoniFormat(StrEnum):
    """The files the SIMFONI-PPA export comes in."""

    CSV = ExportFormat.CSV.value
    CSV_ID = ExportFormat.CSV_ID.value
    XLSX = ExportFormat.XLSX.value


class SimfoniIn(Input):
    """The exact, case-level SIMFONI-PPA export of a period, asked for with the user's password again."""

    period: ReportPeriod = Field(description="YYYY, YYYY-Qn or YYYY-MM (years 2000-2100, UTC)")
    format: SimfoniFormat = Field(default=SimfoniFormat.XLSX, description="csv, csv-id or xlsx")
    password: Annotated[str, Field(min_length=1, max_length=256)] = Field(
        description="The user's own password, asked again before exact figures leave the system"
    )
    code: Annotated[str, Field(max_length=32)] | None = Field(
        default=None, description="A current code of the user's authenticator app (required where enrolled)"
    )


# Answers ------------------------------------------------------------------------------------------------


class WorkerLoadOut(Output):
    """One case manager's open cases."""

    user_id: int
    name: str = Field(description="The case manager's display name")
    open: int
    high_risk: int
    overdue_first_contact: int = Field(description="Open cases whose first contact is past due")
    no_recent_note: int = Field(description="Open cases without a note in 30 days")


class OtherWorkersOut(Output):
    """The case managers after the listed ones, summed up."""

    managers: int = Field(description="How many case managers this row sums up")
    open: int
    high_risk: int
    overdue_first_contact: int
    no_recent_note: int


class AgeingOut(Output):
    """Open cases by days since registration."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True, validate_by_name=True)

    days_0_7: int = Field(alias="0-7")
    days_8_30: int = Field(alias="8-30")
    days_31_90: int = Field(alias="31-90")
    days_over_90: int = Field(alias="90+")


class PendingReferralsOut(Output):
    """Referrals waiting for an answer, to and from the agency."""

    incoming_pending: int
    incoming_overdue: int
    outgoing_pending: int
    outgoing_overdue: int


class TimingOut(Output):
    """A response time over the period, in hours (null without a single case)."""

    count: int
    median_hours: float | None
    p90_hours: float | None


class TimingsOut(Output):
    """Response times of the period."""

    first_contact: TimingOut = Field(description="Registration to first contact")
    referral_acceptance: TimingOut = Field(description="Referral sent to accepted (referrals received)")
    closure: TimingOut = Field(description="Registration to closure")


class CaseloadOut(Output):
    """The supervisor's dashboard of their agency."""

    period: str
    open_by_status: dict[CaseStatus, int]
    open_by_risk: dict[RiskLevel, int]
    workers: list[WorkerLoadOut] = Field(
        description=f"The case managers with the most open cases (at most {MANAGER_ROWS}), most first"
    )
    other_workers: OtherWorkersOut | None = Field(
        description="The agency's other case managers summed up in one row; null when all are listed"
    )
    ageing_days: AgeingOut
    referrals: PendingReferralsOut
    timings_hours: TimingsOut

    @classmethod
    def of(cls, report: Caseload) -> CaseloadOut:
        """Shape a computed dashboard."""
        return cls(
            period=report.period.label,
            open_by_status={CaseStatus(k): v for k, v in report.by_status.items()},
            open_by_risk={RiskLevel(k): v for k, v in report.by_risk.items()},
            workers=[WorkerLoadOut(**asdict(w)) for w in report.listed_workers],
            other_workers=_others(report.other_workers),
            ageing_days=AgeingOut.model_validate(report.ageing),
            referrals=PendingReferralsOut(**report.referrals),
            timings_hours=TimingsOut(**{k: TimingOut(**asdict(t)) for k, t in report.timings.items()}),
        )


class RecapTableOut(Output):
    """One recap table, every count rounded (see `disclosure`).

    Where the table has totals, its total row is the last of `cells` and its total column each row's last.
    """

    title: str = Field(description="In the user's language")
    rows: list[str] = Field(description="Row keys (codes, or names where the recap has no code), no total")
    columns: list[str] = Field(description="Column keys (sex:age group, codes or states), no total")
    total_row: bool = Field(description="Whether the last row of cells is the total of each column")
    total_column: bool = Field(description="Whether the last cell of each row is the row's total")
    cells: list[list[str]] = Field(
        description="Counts as they may be published: multiples of 5 (see disclosure)"
    )


class RecapTablesOut(Output):
    """Every table of the recap."""

    summary: RecapTableOut
    type_sex_age: RecapTableOut
    type_sex_age_kecamatan: RecapTableOut
    kecamatan: RecapTableOut
    month_type: RecapTableOut
    violence_types: RecapTableOut
    place: RecapTableOut
    relationship: RecapTableOut
    perpetrators: RecapTableOut
    disability: RecapTableOut
    ampk: RecapTableOut
    services: RecapTableOut
    referral_flows: RecapTableOut
    referral_outcomes: RecapTableOut
    referral_timeliness: RecapTableOut


class IndicatorOut(Output):
    """A KLA cluster V indicator of the period."""

    key: str
    title: str = Field(description="In the user's language")
    definition: str = Field(description="What is counted, in the user's language")
    numerator: int | None = Field(description="Published (rounded) count; null when not computable")
    denominator: int | None = Field(description="Published (rounded) count; null when not computable")
    percent: float | None = Field(description="numerator / denominator in percent, from the rounded counts")


class RecapOut(Output):
    """The task force's recap of a period: counts only, every count rounded to a multiple of 5."""

    period: str
    agency: str | None = Field(description="The agency the recap covers, or null for all")
    children: int = Field(description="Children registered in the period, one child once (rounded)")
    cases: int = Field(description="Cases registered in the period (rounded)")
    perpetrators: int = Field(
        description="Alleged perpetrators of those cases, one person of one incident once (rounded)"
    )
    incidents: int = Field(description="Distinct incidents of those cases (rounded)")
    victims: int = Field(description="Of the children, those who are victims (rounded)")
    tables: RecapTablesOut
    indicators: list[IndicatorOut]
    computed_at: UtcTime = Field(description="When the figures were counted (UTC)")
    disclosure: str = Field(description="How the counts are protected, and what a shown count means")

    @classmethod
    def of(cls, recap: Recap) -> RecapOut:
        """Shape a computed recap (its rounded tables only)."""
        tables = {
            table.key: RecapTableOut(
                title=table.title,
                rows=table.raw_rows,
                columns=table.raw_columns,
                total_row=recap.tables[table.key].total_row,
                total_column=recap.tables[table.key].total_column,
                cells=table.cells,
            )
            for table in recap_display(recap)
        }
        return cls(
            period=recap.period.label,
            agency=recap.agency_code,
            children=recap.children_shown,
            cases=recap.cases_shown,
            perpetrators=recap.perpetrators_shown,
            incidents=recap.incidents_shown,
            victims=recap.victims_shown,
            tables=RecapTablesOut(**tables),
            indicators=[IndicatorOut(**i._asdict()) for i in indicator_rows(recap)],
            computed_at=recap.computed_at,
            disclosure=METHOD,
        )


def _others(rest: WorkerLoad | None) -> OtherWorkersOut | None:
    if rest is None:
        return None
    return OtherWorkersOut(
        managers=rest.user_id,
        open=rest.open,
        high_risk=rest.high_risk,
        overdue_first_contact=rest.overdue_first_contact,
        no_recent_note=rest.no_recent_note,
    )
