"""The shapes of intake and protection: complaints and their triage, outreach visits, shelter stays."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from caseapp import reference_data
from caseapp.database import utcnow
from caseapp.models.intake import ComplaintDecision, DischargeReason, OutreachOutcome
from caseapp.models.referral import Urgency
from caseapp.schemas.base import Input, Output, fail
from caseapp.schemas.cases import MAX_NARRATIVE, RequiredChannel, ServiceDate, refuse_at
from caseapp.schemas.types import (
    NOT_BLANK,
    TIME_PATTERN,
    Document,
    Text,
    UtcTime,
    blank_is_none,
    chosen,
    one_message,
    read_time,
    schema_rules,
    stored_utc,
)

MAX_NAME = 120
MAX_CONTACT = 120
MAX_REASON = 2000
MAX_PLACE = 300
MAX_NOTE = 5000


def _received(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value > utcnow() + dt.timedelta(minutes=5):
        raise fail(_("The time cannot be in the future."))
    return value


def _agency(code: str | None) -> str | None:
    if code is not None and code not in {c for c, _name in reference_data.agency_choices()}:
        raise fail(_("Choose an agency from the list."))
    return code


def _agency_codes(schema: dict[str, Any]) -> None:
    schema["enum"] = sorted(c for c, _n in reference_data.agency_choices())


if TYPE_CHECKING:
    ReporterName = str
    ReporterContact = str
    ReportText = str
    ReasonText = str
    PlaceText = str
    NoteText = str
else:
    ReporterName = Text(MAX_NAME)
    ReporterContact = Text(MAX_CONTACT)
    ReportText = Text(MAX_NARRATIVE, filled=True)
    ReasonText = Text(MAX_REASON)
    PlaceText = Text(MAX_PLACE)
    NoteText = Text(MAX_NOTE)

ReceivedAt = Annotated[
    dt.datetime | None,
    BeforeValidator(read_time),
    AfterValidator(stored_utc),
    AfterValidator(_received),
    Document(blank=True, pattern=TIME_PATTERN, format=None),
]
OptionalAgency = Annotated[
    str | None,
    BeforeValidator(blank_is_none),
    AfterValidator(_agency),
    Field(json_schema_extra=_agency_codes),
    Document(blank=True),
]


# Complaints ------------------------------------------------------------------------------------------------


class ComplaintIn(Input):
    """A complaint (pengaduan) as received: when, through which channel, who reported it, what they said."""

    received_at: ReceivedAt = Field(
        default=None,
        description="When it was received, RFC 3339 (without an offset: UTC); not in the future; default now",
    )
    channel: RequiredChannel = Field(description="Code of the `channel` vocabulary (GET /reference)")
    urgency: Annotated[Urgency, Field(strict=False), BeforeValidator(chosen)] = Field(
        description="emergency: triage within 24 hours, urgent: 72 hours, routine: 7 days"
    )
    reporter_name: ReporterName = Field(default="", description="Who reported it (encrypted); may be empty")
    reporter_contact: ReporterContact = Field(
        default="", description="How to reach the reporter: phone, address (encrypted)"
    )
    report: ReportText = Field(description="What was reported (encrypted); not blank")

    @field_validator("report")
    @classmethod
    def _report_given(cls, value: str) -> str:
        if not value:
            raise fail(_("Write what was reported."))
        return value


FILLED = {"type": "string", "pattern": NOT_BLANK}
TRIAGE_RULES: list[dict[str, Any]] = [
    {
        "if": {
            "required": ["decision"],
            "properties": {"decision": {"const": ComplaintDecision.ACCEPTED.value}},
        },
        "then": {"required": ["case_id"], "properties": {"case_id": {"type": "string", "minLength": 1}}},
    },
    {
        "if": {
            "required": ["decision"],
            "properties": {"decision": {"const": ComplaintDecision.REFERRED_ELSEWHERE.value}},
        },
        "then": {"required": ["agency"], "properties": {"agency": {"type": "string", "minLength": 1}}},
    },
    {
        "if": {
            "required": ["decision"],
            "properties": {"decision": {"const": ComplaintDecision.NOT_A_CASE.value}},
        },
        "then": {"required": ["reason"], "properties": {"reason": FILLED}},
    },
]


class TriageIn(Input):
    """Triage of a complaint, once: accepted (it became the case `case_id`), referred elsewhere (to
    `agency`), or not a case (with a `reason`)."""

    model_config = ConfigDict(json_schema_extra=schema_rules(*TRIAGE_RULES))

    decision: Annotated[
        ComplaintDecision, Field(strict=False), one_message(_l("Choose the triage decision."))
    ]
    case_id: Annotated[
        uuid.UUID | None,
        Field(strict=False),
        BeforeValidator(blank_is_none),
        one_message(_l("Choose the case the complaint became.")),
        Document(blank=True),
    ] = Field(
        default=None,
        description="accepted: the case registered from it (POST /cases first), owned by your agency",
    )
    agency: OptionalAgency = Field(default=None, description="referred_elsewhere: code of the agency")
    reason: ReasonText = Field(
        default="", description="not_a_case: why (required; encrypted); referred_elsewhere: a note"
    )

    @model_validator(mode="after")
    def _what_each_decision_needs(self) -> TriageIn:
        if self.decision is ComplaintDecision.ACCEPTED and self.case_id is None:
            raise refuse_at((("case_id",), _("Choose the case the complaint became."), None))
        if self.decision is ComplaintDecision.REFERRED_ELSEWHERE and not self.agency:
            raise refuse_at((("agency",), _("Choose the agency the complaint was referred to."), None))
        if self.decision is ComplaintDecision.NOT_A_CASE and not self.reason:
            raise refuse_at((("reason",), _("Say why this is not a case."), ""))
        return self


class OutreachOut(Output):
    """An outreach visit as its readers see it."""

    id: uuid.UUID
    date: dt.date
    place: str
    outcome: OutreachOutcome
    note: str
    author: str = Field(description="Username")
    recorded_at: UtcTime


class ComplaintSummaryOut(Output):
    """A complaint in a list: codes and times, no names or text."""

    id: uuid.UUID
    received_at: UtcTime
    channel: str = Field(description="Code (GET /reference: channel)")
    urgency: Urgency
    triage_due_at: UtcTime
    triage_overdue: bool
    decision: ComplaintDecision | None = Field(description="Null while it waits for triage")
    case_id: uuid.UUID | None = Field(description="The case it became (accepted)")


class ComplaintOut(ComplaintSummaryOut):
    """A complaint with what it says (reading it is audited)."""

    reporter_name: str
    reporter_contact: str
    report: str
    agency: str = Field(description="Code of the receiving agency")
    recorded_by: str = Field(description="Username")
    triaged_by: str | None = Field(description="Username")
    triaged_at: UtcTime | None
    referred_to: str | None = Field(description="referred_elsewhere: code of the agency")
    reason: str = Field(description="not_a_case: why; referred_elsewhere: a note")
    outreach: list[OutreachOut]


class ComplaintListOut(Output):
    """The agency's complaints: waiting for triage first (soonest due), then the newest."""

    items: list[ComplaintSummaryOut]


class ComplaintListQuery(Input):
    """Which complaints to list."""

    untriaged: bool = Field(default=False, description="Only those waiting for triage")


# Outreach ---------------------------------------------------------------------------------------------


class OutreachIn(Input):
    """An outreach visit (penjangkauan): when, where (encrypted), how it ended, a note (encrypted)."""

    date: ServiceDate = Field(description="Not in the future")
    place: PlaceText = Field(default="", description="Where (encrypted)")
    outcome: Annotated[OutreachOutcome, Field(strict=False), one_message(_l("Choose how the visit ended."))]
    note: NoteText = Field(default="", description="What happened (encrypted)")


# Shelter stays ----------------------------------------------------------------------------------------

SHELTER_RULES: dict[str, Any] = {
    "anyOf": [
        {
            "required": ["shelter_agency"],
            "properties": {"shelter_agency": {"type": "string", "minLength": 1}},
        },
        {"required": ["shelter_place"], "properties": {"shelter_place": FILLED}},
    ]
}


class ShelterStayIn(Input):
    """A child's admission to a shelter: an agency's shelter, or a place named in words (encrypted)."""

    model_config = ConfigDict(json_schema_extra=schema_rules(SHELTER_RULES))

    shelter_agency: OptionalAgency = Field(default=None, description="Code of the agency running the shelter")
    shelter_place: PlaceText = Field(
        default="", description="The shelter in words, when it is not an agency's (encrypted)"
    )
    admitted_on: ServiceDate = Field(description="Not in the future")

    @model_validator(mode="after")
    def _some_shelter(self) -> ShelterStayIn:
        if not self.shelter_agency and not self.shelter_place:
            raise refuse_at((("shelter_agency",), _("Choose the shelter's agency or name the place."), None))
        return self


class DischargeIn(Input):
    """The end of a shelter stay: when, and why."""

    discharged_on: ServiceDate = Field(description="Not in the future, not before the admission")
    reason: Annotated[
        DischargeReason, Field(strict=False), BeforeValidator(chosen), one_message(_l("Choose the reason."))
    ]


class ShelterStayOut(Output):
    """A shelter stay of a case (open while `discharged_on` is null)."""

    id: uuid.UUID
    shelter_agency: str | None = Field(description="Agency code")
    shelter_place: str
    admitted_on: dt.date
    discharged_on: dt.date | None
    discharge_reason: DischargeReason | None
    open: bool


class ShelterStayListOut(Output):
    """A case's shelter stays: the open one, then the newest first."""

    items: list[ShelterStayOut]


class OutreachListOut(Output):
    """A case's outreach visits, newest first."""

    items: list[OutreachOut]
