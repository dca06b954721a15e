"""Services: the only code that changes data. They take the acting user, flush, never commit."""
