"""Shapes of retention: placing or lifting a legal hold, and the hold as a case read shows it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from pydantic import Field, field_validator

from caseapp.schemas.base import Input, Output, fail
from caseapp.schemas.types import Text, UtcTime

if TYPE_CHECKING:  # `Text(...)` builds a pydantic type at run time; a type checker reads it as text
    HoldReason = str
else:
    HoldReason = Text(2000, filled=True)


class LegalHoldIn(Input):
    """Place or lift a legal hold, saying why (a court order, litigation, an inquiry)."""

    reason: HoldReason = Field(
        description="Why the hold is placed or lifted (kept encrypted in the case file; never in the log)"
    )

    @field_validator("reason")
    @classmethod
    def _reason_given(cls, value: str) -> str:
        if not value:
            raise fail(_("Say why."))
        return value


class LegalHoldOut(Output):
    """The legal hold a case is under (a held case is never shredded by retention)."""

    placed_at: UtcTime
    placed_by: str = Field(description="Username")
    reason: str | None = Field(description="Why it was placed")


class LegalHoldStateOut(Output):
    """A case's hold after placing or lifting one."""

    case_id: uuid.UUID
    case_number: str
    held: bool
    hold: LegalHoldOut | None = Field(description="The hold in force; null when none is")
