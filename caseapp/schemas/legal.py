"""The justice track: a legal milestone as sent and as read."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field, model_validator

from caseapp.models.legal import LegalEventKind
from caseapp.schemas.base import Input, Output
from caseapp.schemas.cases import ServiceDate, _say, refuse_at
from caseapp.schemas.types import Document, Text, UtcTime

MAX_REFERENCE = 100
MAX_INVESTIGATOR = 120
MAX_OUTCOME = 1000

# Milestones that say nothing without their detail.
NEEDS_INVESTIGATOR = frozenset({LegalEventKind.VISUM_REQUEST})
NEEDS_OUTCOME = frozenset({LegalEventKind.VERDICT, LegalEventKind.RESTITUTION_DECIDED})


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


if TYPE_CHECKING:
    Reference = str
    Investigator = str
    Outcome = str
else:
    Reference = Text(MAX_REFERENCE)
    Investigator = Text(MAX_INVESTIGATOR)
    Outcome = Text(MAX_OUTCOME)

EventKind = Annotated[LegalEventKind, Field(strict=False), _say(_l("Choose the milestone."))]
AttachmentRef = Annotated[
    uuid.UUID | None,
    Field(strict=False),
    BeforeValidator(_blank_is_none),
    _say(_l("Choose one of the case's attachments.")),
    Document(blank=True),
]


class LegalEventIn(Input):
    """A legal milestone: its date, its reference (LP number, case-file number ...) and its detail."""

    kind: EventKind
    date: ServiceDate = Field(description="Not in the future")
    reference: Reference = Field(default="", description="LP, BAP, P21, verdict number ... (encrypted)")
    investigator: Investigator = Field(
        default="", description="The requesting investigator (needed for a visum request; encrypted)"
    )
    outcome: Outcome = Field(
        default="",
        description="The sentence or outcome (needed for a verdict and a restitution decision; encrypted)",
    )
    attachment: AttachmentRef = Field(default=None, description="The id of one of the case's attachments")

    @model_validator(mode="after")
    def _detail(self) -> LegalEventIn:
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


class LegalEventListOut(Output):
    """A case's legal milestones in date order, and whether proceedings are open."""

    items: list[LegalEventOut]
    proceedings_open: bool = Field(description="No verdict yet, or a milestone within the last N days")
