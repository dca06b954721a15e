"""The shapes of the practice around a case: assessments (safety, needs by domain, risk and its reasons)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

from flask_babel import gettext as _
from pydantic import AfterValidator, Field, field_validator

from caseapp.models.case import RiskLevel
from caseapp.models.practice import Answer, NeedDomain
from caseapp.schemas.base import Input, Output, fail
from caseapp.schemas.types import Text, UtcTime

MAX_ASSESSMENT_TEXT = 5000

if TYPE_CHECKING:
    AssessmentText = str
    SummaryText = str
else:
    AssessmentText = Text(MAX_ASSESSMENT_TEXT)
    SummaryText = Text(MAX_ASSESSMENT_TEXT, filled=True)


def _once(values: list[NeedDomain]) -> list[NeedDomain]:
    return list(dict.fromkeys(values))


class AssessmentIn(Input):
    """An assessment of the child's safety, needs and risk; a new one revises the case's assessment."""

    perpetrator_has_access: Annotated[Answer, Field(strict=False)] = Field(
        description="Does the alleged perpetrator still have access to the child?"
    )
    safe_tonight: Annotated[Answer, Field(strict=False)] = Field(description="Is the child safe tonight?")
    needs: Annotated[list[Annotated[NeedDomain, Field(strict=False)]], AfterValidator(_once)] = Field(
        default_factory=list, description="The domains where the child needs services (each once)"
    )
    risk_level: Annotated[RiskLevel, Field(strict=False)]
    risk_reasons: AssessmentText = Field(default="", description="Why this risk level (encrypted)")
    summary: SummaryText = Field(description="The assessment's summary (encrypted); not blank")

    @field_validator("summary")
    @classmethod
    def _summary_given(cls, value: str) -> str:
        if not value:
            raise fail(_("Write the assessment's summary."))
        return value


class AssessmentOut(Output):
    """An assessment as the case's readers see it."""

    id: uuid.UUID
    perpetrator_has_access: Answer
    safe_tonight: Answer
    needs: list[NeedDomain]
    risk_level: RiskLevel
    risk_reasons: str
    summary: str
    author: str = Field(description="Username")
    created_at: UtcTime
    reviewed_by: str | None = Field(description="Username of the supervisor who reviewed it")
    reviewed_at: UtcTime | None


class AssessmentListOut(Output):
    """A case's assessments, newest (the case's current assessment) first."""

    items: list[AssessmentOut]
