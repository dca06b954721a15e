"""Administration of users and agencies (no case content)."""
