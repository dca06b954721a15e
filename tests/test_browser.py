"""Browser journeys: Playwright (Python) driving Debian's Chromium against a live server."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

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


def _fill_case(page, nik_value: str) -> None:
    page.get_by_label("Nama anak").fill("Wa Ode Browser")
    page.get_by_label("NIK").fill(nik_value)
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
        page.get_by_role("button", name="Ajukan penutupan").click()
        expect(page.get_by_text("Penutupan diajukan: Kebutuhan layanan terpenuhi.")).to_be_visible()
        expect(page.get_by_role("button", name="Setujui penutupan")).to_have_count(0)  # not the worker's call
        page.get_by_role("button", name="Tampilkan menu").click()
        _sign_out(page)

        _sign_in(page, live_server, supervisor.username)
        page.goto(f"{live_server}/cases/")
        page.get_by_role("link", name=case_number).click()
        page.get_by_role("button", name="Setujui penutupan").click()
        expect(page.locator("h1 + div")).to_contain_text("Ditutup")
        expect(page.get_by_test_id("timeline")).to_contain_text("Setujui penutupan")
    finally:
        context.close()


@pytest.mark.csrf
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
        rows = [[c.value for c in r] for r in workbook.worksheets[2].iter_rows()]
        assert rows[1][:3] == ["Rina Petugas", 3, 2]
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
        legal.get_by_label("Nomor (LP, BAP, P21, putusan)").fill("LP/B/417/XI/2026/SPKT")
        legal.get_by_role("button", name="Catat tahapan").click()
        expect(page.get_by_role("status").first).to_contain_text("Tahapan hukum dicatat")
        expect(page.get_by_test_id("legal-events")).to_contain_text("LP/B/417/XI/2026/SPKT")
        expect(page.get_by_test_id("proceedings")).to_contain_text("belum ada putusan")
        # A visum request without its investigator comes back with the reason and what was typed.
        legal = page.locator("#legal")
        legal.get_by_label("Tahapan hukum", exact=True).select_option("visum_request")
        legal.get_by_label("Tanggal", exact=True).fill("2026-11-21")
        legal.get_by_label("Nomor (LP, BAP, P21, putusan)").fill("B/88/XI/2026")
        legal.get_by_role("button", name="Catat tahapan").click()
        expect(page.locator("#legal-investigator-error")).to_contain_text("Sebutkan penyidik")
        expect(page.get_by_label("Nomor (LP, BAP, P21, putusan)")).to_have_value("B/88/XI/2026")
        page.get_by_label("Penyidik yang meminta").fill("Bripka Andi")
        page.get_by_role("button", name="Catat tahapan").click()
        expect(page.get_by_test_id("legal-events")).to_contain_text("Bripka Andi")
        _sign_out(page)

        # The owning agency sees the police's milestones and registers a child in conflict with the law.
        _sign_in(page, live_server, worker.username)
        page.goto(f"{live_server}/cases/{case.uuid}")
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
