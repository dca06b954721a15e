"""Recomputing the audit chain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from caseapp.audit.chain import GENESIS, SORTED_FIELDS, canonical_values, mac_of
from caseapp.extensions import db
from caseapp.models.audit_event import AuditEvent
from caseapp.security.keys import current_keyring


@dataclass(frozen=True)
class VerifyResult:
    """What verification found: ok, how many events were checked, and the first bad one."""

    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str | None = None
    anchored_seq: int | None = None  # the newest checkpointed event (see `checkpoint`), if any
    checkpoints: int = 0

    def message(self) -> str:
        if not self.ok:
            return f"FAILED at seq {self.bad_seq}: {self.problem}"
        if self.anchored_seq is not None:
            held = f"{self.checkpoints} checkpoints hold, up to seq {self.anchored_seq}"
            return f"OK: {self.checked} events; {held}"
        return f"OK: {self.checked} events (no checkpoint: removal of the newest events is not detectable)"


def count_events() -> int:
    """Return the number of events in the log."""
    return int(db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def verify_chain(on_progress: Callable[[int], None] | None = None, chunk: int = 20000) -> VerifyResult:
    """Walk the log in order and check sequence, links and MACs; stop at the first bad event.

    Detects an edited event (MAC), a deleted or inserted one (sequence gap or broken link) and a reordering.
    Cannot by itself detect removal of the newest events: `checkpoint.verify_anchored` compares the log with
    the signed checkpoints kept outside the database.
    """
    key = current_keyring().audit_key
    # Plain tuples in canonical field order: no per-row mapping or dict (this loop is the cost of verify).
    columns = [getattr(AuditEvent, name) for name in SORTED_FIELDS]
    stmt = select(*columns, AuditEvent.prev_mac, AuditEvent.mac).order_by(AuditEvent.seq)
    seq_at, width = SORTED_FIELDS.index("seq"), len(SORTED_FIELDS)
    expected_seq, prev_mac, checked, pending = 1, GENESIS, 0, 0
    with db.engine.connect() as conn:
        result = conn.execution_options(yield_per=chunk).execute(stmt)
        try:
            for row in result.tuples():
                seq = row[seq_at]
                if seq != expected_seq:
                    kind = "missing events before it" if seq > expected_seq else "out of order"
                    return VerifyResult(False, checked, seq, f"expected seq {expected_seq} ({kind})")
                if row[width] != prev_mac:
                    return VerifyResult(False, checked, seq, "link to the previous event is broken")
                mac = row[width + 1]
                if mac_of(key, prev_mac, canonical_values(row[:width])) != mac:
                    return VerifyResult(False, checked, seq, "content does not match its MAC (edited)")
                prev_mac = mac
                expected_seq += 1
                checked += 1
                pending += 1
                if on_progress is not None and pending >= chunk:
                    on_progress(pending)
                    pending = 0
        finally:
            result.close()
    if on_progress is not None and pending:
        on_progress(pending)
    return VerifyResult(True, checked)
