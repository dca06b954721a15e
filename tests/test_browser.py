"""Browser journeys: Playwright (Python) driving Debian's Chromium against a live server."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, skip_or_fail

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module, or a skip (a failure under CI)."""
    if not os.access(CHROMIUM, os.X_OK):
        skip_or_fail(f"Chromium not found at {CHROMIUM} (make test installs it with apt where root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve the test app on a free loopback port in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(locale="en-US")
    pg = context.new_page()
    yield pg
    context.close()


@pytest.mark.csrf  # the real forms, tokens and all
def test_supervisor_signs_in_switches_language_and_signs_out(live_server, page, make_user):
    from playwright.sync_api import expect

    user = make_user("supervisor", "UPTD_PPA", display_name="Wa Ode Sitti")
    page.goto(f"{live_server}/")
    # Anonymous: sent to the sign-in page, in Indonesian even though the browser asks for English.
    expect(page.get_by_role("heading", name="Masuk")).to_be_visible()
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill("wrong-password-here")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("alert")).to_contain_text("Nama pengguna atau kata sandi salah.")
    expect(page.get_by_label("Nama pengguna")).to_have_value(user.username)  # what was typed is kept
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()

    expect(page.get_by_role("heading", name="Selamat datang, Wa Ode Sitti")).to_be_visible()
    whoami = page.get_by_test_id("whoami")
    expect(whoami).to_contain_text("Supervisor")
    expect(whoami).to_contain_text("UPTD Perlindungan Perempuan dan Anak Kota Kendari")
    expect(page.locator("html")).to_have_attribute("lang", "id")

    page.get_by_test_id("lang-en").click()
    expect(page.get_by_role("heading", name="Welcome, Wa Ode Sitti")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Change your password")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    # Signed out for real: the home page sends us back to sign in.
    page.goto(f"{live_server}/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


@pytest.mark.csrf
def test_admin_creates_a_user_on_a_phone_screen(live_server, browser, make_user):
    from playwright.sync_api import expect

    admin = make_user("admin", "DP3A")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.get_by_label("Nama pengguna").fill(admin.username)
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        # On a narrow screen the menu is collapsed behind the toggler (Bootstrap's JS, served locally).
        page.get_by_role("button", name="Tampilkan menu").click()
        page.get_by_role("link", name="Pengguna", exact=True).click()
        page.get_by_role("link", name="Pengguna baru", exact=True).click()
        page.get_by_label("Nama pengguna").fill("sari.dinsos")
        page.get_by_label("Nama lengkap").fill("Sari Dewi")
        page.get_by_label("Peran").select_option("case_worker")
        page.get_by_label("Lembaga").select_option("DINSOS")
        page.get_by_label("Kata sandi awal").fill("sari.dinsos123")
        page.get_by_label("Ulangi kata sandi").fill("sari.dinsos123")
        page.get_by_role("button", name="Simpan").click()
        expect(page.locator("#password-error")).to_contain_text("Terlalu mirip")
        expect(page.get_by_label("Nama lengkap")).to_have_value("Sari Dewi")
        page.get_by_label("Kata sandi awal").fill("perahu-layar-di-teluk-kendari")
        page.get_by_label("Ulangi kata sandi").fill("perahu-layar-di-teluk-kendari")
        page.get_by_role("button", name="Simpan").click()
        expect(page.get_by_role("status")).to_contain_text("Pengguna sari.dinsos dibuat")
    finally:
        context.close()
