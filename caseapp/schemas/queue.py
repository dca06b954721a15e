"""The work queue: what waits for the signed-in user, one item per thing to do."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from caseapp.models.queue import QueueKind
from caseapp.schemas.base import Output
from caseapp.schemas.types import UtcTime


class QueueItem(Output):
    """One thing to do: its kind, the case (where the user may open it), when it is due, where to do it."""

    kind: QueueKind
    case_id: uuid.UUID | None = Field(
        description="The case, where the user may open it (an incoming referral names only its number)"
    )
    case_number: str | None = Field(description="The case's number (null for a complaint: no case yet)")
    referral_id: int | None = Field(
        default=None, description="The referral, for the referral kinds (and a partner agency's task)"
    )
    complaint_id: uuid.UUID | None = Field(default=None, description="The complaint, for complaint_to_triage")
    task_id: uuid.UUID | None = Field(default=None, description="The task, for the kind `task`")
    description: str | None = Field(
        default=None, description="What the task asks (kind `task` only; no other case text)"
    )
    since: UtcTime = Field(description="When the item began to wait")
    due_at: UtcTime | None = Field(description="When it is due (null: no deadline, answer soon)")
    overdue: bool
    link: str = Field(description="The page where it is done (a path of this server)")

    def sort_key(self, now: datetime) -> tuple[int, datetime, datetime]:
        """Overdue first, then by due time (none last), then oldest first."""
        return (0 if self.overdue else 1, self.due_at or datetime.max, self.since)


class QueueOut(Output):
    """The signed-in user's work queue: overdue first, then soonest due, then oldest."""

    items: list[QueueItem]
