"""Referrals: consent, need-to-know sharing, guarded responses, deadlines, notifications and e-mail."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta

import pytest
import time_machine

from caseapp.extensions import db
from caseapp.models import AuditEvent, Notification, OutboxMessage, Referral, ServiceRecord, User
from caseapp.services import referrals
from tests.casedata import nik, register
from tests.conftest import login

GUARDIAN_CONSENT = {"given_by": "guardian", "name": "Ibu Canary", "obtained_at": "2026-11-20"}


def _token(app, user) -> dict[str, str]:
    result = app.test_cli_runner().invoke(args=["user", "token", user.username])
    return {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}


def _refer(client, headers, case_id, **changes):
    body = {
        "to_agency": "POLRESTA",
        "services": ["law_enforcement"],
        "urgency": "urgent",
        "reason": "Canary reason: report to the police.",
        "shared_sections": ["identity", "incident", "perpetrator"],
        "consent": GUARDIAN_CONSENT,
    }
    body.update(changes)
    return client.post(f"/api/v1/cases/{case_id}/referrals", json=body, headers=headers)


@pytest.fixture
def people(app, make_user):
    """A UPTD PPA worker and supervisor, and the police supervisor and two workers."""
    return {
        "worker": make_user("case_worker", "UPTD_PPA"),
        "uptd_spv": make_user("supervisor", "UPTD_PPA"),
        "police_spv": make_user("supervisor", "POLRESTA"),
        "police_a": make_user("case_worker", "POLRESTA"),
        "police_b": make_user("case_worker", "POLRESTA"),
        "dinsos_spv": make_user("supervisor", "DINSOS"),
    }


@pytest.fixture
def sent(app, client, people):
    """A case with a note, referred to POLRESTA (identity, incident, perpetrator)."""
    with app.app_context():
        case = register(people["worker"], child__nik=nik(11))
    w = _token(app, people["worker"])
    client.post(
        f"/api/v1/cases/{case.uuid}/notes", json={"kind": "visit", "body": "Canary secret note"}, headers=w
    )
    response = _refer(client, w, case.uuid)
    assert response.status_code == 201, response.json
    return {"case": case, "referral": response.json, "w": w}


def test_send_defaults_due_and_audit(app, client, people, sent):
    r = sent["referral"]
    assert r["status"] == "sent" and r["to_agency"] == "POLRESTA" and r["urgency"] == "urgent"
    with app.app_context():
        row = db.session.get(Referral, r["id"])
        assert row.due_at - row.sent_at == timedelta(hours=72)
        assert (
            db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "referral.send")) is not None
        )
        told = db.session.scalars(
            db.select(Notification.user_id).where(Notification.kind == "referral_new")
        ).all()
        assert told == [people["police_spv"].id]
    with app.test_request_context():
        from caseapp.models import Agency

        police = db.session.scalar(db.select(Agency).where(Agency.code == "POLRESTA"))
        assert referrals.default_sections(police) == ["identity", "incident", "perpetrator"]


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"consent": {"given_by": "guardian", "name": "", "obtained_at": "2026-11-20"}}, "consent.name"),
        ({"consent": {}}, "consent.given_by"),
        (
            {"consent": {"given_by": "not_required", "legal_basis_code": "public_task", "legal_basis": ""}},
            "consent.legal_basis",
        ),
        (
            {"consent": {"given_by": "not_required", "legal_basis": "UU 35/2014 Pasal 59A"}},
            "consent.legal_basis_code",
        ),
        (
            {
                "consent": {
                    "given_by": "not_required",
                    "legal_basis_code": "public_task",
                    "legal_basis": "UU 35/2014 Pasal 59A",
                }
            },
            "consent.given_by",
        ),
        ({"consent": {"given_by": "child", "name": "Siti", "obtained_at": "2026-11-20"}}, "consent.given_by"),
        ({"to_agency": "UPTD_PPA"}, "to_agency"),
        ({"to_agency": "BAPPEDA"}, "to_agency"),
        ({"services": []}, "services"),
        ({"urgency": "whenever"}, "urgency"),
    ],
)
def test_bad_referrals_are_refused_with_the_field(app, client, people, changes, field):
    with app.app_context():
        case = register(people["worker"])
    response = _refer(client, _token(app, people["worker"]), case.uuid, **changes)
    assert response.status_code == 400
    assert field in response.json["fields"], response.json


def test_supervisor_may_refer_without_consent_with_a_legal_basis(app, client, people):
    with app.app_context():
        case = register(people["worker"])
    consent = {
        "given_by": "not_required",
        "legal_basis_code": "vital_interest",
        "legal_basis": "UU 35/2014 Pasal 59A: perlindungan khusus",
        "assent": "agreed",
    }
    response = _refer(client, _token(app, people["uptd_spv"]), case.uuid, consent=consent)
    assert response.status_code == 201
    recorded = response.json["consent"]
    assert (recorded["legal_basis_code"], recorded["assent"]) == ("vital_interest", "agreed")
    with app.app_context():
        row = db.session.scalar(db.select(Referral).where(Referral.id == response.json["id"]))
        assert (row.consent_legal_basis, row.consent_assent) == ("vital_interest", "agreed")
        entry = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "referral.send").order_by(AuditEvent.seq.desc())
        ).first()
        details = json.loads(entry.details)
        assert details["legal_basis"] == "vital_interest" and details["assent"] == "agreed"


def test_a_child_s_consent_is_refused_with_the_reason_and_the_guardian_s_taken(app, client, people):
    """UU PDP Pasal 25: for a child a parent or guardian consents; the child's assent is recorded too."""
    with app.app_context():
        case = register(people["worker"])
    child = {"given_by": "child", "name": "Siti", "obtained_at": "2026-11-20"}
    refused = _refer(client, _token(app, people["worker"]), case.uuid, consent=child)
    assert refused.status_code == 400
    assert "Pasal 25" in " ".join(refused.json["fields"]["consent.given_by"])
    guardian = {**child, "given_by": "guardian", "name": "Ibu Wali", "assent": "disagreed"}
    taken = _refer(client, _token(app, people["worker"]), case.uuid, consent=guardian)
    assert taken.status_code == 201, taken.json
    recorded = taken.json["consent"]
    assert recorded["assent"] == "disagreed" and recorded["legal_basis_code"] is None


def test_the_refer_form_warns_when_a_parent_is_the_alleged_perpetrator(app, client, people):
    with app.app_context():
        plain = register(
            people["worker"],
            parties=[{"role": "perpetrator", "name": "Tetangga", "relationship": "neighbour", "sex": "M"}],
        )
        parent = register(
            people["worker"],
            parties=[{"role": "perpetrator", "name": "Ayah", "relationship": "parent", "sex": "M"}],
        )
    login(client, people["worker"].username)
    warning = 'id="guardian-suspected"'
    assert warning not in client.get(f"/cases/{plain.uuid}/refer").get_data(as_text=True)
    page = client.get(f"/cases/{parent.uuid}/refer").get_data(as_text=True)
    assert warning in page
    assert 'value="child"' not in page and 'name="consent_assent"' in page


def test_cannot_refer_a_case_one_cannot_see(app, client, people):
    with app.app_context():
        case = register(people["worker"])
    response = _refer(client, _token(app, people["police_a"]), case.uuid, to_agency="DINSOS")
    assert response.status_code == 404


def test_restricted_identity_needs_a_supervisor(app, client, people):
    with app.app_context():
        case = register(
            people["worker"], incident__violence_types=["sexual"], incident__primary_violence_type="sexual"
        )
    assert _refer(client, _token(app, people["worker"]), case.uuid).status_code == 400
    assert (
        _refer(client, _token(app, people["worker"]), case.uuid, shared_sections=["incident"]).status_code
        == 201
    )
    assert _refer(client, _token(app, people["uptd_spv"]), case.uuid, to_agency="DINKES").status_code == 201


def _get(app, client, user, referral_id):
    return client.get(f"/api/v1/referrals/{referral_id}", headers=_token(app, user))


def test_who_sees_what(app, client, people, sent):
    rid = sent["referral"]["id"]
    # The receiving supervisor: exactly the shared sections, nothing else (absent, not null).
    spv = _get(app, client, people["police_spv"], rid).json
    assert set(spv["case"]) == {"identity", "incident", "perpetrator"}
    assert spv["case"]["identity"]["name"] == "Siti Canary Aminah"
    assert "notes" not in spv["case"] and "contact" not in spv["case"]
    assert "Canary secret note" not in str(spv) and "Canary Guardian" not in str(spv)
    # Another police worker, not assigned: the summary only.
    other = _get(app, client, people["police_a"], rid).json
    assert "case" not in other and other["case_number"] == spv["case_number"]
    assert "Siti" not in str(other) and "reason" not in other
    # A third agency: nothing at all.
    assert _get(app, client, people["dinsos_spv"], rid).status_code == 404
    # The sender: the referral with its reason, but never through the shared view.
    mine = _get(app, client, people["worker"], rid).json
    assert mine["reason"].startswith("Canary reason") and "case" not in mine
    # Police cannot open the case itself.
    police_client = app.test_client()
    assert (
        police_client.get(
            f"/api/v1/cases/{sent['case'].uuid}", headers=_token(app, people["police_spv"])
        ).status_code
        == 404
    )
    views = [e for e in _events(app, "case.view") if '"referral"' in (e.details or "")]
    assert len(views) == 1 and views[0].actor_id == people["police_spv"].id


def _events(app, action):
    with app.app_context():
        rows = list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))
        db.session.expunge_all()
        return rows


def test_notes_reach_the_police_only_when_shared(app, client, people):
    with app.app_context():
        case = register(people["worker"])
    w = _token(app, people["worker"])
    client.post(
        f"/api/v1/cases/{case.uuid}/notes", json={"kind": "call", "body": "Canary shared note"}, headers=w
    )
    rid = _refer(client, w, case.uuid, shared_sections=["incident", "notes"]).json["id"]
    view = _get(app, client, people["police_spv"], rid).json
    assert [n["body"] for n in view["case"]["notes"]] == ["Canary shared note"]
    assert "identity" not in view["case"]


def test_access_follows_the_referral_state(app, client, people, sent):
    rid = sent["referral"]["id"]
    spv, a = _token(app, people["police_spv"]), _token(app, people["police_a"])
    accepted = client.post(
        f"/api/v1/referrals/{rid}/accept", json={"assignee": people["police_a"].username}, headers=spv
    )
    assert accepted.status_code == 200 and accepted.json["assignee"] == people["police_a"].username
    assert "case" in _get(app, client, people["police_a"], rid).json  # the assignee now reads it
    assert "case" not in _get(app, client, people["police_b"], rid).json
    assert (
        client.post(
            f"/api/v1/referrals/{rid}/complete",
            json={"outcome": "provided", "note": "LP/123"},
            headers=_token(app, people["police_b"]),
        ).status_code
        == 403
    )
    done = client.post(
        f"/api/v1/referrals/{rid}/complete", json={"outcome": "provided", "note": "LP/123"}, headers=a
    )
    assert done.status_code == 200 and done.json["status"] == "completed"
    assert "case" in _get(app, client, people["police_a"], rid).json  # read-only after completion
    with app.app_context():
        services = db.session.scalars(db.select(ServiceRecord)).all()
        assert [(s.service_type, s.provider_agency.code) for s in services] == [
            ("law_enforcement", "POLRESTA")
        ]
    case = client.get(f"/api/v1/cases/{sent['case'].uuid}", headers=sent["w"]).json
    assert [e["kind"] for e in case["timeline"] if e["kind"].startswith("referral")] == [
        "referral_sent",
        "referral_accepted",
        "referral_completed",
    ]
    again = client.post(f"/api/v1/referrals/{rid}/decline", json={"reason": "no_capacity"}, headers=spv)
    assert again.status_code == 409 and again.json["fields"]["status"] == ["completed"]


def test_decline_ends_access_and_needs_a_reason(app, client, people, sent):
    rid = sent["referral"]["id"]
    spv = _token(app, people["police_spv"])
    assert client.post(f"/api/v1/referrals/{rid}/decline", json={}, headers=spv).status_code == 400
    assert (
        client.post(f"/api/v1/referrals/{rid}/decline", json={"reason": "other"}, headers=spv).status_code
        == 400
    )
    declined = client.post(
        f"/api/v1/referrals/{rid}/decline", json={"reason": "not_our_mandate"}, headers=spv
    )
    assert declined.json["status"] == "declined"
    after = _get(app, client, people["police_spv"], rid).json
    assert "case" not in after and "Siti" not in str(after)
    with app.app_context():
        told = db.session.scalars(
            db.select(Notification.user_id).where(Notification.kind == "referral_declined")
        ).all()
        assert told == [people["worker"].id]


def test_withdraw_by_the_sender_only_with_a_reason(app, client, people, sent):
    rid = sent["referral"]["id"]
    assert (
        client.post(
            f"/api/v1/referrals/{rid}/withdraw",
            json={"reason": "x"},
            headers=_token(app, people["police_spv"]),
        ).status_code
        == 403
    )
    assert (
        client.post(f"/api/v1/referrals/{rid}/withdraw", json={"reason": ""}, headers=sent["w"]).status_code
        == 400
    )
    done = client.post(
        f"/api/v1/referrals/{rid}/withdraw", json={"reason": "Sudah ditangani"}, headers=sent["w"]
    )
    assert done.json["status"] == "withdrawn"
    assert "case" not in _get(app, client, people["police_spv"], rid).json


def test_two_simultaneous_accepts_one_wins(app, people, sent):
    """Two police workers accept the same referral at once: one 200, one 409."""
    rid = sent["referral"]["id"]
    tokens = [_token(app, people["police_a"]), _token(app, people["police_b"])]
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def accept(headers):
        client = app.test_client()
        barrier.wait()
        codes.append(client.post(f"/api/v1/referrals/{rid}/accept", headers=headers).status_code)

    threads = [threading.Thread(target=accept, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409]
    assert len(_events(app, "referral.accept")) == 1


def test_overdue_is_flagged_and_reminded_once_a_day(app, client, people):
    with app.app_context():
        case = register(people["worker"])
    with time_machine.travel("2026-11-27 08:00:00", tick=False) as clock:
        rid = _refer(client, _token(app, people["worker"]), case.uuid, urgency="emergency").json["id"]
        clock.shift(timedelta(hours=23))
        assert (
            app.test_cli_runner().invoke(args=["referrals", "remind"]).output.startswith("Reminded about 0")
        )
        clock.shift(timedelta(hours=2))
        listing = client.get(
            "/api/v1/referrals?box=outgoing&status=overdue", headers=_token(app, people["worker"])
        )
        assert [r["id"] for r in listing.json["items"]] == [rid] and listing.json["items"][0]["overdue"]
        first = app.test_cli_runner().invoke(args=["referrals", "remind"])
        second = app.test_cli_runner().invoke(args=["referrals", "remind"])
        assert "Reminded about 1" in first.output and "Reminded about 0" in second.output
        clock.shift(timedelta(days=1))
        assert "Reminded about 1" in app.test_cli_runner().invoke(args=["referrals", "remind"]).output
        for who in ("police_spv", "uptd_spv"):
            c = app.test_client()
            login(c, people[who].username)
            assert 'data-testid="overdue-referrals"' in c.get("/").get_data(as_text=True), who
        c = app.test_client()
        login(c, people["police_spv"].username)
        inbox = c.get("/referrals/?box=incoming").get_data(as_text=True)
        assert 'data-testid="referral-overdue"' in inbox
    with app.app_context():
        reminders = db.session.scalars(
            db.select(Notification).where(Notification.kind == "referral_overdue")
        ).all()
        assert len(reminders) == 2 and {n.user_id for n in reminders} == {people["police_spv"].id}


def test_the_reminder_job_works_in_batches_and_skips_rows_another_worker_holds(
    app, client, people, monkeypatch
):
    """A backlog is reminded batch by batch (short transactions); a referral another worker has claimed is
    skipped, not waited for and not reminded twice (PostgreSQL: SQLite lets one writer in at a time)."""
    from sqlalchemy import text

    from caseapp.jobs import run_job, tasks

    monkeypatch.setattr(tasks, "REMIND_BATCH", 2)
    with app.app_context():
        case = register(people["worker"])
    with time_machine.travel("2026-11-27 08:00:00", tick=False) as clock:
        headers = _token(app, people["worker"])
        ids = [_refer(client, headers, case.uuid, urgency="emergency").json["id"] for _ in range(4)]
        clock.shift(timedelta(days=2))
        with app.app_context():
            held = None
            if db.engine.dialect.name == "postgresql":
                held = db.engine.connect()  # another worker, in the middle of its batch
                held.execute(text("SELECT id FROM referral WHERE id = :i FOR UPDATE"), {"i": ids[0]})
            try:
                first = run_job("referrals.remind")
            finally:
                if held is not None:
                    held.rollback()
                    held.close()
            second = run_job("referrals.remind")
            third = run_job("referrals.remind")
            reminded = db.session.scalars(
                db.select(AuditEvent.object_id).where(AuditEvent.action == "referral.remind")
            ).all()
    if held is not None:
        assert (first, second) == ("reminded 3", "reminded 1")
    else:
        assert (first, second) == ("reminded 4", "reminded 0")
    assert third == "reminded 0"
    assert len(reminded) == 4 and len(set(reminded)) == 4  # each once


def test_bell_counts_and_marks_read(app, client, people, sent):
    login(client, people["police_spv"].username)
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="incoming-count">1' in page
    notes = client.get("/notifications").get_data(as_text=True)
    assert sent["referral"]["case_number"] in notes and "Siti" not in notes
    client.post("/notifications")
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(Notification.read_at).where(Notification.user_id == people["police_spv"].id)
            )
            is not None
        )


# E-mail through the outbox ----------------------------------------------------------------------------


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (aiosmtpd), collecting messages."""
    from aiosmtpd.controller import Controller

    received: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            received.append(envelope)
            return "250 OK"

    import socket

    with socket.socket() as probe:  # a free loopback port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, received
    controller.stop()


def test_mail_goes_through_a_real_smtp_server(app_factory, make_user, smtp_server):
    controller, received = smtp_server
    app = app_factory(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_DEFAULT_SENDER="caseapp@kendari.test"
    )
    worker = make_user("case_worker", "UPTD_PPA")
    make_user("supervisor", "POLRESTA", email="kanit@polresta.test")
    with app.app_context():
        case = register(worker)
    response = _refer(app.test_client(), _token(app, worker), case.uuid)
    assert response.status_code == 201
    response.close()
    # The request only wrote the outbox row; the job runner (here the embedded thread) sends it.
    app.extensions["caseapp.jobs"].drain()
    # Nothing from the case's content is in it.
    assert len(received) == 1 and received[0].rcpt_tos == ["kanit@polresta.test"]
    text = received[0].content.decode()
    assert response.json["case_number"] in text and "Siti" not in text and "Canary" not in text
    with app.app_context():
        assert db.session.scalar(db.select(OutboxMessage.sent_at)) is not None


def test_mail_server_down_loses_nothing_and_retries(app_factory, make_user, smtp_server):
    controller, received = smtp_server
    down = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    worker = make_user("case_worker", "UPTD_PPA")
    make_user("supervisor", "POLRESTA", email="kanit@polresta.test")
    with down.app_context():
        case = register(worker)
    with time_machine.travel("2026-11-27 08:00:00", tick=False) as clock:
        response = _refer(down.test_client(), _token(down, worker), case.uuid)
        assert response.status_code == 201  # the referral is sent whatever the mail does
        response.close()
        down.extensions["caseapp.jobs"].drain()
        with down.app_context():
            row = db.session.scalar(db.select(OutboxMessage))
            assert row.sent_at is None and row.attempts == 1 and "Error" in row.last_error
            assert db.session.get(Referral, response.json["id"]).status == "sent"
        up = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
        result = up.test_cli_runner().invoke(args=["outbox", "send"])
        assert "Sent 0" in result.output  # backing off: not yet due
        clock.shift(timedelta(minutes=2))
        result = up.test_cli_runner().invoke(args=["outbox", "send"])
        assert "Sent 1, failed 0" in result.output
    assert len(received) == 1


def test_inbox_and_outbox_pages(app, client, people, sent):
    login(client, people["police_a"].username)
    inbox = client.get("/referrals/?box=incoming").get_data(as_text=True)
    assert sent["referral"]["case_number"] in inbox and "Siti" not in inbox
    page = client.get(f"/referrals/{sent['referral']['id']}").get_data(as_text=True)
    assert "Siti" not in page and 'data-testid="shared"' not in page
    client = app.test_client()
    login(client, people["worker"].username)
    outbox = client.get("/referrals/?box=outgoing").get_data(as_text=True)
    assert sent["referral"]["case_number"] in outbox
    case_page = client.get(f"/cases/{sent['case'].uuid}").get_data(as_text=True)
    assert 'data-testid="case-referrals"' in case_page and "POLRESTA" in case_page


# The matrix: viewer x referral state -> what they get -----------------------------------------------------

STATES = ("sent", "accepted", "completed", "declined", "withdrawn")
# viewer -> state -> expected: "shared" (sections), "summary" (no identity), "404"
EXPECTED = {
    "police_spv": {
        "sent": "shared",
        "accepted": "shared",
        "completed": "shared",
        "declined": "summary",
        "withdrawn": "summary",
    },
    "police_a": {
        "sent": "summary",
        "accepted": "shared",
        "completed": "shared",
        "declined": "summary",
        "withdrawn": "summary",
    },  # police_a is the assignee from acceptance on
    "police_b": dict.fromkeys(STATES, "summary"),
    "dinsos_spv": dict.fromkeys(STATES, "404"),
    "worker": dict.fromkeys(STATES, "sender"),
    "uptd_spv": dict.fromkeys(STATES, "sender"),
}


def _drive_to(client, app, people, rid, state, sender_headers):
    spv = _token(app, people["police_spv"])
    if state in ("accepted", "completed"):
        client.post(
            f"/api/v1/referrals/{rid}/accept", json={"assignee": people["police_a"].username}, headers=spv
        )
    if state == "completed":
        client.post(f"/api/v1/referrals/{rid}/complete", json={"outcome": "provided"}, headers=spv)
    if state == "declined":
        client.post(f"/api/v1/referrals/{rid}/decline", json={"reason": "no_capacity"}, headers=spv)
    if state == "withdrawn":
        client.post(
            f"/api/v1/referrals/{rid}/withdraw", json={"reason": "Tidak perlu lagi"}, headers=sender_headers
        )


@pytest.mark.parametrize("state", STATES)
def test_visibility_matrix(app, client, people, sent, state):
    rid = sent["referral"]["id"]
    _drive_to(client, app, people, rid, state, sent["w"])
    assert _get(app, client, people["worker"], rid).json["status"] == state
    for viewer, by_state in EXPECTED.items():
        response = _get(app, client, people[viewer], rid)
        expected = by_state[state]
        if expected == "404":
            assert response.status_code == 404, (viewer, state)
            continue
        body = response.json
        text = str(body)
        if expected == "shared":
            assert set(body["case"]) == {"identity", "incident", "perpetrator"}, (viewer, state)
        else:
            assert "case" not in body, (viewer, state)
            if expected == "summary":
                assert "Siti" not in text and "Canary reason" not in text, (viewer, state)
        assert "Canary secret note" not in text  # notes were not shared: nobody receives them


# Regressions from review ----------------------------------------------------------------------------------


def test_restricted_cases_share_only_incident_and_services_unless_a_supervisor_sends(app, client, people):
    with app.app_context():
        case = register(
            people["worker"], incident__violence_types=["sexual"], incident__primary_violence_type="sexual"
        )
    w = _token(app, people["worker"])
    for sections in (["contact"], ["perpetrator"], ["notes"], ["identity", "incident"]):
        response = _refer(client, w, case.uuid, to_agency="DINSOS", shared_sections=sections)
        assert response.status_code == 400, sections
    assert (
        _refer(client, w, case.uuid, to_agency="DINSOS", shared_sections=["incident", "services"]).status_code
        == 201
    )


def test_cancelled_case_is_no_longer_readable_through_its_referral(app, client, people, sent):
    client.post(
        f"/api/v1/cases/{sent['case'].uuid}/transition",
        json={"action": "cancel", "reason": "duplicate", "version": 1},
        headers=_token(app, people["uptd_spv"]),  # a supervisor cancels; a worker only asks
    )
    view = _get(app, client, people["police_spv"], sent["referral"]["id"]).json
    assert "case" not in view and "Siti" not in str(view)


def test_only_the_supervisor_or_assignee_declines(app, client, people, sent):
    rid = sent["referral"]["id"]
    response = client.post(
        f"/api/v1/referrals/{rid}/decline",
        json={"reason": "no_capacity"},
        headers=_token(app, people["police_b"]),
    )
    assert response.status_code == 403
    assert _get(app, client, people["worker"], rid).json["status"] == "sent"


def test_a_reassigned_worker_cannot_complete(app, client, people, sent):
    rid = sent["referral"]["id"]
    spv = _token(app, people["police_spv"])
    client.post(
        f"/api/v1/referrals/{rid}/accept", json={"assignee": people["police_a"].username}, headers=spv
    )
    client.post(
        f"/api/v1/referrals/{rid}/assign", json={"assignee": people["police_b"].username}, headers=spv
    )
    stale = client.post(
        f"/api/v1/referrals/{rid}/complete",
        json={"outcome": "provided"},
        headers=_token(app, people["police_a"]),
    )
    assert stale.status_code == 403
    done = client.post(
        f"/api/v1/referrals/{rid}/complete",
        json={"outcome": "provided"},
        headers=_token(app, people["police_b"]),
    )
    assert done.status_code == 200


@pytest.mark.parametrize(
    "changes",
    [
        {"services": [["law_enforcement"]]},
        {"urgency": []},
        {"shared_sections": [{}]},
        {"consent": {"given_by": []}},
        {"reason": 5},
    ],
)
def test_odd_referral_json_is_400(app, client, people, changes):
    with app.app_context():
        case = register(people["worker"])
    assert _refer(client, _token(app, people["worker"]), case.uuid, **changes).status_code == 400


def test_huge_ids_are_404(app, client, people):
    headers = _token(app, people["police_spv"])
    for rid in ("3000000000", "99999999999999999999"):
        assert client.get(f"/api/v1/referrals/{rid}", headers=headers).status_code == 404


def test_an_agency_without_a_supervisor_still_hears_of_its_referrals(app, client, people, make_user):
    nurse = make_user("case_worker", "DINKES")
    with app.app_context():
        case = register(people["worker"])
    _refer(client, _token(app, people["worker"]), case.uuid, to_agency="DINKES", services=["health"])
    with app.app_context():
        told = db.session.scalars(
            db.select(Notification.user_id).where(Notification.kind == "referral_new")
        ).all()
    assert told == [nurse.id]


def test_one_bad_message_does_not_stop_the_outbox(app_factory, make_user, smtp_server):
    controller, received = smtp_server
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    with app.app_context():
        db.session.add(OutboxMessage(to_address="bad\nBcc: x@evil.test", subject="s", body="b"))
        db.session.add(OutboxMessage(to_address="good@dinsos.test", subject="s", body="b"))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "Sent 1, failed 1" in result.output
    assert [e.rcpt_tos for e in received] == [["good@dinsos.test"]]
    again = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "Sent 0" in again.output  # nothing sent twice


def test_read_only_access_after_completion_ends_after_30_days(app, client, people, sent):
    rid = sent["referral"]["id"]
    spv = _token(app, people["police_spv"])
    with time_machine.travel("2026-11-27 08:00:00", tick=False) as clock:
        client.post(f"/api/v1/referrals/{rid}/accept", headers=spv)
        client.post(f"/api/v1/referrals/{rid}/complete", json={"outcome": "provided"}, headers=spv)
        clock.shift(timedelta(days=29))
        assert "case" in _get(app, client, people["police_spv"], rid).json
        clock.shift(timedelta(days=2))
        later = _get(app, client, people["police_spv"], rid).json
        assert "case" not in later and later["status"] == "completed"


# One schema layer, one access rule ------------------------------------------------------------------------

ACTION = re.compile(r'data-action="(\w+)"')


def _t(app, msgid: str) -> str:
    """Return a message as the users of these tests read it (the default language)."""
    from flask_babel import gettext

    with app.test_request_context():
        return gettext(msgid)


# viewer -> the steps the referral page offers them, by state (police_a is the assignee in both states).
OFFERED = {
    "sent": {
        "worker": {"withdraw"},
        "police_spv": {"accept", "assign", "decline"},
        "police_a": {"accept", "decline"},
        "police_b": {"accept"},
    },
    "accepted": {
        "worker": {"withdraw"},
        "police_spv": {"assign", "complete"},
        "police_a": {"complete"},
        "police_b": set(),
    },
    "completed": dict.fromkeys(("worker", "police_spv", "police_a", "police_b"), set()),
}


@pytest.mark.parametrize("state", list(OFFERED))
def test_the_page_offers_exactly_the_available_actions(app, client, people, sent, state):
    rid = sent["referral"]["id"]
    spv = _token(app, people["police_spv"])
    assignee = {"assignee": people["police_a"].username}
    if state == "sent":
        assert client.post(f"/api/v1/referrals/{rid}/assign", json=assignee, headers=spv).status_code == 200
    else:
        _drive_to(client, app, people, rid, state, sent["w"])
    for viewer, expected in OFFERED[state].items():
        browser = app.test_client()
        login(browser, people[viewer].username)
        page = browser.get(f"/referrals/{rid}").get_data(as_text=True)
        offered = ACTION.findall(page)
        assert len(offered) == len(set(offered)), (viewer, offered)
        with app.test_request_context():
            user = db.session.get(User, people[viewer].id)
            available = referrals.available_referral_actions(user, db.session.get(Referral, rid))
        assert set(offered) == {str(s) for s in available} == expected, (state, viewer)
        # The accept form names a worker exactly where the user may assign.
        assert ('id="accept-assignee"' in page) == ({"accept", "assign"} <= expected), (state, viewer)


def test_web_and_api_withdraw_take_the_same_field_and_permission(app, client, people, sent):
    from caseapp.http.policy import policy_of
    from caseapp.schemas.referrals import WithdrawIn
    from caseapp.security.permissions import Permission
    from caseapp.web.referrals.forms import WithdrawForm

    web, api = app.view_functions["referrals.withdraw"], app.view_functions["api.withdraw_referral"]
    assert policy_of(web) == policy_of(api) == Permission.REFERRAL_SEND
    with app.test_request_context():
        assert set(WithdrawForm(formdata=None)._fields) - {"csrf_token"} == set(WithdrawIn.model_fields)
    assert set(WithdrawIn.model_fields) == {"reason"}
    rid = sent["referral"]["id"]
    # The API takes `reason` only (a `note` is an unknown field).
    refused = client.post(f"/api/v1/referrals/{rid}/withdraw", json={"note": "x"}, headers=sent["w"])
    assert refused.status_code == 400 and set(refused.json["fields"]) == {"note", "reason"}
    # The receiving side may not withdraw from the page either, and the respond form no longer withdraws.
    police = app.test_client()
    login(police, people["police_spv"].username)
    assert police.post(f"/referrals/{rid}/withdraw", data={"reason": "x"}).status_code == 403
    police.post(f"/referrals/{rid}/respond", data={"action": "withdraw", "note": "x"})
    # The sender's page: the same field, the same message when it is empty.
    login(client, people["worker"].username)
    message = _t(app, "Say why the referral is withdrawn.")
    empty = client.post(f"/referrals/{rid}/withdraw", data={"reason": "  "}, follow_redirects=True)
    assert message in empty.get_data(as_text=True)
    api_empty = client.post(f"/api/v1/referrals/{rid}/withdraw", json={"reason": ""}, headers=sent["w"])
    assert api_empty.json["fields"]["reason"] == [message]
    assert _get(app, client, people["worker"], rid).json["status"] == "sent"
    done = client.post(f"/referrals/{rid}/withdraw", data={"reason": "Sudah ditangani"})
    assert done.status_code == 302
    mine = _get(app, client, people["worker"], rid).json
    assert mine["status"] == "withdrawn" and mine["response_note"] == "Sudah ditangani"
    assert len(_events(app, "referral.withdraw")) == 1


@pytest.mark.parametrize(
    "changes,path",
    [
        ({"colour": "red"}, "colour"),
        ({"services": ["law_enforcement", "teleportation"]}, "services.1"),
        ({"shared_sections": ["identity", "diary"]}, "shared_sections.1"),
        ({"consent": {**GUARDIAN_CONSENT, "witness": "Pak RT"}}, "consent.witness"),
        ({"consent": {**GUARDIAN_CONSENT, "obtained_at": "20-11-2026"}}, "consent.obtained_at"),
        ({"urgency": "whenever"}, "urgency"),
    ],
)
def test_an_unknown_field_or_a_bad_code_in_a_send_body_names_its_path(app, client, people, changes, path):
    with app.app_context():
        case = register(people["worker"])
    response = _refer(client, _token(app, people["worker"]), case.uuid, **changes)
    assert response.status_code == 400 and response.json["error"] == "validation_failed"
    assert list(response.json["fields"]) == [path], response.json
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Referral)) == 0


def test_the_refer_page_and_the_api_refuse_alike(app, client, people):
    with app.app_context():
        case = register(people["worker"])
    w = _token(app, people["worker"])
    api = _refer(client, w, case.uuid, reason="  ", consent={"given_by": "guardian"})
    assert api.status_code == 400
    assert api.json["fields"] == {
        "reason": [_t(app, "Say why the child is referred.")],
        "consent.name": [_t(app, "Who gave the consent?")],
        "consent.obtained_at": [_t(app, "When was the consent given? (YYYY-MM-DD)")],
    }
    login(client, people["worker"].username)
    form = {
        "to_agency": "POLRESTA",
        "services": "law_enforcement",
        "urgency": "urgent",
        "reason": "  ",
        "shared_sections": "incident",
        "consent_given_by": "guardian",
    }
    page = client.post(f"/cases/{case.uuid}/refer", data=form)
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    for message in api.json["fields"].values():
        assert message[0] in html
    assert 'id="consent_name-error"' in html and 'id="reason-error"' in html


def test_only_a_supervisor_is_offered_to_refer_without_consent(app, client, people):
    with app.app_context():
        case = register(people["worker"])
    login(client, people["worker"].username)
    assert 'value="not_required"' not in client.get(f"/cases/{case.uuid}/refer").get_data(as_text=True)
    spv = app.test_client()
    login(spv, people["uptd_spv"].username)
    assert 'value="not_required"' in spv.get(f"/cases/{case.uuid}/refer").get_data(as_text=True)


def test_the_api_answers_utc_and_the_pages_show_kendari_time(app, client, people):
    with app.app_context():
        case = register(people["worker"])
    with time_machine.travel("2026-11-27 08:00:00", tick=False):
        body = _refer(client, _token(app, people["worker"]), case.uuid).json
        assert body["sent_at"] == "2026-11-27T08:00:00Z" and body["due_at"] == "2026-11-30T08:00:00Z"
        login(client, people["police_spv"].username)
        page = client.get(f"/referrals/{body['id']}").get_data(as_text=True)
        assert "27 November 2026 16.00 WITA" in page and "30 November 2026 16.00 WITA" in page
        assert "UTC" not in page
        inbox = client.get("/referrals/").get_data(as_text=True)
        assert "30 November 2026 16.00 WITA" in inbox
        client.post("/locale", data={"lang": "en"})
        page = client.get(f"/referrals/{body['id']}").get_data(as_text=True)
        assert re.search(r"November 30, 2026,? 4:00\W+PM WITA", page)


def test_the_referral_answer_is_described_field_by_field(app, client, people):
    doc = client.get("/api/v1/openapi.json", headers=_token(app, people["worker"])).json
    schemas = doc["components"]["schemas"]
    answer = schemas["ReferralOut"]
    assert answer["additionalProperties"] is False
    assert {"id", "status", "sent_at", "due_at", "overdue", "assignee"} <= set(answer["required"])
    assert {"case", "consent", "reason", "response_note", "case_id"}.isdisjoint(answer["required"])
    send = doc["paths"]["/cases/{case_id}/referrals"]["post"]
    assert send["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReferralIn")
    services = schemas["ReferralIn"]["properties"]["services"]["items"]
    assert "law_enforcement" in services["enum"]
    assert schemas["WithdrawIn"]["required"] == ["reason"]


def test_only_supervisors_supervise_referrals():
    from caseapp.security.permissions import Permission, Role, role_has

    assert {r for r in Role if role_has(r, Permission.REFERRAL_SUPERVISE)} == {Role.SUPERVISOR}


def test_a_step_refused_for_its_state_is_explained_in_words(app, client, people, sent):
    """Declining an accepted referral on the page says so in a sentence, not with a status code."""
    referral_id = sent["referral"]["id"]
    supervisor = people["police_spv"]
    accepted = client.post(
        f"/api/v1/referrals/{referral_id}/accept", json={}, headers=_token(app, supervisor)
    )
    assert accepted.status_code == 200
    web = app.test_client()
    login(web, supervisor.username)
    web.post(
        f"/referrals/{referral_id}/respond", data={"action": "decline", "reason": "no_capacity", "note": "x"}
    )
    page = web.get(f"/referrals/{referral_id}").get_data(as_text=True)
    assert "Rujukan ini sudah berstatus Diterima." in page
