"""The open-loop generator's pacing and latency arithmetic, against stub servers on loopback (the real
application's timings are never asserted)."""

from __future__ import annotations

import http.server
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bench.openloop import as_result, fill, intended_offsets, parse_lines, percentile, run_open_loop
from bench.scenarios import Scenario


class _Serial(http.server.HTTPServer):
    request_queue_size = 256  # many connections wait in the backlog; none is refused


@contextmanager
def stub(seconds: float = 0.0, status: int = 200, seen: list[str] | None = None) -> Iterator[str]:
    """Serve on loopback, one request at a time (HTTP/1.0: each answer closes its connection), each taking
    `seconds`; yield the base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            if seen is not None:
                seen.append(f"{self.command} {self.path} {self.headers.get('Cookie', '')} {body}")
            time.sleep(seconds)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = _Serial(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


PAGE = Scenario("page", "a page", ["GET\t/page\tCookie: s=1\t", "GET\t/page\tCookie: s=2\t"])


def test_intended_times_are_a_fixed_rate_and_percentiles_are_nearest_rank():
    assert intended_offsets(4, 1) == [0, 0.25, 0.5, 0.75]
    assert len(intended_offsets(20, 2.5)) == 50
    assert intended_offsets(0, 5) == [] and intended_offsets(5, 0) == []
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50 and percentile(values, 95) == 95 and percentile(values, 99) == 99
    assert percentile([7.0], 99) == 7.0 and percentile([], 50) == 0.0
    assert percentile([1.0, 2.0, 3.0], 50) == 2.0 and percentile([1.0, 2.0, 3.0], 100) == 3.0


def test_request_lines_are_read_as_wrk_reads_them_and_bodies_get_fresh_values():
    line = 'POST\t/api\tAuthorization: Bearer t|Content-Type: application/json\t{"n":"{{NIK}}"}'
    specs = parse_lines([line])
    assert specs[0].method == "POST" and specs[0].path == "/api"
    assert specs[0].headers == {"Authorization": "Bearer t", "Content-Type": "application/json"}
    rng = random.Random(1)
    one, two = fill(specs[0].body or "", rng), fill(specs[0].body or "", rng)
    assert one != two and "{{" not in one and len(one) == len('{"n":""}') + 16
    bare = parse_lines(["GET\t/login\t\t"])[0]
    assert bare.headers == {} and bare.body is None


def test_a_slow_server_makes_latency_grow_instead_of_slowing_the_arrivals():
    """200 ms per request, one at a time (5/s), asked for 10/s: every request still leaves on time, and
    latency from the intended send time grows by ~100 ms per request (coordinated omission avoided)."""
    with stub(0.2) as base:
        outcome = run_open_loop(base, PAGE, rate=10, seconds=2, seed=1)
    assert outcome.intended == outcome.sent == outcome.answered == 20 and outcome.errors == 0
    assert outcome.sent_rate > 9  # the arrivals kept their pace
    latencies = outcome.latencies
    assert latencies[-1] > latencies[0] + 1.2  # request 19 waited for the 19 before it: ~2.1 s vs ~0.2 s
    assert outcome.latency_ms(99) > 1500 and outcome.latency_ms(50) > 700
    assert 3 < outcome.achieved_rate < 6  # the server's pace, not the asked one
    assert outcome.connections > 1  # connections were opened while the others waited


def test_with_one_connection_the_wait_is_still_counted_and_the_generator_says_so():
    """A closed loop of one client (what wrk measures) would see 200 ms per request; the open loop counts
    the time each request waited for the connection and reports that the cap was reached."""
    with stub(0.2) as base:
        outcome = run_open_loop(base, PAGE, rate=10, seconds=2, max_connections=1, seed=2)
    assert outcome.answered == 20 and outcome.connections == 1
    assert percentile(sorted(outcome.service), 50) < 0.5  # each answer alone took ~200 ms
    assert outcome.latency_ms(99) > 1500  # but the last request was answered ~2 s after it was due
    assert outcome.capped and outcome.behind and "connections were busy" in outcome.behind
    assert as_result("stub", PAGE, outcome).warning == outcome.behind


def test_a_fast_server_is_driven_at_the_asked_rate_through_every_request_line():
    seen: list[str] = []
    with stub(seen=seen) as base:
        outcome = run_open_loop(base, PAGE, rate=50, seconds=1, seed=3)
    assert outcome.answered == outcome.intended == 50 and outcome.errors == 0
    assert 30 < outcome.achieved_rate < 60  # 50 answers in about a second (a loaded machine: slower)
    assert {line.split(" ")[2] for line in seen} == {"s=1", "s=2"}  # both sessions' lines, cycled
    assert outcome.lags and min(outcome.lags) >= 0


def test_unexpected_statuses_and_refused_connections_count_as_errors():
    with stub(status=500) as base:
        outcome = run_open_loop(base, PAGE, rate=20, seconds=0.5, seed=4)
    assert outcome.errors == outcome.answered == 10 and outcome.statuses == {"500": 10}
    with stub() as base:
        pass  # the port is closed again
    outcome = run_open_loop(base, PAGE, rate=20, seconds=0.5, seed=5, timeout=2)
    assert outcome.answered == 0 and outcome.errors == 10
    assert outcome.statuses == {"ConnectionRefusedError": 10}


def test_the_report_gives_the_open_loop_its_own_table_and_marks_a_run_the_generator_could_not_pace():
    from bench.driver import Result
    from bench.fixtures import Fixtures
    from bench.report import markdown

    fx = Fixtures(10, "postgresql", "pw", "w", 1, "s", "a", "t", ["c"], ["n"], "k", "x", 1)

    def result(think_ms: int, rate: float, warning: str | None = None) -> Result:
        return Result("pg", "case_page", think_ms, 100, 5.0, 10, 20, 30, 0, {}, rate, rate, warning)

    text = markdown(
        [("pg", fx, [result(0, 0), result(0, 20), result(0, 40, "all 256 connections were busy")])], "how"
    )
    closed, open_20 = text.split("**open loop at 20 req/s**")
    open_20, open_40 = open_20.split("**open loop at 40 req/s**")
    assert "| case_page | 10 / 20 / 30, 20, 0 |" in closed
    assert "| case_page | 10 / 20 / 30, 20.0, 0 |" in open_20 and "(!)" not in open_20
    assert "| case_page | 10 / 20 / 30, 20.0, 0 (!) |" in open_40
    assert "(!) pg, case_page: all 256 connections were busy." in open_40


def test_rates_are_read_per_page_or_for_every_page_and_bad_ones_refused():
    import click
    import pytest
    from click.testing import CliRunner

    from bench import load
    from bench.openloop import parse_rates, rates_for

    rates = parse_rates(("20", "case_page=40", "case_page=20"))
    assert rates == [(None, 20.0), ("case_page", 40.0), ("case_page", 20.0)]
    assert rates_for(rates, "case_page") == [20.0, 40.0] and rates_for(rates, "case_list") == [20.0]
    for bad in ("0", "fast", "case_page=", "case_page=-1"):
        with pytest.raises(click.BadParameter):
            parse_rates((bad,))
    refused = CliRunner().invoke(load.main, ["--target", "x=sqlite:///bench.db", "--open-loop-only"])
    assert refused.exit_code == 2 and "--open-loop-rate" in refused.output
