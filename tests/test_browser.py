"""Browser journeys: Playwright (Python) driving Debian's Chromium against a live server."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# A refused form answers 400, 401 (a wrong password) or 409 on purpose, and Chromium logs that as a console
# error; anything else logged as an error (a CSP violation, a missing file, a script error) fails the test.
EXPECTED = re.compile(r"Failed to load resource: the server responded with a status of 40[019]")


class GuardedBrowser:
    """The browser, whose every new context records console errors and uncaught page errors."""

    def __init__(self, chromium: Any) -> None:
        self.chromium = chromium
        self.errors: list[str] = []

    def new_context(self, **options: Any) -> Any:
        context = self.chromium.new_context(**options)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.errors.append(str(error.error)))
        return context

    def _console(self, message: Any) -> None:
        if message.type == "error" and not EXPECTED.search(message.text):
            self.errors.append(f"{message.text} ({message.location.get('url', '')})")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.chromium, name)


@pytest.fixture(scope="module")
def browser() -> Iterator[GuardedBrowser]:
    """One headless Chromium for the module, or a skip (a failure under CI)."""
    if not os.access(CHROMIUM, os.X_OK):
        skip_or_fail(f"Chromium not found at {CHROMIUM} (make test installs it with apt where root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield GuardedBrowser(chromium)
        chromium.close()


@pytest.fixture(autouse=True)
def no_console_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a browser test on any console error or CSP report in any of its pages."""
    if "browser" not in request.fixturenames:
        yield
        return
    guarded: GuardedBrowser = request.getfixturevalue("browser")
    guarded.errors.clear()
    yield
    assert guarded.errors == [], guarded.errors


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
        # Creating a user is a sensitive step: the password is asked again first (step-up).
        expect(page.get_by_role("heading", name="Konfirmasi identitas Anda")).to_be_visible()
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Konfirmasi").click()
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
        expect(page.get_by_role("status").first).to_contain_text("Pengguna sari.dinsos dibuat")
    finally:
        context.close()


@pytest.mark.csrf
def test_a_case_worker_sets_up_two_factor_sign_in(live_server, page, make_user):
    from playwright.sync_api import expect

    from tests.conftest import totp_code

    user = make_user("case_worker", "UPTD_PPA")
    page.goto(f"{live_server}/login")
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"{live_server}/account/two-factor")
    expect(page.get_by_test_id("mfa-qr").locator("svg")).to_be_visible()  # drawn by the app, no script
    secret = page.get_by_test_id("mfa-secret").inner_text().replace(" ", "")
    page.get_by_label("Kode").fill("000000")
    page.get_by_role("button", name="Aktifkan masuk dua langkah").click()
    expect(page.locator("#code-error")).to_contain_text("Kode salah")
    page.get_by_label("Kode").fill(totp_code(secret))
    page.get_by_role("button", name="Aktifkan masuk dua langkah").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="Sudah saya simpan, lanjutkan").click()
    _sign_out(page)
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", name="Masuk dua langkah")).to_be_visible()
    page.get_by_label("Kode").fill(totp_code(secret))
    page.get_by_role("button", name="Lanjutkan").click()
    expect(page.get_by_test_id("whoami")).to_be_visible()


def _sign_out(page) -> None:
    """Sign out and wait for it: a navigation started at once would race the sign-out request."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_text("Anda telah keluar.")).to_be_visible(timeout=20000)


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def _open_tab(page, name: str) -> None:
    """Open one of the case's pages through its navigation, as a user would; it is then the current one."""
    from playwright.sync_api import expect

    link = page.get_by_role("navigation", name="Bagian kasus").get_by_role("link", name=name, exact=True)
    link.click()
    expect(link).to_have_attribute("aria-current", "page")


def _fill_case(page, nik_value: str) -> None:
    page.get_by_label("Nama anak").fill("Wa Ode Browser")
    page.get_by_label("NIK", exact=True).first.fill(nik_value)
    page.get_by_label("Jenis kelamin").first.select_option("F")
    page.get_by_label("Tanggal lahir").fill("2014-03-02")
    page.get_by_label("Kelurahan tempat tinggal").select_option("74.71.01.1005")
    page.get_by_label("Tanggal kejadian").fill("2026-10-02")
    page.get_by_label("Kekerasan fisik", exact=True).check()
    page.get_by_label("Bentuk kekerasan utama").select_option("physical")
    page.get_by_label("Kronologi kejadian").fill("Anak dipukul di rumah.")
    page.get_by_label("Saluran pengaduan").select_option("walk_in")
    page.get_by_label("Tingkat risiko").select_option("high")


@pytest.mark.csrf
def test_worker_registers_notes_and_requests_closure_supervisor_approves(live_server, browser, make_user):
    from playwright.sync_api import expect

    worker = make_user("case_worker", "UPTD_PPA", display_name="Rina Petugas")
    supervisor = make_user("supervisor", "UPTD_PPA", display_name="Kepala UPTD")
    nik_value = "7471054203140001"
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        _sign_in(page, live_server, worker.username)
        page.goto(f"{live_server}/cases/new")
        _fill_case(page, nik_value)
        page.get_by_role("button", name="Daftarkan kasus").click()
        expect(page.get_by_role("status").first).to_contain_text("telah didaftarkan")
        case_number = page.get_by_role("heading", level=1).inner_text().split()[0]
        assert case_number.startswith("KDI-")
        expect(page.get_by_test_id("nik")).to_have_count(0)  # masked until asked for

        # A second registration with the same NIK is warned about, and nothing typed is lost.
        page.goto(f"{live_server}/cases/new")
        _fill_case(page, nik_value)
        page.get_by_role("button", name="Daftarkan kasus").click()
        expect(page.get_by_test_id("duplicate-warning")).to_contain_text("NIK ini sudah ada")
        expect(page.get_by_label("Nama anak")).to_have_value("Wa Ode Browser")

        # Back to the first case: add a note, move it on, request closure.
        page.goto(f"{live_server}/cases/")
        page.get_by_role("link", name=case_number).click()
        notes = page.locator("#notes")
        notes.get_by_label("Jenis", exact=True).select_option("visit")
        notes.get_by_label("Catatan", exact=True).fill("Kunjungan rumah: anak aman bersama nenek.")
        page.get_by_role("button", name="Tambah catatan").click()
        expect(page.get_by_text("Kunjungan rumah: anak aman bersama nenek.")).to_be_visible()
        for step in ("Catat kontak pertama", "Mulai asesmen", "Mulai intervensi"):
            page.get_by_role("button", name=step).click()
            expect(page.get_by_role("status").first).to_contain_text("selesai")
        page.locator("#reason-request_closure").select_option("needs_met")
        # An irreversible step asks first (confirm.js, data-confirm): dismissed, nothing is sent.
        asked: list[str] = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        page.get_by_role("button", name="Ajukan terminasi").click()
        expect(page.get_by_role("button", name="Ajukan terminasi")).to_be_visible()
        assert asked == ["Minta supervisor menutup kasus ini?"]
        expect(page.get_by_text("Terminasi diajukan")).to_have_count(0)
        page.on("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Ajukan terminasi").click()
        expect(page.get_by_text("Terminasi diajukan: Kebutuhan layanan terpenuhi.")).to_be_visible()
        expect(page.get_by_role("button", name="Setujui terminasi")).to_have_count(0)  # not the worker's call
        page.get_by_role("button", name="Tampilkan menu").click()
        _sign_out(page)

        _sign_in(page, live_server, supervisor.username)
        page.goto(f"{live_server}/cases/")
        page.get_by_role("link", name=case_number).click()
        page.once("dialog", lambda dialog: dialog.accept())  # an irreversible step may ask to confirm
        page.get_by_role("button", name="Setujui terminasi").click()
        expect(page.locator("h1 + div")).to_contain_text("Ditutup")
        expect(page.get_by_test_id("timeline")).to_contain_text("Setujui terminasi")
    finally:
        context.close()


@pytest.mark.csrf
def test_a_receiver_chosen_before_the_referral_script_ran_still_gets_its_sections(
    live_server, browser, app, make_user
):
    """A quick hand chooses the receiver before refer.js has loaded (its change event goes unheard): the
    script ticks that receiver's default sections when it runs, not the blank form's."""
    from playwright.sync_api import expect

    from caseapp.extensions import db
    from tests.casedata import register

    worker = make_user("case_worker", "UPTD_PPA")
    with app.app_context():
        case = register(worker)
        db.session.remove()
    context = browser.new_context(bypass_csp=True)  # to run the page's script a second time, late
    page = context.new_page()
    try:
        _sign_in(page, live_server, worker.username)
        page.goto(f"{live_server}/cases/{case.uuid}/refer")
        expect(page.get_by_role("checkbox", name="Kejadian", exact=True)).not_to_be_checked()
        # A second copy of the page, as it is before its script runs: the choice made, no event heard.
        page.evaluate(
            """() => {
                const old = document.getElementById("to_agency");
                const copy = old.cloneNode(true);  // no listeners come with the copy
                old.replaceWith(copy);
                copy.value = "POLRESTA";
            }"""
        )
        expect(page.get_by_role("checkbox", name="Kejadian", exact=True)).not_to_be_checked()
        page.add_script_tag(url=f"{live_server}/static/js/refer.js")
        for section in ("Identitas", "Kejadian", "Terduga pelaku"):
            expect(page.get_by_role("checkbox", name=section, exact=True)).to_be_checked()
        expect(page.get_by_role("checkbox", name="Catatan kasus", exact=True)).not_to_be_checked()
    finally:
        context.close()


def test_referral_to_the_police_from_sending_to_completion(live_server, browser, app, make_user):
    from playwright.sync_api import expect

    from caseapp.extensions import db
    from tests.casedata import register

    worker = make_user("case_worker", "UPTD_PPA", display_name="Rina Petugas")
    police_spv = make_user("supervisor", "POLRESTA", display_name="Kanit PPA")
    police_worker = make_user("case_worker", "POLRESTA", display_name="Penyidik Andi")
    with app.app_context():
        case = register(worker)
        db.session.remove()
    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # completing asks first
    try:
        _sign_in(page, live_server, worker.username)
        page.goto(f"{live_server}/cases/{case.uuid}")
        page.get_by_role("link", name="Rujuk", exact=True).click()
        page.get_by_label("Rujuk ke").select_option("POLRESTA")
        # The police's default sections are ticked by the page's own script; notes never are.
        for section in ("Identitas", "Kejadian", "Terduga pelaku"):
            expect(page.get_by_role("checkbox", name=section, exact=True)).to_be_checked()
        expect(page.get_by_role("checkbox", name="Catatan kasus", exact=True)).not_to_be_checked()
        page.get_by_label("Penegakan hukum").check()
        page.get_by_label("Kedaruratan").select_option("urgent")
        page.get_by_label("Alasan rujukan").fill("Perlu laporan polisi.")
        page.get_by_label("Persetujuan", exact=True).select_option("guardian")
        page.get_by_label("Persetujuan diberikan oleh (nama)").fill("Ibu Wa Ode")
        page.get_by_label("Tanggal persetujuan").fill("2026-11-20")
        page.get_by_role("button", name="Kirim rujukan").click()
        expect(page.get_by_role("status").first).to_contain_text("Rujukan dikirim ke POLRESTA")
        expect(page.get_by_test_id("case-referrals")).to_contain_text("Menunggu jawaban")
        _sign_out(page)

        _sign_in(page, live_server, police_spv.username)
        expect(page.get_by_test_id("incoming-count")).to_contain_text("1")
        page.get_by_role("link", name="Rujukan", exact=True).first.click()
        page.get_by_role("link", name=case.case_number).click()
        expect(page.get_by_test_id("shared")).to_contain_text("Siti Canary Aminah")
        page.get_by_label("Tugaskan kepada").first.select_option(label="Penyidik Andi")
        page.get_by_role("button", name="Terima").click()
        expect(page.get_by_role("status").first).to_contain_text("Selesai.")
        _sign_out(page)

        _sign_in(page, live_server, police_worker.username)
        page.goto(f"{live_server}/referrals/")
        page.get_by_role("link", name=case.case_number).click()
        expect(page.get_by_test_id("shared")).to_contain_text("Siti Canary Aminah")
        page.get_by_label("Hasil").select_option("provided")
        page.get_by_label("Catatan").last.fill("Laporan polisi LP/123/XI/2026 dibuat.")
        page.get_by_role("button", name="Selesaikan").click()
        expect(page.locator("body")).to_contain_text("Selesai")
        _sign_out(page)

        _sign_in(page, live_server, worker.username)
        page.goto(f"{live_server}/cases/{case.uuid}")
        expect(page.get_by_test_id("timeline")).to_contain_text("Rujukan selesai")
        expect(page.get_by_test_id("case-referrals")).to_contain_text("Selesai")
    finally:
        context.close()


@pytest.mark.csrf
def test_a_visum_uploaded_on_a_case_is_downloaded_by_the_police_after_it_is_shared(
    live_server, browser, app, make_user, tmp_path
):
    from playwright.sync_api import expect

    from caseapp.extensions import db
    from tests.casedata import register

    worker = make_user("case_worker", "UPTD_PPA", display_name="Rina Petugas")
    police_spv = make_user("supervisor", "POLRESTA", display_name="Kanit PPA")
    with app.app_context():
        case = register(worker)
        db.session.remove()
    visum = tmp_path / "visum-rsud.pdf"
    visum.write_bytes(b"%PDF-1.4\n% visum et repertum canary\ntrailer\n<<>>\n%%EOF\n")
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    try:
        _sign_in(page, live_server, worker.username)
        page.goto(f"{live_server}/cases/{case.uuid}")
        _open_tab(page, "Lampiran")
        files = page.locator("#attachments")
        files.get_by_label("Berkas (PDF, JPEG atau PNG)").set_input_files(str(visum))
        files.get_by_label("Jenis dokumen").select_option("visum")
        files.get_by_role("button", name="Unggah").click()
        expect(page.get_by_role("status").first).to_contain_text("Berkas diunggah")
        expect(page.get_by_test_id("attachments")).to_contain_text("visum-rsud.pdf")

        page.get_by_role("link", name="Rujuk", exact=True).click()
        page.get_by_label("Rujuk ke").select_option("POLRESTA")
        shared = page.get_by_role("checkbox", name="Lampiran (dokumen, foto)", exact=True)
        expect(shared).not_to_be_checked()  # never ticked by default
        shared.check()
        page.get_by_label("Penegakan hukum").check()
        page.get_by_label("Kedaruratan").select_option("urgent")
        page.get_by_label("Alasan rujukan").fill("Visum untuk laporan polisi.")
        page.get_by_label("Persetujuan", exact=True).select_option("guardian")
        page.get_by_label("Persetujuan diberikan oleh (nama)").fill("Ibu Wa Ode")
        page.get_by_label("Tanggal persetujuan").fill("2026-11-20")
        page.get_by_role("button", name="Kirim rujukan").click()
        expect(page.get_by_role("status").first).to_contain_text("Rujukan dikirim ke POLRESTA")
        _sign_out(page)

        _sign_in(page, live_server, police_spv.username)
        page.goto(f"{live_server}/referrals/")
        page.get_by_role("link", name=case.case_number).click()
        with page.expect_download() as download_info:
            page.get_by_test_id("shared-attachments").get_by_role("link", name="visum-rsud.pdf").click()
        download = download_info.value
        assert download.suggested_filename == "visum-rsud.pdf"
        assert Path(download.path()).read_bytes() == visum.read_bytes()
    finally:
        context.close()


@pytest.mark.csrf
def test_supervisor_dashboard_chart_link_and_xlsx(live_server, browser, app, make_user, tmp_path):
    from playwright.sync_api import expect

    from tests.casedata import register

    worker = make_user("case_worker", "UPTD_PPA", display_name="Rina Petugas")
    supervisor = make_user("supervisor", "UPTD_PPA", display_name="Kepala UPTD")
    with app.app_context():
        for risk in ("high", "high", "low"):
            register(worker, risk_level=risk)
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    try:
        _sign_in(page, live_server, supervisor.username)
        dashboard = page.get_by_test_id("dashboard")
        expect(dashboard).to_be_visible()
        expect(dashboard.locator("svg[role=img]").first).to_be_visible()
        row = page.get_by_test_id("caseload-table").get_by_role("row", name="Rina Petugas")
        row.get_by_role("link", name="2").click()  # high-risk open cases of Rina
        expect(page.get_by_test_id("case-count")).to_have_text("2 kasus")
        page.goto(f"{live_server}/reports/caseload")
        with page.expect_download() as download_info:
            page.get_by_test_id("xlsx").click()
        path = tmp_path / "caseload.xlsx"
        download_info.value.save_as(path)
        from openpyxl import load_workbook

        workbook = load_workbook(path)
        rows = [[c.value for c in r] for r in workbook.worksheets[3].iter_rows()]  # after the About sheet
        assert rows[2][:3] == ["Rina Petugas", 3, 2]  # after the title and the header
    finally:
        context.close()


class _NoRunner:
    """A job runner that runs nothing: the test runs the job when it chooses."""

    def dispatch(self, name: str) -> None:
        pass


def _build_with_a_pause(app: Any, paused: threading.Event, resume: threading.Event) -> None:
    """Build the queued exports, one row at a time, stopping after the first row until `resume`."""
    from caseapp.jobs.tasks import run_job
    from caseapp.reports import simfoni
    from caseapp.services import export_jobs

    original = export_jobs._progress

    def pausing(job_id: int, attempt: int) -> Any:
        record = original(job_id, attempt)

        def step(done: int, total: int) -> None:
            record(done, total)
            if done == 1:
                paused.set()
                resume.wait(20)

        return step

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(simfoni, "PROGRESS_EVERY", 1)
        patch.setattr(export_jobs, "_progress", pausing)
        with app.app_context():
            run_job("exports.build")


@pytest.mark.csrf
def test_analyst_reads_the_rounded_recap_and_the_officer_downloads_simfoni(
    live_server, browser, app, make_user, tmp_path
):
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    from caseapp.database import utcnow
    from tests.casedata import register

    worker = make_user("case_worker", "UPTD_PPA")
    analyst = make_user("analyst", "BAPPEDA")
    officer = make_user("reporting_officer", "DP3A")
    with app.app_context():
        for _ in range(3):
            register(worker)
    year = str(utcnow().year)
    app.extensions["caseapp.jobs"] = _NoRunner()  # the test builds the file itself, pausing midway
    paused, resume = threading.Event(), threading.Event()
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    try:
        _sign_in(page, live_server, analyst.username)
        page.goto(f"{live_server}/reports/recap?period={year}")
        expect(page.get_by_test_id("disclosure-method")).to_contain_text("kelipatan 5")
        cells = page.get_by_test_id("recap-summary").locator("td").all_inner_texts()
        assert cells and all(int(c) % 5 == 0 for c in cells)
        expect(page.get_by_test_id("simfoni-link")).to_have_count(0)  # exact figures are not the analyst's
        _sign_out(page)
        _sign_in(page, live_server, officer.username)
        page.goto(f"{live_server}/reports/recap?period={year}")
        page.get_by_test_id("simfoni-link").click()
        page.get_by_label("Periode").fill(year)
        page.get_by_label("Kata sandi Anda").fill("not my password")
        page.get_by_role("button", name="Siapkan berkas").click()
        expect(page.locator("#password-error")).to_have_text("Kata sandi saat ini salah.")
        expect(page.get_by_label("Periode")).to_have_value(year)  # what was typed is kept
        page.get_by_label("Kata sandi Anda").fill(PASSWORD)
        page.get_by_role("button", name="Siapkan berkas").click()
        # The file is prepared in the background, on its own page, which follows the job by itself.
        expect(page).to_have_url(re.compile(r"/reports/exports/[0-9a-f-]{36}$"))
        bar = page.get_by_role("progressbar")
        expect(bar).to_have_attribute("aria-valuenow", "0")
        expect(page.get_by_test_id("export-status")).to_have_text("Menunggu dimulai")
        builder = threading.Thread(target=_build_with_a_pause, args=(app, paused, resume), daemon=True)
        builder.start()
        assert paused.wait(20)
        expect(bar).to_have_attribute("aria-valuenow", "33")  # one row of three, seen while it runs
        expect(page.get_by_test_id("export-rows")).to_have_text("33%: 1 dari 3 baris")
        expect(page.get_by_test_id("export-status")).to_have_text("Sedang disiapkan")
        resume.set()
        builder.join(20)
        download_button = page.get_by_test_id("export-download")
        expect(download_button).to_be_visible()
        expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
        with page.expect_download() as download_info:
            download_button.click()
        path = tmp_path / "simfoni.xlsx"
        download_info.value.save_as(path)
        sheet = load_workbook(path).worksheets[1]
        assert sheet.max_row == 5  # the title, the header and the three cases
    finally:
        context.close()


@pytest.mark.csrf
def test_closure_waits_in_the_queue_is_refused_while_a_referral_is_open(
    live_server, browser, app, client, make_user
):
    """The worker asks (reason "other" needs its explanation), the supervisor finds it in the work queue,
    is refused while the police referral is open, approves once it is completed; the worker is told."""
    from playwright.sync_api import expect

    from caseapp.extensions import db
    from tests.casedata import register
    from tests.test_practice import _refer, _step, _token

    worker = make_user("case_worker", "UPTD_PPA", display_name="Rina Petugas")
    supervisor = make_user("supervisor", "UPTD_PPA", display_name="Kepala UPTD")
    police = make_user("supervisor", "POLRESTA", display_name="Kanit PPA")
    police_worker = make_user("case_worker", "POLRESTA")
    with app.app_context():
        case = register(worker)
        db.session.remove()
    w = _token(app, worker)
    _step(client, case.uuid, w, "start_assessment", 1)
    _step(client, case.uuid, w, "start_intervention", 2)
    rid = _refer(client, w, case.uuid)
    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        _sign_in(page, live_server, worker.username)
        page.goto(f"{live_server}/cases/{case.uuid}")
        # Assessment, then a care plan for the supervisor to approve, on the case's practice page.
        _open_tab(page, "Asesmen & rencana")
        page.get_by_text("Lakukan asesmen").click()
        page.get_by_label("Apakah terduga pelaku masih dapat menjangkau anak?").select_option("yes")
        page.get_by_label("Apakah anak aman malam ini?").select_option("no")
        page.locator("input[name=assessment-needs][value=psychological]").check()
        page.locator("#assessment-risk_level").select_option("high")
        page.get_by_label("Ringkasan").fill("Anak takut pulang; tinggal sementara dengan nenek.")
        page.get_by_role("button", name="Simpan asesmen").click()
        expect(page.get_by_test_id("assessment")).to_contain_text("tinggal sementara dengan nenek")
        page.get_by_text("Rencana intervensi baru").click()
        page.locator("#plan-goals-0-goal").fill("Pendampingan psikologis mingguan")
        page.locator("#plan-goals-0-agency").select_option("UPTD_PPA")
        page.locator("#plan-goals-0-due_date").fill("2027-01-15")
        page.locator("#plan-review_date").fill("2027-01-31")
        page.get_by_role("button", name="Ajukan untuk disetujui").click()
        expect(page.get_by_test_id("care-plan")).to_have_attribute("data-status", "pending")
        _open_tab(page, "Ringkasan")  # the next steps are on the overview
        page.locator("#reason-request_closure").select_option("other")
        page.get_by_role("button", name="Ajukan terminasi").click()
        expect(page.locator("body")).to_contain_text("wajib diberi keterangan")
        page.locator("#reason-request_closure").select_option("other")
        page.locator("#explanation-request_closure").fill("Anak dan ibu pindah ke Kolaka.")
        page.get_by_role("button", name="Ajukan terminasi").click()
        expect(page.get_by_test_id("closure-request")).to_contain_text("Anak dan ibu pindah ke Kolaka.")
        _sign_out(page)

        _sign_in(page, live_server, supervisor.username)
        queue = page.get_by_test_id("queue")
        expect(queue.locator('[data-kind="closure_to_approve"]')).to_contain_text(case.case_number)
        expect(queue.locator('[data-kind="care_plan_to_approve"]')).to_contain_text(case.case_number)
        expect(queue.locator('[data-kind="assessment_to_review"]')).to_contain_text(case.case_number)
        if os.environ.get("SCREENSHOT_DIR"):
            page.set_viewport_size({"width": 1100, "height": 700})
            section = page.locator("section[aria-labelledby=queue-h]")
            section.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "work-queue.png"))
        queue.locator('[data-kind="closure_to_approve"] a').click()
        expect(page.get_by_test_id("open-work")).to_contain_text("Rencana intervensi")
        # An address saved before the case page was split (one page, anchors for its parts) finds its part.
        page.goto(f"{live_server}/cases/{case.uuid}#care-plan")
        expect(page).to_have_url(re.compile(r"/section/practice#care-plan$"))
        expect(page.get_by_test_id("care-plan")).to_be_visible()
        page.get_by_role("button", name="Setujui rencana intervensi").click()
        expect(page.get_by_test_id("care-plan")).to_have_attribute("data-status", "approved")
        _open_tab(page, "Ringkasan")
        expect(page.get_by_test_id("open-work")).to_contain_text("POLRESTA")
        expect(page.get_by_test_id("open-work")).not_to_contain_text("Rencana intervensi")
        page.get_by_role("button", name="Setujui terminasi").click()
        expect(page.locator("body")).to_contain_text("pekerjaan terbuka")
        expect(page.locator("h1 + div")).not_to_contain_text("Ditutup")

        spv = _token(app, police)
        accept = {"assignee": police_worker.username}
        assert client.post(f"/api/v1/referrals/{rid}/accept", json=accept, headers=spv).status_code == 200
        done = client.post(f"/api/v1/referrals/{rid}/complete", json={"outcome": "provided"}, headers=spv)
        assert done.status_code == 200
        page.goto(f"{live_server}/cases/{case.uuid}")
        expect(page.get_by_test_id("open-work")).to_have_count(0)
        page.get_by_role("button", name="Setujui terminasi").click()
        expect(page.locator("h1 + div")).to_contain_text("Ditutup")
        expect(page.get_by_test_id("closed")).to_contain_text("Anak dan ibu pindah ke Kolaka.")
        _sign_out(page)

        _sign_in(page, live_server, worker.username)
        page.get_by_test_id("bell").click()
        expect(page.get_by_test_id("notifications")).to_contain_text("Terminasi disetujui")
        expect(page.get_by_test_id("notifications")).to_contain_text(case.case_number)
    finally:
        context.close()


@pytest.mark.csrf
def test_justice_track_police_record_milestones_and_an_abh_child_is_registered_restricted(
    live_server, browser, app, make_user
):
    from playwright.sync_api import expect

    from caseapp.extensions import db
    from tests.casedata import register

    worker = make_user("case_worker", "UPTD_PPA", display_name="Rina Petugas")
    police_spv = make_user("supervisor", "POLRESTA", display_name="Kanit PPA")
    with app.app_context():
        case = register(worker)
        db.session.remove()
    api = app.test_client()

    def token(user) -> dict[str, str]:
        out = app.test_cli_runner().invoke(args=["user", "token", user.username]).output
        return {"Authorization": f"Bearer {out.strip().splitlines()[-1]}"}

    sent = api.post(
        f"/api/v1/cases/{case.uuid}/referrals",
        json={
            "to_agency": "POLRESTA",
            "services": ["law_enforcement"],
            "urgency": "urgent",
            "reason": "Laporan polisi.",
            "shared_sections": ["identity", "incident", "perpetrator"],
            "consent": {"given_by": "guardian", "name": "Ibu Wa Ode", "obtained_at": "2026-11-20"},
        },
        headers=token(worker),
    )
    assert sent.status_code == 201, sent.json
    assert (
        api.post(f"/api/v1/referrals/{sent.json['id']}/accept", headers=token(police_spv)).status_code == 200
    )
    context = browser.new_context()
    page = context.new_page()
    try:
        # The police record the report and the visum request on the referral's page.
        _sign_in(page, live_server, police_spv.username)
        page.goto(f"{live_server}/referrals/{sent.json['id']}")
        legal = page.locator("#legal")
        expect(legal.get_by_test_id("proceedings")).to_contain_text("Belum ada tahapan hukum")
        legal.get_by_label("Tahapan hukum", exact=True).select_option("police_report")
        legal.get_by_label("Tanggal", exact=True).fill("2026-11-21")
        legal.get_by_label("Nomor (LP, BAP, P21, SP3, SKP2, putusan)").fill("LP/B/417/XI/2026/SPKT")
        legal.get_by_role("button", name="Catat tahapan").click()
        expect(page.get_by_role("status").first).to_contain_text("Tahapan hukum dicatat")
        expect(page.get_by_test_id("legal-events")).to_contain_text("LP/B/417/XI/2026/SPKT")
        expect(page.get_by_test_id("proceedings")).to_contain_text("belum ada putusan")
        # A visum request without its investigator comes back with the reason and what was typed.
        legal = page.locator("#legal")
        legal.get_by_label("Tahapan hukum", exact=True).select_option("visum_request")
        legal.get_by_label("Tanggal", exact=True).fill("2026-11-21")
        legal.get_by_label("Nomor (LP, BAP, P21, SP3, SKP2, putusan)").fill("B/88/XI/2026")
        legal.get_by_role("button", name="Catat tahapan").click()
        expect(page.locator("#legal-investigator-error")).to_contain_text("Sebutkan penyidik")
        expect(page.get_by_label("Nomor (LP, BAP, P21, SP3, SKP2, putusan)")).to_have_value("B/88/XI/2026")
        page.get_by_label("Penyidik yang meminta").fill("Bripka Andi")
        page.get_by_role("button", name="Catat tahapan").click()
        expect(page.get_by_test_id("legal-events")).to_contain_text("Bripka Andi")
        _sign_out(page)

        # The owning agency sees the police's milestones and registers a child in conflict with the law.
        _sign_in(page, live_server, worker.username)
        page.goto(f"{live_server}/cases/{case.uuid}")
        _open_tab(page, "Proses hukum")
        expect(page.get_by_test_id("legal-events")).to_contain_text("Permintaan visum et repertum")
        expect(page.get_by_test_id("legal-events")).to_contain_text("POLRESTA")
        page.goto(f"{live_server}/cases/new")
        _fill_case(page, "7471054203140002")
        page.get_by_label("Kedudukan anak").select_option("in_conflict_with_law")
        page.get_by_role("button", name="Daftarkan kasus").click()
        expect(page.get_by_role("status").first).to_contain_text("telah didaftarkan")
        expect(page.get_by_test_id("child-role")).to_have_text("Anak berkonflik dengan hukum")
        page.goto(f"{live_server}/cases/")
        expect(page.locator("body")).to_contain_text("W.O.B.")  # initials only in lists
        expect(page.locator("body")).not_to_contain_text("Wa Ode Browser")
    finally:
        context.close()


@pytest.mark.csrf
def test_a_complaint_is_recorded_then_triaged_into_a_case(live_server, browser, make_user):
    from playwright.sync_api import expect

    worker = make_user("case_worker", "UPTD_PPA", display_name="Petugas Pengaduan")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        _sign_in(page, live_server, worker.username)
        page.goto(f"{live_server}/complaints/new")
        page.get_by_label("Saluran", exact=True).select_option("sapa129")
        page.get_by_label("Kedaruratan").select_option("emergency")
        page.get_by_label("Nama pelapor").fill("Ibu Pelapor Browser")
        page.get_by_label("Isi pengaduan").fill("Anak tetangga dipukul setiap malam.")
        page.get_by_role("button", name="Catat pengaduan").click()
        expect(page.get_by_role("status").first).to_contain_text("menunggu triase")

        # It waits in the worker's queue on the home page.
        page.goto(f"{live_server}/")
        expect(page.locator('[data-kind="complaint_to_triage"]')).to_have_count(1)
        page.locator('[data-kind="complaint_to_triage"] a').click()

        # Triage: accepted opens the registration form, filled in from the complaint.
        page.get_by_label("Keputusan").select_option("accepted")
        page.get_by_role("button", name="Triase").click()
        expect(page.get_by_test_id("from-complaint")).to_be_visible()
        expect(page.get_by_label("Kronologi kejadian")).to_have_value("Anak tetangga dipukul setiap malam.")
        expect(page.get_by_label("Saluran pengaduan")).to_have_value("sapa129")
        page.get_by_label("Nama anak").fill("Anak Dari Pengaduan")
        page.get_by_label("Jenis kelamin").first.select_option("M")
        page.get_by_label("Tanggal lahir").fill("2016-05-02")
        page.get_by_label("Tanggal kejadian").fill("2026-10-02")
        page.get_by_label("Kekerasan fisik", exact=True).check()
        page.get_by_label("Bentuk kekerasan utama").select_option("physical")
        page.get_by_role("button", name="Daftarkan kasus").click()
        expect(page.get_by_role("status").first).to_contain_text("telah didaftarkan")
        case_number = page.get_by_role("heading", level=1).inner_text().split()[0]

        # The complaint now links to the case it became, and no longer waits in the queue.
        page.goto(f"{live_server}/complaints/")
        expect(page.get_by_test_id("complaint-table")).to_contain_text(case_number)
        page.goto(f"{live_server}/")
        expect(page.locator('[data-kind="complaint_to_triage"]')).to_have_count(0)
    finally:
        context.close()


def test_justice_journey_one_incident_two_children_litmas_and_diversion_approved_by_the_court(
    live_server, browser, app, make_user
):
    """Issue 14's journey: UPTD registers a victim case and refers it to the police; the police record LP,
    BAP, visum request and result; a second child of the same incident is registered and linked; the police
    register the 15-year-old alleged perpetrator as a child in conflict with the law, request litmas from
    Bapas, record diversion at investigation with the victim's agreement; the court's approval closes it."""
    from playwright.sync_api import expect

    worker = make_user("case_worker", "UPTD_PPA", display_name="Rina Petugas")
    police = make_user("supervisor", "POLRESTA", display_name="Kanit PPA")
    api = app.test_client()

    def token(user) -> dict[str, str]:
        out = app.test_cli_runner().invoke(args=["user", "token", user.username]).output
        return {"Authorization": f"Bearer {out.strip().splitlines()[-1]}"}

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        # UPTD registers the first child's case, with the alleged perpetrator (a 15-year-old neighbour).
        _sign_in(page, live_server, worker.username)
        page.goto(f"{live_server}/cases/new")
        _fill_case(page, "7471054203140011")
        page.locator("#incident_place").select_option("school")
        page.locator("#parties-2-name").fill("La Ode Remaja")
        page.locator("#parties-2-age_group").select_option("13-17")
        page.get_by_role("button", name="Daftarkan kasus").click()
        expect(page.get_by_role("status").first).to_contain_text("telah didaftarkan")
        first_number = page.get_by_role("heading", level=1).inner_text().split()[0]
        first_url = page.url.split("#")[0]
        first_uuid = first_url.rstrip("/").rsplit("/", 1)[-1]

        # ... and refers it to the police, who accept it.
        sent = api.post(
            f"/api/v1/cases/{first_uuid}/referrals",
            json={
                "to_agency": "POLRESTA",
                "services": ["law_enforcement"],
                "urgency": "urgent",
                "reason": "Laporan polisi.",
                "shared_sections": ["identity", "incident", "perpetrator"],
                "consent": {"given_by": "guardian", "name": "Ibu Wa Ode", "obtained_at": "2026-11-20"},
            },
            headers=token(worker),
        )
        assert sent.status_code == 201, sent.json
        assert (
            api.post(f"/api/v1/referrals/{sent.json['id']}/accept", headers=token(police)).status_code == 200
        )

        # The second child of the same incident: from the first case's page, the incident comes prefilled.
        page.goto(first_url)
        page.get_by_test_id("incident-register").click()
        expect(page.locator("#incident_of")).to_have_value(first_number)
        expect(page.get_by_label("Tanggal kejadian")).to_have_value("2026-10-02")
        page.get_by_label("Nama anak").fill("Wa Ode Kedua")
        page.get_by_label("Jenis kelamin").first.select_option("F")
        page.get_by_label("Tanggal lahir").fill("2013-07-07")
        page.get_by_label("Kekerasan fisik", exact=True).check()
        page.get_by_label("Bentuk kekerasan utama").select_option("physical")
        page.get_by_label("Saluran pengaduan").select_option("walk_in")
        page.get_by_label("Tingkat risiko").select_option("medium")
        page.get_by_role("button", name="Daftarkan kasus").click()
        expect(page.get_by_role("status").first).to_contain_text("telah didaftarkan")
        expect(page.get_by_test_id("incident-cases")).to_contain_text(first_number)
        expect(page.locator("body")).to_contain_text("La Ode Remaja")  # the perpetrator is shared
        second_number = page.get_by_role("heading", level=1).inner_text().split()[0]
        page.goto(first_url)
        expect(page.get_by_test_id("incident-cases")).to_contain_text(second_number)
        page.get_by_role("button", name="Tampilkan menu").click()
        _sign_out(page)

        # The police record LP, BAP, visum request and result on the referral's page.
        _sign_in(page, live_server, police.username)
        page.goto(f"{live_server}/referrals/{sent.json['id']}")
        for kind, reference, investigator in (
            ("police_report", "LP/B/501/XI/2026/SPKT", ""),
            ("victim_statement", "BAP/77/XI/2026", ""),
            ("visum_request", "B/90/XI/2026", "Bripka Andi"),
            ("visum_result", "VER/12/XI/2026", ""),
        ):
            legal = page.locator("#legal")
            legal.locator("#legal-kind").select_option(kind)
            legal.locator("#legal-date").fill("2026-11-21")
            legal.locator("#legal-reference").fill(reference)
            if investigator:
                legal.locator("#legal-investigator").fill(investigator)
            legal.get_by_role("button", name="Catat tahapan").click()
            expect(page.get_by_role("status").first).to_contain_text("Tahapan hukum dicatat")
            expect(page.get_by_test_id("legal-events")).to_contain_text(reference)

        # The police register the 15-year-old as a child in conflict with the law (restricted) ...
        page.goto(f"{live_server}/cases/new")
        _fill_case(page, "7471050503110012")
        page.get_by_label("Nama anak").fill("La Ode Remaja")
        page.get_by_label("Jenis kelamin").first.select_option("M")
        page.get_by_label("Tanggal lahir").fill("2011-03-05")
        page.get_by_label("Kedudukan anak").select_option("in_conflict_with_law")
        page.get_by_role("button", name="Daftarkan kasus").click()
        expect(page.get_by_role("status").first).to_contain_text("telah didaftarkan")
        expect(page.get_by_test_id("child-role")).to_have_text("Anak berkonflik dengan hukum")
        abh_url = page.url.split("#")[0]
        # ... request litmas from Bapas (3x24 hours, shown in WITA, and waiting in their queue) ...
        _open_tab(page, "Proses hukum")
        legal = page.locator("#legal")
        legal.locator("#legal-kind").select_option("litmas_request")
        legal.locator("#legal-date").fill("2026-11-22")
        legal.locator("#legal-requested_at").fill("2026-11-22T09:00")
        legal.get_by_role("button", name="Catat tahapan").click()
        expect(page.get_by_test_id("litmas-due")).to_contain_text("25 November 2026 09.00 WITA")
        page.goto(f"{live_server}/")
        expect(page.locator("body")).to_contain_text("Litmas ditunggu dari Bapas")
        # ... and record diversion at investigation with the victim's agreement: a settlement without the
        # court's approval comes back with the reason and what was typed.
        page.goto(abh_url)
        _open_tab(page, "Proses hukum")
        form = page.get_by_test_id("diversion-form")
        form.locator("#diversion-stage").select_option("investigation")
        form.locator("#diversion-outcome").select_option("settled")
        form.locator("#diversion-started_on").fill("2026-11-23")
        form.locator("#diversion-victim_agreed").check()
        form.locator("#diversion-agreement_on").fill("2026-11-26")
        form.get_by_role("button", name="Catat diversi").click()
        expect(page.locator("#diversion-court_approved_on-error")).to_be_visible()
        expect(page.locator("#diversion-agreement_on")).to_have_value("2026-11-26")
        # The court's approval (penetapan) closes it.
        page.locator("#diversion-court_approved_on").fill("2026-11-28")
        page.get_by_role("button", name="Catat diversi").click()
        expect(page.get_by_role("status").first).to_contain_text("Diversi dicatat")
        expect(page.get_by_test_id("diversions")).to_contain_text("2026-11-28")
        expect(page.get_by_test_id("proceedings")).to_contain_text("dianggap berjalan sampai")
        # Lists show the child in conflict with the law by initials only.
        page.goto(f"{live_server}/cases/")
        expect(page.locator("body")).to_contain_text("L.O.R.")
        expect(page.locator("body")).not_to_contain_text("La Ode Remaja")
    finally:
        context.close()


@pytest.mark.csrf
def test_a_conference_gives_the_police_a_task_they_find_in_their_queue(
    live_server, browser, app, client, make_user
):
    """The worker records a case conference with a task for the police worker (a referral partner); the
    police worker finds it on the home page with the task's words only, and marks it done."""
    from playwright.sync_api import expect

    from caseapp.extensions import db
    from tests.casedata import register
    from tests.test_practice import _refer, _step, _token

    worker = make_user("case_worker", "UPTD_PPA", display_name="Rina Petugas")
    police = make_user("supervisor", "POLRESTA", display_name="Kanit PPA")
    police_worker = make_user("case_worker", "POLRESTA", display_name="Bripka Sari")
    with app.app_context():
        case = register(worker)
        db.session.remove()
    w = _token(app, worker)
    _step(client, case.uuid, w, "start_assessment", 1)
    rid = _refer(client, w, case.uuid)
    accept = {"assignee": police_worker.username}
    assert (
        client.post(f"/api/v1/referrals/{rid}/accept", json=accept, headers=_token(app, police)).status_code
        == 200
    )
    context = browser.new_context()
    page = context.new_page()
    try:
        _sign_in(page, live_server, worker.username)
        page.goto(f"{live_server}/cases/{case.uuid}")
        _open_tab(page, "Asesmen & rencana")
        page.get_by_text("Catat konferensi kasus").click()
        page.locator("#conference-held_on").fill("2026-12-01")
        page.locator("input[name=conference-agencies][value=POLRESTA]").check()
        page.locator("#conference-people").fill("Ibu wali, Bripka Sari")
        page.locator("#conference-decisions").fill("Anak didampingi saat pemeriksaan.")
        page.locator("#conference-tasks-0-description").fill("Jadwalkan BAP anak dengan pendamping")
        page.locator("#conference-tasks-0-owner").select_option(police_worker.username)
        page.locator("#conference-tasks-0-due_date").fill("2026-12-20")
        page.get_by_role("button", name="Simpan konferensi kasus").click()
        conference = page.get_by_test_id("conference")
        expect(conference).to_contain_text("Anak didampingi saat pemeriksaan.")
        expect(conference.get_by_test_id("task")).to_have_attribute("data-task-status", "open")
        _sign_out(page)

        _sign_in(page, live_server, police_worker.username)
        item = page.get_by_test_id("queue").locator('[data-kind="task"]')
        expect(item).to_contain_text(case.case_number)
        expect(item).to_contain_text("Jadwalkan BAP anak dengan pendamping")
        expect(page.locator("body")).not_to_contain_text("Anak didampingi saat pemeriksaan.")
        item.get_by_role("link", name="Buka tugas").click()
        page.get_by_label("Bagaimana tugas dilaksanakan (opsional)").fill("BAP tanggal 18 Desember")
        page.get_by_role("button", name="Tandai selesai").click()
        expect(page.get_by_test_id("task")).to_have_attribute("data-task-status", "done")
        page.goto(f"{live_server}/")
        expect(page.get_by_test_id("queue").locator('[data-kind="task"]')).to_have_count(0)
    finally:
        context.close()


@pytest.mark.csrf
def test_the_uptd_flow_from_a_complaint_to_an_honest_termination(
    live_server, browser, app, client, make_user
):
    """Issue 13's journey: complaint -> case -> assessment -> care plan approved by the supervisor ->
    conference with a task for the police partner -> shelter stay -> a service -> the closure request in the
    supervisor's queue, refused while the referral (and the task) are open, approved once they are done;
    the worker sees the approval."""
    from playwright.sync_api import expect

    from caseapp import localtime
    from tests.test_practice import _refer, _step, _token

    worker = make_user("case_worker", "UPTD_PPA", display_name="Rina Petugas")
    supervisor = make_user("supervisor", "UPTD_PPA", display_name="Kepala UPTD")
    police = make_user("supervisor", "POLRESTA", display_name="Kanit PPA")
    police_worker = make_user("case_worker", "POLRESTA", display_name="Bripka Sari")
    w, p = _token(app, worker), _token(app, police)
    today = localtime.today().isoformat()

    def version(case_id: str) -> int:
        return int(client.get(f"/api/v1/cases/{case_id}", headers=w).json["version"])

    context = browser.new_context()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        # A complaint by SAPA 129, triaged into a case.
        _sign_in(page, live_server, worker.username)
        page.goto(f"{live_server}/complaints/new")
        page.get_by_label("Saluran", exact=True).select_option("sapa129")
        page.get_by_label("Kedaruratan").select_option("urgent")
        page.get_by_label("Nama pelapor").fill("Ibu Guru Pelapor")
        page.get_by_label("Isi pengaduan").fill("Murid datang dengan lebam dan takut pulang.")
        page.get_by_role("button", name="Catat pengaduan").click()
        page.goto(f"{live_server}/")
        page.locator('[data-kind="complaint_to_triage"] a').click()
        page.get_by_label("Keputusan").select_option("accepted")
        page.get_by_role("button", name="Triase").click()
        expect(page.get_by_test_id("from-complaint")).to_be_visible()
        page.get_by_label("Nama anak").fill("Anak Alur Lengkap")
        page.get_by_label("Jenis kelamin").first.select_option("F")
        page.get_by_label("Tanggal lahir").fill("2013-04-09")
        page.get_by_label("Tanggal kejadian").fill("2026-11-20")
        page.get_by_label("Kekerasan fisik", exact=True).check()
        page.get_by_label("Bentuk kekerasan utama").select_option("physical")
        page.get_by_role("button", name="Daftarkan kasus").click()
        expect(page.get_by_role("status").first).to_contain_text("telah didaftarkan")
        case_id = page.url.rstrip("/").split("/")[-1]
        case_number = page.get_by_role("heading", level=1).inner_text().split()[0]

        # Into intervention, and referred to the police (their own journeys are tested apart).
        _step(client, case_id, w, "start_assessment", version(case_id))
        _step(client, case_id, w, "start_intervention", version(case_id))
        rid = _refer(client, w, case_id)
        accepted = client.post(
            f"/api/v1/referrals/{rid}/accept", json={"assignee": police_worker.username}, headers=p
        )
        assert accepted.status_code == 200, accepted.json

        page.goto(f"{live_server}/cases/{case_id}")
        _open_tab(page, "Asesmen & rencana")
        page.get_by_text("Lakukan asesmen").click()
        page.get_by_label("Apakah terduga pelaku masih dapat menjangkau anak?").select_option("yes")
        page.get_by_label("Apakah anak aman malam ini?").select_option("no")
        page.locator("input[name=assessment-needs][value=psychological]").check()
        page.locator("#assessment-risk_level").select_option("high")
        page.get_by_label("Ringkasan").fill("Anak tidak aman di rumah; perlu rumah aman.")
        page.get_by_role("button", name="Simpan asesmen").click()
        expect(page.get_by_test_id("assessment")).to_contain_text("perlu rumah aman")
        page.get_by_text("Rencana intervensi baru").click()
        page.locator("#plan-goals-0-goal").fill("Anak tinggal aman dan didampingi psikolog")
        page.locator("#plan-goals-0-agency").select_option("UPTD_PPA")
        page.locator("#plan-goals-0-due_date").fill("2027-01-15")
        page.locator("#plan-review_date").fill("2027-01-31")
        page.get_by_role("button", name="Ajukan untuk disetujui").click()
        expect(page.get_by_test_id("care-plan")).to_have_attribute("data-status", "pending")

        # A case conference gives the police partner a task.
        page.get_by_text("Catat konferensi kasus").click()
        page.locator("#conference-held_on").fill(today)
        page.locator("input[name=conference-agencies][value=POLRESTA]").check()
        page.locator("#conference-people").fill("Kepala sekolah, Bripka Sari")
        page.locator("#conference-decisions").fill("Anak ditempatkan di rumah aman selama pemeriksaan.")
        page.locator("#conference-tasks-0-description").fill("Ambil keterangan anak dengan pendamping")
        page.locator("#conference-tasks-0-owner").select_option(police_worker.username)
        page.locator("#conference-tasks-0-due_date").fill("2026-12-20")
        page.get_by_role("button", name="Simpan konferensi kasus").click()
        task = page.get_by_test_id("conference").get_by_test_id("task")
        expect(task).to_have_attribute("data-task-status", "open")

        # A shelter stay, and a service given.
        _open_tab(page, "Perlindungan")
        page.get_by_text("Catat masuk rumah aman").click()
        page.locator("#shelter-shelter_place").fill("Rumah aman UPTD PPA")
        page.locator("#shelter-admitted_on").fill(today)
        page.get_by_role("button", name="Catat masuk", exact=True).click()
        expect(page.get_by_test_id("shelter-open")).to_be_visible()
        _open_tab(page, "Ringkasan")
        page.locator("#service-service_type").select_option("psychological")
        page.locator("#service-provider").select_option("UPTD_PPA")
        page.locator("#service-service_date").fill(today)
        page.locator("#service-outcome").select_option("ongoing")
        page.get_by_role("button", name="Catat layanan").click()
        expect(page.locator("#services")).to_contain_text("Layanan psikologis")

        page.locator("#reason-request_closure").select_option("needs_met")
        page.get_by_role("button", name="Ajukan terminasi").click()
        expect(page.get_by_test_id("closure-request")).to_be_visible()
        _sign_out(page)

        # The supervisor finds it waiting; open work (the referral, the task) refuses the closure.
        _sign_in(page, live_server, supervisor.username)
        queue = page.get_by_test_id("queue")
        expect(queue.locator('[data-kind="closure_to_approve"]')).to_contain_text(case_number)
        queue.locator('[data-kind="closure_to_approve"] a').click()
        _open_tab(page, "Asesmen & rencana")
        page.get_by_role("button", name="Setujui rencana intervensi").click()
        expect(page.get_by_test_id("care-plan")).to_have_attribute("data-status", "approved")
        _open_tab(page, "Ringkasan")
        open_work = page.get_by_test_id("open-work")
        expect(open_work).to_contain_text("POLRESTA")
        page.get_by_role("button", name="Setujui terminasi").click()
        expect(page.locator("body")).to_contain_text("pekerjaan terbuka")
        expect(page.locator("h1 + div")).not_to_contain_text("Ditutup")

        # The police do their part: the task and the referral end.
        police_own = _token(app, police_worker)
        task_id = client.get(f"/api/v1/cases/{case_id}/conferences", headers=w).json["items"][0]["tasks"][0][
            "id"
        ]
        assert (
            client.post(f"/api/v1/tasks/{task_id}/complete", json={}, headers=police_own).status_code == 200
        )
        done = client.post(f"/api/v1/referrals/{rid}/complete", json={"outcome": "provided"}, headers=p)
        assert done.status_code == 200, done.json
        page.goto(f"{live_server}/cases/{case_id}")
        expect(page.get_by_test_id("open-work")).to_have_count(0)
        page.get_by_role("button", name="Setujui terminasi").click()
        expect(page.locator("h1 + div")).to_contain_text("Ditutup")
        _sign_out(page)

        _sign_in(page, live_server, worker.username)
        page.get_by_test_id("bell").click()
        expect(page.get_by_test_id("notifications")).to_contain_text("Terminasi disetujui")
        expect(page.get_by_test_id("notifications")).to_contain_text(case_number)
    finally:
        context.close()
