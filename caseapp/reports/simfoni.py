"""The case-level SIMFONI-PPA export: exact figures, one row per case, for the reporting officer only.

SIMFONI-PPA (the ministry's national recording system) takes each case, not a table. This export gives the
reporting officer the fields it asks for, mapped from ours (docs/SIMFONI-PPA.md has the mapping table), for
every case of every agency registered in the period (cancelled ones aside), so that nothing is typed twice
and small categories (trafficking, exploitation) go upward exactly, through this channel, never through the
published recap. Besides the plaintext categories it decrypts, with each case's data key, the exact values
the ministry asks for that are sealed at rest: the date and kelurahan of the incident, the child's age and
kelurahan of residence (a case whose key was shredded gives them blank). Names, NIK, addresses and the
chronology stay in the case file (the officer opens the case for them, audited, if the ministry needs them).

The same child registered at two agencies has the same `child_ref` (by the NIK's blind index), so the
ministry's figures can count one child once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseapp import labels as L
from caseapp import localtime
from caseapp import reference_data as reference
from caseapp.extensions import db
from caseapp.models import Agency, Case, CaseAmpk, CaseParty, CaseViolenceType, ServiceRecord
from caseapp.models.case import PartyRole
from caseapp.reports.periods import Period
from caseapp.reports.recap import GIVEN, cases_where, child_map
from caseapp.security import crypto


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _codes_by_case(rows: Sequence[Any]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    for case_id, code in rows:
        if code not in out[case_id]:
            out[case_id].append(code)
    return out


def label_of(vocabulary: str, code: str | None) -> str:
    """Return a code's label, or nothing for none."""
    return reference.code_label(vocabulary, code) if code else ""


@dataclass(frozen=True)
class _Sealed:
    """The exact values of a case that rest encrypted (None where not recorded or no longer readable)."""

    incident_date: date | None = None
    incident_kelurahan: str | None = None
    child_age: int | None = None
    child_kelurahan: str | None = None


def _sealed_values(case: Case) -> _Sealed:
    """Decrypt the exact values the export needs; a shredded (or unreadable) case gives none of them."""
    if case.data_key.wrapped is None:  # shredded on purpose: nothing to read, nothing to log
        return _Sealed()
    try:
        return _Sealed(case.incident_date, case.incident_kelurahan, case.child_age, case.child_kelurahan)
    except crypto.DecryptionError:
        return _Sealed()


def header() -> list[str]:
    """Return the column titles (SIMFONI-PPA's field names, in the user's language)."""
    return [
        _("Registration number"),
        _("Child reference"),
        _("Handling agency"),
        _("Date of report (WITA)"),
        _("Complaint channel"),
        _("Date of incident"),
        _("Incident date approximate"),
        _("Kecamatan of incident"),
        _("Kelurahan of incident"),
        _("Regency of incident"),
        _("Place of incident"),
        _("Main form of violence"),
        _("Forms of violence"),
        _("Sex of the victim"),
        _("Age of the victim at the incident"),
        _("Age group of the victim"),
        _("Age estimated"),
        _("Victim with a disability"),
        _("Kinds of disability"),
        _("Education of the victim"),
        _("School status of the victim"),
        _("Occupation of the victim"),
        _("Marital status of the victim"),
        _("Kecamatan of residence"),
        _("Kelurahan of residence"),
        _("Regency of residence"),
        _("AMPK category"),
        _("Number of alleged perpetrators"),
        _("Sex of each alleged perpetrator"),
        _("Age group of each alleged perpetrator"),
        _("An alleged perpetrator is a child"),
        _("Relationship of each perpetrator to the victim"),
        _("Education of each alleged perpetrator"),
        _("Occupation of each alleged perpetrator"),
        _("Services given"),
        _("Case status"),
    ]


# How many rows are built between two calls of `rows`' progress callback.
PROGRESS_EVERY = 100


def rows(period: Period, progress: Callable[[int, int], None] | None = None) -> list[list[Any]]:
    """Return one row per case registered in the period (exact values, labels in the user's language);
    `progress(done, total)` is called as the rows are built (every `PROGRESS_EVERY` and at the end)."""
    scope = cases_where(period, None)
    children = child_map(period, None)
    cases = db.session.execute(
        select(Case, Agency.name, children.c.child_id)
        .join(Agency, Agency.id == Case.owner_agency_id)
        .join(children, children.c.case_id == Case.id)
        .where(scope)
        .options(joinedload(Case.data_key))  # the sealed exact values: one statement for every key
        .order_by(Case.created_at, Case.id)
    ).all()
    ids = select(Case.id).where(scope)  # as a subquery: a year of a province is too many parameters
    types = _codes_by_case(
        db.session.execute(
            select(CaseViolenceType.case_id, CaseViolenceType.code).where(CaseViolenceType.case_id.in_(ids))
        ).all()
    )
    ampk = _codes_by_case(
        db.session.execute(select(CaseAmpk.case_id, CaseAmpk.code).where(CaseAmpk.case_id.in_(ids))).all()
    )
    services = _codes_by_case(
        db.session.execute(
            select(ServiceRecord.case_id, ServiceRecord.service_type)
            .where(ServiceRecord.case_id.in_(ids), ServiceRecord.outcome.in_(GIVEN))
            .order_by(ServiceRecord.service_date)
        ).all()
    )
    perpetrators: dict[int, list[CaseParty]] = defaultdict(list)
    for party in db.session.scalars(
        select(CaseParty)
        .where(CaseParty.case_id.in_(ids), CaseParty.role == PartyRole.PERPETRATOR.value)
        .order_by(CaseParty.id)
    ):
        perpetrators[party.case_id].append(party)
    child_refs: dict[int, str] = {}
    regions = reference.regions()

    def kecamatan_of(kelurahan: str | None) -> str:
        region = regions.get(kelurahan or "")
        parent = regions.get(region.parent_code or "") if region else None
        return parent.name if parent else ""

    def kelurahan_name(code: str | None) -> str:
        region = regions.get(code or "")
        return region.name if region else ""

    out: list[list[Any]] = []
    total = len(cases)
    for case, agency_name, child_id in cases:
        if progress is not None and out and len(out) % PROGRESS_EVERY == 0:
            progress(len(out), total)
        ref = child_refs.setdefault(child_id, f"A{len(child_refs) + 1:05d}")
        accused = perpetrators[case.id]
        exact = _sealed_values(case)

        def joined(vocabulary: str, codes: list[str]) -> str:
            return "; ".join(reference.code_label(vocabulary, c) for c in codes)

        out.append(
            [
                case.case_number,
                ref,
                agency_name,
                localtime.show(case.created_at),
                reference.code_label("channel", case.channel) if case.channel else "",
                exact.incident_date.isoformat() if exact.incident_date else "",
                _yes_no(case.incident_date_approximate),
                kecamatan_of(exact.incident_kelurahan),
                kelurahan_name(exact.incident_kelurahan),
                label_of("regency", case.incident_regency),
                reference.code_label("place", case.place) if case.place else "",
                reference.code_label("violence_type", case.primary_violence_type),
                joined("violence_type", types[case.id]),
                L.label(L.SEX_LABELS, case.child_sex),
                exact.child_age,
                case.child_age_group or "",
                _yes_no(case.child_age_is_estimate),
                _yes_no(case.child_disability),
                joined(
                    "disability_type", sorted(filter(None, (case.child_disability_types or "").split(",")))
                ),
                label_of("education_level", case.child_education),
                L.label(L.SCHOOL_STATUS_LABELS, case.child_school_status) if case.child_school_status else "",
                label_of("occupation", case.child_occupation),
                L.label(L.MARITAL_STATUS_LABELS, case.child_marital_status)
                if case.child_marital_status
                else "",
                kecamatan_of(exact.child_kelurahan),
                kelurahan_name(exact.child_kelurahan),
                label_of("regency", case.child_regency),
                joined("ampk", ampk[case.id]),
                len(accused),
                "; ".join(L.label(L.SEX_LABELS, p.sex) if p.sex else "–" for p in accused),
                "; ".join(L.label(L.AGE_GROUP_LABELS, p.age_group) if p.age_group else "–" for p in accused),
                _yes_no(any(p.is_child for p in accused)) if accused else "",
                "; ".join(
                    reference.code_label("relationship", p.relationship_code) if p.relationship_code else "–"
                    for p in accused
                ),
                "; ".join(label_of("education_level", p.education) or "–" for p in accused),
                "; ".join(label_of("occupation", p.occupation) or "–" for p in accused),
                joined("service", services[case.id]),
                L.label(L.STATUS_LABELS, case.status),
            ]
        )
    if progress is not None:
        progress(len(out), total)
    return out
