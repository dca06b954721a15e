"""Serving the application as production does: gunicorn sync workers behind Debian's nginx, with the
production configuration (key material from this checkout, rate-limit counters in Redis)."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent


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
    upstream app {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app;
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
    with gunicorn(app_spec, env, workers, probe, log) as upstream, proxy([upstream], probe, log) as base:
        yield base


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workers: int, probe: str, log: Path) -> Iterator[int]:
    """Run one group of gunicorn sync workers (one node); yield its loopback port once it answers."""
    upstream = _free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{upstream}"]
    # A control socket of its own: several groups (nodes, runs) must not take over each other's.
    control = ["--control-socket", str(log.parent / f"gunicorn-{upstream}.ctl")]
    app = _spawn([*command, *control, "--backlog", "2048", "--timeout", "120", app_spec], env, log)
    try:
        _wait_until_up(f"http://127.0.0.1:{upstream}{probe}", app)
        yield upstream
    finally:
        _stop(app)


@contextmanager
def proxy(upstreams: list[int], probe: str, log: Path) -> Iterator[str]:
    """Run nginx in front of these gunicorn ports (round robin); yield its base URL."""
    port = _free_port()
    conf = log.parent / f"nginx-{port}.conf"
    servers = "\n".join(f"        server 127.0.0.1:{u};" for u in upstreams)
    conf.write_text(NGINX_CONF.format(work=log.parent, port=port, servers=servers))
    process = _spawn([_nginx(), "-c", str(conf), "-p", str(log.parent)], {}, log)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}{probe}", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


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
        # Jobs go to a broker as in production (Celery's worker and beat run them there, not measured here):
        # without one every web worker would also run the schedule in a thread of its own.
        "CELERY_BROKER_URL": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/") + str(redis_db),
        # The limiter still counts every request in Redis; only its refusals are lifted for the load.
        "LOGIN_RATE_LIMIT": "100000 per minute",
        "API_RATE_LIMIT": "100000 per minute",
        # The simulated users sign in with a password only: a second factor costs one step per sign-in,
        # not per page, and the runner measures pages.
        "MFA_REQUIRED_ROLES": "",
    }
