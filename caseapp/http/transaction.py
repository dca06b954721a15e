"""The request's unit of work: a request that succeeds commits once; one that fails rolls back.

Success is a response below 400 that no exception interrupted and that the view did not `doom`.
Anything else (a typed error mapped by `caseapp.http.errors`, an HTTP error, a form re-rendered with
400/409, a refusal answered with a redirect, a crash) rolls back, so a view can never half-save or forget
to save. Views and API endpoints never call commit or rollback themselves. The session does not expire
rows on commit (see `caseapp.extensions`), so what a view rendered stays valid after the commit.
"""

from __future__ import annotations

from flask import Flask, Response, g

from caseapp.extensions import db


def doom() -> None:
    """Mark the request as failed although it answers with a page or a redirect: its work rolls back.

    For a refusal shown on the next page (a flash message and a redirect): nothing the refused step did
    may be kept, whatever the status code says.
    """
    g.caseapp_doomed = True


def abort() -> None:
    """Roll the request's transaction back now (before an error page queries the database again)."""
    db.session.rollback()


def finish(response: Response) -> Response:
    """Commit the request's work if the response says it succeeded, roll it back if not."""
    if response.status_code < 400 and not g.get("caseapp_doomed"):
        db.session.commit()
    else:
        db.session.rollback()
    return response


def install(app: Flask) -> None:
    """Attach the unit of work to every request."""
    app.after_request(finish)

    @app.teardown_request
    def _rollback_on_crash(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()
