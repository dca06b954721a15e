"""Two-factor sign-in (TOTP), step-up re-authentication and the two-person rule, on both databases."""

from __future__ import annotations

import json
import re

import pytest

from caseapp.errors import ReauthRequired, ValidationFailed
from caseapp.exports import ExportFormat
from caseapp.extensions import db
from caseapp.models import ApiToken, AuditEvent, MfaRecoveryCode, User
from caseapp.reports.periods import parse_period
from caseapp.services import export_jobs, reports, tokens
from tests.conftest import PASSWORD, enrol_mfa, login, step_up, totp_code
from tests.rawscan import scan_for

MFA_ALL = ("supervisor", "admin", "auditor", "analyst", "reporting_officer")


@pytest.fixture
def mfa_app(app_factory):
    """The app with the production default: these roles must sign in with a second factor."""
    return app_factory(MFA_REQUIRED_ROLES=MFA_ALL)


def _actions(app, action):
    with app.app_context():
        return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))


def _user(app, username):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == username))
        db.session.expunge(user)
        return user


def _sign_in(app, username, secret=None):
    """Sign in with the password and, where a secret is given, a code; return the client."""
    client = app.test_client()
    response = login(client, username)
    assert response.status_code == 302
    if secret is not None:
        assert response.headers["Location"] == "/login/two-factor"
        done = client.post("/login/two-factor", data={"code": totp_code(secret)})
        assert done.status_code == 302, done.get_data(as_text=True)
    return client


def test_the_password_alone_reaches_only_the_enrolment(mfa_app, make_user):
    sup = make_user("supervisor", "UPTD_PPA")
    client = mfa_app.test_client()
    response = login(client, sup.username)
    assert response.headers["Location"] == "/account/two-factor"
    for path in (
        "/",
        "/cases/",
        "/reports/caseload",
        "/account/tokens",
        "/account/password",
        "/login/two-factor",
    ):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked.headers["Location"] == "/account/two-factor", path
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)  # the QR code, drawn by the app
    assert client.post("/account/two-factor", data={"code": "000000"}).status_code == 400
    secret = enrol_mfa(client)
    assert client.get("/").status_code == 200
    assert scan_for(mfa_app, [secret]) == []  # the TOTP secret is sealed at rest
    with mfa_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(MfaRecoveryCode)) == 10
    assert _actions(mfa_app, "auth.mfa_enrol") and _actions(mfa_app, "auth.mfa_failed")


def test_case_workers_are_not_asked_unless_enrolled(mfa_app, make_user):
    worker = make_user("case_worker")
    client = mfa_app.test_client()
    assert login(client, worker.username).headers["Location"] == "/"
    secret = enrol_mfa(client)  # optional for them
    other = mfa_app.test_client()
    assert login(other, worker.username).headers["Location"] == "/login/two-factor"
    assert other.post("/login/two-factor", data={"code": totp_code(secret)}).status_code == 302
    assert other.get("/").status_code == 200


def test_a_code_works_once_and_wrong_ones_are_audited(mfa_app, make_user):
    sup = make_user("supervisor")
    secret = enrol_mfa(_sign_in(mfa_app, sup.username))
    _sign_in(mfa_app, sup.username, secret)
    replay = mfa_app.test_client()
    login(replay, sup.username)
    refused = replay.post("/login/two-factor", data={"code": totp_code(secret, replay=True)})
    assert refused.status_code == 400
    assert replay.get("/").headers["Location"] == "/login/two-factor"
    wrong = replay.post("/login/two-factor", data={"code": "12345x"})
    assert wrong.status_code == 400
    assert len(_actions(mfa_app, "auth.mfa_failed")) >= 2


def test_recovery_codes_work_once(mfa_app, make_user):
    sup = make_user("supervisor")
    client = _sign_in(mfa_app, sup.username)
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'data-testid="mfa-secret">([^<]+)<', page).group(1).replace(" ", "")
    shown = client.post("/account/two-factor", data={"code": totp_code(secret)}).get_data(as_text=True)
    codes = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</li>", shown)
    assert len(codes) == 10
    assert scan_for(mfa_app, codes) == []  # stored hashed
    first = mfa_app.test_client()
    login(first, sup.username)
    assert first.post("/login/two-factor", data={"code": codes[0].upper()}).status_code == 302
    assert first.get("/").status_code == 200
    again = mfa_app.test_client()
    login(again, sup.username)
    assert again.post("/login/two-factor", data={"code": codes[0]}).status_code == 400
    assert json.loads(_actions(mfa_app, "auth.mfa_recovery_used")[0].details)["left"] == 9


def test_admin_resets_mfa_after_a_step_up_and_the_user_enrols_again(mfa_app, make_user):
    sup = make_user("supervisor")
    sup_client = _sign_in(mfa_app, sup.username)
    enrol_mfa(sup_client)
    admin = make_user("admin", "DP3A")
    admin_client = _sign_in(mfa_app, admin.username)
    admin_secret = enrol_mfa(admin_client)
    refused = admin_client.post(f"/admin/users/{sup.id}/reset-mfa")
    assert refused.headers["Location"].startswith("/account/confirm")
    assert _user(mfa_app, sup.username).mfa_enrolled
    wrong = admin_client.post("/account/confirm", data={"password": PASSWORD, "code": "000000"})
    assert wrong.status_code == 400
    step_up(admin_client, code=totp_code(admin_secret))
    assert admin_client.post(f"/admin/users/{sup.id}/reset-mfa").status_code == 302
    assert not _user(mfa_app, sup.username).mfa_enrolled
    assert sup_client.get("/").headers["Location"].startswith("/login")  # signed out everywhere
    assert login(mfa_app.test_client(), sup.username).headers["Location"] == "/account/two-factor"
    [event] = _actions(mfa_app, "user.mfa_reset")
    assert event.object_id == str(sup.id) and _actions(mfa_app, "auth.reauth")


def test_tokens_need_two_factor_and_a_recent_step_up(app, make_user):
    worker = make_user("case_worker")
    with app.app_context():
        me = db.session.get(User, worker.id)
        with pytest.raises(ValidationFailed):
            tokens.create_token(me, me, "script", 30)
        me.mfa_enabled_at = db.func.now()
        db.session.flush()
        db.session.refresh(me)
        with pytest.raises(ReauthRequired):
            tokens.create_token(me, me, "script", 30, session=None)
        tokens.create_token(None, me, "from the shell", 30)  # the operator's path stays open
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 1


def test_tokens_page_asks_for_the_step_up(app, client, login_as):
    login_as("case_worker")
    assert "/account/two-factor" in client.get("/account/tokens").get_data(as_text=True)
    refused = client.post("/account/tokens", data={"name": "x", "days": "30"})
    assert refused.status_code == 400  # no second factor: nothing created
    secret = enrol_mfa(client)
    assert (
        client.post("/account/tokens", data={"name": "x", "days": "30"})
        .headers["Location"]
        .startswith("/account/confirm")
    )
    step_up(client, code=totp_code(secret))
    created = client.post("/account/tokens", data={"name": "x", "days": "30"})
    assert 'data-testid="new-token"' in created.get_data(as_text=True)


def test_simfoni_export_asks_the_code_where_enrolled(app, client, login_as):
    officer = login_as("reporting_officer", "DP3A")
    secret = enrol_mfa(client)
    with app.test_request_context():
        me = db.session.get(User, officer.id)
        with pytest.raises(ValidationFailed) as missing:
            reports.export_simfoni(me, parse_period("2026"), ExportFormat.CSV, PASSWORD, None)
        assert "code" in missing.value.fields
        with pytest.raises(ValidationFailed) as wrong:
            reports.export_simfoni(me, parse_period("2026"), ExportFormat.CSV, PASSWORD, "000000")
        assert "code" in wrong.value.fields
        with pytest.raises(ValidationFailed) as in_background:  # the background export asks the same
            export_jobs.request_simfoni(me, parse_period("2026"), ExportFormat.CSV, PASSWORD, None)
        assert "code" in in_background.value.fields
        response = reports.export_simfoni(
            me, parse_period("2026"), ExportFormat.CSV, PASSWORD, totp_code(secret)
        )
        assert response.status_code == 200
    page = client.get("/reports/simfoni").get_data(as_text=True)
    assert 'name="code"' in page


def test_admin_creates_users_only_after_a_step_up(app, client, login_as):
    login_as("admin", "DP3A")
    form = {
        "username": "dewi.polres",
        "display_name": "Dewi",
        "role": "analyst",
        "agency": "DP3A",
        "active": "y",
        "password": "perahu-layar-di-teluk-kendari",
        "confirm": "perahu-layar-di-teluk-kendari",
    }
    assert client.get("/admin/users/new").headers["Location"].startswith("/account/confirm")
    assert client.post("/admin/users/new", data=form).headers["Location"].startswith("/account/confirm")
    bad = client.post("/account/confirm", data={"password": "salah-sekali-ini"})
    assert bad.status_code == 400
    assert _actions(app, "auth.password_check_failed")
    step_up(client)
    assert client.post("/admin/users/new", data=form).status_code == 302
    assert _user(app, "dewi.polres") is not None


# Two-person rule -------------------------------------------------------------------------------------------


def _create_by_admin(app, client, role, agency, username):
    step_up(client)
    form = {
        "username": username,
        "display_name": username.title(),
        "role": role,
        "agency": agency,
        "active": "y",
        "password": "perahu-layar-di-teluk-kendari",
        "confirm": "perahu-layar-di-teluk-kendari",
    }
    assert client.post("/admin/users/new", data=form).status_code == 302
    return _user(app, username)


def test_an_admin_created_supervisor_waits_for_a_supervisor_of_the_agency(app, client, login_as, make_user):
    login_as("admin", "DP3A")
    boss = make_user("supervisor", "UPTD_PPA")
    pending = _create_by_admin(app, client, "supervisor", "UPTD_PPA", "baru.uptd")
    assert pending.approval_pending
    assert login(app.test_client(), "baru.uptd", "perahu-layar-di-teluk-kendari").status_code == 401
    # The requesting administrator cannot approve (another agency's supervisor neither).
    assert client.post(f"/admin/approvals/{pending.id}/approve").status_code == 404
    assert _actions(app, "authz.deny")  # the refusal is on record
    outsider = app.test_client()
    login(outsider, make_user("supervisor", "POLRESTA").username)
    assert outsider.post(f"/admin/approvals/{pending.id}/approve").status_code == 404
    approver = app.test_client()
    login(approver, boss.username)
    assert "baru.uptd" in approver.get("/admin/approvals").get_data(as_text=True)
    assert approver.post(f"/admin/approvals/{pending.id}/approve").status_code == 302
    assert not _user(app, "baru.uptd").approval_pending
    assert login(app.test_client(), "baru.uptd", "perahu-layar-di-teluk-kendari").status_code == 302
    [event] = _actions(app, "user.approve")
    assert event.actor_id == boss.id and json.loads(event.details)["requested_by"] is not None
    auditor = app.test_client()
    login(auditor, make_user("auditor", "INSPEKTORAT").username)
    assert "user.approve" in auditor.get("/audit/?action=user.approve").get_data(as_text=True)


def test_a_second_admin_approves_where_the_agency_has_no_supervisor(app, client, login_as, make_user):
    login_as("admin", "DP3A")
    pending = _create_by_admin(app, client, "case_worker", "POLRESTA", "anggota.baru")
    assert pending.approval_pending
    second = app.test_client()
    login(second, make_user("admin", "DP3A").username)
    assert "anggota.baru" in second.get("/admin/approvals").get_data(as_text=True)
    assert second.post(f"/admin/approvals/{pending.id}/approve").status_code == 302
    assert not _user(app, "anggota.baru").approval_pending


def test_changing_a_role_into_one_that_reads_cases_needs_approval(app, client, login_as, make_user):
    login_as("admin", "DP3A")
    analyst = make_user("analyst", "DP3A")
    form = {"display_name": "X", "role": "supervisor", "agency": "DP3A", "active": "y"}
    assert client.post(f"/admin/users/{analyst.id}/edit", data=form).status_code == 302
    assert _user(app, analyst.username).approval_pending
    assert _actions(app, "user.approval_requested")


def test_an_admin_cannot_give_themselves_a_case_role(app, client, login_as):
    admin = login_as("admin", "DP3A")
    form = {"display_name": "A", "role": "supervisor", "agency": "DP3A", "active": "y"}
    assert client.post(f"/admin/users/{admin.id}/edit", data=form).status_code == 400
    assert _user(app, admin.username).role == "admin"


def test_the_shell_stays_the_bootstrap_path(app, make_user):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["user", "create", "kepala.uptd", "--role", "supervisor", "--agency", "UPTD_PPA"],
        input="perahu-layar-di-teluk-kendari\nperahu-layar-di-teluk-kendari\n",
    )
    assert result.exit_code == 0, result.output
    user = _user(app, "kepala.uptd")
    assert user.active and not user.approval_pending
    assert login(app.test_client(), "kepala.uptd", "perahu-layar-di-teluk-kendari").status_code == 302


def test_the_operator_clears_mfa_from_the_shell(mfa_app, make_user):
    sup = make_user("supervisor")
    enrol_mfa(_sign_in(mfa_app, sup.username))
    result = mfa_app.test_cli_runner().invoke(args=["user", "mfa-reset", sup.username])
    assert result.exit_code == 0, result.output
    assert not _user(mfa_app, sup.username).mfa_enrolled
    assert json.loads(_actions(mfa_app, "user.mfa_reset")[0].details)["via"] == "cli"


def test_keys_rotate_reseals_totp_secrets(app_factory, make_user):
    from caseapp.instance import new_key_material
    from tests.conftest import KEYS

    old_app = app_factory(MFA_REQUIRED_ROLES=MFA_ALL)
    sup = make_user("supervisor")
    secret = enrol_mfa(_sign_in(old_app, sup.username))
    new_kek = new_key_material("k2027")["CASEAPP_KEK"]
    both = app_factory(CASEAPP_KEK=f"{new_kek},{KEYS['CASEAPP_KEK']}", MFA_REQUIRED_ROLES=MFA_ALL)
    result = both.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0 and "Resealed 1 two-factor secrets" in result.output, result.output
    only_new = app_factory(CASEAPP_KEK=new_kek, MFA_REQUIRED_ROLES=MFA_ALL)
    assert _user(only_new, sup.username).mfa_kek_id == "k2027"
    _sign_in(only_new, sup.username, secret)  # the old KEK is gone; the code still works


def test_a_new_password_after_the_second_factor_keeps_it(mfa_app, make_user):
    sup = make_user("supervisor", must_change_password=True)
    client = mfa_app.test_client()
    login(client, sup.username)
    secret = enrol_mfa(client)
    assert client.get("/").headers["Location"] == "/account/password"
    changed = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "layang-layang-di-kendari-beach",
            "confirm": "layang-layang-di-kendari-beach",
        },
    )
    assert changed.status_code == 302
    assert client.get("/").status_code == 200  # the new session cookie kept the second factor
    assert secret


def test_a_password_reset_by_an_admin_needs_a_new_approval(app, client, login_as, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    analyst = make_user("analyst", "DP3A")
    login_as("admin", "DP3A")
    page = client.post(f"/admin/users/{worker.id}/reset-password").get_data(as_text=True)
    temporary = page.split('data-testid="temporary-password">')[1].split("<")[0]
    assert _user(app, worker.username).approval_pending
    assert login(app.test_client(), worker.username, temporary).status_code == 401
    client.post(f"/admin/users/{analyst.id}/reset-password")
    assert not _user(app, analyst.username).approval_pending  # reads no case: no second person needed


def test_a_case_worker_made_supervisor_needs_approval(app, client, login_as, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    login_as("admin", "DP3A")
    form = {"display_name": "W", "role": "supervisor", "agency": "UPTD_PPA", "active": "y"}
    assert client.post(f"/admin/users/{worker.id}/edit", data=form).status_code == 302
    assert _user(app, worker.username).approval_pending
