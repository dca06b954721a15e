"""Every page of every role in Chromium: axe-core (WCAG 2.1 AA), no console error or CSP report, no
sideways scrolling on a 390 px phone, notes that keep their line breaks, times in WITA, and full-page
screenshots (desktop and phone) under test-artifacts/ for a person to look at.

axe-core comes from the pinned `axe-playwright-python` package (it ships axe.min.js); the test injects it
into the page through Playwright, so it is never served to users and the page's CSP does not apply to it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.test_browser import browser, live_server  # noqa: F401 - fixtures reused

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# axe findings below "serious" that are accepted for now, each with the reason. Both come from the report
# templates (templates/reports/: the caseload dashboard, also on a supervisor's home page, and the recap),
# which are being reworked under their own issue: a table's corner cell has no text, and the caseload page
# titles itself with an h2.
ACCEPTED = {
    "empty-table-header": "report tables' empty corner cell (templates/reports/, the report issue)",
    "page-has-heading-one": "the caseload page's title is an h2 (templates/reports/caseload.html)",
}
REPORT_PAGES = ("/", "/reports/caseload", "/reports/recap")
# Roles whose pages are walked in English (the others in Indonesian, the default): `lang` follows.
ENGLISH = {"auditor", "admin"}

# The case's section pages (besides its overview, /cases/<uuid>): every one for the worker, the ones with a
# supervisor's own buttons (approvals, deleting a file) for the supervisor.
CASE_SECTIONS = ("practice", "protection", "legal", "attachments")

NOTE = "Kunjungan rumah.\nAnak aman bersama nenek.\nKunjungan berikutnya Senin."


def _axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


class Walker:
    """One role's desktop and phone contexts; each page is checked once per context."""

    def __init__(self, browser: Any, base: str, name: str, database: str) -> None:  # noqa: F811
        self.base, self.name, self.database = base, name, database
        self.desktop = browser.new_context(viewport=DESKTOP, locale="id-ID")
        self.phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="id-ID")
        self.pages = {"desktop": self.desktop.new_page(), "phone": self.phone.new_page()}
        self.errors: list[str] = []
        self.findings: list[str] = []
        self.lang = "id"
        for kind, page in self.pages.items():
            page.on("console", lambda m, k=kind: m.type == "error" and self.errors.append(f"{k}: {m.text}"))
            page.on("pageerror", lambda e, k=kind: self.errors.append(f"{k}: {e}"))

    def sign_in(self, username: str) -> None:
        for page in self.pages.values():
            page.goto(f"{self.base}/login")
            page.get_by_label("Nama pengguna").fill(username)
            page.get_by_label("Kata sandi").fill(PASSWORD)
            page.get_by_role("button", name="Masuk").click()
            page.wait_for_url(f"{self.base}/")

    def switch_to_english(self) -> None:
        for kind, page in self.pages.items():
            if kind == "phone":  # the header's buttons are behind the menu toggler
                page.get_by_role("button", name="Tampilkan menu").click()
            page.get_by_test_id("lang-en").click()
            page.wait_for_selector("html[lang=en]")
        self.lang = "en"

    def check(self, path: str, label: str, axe: Any) -> Any:
        """Open the page in both contexts: axe on the desktop, overflow on the phone, screenshots."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for kind, page in self.pages.items():
            before = len(self.errors)
            response = page.goto(f"{self.base}{path}")
            assert response is not None and response.status < 400, f"{self.name} {path}: {response}"
            assert page.locator("html").get_attribute("lang") == self.lang, f"{self.name} {path}"
            if self.database == "sqlite":  # the pages look the same on both: one set of pictures
                page.screenshot(path=str(ARTIFACTS / f"{self.name}-{label}-{kind}.png"), full_page=True)
            if kind == "desktop":
                results = axe.run(page)
                for violation in results.response["violations"]:
                    where = [n["target"] for n in violation["nodes"]][:3]
                    entry = f"{self.name} {path}: {violation['impact']} {violation['id']} {where}"
                    accepted = violation["id"] in ACCEPTED and path in REPORT_PAGES
                    if violation["impact"] in ("serious", "critical") or not accepted:
                        self.findings.append(entry)
            else:
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 0:
                    self.findings.append(f"{self.name} {path}: {overflow}px sideways scrolling at 390 px")
            assert len(self.errors) == before, f"{self.name} {path}: {self.errors[before:]}"
        return self.pages["desktop"]

    def close(self) -> None:
        self.desktop.close()
        self.phone.close()


@pytest.fixture
def world(app, client, make_user) -> dict[str, Any]:
    """People of every role, a case with a multi-line note, referred to the police."""
    from tests.casedata import register

    people = {
        "worker": make_user("case_worker", "UPTD_PPA", display_name="Rina Petugas"),
        "supervisor": make_user("supervisor", "UPTD_PPA", display_name="Kepala UPTD"),
        "police_spv": make_user("supervisor", "POLRESTA", display_name="Kanit PPA"),
        "police_worker": make_user("case_worker", "POLRESTA", display_name="Penyidik Andi"),
        "analyst": make_user("analyst", "BAPPEDA", display_name="Analis Bappeda"),
        "auditor": make_user("auditor", "INSPEKTORAT", display_name="Auditor"),
        "admin": make_user("admin", "DP3A", display_name="Admin"),
        "officer": make_user("reporting_officer", "DP3A", display_name="Operator SIMFONI"),
    }
    with app.app_context():
        case = register(
            people["worker"],
            incident__narrative="Baris pertama.\nBaris kedua.",
        )
    token = app.test_cli_runner().invoke(args=["user", "token", people["worker"].username])
    headers = {"Authorization": f"Bearer {token.output.strip().splitlines()[-1]}"}
    note = client.post(
        f"/api/v1/cases/{case.uuid}/notes", json={"kind": "visit", "body": NOTE}, headers=headers
    )
    assert note.status_code == 201, note.json
    referral = client.post(
        f"/api/v1/cases/{case.uuid}/referrals",
        json={
            "to_agency": "POLRESTA",
            "services": ["law_enforcement"],
            "urgency": "urgent",
            "reason": "Perlu laporan polisi.\nAnak bersedia.",
            "shared_sections": ["identity", "incident"],
            "consent": {"given_by": "guardian", "name": "Ibu Wa Ode", "obtained_at": "2026-11-20"},
        },
        headers=headers,
    )
    assert referral.status_code == 201, referral.json
    complaint = client.post(
        "/api/v1/complaints",
        json={
            "channel": "sapa129",
            "urgency": "urgent",
            "reporter_name": "Tetangga",
            "reporter_contact": "0812 0000 1111",
            "report": "Anak terlihat lebam.\nSering ditinggal sendiri.",
        },
        headers=headers,
    )
    assert complaint.status_code == 201, complaint.json
    conference = client.post(
        f"/api/v1/cases/{case.uuid}/conferences",
        json={
            "held_on": "2026-11-25",
            "agencies": ["UPTD_PPA", "POLRESTA"],
            "people": "Ibu Wa Ode\nPenyidik Andi",
            "decisions": "Anak didampingi saat BAP.\nKonseling mingguan.",
            "tasks": [
                {
                    "description": "Jadwalkan BAP anak",
                    "owner": people["police_worker"].username,
                    "due_date": "2026-12-20",
                }
            ],
        },
        headers=headers,
    )
    assert conference.status_code == 201, conference.json
    officer_token = app.test_cli_runner().invoke(args=["user", "token", people["officer"].username])
    export = client.post(
        "/api/v1/exports",
        json={"period": "2026", "password": PASSWORD},
        headers={"Authorization": f"Bearer {officer_token.output.strip().splitlines()[-1]}"},
    )
    assert export.status_code == 202, export.json
    app.extensions["caseapp.jobs"].drain()  # built: the page shows its download
    # Two closed cases: one shows retention's date and the legal hold's form, the other was shredded.
    spv_token = app.test_cli_runner().invoke(args=["user", "token", people["supervisor"].username])
    spv = {"Authorization": f"Bearer {spv_token.output.strip().splitlines()[-1]}"}
    with app.app_context():
        closed, gone = register(people["worker"]), register(people["worker"])
    for ended in (closed, gone):
        steps = [("start_assessment", headers, {}), ("start_intervention", headers, {})]
        steps += [("request_closure", headers, {"reason": "needs_met"}), ("approve_closure", spv, {})]
        for version, (action, who, extra) in enumerate(steps, start=1):
            step = client.post(
                f"/api/v1/cases/{ended.uuid}/transition",
                json={"action": action, "version": version, **extra},
                headers=who,
            )
            assert step.status_code == 200, step.json
    with app.app_context():
        from datetime import timedelta

        from caseapp.database import utcnow
        from caseapp.extensions import db
        from caseapp.models import Case
        from caseapp.services import retention

        db.session.get(Case, gone.id).closed_at = utcnow() - timedelta(days=6 * 366)
        db.session.commit()
        assert retention.shred_due() == 1
    return {
        "closed": closed,
        "shredded": gone,
        "export": export.json["id"],
        "people": people,
        "case": case,
        "referral": referral.json["id"],
        "complaint": complaint.json["id"],
        "task": conference.json["tasks"][0]["id"],
    }


@pytest.mark.csrf
def test_every_page_of_every_role(live_server, browser, world, database_url):  # noqa: F811
    from playwright.sync_api import expect

    database = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    case, referral, people, task = world["case"], world["referral"], world["people"], world["task"]
    admin_id = people["admin"].id
    routes: dict[str, list[tuple[str, str]]] = {
        "worker": [
            ("/", "home"),
            ("/cases/", "case-list"),
            ("/cases/new", "case-new"),
            (f"/cases/{case.uuid}", "case-page"),
            *[(f"/cases/{case.uuid}/section/{s}", f"case-{s}") for s in CASE_SECTIONS],
            (f"/cases/{case.uuid}/edit", "case-edit"),
            (f"/cases/{case.uuid}/refer", "refer"),
            ("/referrals/?box=outgoing", "referrals-out"),
            (f"/referrals/{referral}", "referral"),
            ("/notifications", "notifications"),
            ("/account/password", "password"),
            ("/account/tokens", "tokens"),
            ("/account/two-factor", "two-factor"),
            ("/account/confirm", "confirm"),
            ("/complaints/", "complaints"),
            ("/complaints/new", "complaint-new"),
            (f"/complaints/{world['complaint']}", "complaint"),
        ],
        "supervisor": [
            ("/", "home"),
            ("/cases/", "case-list"),
            (f"/cases/{case.uuid}", "case-page"),
            *[(f"/cases/{case.uuid}/section/{s}", f"case-{s}") for s in ("practice", "attachments")],
            (f"/cases/{case.uuid}/access-log", "access-log"),
            (f"/cases/{case.uuid}/assign", "assign"),
            (f"/cases/{world['closed'].uuid}", "case-closed"),
            (f"/cases/{world['shredded'].uuid}", "case-shredded"),
            ("/reports/caseload", "caseload"),
            ("/reports/recap", "recap"),
            ("/admin/approvals", "approvals"),
        ],
        "police_spv": [
            ("/", "home"),
            ("/referrals/", "referrals-in"),
            (f"/referrals/{referral}", "referral"),
        ],
        "police_worker": [("/", "home"), ("/referrals/", "referrals-in"), (f"/cases/tasks/{task}", "task")],
        "analyst": [("/", "home"), ("/reports/recap", "recap")],
        "officer": [
            ("/", "home"),
            ("/reports/simfoni", "simfoni"),
            (f"/reports/exports/{world['export']}", "export"),
        ],
        "auditor": [("/", "home"), ("/audit/", "audit")],
        "admin": [
            ("/", "home"),
            ("/admin/users", "users"),
            ("/admin/users/new", "user-new"),
            (f"/admin/users/{admin_id}/edit", "user-edit"),
            ("/admin/agencies", "agencies"),
            ("/admin/agencies/1/edit", "agency-edit"),
        ],
    }
    axe = _axe()
    findings: list[str] = []
    # Signed out: the sign-in page.
    anonymous = Walker(browser, live_server, "anonymous", database)
    try:
        anonymous.check("/login", "login", axe)
        findings += anonymous.findings
    finally:
        anonymous.close()
    for name, pages in routes.items():
        walker = Walker(browser, live_server, name, database)
        try:
            walker.sign_in(people[name].username)
            if name in ENGLISH:
                walker.switch_to_english()
            for path, label in pages:
                page = walker.check(path, label, axe)
                if name == "worker" and label == "case-page":
                    # The note keeps its line breaks (a CSS class, not an inline style the CSP blocks).
                    note = page.get_by_test_id("notes").get_by_text("Kunjungan rumah.")
                    expect(note).to_be_visible()
                    assert note.inner_text().count("\n") == 2
                    facts = page.get_by_test_id("case-facts").inner_text()
                    assert "WITA" in facts and "UTC" not in facts
            findings += walker.findings
        finally:
            walker.close()
    assert not findings, "\n".join(findings)


def test_times_read_wita_in_the_local_format(app):
    from datetime import datetime

    from flask_babel import force_locale

    from caseapp import localtime

    when = datetime(2026, 12, 1, 6, 5)  # stored UTC: 14.05 in Kendari
    with app.test_request_context():
        with force_locale("id"):
            assert localtime.when(when) == "1 Desember 2026 14.05 WITA"
            assert localtime.day(when) == "1 Desember 2026"
            assert localtime.day("2015-12-05") == "5 Desember 2015"  # a date kept as text
            assert localtime.day(None) == localtime.when(None) == "–"
            assert localtime.duration(3271.9) == "136 hari 8 jam"  # not "3271.9" hours
            assert localtime.duration(5.2) == "5 jam"
        with force_locale("en"):
            assert re.fullmatch(r"December 1, 2026,? 2:05\WPM WITA", localtime.when(when))
            assert localtime.duration(3271.9) == "136 d 8 h"


@pytest.mark.csrf
def test_a_refused_long_form_on_a_phone_opens_at_its_error_summary(live_server, browser, make_user):  # noqa: F811
    from playwright.sync_api import expect

    worker = make_user("case_worker", "UPTD_PPA")
    walker = Walker(browser, live_server, "worker", "any")
    try:
        walker.sign_in(worker.username)
        page = walker.pages["phone"]
        page.goto(f"{live_server}/cases/new")
        page.get_by_label("Nama anak").fill("Wa Ode")
        page.get_by_role("button", name="Daftarkan kasus").click()
        summary = page.get_by_test_id("error-summary")
        expect(summary).to_be_focused()
        expect(summary).to_be_in_viewport()
        expect(summary).to_contain_text("Mohon periksa:")
        # Each problem links to its field, which then has the focus.
        summary.get_by_role("link", name="Tingkat risiko").click()
        expect(page.get_by_label("Tingkat risiko")).to_be_focused()
        expect(page.get_by_label("Nama anak")).to_have_value("Wa Ode")
        # The refused form itself answers 400 (Chromium logs that); nothing else went wrong.
        assert [e for e in walker.errors if "status of 400" not in e] == []
    finally:
        walker.close()


@pytest.mark.csrf
def test_the_keyboard_reaches_the_content_first_through_the_skip_link(live_server, browser, make_user):  # noqa: F811
    from playwright.sync_api import expect

    worker = make_user("case_worker", "UPTD_PPA")
    walker = Walker(browser, live_server, "worker", "any")
    try:
        walker.sign_in(worker.username)
        page = walker.pages["desktop"]
        page.goto(f"{live_server}/cases/")
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Langsung ke isi")
        expect(skip).to_be_focused()
        expect(skip).to_be_visible()  # shown while it has the focus
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()
        page.keyboard.press("Tab")  # the next stop is in the content, not the header
        assert page.evaluate("document.activeElement.closest('main') !== null")
    finally:
        walker.close()
