"""Case shapes: everything the API takes and answers about cases, and every rule a case's input must meet.

The web forms build the same input shapes and validate them with `parse_data(..., strict=False)`, so the
browser and the API refuse the same input with the same messages at the same dotted paths
(`child.date_of_birth`, `incident.violence_types`, `parties.1.phone`). Reference vocabularies (violence
types, places, channels, relationships, kelurahan, services, agencies) are checked here; rules that need
a case's state (its status, version, owner) are the services' business.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast
from uuid import UUID

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.id import nik as stdnum_nik

from caseapp import localtime, reference_data
from caseapp.models.case import (
    KOTA_KENDARI,
    AgeGroup,
    CancelReason,
    CaseStatus,
    ChildRole,
    Confidentiality,
    MaritalStatus,
    NoteKind,
    NoteVisibility,
    PartyRole,
    ReopenReason,
    RiskLevel,
    SchoolStatus,
    ServiceOutcome,
)
from caseapp.schemas.base import Input, Output, fail, parse_data, unknown_value
from caseapp.schemas.retention import LegalHoldOut
from caseapp.schemas.types import (
    DAY_PATTERN,
    MAX_ID,
    MONTH_DAY,
    NOT_BLANK,
    PY_STRIPPED,
    TIME_PATTERN,
    Code,
    Document,
    Kelurahan,
    UtcTime,
    blank_is_none,
    calendar_day,
    chosen,
    day_input,
    one_message,
    patch_field,
    read_time,
    schema_rules,
    stored_utc,
    up_to,
)

MAX_PARTIES = 12
MAX_NARRATIVE = 20000
MAX_NOTE = 20000
MAX_STEP_TEXT = 2000  # a closure's explanation, an override's reason
MAX_SERVICE_NOTE = 5000
CHILD_AGE_GROUPS = frozenset({AgeGroup.UNDER_6, AgeGroup.AGE_6_12, AgeGroup.AGE_13_17})
EARLIEST_INCIDENT = dt.date(2000, 1, 1)

Sex = Literal["F", "M"]


# Vocabularies of the case API -------------------------------------------------------------------------


class CaseAction(StrEnum):
    """A lifecycle step of a case; `caseapp.services.cases.lifecycle.STEPS` has one rule for each."""

    START_ASSESSMENT = "start_assessment"
    START_INTERVENTION = "start_intervention"
    START_MONITORING = "start_monitoring"
    BACK_TO_INTERVENTION = "back_to_intervention"
    RECORD_FIRST_CONTACT = "record_first_contact"
    REQUEST_CLOSURE = "request_closure"
    APPROVE_CLOSURE = "approve_closure"
    RETURN_CLOSURE = "return_closure"
    CANCEL = "cancel"
    REQUEST_CANCELLATION = "request_cancellation"
    APPROVE_CANCELLATION = "approve_cancellation"
    RETURN_CANCELLATION = "return_cancellation"
    REOPEN = "reopen"


class CaseSort(StrEnum):
    """The orders a case list can take."""

    NEWEST = "newest"
    OLDEST = "oldest"
    DUE = "due"  # first contact due, soonest first


class StatusFilter(StrEnum):
    """A case list's status filter: one status, or every open one."""

    OPEN = "open"
    NEW = CaseStatus.NEW.value
    ASSESSMENT = CaseStatus.ASSESSMENT.value
    INTERVENTION = CaseStatus.INTERVENTION.value
    MONITORING = CaseStatus.MONITORING.value
    CLOSED = CaseStatus.CLOSED.value
    CANCELLED = CaseStatus.CANCELLED.value


class SearchKind(StrEnum):
    """What a search looks at."""

    NUMBER = "number"
    NAME = "name"
    NIK = "nik"


# Field rules -----------------------------------------------------------------------------------------------


def refuse_at(*errors: tuple[tuple[str | int, ...], str, Any]) -> ValidationError:
    """Return the error a validator raises for rules of ours at paths below the model it checks."""
    return ValidationError.from_exception_data(
        "case", [InitErrorDetails(type=fail(message), loc=loc, input=value) for loc, message, value in errors]
    )


def _none_is_blank(value: Any) -> Any:
    return "" if value is None else value


def _listed(load: Callable[[], Iterable[str]]) -> Callable[[dict[str, Any]], None]:
    def extra(schema: dict[str, Any]) -> None:
        schema["enum"] = sorted(load())

    return extra


def _codes_of(vocabulary: str) -> Callable[[list[str]], list[str]]:
    def check(values: list[str]) -> list[str]:
        allowed = reference_data.code_set(vocabulary)
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise refuse_at(*(((), unknown_value(), v) for v in unknown))
        return list(dict.fromkeys(values))  # each code once, in the order given

    return check


def _code_list(vocabulary: str) -> Any:
    """A list of codes of a vocabulary (each checked, duplicates dropped); errors name the list."""
    item = Annotated[str, Field(json_schema_extra=_listed(lambda: reference_data.code_set(vocabulary)))]
    return Annotated[cast(Any, list)[item], AfterValidator(_codes_of(vocabulary))]


def _text(max_length: int, required: bool = False) -> Any:
    """Free text, stripped; null counts as empty; `required` refuses empty text."""
    # Constraints first, then the before-validator around them (the other order checks the length unstripped).
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1 if required else None, max_length=max_length),
        BeforeValidator(_none_is_blank),
        # Null reads as empty: a required text refuses it (and blank text), any other takes it.
        Document(pattern=NOT_BLANK) if required else Document(null=True),
    ]


# A NIK as `normalise_nik` reads it: 16 ASCII digits, spaces, dots and dashes anywhere among them, and
# whitespace around (it strips the value). Its region and birth date parts cannot be checked by a pattern:
# the description says what they must be.
NIK_PATTERN = f"^[{PY_STRIPPED}.-]*(?:[0-9][ .-]*){{16}}[{PY_STRIPPED}.-]*$"
NIK_RULE = (
    "16 digits PPRRSSDDMMYYNNNN: a Kemendagri region code (PPRRSS) where the first four digits name a "
    "known province and regency, the birth date (DD plus 40 for a woman, MM, YY), a serial; spaces, dots "
    "and dashes among them are ignored"
)


def normalise_nik(value: str) -> str:
    """Return the 16 digits of a structurally valid NIK, or raise ValueError."""
    compact = stdnum_nik.compact(value or "")
    try:
        return str(stdnum_nik.validate(compact))
    except StdnumError:
        raise ValueError("invalid NIK") from None


def _nik_message() -> str:
    return _("A NIK has 16 digits (with a valid date part). Leave it empty if unknown.")


def _nik(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return normalise_nik(value)
    except ValueError:
        raise fail(_nik_message()) from None


def _birth_date(value: dt.date | None) -> dt.date | None:
    if value is not None and value > localtime.today():
        raise fail(_("The date of birth cannot be in the future."))
    return value


def _whole_years(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or isinstance(value, float):
        raise fail(_("Enter the age in whole years."))
    try:
        return handler(value)
    except ValidationError:
        raise fail(_("Enter the age in whole years.")) from None


def _incident_date(value: dt.date) -> dt.date:
    if value > localtime.today():
        raise fail(_("The incident date cannot be in the future."))
    if value < EARLIEST_INCIDENT:
        raise fail(_("The incident date is too far in the past."))
    return value


def _party_list(value: Any) -> Any:
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(_("Send a list of people."))
    if len(value) > MAX_PARTIES:
        raise fail(_("At most %(n)d people per case.", n=MAX_PARTIES))
    return value


def _version(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    message = _("Send the version of the case you are changing (an integer).")
    if isinstance(value, bool):
        raise fail(message)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON has one kind of number: 3.0 is the integer 3, as the document says
    try:
        return handler(value)
    except ValidationError:
        raise fail(message) from None


def _active_agency(code: str) -> str:
    if code not in {c for c, _name in reference_data.agency_choices()}:
        raise fail(_("Choose the agency that provided the service."))
    return code


def _not_future(value: dt.date) -> dt.date:
    if value > localtime.today():
        raise fail(_("The date cannot be in the future."))
    return value


def _kecamatan(value: str) -> str:
    if value not in {code for code, _name in reference_data.kecamatan_choices()}:
        raise fail(unknown_value())
    return value


def _default_visibility(value: Any) -> Any:
    return NoteVisibility.CASE_TEAM.value if value is None or value == "" else value


def years_between(born: dt.date, on: dt.date) -> int:
    """Return a person's age in whole years on a day."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# Every field type once: the create body, the PATCH body and the web forms use the same ones.
if TYPE_CHECKING:
    ViolenceType = str
    Place = str
    Channel = str
    Relationship = str
    ServiceType = str
    ViolenceTypes = list[str]
    AmpkCodes = list[str]
    DisabilityTypes = list[str]
    Education = str | None
    Occupation = str | None
    Regency = str | None
    ChildName = str
    PartyName = str
    Phone = str
    Address = str
    School = str
    Narrative = str
    NoteBody = str
    StepText = str
    ServiceNote = str
    SearchText = str
    Reason = str | None
else:
    ViolenceType = Code("violence_type")
    Place = Code("place")
    Channel = Code("channel")
    Relationship = Code("relationship")
    ServiceType = Annotated[Code("service"), one_message(_l("Choose one of the service kinds."))]
    ViolenceTypes = _code_list("violence_type")
    AmpkCodes = _code_list("ampk")
    DisabilityTypes = _code_list("disability_type")
    Education = Annotated[
        Code("education_level") | None, BeforeValidator(blank_is_none), Document(blank=True)
    ]
    Occupation = Annotated[Code("occupation") | None, BeforeValidator(blank_is_none), Document(blank=True)]
    Regency = Annotated[Code("regency") | None, BeforeValidator(blank_is_none), Document(blank=True)]
    ChildName = _text(120, required=True)
    PartyName = _text(120)
    Phone = _text(40)
    Address = _text(300)
    School = _text(200)
    Narrative = _text(MAX_NARRATIVE)
    NoteBody = Annotated[
        _text(MAX_NOTE, required=True), one_message(_l("Write the note."), keep=("string_too_long",))
    ]
    ServiceNote = _text(MAX_SERVICE_NOTE)
    StepText = _text(MAX_STEP_TEXT)
    SearchText = Annotated[_text(200, required=True), one_message(_l("Enter what to search for."))]
    Reason = Annotated[
        Annotated[str, StringConstraints(max_length=200)] | None,
        BeforeValidator(blank_is_none),
        one_message(_l("Choose a reason from the list.")),
    ]

# "" reads as none wherever a before-validator says `blank_is_none`; `Document(blank=True)` says so.
Nik = Annotated[
    str | None,
    BeforeValidator(blank_is_none),
    AfterValidator(_nik),
    Document(blank=True, pattern=NIK_PATTERN),
]
ChildSex = Annotated[Sex, one_message(_l("Choose the child's sex."))]
ChildRoleIn = Annotated[ChildRole, Field(strict=False), one_message(_l("Choose the child's role."))]
# Not in the future (a rule relative to today, which a schema cannot state).
BirthDate = Annotated[
    dt.date | None, day_input(), AfterValidator(_birth_date), Document(blank=True, pattern=DAY_PATTERN)
]
Age = Annotated[int | None, WrapValidator(_whole_years), Document(blank=True)]
# From 2000-01-01 (the pattern's years) to today (a rule relative to today, in the description).
IncidentDate = Annotated[
    dt.date,
    day_input(required=_l("This field is required.")),
    AfterValidator(_incident_date),
    Document(pattern=f"^[2-9][0-9]{{3}}-{MONTH_DAY}$"),
]
ServiceDate = Annotated[
    dt.date,
    day_input(required=_l("Enter a date as YYYY-MM-DD.")),
    AfterValidator(_not_future),
    Document(pattern=DAY_PATTERN),
]
Day = Annotated[dt.date | None, day_input(), Document(blank=True, pattern=DAY_PATTERN)]
OptionalKelurahan = Annotated[Kelurahan | None, BeforeValidator(blank_is_none), Document(blank=True)]
OptionalPlace = Annotated[Place | None, BeforeValidator(blank_is_none), Document(blank=True)]
OptionalViolenceType = Annotated[ViolenceType | None, BeforeValidator(blank_is_none), Document(blank=True)]
OptionalRelationship = Annotated[Relationship | None, BeforeValidator(blank_is_none), Document(blank=True)]
RequiredChannel = Annotated[Channel, BeforeValidator(chosen)]
RequiredRisk = Annotated[RiskLevel, Field(strict=False), BeforeValidator(chosen)]
RequiredPartyRole = Annotated[PartyRole, Field(strict=False), BeforeValidator(chosen)]
Kecamatan = Annotated[
    str,
    AfterValidator(_kecamatan),
    Field(json_schema_extra=_listed(lambda: (c for c, _name in reference_data.kecamatan_choices()))),
]
PartySex = Annotated[Sex | None, BeforeValidator(blank_is_none), Document(blank=True)]
OptionalSchoolStatus = Annotated[
    SchoolStatus | None, Field(strict=False), BeforeValidator(blank_is_none), Document(blank=True)
]
OptionalMaritalStatus = Annotated[
    MaritalStatus | None, Field(strict=False), BeforeValidator(blank_is_none), Document(blank=True)
]
REGENCY_RULE = (
    "Code of a regency of Sulawesi Tenggara (74.71 is Kendari) or outside_province; empty with a kelurahan: "
    "Kendari. A kelurahan is in Kendari, so another regency takes none"
)


# `_kendari_or_elsewhere` as the document states it: with a kelurahan, the regency is Kendari or left out.
KELURAHAN_IN_KENDARI = {
    "if": {"required": ["kelurahan"], "properties": {"kelurahan": {"type": "string", "minLength": 1}}},
    "then": {"properties": {"regency": {"enum": [None, "", KOTA_KENDARI]}}},
}


def _kendari_or_elsewhere(kelurahan: str | None, regency: str | None) -> str | None:
    """Return the regency a kelurahan and a regency agree on (a kelurahan means Kendari), or refuse."""
    if kelurahan and regency not in (None, KOTA_KENDARI):
        raise refuse_at(
            (
                ("kelurahan",),
                _("A kelurahan is in Kendari: leave it empty for a place outside Kendari."),
                None,
            )
        )
    return KOTA_KENDARI if kelurahan else regency


PartyAgeGroup = Annotated[
    AgeGroup | None, Field(strict=False), BeforeValidator(blank_is_none), Document(blank=True)
]
# The version of the case a change is based on (optimistic lock): the one way a version is read.
Version = Annotated[int, WrapValidator(_version), Field(description="The case's `version` you last read")]


# Case input -----------------------------------------------------------------------------------------------


def _single_form() -> list[dict[str, Any]]:
    """The document's "one form of violence, listed once or more": a branch per code."""
    return [
        {"minItems": 1, "items": {"const": code}} for code in sorted(reference_data.code_set("violence_type"))
    ]


def _a_main_form() -> dict[str, Any]:
    """`IncidentIn._one_primary_form` as the document states it: a main form, or a single form listed."""
    main: dict[str, Any] = {
        "required": ["primary_violence_type"],
        "properties": {"primary_violence_type": {"type": "string", "minLength": 1}},
    }
    listed = [{"required": ["violence_types"], "properties": {"violence_types": s}} for s in _single_form()]
    return {"anyOf": [main, *listed]}


def _main_form_cleared() -> dict[str, Any]:
    """In a patch, clearing the main form while listing the forms needs a single form listed (when the
    list is left out, the stored forms decide)."""
    return {
        "if": {
            "required": ["primary_violence_type", "violence_types"],
            "properties": {"primary_violence_type": {"enum": ["", None]}},
        },
        "then": {"properties": {"violence_types": {"anyOf": _single_form()}}},
    }


# A child's age when there is no date of birth (ChildIn._age).
CHILD_AGE = {"type": "integer", "minimum": 0, "maximum": 17}
DATE_OF_BIRTH_OR_AGE = {
    "anyOf": [
        {"required": ["date_of_birth"], "properties": {"date_of_birth": {"type": "string", "minLength": 1}}},
        {"required": ["age"], "properties": {"age": CHILD_AGE}},
    ]
}
# In a patch: a date of birth cleared while an age is sent needs a child's age (when the age is left out,
# the stored one decides).
AGE_WHEN_BIRTH_DATE_CLEARED = {
    "if": {"required": ["date_of_birth", "age"], "properties": {"date_of_birth": {"enum": ["", None]}}},
    "then": {"properties": {"age": CHILD_AGE}},
}


class IncidentIn(Input):
    """What happened: when, where, which forms of violence (a main form, or a single form listed)."""

    model_config = ConfigDict(json_schema_extra=schema_rules(_a_main_form, KELURAHAN_IN_KENDARI))

    date: IncidentDate = Field(description="From 2000-01-01 to today (UTC): not in the future")
    date_is_approximate: bool = False
    kelurahan: OptionalKelurahan = None
    regency: Regency = Field(default=None, description=REGENCY_RULE)
    place: OptionalPlace = None
    violence_types: ViolenceTypes = Field(default_factory=list)
    primary_violence_type: OptionalViolenceType = Field(
        default=None, description="Required when several forms are given; it joins `violence_types`"
    )
    ampk: AmpkCodes = Field(default_factory=list, description="Special-protection (AMPK) categories")
    narrative: Narrative = ""

    @model_validator(mode="after")
    def _one_primary_form(self) -> IncidentIn:
        self.regency = _kendari_or_elsewhere(self.kelurahan, self.regency)
        types = self.violence_types
        primary = self.primary_violence_type or (types[0] if len(types) == 1 else None)
        if not types and not primary:
            raise refuse_at((("violence_types",), _("Choose at least one form of violence."), types))
        if not primary:
            raise refuse_at(
                (
                    ("primary_violence_type",),
                    _("Choose the main form of violence."),
                    self.primary_violence_type,
                )
            )
        if primary not in types:
            types.insert(0, primary)
        self.primary_violence_type = primary
        return self


class ChildIn(Input):
    """The child: a date of birth, or else an estimated age."""

    model_config = ConfigDict(json_schema_extra=schema_rules(DATE_OF_BIRTH_OR_AGE, KELURAHAN_IN_KENDARI))

    name: ChildName
    nik: Nik = Field(default=None, description=f"{NIK_RULE}; null or empty when not known")
    sex: ChildSex
    role: ChildRoleIn = Field(
        default=ChildRole.VICTIM,
        description="victim (default), witness or in_conflict_with_law; a witness or a child in conflict "
        "with the law makes the case restricted (UU SPPA Pasal 19)",
    )
    date_of_birth: BirthDate = Field(
        default=None,
        description="Not in the future; on or before the incident date and less than 18 years before it",
    )
    age: Age = Field(
        default=None,
        description="Estimated age in years at the incident (0 to 17), needed without a date of birth (with "
        "one, it is computed at the incident date)",
    )
    disability: bool = False
    disability_types: DisabilityTypes = Field(
        default_factory=list, description="UU 8/2016 Pasal 4 (any of them sets `disability`)"
    )
    address: Address = ""
    kelurahan: OptionalKelurahan = None
    regency: Regency = Field(default=None, description=REGENCY_RULE)
    school: School = ""
    education: Education = Field(default=None, description="Education level (GET /reference)")
    school_status: OptionalSchoolStatus = None
    occupation: Occupation = None
    marital_status: OptionalMaritalStatus = Field(default=None, description="married: a child marriage")

    @model_validator(mode="after")
    def _age(self) -> ChildIn:
        self.regency = _kendari_or_elsewhere(self.kelurahan, self.regency)
        self.disability = self.disability or bool(self.disability_types)
        if self.date_of_birth is not None:
            # Provisional: the case's own check replaces it with the age at the incident.
            self.age = years_between(self.date_of_birth, localtime.today())
        elif self.age is None:
            raise refuse_at((("date_of_birth",), _("Enter the date of birth or an estimated age."), None))
        elif not 0 <= self.age <= 17:
            raise refuse_at((("age",), _("A child is 0 to 17 years old."), self.age))
        return self

    @property
    def age_is_estimate(self) -> bool:
        """Say whether the age was estimated (no date of birth)."""
        return self.date_of_birth is None


class PartyIn(Input):
    """Another person on the case."""

    role: RequiredPartyRole
    name: PartyName = ""
    phone: Phone = ""
    address: Address = ""
    relationship: OptionalRelationship = Field(default=None, description="Relationship to the child")
    sex: PartySex = None
    age_group: PartyAgeGroup = None
    is_child: bool = False
    nik: Nik = Field(default=None, description=f"{NIK_RULE}; above all the alleged perpetrator's (encrypted)")
    education: Education = None
    occupation: Occupation = None
    marital_status: OptionalMaritalStatus = None

    @model_validator(mode="after")
    def _child_by_age(self) -> PartyIn:
        self.is_child = self.is_child or self.age_group in CHILD_AGE_GROUPS
        return self


def _case_number(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


# A case number as people type it (KDI-2026-00042); whether such a case exists is the service's business.
CASE_NUMBER_PATTERN = "^[A-Za-z]{2,5}-[0-9]{4}-[0-9]{1,9}$"
CaseNumber = Annotated[
    str,
    StringConstraints(pattern=CASE_NUMBER_PATTERN),
    BeforeValidator(_case_number),
    one_message(_l("Enter a case number such as KDI-2026-00042.")),
    Document(pattern=f"^[{PY_STRIPPED}]*[A-Za-z]{{2,5}}-[0-9]{{4}}-[0-9]{{1,9}}[{PY_STRIPPED}]*$"),
]
OptionalCaseNumber = Annotated[
    CaseNumber | None, BeforeValidator(blank_is_none), Document(null=True, blank=True)
]


class CaseIn(Input):
    """A case as registered: the incident, the child, the people involved, how it came in, its risk."""

    incident: IncidentIn
    child: ChildIn
    parties: Annotated[list[PartyIn], BeforeValidator(_party_list), Document(null=True)] = Field(
        default_factory=list, max_length=MAX_PARTIES
    )
    channel: RequiredChannel
    risk_level: RequiredRisk
    incident_of: OptionalCaseNumber = Field(
        default=None,
        description="At registration: the case number of another case of the same incident that you can see "
        "(400 `no such case` otherwise). The incident's date, kelurahan, place and alleged perpetrators are "
        "copied from it (what is sent for them is replaced) and the cases are linked. Ignored in an edit.",
    )

    @field_validator("child")
    @classmethod
    def _born_before_the_incident(cls, child: ChildIn, info: ValidationInfo) -> ChildIn:
        incident = info.data.get("incident")
        born = child.date_of_birth
        if born is None or not isinstance(incident, IncidentIn):
            return child  # no birth date, or the incident's own errors come first
        if born > incident.date:
            raise refuse_at((("date_of_birth",), _("The child was born after the incident date."), born))
        if years_between(born, incident.date) >= 18:
            message = _("The child was 18 or older at the incident: not a child case.")
            raise refuse_at((("date_of_birth",), message, born))
        # The age counted in statistics is the age at the incident: it does not change as time passes or
        # when the case is edited.
        child.age = years_between(born, incident.date)
        return child


class IncidentLinkIn(Input):
    """Link a case to the incident of another case (after registration)."""

    incident_of: CaseNumber = Field(
        description="The case number of another case of the incident that you see"
    )


class IncidentLinkOut(Output):
    """The incident a case belongs to, and the other cases of it that the user may see (numbers only)."""

    id: UUID | None = Field(description="The incident's id; null when the case is an incident of its own")
    cases: list[str] = Field(description="Case numbers of the incident's other cases that you can see")


class CaseEditIn(CaseIn):
    """A case's details replaced as a whole (the web's edit form), based on the version last read."""

    version: Version


class ChildPatch(Input):
    """Child fields to change (each one optional; a date of birth cleared needs an age)."""

    model_config = ConfigDict(json_schema_extra=schema_rules(AGE_WHEN_BIRTH_DATE_CLEARED))

    name: ChildName | None = patch_field()
    nik: Nik = Field(default=None, description=f"{NIK_RULE}; null or empty clears it")
    sex: ChildSex | None = patch_field()
    role: ChildRoleIn | None = patch_field("A witness or a child in conflict with the law restricts the case")
    date_of_birth: BirthDate = Field(
        default=None,
        description="Not in the future; on or before the incident date and less than 18 years before it "
        "(the stored one when it is not changed); null or empty: the age is estimated",
    )
    age: Age = Field(
        default=None, description="Estimated age (0 to 17), used when the case has no date of birth"
    )
    disability: bool | None = patch_field()
    disability_types: DisabilityTypes | None = patch_field("Replaces the list")
    address: Address | None = None
    kelurahan: OptionalKelurahan = None
    regency: Regency = Field(default=None, description=REGENCY_RULE)
    school: School | None = None
    education: Education = None
    school_status: OptionalSchoolStatus = None
    occupation: Occupation = None
    marital_status: OptionalMaritalStatus = None


class IncidentPatch(Input):
    """Incident fields to change (each one optional; the main form cleared needs a single form listed)."""

    model_config = ConfigDict(json_schema_extra=schema_rules(_main_form_cleared))

    date: IncidentDate | None = patch_field(
        "From 2000-01-01 to today, on or after the child's date of birth and less than 18 years after it"
    )
    date_is_approximate: bool | None = patch_field()
    kelurahan: OptionalKelurahan = None
    regency: Regency = Field(default=None, description=REGENCY_RULE)
    place: OptionalPlace = None
    violence_types: ViolenceTypes | None = patch_field("Replaces the forms; the main form joins them")
    primary_violence_type: OptionalViolenceType = Field(
        default=None, description="Null or empty: the single form listed (or stored) is the main one"
    )
    ampk: AmpkCodes | None = patch_field()
    narrative: Narrative | None = None


class CasePatch(Input):
    """A change to a case: `version` and only the fields to change (`parties`, when given, replaces the
    list). The change is applied onto the case's current values and the result must pass every rule of
    a new case."""

    version: Version
    child: ChildPatch | None = patch_field()
    incident: IncidentPatch | None = patch_field()
    parties: Annotated[list[PartyIn], BeforeValidator(_party_list)] | None = Field(
        default=None, max_length=MAX_PARTIES, description="Replaces the list; null empties it"
    )
    channel: RequiredChannel | None = patch_field()
    risk_level: RequiredRisk | None = patch_field()

    def applied_to(self, current: CaseIn) -> CaseIn:
        """Return the current values with this change applied, validated as a whole (cross-field rules)."""
        data = current.model_dump()
        changes = self.model_dump(exclude_unset=True, exclude={"version"})
        for section in ("child", "incident"):
            part = changes.pop(section, None)
            if part is not None:
                data[section].update(part)
            elif section in self.model_fields_set:
                data[section] = None  # sent as null: refused below like a missing section
        data.update(changes)
        return parse_data(CaseIn, data, strict=False)


# Other inputs ---------------------------------------------------------------------------------------------


def step_reasons() -> dict[CaseAction, frozenset[str]]:
    """Return the reason codes of the steps that need one (the lifecycle table checks them, after the
    case's state; a test keeps the two equal)."""
    return {
        CaseAction.REQUEST_CLOSURE: reference_data.code_set("closure_reason"),
        CaseAction.CANCEL: frozenset(r.value for r in CancelReason),
        CaseAction.REQUEST_CANCELLATION: frozenset(r.value for r in CancelReason),
        CaseAction.REOPEN: frozenset(r.value for r in ReopenReason),
    }


def _reasons_of_the_steps() -> dict[str, Any]:
    """The document's statement of `step_reasons`: such a step takes one of its codes as `reason`."""
    return {
        "allOf": [
            {
                "if": {"required": ["action"], "properties": {"action": {"const": action.value}}},
                "then": {"required": ["reason"], "properties": {"reason": {"enum": sorted(codes)}}},
            }
            for action, codes in step_reasons().items()
        ]
    }


class TransitionIn(Input):
    """A lifecycle step; `reason` is a code where the step needs one (closure, cancellation, reopening)."""

    model_config = ConfigDict(json_schema_extra=schema_rules(_reasons_of_the_steps))

    action: Annotated[CaseAction, Field(strict=False), one_message(_l("Unknown action."))]
    reason: Reason = Field(
        default=None,
        description="Needed by request_closure, cancel and reopen: one of the step's codes (this schema's "
        "rules list them); the other steps ignore it",
    )
    at: Annotated[
        dt.datetime | None,
        BeforeValidator(read_time),
        AfterValidator(stored_utc),
        Document(blank=True, pattern=TIME_PATTERN, format=None),
    ] = Field(
        default=None,
        description="When the first contact happened (record_first_contact; default: now), RFC 3339 (without "
        "an offset: UTC): not in the future, and at most 30 days before the registration",
    )
    explanation: StepText = Field(
        default="",
        description="request_closure with the reason `other`: why the case can be closed (required there; "
        "encrypted); the other steps ignore it",
    )
    override_reason: StepText = Field(
        default="",
        description="approve_closure over open work (open referrals, tasks, a care plan not approved): why "
        "the supervisor closes the case anyway (encrypted); without it such a closure answers 409",
    )
    version: Version


class AssignIn(Input):
    """The case manager and team, by username (active workers of the owning agency)."""

    case_manager: Annotated[str, one_message(_l("Choose an active worker of the owning agency."))] = Field(
        description="Username of an active worker of the owning agency"
    )
    team: Annotated[
        list[str],
        BeforeValidator(lambda v: [] if v is None else v),
        one_message(_l("Send the team as a list of usernames.")),
        Document(null=True),
    ] = Field(default_factory=list, description="Usernames of active workers of the owning agency")
    version: Version


class NoteIn(Input):
    """A note on the case."""

    kind: Annotated[NoteKind, Field(strict=False), one_message(_l("Choose the kind of note."))]
    body: NoteBody
    visibility: Annotated[
        NoteVisibility,
        Field(strict=False),
        BeforeValidator(_default_visibility),
        one_message(_l("Choose who may read the note.")),
        Document(null=True, blank=True),
    ] = Field(default=NoteVisibility.CASE_TEAM, description="Null or empty: case_team")


class ServiceIn(Input):
    """A service delivered to the child."""

    service_type: ServiceType
    provider: Annotated[
        str,
        AfterValidator(_active_agency),
        one_message(_l("Choose the agency that provided the service.")),
        Field(json_schema_extra=_listed(lambda: (c for c, _name in reference_data.agency_choices()))),
    ] = Field(description="Code of an active agency (GET /reference)")
    date: ServiceDate = Field(description="Not in the future")
    outcome: Annotated[ServiceOutcome, Field(strict=False), one_message(_l("Choose the outcome."))]
    note: ServiceNote = ""


class SearchIn(Input):
    """A search within the user's cases (sent in a body: a NIK never goes into a URL)."""

    model_config = ConfigDict(
        json_schema_extra=schema_rules(
            {
                "oneOf": [
                    {"properties": {"by": {"enum": [SearchKind.NUMBER.value, SearchKind.NAME.value]}}},
                    {
                        "properties": {
                            "by": {"const": SearchKind.NIK.value},
                            "query": {"pattern": NIK_PATTERN},
                        }
                    },
                ]
            }
        )
    )

    by: Annotated[SearchKind, Field(strict=False), one_message(_l("Unknown search kind."))]
    query: SearchText = Field(description=f"A case number, part of a name, or a NIK ({NIK_RULE})")

    @model_validator(mode="after")
    def _nik_query(self) -> SearchIn:
        if self.by is SearchKind.NIK:
            try:
                self.query = normalise_nik(self.query)
            except ValueError:
                raise refuse_at((("query",), _nik_message(), None)) from None
        return self


def _clamp_limit(value: int) -> int:
    return min(max(value or 50, 1), 200)


class CaseFilters(Input):
    """What a case list is narrowed to (the web's filter form and the API's query alike); empty: not
    narrowed."""

    status: Annotated[
        StatusFilter | None, Field(strict=False), BeforeValidator(blank_is_none), Document(blank=True)
    ] = None
    risk_level: Annotated[
        RiskLevel | None, Field(strict=False), BeforeValidator(blank_is_none), Document(blank=True)
    ] = None
    violence_type: OptionalViolenceType = Field(default=None, description="The main form of violence")
    kecamatan: Annotated[Kecamatan | None, BeforeValidator(blank_is_none), Document(blank=True)] = Field(
        default=None, description="Kecamatan code of the child's kelurahan"
    )
    overdue: bool = Field(default=False, description="Open, first contact overdue")
    quiet: bool = Field(default=False, description="Open, and no note in the last 30 days")
    registered_from: Day = None
    registered_to: Day = None
    sort: Annotated[
        CaseSort,
        Field(strict=False),
        BeforeValidator(lambda v: v or CaseSort.NEWEST),
        Document(null=True, blank=True),
    ] = Field(default=CaseSort.NEWEST, description="Empty: newest")


# A page cursor (`caseapp.http.pagination`): the last row's sort time (naive UTC, as `isoformat` writes it,
# on a real calendar day) and its id (one a database integer holds).
CURSOR_PATTERN = (
    f"^{calendar_day()}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{{6}})?~{up_to(MAX_ID)}$"
)
_CURSOR = re.compile(CURSOR_PATTERN)


def _cursor(value: str | None) -> str | None:
    if value is not None:
        try:
            if not _CURSOR.fullmatch(value):
                raise ValueError(value)
            dt.datetime.fromisoformat(value.split("~")[0])
        except ValueError:
            raise fail(_("The page link is damaged; start again from the first page.")) from None
    return value


class CaseListQuery(CaseFilters):
    """The query of GET /cases: the filters, a case manager by username, and the page."""

    case_manager: Annotated[str | None, BeforeValidator(blank_is_none)] = Field(
        default=None,
        description="Username of the case manager (one that manages none of the cases you see, or no one, "
        "matches none)",
    )
    after: Annotated[
        str | None,
        BeforeValidator(blank_is_none),
        AfterValidator(_cursor),
        Document(blank=True, pattern=CURSOR_PATTERN),
    ] = Field(default=None, description="The `next` of the previous page")
    limit: Annotated[int, AfterValidator(_clamp_limit)] = Field(
        default=50, description="Page size, 1 to 200 (a larger one gives 200, a smaller one 1, 0 gives 50)"
    )


# Answers ---------------------------------------------------------------------------------------------------


class CaseSummaryOut(Output):
    """A case in a list: the child's initials only when the case is restricted."""

    id: UUID
    case_number: str = Field(examples=["KDI-2026-00042"])
    child_label: str | None = Field(
        description="The child's name, or initials when the case is restricted; null once shredded"
    )
    child_sex: Sex
    child_age: int | None
    primary_violence_type: str = Field(description="Code (GET /reference: violence_type)")
    kecamatan: str | None
    status: CaseStatus
    risk_level: RiskLevel
    confidentiality: Confidentiality
    owner_agency: str = Field(description="Agency code")
    case_manager: str = Field(description="Username")
    created_at: UtcTime
    first_contact_overdue: bool
    is_demo: bool
    shredded: bool = Field(
        description="Retention removed the child's identity: sensitive fields are null, the statistics stay"
    )


class ChildOut(Output):
    """The child as read (the NIK only through POST /cases/{case_id}/nik, which is audited); the sensitive
    fields are null once the case is shredded."""

    name: str | None
    nik: None = Field(description="Always null in a read")
    nik_recorded: bool
    sex: Sex
    role: ChildRole
    date_of_birth: dt.date | None
    age: int | None
    age_is_estimate: bool
    disability: bool
    disability_types: list[str]
    address: str | None
    kelurahan: str | None
    regency: str | None
    school: str | None
    education: str | None
    school_status: SchoolStatus | None
    occupation: str | None
    marital_status: MaritalStatus | None


class IncidentOut(Output):
    """The incident as read."""

    date: dt.date | None
    date_is_approximate: bool
    kelurahan: str | None
    regency: str | None
    place: str | None
    violence_types: list[str]
    primary_violence_type: str
    ampk: list[str]
    narrative: str | None


class PartyOut(Output):
    """Another person on the case (name, phone, address and NIK null once the case is shredded)."""

    role: PartyRole
    name: str | None
    phone: str | None
    address: str | None
    relationship: str | None
    sex: Sex | None
    age_group: AgeGroup | None
    is_child: bool
    nik: str | None
    education: str | None
    occupation: str | None
    marital_status: MaritalStatus | None


class NoteOut(Output):
    """A note as the case read shows it."""

    id: int
    kind: NoteKind
    visibility: NoteVisibility
    author: str = Field(description="Username")
    created_at: UtcTime
    body: str | None


class ServiceOut(Output):
    """A service as the case read shows it."""

    id: int
    service_type: str
    provider: str = Field(description="Agency code")
    date: dt.date
    outcome: ServiceOutcome
    note: str | None


class EventOut(Output):
    """One entry of the case's timeline."""

    model_config = ConfigDict(extra="forbid", serialize_by_alias=True, validate_by_name=True)

    kind: str = Field(description="A lifecycle action, `created`, `assignment` or a referral event")
    from_status: CaseStatus | None = Field(alias="from")
    to_status: CaseStatus | None = Field(alias="to")
    reason: str | None
    actor: str = Field(description="Username")
    at: UtcTime


class CaseOut(CaseSummaryOut):
    """A case in full, with `version` (send it back with every change) and the steps the user may take."""

    child: ChildOut
    incident: IncidentOut
    parties: list[PartyOut]
    channel: str | None
    version: int
    team: list[str] = Field(description="Usernames")
    updated_at: UtcTime
    first_contact_due_at: UtcTime
    first_contact_at: UtcTime | None
    closed_at: UtcTime | None
    closure_reason: str | None
    closure_requested_reason: str | None
    closure_explanation: str | None = Field(description="Why the case closes, where the reason is `other`")
    closure_override: str | None = Field(description="Why a supervisor closed the case over open work")
    cancel_reason: str | None
    cancel_requested_reason: str | None
    notes: list[NoteOut]
    services: list[ServiceOut]
    timeline: list[EventOut]
    actions: list[CaseAction] = Field(description="The lifecycle steps the user may take now")
    incident_link: IncidentLinkOut = Field(description="The incident shared with other children's cases")
    legal_hold: LegalHoldOut | None = Field(
        description="The legal hold the case is under (never shredded while held); null when none"
    )
    shredded_at: UtcTime | None = Field(description="When retention removed the child's identity")


class DuplicateWarnings(Output):
    """What looked like the same child when the case was registered."""

    nik_exists_at: list[str] = Field(description="Names of agencies with a case of this NIK")
    possible_same_child: list[UUID] = Field(
        description="Cases in your scope with the same name and birth date"
    )


class CaseCreatedOut(CaseOut):
    """A registered case (201; 200 when an `Idempotency-Key` repeats a registration)."""

    warnings: DuplicateWarnings


class CaseChangedOut(CaseOut):
    """A changed case, with the field paths that changed."""

    changed: list[str]


class CaseListOut(Output):
    """One page of cases."""

    items: list[CaseSummaryOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page")


class SearchOut(Output):
    """What a search found."""

    items: list[CaseSummaryOut]
    too_many: bool = Field(
        default=False,
        description="More cases may match than are listed (a common name): the items are the newest "
        "matches; ask the user to type more of the name",
    )


class NoteCreatedOut(Output):
    """A note added (with a warning to show, if any)."""

    id: int
    kind: NoteKind
    visibility: NoteVisibility
    warning: str | None


class ServiceCreatedOut(Output):
    """A service recorded."""

    id: int
    service_type: str
    date: dt.date


class NikOut(Output):
    """The child's NIK (each reveal is audited)."""

    nik: str | None


class AccessEntryOut(Output):
    """Who did what with the case, when."""

    seq: int
    at: UtcTime
    user: str | None
    agency: str | None
    action: str
    outcome: str


class AccessLogOut(Output):
    """The case's access log, newest first."""

    items: list[AccessEntryOut]
