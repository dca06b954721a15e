"""Reports as a user asks for them: whose figures they may see, and every view and download audited.

The figures come from `caseapp.reports` (read-only, cached a minute); the tables and their labels from
`caseapp.reports.tables`; the files from `caseapp.exports`. The web pages and the API call these functions,
so a rule about reports (the recap's scope, the audit of an export) is written once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Response
from flask_babel import gettext as _

from caseapp import audit, localtime, reference_data
from caseapp.audit import AuditAction
from caseapp.database import utcnow
from caseapp.errors import PermissionDenied, ValidationFailed
from caseapp.exports import ExportFormat, Sheet, tables_response
from caseapp.extensions import db
from caseapp.models import Agency, User
from caseapp.reports import caseload, recap, simfoni
from caseapp.reports.caseload import Caseload
from caseapp.reports.periods import Period
from caseapp.reports.recap import Recap
from caseapp.reports.tables import caseload_sheets, recap_sheets
from caseapp.security.permissions import Permission
from caseapp.services import mfa
from caseapp.services.access import record_denial


def recap_scope(actor: User, agency_code: str | None) -> int | None:
    """Return the id of the agency whose recap the actor sees, or None for every agency.

    Who holds `report:all_agencies` (the task force's analysts) sees all agencies or the one they name;
    anyone else with the recap (a supervisor) sees their own agency's, whatever they name.
    """
    if not actor.can(Permission.REPORT_ALL_AGENCIES):
        return actor.agency_id
    if not agency_code:
        return None
    agency_id = db.session.scalar(db.select(Agency.id).where(Agency.code == agency_code))
    if agency_id is None:
        msg = _("Unknown agency %(code)s.", code=agency_code[:32])
        raise ValidationFailed(msg, fields={"agency": [msg]})
    return int(agency_id)


def recap_agencies(actor: User) -> list[Agency]:
    """Return the agencies the actor may choose between for the recap (none: they see their own)."""
    if not actor.can(Permission.REPORT_ALL_AGENCIES):
        return []
    return list(db.session.scalars(db.select(Agency).order_by(Agency.code)))


def caseload_for(actor: User, period: Period) -> Caseload:
    """Return the dashboard of the actor's own agency (the caller audits what it shows)."""
    return caseload.current(actor.agency_id, period)


def view_caseload(actor: User, period: Period) -> Caseload:
    """Return the dashboard of the actor's agency, audited as viewed."""
    report = caseload_for(actor, period)
    _viewed(actor, "caseload", {"period": period.label})
    return report


def export_caseload(actor: User, period: Period, fmt: ExportFormat) -> Response:
    """Return the dashboard of the actor's agency as a download, audited as an export."""
    report = caseload_for(actor, period)
    filters = {"period": period.label, "agency": actor.agency.code}
    about = _about(
        actor.agency.name, period, report.computed_at, _("Exact counts: for the agency's own use.")
    )
    return _export(actor, "caseload", fmt, caseload_sheets(report), filters, about)


def view_recap(actor: User, period: Period, agency_code: str | None) -> Recap:
    """Return the recap the actor may see (see `recap_scope`), audited as viewed."""
    data = recap.current(period, recap_scope(actor, agency_code))
    _viewed(actor, "recap", _recap_filters(data))
    return data


def export_recap(actor: User, period: Period, agency_code: str | None, fmt: ExportFormat) -> Response:
    """Return the recap's suppressed tables as a download, audited as an export."""
    data = recap.current(period, recap_scope(actor, agency_code))
    agency = _agency_name(data.agency_code) if data.agency_code else _("All agencies")
    about = _about(agency, period, data.computed_at, disclosure_rule())
    return _export(actor, "recap", fmt, recap_sheets(data), _recap_filters(data), about)


def disclosure_rule() -> str:
    """Return the recap's disclosure rule in the user's language (the page and every file state it)."""
    return _(
        "Every count is rounded to a multiple of 5 (fixed random rounding keyed by record, the cell-key "
        "method): 0 and 5 can stand for 1 to 4 children; a shown count p means a true count between p-4 and "
        "p+4; totals are rounded on their own, so rows may not add up exactly."
    )


def _agency_name(code: str) -> str:
    return dict(reference_data.agency_choices(active_only=False)).get(code, code)


def _about(agency: str, period: Period, computed_at: datetime, rule: str) -> list[tuple[str, str]]:
    return [
        (_("Agency"), agency),
        (_("Period"), f"{period.label} ({period.first_day.isoformat()} – {period.last_day.isoformat()})"),
        (_("Counted at"), f"{localtime.show(computed_at)} WITA"),
        (_("Disclosure rule"), rule),
    ]


# Who reports upward to SIMFONI-PPA: the women's and children's protection office (DP3A) and its service
# unit (UPTD PPA), whatever role an administrator gives someone elsewhere.
SIMFONI_AGENCY_KINDS = frozenset({"women_child_protection"})


def export_simfoni(
    actor: User, period: Period, fmt: ExportFormat, password: str, code: str | None = None
) -> Response:
    """Return the exact, case-level SIMFONI-PPA export of a period, built in this request, after a step-up
    (`confirm_simfoni`); audited as an export. The pages build it in the background
    (`services.export_jobs`); the API's `POST /reports/simfoni` answers with the file itself."""
    confirm_simfoni(actor, password, code)
    sheets, about, count = simfoni_tables(period)
    return _export(actor, "simfoni", fmt, sheets, {"period": period.label, "cases": count}, about)


def confirm_simfoni(actor: User, password: str, code: str | None) -> None:
    """Refuse the SIMFONI-PPA export to anyone but a reporting officer of the women's and children's
    protection office (audited), then check the step-up: the actor's password and, where enrolled, a fresh
    TOTP code (a wrong one is refused and counted like a failed sign-in)."""
    if not actor.can(Permission.REPORT_SIMFONI) or actor.agency.kind not in SIMFONI_AGENCY_KINDS:
        # The role given to someone outside the women's and children's protection office: refused.
        record_denial(actor, Permission.REPORT_SIMFONI, object_type="report", object_id="simfoni")
        raise PermissionDenied(str(Permission.REPORT_SIMFONI))
    mfa.confirm_identity(actor, password, code, purpose="simfoni_export")


def simfoni_tables(
    period: Period, progress: Callable[[int, int], None] | None = None
) -> tuple[list[Sheet], list[tuple[str, str]], int]:
    """Return the SIMFONI-PPA export's table, what the file says of itself, and the number of cases (no
    access check: the callers made it); `progress(done, total)` follows the rows being built."""
    rows = simfoni.rows(period, progress)
    rule = _("Exact, case-level figures for SIMFONI-PPA: confidential, not for publication.")
    about = _about(_("All agencies"), period, utcnow(), rule)
    sheet: Sheet = (_("SIMFONI-PPA cases"), simfoni.header(), rows)
    return [sheet], about, len(rows)


def empty_note() -> str:
    """Return what a table without rows says, in the current language."""
    return _("No data for this period.")


def _recap_filters(data: Recap) -> dict[str, Any]:
    return {"period": data.period.label, "agency": data.agency_code or "all"}


def _viewed(actor: User, report: str, details: dict[str, Any]) -> None:
    audit.record(
        AuditAction.REPORT_VIEW, actor=actor, object_type="report", object_id=report, details=details
    )


def _export(
    actor: User,
    report: str,
    fmt: ExportFormat,
    sheets: list[Sheet],
    filters: dict[str, Any],
    about: list[tuple[str, str]],
) -> Response:
    audit.record(
        AuditAction.EXPORT_CREATE,
        actor=actor,
        object_type="report",
        object_id=report,
        details={"report": report, "format": fmt.value, **filters},
    )
    name = f"{report}-{filters.get('period', '')}".strip("-")
    return tables_response(name, fmt, sheets, empty_note(), about)
