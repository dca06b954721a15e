"""The audit log: events of every kind, the HMAC chain, triggers, tamper detection, the viewer."""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import datetime

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from caseapp import audit
from caseapp.audit import AuditAction, Outcome, verify_chain
from caseapp.audit.chain import CHAINED_FIELDS, SORTED_FIELDS, canonical, canonical_values
from caseapp.extensions import db
from caseapp.models import AuditEvent
from tests.conftest import PASSWORD, login


def _actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.seq)))


def _events(app, action) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)).all()
        db.session.expunge_all()
        return list(rows)


def _fill(app, n: int = 6) -> None:
    with app.app_context():
        for i in range(n):
            audit.record(
                AuditAction.REPORT_VIEW,
                object_type="report",
                object_id=f"r{i}",
                details={"period": "2026-11"},
            )
        db.session.commit()


def test_sign_in_events_are_recorded(app, client, make_user):
    user = make_user()
    login(client, user.username, "wrong-password-xyz")
    login(client, "nobody.at.all", "wrong-password-xyz")
    login(client, user.username)
    new = "perahu-layar-di-teluk-kendari-biru"
    client.post("/account/password", data={"current_password": PASSWORD, "new_password": new, "confirm": new})
    client.post("/logout")
    actions = _actions(app)
    for expected in ("user.create", "auth.login_failed", "auth.login", "auth.password_change", "auth.logout"):
        assert expected in actions
    failed = _events(app, "auth.login_failed")
    assert {e.actor_username for e in failed} == {user.username, None}  # unknown names are not stored
    assert all("nobody" not in (e.details or "") for e in failed)
    login_event = _events(app, "auth.login")[0]
    assert login_event.actor_role == "case_worker" and login_event.actor_agency == "UPTD_PPA"
    assert login_event.source_ip == "127.0.0.1" and login_event.request_id


def test_denials_survive_the_rollback(app, client, login_as):
    login_as("case_worker")
    assert client.get("/admin/users").status_code == 403
    denial = _events(app, "authz.deny")
    assert len(denial) == 1
    assert denial[0].outcome == "denied" and denial[0].object_id == "admin.user_list"
    assert '"permission": "user:manage"' in denial[0].details


def _report(object_id: str, **kwargs) -> None:
    audit.record(AuditAction.REPORT_VIEW, object_type="report", object_id=object_id, **kwargs)


def test_a_savepoint_that_rolls_back_takes_its_entries_with_it(app):
    """What a savepoint recorded goes with its rows (the retention job's case that failed), but for an entry
    recorded to outlive a rollback; a savepoint released keeps its entries, the outer rollback drops all."""
    with app.app_context():
        _report("before")
        with pytest.raises(RuntimeError), db.session.begin_nested():
            _report("in-failed")
            _report("kept-in-failed", keep_on_rollback=True)
            with db.session.begin_nested():
                _report("in-released-inside-failed")
            raise RuntimeError
        with db.session.begin_nested():
            _report("in-released")
        with pytest.raises(RuntimeError), db.session.begin_nested():
            with db.session.begin_nested():
                _report("in-released-then-failed")
            raise RuntimeError
        _report("after")
        db.session.commit()
        _report("rolled-back")
        with db.session.begin_nested():
            _report("in-rolled-back")
        db.session.rollback()
        ids = list(db.session.scalars(sa.select(AuditEvent.object_id).order_by(AuditEvent.seq)))
        assert verify_chain().ok
    assert ids == ["before", "kept-in-failed", "in-released", "after"]


def test_admin_actions_are_recorded_with_field_names_never_values(app, client, login_as, make_user):
    worker = make_user("case_worker", "POLRESTA")
    login_as("admin", "DP3A")
    client.post(
        f"/admin/users/{worker.id}/edit",
        data={
            "display_name": "Brigadir Canary",
            "email": "",
            "role": "supervisor",
            "agency": "POLRESTA",
            "active": "y",
        },
    )
    client.post(f"/admin/users/{worker.id}/reset-password")
    update = _events(app, "user.update")[0]
    assert update.changed_fields == '["display_name", "role"]'
    assert "Canary" not in (update.details or "") and "Canary" not in update.changed_fields
    role_change = _events(app, "user.role_change")[0]
    assert "case_worker@POLRESTA" in role_change.details and "supervisor@POLRESTA" in role_change.details
    assert _events(app, "user.password_reset")
    revoked = _events(app, "auth.session_revoked")
    assert all(e.object_id == str(worker.id) for e in revoked)


def test_chain_verifies_and_cli_says_ok(app):
    _fill(app, 5)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "OK: 5 events" in result.output


def test_empty_log_verifies(app):
    with app.app_context():
        assert verify_chain().message().startswith("OK: 0 events")


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET outcome = 'denied' WHERE seq = 2",
        "DELETE FROM audit_event WHERE seq = 2",
    ],
)
def test_database_refuses_update_and_delete(app, statement):
    _fill(app, 3)
    with app.app_context():
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(sa.text(statement))
        assert verify_chain().ok


def test_postgresql_refuses_truncate(pg_app):
    app = pg_app
    _fill(app, 2)
    with app.app_context():
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("TRUNCATE audit_event"))


def _as_dba(app, *statements: str) -> None:
    """Change the table the way someone with direct database access could: triggers off."""
    with app.app_context():
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
            else:
                conn.execute(sa.text("DROP TRIGGER audit_event_no_update"))
                conn.execute(sa.text("DROP TRIGGER audit_event_no_delete"))
            for statement in statements:
                conn.execute(sa.text(statement))


@pytest.mark.parametrize(
    "tamper,bad_seq,problem",
    [
        (["UPDATE audit_event SET outcome = 'denied' WHERE seq = 3"], 3, "edited"),
        (["UPDATE audit_event SET details = NULL WHERE seq = 4"], 4, "edited"),
        (["DELETE FROM audit_event WHERE seq = 3"], 4, "missing"),
        (
            [
                "INSERT INTO audit_event (seq, occurred_at, action, outcome, prev_mac, mac) "
                "SELECT 7, occurred_at, 'auth.login', 'success', 'forged', mac "
                "FROM audit_event WHERE seq = 6",
                "UPDATE audit_event SET seq = 8 WHERE seq = 6",
                "UPDATE audit_event SET seq = 6 WHERE seq = 7",
                "UPDATE audit_event SET seq = 7 WHERE seq = 8",
            ],
            6,
            "broken",
        ),
        (
            [
                "UPDATE audit_event SET seq = 100 WHERE seq = 2",
                "UPDATE audit_event SET seq = 2 WHERE seq = 5",
                "UPDATE audit_event SET seq = 5 WHERE seq = 100",
            ],
            2,
            "broken",
        ),
    ],
)
def test_tampering_is_detected_and_named(app, tamper, bad_seq, problem):
    _fill(app, 6)
    _as_dba(app, *tamper)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"FAILED at seq {bad_seq}" in result.output
    assert problem in result.output


def test_forged_mac_without_the_key_is_detected(app):
    """Someone who rewrites a row and recomputes a plain hash still fails: the MAC needs the audit key."""
    import hashlib

    _fill(app, 3)
    with app.app_context():
        row = db.session.get(AuditEvent, 3)
        fake = hashlib.sha256(f"{row.prev_mac}|edited".encode()).hexdigest()
    _as_dba(app, f"UPDATE audit_event SET outcome = 'error', mac = '{fake}' WHERE seq = 3")
    with app.app_context():
        result = verify_chain()
    assert not result.ok and result.bad_seq == 3


def test_concurrent_appends_never_fork_the_chain(pg_app):
    """Two writers at once on PostgreSQL (several workers share it); SQLite has one writer at a time."""
    app = pg_app
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer(tag: str) -> None:
        try:
            with app.app_context():
                barrier.wait()
                for i in range(40):
                    audit.record_separately(
                        AuditAction.REPORT_VIEW,
                        object_type="report",
                        object_id=f"{tag}{i}",
                        outcome=Outcome.SUCCESS,
                    )
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        result = verify_chain()
        assert result.ok and result.checked == 80
        db.engine.dispose()


# The viewer ------------------------------------------------------------------------------------------------


def test_only_auditors_reach_the_viewer(client, login_as):
    login_as("admin", "DP3A")
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_auditor_filters_pages_verifies_and_exports(app, client, login_as, make_user):
    worker = make_user("case_worker", "DINSOS")
    login(app.test_client(), worker.username, "wrong-password-xyz")
    _fill(app, 60)
    login_as("auditor", "INSPEKTORAT")
    page = client.get("/audit/").get_data(as_text=True)
    assert "report.view" in page and "Belum diverifikasi" in page
    older = page.split('href="/audit/?before=')[1].split('"')[0]
    assert client.get(f"/audit/?before={older}").status_code == 200
    filtered = client.get("/audit/?action=auth.login_failed").get_data(as_text=True)
    # Each action in words, its code beside it for the auditor; the filter's choices are words too.
    assert 'Gagal masuk <code class="small">auth.login_failed</code>' in filtered
    assert '<code class="small">report.view</code>' not in filtered
    assert '<option selected value="auth.login_failed">Gagal masuk</option>' in filtered
    assert client.get("/audit/?date_from=not-a-date").status_code == 400

    response = client.post("/audit/verify", follow_redirects=True)
    assert "utuh" in response.get_data(as_text=True)
    assert _events(app, "audit.verify")[0].outcome == "success"

    export = client.get("/audit/export.csv?action=auth.login_failed")
    assert export.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "seq" and all(r[6] == "auth.login_failed" for r in rows[1:]) and len(rows) == 2
    exported = _events(app, "export.create")[0]
    assert '"action": "auth.login_failed"' in exported.details and '"report": "audit"' in exported.details
    empty = client.get("/audit/export.csv?action=keys.rotate").get_data(as_text=True)
    assert len(empty.strip().splitlines()) == 2  # header and a "no data" row
    assert _events(app, "audit.view")


def test_export_escapes_formulas():
    from caseapp.exports import safe_cell

    for dangerous in ('=HYPERLINK("x")', "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(dangerous).startswith("'")
    assert safe_cell("Kendari") == "Kendari" and safe_cell(5) == 5


_WRITER = """
import os, sys
from caseapp import audit, create_app
from caseapp.audit import AuditAction
from caseapp.extensions import db

app = create_app("testing", SQLALCHEMY_DATABASE_URI=os.environ["WRITER_URL"])
with app.app_context():
    for i in range(60):
        tag = sys.argv[1] + str(i)
        audit.record(AuditAction.REPORT_VIEW, actor_username="writer", object_type="report", object_id=tag)
        db.session.commit()
    db.engine.dispose()
"""


def test_appends_from_several_processes_keep_one_unbroken_chain(app, database_url, tmp_path):
    """gunicorn's workers are processes: on SQLite too, simultaneous appends must neither collide nor fork."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import KEYS

    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, **KEYS, "SECRET_KEY": "w" * 40, "WRITER_URL": database_url, "PYTHONPATH": str(root)}
    writers = [
        subprocess.Popen(  # noqa: S603 - our own script
            [sys.executable, str(script), tag], env=env, cwd=root, stderr=subprocess.PIPE, text=True
        )
        for tag in "abc"
    ]
    problems = [w.communicate(timeout=300)[1][-1500:] for w in writers]
    assert [w.returncode for w in writers] == [0, 0, 0], problems
    with app.app_context():
        ids = set(
            db.session.scalars(sa.select(AuditEvent.object_id).where(AuditEvent.actor_username == "writer"))
        )
        assert len(ids) == 180
        result = verify_chain()
        assert result.ok, result.message()


_texts = st.one_of(st.none(), st.text(max_size=40))


@settings(max_examples=300, deadline=None)
@given(
    seq=st.integers(min_value=1, max_value=2**62),
    actor_id=st.one_of(st.none(), st.integers(min_value=0, max_value=2**31)),
    when=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    texts=st.lists(_texts, min_size=11, max_size=11),
)
def test_verify_fast_canonical_form_equals_the_reference_form(seq, actor_id, when, texts):
    """verify builds the canonical JSON by hand for speed: byte for byte what json.dumps gives."""
    names = [n for n in CHAINED_FIELDS if n not in ("seq", "occurred_at", "actor_id")]
    entry = {"seq": seq, "occurred_at": when, "actor_id": actor_id, **dict(zip(names, texts, strict=True))}
    values = tuple(entry[name] for name in SORTED_FIELDS)
    assert canonical_values(values) == canonical(entry)
    reference = json.dumps(
        {
            k: (v.isoformat(timespec="microseconds") if isinstance(v, datetime) else v)
            for k, v in entry.items()
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")
    assert canonical(entry) == reference
