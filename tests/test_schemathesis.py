"""Schemathesis drives the API from its generated OpenAPI document, with every check it has.

For a case worker and for a supervisor, on SQLite and PostgreSQL: each operation gets schema-valid and
schema-invalid requests (bounded: a few examples each, derandomised so CI is repeatable). Path ids are
drawn from real records half of the time, so the requests reach the services instead of stopping at 404.
Any server error, undocumented status, answer that does not match its schema, or input the document
refuses but the API accepts (or the reverse) fails the test.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from caseapp.extensions import db
from caseapp.models import Referral
from tests.casedata import register
from tests.test_api import _bearer, _token

EXAMPLES = 6


def _operations(schema):  # type: ignore[no-untyped-def]
    for result in schema.get_all_operations():
        yield result.ok()


@pytest.mark.parametrize("role", ["case_worker", "supervisor"])
def test_the_api_keeps_its_document(app_factory, make_user, role):
    app = app_factory(API_RATE_LIMIT="100000 per hour")
    user = make_user(role, "UPTD_PPA")
    police = make_user("supervisor", "POLRESTA")
    with app.app_context():
        case = register(user)
        mine = str(case.uuid)
        db.session.commit()
    police_token = _token(app, police.username)
    sent = app.test_client().post(
        f"/api/v1/cases/{mine}/referrals",
        headers=_bearer(_token(app, user.username)),
        json={
            "to_agency": "POLRESTA",
            "services": ["legal_aid"],
            "urgency": "urgent",
            "reason": "Schemathesis referral",
            "shared_sections": ["incident"],
            "consent": {"given_by": "guardian", "name": "Wali", "obtained_at": "2026-11-01"},
        },
    )
    with app.app_context():
        referral_id = db.session.scalar(db.select(Referral.id))
    ids = {"case_id": mine, "referral_id": referral_id}
    headers = _bearer(_token(app, user.username))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=headers)
    assert sent.status_code == 201 and police_token

    failures: list[str] = []
    for operation in _operations(schema):
        names = {p.name for p in operation.path_parameters}
        fixed = {name: ids[name] for name in names if name in ids}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies = [operation.as_strategy(generation_mode=mode)]
            if fixed:
                strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=fixed))

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=st.one_of(strategies))
            def run(case):  # type: ignore[no-untyped-def]
                case.call_and_validate(headers=headers)

            try:
                run()
            except BaseException as exc:  # noqa: BLE001 - every operation's failure, reported together
                failures.append(f"{operation.label} [{mode}]: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)
