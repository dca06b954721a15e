"""Complaint pages (pengaduan): list, record, read and triage, outreach; and the case page's shelter and
outreach sections."""
