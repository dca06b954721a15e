"""Report tables with labels in the user's language, shared by the pages, the API and the exports.

Each report becomes titled tables (`Sheet`): what the CSV and XLSX downloads hold, whichever front end
serves them. The recap's tables are always the suppressed ones.
"""

from __future__ import annotations

from typing import NamedTuple

from flask_babel import gettext as _

from caseapp import labels as L
from caseapp import reference_data as reference
from caseapp.exports import Sheet
from caseapp.reports.caseload import Caseload
from caseapp.reports.recap import Recap
from caseapp.reports.suppression import SuppressedTable


def caseload_sheets(report: Caseload) -> list[Sheet]:
    """Return the dashboard as titled tables."""
    sheets: list[Sheet] = [
        (
            _("Open cases by status"),
            [_("Status"), _("Cases")],
            [[L.label(L.STATUS_LABELS, k), v] for k, v in sorted(report.by_status.items())],
        ),
        (
            _("Open cases by risk"),
            [_("Risk"), _("Cases")],
            [[L.label(L.RISK_LABELS, k), v] for k, v in sorted(report.by_risk.items())],
        ),
        (
            _("Caseload per worker"),
            [
                _("Case manager"),
                _("Open"),
                _("High risk"),
                _("First contact overdue"),
                _("No note in 30 days"),
            ],
            [
                [w.name, w.open, w.high_risk, w.overdue_first_contact, w.no_recent_note]
                for w in report.listed_workers
            ]
            + [
                [_("Other case managers (%(n)d)", n=o.user_id), o.open, o.high_risk]
                + [o.overdue_first_contact, o.no_recent_note]
                for o in [report.other_workers]
                if o is not None
            ],
        ),
        (
            _("Age of open cases (days)"),
            [_("Days since registration"), _("Cases")],
            [[k, v] for k, v in report.ageing.items()],
        ),
        (
            _("Referrals pending"),
            [_("Direction"), _("Waiting"), _("Overdue")],
            [
                [_("Incoming"), report.referrals["incoming_pending"], report.referrals["incoming_overdue"]],
                [_("Outgoing"), report.referrals["outgoing_pending"], report.referrals["outgoing_overdue"]],
            ],
        ),
        (
            _("Response times (hours)"),
            [_("Measure"), _("Count"), _("Median"), _("90th percentile")],
            [
                [label, t.count, t.median_hours, t.p90_hours]
                for label, t in (
                    (_("Registration to first contact"), report.timings["first_contact"]),
                    (_("Referral sent to accepted"), report.timings["referral_acceptance"]),
                    (_("Registration to closure"), report.timings["closure"]),
                )
            ],
        ),
    ]
    return sheets


def _sex_age_label(code: str) -> str:
    sex, age = code.split(":")
    return f"{L.label(L.SEX_LABELS, sex)} {age}"


def _row_label(name: str, code: str) -> str:
    if name == "type_sex_age_kecamatan":
        kecamatan, vtype = code.split("|")
        return f"{kecamatan} – {reference.code_label('violence_type', vtype)}"
    vocab = {
        "type_sex_age": "violence_type",
        "place": "place",
        "ampk": "ampk",
        "relationship": "relationship",
        "services": "service",
    }.get(name)
    if vocab:
        return reference.code_label(vocab, code) if code != "unknown" else _("not recorded")
    return code


def _column_label(name: str, code: str) -> str:
    if name in ("type_sex_age", "type_sex_age_kecamatan"):
        return _sex_age_label(code)
    if name == "kecamatan":
        return L.label(L.SEX_LABELS, code)
    if name == "month_type":
        return reference.code_label("violence_type", code)
    if name == "referral_flows":
        return {
            "waiting": _("Waiting"),
            "overdue": _("Overdue"),
            "accepted": _("Accepted"),
            "completed": _("Completed"),
            "declined": _("Declined"),
            "withdrawn": _("Withdrawn"),
        }[code]
    return _("Children")


def recap_titles() -> dict[str, str]:
    """Return the title of each recap table."""
    return {
        "type_sex_age": _("Children by form of violence, sex and age group"),
        "type_sex_age_kecamatan": _("Children by kecamatan, form of violence, sex and age group"),
        "kecamatan": _("Children by kecamatan and sex"),
        "month_type": _("Cases per month by main form of violence"),
        "place": _("Place of incident"),
        "relationship": _("Relationship to the alleged perpetrator"),
        "ampk": _("Children needing special protection (AMPK)"),
        "services": _("Children who received each service"),
        "referral_flows": _("Referrals between agencies (sent in the period, where they stand now)"),
    }


class ShownTable(NamedTuple):
    """One recap table as it may be shown: suppressed, titled, its rows and columns labelled."""

    key: str
    title: str
    shown: SuppressedTable
    rows: list[str]  # labels, the total row's last
    columns: list[str]  # labels, the total column's last


def recap_display(recap: Recap) -> list[ShownTable]:
    """Return each recap table suppressed, with its title and labels (in the recap's order)."""
    out = []
    titles = recap_titles()
    for key, raw in recap.tables.items():
        shown = raw.suppressed()
        rows = [_row_label(key, code) for code in raw.rows] + [_("Total")]
        cols = [_column_label(key, code) for code in raw.columns] + [_("Total")]
        out.append(ShownTable(key, titles[key], shown, rows, cols))
    return out


def recap_sheets(recap: Recap) -> list[Sheet]:
    """Return the recap's suppressed tables as titled sheets (never the raw counts)."""
    sheets: list[Sheet] = []
    for table in recap_display(recap):
        body = (
            [[label, *cells] for label, cells in zip(table.rows, table.shown.cells, strict=True)]
            if table.shown.row_labels
            else []
        )
        sheets.append((table.title, [_("Row"), *table.columns], body))
    return sheets
