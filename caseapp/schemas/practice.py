"""The shapes of the practice around a case: assessments, care plans, case conferences and their tasks."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, Field, field_validator

from caseapp import reference_data
from caseapp.models.case import RiskLevel
from caseapp.models.practice import Answer, CarePlanStatus, NeedDomain, TaskStatus
from caseapp.schemas.base import Input, Output, fail, unknown_value
from caseapp.schemas.types import DAY_PATTERN, Document, Text, UtcTime, day_input

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


# Care plans -------------------------------------------------------------------------------------------------

MAX_GOALS = 20


def _agency(code: str) -> str:
    if code not in {c for c, _name in reference_data.agency_choices()}:
        raise fail(_("Choose the agency responsible for the goal."))
    return code


def _services(values: list[str]) -> list[str]:
    known = reference_data.code_set("service")
    for value in values:
        if value not in known:
            raise fail(unknown_value())
    return list(dict.fromkeys(values))


if TYPE_CHECKING:
    GoalText = str
    AgencyCode = str
    ServiceCodes = list[str]
    PlanDay = dt.date
    CommentText = str
else:
    GoalText = Text(2000, filled=True)
    AgencyCode = Annotated[
        str,
        AfterValidator(_agency),
        Field(
            json_schema_extra=lambda schema: schema.update(
                enum=sorted(c for c, _n in reference_data.agency_choices())
            )
        ),
    ]
    ServiceCodes = Annotated[
        list[
            Annotated[
                str,
                Field(
                    json_schema_extra=lambda schema: schema.update(
                        enum=sorted(reference_data.code_set("service"))
                    )
                ),
            ]
        ],
        AfterValidator(_services),
    ]
    PlanDay = Annotated[
        dt.date, day_input(required=_l("Enter a date as YYYY-MM-DD.")), Document(pattern=DAY_PATTERN)
    ]
    CommentText = Text(2000, filled=True)


class GoalIn(Input):
    """One goal: what for, the services, the agency responsible and when it is due."""

    goal: GoalText = Field(description="The goal (encrypted); not blank")
    services: ServiceCodes = Field(default_factory=list, description="Codes of the `service` vocabulary")
    agency: AgencyCode = Field(description="Code of the responsible agency (GET /reference)")
    due_date: PlanDay = Field(description="YYYY-MM-DD")

    @field_validator("goal")
    @classmethod
    def _goal_given(cls, value: str) -> str:
        if not value:
            raise fail(_("Write the goal."))
        return value


class CarePlanIn(Input):
    """A care plan (rencana intervensi); a new one supersedes the case's plan and waits for a supervisor."""

    goals: Annotated[list[GoalIn], Field(min_length=1, max_length=MAX_GOALS)] = Field(
        description=f"1 to {MAX_GOALS} goals"
    )
    review_date: PlanDay = Field(description="When the plan is reviewed (YYYY-MM-DD)")
    safety_plan: AssessmentText = Field(
        default="", description="The safety plan for a child at risk at home (encrypted)"
    )


class ReturnIn(Input):
    """Return a care plan to its author, saying what to change."""

    comment: CommentText = Field(description="What to change (encrypted; shown to the case's workers)")

    @field_validator("comment")
    @classmethod
    def _comment_given(cls, value: str) -> str:
        if not value:
            raise fail(_("Say what to change."))
        return value


class GoalOut(Output):
    goal: str
    services: list[str]
    agency: str = Field(description="Agency code")
    due_date: dt.date


class CarePlanOut(Output):
    """A care plan as the case's readers see it."""

    id: uuid.UUID
    status: CarePlanStatus
    goals: list[GoalOut]
    review_date: dt.date
    review_overdue: bool = Field(description="Approved, and its review date has passed")
    safety_plan: str
    author: str = Field(description="Username")
    created_at: UtcTime
    decided_by: str | None = Field(description="Username of the supervisor who approved or returned it")
    decided_at: UtcTime | None
    comment: str = Field(description="Why it was returned")


class CarePlanListOut(Output):
    """A case's care plans, newest (the case's plan) first."""

    items: list[CarePlanOut]


# Case conferences and their follow-up tasks -----------------------------------------------------------------

MAX_TASKS = 20
MAX_CONFERENCE_AGENCIES = 20


def _participants(values: list[str]) -> list[str]:
    known = {c for c, _name in reference_data.agency_choices()}
    for value in values:
        if value not in known:
            raise fail(unknown_value())
    return list(dict.fromkeys(values))


if TYPE_CHECKING:
    AgencyCodes = list[str]
    TaskText = str
    ConferenceText = str
    OwnerName = str
    NoteText = str
else:
    AgencyCodes = Annotated[
        list[
            Annotated[
                str,
                Field(
                    json_schema_extra=lambda schema: schema.update(
                        enum=sorted(c for c, _n in reference_data.agency_choices())
                    )
                ),
            ]
        ],
        AfterValidator(_participants),
        Field(max_length=MAX_CONFERENCE_AGENCIES),
    ]
    TaskText = Text(2000, filled=True)
    ConferenceText = Text(MAX_ASSESSMENT_TEXT)
    OwnerName = Text(80, filled=True)
    NoteText = Text(2000)


class TaskIn(Input):
    """A follow-up task: what to do, whose it is (a user of the owning agency or of a referral partner), by
    when."""

    description: TaskText = Field(description="What to do (encrypted); not blank")
    owner: OwnerName = Field(
        description="Username of an active user of the owning agency, or of an agency with an open referral "
        "on the case"
    )
    due_date: PlanDay = Field(description="YYYY-MM-DD")

    @field_validator("description")
    @classmethod
    def _description_given(cls, value: str) -> str:
        if not value:
            raise fail(_("Write what is to be done."))
        return value

    @field_validator("owner")
    @classmethod
    def _owner_given(cls, value: str) -> str:
        if not value:
            raise fail(_("Choose who does the task."))
        return value


class ConferenceIn(Input):
    """A case conference: when, which agencies and people took part, what was decided, and its tasks."""

    held_on: PlanDay = Field(description="The day it was held (YYYY-MM-DD)")
    agencies: AgencyCodes = Field(
        default_factory=list, description="Codes of the participating agencies (GET /reference), each once"
    )
    people: ConferenceText = Field(default="", description="Who took part (encrypted)")
    decisions: SummaryText = Field(description="What was decided (encrypted); not blank")
    tasks: Annotated[list[TaskIn], Field(max_length=MAX_TASKS)] = Field(
        default_factory=list, description=f"Up to {MAX_TASKS} follow-up tasks"
    )

    @field_validator("decisions")
    @classmethod
    def _decisions_given(cls, value: str) -> str:
        if not value:
            raise fail(_("Write what the conference decided."))
        return value


class TaskCompleteIn(Input):
    """Mark a task done, with an optional note on how."""

    note: NoteText = Field(default="", description="How it was done (encrypted; optional)")


class TaskOut(Output):
    """A follow-up task."""

    id: uuid.UUID
    description: str
    owner: str = Field(description="Username")
    owner_agency: str = Field(description="Agency code of the owner")
    due_date: dt.date
    overdue: bool = Field(description="Open, and its due day has passed (Kendari time)")
    status: TaskStatus
    completed_by: str | None = Field(description="Username")
    completed_at: UtcTime | None
    completion_note: str


class ConferenceOut(Output):
    """A case conference as the case's readers see it."""

    id: uuid.UUID
    held_on: dt.date
    agencies: list[str] = Field(description="Agency codes")
    people: str
    decisions: str
    tasks: list[TaskOut]
    author: str = Field(description="Username")
    created_at: UtcTime


class ConferenceListOut(Output):
    """A case's conferences, newest first."""

    items: list[ConferenceOut]
