"""Referral shapes: what sending and each response take, and what a referral answer holds.

The API parses these from JSON (strictly) and the referral pages build the same bodies from their forms
(`parse_data(..., strict=False)`), so a referral is checked by one set of rules whichever way it comes.
Rules that need the case or the people involved (the receiving agency, who may override consent, who may
share a restricted child's identity) stay in `caseapp.services.referrals`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from flask_babel import gettext as _
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)

from caseapp import localtime, reference_data
from caseapp.models.case import ServiceOutcome
from caseapp.models.referral import (
    ChildAssent,
    ConsentBy,
    DeclineReason,
    LegalBasis,
    ReferralStatus,
    Section,
    Urgency,
)
from caseapp.schemas.attachments import AttachmentOut
from caseapp.schemas.base import Input, Output, fail
from caseapp.schemas.types import (
    DAY_PATTERN,
    NOT_BLANK,
    Code,
    Document,
    Text,
    UtcTime,
    read_day,
    schema_rules,
)


def _referral_agency(code: str) -> str:
    # Checked here as well as when sending, so that only a listed code goes on to the database.
    if code not in reference_data.referral_agencies():
        raise fail(_("Choose an agency that accepts referrals."))
    return code


# `Code(...)` and `Text(...)` build pydantic types at run time; a type checker reads them as plain text.
if TYPE_CHECKING:
    ServiceCode = str
    AgencyCode = str
    Username = str
    PersonName = str
    NoteText = str
    ReasonText = str
    Explanation = str
else:
    ServiceCode = Code("service")
    AgencyCode = Annotated[
        str,
        AfterValidator(_referral_agency),
        Field(json_schema_extra=lambda schema: schema.update(enum=reference_data.referral_agencies())),
    ]
    Username = Text(80)
    PersonName = Text(120)
    NoteText = Text(2000)
    ReasonText = Text(5000, filled=True)
    Explanation = Text(2000, filled=True)

# Filters of a referral list besides the statuses themselves.
OPEN_FILTER = "open"
OVERDUE_FILTER = "overdue"
STATUS_FILTERS = (OPEN_FILTER, OVERDUE_FILTER, *(s.value for s in ReferralStatus))


def _or_say(message: Callable[[], str]) -> WrapValidator:
    """Refuse any bad value of a field with one message of ours (the field's own question)."""

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError:
            raise fail(message()) from None

    return WrapValidator(check)


# Sending ----------------------------------------------------------------------------------------------------

GIVEN = (ConsentBy.GUARDIAN,)
TAKEN = (ConsentBy.GUARDIAN, ConsentBy.NOT_REQUIRED)  # `child` is only read on older referrals
DAY = {"type": "string", "format": "date", "pattern": DAY_PATTERN}
# The consent as the document states it: by `given_by`, who and when, or why none is needed.
CONSENT_KINDS = {
    "oneOf": [
        {
            "properties": {
                "given_by": {"enum": [c.value for c in GIVEN]},
                "name": {"pattern": NOT_BLANK},
                "obtained_at": DAY,
            },
            "required": ["name", "obtained_at"],
        },
        {
            "properties": {
                "given_by": {"const": ConsentBy.NOT_REQUIRED.value},
                "legal_basis_code": {"enum": [b.value for b in LegalBasis]},
                "legal_basis": {"pattern": NOT_BLANK},
            },
            "required": ["legal_basis_code", "legal_basis"],
        },
    ]
}


def _a_guardian_consents(value: Any) -> Any:
    if value == ConsentBy.CHILD.value:
        raise fail(
            _(
                "For a child, consent comes from a parent or guardian (UU PDP Pasal 25); record the child's "
                "own agreement as assent."
            )
        )
    return value


class ConsentIn(Input):
    """The consent to the referral (UU PDP): given by a parent or guardian (who, when) with the child's own
    assent beside it, or not required (the legal basis, coded, and a note)."""

    # Each field is checked against the choice made before it, absent or not (hence validate_default).
    model_config = ConfigDict(validate_default=True, json_schema_extra=schema_rules(CONSENT_KINDS))

    given_by: Annotated[
        ConsentBy,
        _or_say(lambda: _("Record the consent: given by the parent or guardian, or not required.")),
        BeforeValidator(_a_guardian_consents),
        Field(json_schema_extra={"enum": [c.value for c in TAKEN]}),
    ]
    name: PersonName = Field(default="", description="Who gave the consent (the parent or guardian)")
    obtained_at: Annotated[dt.date | None, Document(blank=True, pattern=DAY_PATTERN)] = Field(
        default=None,
        description="When the parent or guardian gave the consent (not in the future); otherwise ignored",
    )
    assent: Annotated[
        ChildAssent | None,
        _or_say(lambda: _("Record whether the child agreed, disagreed or was not asked.")),
    ] = Field(
        default=None,
        description="The child's own agreement, recorded separately from the guardian's consent (null: not "
        "recorded)",
    )
    legal_basis_code: Annotated[
        LegalBasis | None,
        _or_say(lambda: _("Choose the legal basis (UU PDP Pasal 20 ayat 2).")),
    ] = Field(
        default=None,
        description="Why no consent is needed (given_by not_required): UU PDP Pasal 20(2) c, d or e; "
        "otherwise ignored",
    )
    legal_basis: NoteText = Field(
        default="", description="A note on the legal basis (given_by not_required); otherwise ignored"
    )

    @field_validator("name")
    @classmethod
    def _someone_consented(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("given_by") in (ConsentBy.CHILD, ConsentBy.GUARDIAN) and not value:
            raise fail(_("Who gave the consent?"))
        return value

    @field_validator("obtained_at", mode="before")
    @classmethod
    def _consent_date(cls, value: Any, info: ValidationInfo) -> dt.date | None:
        # Read here rather than by the date type, so that a missing or malformed date gets the question.
        given_by = info.data.get("given_by")
        if given_by is None:
            return None  # no valid choice to check it against
        question = _("When was the consent given? (YYYY-MM-DD)")
        if value is None or value == "":
            when = None
        elif isinstance(value, dt.date):
            when = value
        else:
            try:
                when = read_day(value) if isinstance(value, str) else None
            except ValueError:
                when = None
            if when is None:
                raise fail(question if given_by in GIVEN else _("Enter a date as YYYY-MM-DD."))
        if given_by not in GIVEN:
            return None  # no consent to date
        if when is None:
            raise fail(question)
        if when > localtime.today():
            raise fail(_("The date cannot be in the future."))
        return when

    @field_validator("legal_basis_code")
    @classmethod
    def _basis_chosen(cls, value: LegalBasis | None, info: ValidationInfo) -> LegalBasis | None:
        if info.data.get("given_by") != ConsentBy.NOT_REQUIRED:
            return None
        if value is None:
            raise fail(_("Choose the legal basis (UU PDP Pasal 20 ayat 2)."))
        return value

    @field_validator("legal_basis")
    @classmethod
    def _basis_written(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("given_by") == ConsentBy.NOT_REQUIRED and not value:
            raise fail(_("Write down the legal basis for referring without consent."))
        return value


class ReferralIn(Input):
    """A referral of a case to another agency."""

    to_agency: AgencyCode = Field(
        description="Code of an active agency that accepts referrals, neither the case's own nor yours"
    )
    services: Annotated[list[ServiceCode], Document(minItems=1)] = Field(
        description="Services requested (codes of the `service` vocabulary)"
    )
    urgency: Annotated[Urgency, _or_say(lambda: _("Choose the urgency."))] = Field(
        description="Sets the answer's due time: emergency 24 h, urgent 72 h, routine 7 days"
    )
    reason: ReasonText = Field(description="Why the child is referred")
    shared_sections: list[Section] = Field(
        default_factory=list,
        description="What the receiving agency may read of the case (of a restricted case, a case worker "
        "may share only the incident and the services)",
    )
    consent: ConsentIn

    @field_validator("services")
    @classmethod
    def _some_services(cls, value: list[str]) -> list[str]:
        if not value:
            raise fail(_("Choose at least one service."))
        return list(dict.fromkeys(value))

    @field_validator("reason")
    @classmethod
    def _reason_given(cls, value: str) -> str:
        if not value:
            raise fail(_("Say why the child is referred."))
        return value

    @field_validator("shared_sections")
    @classmethod
    def _in_order(cls, value: list[Section]) -> list[Section]:
        return [s for s in Section if s in value]


# Listing ----------------------------------------------------------------------------------------------------


class ReferralListQuery(Input):
    """Which referrals to list: the agency's inbox or the outbox of the user's cases, by status."""

    box: Annotated[Literal["incoming", "outgoing"], _or_say(lambda: _("Use incoming or outgoing."))] = (
        "incoming"
    )
    status: str = Field(
        default="",
        description="A status, `open` (sent or accepted) or `overdue` (sent and past due); empty for all",
        json_schema_extra={"enum": ["", *STATUS_FILTERS]},
    )

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: str) -> str:
        if value and value not in STATUS_FILTERS:
            raise fail(_("Unknown status."))
        return value


# Responding -------------------------------------------------------------------------------------------------


class AcceptIn(Input):
    """Accept a sent referral; a supervisor may name the worker, anyone else accepts it for themselves."""

    model_config = ConfigDict(json_schema_extra={"type": ["object", "null"]})

    assignee: Username | None = Field(
        default=None, description="Username of a worker of the receiving agency"
    )

    @model_validator(mode="before")
    @classmethod
    def _no_body_is_empty(cls, data: Any) -> Any:
        # Accepting needs nothing: a request without a body accepts for oneself.
        return {} if data is None else data


class AssignIn(Input):
    """Hand an open referral to a worker of the receiving agency."""

    assignee: Username = Field(description="Username of a worker of the receiving agency")


class DeclineIn(Input):
    """Decline a sent referral, with a reason (`other` needs a note)."""

    model_config = ConfigDict(
        validate_default=True,
        json_schema_extra=schema_rules(
            {
                "oneOf": [
                    {
                        "properties": {
                            "reason": {"enum": [r.value for r in DeclineReason if r != DeclineReason.OTHER]}
                        }
                    },
                    {
                        "properties": {
                            "reason": {"const": DeclineReason.OTHER.value},
                            "note": {"pattern": NOT_BLANK},
                        },
                        "required": ["note"],
                    },
                ]
            }
        ),
    )

    reason: Annotated[DeclineReason, _or_say(lambda: _("Choose why the referral is declined."))]
    note: NoteText = Field(default="", description="Needed when the reason is `other`")

    @field_validator("note")
    @classmethod
    def _other_explained(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("reason") == DeclineReason.OTHER and not value:
            raise fail(_("Explain the reason."))
        return value


class CompleteIn(Input):
    """Complete an accepted referral: its outcome, recorded on the case for each service requested."""

    outcome: Annotated[ServiceOutcome, _or_say(lambda: _("Choose the outcome."))]
    note: NoteText = ""


class WithdrawIn(Input):
    """Withdraw a sent or accepted referral (the referring side), saying why."""

    reason: Explanation = Field(description="Why the referral is withdrawn (shown to the receiving agency)")

    @field_validator("reason")
    @classmethod
    def _reason_given(cls, value: str) -> str:
        if not value:
            raise fail(_("Say why the referral is withdrawn."))
        return value


# Answers ----------------------------------------------------------------------------------------------------


def _part(description: str | None = None) -> Any:
    """An optional part of an answer: left out (not null) where the reader may not see it or it is empty."""
    return Field(default=None, exclude_if=lambda value: value is None, description=description)


class ConsentOut(Output):
    """The consent as recorded (sender side only)."""

    given_by: ConsentBy
    name: str | None
    obtained_at: dt.date | None
    assent: ChildAssent | None
    legal_basis_code: LegalBasis | None
    legal_basis: str | None


class IdentityOut(Output):
    """The child."""

    name: str | None
    sex: str = Field(description="L or P")
    date_of_birth: dt.date | None
    age: int | None
    disability: bool
    nik_recorded: bool = Field(description="Whether a NIK is on record (the NIK itself is never shared)")


class GuardianOut(Output):
    """A guardian of the child."""

    name: str | None
    phone: str | None
    address: str | None
    relationship: str | None = Field(description="Code of the `relationship` vocabulary")


class ContactOut(Output):
    """Where the child lives and goes to school, and the guardians."""

    address: str | None
    kelurahan: str | None = Field(description="Kemendagri code of the kelurahan")
    school: str | None
    guardians: list[GuardianOut]


class IncidentOut(Output):
    """What happened, where and when."""

    date: dt.date | None
    date_is_approximate: bool
    kelurahan: str | None = Field(description="Kemendagri code of the kelurahan")
    place: str | None = Field(description="Code of the `place` vocabulary")
    violence_types: list[str] = Field(description="Codes of the `violence_type` vocabulary")
    primary_violence_type: str
    ampk: list[str] = Field(description="Codes of the `ampk` vocabulary")
    narrative: str | None


class PerpetratorOut(Output):
    """An alleged perpetrator."""

    name: str | None
    sex: str | None
    age_group: str | None
    relationship: str | None = Field(description="Code of the `relationship` vocabulary")
    address: str | None
    phone: str | None


class SharedServiceOut(Output):
    """A service the child received."""

    service_type: str = Field(description="Code of the `service` vocabulary")
    provider: str = Field(description="Agency code")
    date: dt.date
    outcome: ServiceOutcome


class SharedNoteOut(Output):
    """A case note."""

    kind: str
    created_at: UtcTime
    body: str | None


class SharedCaseOut(Output):
    """Exactly the sections the sender shared; a section that was not shared is absent."""

    identity: IdentityOut | None = _part()
    contact: ContactOut | None = _part()
    incident: IncidentOut | None = _part()
    perpetrator: list[PerpetratorOut] | None = _part()
    services: list[SharedServiceOut] | None = _part()
    notes: list[SharedNoteOut] | None = _part()
    attachments: list[AttachmentOut] | None = _part()


class ReferralOut(Output):
    """A referral: the summary both sides see, and the parts only the sender or the receiving readers get."""

    id: int
    case_number: str
    from_agency: str = Field(description="Agency code")
    to_agency: str = Field(description="Agency code")
    status: ReferralStatus
    urgency: Urgency
    services: list[str] = Field(description="Codes of the `service` vocabulary")
    shared_sections: list[Section]
    sent_at: UtcTime
    due_at: UtcTime
    overdue: bool = Field(description="Sent and still unanswered past its due time")
    assignee: str | None = Field(description="Username of the worker of the receiving agency")
    decline_reason: DeclineReason | None
    outcome: ServiceOutcome | None
    # The parts below are present only where the reader may see them.
    response_note: str | None = _part(
        "The decline note, completion note or withdrawal reason (the sender side, the receiving readers)"
    )
    case_id: uuid.UUID | None = _part("The case (the sender side)")
    consent: ConsentOut | None = _part("The consent as recorded (the sender side)")
    reason: str | None = _part(
        "Why the child is referred (the sender side; the receiving readers on opening it)"
    )
    case: SharedCaseOut | None = _part(
        "The shared sections (the receiving supervisor and assignee, on opening the referral)"
    )


class ReferralListOut(Output):
    """A list of referrals, soonest due first."""

    items: list[ReferralOut]
