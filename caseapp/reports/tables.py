"""Report tables with labels in the user's language, shared by the pages, the API and the exports.

Each report becomes titled tables (`Sheet`): what the CSV and XLSX downloads hold, whichever front end
serves them. The recap's tables are always the rounded ones.
"""

from __future__ import annotations

from typing import NamedTuple

from flask_babel import gettext as _

from caseapp import labels as L
from caseapp import reference_data as reference
from caseapp.exports import Sheet
from caseapp.reports.caseload import Caseload
from caseapp.reports.recap import NO_PERPETRATOR, UNKNOWN, Recap


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


_ROW_VOCABULARIES = {
    "type_sex_age": "violence_type",
    "violence_types": "violence_type",
    "place": "place",
    "ampk": "ampk",
    "relationship": "relationship",
    "services": "service",
}


def _row_label(name: str, code: str) -> str:
    if code == UNKNOWN:
        return _("not recorded")
    if name == "type_sex_age_kecamatan":
        kecamatan, vtype = code.split("|")
        where = _("kecamatan not recorded") if kecamatan == UNKNOWN else reference.region_name(kecamatan)
        return f"{where} – {reference.code_label('violence_type', vtype)}"
    if name == "kecamatan":
        return reference.region_name(code)
    if name == "relationship" and code == NO_PERPETRATOR:
        return _("no alleged perpetrator recorded")
    if name == "disability":
        return _("With a disability") if code == "1" else _("Without a disability")
    if name == "perpetrators":
        if code == "child":
            return _("Children (under 18)")
        return L.label(L.AGE_GROUP_LABELS, code)
    if name == "summary":
        return {
            "incidents": _("Incidents (one incident can have several children)"),
            "cases": _("Cases"),
            "children": _("Children"),
            "victims": _("of whom victims"),
            "perpetrators": _("Alleged perpetrators (once per incident)"),
            "child_perpetrators": _("of whom children"),
        }[code]
    if name in ("referral_timeliness", "referral_outcomes"):
        return dict(reference.agency_choices(active_only=False)).get(code, code)
    vocab = _ROW_VOCABULARIES.get(name)
    return reference.code_label(vocab, code) if vocab else code


def _column_label(name: str, code: str) -> str:
    if code == UNKNOWN:
        return _("not recorded")
    if name in ("type_sex_age", "type_sex_age_kecamatan", "disability"):
        return _sex_age_label(code)
    if name in ("kecamatan", "perpetrators"):
        return L.label(L.SEX_LABELS, code)
    if name == "month_type":
        return reference.code_label("violence_type", code)
    if name == "referral_flows":
        return code  # the receiving agency's code (the names would not fit as column headings)
    if name == "referral_outcomes":
        return {
            "waiting": _("Waiting"),
            "overdue": _("Overdue"),
            "accepted": _("Accepted"),
            "completed": _("Completed"),
            "declined": _("Declined"),
            "withdrawn": _("Withdrawn"),
        }[code]
    if name == "referral_timeliness":
        return {
            "in_time": _("Answered in time"),
            "late": _("Answered late"),
            "overdue": _("Not answered, overdue"),
            "waiting": _("Not answered, not yet due"),
            "withdrawn": _("Withdrawn before an answer"),
        }[code]
    if name in ("summary",):
        return _("Number")
    if name == "perpetrators":
        return _("Alleged perpetrators")
    return _("Children")


def recap_titles() -> dict[str, str]:
    """Return the title of each recap table."""
    return {
        "summary": _("Cases, children and alleged perpetrators"),
        "type_sex_age": _("Children by main form of violence, sex and age group at the incident"),
        "type_sex_age_kecamatan": _(
            "Children by kecamatan of residence, main form of violence, sex and age group"
        ),
        "kecamatan": _("Children by kecamatan of residence and sex"),
        "month_type": _("Children per month of registration by main form of violence"),
        "violence_types": _("Every form of violence recorded (a child may be counted under several)"),
        "place": _("Children by place of incident"),
        "relationship": _("Children by relationship of the main alleged perpetrator to the child"),
        "perpetrators": _("Alleged perpetrators by age and sex"),
        "disability": _("Children with a disability, by sex and age group"),
        "ampk": _("Children needing special protection (AMPK; a child may be in several categories)"),
        "services": _("Children who received each service (given or ongoing; a child may receive several)"),
        "referral_flows": _(
            "Referrals sent in the period, from the agency of the row to the agency of the column"
        ),
        "referral_outcomes": _("Referrals received, by where they stand now (sent in the period)"),
        "referral_timeliness": _("Referrals received, answered within the agreed time or not"),
    }


def indicator_texts() -> dict[str, tuple[str, str]]:
    """Return the title and the definition of each KLA indicator."""
    return {
        "ampk_served": (
            _("Children needing special protection (AMPK) who were served"),
            _(
                "KLA cluster V: children registered in the period with at least one AMPK category who "
                "received at least one service (given or ongoing) by the end of the period, out of all "
                "children registered in the period with an AMPK category. Computed from the rounded counts."
            ),
        ),
        "abh_diversion": (
            _("Cases of children in conflict with the law settled by diversion"),
            _(
                "KLA cluster V: cases of children in conflict with the law (ABH) registered in the period "
                "whose diversion was settled (the victim agreed and the district court approved the "
                "agreement) before the period ended, out of all ABH cases registered in the period. A case "
                "counts once whatever the number of stages tried."
            ),
        ),
    }


class ShownTable(NamedTuple):
    """One recap table as it may be shown: rounded, titled, its rows and columns labelled."""

    key: str
    title: str
    raw_rows: list[str]  # codes, without the total row
    raw_columns: list[str]  # codes, without the total column
    cells: list[
        list[str]
    ]  # published counts, with the total column and the total row where the table has them
    rows: list[str]  # labels (the total row's last where there is one)
    columns: list[str]  # labels (the total column's last where there is one)


def recap_display(recap: Recap) -> list[ShownTable]:
    """Return each recap table rounded, with its title and labels (in the recap's order)."""
    out = []
    titles = recap_titles()
    for key in titles:  # in the order of the titles: the summary first
        raw = recap.tables[key]
        rows = [_row_label(key, code) for code in raw.rows] + ([_("Total")] if raw.total_row else [])
        cols = [_column_label(key, code) for code in raw.columns] + ([_("Total")] if raw.total_column else [])
        out.append(ShownTable(key, titles[key], raw.rows, raw.columns, raw.shown(), rows, cols))
    return out


def recap_sheets(recap: Recap) -> list[Sheet]:
    """Return the recap's rounded tables as titled sheets (never the true counts)."""
    sheets: list[Sheet] = []
    for table in recap_display(recap):
        # Counts as numbers, so that a spreadsheet adds them up.
        body = [[label, *map(int, cells)] for label, cells in zip(table.rows, table.cells, strict=True)]
        sheets.append((table.title, [_("Row"), *table.columns], body))
    return sheets


class ShownIndicator(NamedTuple):
    """A KLA indicator as shown: its title and definition in the user's language, its published figures."""

    key: str
    title: str
    definition: str
    numerator: int | None
    denominator: int | None
    percent: float | None


def indicator_rows(recap: Recap) -> list[ShownIndicator]:
    """Return the recap's KLA indicators with their titles and definitions."""
    texts = indicator_texts()
    return [
        ShownIndicator(i.key, *texts[i.key], i.numerator, i.denominator, i.percent) for i in recap.indicators
    ]
