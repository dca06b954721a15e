"""Two nodes behind one nginx at a tiny scale (bench/twonode.py): sessions, rate limits, the report cache
and the audit chain hold across them under concurrent requests. Throughput is never measured here."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from caseapp.extensions import db
from tests.conftest import KEYS, skip_or_fail


def test_a_node_names_itself_only_when_told(app_factory):
    named = app_factory(NODE_NAME="a").test_client().get("/login")
    assert named.headers["X-Caseapp-Node"] == "a"
    assert "X-Caseapp-Node" not in app_factory().test_client().get("/login").headers


def test_two_nodes_share_sessions_limits_report_cache_and_one_audit_chain(pg_app):
    from bench import twonode
    from bench.generate import generate

    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        skip_or_fail("nginx is not installed (make test installs Debian's nginx-light where it can)")
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError as exc:
        skip_or_fail(f"Redis not reachable at 127.0.0.1:6379 for the nodes' limits and cache ({exc})")
    with pg_app.app_context():
        generate(60, batch=30, progress=False)
        database_url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()
    settings = {"SECRET_KEY": "bench-test-secret-" + "w" * 32, **KEYS}
    found = twonode.check(
        database_url, settings, workers=1, redis_db=14, requests=200, concurrency=6, rate_limit=15, echo=print
    )
    assert found.failures == []
    assert set(found.answers_per_node) == {"a", "b"}
    assert found.session_nodes == found.signed_out_nodes == {"a", "b"}
    assert found.allowed_one_node == found.allowed_two_nodes == 15 and found.refused_nodes == {"a", "b"}
    assert len(found.recap_counted_at) == 1 and found.recap_nodes == {"a", "b"}
    assert len(found.dashboard_counted_at) == 1 and found.dashboard_nodes == {"a", "b"}
    assert found.views == 200 and found.view_nodes == {"a", "b"}
    assert found.audit_events == found.audit_seq_span == found.audit_seq_distinct >= 60 + 200
    assert found.audit_verify.startswith("OK")
