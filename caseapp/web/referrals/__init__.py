"""Referral pages: send from a case, inbox and outbox, respond, notifications."""
