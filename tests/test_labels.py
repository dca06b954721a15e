"""Interface labels: one per member of each closed vocabulary, none left over, in both languages."""

from __future__ import annotations

from enum import StrEnum

import pytest

from caseapp import labels
from caseapp.models.attachment import AttachmentKind, AttachmentStatus
from caseapp.models.case import (
    AgeGroup,
    CancelReason,
    CaseEventKind,
    CaseStatus,
    ChildRole,
    NoteKind,
    NoteVisibility,
    PartyRole,
    ReopenReason,
    RiskLevel,
    ServiceOutcome,
    Sex,
)
from caseapp.models.legal import DiversionOutcome, DiversionStage, LegalEventKind, Under12Decision
from caseapp.models.referral import (
    ConsentBy,
    DeclineReason,
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
    "DECLINE_REASON_LABELS": DeclineReason,
    "NOTIFICATION_LABELS": NotificationKind,
}
# Keyed by the case input's dotted field paths, which are not a vocabulary of the models.
NOT_A_VOCABULARY = {"FIELD_LABELS"}


def test_every_label_mapping_is_checked_here():
    mappings = {name for name in vars(labels) if name.endswith("_LABELS")}
    assert mappings == set(VOCABULARIES) | NOT_A_VOCABULARY


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_every_member_has_a_label_and_no_label_is_orphaned(name):
    mapping = getattr(labels, name)
    vocabulary = VOCABULARIES[name]
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
    from caseapp.services.notify import SUBJECTS

    assert set(CaseAction) <= set(CaseEventKind)  # every lifecycle step is a timeline entry
    assert set(SUBJECTS) == set(NotificationKind)
