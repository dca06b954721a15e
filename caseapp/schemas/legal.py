"""The justice track: a legal milestone as sent and as read."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, model_validator

from caseapp.database import utcnow
from caseapp.models.legal import DiversionOutcome, DiversionStage, LegalEventKind, Under12Decision
from caseapp.schemas.base import Input, Output
from caseapp.schemas.cases import Day, ServiceDate, refuse_at
from caseapp.schemas.types import (
    NOT_BLANK,
    TIME_PATTERN,
    Document,
    Text,
    UtcTime,
    blank_is_none,
    one_message,
    read_time,
    schema_rules,
    stored_utc,
)

MAX_REFERENCE = 100
MAX_INVESTIGATOR = 120
MAX_OUTCOME = 1000

# Milestones that say nothing without their detail.
NEEDS_INVESTIGATOR = frozenset({LegalEventKind.VISUM_REQUEST})
NEEDS_OUTCOME = frozenset({LegalEventKind.VERDICT, LegalEventKind.RESTITUTION_DECIDED})


if TYPE_CHECKING:
    Reference = str
    Investigator = str
    Outcome = str
else:
    Reference = Text(MAX_REFERENCE)
    Investigator = Text(MAX_INVESTIGATOR)
    Outcome = Text(MAX_OUTCOME)

FILLED = {"type": "string", "pattern": NOT_BLANK}


def _needs(kinds: frozenset[LegalEventKind], field: str) -> dict[str, Any]:
    """`LegalEventIn._detail` as the document states it: these kinds need the field filled."""
    return {
        "if": {"required": ["kind"], "properties": {"kind": {"enum": sorted(k.value for k in kinds)}}},
        "then": {"required": [field], "properties": {field: FILLED}},
    }


EventKind = Annotated[LegalEventKind, Field(strict=False), one_message(_l("Choose the milestone."))]
AttachmentRef = Annotated[
    uuid.UUID | None,
    Field(strict=False),
    BeforeValidator(blank_is_none),
    one_message(_l("Choose one of the case's attachments.")),
    Document(blank=True),
]


class LegalEventIn(Input):
    """A legal milestone: its date, its reference (LP number, case-file number ...) and its detail."""

    model_config = ConfigDict(
        json_schema_extra=schema_rules(
            _needs(NEEDS_INVESTIGATOR, "investigator"), _needs(NEEDS_OUTCOME, "outcome")
        )
    )

    kind: EventKind
    date: ServiceDate = Field(description="Not in the future")
    reference: Reference = Field(
        default="", description="LP, BAP, P21, SP3, SKP2, verdict number ... (encrypted)"
    )
    investigator: Investigator = Field(
        default="", description="The requesting investigator (needed for a visum request; encrypted)"
    )
    outcome: Outcome = Field(
        default="",
        description="The sentence or outcome (needed for a verdict and a restitution decision; encrypted)",
    )
    attachment: AttachmentRef = Field(default=None, description="The id of one of the case's attachments")
    requested_at: Annotated[
        dt.datetime | None,
        BeforeValidator(read_time),
        AfterValidator(stored_utc),
        Document(blank=True, pattern=TIME_PATTERN, format=None),
    ] = Field(
        default=None,
        description="A litmas request only: when it was made, RFC 3339 (without an offset: UTC), not in the "
        "future (default: now); Bapas's 3x24-hour deadline runs from it. Ignored for other milestones",
    )

    @model_validator(mode="after")
    def _detail(self) -> LegalEventIn:
        if self.kind is not LegalEventKind.LITMAS_REQUEST:
            self.requested_at = None
        elif self.requested_at is not None and self.requested_at > utcnow():
            raise refuse_at((("requested_at",), _("This time is in the future."), None))
        if self.kind in NEEDS_INVESTIGATOR and not self.investigator:
            raise refuse_at((("investigator",), _("Name the investigator who requested it."), ""))
        if self.kind in NEEDS_OUTCOME and not self.outcome:
            raise refuse_at((("outcome",), _("Write the sentence or outcome."), ""))
        return self


class LegalEventOut(Output):
    """A legal milestone of a case."""

    id: uuid.UUID
    kind: LegalEventKind
    date: dt.date
    reference: str
    investigator: str
    outcome: str
    agency: str = Field(description="Code of the agency that recorded it")
    recorded_by: str = Field(description="Username")
    recorded_at: UtcTime
    attachment: uuid.UUID | None = Field(description="The linked attachment's id (null when none or deleted)")
    requested_at: UtcTime | None = Field(description="A litmas request: when it was made")
    due_at: UtcTime | None = Field(description="A litmas request: Bapas's deadline, 3x24 hours later")
    overdue: bool = Field(description="A litmas request past its deadline with no litmas received since")


# UU SPPA Pasal 29, 42, 52: diversion is tried within 7 days of the stage and lasts at most 30 days.
DIVERSION_MAX_DAYS = 30


# `DiversionIn._rules` as the document states them (all but the dates' order).
_DAY_GIVEN = {"type": "string", "minLength": 1}
DIVERSION_RULES: list[dict[str, Any]] = [
    {
        "if": {"required": ["stage"], "properties": {"stage": {"const": DiversionStage.UNDER_12.value}}},
        "then": {
            "required": ["decision"],
            "properties": {"decision": {"enum": [d.value for d in Under12Decision]}},
        },
        "else": {"properties": {"decision": {"enum": [None, ""]}}},
    },
    {
        "if": {
            "required": ["outcome", "stage"],
            "properties": {
                "outcome": {"const": DiversionOutcome.SETTLED.value},
                "stage": {"not": {"const": DiversionStage.UNDER_12.value}},
            },
        },
        "then": {
            "required": ["victim_agreed", "agreement_on", "court_approved_on"],
            "properties": {
                "victim_agreed": {"const": True},
                "agreement_on": _DAY_GIVEN,
                "court_approved_on": _DAY_GIVEN,
            },
        },
    },
]


class DiversionIn(Input):
    """A diversion attempt at a stage (or the under-12 decision, Pasal 21), for a child in conflict with the
    law. The dates' order (agreement and approval not before the start, the agreement within 30 days) is
    checked too."""

    model_config = ConfigDict(json_schema_extra=schema_rules(*DIVERSION_RULES))

    stage: Annotated[DiversionStage, Field(strict=False), one_message(_l("Choose the stage."))]
    outcome: Annotated[DiversionOutcome, Field(strict=False), one_message(_l("Choose the outcome."))] = (
        DiversionOutcome.ONGOING
    )
    started_on: ServiceDate = Field(description="Not in the future")
    victim_agreed: bool = Field(default=False, description="The victim's (and family's) agreement, Pasal 9")
    agreement_on: Day = Field(
        default=None, description="The diversion agreement, within 30 days of the start"
    )
    court_approved_on: Day = Field(default=None, description="The district court's approval (penetapan)")
    decision: Annotated[
        Under12Decision | None, Field(strict=False), BeforeValidator(blank_is_none), Document(blank=True)
    ] = Field(default=None, description="Under 12 only: return to parents or a social program")

    @model_validator(mode="after")
    def _rules(self) -> DiversionIn:
        if self.stage is DiversionStage.UNDER_12:
            if self.decision is None:
                raise refuse_at((("decision",), _("Choose the decision for a child under 12."), None))
            return self
        if self.decision is not None:
            raise refuse_at((("decision",), _("A decision is recorded only for a child under 12."), None))
        for name in ("agreement_on", "court_approved_on"):
            day = getattr(self, name)
            if day is not None and day < self.started_on:
                raise refuse_at(((name,), _("This date is before the start of the diversion."), str(day)))
        if self.agreement_on is not None and (self.agreement_on - self.started_on).days > DIVERSION_MAX_DAYS:
            raise refuse_at(
                (("agreement_on",), _("Diversion lasts at most 30 days."), str(self.agreement_on))
            )
        if self.outcome is DiversionOutcome.SETTLED:
            if not self.victim_agreed:
                raise refuse_at(
                    (("victim_agreed",), _("Settled by diversion needs the victim's agreement."), False)
                )
            if self.agreement_on is None or self.court_approved_on is None:
                message = _("Settled by diversion needs the agreement and the court's approval dates.")
                raise refuse_at((("court_approved_on",), message, None))
        return self


class DiversionOut(Output):
    """A diversion attempt of a case."""

    id: uuid.UUID
    stage: DiversionStage
    outcome: DiversionOutcome
    started_on: dt.date
    victim_agreed: bool
    agreement_on: dt.date | None
    court_approved_on: dt.date | None
    decision: Under12Decision | None
    overdue: bool = Field(description="Ongoing more than 30 days after its start")
    started_late: bool = Field(
        description="Started more than 7 days after its stage began (UU SPPA Pasal 29, 42, 52: the police "
        "report, the case file complete (P21), the trial milestone)"
    )
    agency: str = Field(description="Code of the agency that recorded it")
    recorded_by: str = Field(description="Username")
    recorded_at: UtcTime


class DetentionOut(Output):
    """The child's detention while it lasts (UU SPPA Pasal 32-35)."""

    since: dt.date
    stage: DiversionStage = Field(description="The stage of the proceedings on the day it began")
    release_by: dt.date = Field(description="The last day the stage's limit allows, its extension included")
    overdue: bool = Field(description="Still detained after release_by")


class LegalEventListOut(Output):
    """A case's legal milestones in date order, its diversion attempts, and whether proceedings are open."""

    items: list[LegalEventOut]
    diversions: list[DiversionOut]
    detention: DetentionOut | None = Field(description="The detention in progress (null: none)")
    proceedings_open: bool = Field(description="No verdict yet, or a milestone within the last N days")
