"""The work queue's vocabulary: what an item of a user's queue asks of them.

Nothing of the queue is stored: `services/queue.py` derives it on each request. The kinds live here, beside
the other closed vocabularies and below the schemas, so that `caseapp/labels.py` keys their labels by them.
"""

from __future__ import annotations

from enum import StrEnum


class QueueKind(StrEnum):
    """What an item of the work queue asks of its user."""

    CLOSURE_TO_APPROVE = "closure_to_approve"
    CANCELLATION_TO_APPROVE = "cancellation_to_approve"
    ASSESSMENT_TO_REVIEW = "assessment_to_review"
    CARE_PLAN_TO_APPROVE = "care_plan_to_approve"
    CARE_PLAN_RETURNED = "care_plan_returned"
    CARE_PLAN_REVIEW_OVERDUE = "care_plan_review_overdue"
    FIRST_CONTACT_DUE = "first_contact_due"
    REFERRAL_TO_ANSWER = "referral_to_answer"
    REFERRAL_OVERDUE = "referral_overdue"
    COMPLAINT_TO_TRIAGE = "complaint_to_triage"
    LITMAS_DUE = "litmas_due"  # a litmas requested by the user's agency, not received yet
    TASK = "task"
