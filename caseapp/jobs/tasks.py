"""The jobs themselves: plain functions run inside an application context, each owning its transactions."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app

from caseapp.transaction import unit_of_work

log = logging.getLogger(__name__)


def send_outbox() -> str:
    """Send what the mail outbox holds that is due (claims each message; safe with several workers)."""
    from caseapp.services import notify

    sent, failed = notify.send_pending(limit=int(current_app.config.get("JOBS_OUTBOX_BATCH", 200)))
    return f"sent {sent}, failed {failed}"


REMIND_BATCH = 200  # rows per transaction: a backlog (after an outage, a migration) never holds locks long


def _in_batches(remind: Callable[[int], int]) -> int:
    """Run a reminder batch by batch, each its own unit of work, until a batch comes back short."""
    total = 0
    while True:
        with unit_of_work():
            count = remind(REMIND_BATCH)
        total += count
        if count < REMIND_BATCH:
            return total


def remind_referrals() -> str:
    """Notify receiving supervisors of overdue referrals (once a day each)."""
    from caseapp.services import referrals

    return f"reminded {_in_batches(referrals.remind_overdue)}"


def remind_care_plan_reviews() -> str:
    """Notify case managers and supervisors of care plans past their review date (once a day each)."""
    from caseapp.services import care_plans

    return f"reminded {_in_batches(care_plans.remind_overdue_reviews)}"


def prune() -> str:
    """Delete ended sessions, idle counters, old read notifications and sent mail."""
    from caseapp.services.maintenance import prune as prune_rows

    with unit_of_work():
        counts = prune_rows()
    return ", ".join(f"{name} {n}" for name, n in counts.items())


def build_exports() -> str:
    """Delete expired export files, then build the queued exports (claims each; safe with several workers)."""
    from caseapp.services import export_jobs

    with unit_of_work():
        expired = export_jobs.expire()
    built, failed = export_jobs.build_pending()
    return f"built {built}, failed {failed}, expired {expired}"


def shred_due_cases() -> str:
    """Remove the identity of the cases past their retention (batch by batch; safe with several workers)."""
    from caseapp.services import retention

    if not retention.retention_years():
        return "skipped: CASE_RETENTION_YEARS is 0"
    failed: list[int] = []
    done = retention.shred_due(retention.BATCH, on_failed=failed.append)
    return f"shredded {done}, failed {sum(failed)}" if failed else f"shredded {done}"


def audit_checkpoint() -> str:
    """Sign the audit chain's head into the checkpoint file (skipped without a signing key)."""
    from caseapp.audit.checkpoint import record_checkpoint

    if current_app.extensions.get("caseapp.audit_signing_key") is None:
        return "skipped: no CASEAPP_AUDIT_SIGNING_KEY"
    with unit_of_work():
        checkpoint = record_checkpoint("jobs")
    return f"checkpoint of seq {checkpoint.seq}"


JOBS: dict[str, Callable[[], str]] = {
    "audit.checkpoint": audit_checkpoint,
    "outbox.send": send_outbox,
    "referrals.remind": remind_referrals,
    "care_plans.remind": remind_care_plan_reviews,
    "maintenance.prune": prune,
    "exports.build": build_exports,
    "retention.shred_due": shred_due_cases,
}

# Default period of each job in seconds (config JOBS_SCHEDULE overrides any of them). The outbox's is the
# sweep that picks up whatever a dispatch after commit did not deliver (broker down, worker lost).
SCHEDULE: dict[str, int] = {
    "audit.checkpoint": 3600,
    "outbox.send": 60,
    "referrals.remind": 3600,
    "care_plans.remind": 3600,
    "maintenance.prune": 86400,
    "exports.build": 60,
    "retention.shred_due": 86400,
}


def schedule_of(config: dict) -> dict[str, int]:
    """Return the period of each job under this configuration."""
    return {**SCHEDULE, **(config.get("JOBS_SCHEDULE") or {})}


def run_job(name: str) -> str:
    """Run one job by name in the current application context; return its summary (for the logs)."""
    result = JOBS[name]()
    log.info("job %s: %s", name, result)
    return result
