"""WSGI entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`."""

import os
import sys

from sqlalchemy.exc import OperationalError

from caseapp import create_app
from config import ConfigError


def _one_line_database_errors(kind, exc, tb):  # type: ignore[no-untyped-def]
    """Print an unreachable database as one line, not a traceback (any command, any configuration)."""
    if isinstance(exc, OperationalError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "connection failed"
        print(f"caseapp: cannot reach the database: {reason}", file=sys.stderr)
        return
    sys.__excepthook__(kind, exc, tb)


sys.excepthook = _one_line_database_errors

if "gunicorn" in os.path.basename(sys.argv[0]) and not os.environ.get("CASEAPP_CONFIG"):
    # A server started without saying which configuration would silently run the development one.
    print("caseapp: set CASEAPP_CONFIG (production) before starting gunicorn", file=sys.stderr)
    raise SystemExit(2)

try:
    app = create_app()
except ConfigError as exc:  # one line, not a traceback
    print(f"caseapp: configuration error: {exc}", file=sys.stderr)
    raise SystemExit(2) from None
