"""Interface shell: security headers, error pages, language switch, CSRF, health."""

import pytest
from flask import abort

from caseapp.extensions import db
from caseapp.http.policy import public
from caseapp.models import User
from tests.conftest import login

CSP_PARTS = ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "script-src 'self' 'nonce-")


def _assert_security_headers(response, authenticated_page=True):
    csp = response.headers["Content-Security-Policy"]
    for part in CSP_PARTS:
        assert part in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    if authenticated_page:
        assert response.headers["Cache-Control"] == "no-store"


def test_headers_on_every_kind_of_response(app, client, login_as):
    _assert_security_headers(client.get("/login"))  # public page
    _assert_security_headers(client.get("/"))  # redirect
    with client.get("/static/app.css") as static:  # static file
        _assert_security_headers(static, authenticated_page=False)
    _assert_security_headers(client.get("/no-such-page"))  # 404
    login_as("supervisor")
    home = client.get("/")
    _assert_security_headers(home)
    _assert_security_headers(client.get("/admin/users"))  # 403
    _assert_security_headers(client.get("/healthz"))  # JSON
    assert "Strict-Transport-Security" not in home.headers  # only in production


def test_headers_on_error_kinds(app_factory, make_user):
    app = app_factory(LOGIN_RATE_LIMIT="1 per minute", WTF_CSRF_ENABLED=True, PROPAGATE_EXCEPTIONS=False)

    @public
    def explode():
        raise RuntimeError("boom")

    app.add_url_rule("/explode", "explode", explode)
    client = app.test_client()
    _assert_security_headers(client.post("/login", data={}))  # CSRF failure, 400
    _assert_security_headers(client.post("/login", data={}))  # rate limited, 429
    _assert_security_headers(client.put("/login"))  # 405
    _assert_security_headers(client.get("/explode"))  # 500


def test_hsts_and_secure_cookies_in_production(monkeypatch, tmp_path):
    from caseapp import create_app
    from tests.conftest import KEYS

    for name, value in {
        **KEYS,
        "SECRET_KEY": "p" * 48,
        "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
        "RATELIMIT_STORAGE_URI": "memory://",
    }.items():
        monkeypatch.setenv(name, value)
    app = create_app("production")
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in response.headers["Set-Cookie"]


def test_script_tags_carry_the_nonce(client):
    response = client.get("/login")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    page = response.get_data(as_text=True)
    assert page.count("<script") == page.count(f'nonce="{nonce}"') >= 1


def test_assets_are_served_by_the_app(client):
    page = client.get("/login").get_data(as_text=True)
    assert "http://" not in page and "https://" not in page
    for asset in ("bootstrap.min.css", "bootstrap.bundle.min.js"):
        with client.get(f"/static/vendor/bootstrap-5.3.9/{asset}") as response:
            assert response.status_code == 200


def test_error_pages_in_indonesian(app, client, login_as):
    login_as("case_worker")
    not_found = client.get("/nothing/here")
    assert not_found.status_code == 404
    assert "Halaman tidak ditemukan" in not_found.get_data(as_text=True)
    forbidden = client.get("/admin/users")
    assert forbidden.status_code == 403
    assert "Anda tidak memiliki akses" in forbidden.get_data(as_text=True)


def test_500_page_rolls_back_and_shows_no_details(app_factory, make_user):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    @public
    def explode():
        db.session.add(
            User(username="half-written", display_name="x", agency_id=1, role="admin", password_hash="x")
        )
        db.session.flush()
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/explode", "explode", explode)
    response = app.test_client().get("/explode")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Terjadi kesalahan" in page
    assert "secret internal detail" not in page and "Traceback" not in page
    with app.app_context():
        assert db.session.scalar(db.select(User).where(User.username == "half-written")) is None


def test_400_page_for_http_errors(app_factory):
    app = app_factory()

    @public
    def bad():
        abort(400)

    app.add_url_rule("/bad", "bad", bad)
    response = app.test_client().get("/bad")
    assert response.status_code == 400
    assert "Permintaan tidak dapat dipahami" in response.get_data(as_text=True)


def test_language_switch_is_remembered(app, client, login_as):
    user = login_as("supervisor", "DP3A")
    assert "Beranda" in client.get("/").get_data(as_text=True)
    response = client.post("/locale", data={"lang": "en", "next": "/"})
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Home" in page and '<html lang="en">' in page
    with app.app_context():
        assert db.session.get(User, user.id).locale == "en"
    # A new browser (no cookie) gets the user's saved choice after signing in.
    other = app.test_client()
    login(other, user.username)
    assert '<html lang="en">' in other.get("/").get_data(as_text=True)


def test_anonymous_language_switch_uses_a_cookie(client):
    client.post("/locale", data={"lang": "en", "next": "/login"})
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    client.post("/locale", data={"lang": "xx", "next": "//evil.example"})  # ignored, safe redirect
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_health(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


@pytest.mark.csrf
def test_csrf_missing_token_is_a_400_that_says_reload(client, make_user):
    user = make_user()
    response = client.post("/login", data={"username": user.username, "password": "x" * 12})
    assert response.status_code == 400
    assert "Muat ulang halaman" in response.get_data(as_text=True)


@pytest.mark.csrf
def test_csrf_token_from_the_form_is_accepted(client, make_user):
    user = make_user()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    ok = client.post(
        "/login",
        data={"username": user.username, "password": "kuda-lari-di-pantai-nambo", "csrf_token": token},
    )
    assert ok.status_code == 302
    # Sign-out without a token is refused and the session stays.
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200
