"""Background jobs: mail never goes out inside a request; Celery workers against the real Redis; the sweep.

The Celery tests start the real worker (`celery -A make_celery worker`, with beat where the sweep is
tested) as a subprocess on this test's database, with a queue of their own on the local Redis, and a real
SMTP server (aiosmtpd) in this process.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from caseapp import jobqueue
from caseapp.extensions import db
from caseapp.jobs.embedded import EmbeddedRunner
from caseapp.models import OutboxMessage
from tests.casedata import register
from tests.conftest import KEYS, skip_or_fail
from tests.test_referrals import _refer, _token, smtp_server  # noqa: F401  (smtp_server is a fixture)

ROOT = Path(__file__).resolve().parent.parent
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def referral_parties(make_user):
    """A UPTD PPA worker and a police supervisor with an e-mail address."""
    worker = make_user("case_worker", "UPTD_PPA")
    make_user("supervisor", "POLRESTA", email="kanit@polresta.test")
    return worker


def _outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(db.select(OutboxMessage)))


def test_a_hanging_mail_server_never_holds_a_request(app_factory, referral_parties):
    """An SMTP server that accepts connections and never answers: the referral and the next request are
    answered (the test client runs them in this thread, so a send inside either would block the test)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel accepts; nobody ever says hello
        app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.getsockname()[1])
        with app.app_context():
            case = register(referral_parties)
        client = app.test_client()
        headers = _token(app, referral_parties)
        response = _refer(client, headers, case.uuid)
        assert response.status_code == 201
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        assert [row.sent_at for row in _outbox(app)] == [None]
    # The listener is gone: the pending connection is reset, the job records the failure and stops.
    app.extensions["caseapp.jobs"].drain()
    (row,) = _outbox(app)
    assert row.sent_at is None and row.last_error and row.attempts == 1


class _Recorder:
    def __init__(self) -> None:
        self.names: list[str] = []

    def dispatch(self, name: str) -> None:
        self.names.append(name)


class _BrokenBroker:
    def dispatch(self, name: str) -> None:
        raise ConnectionRefusedError("broker down")


def test_jobs_are_dispatched_only_after_a_commit(app):
    recorder = _Recorder()
    app.extensions["caseapp.jobs"] = recorder
    with app.app_context():
        db.session.execute(db.select(1))
        jobqueue.after_commit("outbox.send")
        jobqueue.after_commit("outbox.send")
        assert recorder.names == []
        db.session.rollback()
        db.session.commit()
        assert recorder.names == []  # the rolled-back transaction asked for nothing
        db.session.execute(db.select(1))
        jobqueue.after_commit("outbox.send")
        db.session.commit()
        assert recorder.names == ["outbox.send"]  # once per transaction


def test_a_broker_error_never_undoes_the_commit(app_factory, referral_parties):
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    app.extensions["caseapp.jobs"] = _BrokenBroker()
    with app.app_context():
        case = register(referral_parties)
    response = _refer(app.test_client(), _token(app, referral_parties), case.uuid)
    assert response.status_code == 201
    (row,) = _outbox(app)
    assert row.sent_at is None and row.attempts == 0  # waits for the sweep


def test_the_embedded_schedule_runs_every_job(app_factory, referral_parties, smtp_server):  # noqa: F811
    controller, received = smtp_server
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    app.extensions["caseapp.jobs"] = _Recorder()  # the request's wake-up call goes nowhere
    with app.app_context():
        case = register(referral_parties)
    assert _refer(app.test_client(), _token(app, referral_parties), case.uuid).status_code == 201
    assert received == []
    runner = EmbeddedRunner(app, schedule=True)
    runner._run_due()  # what the thread does each second: every job is due at its first turn
    assert len(received) == 1
    with app.app_context():
        from caseapp.models import AuditEvent

        actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert "maintenance.prune" in actions


# Celery against the real Redis ------------------------------------------------------------------------


@pytest.fixture
def redis_queue() -> Iterator[str]:
    """A queue name of this test's own on the local Redis (other suites share the server)."""
    import redis

    client = redis.Redis.from_url(REDIS, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis is not reachable at {REDIS}: {exc}")
    name = f"caseapp-test-{uuid.uuid4().hex[:12]}"
    yield name
    client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
    client.close()


def _start_worker(database_url: str, queue: str, mail_port: int, tmp_path: Path, beat: bool):
    env = {
        **os.environ,
        "CASEAPP_CONFIG": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "CELERY_BROKER_URL": REDIS,
        "JOBS_QUEUE": queue,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail_port),
        "JOBS_SCHEDULE": "outbox.send=1" if beat else "outbox.send=86400",
        **KEYS,
    }
    command = [sys.executable, "-m", "celery", "-A", "make_celery", "worker", "--pool", "solo"]
    command += ["-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]
    if beat:
        command += ["-B", "-s", str(tmp_path / "beat-schedule")]
    with (tmp_path / "worker.log").open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, tmp_path / "worker.log"


def _wait_for(received: list, process, log: Path, count: int = 1) -> None:
    deadline = time.monotonic() + 90  # a generous bound for a slow, shared machine; not a measurement
    while len(received) < count and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    assert len(received) >= count, log.read_text()[-3000:]


def _stop(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_celery_worker_sends_the_mail_a_request_queued(
    app_factory,
    database_url,
    referral_parties,
    smtp_server,  # noqa: F811
    redis_queue,
    tmp_path,
):
    controller, received = smtp_server
    app = app_factory(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=controller.port,
        CELERY_BROKER_URL=REDIS,
        JOBS_QUEUE=redis_queue,
    )
    with app.app_context():
        case = register(referral_parties)
    process, log = _start_worker(database_url, redis_queue, controller.port, tmp_path, beat=False)
    try:
        response = _refer(app.test_client(), _token(app, referral_parties), case.uuid)
        assert response.status_code == 201
        _wait_for(received, process, log)
    finally:
        _stop(process)
    assert received[0].rcpt_tos == ["kanit@polresta.test"]
    assert "Siti" not in received[0].content.decode()
    assert "caseapp.outbox.send" in log.read_text()
    (row,) = _outbox(app)
    assert row.sent_at is not None


def test_broker_down_loses_nothing_the_beat_sweep_sends_it(
    app_factory,
    database_url,
    referral_parties,
    smtp_server,  # noqa: F811
    redis_queue,
    tmp_path,
):
    controller, received = smtp_server
    # The web node's broker is down (nothing listens on port 1): the referral is saved all the same.
    app = app_factory(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, CELERY_BROKER_URL="redis://127.0.0.1:1/0"
    )
    with app.app_context():
        case = register(referral_parties)
    response = _refer(app.test_client(), _token(app, referral_parties), case.uuid)
    assert response.status_code == 201
    (row,) = _outbox(app)
    assert row.sent_at is None and received == []
    # Worker and beat come up on the real broker: the sweep finds the row.
    process, log = _start_worker(database_url, redis_queue, controller.port, tmp_path, beat=True)
    try:
        _wait_for(received, process, log)
    finally:
        _stop(process)
    assert len(received) == 1
    (row,) = _outbox(app)
    assert row.sent_at is not None


def test_without_a_broker_the_first_request_starts_the_embedded_schedule(app_factory, smtp_server):  # noqa: F811
    """`make run`: no broker, the web process's job thread sweeps the outbox on its own schedule."""
    controller, received = smtp_server
    app = app_factory(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, JOBS_EMBEDDED_SCHEDULE=True)
    runner = app.extensions["caseapp.jobs"]
    assert isinstance(runner, EmbeddedRunner)
    with app.app_context():
        # A row left by a broker outage or a crash: nothing will ask for it but the sweep.
        db.session.add(OutboxMessage(to_address="kanit@polresta.test", subject="Rujukan", body="-"))
        db.session.commit()
    try:
        assert app.test_client().get("/login").status_code == 200  # the first request starts the thread
        deadline = time.monotonic() + 60  # a bound for a slow machine, not a measurement
        while not received and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        runner.stop()
    assert [m.rcpt_tos for m in received] == [["kanit@polresta.test"]]


def test_gunicorn_sync_worker_answers_while_the_mail_server_hangs(
    app_factory,
    database_url,
    referral_parties,
    tmp_path,
):
    """The issue's check: one sync worker, an SMTP server that accepts and never answers. The referral is
    answered and so is the next request (the client gives each 3 s: a send in the request, as before,
    held the worker 10 s per message)."""
    import json
    import urllib.request

    with socket.socket() as silent, socket.socket() as probe:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        app = app_factory()
        with app.app_context():
            case = register(referral_parties)
        headers = _token(app, referral_parties)
        env = {
            **os.environ,
            "CASEAPP_CONFIG": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key-" + "x" * 32,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(silent.getsockname()[1]),
            **KEYS,
        }
        env.pop("CELERY_BROKER_URL", None)
        command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", "sync"]
        command += ["--bind", f"127.0.0.1:{port}", "wsgi:app"]
        with (tmp_path / "gunicorn.log").open("w") as log:
            server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60  # start-up on a slow machine, not a measurement
            while True:
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=3).close()  # noqa: S310 - loopback
                    break
                except OSError:
                    assert time.monotonic() < deadline and server.poll() is None, (
                        tmp_path / "gunicorn.log"
                    ).read_text()
                    time.sleep(0.2)
            body = {
                "to_agency": "POLRESTA",
                "services": ["law_enforcement"],
                "urgency": "urgent",
                "reason": "Canary reason: report to the police.",
                "shared_sections": ["identity", "incident"],
                "consent": {"given_by": "guardian", "name": "Ibu", "obtained_at": "2026-11-01"},
            }
            refer = urllib.request.Request(  # noqa: S310 - loopback
                f"{base}/api/v1/cases/{case.uuid}/referrals",
                data=json.dumps(body).encode(),
                headers={**headers, "Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(refer, timeout=3) as answer:  # noqa: S310
                assert answer.status == 201
            me = urllib.request.Request(f"{base}/api/v1/me", headers=headers)  # noqa: S310
            with urllib.request.urlopen(me, timeout=3) as answer:  # noqa: S310
                assert answer.status == 200
        finally:
            _stop(server)
    (row,) = _outbox(app)
    assert row.sent_at is None  # it waits in the outbox for the server to recover (the sweep retries)


def test_a_savepoint_neither_dispatches_nor_keeps_what_it_rolled_back(app):
    """A released savepoint is not the commit: its jobs wait for the outermost commit. A savepoint that
    rolls back takes the jobs it asked for with it, but not those asked for before it."""
    recorder = _Recorder()
    app.extensions["caseapp.jobs"] = recorder
    with app.app_context():
        db.session.execute(db.select(1))
        savepoint = db.session.begin_nested()
        jobqueue.after_commit("outbox.send")
        savepoint.commit()
        assert recorder.names == []  # the outbox row is not committed yet
        db.session.commit()
        assert recorder.names == ["outbox.send"]

        recorder.names.clear()
        db.session.execute(db.select(1))
        savepoint = db.session.begin_nested()
        jobqueue.after_commit("outbox.send")
        savepoint.rollback()
        db.session.commit()
        assert recorder.names == []  # its outbox row was rolled back with the savepoint

        db.session.execute(db.select(1))
        jobqueue.after_commit("outbox.send")
        savepoint = db.session.begin_nested()
        jobqueue.after_commit("exports.build")
        savepoint.rollback()
        savepoint = db.session.begin_nested()
        jobqueue.after_commit("outbox.send")
        savepoint.rollback()
        db.session.commit()
        assert recorder.names == ["outbox.send"]  # asked for before the savepoint

        recorder.names.clear()
        db.session.execute(db.select(1))
        savepoint = db.session.begin_nested()
        jobqueue.after_commit("outbox.send")
        savepoint.commit()
        db.session.rollback()
        assert recorder.names == []
