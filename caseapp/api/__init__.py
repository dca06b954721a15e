"""The JSON API under /api/v1: bearer tokens (or the browser session with CSRF), JSON errors."""
