"""The work queue of the JSON API: what waits for the signed-in user (the home page shows the same)."""

from __future__ import annotations

from caseapp.api.endpoint import endpoint
from caseapp.api.views import bp
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.schemas.queue import QueueOut
from caseapp.security.permissions import Permission
from caseapp.services import queue


@bp.route("/queue", methods=["GET"])
@require(Permission.ACCOUNT_SELF)
@endpoint(response=QueueOut)
def work_queue() -> QueueOut:
    """What waits for the signed-in user: requests to approve, first contacts, referrals to answer or overdue.

    Each item has its `kind`, the case (`case_id` where the user may open it), `due_at` and a `link` to the
    page where it is done; overdue items first.
    """
    return QueueOut(items=queue.work_queue(acting_user()))
