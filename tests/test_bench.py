"""The benchmark data generator works at a tiny scale (timings are never asserted)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bench.generate import generate
from caseapp.audit import verify_chain
from caseapp.extensions import db
from caseapp.models import Case, CaseNote, CaseParty, Referral
from caseapp.models.case import age_group
from caseapp.services.cases import RESTRICTED_VIOLENCE, initials
from caseapp.services.cases.names import identity_index
from tests.casedata import register
from tests.conftest import KEYS, skip_or_fail
from tests.rawscan import scan_for


def test_generator_writes_real_encrypted_cases_and_resumes(app):
    with app.app_context():
        assert generate(30, batch=12, progress=False) == 30
        assert generate(45, batch=12, progress=False) == 15  # resumes: only what is missing
        assert generate(45, batch=12, progress=False) == 0
        count = db.session.scalar(select(func.count()).select_from(Case))
        assert count == 45
        numbers = list(db.session.scalars(select(Case.case_number)))
        assert len(set(numbers)) == 45
        case = db.session.scalars(select(Case)).first()
        assert case.child_name and " " in case.child_name  # decrypts with its own data key
        party = db.session.scalars(select(CaseParty)).first()
        assert party.name == "Ibu Bench"
        note = db.session.scalars(select(CaseNote)).first()
        assert note.body == "Kunjungan rumah."
        assert db.session.scalar(select(func.count()).select_from(Referral)) >= 0
        assert verify_chain().ok and verify_chain().checked == 45
        names = [c.child_name for c in db.session.scalars(select(Case).limit(3))]
        # The generated cases are in the name index, as registered ones are.
        from caseapp.services.cases import names as name_index

        assert name_index.unindexed_count() == 0
    assert scan_for(app, [*names, "Ibu Bench", "Kunjungan rumah"]) == []


def test_generated_values_are_the_domains_own(app, make_user):
    """Initials, age group, confidentiality and case numbers come from the services' rules, so a case
    registered afterwards continues the numbering."""
    with app.app_context():
        generate(40, batch=15, progress=False)
        cases = list(db.session.scalars(select(Case)))
        for case in cases:
            assert case.child_initials == initials(str(case.child_name))
            assert case.child_age_group == age_group(case.child_age)
            assert case.is_restricted == (case.primary_violence_type in RESTRICTED_VIOLENCE)
            assert case.child_identity_bidx == identity_index(case.child_name, case.child_dob)
        numbers = {case.case_number for case in cases}
        assert len(numbers) == len(cases)  # numbers reserved a batch and a year at a time, none shared
        worker = make_user("case_worker", "UPTD_PPA")
        registered = register(worker)
        year = registered.case_number.split("-")[1]
        same_year = [int(n.rsplit("-", 1)[1]) for n in numbers if n.startswith(f"KDI-{year}-")]
        assert registered.case_number == f"KDI-{year}-{max(same_year, default=0) + 1:05d}"


def _redis_or_skip() -> None:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError as exc:
        skip_or_fail(f"Redis not reachable at 127.0.0.1:6379 for the served app's rate limits ({exc})")


def test_load_runner_serves_drives_and_reports_every_scenario(app, database_url, tmp_path):
    """The whole runner at a tiny scale: gunicorn + the bare app served, wrk driving, figures parsed."""
    import shutil

    from bench import load, report

    if shutil.which("wrk") is None:
        skip_or_fail("wrk is not installed (make test installs Debian's wrk where it can)")
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        skip_or_fail("nginx is not installed (make test installs Debian's nginx-light where it can)")
    _redis_or_skip()
    with app.app_context():
        generate(60, batch=30, progress=False)
        db.session.remove()
    settings = {"SECRET_KEY": "bench-test-secret-" + "y" * 32, **KEYS}
    fixtures, results = load.run_target(
        "tiny",
        database_url,
        settings,
        seconds=1,
        warmup=0.5,  # a fresh worker's first case page (templates compiled) can outlast a 1 s run
        clients=2,
        think_models=(0, 200),
        workers=1,
        redis_db=15,
        echo=lambda _line: None,
    )
    names = [r.scenario for r in results if r.think_ms == 0]
    assert [r.scenario for r in results if r.think_ms == 200] == names
    assert names == [
        "login_page",
        "case_list",
        "case_list_deep",
        "case_page",
        "nik_search",
        "register",
        "dashboard",
        "recap",
        "export_xlsx",
        "bare_list",
        "bare_case",
    ]
    for result in results:
        assert result.requests > 0, result
        assert result.errors == 0, result
        assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms
    # The bare endpoints issue a subset of the real pages' SQL: no session, audit or navigation queries.
    assert 0 < fixtures.statements["bare_list"] < fixtures.statements["case_list"]
    assert 0 < fixtures.statements["bare_case"] < fixtures.statements["case_page"]
    with app.app_context():
        registered = db.session.scalar(select(func.count()).select_from(Case).where(Case.is_demo.is_(False)))
        assert registered and registered >= sum(r.requests for r in results if r.scenario == "register")
        assert verify_chain().ok  # every view, search, export and registration under load chained cleanly

    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text(f"# Benchmarks\n\n{report.DOC_BEGIN}\nold\n{report.DOC_END}\n\nafter\n")
    report.write_doc_section(report.markdown([("tiny", fixtures, results)], "settings line"), doc)
    text = doc.read_text()
    assert "old" not in text and "after" in text and "| case_page |" in text and "settings line" in text
    assert (
        "closed loop" in text
        and "think time 0-0.4 s" in text
        and "Overhead against the bare endpoint" in text
    )


def test_load_runner_drives_pages_open_loop_at_a_fixed_rate_and_reports_them(app, database_url, tmp_path):
    """The open-loop client model at a tiny scale: requests released at the asked rate through the signed-in
    sessions and the API token, every answer as expected, a table of its own in the report."""
    import shutil

    from bench import load, report

    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        skip_or_fail("nginx is not installed (make test installs Debian's nginx-light where it can)")
    _redis_or_skip()
    with app.app_context():
        generate(40, batch=20, progress=False)
        db.session.remove()
    settings = {"SECRET_KEY": "bench-test-secret-" + "x" * 32, **KEYS}
    lines: list[str] = []
    fixtures, results = load.run_target(
        "tiny",
        database_url,
        settings,
        seconds=1,
        warmup=0,
        clients=2,
        think_models=(),  # no wrk: the open loop only
        workers=1,
        redis_db=14,
        only={"case_page", "register", "bare_case"},
        open_rates=[(None, 4.0), ("case_page", 8.0)],
        echo=lines.append,
    )
    assert [(r.scenario, r.rate) for r in results] == [
        ("case_page", 4.0),
        ("case_page", 8.0),
        ("register", 4.0),
        ("bare_case", 4.0),
    ]
    for result in results:
        assert result.requests == round(result.rate), result  # every request sent and answered
        assert result.errors == 0 and result.statuses == {}, result
        assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms
        assert result.sent_rate > 0
    assert sum("open " in line and "req/s" in line for line in lines) == 4
    with app.app_context():
        registered = db.session.scalar(select(func.count()).select_from(Case).where(Case.is_demo.is_(False)))
        assert registered == 4  # the registrations were really sent, one new case each
        assert verify_chain().ok
    text = report.markdown([("tiny", fixtures, results)], "settings line")
    assert "**open loop at 4 req/s**" in text and "**open loop at 8 req/s**" in text
    assert "closed loop" not in text
    table_8 = text.split("**open loop at 8 req/s**", 1)[1]
    assert "| case_page |" in table_8 and "| register | - |" in table_8


def test_throughput_times_verify_and_a_full_rotation_and_leaves_the_data_readable(
    app, database_url, monkeypatch, tmp_path
):
    from bench import throughput

    with app.app_context():
        generate(25, batch=10, progress=False)
        db.session.remove()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "bench-test-secret-" + "z" * 32)
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    figures = throughput.measure()
    assert figures["keys"] == 25 and figures["events"] >= 25
    assert figures["verify_s"] > 0 and figures["rotate_s"] > 0
    with app.app_context():
        assert all(" " in str(c.child_name) for c in db.session.scalars(select(Case)))  # rotated back
        assert verify_chain().ok
    doc = tmp_path / "BENCHMARKS.md"
    doc.write_text(f"x\n{throughput.BEGIN}\n| old | 1 |\n{throughput.END}\ny\n")
    throughput.write_row("tiny", figures, doc)
    throughput.write_row("tiny", figures, doc)  # replaces its own row
    text = doc.read_text()
    assert text.count("| tiny |") == 1 and "| old | 1 |" in text and text.endswith("y\n")
