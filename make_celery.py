"""Celery's entry point (Flask's documented pattern): `celery -A make_celery worker` / `beat`.

The worker and beat build the same application as the web (CASEAPP_CONFIG, DATABASE_URL, the keys, ...)
and need CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/1.
"""

from caseapp import create_app

flask_app = create_app()
if "celery" not in flask_app.extensions:
    raise SystemExit("CELERY_BROKER_URL is not set: jobs run inside the web process; no worker is needed.")
celery_app = flask_app.extensions["celery"]
