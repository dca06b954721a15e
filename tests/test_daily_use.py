"""Daily use over HTTP: the dead ends a new user ran into, each closed; forms that lead; icons served."""

from __future__ import annotations

import re

from tests.casedata import register
from tests.conftest import login
from tests.test_referrals import _refer, _token


def _client(app, user):  # type: ignore[no-untyped-def]
    """A test client of its own, signed in as the user."""
    client = app.test_client()
    login(client, user.username)
    return client


def test_choosing_a_filter_and_pressing_search_with_nothing_typed_filters(app, client, login_as):
    worker = login_as("case_worker", "UPTD_PPA")
    with app.app_context():
        register(worker, risk_level="high")
        register(worker, risk_level="low")
    response = client.post("/cases/search", data={"by": "number", "query": "", "risk_level": "high"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/cases/?risk_level=high"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 kasus" in page
    # The "Filter" button of the same form filters, and nothing typed in the search box reaches the URL.
    response = client.post(
        "/cases/search", data={"query": "Siti", "apply": "filters", "status": "new", "overdue": "y"}
    )
    assert response.status_code == 303 and "Siti" not in response.headers["Location"]
    assert (
        response.headers["Location"].startswith("/cases/?") and "status=new" in response.headers["Location"]
    )
    # Something typed still searches.
    found = client.post("/cases/search", data={"by": "name", "query": "siti canary", "apply": "search"})
    assert found.status_code == 200 and "2 kasus" in found.get_data(as_text=True)


def test_only_supervisors_are_offered_referring_without_consent(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    supervisor = make_user("supervisor", "UPTD_PPA")
    with app.app_context():
        case = register(worker)
    page = _client(app, worker).get(f"/cases/{case.uuid}/refer").get_data(as_text=True)
    assert 'value="not_required"' not in page and 'name="legal_basis"' not in page
    page = _client(app, supervisor).get(f"/cases/{case.uuid}/refer").get_data(as_text=True)
    assert 'value="not_required"' in page and 'name="legal_basis"' in page


def test_the_investigator_finds_the_referral_assigned_to_them_on_their_home_page(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    police_spv = make_user("supervisor", "POLRESTA")
    investigator = make_user("case_worker", "POLRESTA")
    other = make_user("case_worker", "POLRESTA")
    with app.app_context():
        case = register(worker)
    rid = _refer(client, _token(app, worker), case.uuid).json["id"]
    accepted = client.post(
        f"/api/v1/referrals/{rid}/accept",
        json={"assignee": investigator.username},
        headers=_token(app, police_spv),
    )
    assert accepted.status_code == 200
    home = _client(app, investigator).get("/").get_data(as_text=True)
    assert "Rujukan yang ditugaskan kepada Anda" in home
    assert f'href="/referrals/{rid}"' in home and case.case_number in home and "WITA" in home
    assert "Rujukan yang ditugaskan kepada Anda" not in _client(app, other).get("/").get_data(as_text=True)


def test_the_completion_note_is_labelled_by_who_reads_it(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    police_spv = make_user("supervisor", "POLRESTA")
    with app.app_context():
        case = register(worker)
    rid = _refer(client, _token(app, worker), case.uuid).json["id"]
    spv = _token(app, police_spv)
    client.post(f"/api/v1/referrals/{rid}/accept", json={"assignee": police_spv.username}, headers=spv)
    done = client.post(
        f"/api/v1/referrals/{rid}/complete", json={"outcome": "provided", "note": "LP/123"}, headers=spv
    )
    assert done.status_code == 200
    page = _client(app, police_spv).get(f"/referrals/{rid}").get_data(as_text=True)
    assert "Catatan dari lembaga Anda" in page and "Catatan dari POLRESTA" not in page
    page = _client(app, worker).get(f"/referrals/{rid}").get_data(as_text=True)
    assert "Catatan dari POLRESTA" in page and "Catatan dari lembaga Anda" not in page


def test_irreversible_steps_ask_for_confirmation(app, client, make_user):
    worker = make_user("case_worker", "UPTD_PPA")
    police_spv = make_user("supervisor", "POLRESTA")
    with app.app_context():
        case = register(worker)
    rid = _refer(client, _token(app, worker), case.uuid).json["id"]
    mine = _client(app, worker)
    page = mine.get(f"/cases/{case.uuid}").get_data(as_text=True)
    # A worker only asks for a cancellation (a supervisor decides): nothing irreversible on their page.
    assert 'value="request_cancellation"' in page and page.count("data-confirm=") == 0
    boss = _client(app, make_user("supervisor", "UPTD_PPA"))
    page = boss.get(f"/cases/{case.uuid}").get_data(as_text=True)
    cancel = re.search(
        r'<form[^>]*data-confirm="([^"]+)"[^>]*>\s*<input[^>]*>\s*<input[^>]*value="cancel"', page
    )
    assert cancel and cancel.group(1).startswith("Batalkan kasus ini?")
    withdraw = mine.get(f"/referrals/{rid}").get_data(as_text=True)
    assert 'data-action="withdraw" data-confirm="Tarik rujukan ini?' in withdraw
    login(client, police_spv.username)
    incoming = client.get(f"/referrals/{rid}").get_data(as_text=True)
    assert (
        'data-action="decline" data-confirm=' in incoming
        and 'data-action="accept" data-confirm' not in incoming
    )
    # The script that asks is served by the app and loaded on every page, under the CSP's nonce.
    assert re.search(r'<script src="/static/js/confirm.js" nonce="[^"]+"></script>', incoming)
    with client.get("/static/js/confirm.js") as script:
        assert script.status_code == 200 and b"data-confirm" in script.data


def test_a_refused_form_leads_with_a_summary_that_links_to_each_field(client, login_as):
    login_as("case_worker", "UPTD_PPA")
    response = client.post("/cases/new", data={"child_name": "Wa Ode", "idempotency_key": "k" * 32})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = re.search(
        r'<div class="alert alert-danger"[^>]*data-error-summary[^>]*>(.*?)</div>', page, re.S
    )
    assert summary, "no error summary"
    tag = page[summary.start() : page.index(">", summary.start())]
    assert "autofocus" in tag and 'tabindex="-1"' in tag and 'role="alert"' in tag
    links = re.findall(r'<a class="alert-link" href="#([a-z_0-9-]+)">', summary.group(1))
    assert "child_sex" in links and "risk_level" in links
    for target in links:
        assert f'id="{target}"' in page, target
    assert page.index("data-error-summary") < page.index('id="child_name"')  # at the top
    assert 'value="Wa Ode"' in page  # what was typed is kept


def test_icons_are_served_by_the_app(client, login_as):
    login_as("case_worker", "UPTD_PPA")
    page = client.get("/").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', page)
    touch = re.search(r'<link rel="apple-touch-icon" href="([^"]+)">', page)
    assert icon and touch
    with client.get(icon.group(1)) as svg:
        assert svg.status_code == 200 and b"<svg" in svg.data
    with client.get(touch.group(1)) as png:
        assert png.status_code == 200 and png.data.startswith(b"\x89PNG")


def test_the_default_favicon_address_answers_even_signed_out(app):
    with app.test_client().get("/favicon.ico") as response:
        assert response.status_code == 200 and response.data.startswith(b"\x89PNG")


def test_agency_kinds_read_in_words(client, login_as):
    login_as("admin", "DP3A")
    page = client.get("/admin/agencies").get_data(as_text=True)
    assert "Kepolisian" in page and "women_child_protection" not in page


def test_no_template_carries_an_inline_style_or_script():
    """The CSP forbids inline styles and scripts: text keeps its line breaks through `.text-prewrap`, and
    behaviour comes from scripts the app serves (confirm.js, refer.js)."""
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "templates"
    offending = [
        str(path.relative_to(templates))
        for path in sorted(templates.rglob("*.html"))
        if re.search(r'\sstyle="|<script>|\son[a-z]+="', path.read_text("utf-8"))
    ]
    assert offending == []


def test_the_audit_viewers_days_are_kendari_days(app, client, make_user, login_as):
    """An event at 01.00 WITA on 1 December (17.00 UTC on 30 November) is on 1 December for the auditor."""
    import time_machine

    worker = make_user("case_worker", "UPTD_PPA")
    with time_machine.travel("2026-11-30 17:00:00", tick=False):
        login(app.test_client(), worker.username)
    login_as("auditor", "INSPEKTORAT")
    first = client.get("/audit/?action=auth.login&date_from=2026-12-01&date_to=2026-12-01").get_data(
        as_text=True
    )
    assert worker.username in first and "1 Desember 2026 01.00 WITA" in first
    before = client.get("/audit/?action=auth.login&date_to=2026-11-30").get_data(as_text=True)
    assert worker.username not in before
