"""The tamper-evident audit log: record events in the caller's transaction, verify the chain."""

from caseapp.audit.actions import AuditAction, Outcome
from caseapp.audit.log import record, record_separately
from caseapp.audit.verify import VerifyResult, verify_chain

__all__ = ["AuditAction", "Outcome", "VerifyResult", "record", "record_separately", "verify_chain"]
