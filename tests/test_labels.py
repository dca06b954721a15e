"""Interface labels: one per member of each closed vocabulary, none left over, in both languages."""

from __future__ import annotations

from enum import StrEnum

import pytest

from caseapp import labels
from caseapp.audit import labels as audit_labels
from caseapp.audit.actions import AuditAction, Outcome
from caseapp.models.attachment import AttachmentKind, AttachmentStatus
from caseapp.models.case import (
    AgeGroup,
    CancelReason,
    CaseEventKind,
    CaseStatus,
    ChildRole,
    MaritalStatus,
    NoteKind,
    NoteVisibility,
    PartyRole,
    ReopenReason,
    RiskLevel,
    SchoolStatus,
    ServiceOutcome,
    Sex,
)
from caseapp.models.export_job import ExportStatus
from caseapp.models.intake import ComplaintDecision, DischargeReason, OutreachOutcome
from caseapp.models.legal import DiversionOutcome, DiversionStage, LegalEventKind, Under12Decision
from caseapp.models.practice import Answer, CarePlanStatus, NeedDomain, TaskStatus
from caseapp.models.queue import QueueKind
from caseapp.models.referral import (
    ChildAssent,
    ConsentBy,
    DeclineReason,
    LegalBasis,
    NotificationKind,
    ReferralStatus,
    Section,
    Urgency,
)
from caseapp.security.permissions import Role
from tests.conftest import make_app

VOCABULARIES: dict[str, type[StrEnum]] = {
    "ROLE_LABELS": Role,
    "STATUS_LABELS": CaseStatus,
    "RISK_LABELS": RiskLevel,
    "SEX_LABELS": Sex,
    "CHILD_ROLE_LABELS": ChildRole,
    "LEGAL_EVENT_KIND_LABELS": LegalEventKind,
    "DIVERSION_STAGE_LABELS": DiversionStage,
    "DIVERSION_OUTCOME_LABELS": DiversionOutcome,
    "UNDER_12_DECISION_LABELS": Under12Decision,
    "ATTACHMENT_KIND_LABELS": AttachmentKind,
    "ATTACHMENT_STATUS_LABELS": AttachmentStatus,
    "EXPORT_STATUS_LABELS": ExportStatus,
    "PARTY_ROLE_LABELS": PartyRole,
    "AGE_GROUP_LABELS": AgeGroup,
    "NOTE_KIND_LABELS": NoteKind,
    "NOTE_VISIBILITY_LABELS": NoteVisibility,
    "SERVICE_OUTCOME_LABELS": ServiceOutcome,
    "CANCEL_REASON_LABELS": CancelReason,
    "REOPEN_REASON_LABELS": ReopenReason,
    "ACTION_LABELS": CaseEventKind,
    "REFERRAL_STATUS_LABELS": ReferralStatus,
    "URGENCY_LABELS": Urgency,
    "SECTION_LABELS": Section,
    "CONSENT_LABELS": ConsentBy,
    "SCHOOL_STATUS_LABELS": SchoolStatus,
    "MARITAL_STATUS_LABELS": MaritalStatus,
    "ASSENT_LABELS": ChildAssent,
    "LEGAL_BASIS_LABELS": LegalBasis,
    "DECLINE_REASON_LABELS": DeclineReason,
    "NOTIFICATION_LABELS": NotificationKind,
    "ANSWER_LABELS": Answer,
    "NEED_LABELS": NeedDomain,
    "CARE_PLAN_STATUS_LABELS": CarePlanStatus,
    "COMPLAINT_DECISION_LABELS": ComplaintDecision,
    "OUTREACH_OUTCOME_LABELS": OutreachOutcome,
    "DISCHARGE_REASON_LABELS": DischargeReason,
    "TASK_STATUS_LABELS": TaskStatus,
    "QUEUE_KIND_LABELS": QueueKind,
}
# Keyed by the case input's dotted field paths and the agencies' kinds, which are not enums of the models.
NOT_A_VOCABULARY = {"FIELD_LABELS", "AGENCY_KIND_LABELS"}
# The audit log's codes, in caseapp/audit/labels.py (DETAIL_LABELS: the keys its details use).
AUDIT_VOCABULARIES: dict[str, type[StrEnum]] = {"AUDIT_ACTION_LABELS": AuditAction, "OUTCOME_LABELS": Outcome}
# Words that read the same in both languages.
SAME_IN_BOTH = {"NIK", "Supervisor", "Auditor", "Administrator", "Visum et repertum"}


def test_every_label_mapping_is_checked_here():
    mappings = {name for name in vars(labels) if name.endswith("_LABELS")}
    assert mappings == set(VOCABULARIES) | NOT_A_VOCABULARY


@pytest.mark.parametrize("name", sorted(VOCABULARIES) + sorted(AUDIT_VOCABULARIES))
def test_every_member_has_a_label_and_no_label_is_orphaned(name):
    mapping = getattr(labels, name, None) or getattr(audit_labels, name)
    vocabulary = (VOCABULARIES | AUDIT_VOCABULARIES)[name]
    assert set(mapping) == set(vocabulary), name
    assert all(type(key) is vocabulary for key in mapping), f"{name} is keyed by {vocabulary.__name__}"


@pytest.mark.parametrize("locale", ["id", "en"])
def test_every_label_reads_in_both_languages_and_a_stored_code_finds_it(locale, tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/unused.db", BABEL_DEFAULT_LOCALE=locale)
    with app.test_request_context():
        for name in [*VOCABULARIES, *NOT_A_VOCABULARY]:
            for code, text in getattr(labels, name).items():
                assert str(text).strip(), (name, code)
        # A StrEnum member equals its code: what the database stores finds its label.
        assert labels.label(labels.SEX_LABELS, "F") == ("Perempuan" if locale == "id" else "Girl / female")
        assert labels.label(labels.STATUS_LABELS, "closed") == str(labels.STATUS_LABELS[CaseStatus.CLOSED])
        assert labels.URGENCY_LABELS["urgent"] is labels.URGENCY_LABELS[Urgency.URGENT]
        assert labels.label(labels.STATUS_LABELS, "no_such_code") == "no_such_code"
        assert labels.label(labels.STATUS_LABELS, None) == "–"
        assert labels.role_label("analyst") == str(labels.ROLE_LABELS[Role.ANALYST])


def test_the_vocabularies_match_what_the_services_write():
    from caseapp.schemas.cases import CaseAction
    from caseapp.services.notify import CASE_SUBJECTS, SUBJECTS

    assert set(CaseAction) <= set(CaseEventKind)  # every lifecycle step is a timeline entry
    assert set(SUBJECTS) | set(CASE_SUBJECTS) == set(NotificationKind)


def _all_labels() -> list[tuple[str, object, object]]:
    found = [
        (name, code, text)
        for name in [*VOCABULARIES, *NOT_A_VOCABULARY]
        for code, text in getattr(labels, name).items()
    ]
    for name in [*AUDIT_VOCABULARIES, "DETAIL_LABELS"]:
        found += [(name, code, text) for code, text in getattr(audit_labels, name).items()]
    return found


def test_every_label_is_translated_into_indonesian(tmp_path):
    """Each label of every vocabulary (and of the audit log's codes and the agencies' kinds) has its own
    Indonesian text, not the English fallback."""
    app = make_app(f"sqlite:///{tmp_path}/unused.db")
    untranslated = []
    with app.test_request_context():
        from flask_babel import force_locale

        for name, code, text in _all_labels():
            with force_locale("en"):
                english = str(text)
            with force_locale("id"):
                indonesian = str(text)
            if english == indonesian and english not in SAME_IN_BOTH:
                untranslated.append(f"{name}[{code}] {english!r}")
    assert not untranslated, untranslated


def test_every_agency_kind_in_the_reference_data_has_a_label():
    import csv
    import io
    from importlib import resources

    text = resources.files("caseapp.data.reference").joinpath("agencies.csv").read_text("utf-8")
    kinds = {row["kind"] for row in csv.DictReader(io.StringIO(text))}
    assert kinds == set(labels.AGENCY_KIND_LABELS)


def test_the_audit_log_reads_in_words(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/unused.db")
    with app.test_request_context():
        assert labels.label(audit_labels.AUDIT_ACTION_LABELS, "case.view") == "Melihat kasus"
        assert labels.label(audit_labels.OUTCOME_LABELS, "success") == "Berhasil"
        assert audit_labels.describe_fields('["child.name", "risk_level"]') == "Nama anak, Tingkat risiko"
        assert audit_labels.describe_details('{"referral": 7, "sections": ["identity"]}') == (
            "rujukan: 7; bagian: identity"
        )
