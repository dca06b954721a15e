"""The bare baseline of the load benchmark: Flask + SQLAlchemy issuing the case list's and case page's SQL.

    DATABASE_URL=... BARE_USER=<user id> gunicorn -w 4 'bench.bare:create_bare_app()'

No sign-in, permission check, audit entry, decryption, CSRF, translation or template: the difference between
these two endpoints and the real pages is what caseapp's safety costs. The SQL comes from the same builders
as the application's (the one scoping function, the list filter, the case page's section queries) for the
user named by BARE_USER, so both sides read the same rows the same way. Benchmark use only.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Response, abort, request

from caseapp.extensions import db
from caseapp.models import Case, User


def create_bare_app(database_url: str | None = None, user_id: int | None = None) -> Flask:
    """Return the bare app on DATABASE_URL, reading as the user BARE_USER."""
    import caseapp  # noqa: F401  (the same SQLite connection pragmas as the application)

    app = Flask("bare")
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url or os.environ["DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"hide_parameters": True, "pool_pre_ping": True}
    db.init_app(app)
    reader_id = user_id or int(os.environ["BARE_USER"])

    def reader() -> User:
        user = db.session.get(User, reader_id)
        if user is None:
            abort(500)
        return user

    @app.get("/bare/cases")
    def bare_list() -> Response:
        from sqlalchemy import func, select
        from sqlalchemy.orm import joinedload

        from caseapp.services.cases import SORTS, CaseFilter, filtered_cases

        flt = CaseFilter(status=request.args.get("status", ""), kecamatan=request.args.get("kecamatan", ""))
        first, second = SORTS["newest"]
        stmt = filtered_cases(reader(), flt).options(joinedload(Case.data_key)).order_by(first, second)
        rows = list(db.session.scalars(stmt.limit(51)))
        total = db.session.scalar(select(func.count()).select_from(filtered_cases(reader(), flt).subquery()))
        lines = [f"{total}"] + [f"{c.case_number}\t{c.status}\t{c.created_at:%Y-%m-%d}" for c in rows[:50]]
        db.session.commit()
        return Response("\n".join(lines), mimetype="text/plain")

    @app.get("/bare/cases/<case_uuid>")
    def bare_case(case_uuid: str) -> Response:
        from caseapp.services import cases, referrals
        from caseapp.services.scoping import parse_case_uuid, visible_cases

        me = reader()
        key = parse_case_uuid(case_uuid)
        case = db.session.scalar(visible_cases(me).where(Case.uuid == key)) if key else None
        if case is None:
            abort(404)
        sections: list[Any] = [
            cases.visible_notes(me, case),
            cases.case_services(case),
            cases.timeline(case),
            referrals.case_referrals(case),
            list(case.parties),
        ]
        body = f"{case.case_number}\t{case.status}\t" + "\t".join(str(len(s)) for s in sections)
        db.session.commit()
        return Response(body, mimetype="text/plain")

    return app
