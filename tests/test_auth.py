"""Sign-in, throttling, sessions (expiry and revocation), password change, safe redirects."""

from datetime import timedelta

import pytest
import time_machine

from caseapp.extensions import db
from caseapp.models import LoginThrottle, User, UserSession
from caseapp.services import users
from caseapp.services.auth import throttle_key
from tests.conftest import PASSWORD, login

WRONG = "Nama pengguna atau kata sandi salah."


def _user(app, username):
    with app.app_context():
        return db.session.scalar(db.select(User).where(User.username == username))


def test_wrong_password_and_unknown_user_answer_the_same(client, make_user):
    user = make_user()
    wrong = login(client, user.username, "not-the-password-at-all")
    unknown = login(client, "nobody.here", "not-the-password-at-all")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        page = response.get_data(as_text=True)
        assert WRONG in page
        assert "not-the-password-at-all" not in page  # the password field is never echoed
    # The typed username is kept so the user need not retype it.
    assert f'value="{user.username}"' in wrong.get_data(as_text=True)


def test_username_is_case_insensitive(client, make_user):
    user = make_user()
    assert login(client, user.username.upper()).status_code == 302


def test_empty_form_is_a_400_with_messages(client):
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 400
    assert "invalid-feedback" in response.get_data(as_text=True)


def test_growing_delay_after_five_failures_then_recovers(app, client, make_user):
    user = make_user()
    with time_machine.travel("2026-11-27 08:00:00", tick=False) as clock:
        for _ in range(5):
            assert login(client, user.username, "wrong-password-xyz").status_code == 401
        # The fifth failure set the first delay (2 s); even the right password must wait.
        throttled = login(client, user.username)
        assert throttled.status_code == 429
        assert "Coba lagi dalam 2 detik" in throttled.get_data(as_text=True)
        assert throttled.headers["Retry-After"] == "2"
        clock.shift(timedelta(seconds=3))
        assert login(client, user.username, "wrong-password-xyz").status_code == 401
        throttled = login(client, user.username)
        assert throttled.status_code == 429
        assert throttled.headers["Retry-After"] == "4"  # doubled
        clock.shift(timedelta(seconds=5))
        assert login(client, user.username).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LoginThrottle)) == 0


def test_delay_is_capped_never_a_permanent_lock(app, make_user):
    user = make_user()
    with app.app_context():
        db.session.add(LoginThrottle(key_hash=throttle_key(user.username), failures=60))
        db.session.commit()
    client = app.test_client()
    with time_machine.travel("2026-11-27 08:00:00", tick=False) as clock:
        assert login(client, user.username, "wrong-password-xyz").status_code == 401
        assert login(client, user.username).headers["Retry-After"] == str(15 * 60)
        clock.shift(timedelta(minutes=15, seconds=1))
        assert login(client, user.username).status_code == 302


def test_per_ip_rate_limit(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for _ in range(3):
        assert login(client, "someone", "wrong-password-xyz").status_code == 401
    limited = login(client, "someone", "wrong-password-xyz")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert "detik" in limited.get_data(as_text=True)
    # Other addresses are not affected.
    other = client.post(
        "/login", data={"username": "x", "password": "y"}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert other.status_code == 401


def test_session_cookie_flags_and_no_fixation(client, make_user):
    user = make_user()
    client.get("/login")
    before = client.get_cookie("caseapp_session").value
    response = login(client, user.username)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get_cookie("caseapp_session").value != before


def test_idle_session_expires_after_30_minutes(client, make_user):
    user = make_user()
    with time_machine.travel("2026-11-27 08:00:00", tick=False) as clock:
        login(client, user.username)
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200  # activity keeps it alive
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get("/")
        assert response.status_code == 302
        follow = client.get(response.headers["Location"])
        assert "Sesi Anda telah berakhir" in follow.get_data(as_text=True)


def test_session_ends_after_12_hours_even_when_active(client, make_user):
    user = make_user()
    with time_machine.travel("2026-11-27 08:00:00", tick=False) as clock:
        login(client, user.username)
        for _ in range(11 * 3):
            clock.shift(timedelta(minutes=20))
            assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=61))
        assert client.get("/").status_code == 302


def test_logout_is_post_and_revokes_the_server_session(app, client, make_user):
    user = make_user()
    login(client, user.username)
    stolen = client.get_cookie("caseapp_session").value
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    # Replaying the old cookie does not bring the session back.
    client.set_cookie("caseapp_session", stolen)
    assert client.get("/").status_code == 302
    with app.app_context():
        row = db.session.scalar(db.select(UserSession).where(UserSession.user_id == user.id))
        assert row.revoked_reason == "logout"


def test_password_change_revokes_other_sessions_keeps_this_one(app, make_user):
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.username)
    login(phone, user.username)
    new = "perahu-layar-di-teluk-kendari-biru"
    response = laptop.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": new, "confirm": new}
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    assert login(app.test_client(), user.username, new).status_code == 302
    assert login(app.test_client(), user.username, PASSWORD).status_code == 401


def test_password_change_errors_beside_fields(client, make_user):
    user = make_user()
    login(client, user.username)
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "nope-nope-nope",
            "new_password": "perahu-layar-di-teluk",
            "confirm": "perahu-layar-di-teluk",
        },
    )
    assert wrong.status_code == 400
    assert "Kata sandi saat ini salah." in wrong.get_data(as_text=True)
    weak = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "password1234", "confirm": "password1234"},
    )
    assert "terlalu umum" in weak.get_data(as_text=True)
    mismatch = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "perahu-layar-di-teluk",
            "confirm": "perahu-layar-di-laut",
        },
    )
    assert "Kata sandi tidak sama." in mismatch.get_data(as_text=True)


@pytest.mark.parametrize("change", ["role", "agency", "active"])
def test_admin_changes_revoke_the_users_sessions(app, make_user, change):
    admin = make_user("admin", "DP3A")
    worker = make_user("case_worker", "UPTD_PPA")
    client = app.test_client()
    login(client, worker.username)
    assert client.get("/").status_code == 200
    with app.app_context():
        target = db.session.get(User, worker.id)
        actor = db.session.get(User, admin.id)
        role = "supervisor" if change == "role" else target.role
        agency = users.agency_by_code("DINSOS" if change == "agency" else "UPTD_PPA")
        users.update_user(actor, target, target.display_name, None, role, agency, change != "active")
        db.session.commit()
    assert client.get("/").status_code == 302
    if change == "active":
        assert login(app.test_client(), worker.username).status_code == 401


def test_admin_reset_forces_a_password_change(app, make_user):
    admin = make_user("admin", "DP3A")
    worker = make_user()
    boss = make_user("supervisor", "UPTD_PPA")
    with app.app_context():
        temporary = users.reset_password(db.session.get(User, admin.id), db.session.get(User, worker.id))
        users.approve(db.session.get(User, boss.id), worker.id)  # two-person rule (tests/test_mfa.py)
        db.session.commit()
    client = app.test_client()
    response = login(client, worker.username, temporary)
    assert response.headers["Location"] == "/account/password"
    # Anything else sends them back to the password page.
    assert client.get("/").headers["Location"] == "/account/password"
    new = "perahu-layar-di-teluk-kendari-biru"
    client.post(
        "/account/password", data={"current_password": temporary, "new_password": new, "confirm": new}
    )
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/admin/users", "/admin/users"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"),
    ],
)
def test_next_redirect_is_local_only(client, make_user, target, expected):
    user = make_user("admin", "DP3A")
    response = login(client, user.username, next=target)
    assert response.headers["Location"] == expected


def test_anonymous_request_is_sent_to_login_with_next(client):
    response = client.get("/admin/users?role=admin")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/users?role%3Dadmin"


def test_unknown_and_known_usernames_are_throttled_alike(app, make_user):
    """Six failures answer the same sequence for an existing and a made-up username."""
    user = make_user()
    with time_machine.travel("2026-11-27 08:00:00", tick=False):
        known = [login(app.test_client(), user.username, "wrong-password-xyz").status_code for _ in range(7)]
        unknown = [
            login(app.test_client(), "no.such.person", "wrong-password-xyz").status_code for _ in range(7)
        ]
    assert known == unknown == [401] * 5 + [429, 429]


def test_a_browser_that_signed_in_before_is_not_locked_out_by_strangers(app, make_user):
    user = make_user()
    own = app.test_client()
    stranger = app.test_client()
    with time_machine.travel("2026-11-27 08:00:00", tick=False):
        assert login(own, user.username).status_code == 302
        own.post("/logout")
        for _ in range(8):
            login(stranger, user.username, "wrong-password-xyz")
        assert login(stranger, user.username).status_code == 429
        # The user's own browser (device cookie from the earlier sign-in) still gets in.
        assert login(own, user.username).status_code == 302


def test_forged_device_cookie_is_ignored(app, make_user):
    user = make_user()
    client = app.test_client()
    client.set_cookie("caseapp_device", "forged.value.here")
    with time_machine.travel("2026-11-27 08:00:00", tick=False):
        for _ in range(5):
            login(client, user.username, "wrong-password-xyz")
        assert login(client, user.username).status_code == 429


def test_sign_in_starts_a_clean_session(client, make_user):
    user = make_user()
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by-an-attacker"
        csrf_before = sess.get("csrf_token")
    login(client, user.username)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("csrf_token") != csrf_before or csrf_before is None


def test_every_route_fails_closed_without_a_decorator(app_factory):
    """A route someone forgot to decorate still refuses anonymous users (the app-wide hook)."""
    app = app_factory()
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret content")
    response = app.test_client().get("/forgotten")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_password_change_replaces_the_current_session_token(app, client, make_user):
    user = make_user()
    login(client, user.username)
    old_cookie = client.get_cookie("caseapp_session").value
    new = "perahu-layar-di-teluk-kendari-biru"
    client.post("/account/password", data={"current_password": PASSWORD, "new_password": new, "confirm": new})
    assert client.get("/").status_code == 200  # this browser stays signed in
    replay = app.test_client()
    replay.set_cookie("caseapp_session", old_cookie)
    assert replay.get("/").status_code == 302  # but a copy of the old cookie is dead


def test_deactivation_revokes_sessions_in_the_database(app, make_user):
    admin = make_user("admin", "DP3A")
    worker = make_user()
    client = app.test_client()
    login(client, worker.username)
    with app.app_context():
        users.update_user(
            db.session.get(User, admin.id),
            db.session.get(User, worker.id),
            "W",
            None,
            "case_worker",
            users.agency_by_code("UPTD_PPA"),
            False,
        )
        db.session.commit()
        row = db.session.scalar(db.select(UserSession).where(UserSession.user_id == worker.id))
        assert row.revoked_reason == "deactivated"


def test_deactivating_an_agency_signs_its_people_out(app, make_user):
    admin = make_user("admin", "DP3A")
    worker = make_user("case_worker", "DINSOS")
    client = app.test_client()
    login(client, worker.username)
    with app.app_context():
        agency = users.agency_by_code("DINSOS")
        users.update_agency(
            db.session.get(User, admin.id), agency, agency.name, agency.accepts_referrals, False
        )
        db.session.commit()
    assert client.get("/").status_code == 302
    assert login(app.test_client(), worker.username).status_code == 401


def test_changing_your_own_password_revokes_your_api_tokens(app, client, make_user):
    user = make_user()
    result = app.test_cli_runner().invoke(args=["user", "token", user.username])
    token = {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}
    assert app.test_client().get("/api/v1/me", headers=token).status_code == 200
    login(client, user.username)
    new = "perahu-layar-di-teluk-kendari-biru"
    changed = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": new, "confirm": new}
    )
    assert changed.status_code == 302
    assert app.test_client().get("/api/v1/me", headers=token).status_code == 401


def test_the_current_password_cannot_be_guessed_without_limit(app, client, make_user):
    """Wrong current passwords count like failed sign-ins (audited, then held back), the right one too."""
    user = make_user()
    new = "perahu-layar-di-teluk-kendari-biru"
    codes = []
    with time_machine.travel("2026-11-20 08:00:00", tick=False):
        login(client, user.username)
        for n in range(7):
            guess = {"current_password": f"tebakan-salah-{n}", "new_password": new, "confirm": new}
            codes.append(client.post("/account/password", data=guess).status_code)
        right = {"current_password": PASSWORD, "new_password": new, "confirm": new}
        held = client.post("/account/password", data=right)
    assert codes[:5] == [400] * 5 and codes[-1] == 429
    assert held.status_code == 429 and "Retry-After" in held.headers
    with app.app_context():
        from caseapp.models import AuditEvent

        actions = list(db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.actor_id == user.id)))
    assert actions.count("auth.password_check_failed") >= 5
    assert "auth.password_change" not in actions
    with time_machine.travel("2026-11-20 08:05:00", tick=False):
        later = client.post("/account/password", data=right)
        assert later.status_code == 302  # the wait is over: the right password works again
        assert login(app.test_client(), user.username, new).status_code == 302
