"""Read-only reports: SQL aggregates over plaintext columns only (nothing here decrypts)."""
