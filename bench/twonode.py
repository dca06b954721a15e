"""Two application nodes behind one nginx: what must hold across nodes, checked under load, and one page's
throughput on one node and on two.

    python -m bench.twonode --database postgresql+psycopg://postgres@127.0.0.1/caseapp_bench_10k

Node A and node B are two separate gunicorn groups (`--workers` sync workers each, production
configuration, `CASEAPP_NODE_NAME` a / b, answered as X-Caseapp-Node) on the same PostgreSQL database and
the same Redis, behind one nginx upstream (round robin). The checks (`check`):

1. sessions: a browser signed in through nginx is served as itself by both nodes, and once it signs out
   through one node, neither serves it;
2. rate limits: API requests over the limit spread over both nodes are refused (429) after the same total
   as on one node: the counters are in Redis;
3. report cache: the recap's "counted at" (API, to the second) and the dashboard's (page) are the same from
   both nodes, requests a second apart: one computation for the deployment;
4. audit chain: after concurrent case-page views (each one audited) through both nodes, `flask audit
   verify` passes and the sequence numbers have no gap and no duplicate.

Then (`measure`, not in the test) wrk drives the case page and the sign-in page through nginx in front of
one node and in front of two: printed, never asserted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from bench.clients import cookie_header, sign_in
from bench.driver import read_result, run_wrk
from bench.fixtures import Fixtures, prepare
from bench.scenarios import Scenario
from bench.serve import ROOT, app_environment, gunicorn, local_settings, proxy

NODES = ("a", "b")
NODE_HEADER = "X-Caseapp-Node"
_COUNTED_AT = re.compile(r'data-testid="computed-at">([^<]+)<')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class Answer:
    """One answer: its status, the node that gave it, its body."""

    status: int
    node: str
    body: str
    location: str = ""


def request(
    url: str, cookies: dict[str, str] | None = None, data: dict[str, str] | None = None, token: str = ""
) -> Answer:
    """GET (or POST a form) without following redirects; say which node answered."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body)  # noqa: S310  (our own loopback URL)
    if cookies:
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        response = _opener.open(req, timeout=60)
    except urllib.error.HTTPError as exc:
        response = exc
    text = response.read().decode("utf-8", "replace")
    return Answer(
        response.status, response.headers.get(NODE_HEADER, "?"), text, response.headers.get("Location", "")
    )


@dataclass
class Findings:
    """What the checks saw; `failures` lists what did not hold (empty: everything held)."""

    answers_per_node: Counter[str] = field(default_factory=Counter)
    session_nodes: set[str] = field(default_factory=set)
    signed_out_nodes: set[str] = field(default_factory=set)
    rate_limit: int = 0
    allowed_one_node: int = 0
    allowed_two_nodes: int = 0
    refused_nodes: set[str] = field(default_factory=set)
    recap_counted_at: set[str] = field(default_factory=set)
    recap_nodes: set[str] = field(default_factory=set)
    dashboard_counted_at: set[str] = field(default_factory=set)
    dashboard_nodes: set[str] = field(default_factory=set)
    views: int = 0
    view_nodes: set[str] = field(default_factory=set)
    audit_events: int = 0
    audit_seq_span: int = 0
    audit_seq_distinct: int = 0
    audit_verify: str = ""
    failures: list[str] = field(default_factory=list)

    def expect(self, holds: bool, what: str) -> None:
        """Record `what` as a failure unless it holds."""
        if not holds:
            self.failures.append(what)

    def lines(self) -> list[str]:
        """Say what was seen, one line per check."""
        return [
            f"answers per node: {dict(self.answers_per_node)}",
            f"sessions: served signed in by {sorted(self.session_nodes)}, refused after sign-out by "
            f"{sorted(self.signed_out_nodes)}",
            f"rate limit {self.rate_limit}/min: allowed {self.allowed_one_node} on one node, "
            f"{self.allowed_two_nodes} over two (429 from {sorted(self.refused_nodes)})",
            f"report cache: recap counted at {sorted(self.recap_counted_at)} "
            f"from {sorted(self.recap_nodes)}; "
            f"dashboard {sorted(self.dashboard_counted_at)} from {sorted(self.dashboard_nodes)}",
            f"audit chain: {self.views} concurrent case views through {sorted(self.view_nodes)}; "
            f"{self.audit_events} events, seq span {self.audit_seq_span}, "
            f"distinct {self.audit_seq_distinct}; "
            f"verify: {self.audit_verify}",
        ]


def node_environment(
    database_url: str, redis_db: int, settings: dict[str, str], work: Path, rate_limit: int
) -> dict[str, str]:
    """The production environment every node shares (one database, one Redis, one checkpoint file)."""
    return {
        **app_environment(database_url, redis_db, settings),
        "API_RATE_LIMIT": f"{rate_limit} per minute",
        "CASEAPP_AUDIT_CHECKPOINT_FILE": str(work / "audit-checkpoints.jsonl"),
    }


@contextmanager
def nodes(env: dict[str, str], names: tuple[str, ...], workers: int, log: Path) -> Iterator[list[int]]:
    """Run one gunicorn group per name (CASEAPP_NODE_NAME set to it); yield their ports."""
    with gunicorn("wsgi:app", {**env, "CASEAPP_NODE_NAME": names[0]}, workers, "/login", log) as first:
        if len(names) == 1:
            yield [first]
            return
        with nodes(env, names[1:], workers, log) as rest:
            yield [first, *rest]


def _flush_redis(redis_db: int) -> None:
    import redis

    client = redis.Redis.from_url(os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/") + str(redis_db))
    client.flushdb()
    client.close()


def _extra_tokens(database_url: str, settings: dict[str, str], fx: Fixtures) -> dict[str, str]:
    """An API token for the analyst (the recap) and a second one for the worker (the one-node limit run)."""
    from sqlalchemy import select

    from caseapp import create_app
    from caseapp.extensions import db
    from caseapp.models import User
    from caseapp.services import tokens

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, **settings)
    with app.app_context():
        made = {}
        for label, username in (("analyst", fx.analyst), ("worker_one_node", fx.worker)):
            user = db.session.scalars(select(User).where(User.username == username)).one()
            made[label] = tokens.create_token(None, user, f"bench two nodes {label}", days=1).secret
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return made


def _audit_figures(database_url: str, settings: dict[str, str]) -> tuple[int, int, int, int]:
    """Return (events, lowest seq, highest seq, distinct seq) of the audit log."""
    from sqlalchemy import distinct, func, select

    from caseapp import create_app
    from caseapp.extensions import db
    from caseapp.models import AuditEvent

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, **settings)
    with app.app_context():
        row = db.session.execute(
            select(
                func.count(),
                func.min(AuditEvent.seq),
                func.max(AuditEvent.seq),
                func.count(distinct(AuditEvent.seq)),
            )
        ).one()
        db.session.remove()
        db.engine.dispose()
    return int(row[0]), int(row[1] or 0), int(row[2] or 0), int(row[3])


def check(
    database_url: str,
    settings: dict[str, str],
    *,
    workers: int = 4,
    redis_db: int = 12,
    requests: int = 300,
    concurrency: int = 8,
    rate_limit: int = 40,
    echo: Callable[[str], object] = click.echo,
) -> Findings:
    """Serve two nodes behind one nginx and check sessions, rate limits, report cache and audit chain."""
    echo("[two nodes] preparing fixtures")
    fx = prepare(database_url, concurrency, settings)
    extra = _extra_tokens(database_url, settings, fx)
    _flush_redis(redis_db)
    found = Findings(rate_limit=rate_limit)
    with tempfile.TemporaryDirectory(prefix="caseapp-twonode-") as tmp:
        work = Path(tmp)
        log = work / "gunicorn.log"
        env = node_environment(database_url, redis_db, settings, work, rate_limit)
        try:
            with nodes(env, NODES, workers, log) as ports, proxy(ports, "/login", log) as base:
                echo(f"[two nodes] nodes {dict(zip(NODES, ports, strict=True))} behind {base}")
                _check_sessions(base, fx, found)
                _check_rate_limit(base, f"http://127.0.0.1:{ports[0]}", fx.token, extra, found)
                _check_report_cache(base, fx, extra["analyst"], found)
                _check_audit_chain(base, fx, requests, concurrency, found)
            _check_verify(database_url, settings, env, found)
        finally:
            if found.failures:
                echo("[two nodes] server log tail:\n" + log.read_text(errors="replace")[-3000:])
    for line in found.lines():
        echo(f"[two nodes] {line}")
    return found


def _check_sessions(base: str, fx: Fixtures, found: Findings) -> None:
    cookies, csrf = sign_in(base, fx.worker, fx.password, "/cases/")
    for _ in range(8):
        answer = request(base + "/cases/", cookies)
        found.answers_per_node[answer.node] += 1
        found.expect(answer.status == 200, f"signed-in case list answered {answer.status} on {answer.node}")
        found.session_nodes.add(answer.node)
    found.expect(found.session_nodes == set(NODES), f"the session was served by {found.session_nodes} only")
    out = request(base + "/logout", cookies, {"csrf_token": csrf})
    found.expect(out.status == 302, f"sign-out answered {out.status}")
    for _ in range(6):
        answer = request(base + "/cases/", cookies)
        found.answers_per_node[answer.node] += 1
        found.expect(
            answer.status == 302 and "/login" in answer.location,
            f"after sign-out node {answer.node} answered {answer.status}",
        )
        found.signed_out_nodes.add(answer.node)
    found.expect(found.signed_out_nodes == set(NODES), "sign-out was not seen by both nodes")


def _count_allowed(base: str, token: str, total: int, found: Findings, spread: bool) -> int:
    allowed, refused_before = 0, False
    nodes_allowed: set[str] = set()
    for _ in range(total):
        answer = request(base + "/api/v1/me", token=token)
        found.answers_per_node[answer.node] += 1
        if answer.status == 200:
            found.expect(not refused_before, "a request was allowed after a refusal")
            allowed += 1
            nodes_allowed.add(answer.node)
        else:
            found.expect(answer.status == 429, f"the API answered {answer.status}")
            refused_before = True
            if spread:
                found.refused_nodes.add(answer.node)
    if spread:
        found.expect(nodes_allowed == set(NODES), f"allowed requests came from {nodes_allowed} only")
    return allowed


def _check_rate_limit(base: str, node_a: str, token: str, extra: dict[str, str], found: Findings) -> None:
    total = found.rate_limit + 10
    found.allowed_one_node = _count_allowed(node_a, extra["worker_one_node"], total, found, spread=False)
    found.allowed_two_nodes = _count_allowed(base, token, total, found, spread=True)
    found.expect(found.allowed_one_node == found.rate_limit, f"one node allowed {found.allowed_one_node}")
    found.expect(
        found.allowed_two_nodes == found.rate_limit,
        f"two nodes allowed {found.allowed_two_nodes} of a limit of {found.rate_limit}",
    )
    found.expect(found.refused_nodes == set(NODES), f"429 came from {found.refused_nodes} only")


def _check_report_cache(base: str, fx: Fixtures, analyst_token: str, found: Findings) -> None:
    # A second apart: were each node counting for itself, the times (to the second) would differ.
    for i in range(4):
        if i:
            time.sleep(1.1)
        answer = request(base + "/api/v1/reports/recap", token=analyst_token)
        found.answers_per_node[answer.node] += 1
        found.expect(answer.status == 200, f"the recap API answered {answer.status} on {answer.node}")
        if answer.status == 200:
            found.recap_counted_at.add(str(json.loads(answer.body)["computed_at"]))
            found.recap_nodes.add(answer.node)
    cookies, _ = sign_in(base, fx.supervisor, fx.password)
    for _ in range(4):
        answer = request(base + "/reports/caseload", cookies)
        found.answers_per_node[answer.node] += 1
        match = _COUNTED_AT.search(answer.body)
        found.expect(answer.status == 200 and match is not None, f"the dashboard answered {answer.status}")
        if match:
            found.dashboard_counted_at.add(match.group(1).strip())
            found.dashboard_nodes.add(answer.node)
    found.expect(
        len(found.recap_counted_at) == 1, f"the recap was counted {len(found.recap_counted_at)} times"
    )
    found.expect(found.recap_nodes == set(NODES), f"the recap came from {found.recap_nodes} only")
    found.expect(len(found.dashboard_counted_at) == 1, "the dashboard's counted-at differs between answers")
    found.expect(found.dashboard_nodes == set(NODES), f"the dashboard came from {found.dashboard_nodes} only")


def _check_audit_chain(base: str, fx: Fixtures, requests: int, concurrency: int, found: Findings) -> None:
    sessions = [sign_in(base, fx.worker, fx.password)[0] for _ in range(concurrency)]

    def view(i: int) -> Answer:
        return request(f"{base}/cases/{fx.case_ids[i % len(fx.case_ids)]}", sessions[i % concurrency])

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        answers = list(pool.map(view, range(requests)))
    for answer in answers:
        found.answers_per_node[answer.node] += 1
        found.view_nodes.add(answer.node)
    found.views = sum(1 for a in answers if a.status == 200)
    found.expect(found.views == requests, f"{requests - found.views} case views failed")
    found.expect(found.view_nodes == set(NODES), f"the case views came from {found.view_nodes} only")


def _check_verify(database_url: str, settings: dict[str, str], env: dict[str, str], found: Findings) -> None:
    events, low, high, distinct = _audit_figures(database_url, settings)
    found.audit_events, found.audit_seq_span, found.audit_seq_distinct = events, high - low + 1, distinct
    found.expect(
        events == distinct == high - low + 1, f"seq: {events} events over {low}..{high}, {distinct} distinct"
    )
    found.expect(events >= found.views, "fewer audit events than audited case views")
    done = subprocess.run(  # noqa: S603  (a fixed command line)
        [sys.executable, "-m", "flask", "--app", "wsgi", "audit", "verify"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    found.audit_verify = (done.stdout.strip().splitlines() or ["(nothing)"])[-1]
    found.expect(done.returncode == 0, f"flask audit verify exited {done.returncode}: {done.stdout[-300:]}")


@dataclass
class Throughput:
    """One page's figures through nginx in front of `nodes` nodes."""

    nodes: int
    page: str
    rps: float
    p50_ms: float
    p95_ms: float
    errors: int


def measure(
    database_url: str,
    settings: dict[str, str],
    *,
    workers: int = 4,
    redis_db: int = 12,
    seconds: float = 10,
    clients: int = 50,
    echo: Callable[[str], object] = click.echo,
) -> tuple[int, list[Throughput]]:
    """Drive the case page and the sign-in page with wrk (closed loop) on one node, then on two; return
    the number of cases and the figures."""
    fx = prepare(database_url, clients, settings)
    figures: list[Throughput] = []
    with tempfile.TemporaryDirectory(prefix="caseapp-twonode-") as tmp:
        work = Path(tmp)
        log = work / "gunicorn.log"
        env = node_environment(database_url, redis_db, settings, work, 100000)
        for names in (NODES[:1], NODES):
            with nodes(env, names, workers, log) as ports, proxy(ports, "/login", log) as base:
                people = [sign_in(base, fx.worker, fx.password)[0] for _ in range(clients)]
                n = max(clients, len(fx.case_ids))
                pages = [
                    Scenario("login_page", "sign-in page", ["GET\t/login\t\t"]),
                    Scenario(
                        "case_page",
                        "case page (decrypt + audit)",
                        [
                            f"GET\t/cases/{fx.case_ids[i % len(fx.case_ids)]}\t"
                            f"{cookie_header(people[i % clients])}\t"
                            for i in range(n)
                        ],
                    ),
                ]
                for page in pages:
                    run_wrk(base, page, min(3, seconds), clients, 0, work)  # warm-up
                    result = read_result(
                        f"{len(names)}", page, 0, run_wrk(base, page, seconds, clients, 0, work)
                    )
                    row = Throughput(
                        len(names), page.name, result.rps, result.p50_ms, result.p95_ms, result.errors
                    )
                    figures.append(row)
                    echo(
                        f"[{len(names)} node(s)] {page.label:<28} {row.rps:7.1f} req/s  "
                        f"p50 {row.p50_ms:7.1f}  "
                        f"p95 {row.p95_ms:7.1f} ms  errors {row.errors}"
                    )
    return fx.cases, figures


def markdown(figures: list[Throughput], cases: int, how: str) -> str:
    """Return the one-node / two-node table."""
    lines = [
        how,
        "",
        "| page | one node req/s | one node p95 | two nodes req/s | two nodes p95 |",
        "|---|---|---|---|---|",
    ]
    for page in dict.fromkeys(f.page for f in figures):
        one = next(f for f in figures if f.page == page and f.nodes == 1)
        two = next(f for f in figures if f.page == page and f.nodes == 2)
        lines.append(
            f"| {page} ({cases:,} cases) | {one.rps:.0f} | {one.p95_ms:.0f} ms "
            f"| {two.rps:.0f} | {two.p95_ms:.0f} ms |"
        )
    return "\n".join(lines)


@click.command()
@click.option("--database", required=True, help="DATABASE_URL of a filled bench database (PostgreSQL)")
@click.option("--workers", type=int, default=4, show_default=True, help="gunicorn sync workers per node")
@click.option("--duration", type=float, default=10, show_default=True, help="Seconds of wrk per page")
@click.option("--clients", type=int, default=50, show_default=True, help="wrk connections")
@click.option("--requests", type=int, default=300, show_default=True, help="Concurrent case views checked")
@click.option("--checks-only", is_flag=True, help="Check correctness; skip the throughput runs")
def main(
    database: str, workers: int, duration: float, clients: int, requests: int, checks_only: bool
) -> None:
    """Check two nodes behind one nginx, then measure one page on one node and on two."""
    if "bench" not in database.rsplit("/", 1)[-1]:
        raise click.UsageError("only a database whose name contains 'bench' (it gets bench users)")
    settings = local_settings()
    found = check(database, settings, workers=workers, requests=requests)
    if found.failures:
        raise click.ClickException("two nodes disagree: " + "; ".join(found.failures))
    click.echo("[two nodes] every check held")
    if checks_only:
        return
    cases, figures = measure(database, settings, workers=workers, seconds=duration, clients=clients)
    how = (
        f"{time.strftime('%Y-%m-%d')}: wrk closed loop, {clients} connections, {duration:.0f} s per page "
        f"after a warm-up; nginx round robin over {workers} sync workers per node; same PostgreSQL and Redis."
    )
    click.echo("\n" + markdown(figures, cases, how))


if __name__ == "__main__":
    main()
