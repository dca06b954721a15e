"""Command-line interface: seed, demo, user create, setup."""

import os
import stat

import pytest

from caseapp.extensions import db
from caseapp.models import Agency, Region, User
from tests.conftest import make_app


def test_seed_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "0 new regions, 0 new agencies" in first.output  # the template was seeded already
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Region)) == 78
        assert db.session.scalar(db.select(db.func.count()).select_from(Agency)) == 15
        poasia = db.session.scalars(db.select(Region).where(Region.name == "Poasia")).all()
        assert {r.level for r in poasia} == {"kecamatan", "kelurahan"}


def test_demo_creates_accounts_once(app, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "demo-credentials.txt"
    result = runner.invoke(args=["demo", "--credentials", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    lines = [line.split("\t") for line in path.read_text().splitlines() if not line.startswith("#")]
    assert len(lines) == 12
    roles = {(role, agency) for _, _, role, agency in lines}
    for agency in ("DP3A", "UPTD_PPA", "POLRESTA", "DINSOS"):
        assert ("supervisor", agency) in roles and ("case_worker", agency) in roles
    assert {"analyst", "reporting_officer", "auditor", "admin"} <= {role for role, _ in roles}
    # Every printed password signs in.
    for username, password, _, _ in lines:
        assert password in result.output
        client = app.test_client()
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, username
    again = runner.invoke(args=["demo", "--credentials", str(path)])
    assert "already exist" in again.output
    assert len(path.read_text().splitlines()) == 14  # unchanged


def test_user_create_with_password_from_environment(app, monkeypatch):
    monkeypatch.setenv("CASEAPP_PASSWORD", "perahu-layar-di-teluk-kendari")
    result = app.test_cli_runner().invoke(
        args=[
            "user",
            "create",
            "Andi.Polresta",
            "--role",
            "supervisor",
            "--agency",
            "polresta",
            "--name",
            "Andi",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "andi.polresta"))
        assert user.role == "supervisor" and user.agency.code == "POLRESTA"
        assert "perahu" not in user.password_hash


def test_user_create_prompts_for_a_hidden_password(app, monkeypatch):
    monkeypatch.delenv("CASEAPP_PASSWORD", raising=False)
    secret = "perahu-layar-di-teluk-kendari"
    result = app.test_cli_runner().invoke(
        args=["user", "create", "budi", "--role", "admin", "--agency", "DP3A"], input=f"{secret}\n{secret}\n"
    )
    assert result.exit_code == 0, result.output
    assert secret not in result.output


def test_user_create_errors_exit_2(app, monkeypatch):
    monkeypatch.setenv("CASEAPP_PASSWORD", "perahu-layar-di-teluk-kendari")
    runner = app.test_cli_runner()
    bad_role = runner.invoke(args=["user", "create", "x1", "--role", "boss", "--agency", "DP3A"])
    assert bad_role.exit_code == 2 and "unknown role" in bad_role.output
    bad_agency = runner.invoke(args=["user", "create", "x2", "--role", "admin", "--agency", "NOPE"])
    assert bad_agency.exit_code == 2 and "unknown agency" in bad_agency.output
    monkeypatch.setenv("CASEAPP_PASSWORD", "password1234")
    weak = runner.invoke(args=["user", "create", "x3", "--role", "admin", "--agency", "DP3A"])
    assert weak.exit_code == 2 and "terlalu umum" in weak.output
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.username.in_(["x1", "x2", "x3"]))) is None


def test_setup_on_an_unreachable_database_is_one_line(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/missing-dir/nothing/caseapp.db")
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 1
    assert "cannot reach the database" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_setup_from_empty_creates_everything(tmp_path):
    credentials = tmp_path / "demo-credentials.txt"
    app = make_app(
        f"sqlite:///{tmp_path}/fresh.db", DEMO_CREDENTIALS_FILE=str(credentials), DEMO_CASES_ON_SETUP=5
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert "new agencies" in result.output and "Demo accounts" in result.output
    assert credentials.exists()
    second = runner.invoke(args=["setup"])
    assert second.exit_code == 0 and "already exist" in second.output
    with app.app_context():
        db.engine.dispose()


def test_prune_removes_what_served_its_purpose(app, make_user):
    import time_machine

    from caseapp.models import LoginThrottle, UserSession
    from caseapp.services.auth import throttle_key

    user = make_user()
    with time_machine.travel("2026-01-01 08:00:00", tick=False):
        client = app.test_client()
        client.post("/login", data={"username": user.username, "password": "kuda-lari-di-pantai-nambo"})
        client.post("/logout")
        client.post("/login", data={"username": "ghost.user", "password": "wrong-password-xyz"})
    with time_machine.travel("2026-03-01 08:00:00", tick=False):
        live = app.test_client()
        live.post("/login", data={"username": user.username, "password": "kuda-lari-di-pantai-nambo"})
        result = app.test_cli_runner().invoke(args=["prune"])
    assert result.exit_code == 0 and "sessions 1" in result.output and "login_throttle 1" in result.output
    with app.app_context():
        assert (
            db.session.scalar(db.select(db.func.count()).select_from(UserSession)) == 1
        )  # the live one stays
        assert db.session.get(LoginThrottle, throttle_key("ghost.user")) is None
        from caseapp.audit import verify_chain

        assert verify_chain().ok


def test_a_failed_unit_of_work_leaves_no_registered_case(app, make_user):
    """What a command registers and then fails on is rolled back whole, on SQLite too (where a savepoint
    that opened the transaction would otherwise commit it on release)."""
    from caseapp.models import AuditEvent, Case
    from caseapp.schemas.base import parse_data
    from caseapp.schemas.cases import CaseIn
    from caseapp.services import cases
    from caseapp.transaction import unit_of_work
    from tests.casedata import body

    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context():
        actor = db.session.get(User, worker.id)
        with pytest.raises(RuntimeError, match="after registering"), unit_of_work():
            cases.register_case(actor, parse_data(CaseIn, body(), strict=False))
            raise RuntimeError("after registering")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 0
        created = db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == "case.create")
        assert db.session.scalar(created) == 0
