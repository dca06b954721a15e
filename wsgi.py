"""WSGI entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`."""

import sys

from caseapp import create_app
from config import ConfigError

try:
    app = create_app()
except ConfigError as exc:  # one line, not a traceback
    print(f"caseapp: configuration error: {exc}", file=sys.stderr)
    raise SystemExit(2) from None
