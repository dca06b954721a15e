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
   Then, for each `--open-loop-rate`, the open loop (`openloop.py`): requests released at that fixed rate
   whatever the server does, through the same sessions, latency counted from each one's intended send time;
4. prints, and with `--write-doc` writes into docs/BENCHMARKS.md, p50/p95/p99 latency, throughput and errors.

wrk and nginx come from Debian (`apt-get install wrk nginx-light`); `make bench` installs them where missing.

The steps live beside this runner: `fixtures.py` (1), `serve.py` (2), `clients.py`, `scenarios.py` and
`driver.py` with `wrk.lua` and `openloop.py` (3), `report.py` (4); `bare.py` is the baseline application.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import click

from bench.clients import sign_in
from bench.driver import Result, read_result, run_wrk
from bench.fixtures import Fixtures, prepare
from bench.openloop import as_result, parse_rates, rates_for, run_open_loop
from bench.report import markdown, write_doc_section
from bench.scenarios import scenarios
from bench.serve import app_environment, local_settings, serve


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
    open_rates: list[tuple[str | None, float]] | None = None,
    echo: Callable[[str], object] = click.echo,
) -> tuple[Fixtures, list[Result]]:
    """Prepare, serve and measure one database; one result per scenario and client model (`open_rates`:
    (page or None for every page, requests/s) of the open-loop runs)."""
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
                rates = rates_for(open_rates or [], scenario.name)
                if warmup > 0 and think_models:
                    run_wrk(target, scenario, warmup, clients, think_models[0], work)
                elif warmup > 0 and rates:
                    run_open_loop(target, scenario, rates[0], warmup)
                for think_ms in think_models:
                    result = read_result(
                        label, scenario, think_ms, run_wrk(target, scenario, seconds, clients, think_ms, work)
                    )
                    results.append(result)
                    echo(
                        f"[{label}] {scenario.label:<34} think {think_ms:>5} ms  p50 {result.p50_ms:7.1f}  "
                        f"p95 {result.p95_ms:7.1f}  p99 {result.p99_ms:7.1f} ms  {result.rps:7.1f} req/s  "
                        f"errors {result.errors}" + (f" {result.statuses}" if result.statuses else "")
                    )
                for rate in rates:
                    outcome = run_open_loop(target, scenario, rate, seconds)
                    result = as_result(label, scenario, outcome)
                    results.append(result)
                    echo(
                        f"[{label}] {scenario.label:<34} open {rate:>6g}/s  p50 {result.p50_ms:7.1f}  "
                        f"p95 {result.p95_ms:7.1f}  p99 {result.p99_ms:7.1f} ms  {result.rps:7.1f} req/s "
                        f"(sent {outcome.sent_rate:.1f}/s, {outcome.connections} connections)  "
                        f"errors {result.errors}" + (f" {result.statuses}" if result.statuses else "")
                    )
                    if outcome.behind:
                        echo(
                            f"[{label}] WARNING: open loop on {scenario.name} at {rate:g}/s: {outcome.behind}"
                        )
        if any(r.errors for r in results):
            echo(f"[{label}] server log tail:\n" + log.read_text(errors="replace")[-3000:])
    return fx, results


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
@click.option(
    "--open-loop-rate",
    "open_loop_rates",
    multiple=True,
    help="Also run each page open loop at R requests/s (R, or page=R for one page; repeatable)",
)
@click.option("--open-loop-only", is_flag=True, help="Skip the wrk models (closed loop, think time)")
@click.option("--workers", type=int, default=4, show_default=True, help="gunicorn sync workers")
@click.option("--only", multiple=True, help="Run only these scenarios (repeatable)")
@click.option("--write-doc", is_flag=True, help="Write the tables into docs/BENCHMARKS.md")
def main(
    targets: tuple[str, ...],
    duration: float,
    warmup: float,
    clients: int,
    think_models: tuple[int, ...],
    open_loop_rates: tuple[str, ...],
    open_loop_only: bool,
    workers: int,
    only: tuple[str, ...],
    write_doc: bool,
) -> None:
    """Measure every scenario on every target, side by side."""
    open_rates = parse_rates(open_loop_rates)
    if open_loop_only:
        if not open_rates:
            raise click.UsageError("--open-loop-only wants at least one --open-loop-rate")
        think_models = ()
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
            open_rates=open_rates,
        )
        runs.append((label, fx, results))
    drivers = f"{clients} clients (wrk, 1 thread, on the same 2 cores)" if think_models else "open loop only"
    how = (
        f"{time.strftime('%Y-%m-%d')}: {drivers}, "
        f"{duration:.0f} s per page and client model after {warmup:.0f} s warm-up; gunicorn {workers} "
        "sync workers behind nginx (as in production: it buffers requests, keeps client connections "
        "alive), production configuration, Redis rate-limit storage"
        + ("; think time is a uniform random pause between a client's requests." if think_models else ".")
    )
    if open_rates:
        how += (
            " Open loop: a Python generator (bench/openloop.py, on the same cores) releases requests at the "
            f"stated rate for {duration:.0f} s through up to 256 keep-alive connections, whatever the server "
            "does; latency runs from each request's intended send time, so queueing is counted."
        )
    text = markdown(runs, how)
    click.echo("\n" + text)
    if write_doc:
        write_doc_section(text)


if __name__ == "__main__":
    main()
