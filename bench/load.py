"""HTTP load benchmark: caseapp under gunicorn, driven by wrk from a second process on loopback.

    python -m bench.load --target pg-1m=postgresql+psycopg://postgres@127.0.0.1/caseapp_bench_1m \\
        --target pg-10k=postgresql+psycopg://.../caseapp_bench_10k --duration 20 --clients 50 --write-doc

For every target (a database the generator filled; its name must contain "bench") it:
1. prepares the fixtures in-process: known passwords for a bench case worker, supervisor and analyst, an
   API token, a sample of case ids and NIKs in the worker's scope, a deep-page cursor, and counts the SQL
   statements one request of each page issues;
2. serves the application with gunicorn (production configuration, `--workers` sync workers behind
   nginx, rate-limit counters in Redis) and the bare baseline (`bench.bare`) beside it;
3. signs `--clients` browser sessions in per role over HTTP, then runs each scenario with wrk for
   `--duration` seconds (after a short warm-up): `--clients` connections, each its own client with its own
   session cookie or token, pausing a random 0..2x`--think-ms` between requests;
4. prints, and with `--write-doc` writes into docs/BENCHMARKS.md, p50/p95/p99 latency, throughput and errors.

wrk and nginx come from Debian (`apt-get install wrk nginx-light`); `make bench` installs them where missing.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
DOC = ROOT / "docs" / "BENCHMARKS.md"
DOC_BEGIN, DOC_END = "<!-- load:begin -->", "<!-- load:end -->"
SESSION_COOKIE = "caseapp_session"


@dataclass
class Fixtures:
    """What the scenarios need from one database, prepared in-process."""

    cases: int
    dialect: str
    password: str
    worker: str
    worker_id: int
    supervisor: str
    analyst: str
    token: str
    case_ids: list[str]
    niks: list[str]
    kecamatan: str
    deep_after: str
    deep_position: int
    statements: dict[str, int] = field(default_factory=dict)
    report_ms: dict[str, float] = field(default_factory=dict)


@dataclass
class Result:
    """One scenario's figures from wrk."""

    target: str
    scenario: str
    think_ms: int
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    statuses: dict[str, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def prepare(database_url: str, clients: int, settings: dict[str, str]) -> Fixtures:
    """Set up the bench users and sample what the scenarios request (`settings`: secret key and keys)."""
    from sqlalchemy import func, select

    from caseapp import create_app
    from caseapp.extensions import db
    from caseapp.models import Agency, Case, User
    from caseapp.services import passwords, tokens
    from caseapp.services.scoping import visible_cases

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, **settings)
    password = secrets.token_urlsafe(18)
    with app.app_context():
        digest = passwords.hash_password(password)
        users = {}
        for username, role, agency in (
            ("bench.uptd_ppa.0", "case_worker", "UPTD_PPA"),
            ("bench.uptd_ppa.spv", "supervisor", "UPTD_PPA"),
            ("bench.analyst", "analyst", "DP3A"),
        ):
            user = db.session.scalar(select(User).where(User.username == username))
            if user is None:
                agency_id = db.session.scalar(select(Agency.id).where(Agency.code == agency))
                user = User(username=username, display_name=username, agency_id=agency_id, role=role)
                db.session.add(user)
            user.password_hash = digest
            user.must_change_password = False
            user.active = True
            users[role] = user
        db.session.flush()
        worker = users["case_worker"]
        token = tokens.create_token(None, worker, "bench load", days=1).secret
        scope = visible_cases(worker)
        total = int(db.session.scalar(select(func.count()).select_from(Case)) or 0)
        sample = list(db.session.scalars(scope.order_by(func.random()).limit(max(200, clients * 4))))
        case_ids = [str(c.uuid) for c in sample]
        niks = [str(c.child_nik) for c in sample if c.child_nik][:200]
        kecamatan = db.session.scalar(
            select(Case.kecamatan)
            .where(Case.case_manager_id == worker.id)
            .group_by(Case.kecamatan)
            .order_by(func.count().desc())
            .limit(1)
        )
        in_scope = int(db.session.scalar(select(func.count()).select_from(scope.subquery())) or 0)
        position = max(0, min(5000, in_scope - 60))
        deep = db.session.execute(
            scope.with_only_columns(Case.created_at, Case.id)
            .order_by(Case.created_at.desc(), Case.id.desc())
            .offset(position)
            .limit(1)
        ).first()
        db.session.commit()
        fixtures = Fixtures(
            cases=total,
            dialect=db.engine.dialect.name,
            password=password,
            worker=worker.username,
            worker_id=worker.id,
            supervisor=users["supervisor"].username,
            analyst=users["analyst"].username,
            token=token,
            case_ids=case_ids,
            niks=niks,
            kecamatan=str(kecamatan or ""),
            deep_after=f"{deep.created_at.isoformat()}~{deep.id}" if deep else "",
            deep_position=position,
        )
        fixtures.report_ms = time_reports(users["supervisor"].agency_id)
        db.session.remove()
    fixtures.statements = count_statements(app, fixtures)
    with app.app_context():
        db.engine.dispose()
    return fixtures


def time_reports(agency_id: int) -> dict[str, float]:
    """Milliseconds to compute the dashboard and the recap of this year, uncached (the second of two runs)."""
    from caseapp.reports import caseload, recap
    from caseapp.reports.periods import parse_period

    period = parse_period(None)
    timings = {}
    for name, build in (
        ("dashboard", lambda: caseload.build(agency_id, period)),
        ("recap", lambda: recap.build(period, None)),
    ):
        build()
        started = time.perf_counter()
        build()
        timings[name] = (time.perf_counter() - started) * 1000
    return timings


def count_statements(app: Any, fx: Fixtures) -> dict[str, int]:
    """Count the SQL statements one request of each page issues, in-process (same code, same queries)."""
    from sqlalchemy import event

    from bench.bare import create_bare_app
    from caseapp.extensions import db

    counts: dict[str, int] = {}

    def measure(flask_app: Any, name: str, path: str, login: str | None = None) -> None:
        seen = [0]

        def count(*_args: Any) -> None:
            seen[0] += 1

        client = flask_app.test_client()
        if login:
            _test_login(client, login, fx.password)
        with flask_app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        if response.status_code != 200:
            raise click.ClickException(f"{name}: {path} answered {response.status_code} in-process")
        counts[name] = seen[0]

    app.config["WTF_CSRF_ENABLED"] = False
    measure(app, "case_list", _list_path(fx), fx.worker)
    measure(app, "case_page", f"/cases/{fx.case_ids[0]}", fx.worker)
    bare = create_bare_app(app.config["SQLALCHEMY_DATABASE_URI"], fx.worker_id)
    measure(bare, "bare_list", "/bare" + _list_path(fx).removesuffix("/").replace("/cases/?", "/cases?"))
    measure(bare, "bare_case", f"/bare/cases/{fx.case_ids[0]}")
    with bare.app_context():
        db.engine.dispose()
    return counts


def _test_login(client: Any, username: str, password: str) -> None:
    response = client.post("/login", data={"username": username, "password": password})
    if response.status_code != 302:
        raise click.ClickException(f"in-process sign-in as {username} failed ({response.status_code})")


def _list_path(fx: Fixtures) -> str:
    return "/cases/?" + urllib.parse.urlencode({"status": "intervention", "kecamatan": fx.kecamatan})


# Serving ------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise click.ClickException(f"gunicorn exited ({process.returncode}) before serving {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310  (our own loopback URL)
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise click.ClickException(f"{url} did not come up in {timeout:.0f} s")


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603  (a fixed command line)
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out, start_new_session=True
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


NGINX_CONF = """
worker_processes 1;
daemon off;
pid {work}/nginx-{port}.pid;
error_log {work}/nginx-{port}.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {work}/nginx-{port}-body;
    proxy_temp_path {work}/nginx-{port}-proxy;
    fastcgi_temp_path {work}/nginx-{port}-fastcgi;
    uwsgi_temp_path {work}/nginx-{port}-uwsgi;
    scgi_temp_path {work}/nginx-{port}-scgi;
    keepalive_timeout 75s;
    client_max_body_size 4m;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $http_host;
            proxy_read_timeout 120s;
        }}
    }}
}}
"""


@contextmanager
def serve(app_spec: str, env: dict[str, str], workers: int, probe: str, log: Path) -> Iterator[str]:
    """Run the app as production does (README): gunicorn sync workers behind a buffering reverse proxy
    (Debian's nginx); yield the proxy's base URL; stop both afterwards.

    The proxy matters for the think-time model: a sync worker reads its request itself, so a client that
    has connected but not yet sent would hold a whole worker; nginx keeps the idle connections and hands
    gunicorn only complete requests.
    """
    upstream, port = _free_port(), _free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{upstream}"]
    app = _spawn([*command, "--backlog", "2048", "--timeout", "120", app_spec], env, log)
    conf = log.parent / f"nginx-{port}.conf"
    conf.write_text(NGINX_CONF.format(work=log.parent, port=port, upstream=upstream))
    proxy = _spawn([_nginx(), "-c", str(conf), "-p", str(log.parent)], {}, log)
    try:
        _wait_until_up(f"http://127.0.0.1:{upstream}{probe}", app)
        _wait_until_up(f"http://127.0.0.1:{port}{probe}", proxy)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proxy)
        _stop(app)


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise click.ClickException("nginx is not installed: apt-get install nginx-light (make bench does it)")
    return found


KEY_NAMES = ("CASEAPP_KEK", "CASEAPP_BIDX_KEY", "CASEAPP_AUDIT_KEY")


def local_settings() -> dict[str, str]:
    """The secret key and key material of this checkout: the environment's, else instance/'s."""
    from config import _instance_keys

    keys = _instance_keys()
    settings = {name: os.environ.get(name) or keys.get(name, "") for name in KEY_NAMES}
    missing = [name for name, value in settings.items() if not value]
    if missing:
        raise click.ClickException("no key material: run `make setup` once, or set " + ", ".join(missing))
    settings["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48)
    return settings


def app_environment(database_url: str, redis_db: int, settings: dict[str, str]) -> dict[str, str]:
    """The production configuration for the served app, from the environment as production has it."""
    return {
        **settings,
        "CASEAPP_CONFIG": "production",
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/") + str(redis_db),
        # The limiter still counts every request in Redis; only its refusals are lifted for the load.
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "API_RATE_LIMIT": "100000 per minute",
    }


# Clients ------------------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _fetch(url: str, cookies: dict[str, str], data: dict[str, str] | None = None) -> tuple[int, str]:
    """GET or POST (form) without following redirects; keep the cookies it sets (Secure ones too)."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body)  # noqa: S310  (our own loopback URL)
    if cookies:
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        response = _opener.open(req, timeout=60)
    except urllib.error.HTTPError as exc:
        response = exc
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]
    return response.status, response.read().decode("utf-8", "replace")


def sign_in(
    base: str, username: str, password: str, form_page: str | None = None
) -> tuple[dict[str, str], str]:
    """Sign in over HTTP; return the cookies and (from `form_page`) a CSRF token valid for the session."""
    cookies: dict[str, str] = {}
    status, page = _fetch(base + "/login", cookies)
    match = _CSRF.search(page)
    if status != 200 or not match:
        raise click.ClickException(f"the sign-in page answered {status}")
    status, _page = _fetch(
        base + "/login", cookies, {"csrf_token": match.group(1), "username": username, "password": password}
    )
    if status != 302:
        raise click.ClickException(f"sign-in as {username} answered {status}, not a redirect")
    if not form_page:
        return cookies, ""
    status, page = _fetch(base + form_page, cookies)
    match = _CSRF.search(page)
    if status != 200 or not match:
        raise click.ClickException(f"{form_page} answered {status} after signing in as {username}")
    return cookies, match.group(1)


def _cookie_header(cookies: dict[str, str]) -> str:
    return "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())


def register_body() -> str:
    """A valid registration (the child's name, birth date and NIK are drawn per request by the wrk script)."""
    body = {
        "child": {
            "name": "{{NAME}}",
            "nik": "{{NIK}}",
            "sex": "F",
            "date_of_birth": "{{DOB}}",
            "disability": False,
            "address": "Jl. Beban No. 1, Kendari",
            "kelurahan": "74.71.01.1005",
            "school": "",
        },
        "incident": {
            "date": "2026-10-01",
            "date_is_approximate": False,
            "kelurahan": "74.71.01.1005",
            "place": "household",
            "violence_types": ["physical"],
            "primary_violence_type": "physical",
            "ampk": [],
            "narrative": "Data sintetis untuk uji beban.",
        },
        "parties": [
            {
                "role": "guardian",
                "name": "Ibu Beban",
                "phone": "0812-0000-0001",
                "address": "",
                "relationship": "parent",
                "sex": "F",
                "age_group": "18+",
                "is_child": False,
            }
        ],
        "channel": "walk_in",
        "risk_level": "medium",
    }
    return json.dumps(body, separators=(",", ":"))


@dataclass
class Scenario:
    """One measured page: the request lines wrk cycles through and the status each must answer."""

    name: str
    label: str
    lines: list[str]
    expect: int = 200
    bare: bool = False


def scenarios(fx: Fixtures, sessions: dict[str, list[tuple[dict[str, str], str]]]) -> list[Scenario]:
    """Build the request files: one line per (client, target) pair, clients interleaved."""

    def gets(role: str, paths: list[str]) -> list[str]:
        people = sessions[role]
        n = max(len(people), len(paths))
        return [
            f"GET\t{paths[i % len(paths)]}\t{_cookie_header(people[i % len(people)][0])}\t" for i in range(n)
        ]

    list_path = _list_path(fx)
    worker = sessions["case_worker"]
    search = []
    for i in range(max(len(worker), len(fx.niks))):
        cookies, csrf = worker[i % len(worker)]
        form = urllib.parse.urlencode({"csrf_token": csrf, "by": "nik", "query": fx.niks[i % len(fx.niks)]})
        headers = _cookie_header(cookies) + "|Content-Type: application/x-www-form-urlencoded"
        search.append(f"POST\t/cases/search\t{headers}\t{form}")
    api_headers = f"Authorization: Bearer {fx.token}|Content-Type: application/json"
    register = [f"POST\t/api/v1/cases\t{api_headers}\t{register_body()}"]
    bare_list = "/bare/cases?" + list_path.split("?", 1)[1]
    return [
        Scenario("login_page", "sign-in page", ["GET\t/login\t\t"]),
        Scenario("case_list", "case list, page 1, two filters", gets("case_worker", [list_path])),
        Scenario(
            "case_list_deep",
            f"case list, row {fx.deep_position:,}",
            gets("case_worker", [f"/cases/?after={fx.deep_after}"]),
        ),
        Scenario(
            "case_page",
            "case page (decrypt + audit)",
            gets("case_worker", [f"/cases/{c}" for c in fx.case_ids]),
        ),
        Scenario("nik_search", "NIK search", search),
        Scenario("register", "register a case (API)", register, expect=201),
        Scenario("dashboard", "supervisor dashboard", gets("supervisor", ["/reports/caseload"])),
        Scenario("recap", "task-force recap", gets("analyst", ["/reports/recap"])),
        Scenario(
            "export_xlsx", "XLSX export (caseload)", gets("supervisor", ["/reports/caseload?format=xlsx"])
        ),
        Scenario("bare_list", "bare: case list SQL", [f"GET\t{bare_list}\t\t"], bare=True),
        Scenario(
            "bare_case", "bare: case page SQL", [f"GET\t/bare/cases/{c}\t\t" for c in fx.case_ids], bare=True
        ),
    ]


def run_wrk(
    base: str, scenario: Scenario, seconds: float, clients: int, think_ms: int, work: Path
) -> dict[str, Any]:
    """Run wrk once for the scenario; return what the script wrote."""
    requests_file = work / f"{scenario.name}.tsv"
    requests_file.write_text("\n".join(scenario.lines) + "\n")
    result_file = work / f"{scenario.name}.json"
    result_file.unlink(missing_ok=True)
    command = [
        _wrk(),
        "-t1",
        f"-c{clients}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(WRK_SCRIPT),
        base,
        "--",
        str(requests_file),
        str(result_file),
        str(scenario.expect),
        str(think_ms),
    ]
    completed = subprocess.run(  # noqa: S603  (a fixed command line)
        command, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0 or not result_file.exists():
        raise click.ClickException(f"wrk failed on {scenario.name}: {completed.stderr.strip()[:500]}")
    return dict(json.loads(result_file.read_text()))


def _wrk() -> str:
    found = shutil.which("wrk")
    if not found:
        raise click.ClickException("wrk is not installed: apt-get install wrk (make bench does it)")
    return found


def _result(label: str, scenario: Scenario, think_ms: int, raw: dict[str, Any]) -> Result:
    errors = int(raw["bad_status"]) + sum(int(raw[k]) for k in ("connect", "read", "write", "timeout"))
    return Result(
        target=label,
        scenario=scenario.name,
        think_ms=think_ms,
        requests=int(raw["requests"]),
        seconds=int(raw["duration_us"]) / 1e6,
        p50_ms=int(raw["p50_us"]) / 1000,
        p95_ms=int(raw["p95_us"]) / 1000,
        p99_ms=int(raw["p99_us"]) / 1000,
        errors=errors,
        statuses=dict(raw["statuses"]),
    )


def run_target(
    label: str,
    database_url: str,
    settings: dict[str, str],
    *,
    seconds: float,
    warmup: float,
    clients: int,
    think_models: tuple[int, ...],
    workers: int,
    redis_db: int,
    only: set[str] | None = None,
    echo: Any = click.echo,
) -> tuple[Fixtures, list[Result]]:
    """Prepare, serve and measure one database; one result per scenario and client model."""
    echo(f"[{label}] preparing fixtures")
    fx = prepare(database_url, clients, settings)
    env = app_environment(database_url, redis_db, settings)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="caseapp-load-") as tmp:
        work = Path(tmp)
        log = work / "gunicorn.log"
        bare_env = {**env, "BARE_USER": str(fx.worker_id)}
        with (
            serve("wsgi:app", env, workers, "/login", log) as base,
            serve("bench.bare:create_bare_app()", bare_env, workers, "/bare/cases", log) as bare_base,
        ):
            echo(f"[{label}] {fx.cases:,} cases; signing in {clients} sessions per role")
            sessions = {
                role: [sign_in(base, user, fx.password, page) for _ in range(clients)]
                for role, user, page in (
                    ("case_worker", fx.worker, "/cases/"),
                    ("supervisor", fx.supervisor, None),
                    ("analyst", fx.analyst, None),
                )
            }
            for scenario in scenarios(fx, sessions):
                if only and scenario.name not in only:
                    continue
                target = bare_base if scenario.bare else base
                if warmup > 0:
                    run_wrk(target, scenario, warmup, clients, think_models[0], work)
                for think_ms in think_models:
                    result = _result(
                        label, scenario, think_ms, run_wrk(target, scenario, seconds, clients, think_ms, work)
                    )
                    results.append(result)
                    echo(
                        f"[{label}] {scenario.label:<34} think {think_ms:>5} ms  p50 {result.p50_ms:7.1f}  "
                        f"p95 {result.p95_ms:7.1f}  p99 {result.p99_ms:7.1f} ms  {result.rps:7.1f} req/s  "
                        f"errors {result.errors}" + (f" {result.statuses}" if result.statuses else "")
                    )
        if any(r.errors for r in results):
            echo(f"[{label}] server log tail:\n" + log.read_text(errors="replace")[-3000:])
    return fx, results


Run = tuple[str, Fixtures, list[Result]]


def _find(results: list[Result], scenario: str, think_ms: int) -> Result | None:
    return next((r for r in results if r.scenario == scenario and r.think_ms == think_ms), None)


def _model(think_ms: int) -> str:
    return f"think time 0-{2 * think_ms / 1000:g} s" if think_ms else "closed loop (no think time)"


def markdown(runs: list[Run], settings: str) -> str:
    """The results as Markdown: a table per client model (a row per page, a column per database), then
    the ratios the targets are stated in."""
    names: list[str] = []
    models: list[int] = []
    for _label, _fx, results in runs:
        for r in results:
            if r.scenario not in names:
                names.append(r.scenario)
            if r.think_ms not in models:
                models.append(r.think_ms)
    out = [settings, ""]
    for think_ms in models:
        out += [
            f"**{_model(think_ms)}**: p50 / p95 / p99 ms, requests/s, errors",
            "",
            "| page | " + " | ".join(f"{label} ({fx.cases:,} cases)" for label, fx, _ in runs) + " |",
            "|---|" + "---|" * len(runs),
        ]
        for name in names:
            cells = []
            for _label, _fx, results in runs:
                m = _find(results, name, think_ms)
                cells.append(
                    f"{m.p50_ms:.0f} / {m.p95_ms:.0f} / {m.p99_ms:.0f}, {m.rps:.0f}, {m.errors}" if m else "-"
                )
            out.append(f"| {name} | " + " | ".join(cells) + " |")
        out.append("")
    out += _ratios(runs, models)
    statements = "; ".join(
        f"{label}: " + ", ".join(f"{k} {v}" for k, v in fx.statements.items()) for label, fx, _ in runs
    )
    out.append(f"SQL statements per request: {statements}.")
    computed = "; ".join(
        f"{label}: " + ", ".join(f"{k} {v:.0f} ms" for k, v in fx.report_ms.items()) for label, fx, _ in runs
    )
    out.append(
        f"Computing this year's reports uncached, in process (pages serve them shared for up to a minute): "
        f"{computed}."
    )
    return "\n".join(out)


def _ratios(runs: list[Run], models: list[int]) -> list[str]:
    """Overhead against the bare endpoints, and growth from the smallest to the largest PostgreSQL run."""
    closed = 0 if 0 in models else models[0]
    lines = []
    for label, _fx, results in runs:
        parts = []
        for page, bare in (("case_list", "bare_list"), ("case_page", "bare_case")):
            real, base = _find(results, page, closed), _find(results, bare, closed)
            if real and base and real.rps:
                parts.append(f"{page} {base.rps / real.rps:.2f}x")
        if parts:
            lines.append(
                f"- Overhead against the bare endpoint ({label}, bare req/s ÷ ours): " + ", ".join(parts)
            )
    pg = [run for run in runs if "postgres" in run[1].dialect]
    if len(pg) >= 2:
        (small, sfx, sres), (large, lfx, lres) = (
            min(pg, key=lambda r: r[1].cases),
            max(pg, key=lambda r: r[1].cases),
        )
        parts = []
        for r in sres:
            if r.think_ms != closed:
                continue
            other = _find(lres, r.scenario, closed)
            if other and other.rps:
                parts.append(f"{r.scenario} {r.rps / other.rps:.2f}x")
        lines.append(
            f"- Cost growth {small} → {large} (req/s at {sfx.cases:,} ÷ at {lfx.cases:,}): "
            + ", ".join(parts)
        )
    return [*lines, ""] if lines else []


def write_doc_section(text: str, doc_path: Path = DOC) -> None:
    """Replace the load section of docs/BENCHMARKS.md (between its markers) with the new table."""
    doc = doc_path.read_text()
    if DOC_BEGIN not in doc or DOC_END not in doc:
        raise click.ClickException(f"{doc_path} lacks the {DOC_BEGIN} / {DOC_END} markers")
    head, rest = doc.split(DOC_BEGIN, 1)
    _old, tail = rest.split(DOC_END, 1)
    doc_path.write_text(f"{head}{DOC_BEGIN}\n{text}\n{DOC_END}{tail}")


@click.command()
@click.option("--target", "targets", multiple=True, required=True, help="label=DATABASE_URL (repeatable)")
@click.option("--duration", type=float, default=20, show_default=True, help="Seconds per scenario and model")
@click.option("--warmup", type=float, default=3, show_default=True, help="Unmeasured seconds first")
@click.option("--clients", type=int, default=50, show_default=True, help="Concurrent clients")
@click.option(
    "--think-ms",
    "think_models",
    type=int,
    multiple=True,
    default=(0, 2000),
    show_default=True,
    help="Mean pause between a client's requests; 0 is a closed loop (repeatable: one run per value)",
)
@click.option("--workers", type=int, default=4, show_default=True, help="gunicorn sync workers")
@click.option("--only", multiple=True, help="Run only these scenarios (repeatable)")
@click.option("--write-doc", is_flag=True, help="Write the tables into docs/BENCHMARKS.md")
def main(
    targets: tuple[str, ...],
    duration: float,
    warmup: float,
    clients: int,
    think_models: tuple[int, ...],
    workers: int,
    only: tuple[str, ...],
    write_doc: bool,
) -> None:
    """Measure every scenario on every target, side by side."""
    parsed = []
    for spec in targets:
        label, _, url = spec.partition("=")
        if not url:
            raise click.UsageError(f"--target wants label=DATABASE_URL, not {spec!r}")
        if "bench" not in url.rsplit("/", 1)[-1]:
            raise click.UsageError(
                f"{label}: only a database whose name contains 'bench' (it gets bench users)"
            )
        parsed.append((label, url))
    local = local_settings()
    runs = []
    for i, (label, url) in enumerate(parsed):
        fx, results = run_target(
            label,
            url,
            local,
            seconds=duration,
            warmup=warmup,
            clients=clients,
            think_models=think_models,
            workers=workers,
            redis_db=10 + i,
            only=set(only) or None,
        )
        runs.append((label, fx, results))
    how = (
        f"{time.strftime('%Y-%m-%d')}: {clients} clients (wrk, 1 thread, on the same 2 cores), "
        f"{duration:.0f} s per page and client model after {warmup:.0f} s warm-up; gunicorn {workers} "
        "sync workers behind nginx (as in production: it buffers requests, keeps client connections "
        "alive), production configuration, Redis rate-limit storage; think time is a uniform random pause "
        "between a client's requests."
    )
    text = markdown(runs, how)
    click.echo("\n" + text)
    if write_doc:
        write_doc_section(text)


if __name__ == "__main__":
    main()
