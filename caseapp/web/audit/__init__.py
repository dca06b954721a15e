"""The auditor's view of the audit log."""
