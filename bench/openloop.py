"""An open-loop load generator: requests leave at a fixed arrival rate whatever the server does, and each
one's latency is counted from the moment it was *meant* to leave.

wrk (`bench/driver.py`) is a closed loop: a client sends its next request only when the last one has
answered, so a slow server slows the clients down and the requests that would have arrived meanwhile are
never sent, nor their waiting measured ("coordinated omission"). Here a scheduler thread releases request
`i` at `start + i / rate`; a pool of keep-alive connections (each its own thread, `http.client`) sends what
is released, growing while every connection is busy (up to `max_connections`). Latency runs from the
intended send time to the last byte of the answer, so time spent queued (in nginx, in gunicorn's backlog,
or waiting here for a free connection) is counted. The request lines are the scenarios' (`scenarios.py`,
the same signed-in sessions and tokens as wrk), cycled from a random line.

The generator checks itself: how late the scheduler released requests (its own lag, not the server's) and
the rate it actually sent at; `Outcome.behind` says when it could not keep the pace.
"""

from __future__ import annotations

import http.client
import queue
import random
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

import click

from bench.driver import Result
from bench.scenarios import Scenario

# The scheduler may release a request this late (p99) before the run counts as paced by the generator.
LAG_LIMIT_S = 0.025
# Sending slower than this share of the intended rate: the generator fell behind.
SENT_SHARE_LIMIT = 0.98


@dataclass(frozen=True)
class Spec:
    """One request line of a scenario: method, path, headers and body (with `{{NIK}}`-style holes)."""

    method: str
    path: str
    headers: dict[str, str]
    body: str | None


def parse_lines(lines: list[str]) -> list[Spec]:
    """Read the scenario's request lines (`METHOD<TAB>PATH<TAB>H: v|H: v<TAB>BODY`, as wrk.lua does)."""
    specs = []
    for line in lines:
        method, path, header_text, body = (line.split("\t") + ["", "", "", ""])[:4]
        headers = {}
        for header in header_text.split("|") if header_text else []:
            name, _, value = header.partition(":")
            headers[name.strip()] = value.strip()
        specs.append(Spec(method, path, headers, body or None))
    return specs


_GIVEN = ["Siti", "Nur", "Wa Ode", "La Ode", "Andi", "Rahmat", "Putri", "Dewi", "Ahmad", "Aisyah"]
_FAMILY = ["Hasanah", "Rahman", "Lasandara", "Tamburaka", "Saputra", "Wulandari", "Halim", "Syahrir"]


def fill(body: str, rng: random.Random) -> str:
    """Draw a fresh child name, birth date and NIK into a body's holes (as wrk.lua does)."""
    if "{{" not in body:
        return body
    name = f"{rng.choice(_GIVEN)} {rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"
    dob = f"{rng.randint(2009, 2024):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    nik = (
        f"7471{rng.randint(1, 11):02d}{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}"
        f"{rng.randint(8, 25):02d}{rng.randint(1, 9999):04d}"
    )
    return body.replace("{{NAME}}", name).replace("{{DOB}}", dob).replace("{{NIK}}", nik)


def intended_offsets(rate: float, seconds: float) -> list[float]:
    """The intended send times of a run, seconds from its start: one every 1/rate, within `seconds`."""
    if rate <= 0 or seconds <= 0:
        return []
    return [i / rate for i in range(round(rate * seconds))]


def percentile(sorted_values: list[float], p: float) -> float:
    """The nearest-rank percentile `p` (0-100) of ascending values; 0 for none."""
    if not sorted_values:
        return 0.0
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil(n * p / 100), at least the first
    return sorted_values[min(len(sorted_values), int(rank)) - 1]


@dataclass
class Outcome:
    """What one open-loop run measured (seconds)."""

    rate: float
    intended: int
    sent: int = 0
    answered: int = 0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)  # from the intended send time, by request index
    service: list[float] = field(default_factory=list)  # from the actual send time (what wrk would see)
    lags: list[float] = field(default_factory=list)  # scheduler release minus intended time
    send_seconds: float = 0.0  # from the first intended send to the last actual send
    seconds: float = 0.0  # from the start to the last answer
    connections: int = 0
    capped: bool = False  # every allowed connection was busy at some release

    @property
    def sent_rate(self) -> float:
        """Requests sent per second over the sending window (what the generator managed)."""
        return (self.sent - 1) / self.send_seconds if self.sent > 1 and self.send_seconds else 0.0

    @property
    def achieved_rate(self) -> float:
        """Answers per second, start to last answer (below the rate when the server cannot keep up)."""
        return self.answered / self.seconds if self.seconds else 0.0

    def latency_ms(self, p: float) -> float:
        return percentile(sorted(self.latencies), p) * 1000

    @property
    def lag_p99_ms(self) -> float:
        return percentile(sorted(self.lags), 99) * 1000

    @property
    def behind(self) -> str | None:
        """Why the generator did not load the server as asked; None when it kept the pace."""
        if self.sent > 1 and self.sent_rate < SENT_SHARE_LIMIT * self.rate:
            return f"the generator fell behind: it sent {self.sent_rate:.1f} req/s of {self.rate:g}"
        if self.lag_p99_ms > LAG_LIMIT_S * 1000:
            return f"the generator fell behind: it released requests {self.lag_p99_ms:.0f} ms late (p99)"
        if self.capped:
            return (
                f"all {self.connections} connections were busy, so requests waited in the generator (their "
                "latency counts the wait, but the server never saw more at once)"
            )
        return None


class _Pool:
    """Keep-alive connections, one thread each, taking released requests from one queue."""

    def __init__(
        self, base: str, specs: list[Spec], expect: int, max_connections: int, timeout: float, seed: int
    ) -> None:
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.prefix = url.path.rstrip("/")
        self.specs, self.expect, self.timeout = specs, expect, timeout
        self.max_connections = max_connections
        self.jobs: queue.Queue[tuple[int, float] | None] = queue.Queue()
        self.lock = threading.Lock()
        self.idle = 0
        self.threads: list[threading.Thread] = []
        self.rng = random.Random(seed)
        self.first = self.rng.randrange(len(specs))
        self.done: dict[int, tuple[float, float, str | None]] = {}  # index: latency, service, error status
        self.deadline = float("inf")
        self.capped = False

    def release(self, index: int, intended: float) -> None:
        """Hand request `index` to a connection, opening one if all are busy and the cap allows."""
        with self.lock:
            grow = self.idle == 0 and len(self.threads) < self.max_connections
            if grow:
                thread = threading.Thread(target=self._work, daemon=True)
                self.threads.append(thread)
            elif self.idle:
                self.idle -= 1
            else:
                self.capped = True
        if grow:
            thread.start()
        self.jobs.put((index, intended))

    def _work(self) -> None:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        rng = random.Random(self.rng.random())
        try:
            while True:
                job = self.jobs.get()
                if job is None:
                    return
                self._send(connection, rng, *job)
                with self.lock:
                    self.idle += 1
        finally:
            connection.close()

    def _send(
        self, connection: http.client.HTTPConnection, rng: random.Random, index: int, at: float
    ) -> None:
        spec = self.specs[(self.first + index) % len(self.specs)]
        if time.perf_counter() > self.deadline:
            self.done[index] = (float("nan"), float("nan"), "unsent")
            return
        body = fill(spec.body, rng).encode() if spec.body is not None else None
        sent = time.perf_counter()
        try:
            connection.request(spec.method, self.prefix + spec.path, body=body, headers=spec.headers)
            response = connection.getresponse()
            response.read()
            status: str | None = None if response.status == self.expect else str(response.status)
        except (OSError, http.client.HTTPException) as exc:
            connection.close()  # the next request reconnects
            status = "timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
            self.done[index] = (float("nan"), float("nan"), status)
            return
        finished = time.perf_counter()
        self.done[index] = (finished - at, finished - sent, status)

    def close(self, wait: float) -> None:
        """Let the connections finish what was released, up to `wait` seconds; then stop them."""
        self.deadline = time.perf_counter() + wait
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join(max(0.0, self.deadline + self.timeout - time.perf_counter()))


def run_open_loop(
    base: str,
    scenario: Scenario,
    rate: float,
    seconds: float,
    *,
    max_connections: int = 256,
    timeout: float = 30.0,
    seed: int | None = None,
) -> Outcome:
    """Send the scenario's requests at `rate` per second for `seconds`; time each from when it was due."""
    specs = parse_lines(scenario.lines)
    offsets = intended_offsets(rate, seconds)
    outcome = Outcome(rate=rate, intended=len(offsets))
    pool = _Pool(base, specs, scenario.expect, max_connections, timeout, seed or random.randrange(1 << 30))
    start = time.perf_counter() + 0.05  # a moment to start the first thread
    last_sent = start
    for index, offset in enumerate(offsets):
        intended = start + offset
        while (now := time.perf_counter()) < intended:
            time.sleep(min(intended - now, 0.05))
        outcome.lags.append(now - intended)
        pool.release(index, intended)
        last_sent = now
    outcome.sent = len(offsets)
    outcome.send_seconds = last_sent - start
    pool.close(timeout)
    ended = time.perf_counter()
    outcome.connections, outcome.capped = len(pool.threads), pool.capped
    last_answer = start
    for index in range(len(offsets)):
        latency, service, error = pool.done.get(index, (float("nan"), float("nan"), "unanswered"))
        if error is None or error.isdigit():
            outcome.answered += 1
            outcome.latencies.append(latency)
            outcome.service.append(service)
            last_answer = max(last_answer, start + offsets[index] + latency)
        if error is not None:
            outcome.errors += 1
            outcome.statuses[error] = outcome.statuses.get(error, 0) + 1
    outcome.seconds = (last_answer if outcome.answered else ended) - start
    return outcome


def as_result(label: str, scenario: Scenario, outcome: Outcome) -> Result:
    """Return an open-loop run's figures as a row of the load tables (`requests` are the answers)."""
    return Result(
        target=label,
        scenario=scenario.name,
        think_ms=0,
        requests=outcome.answered,
        seconds=outcome.seconds,
        p50_ms=outcome.latency_ms(50),
        p95_ms=outcome.latency_ms(95),
        p99_ms=outcome.latency_ms(99),
        errors=outcome.errors,
        statuses=outcome.statuses,
        rate=outcome.rate,
        sent_rate=outcome.sent_rate,
        warning=outcome.behind,
    )


def parse_rates(values: tuple[str, ...]) -> list[tuple[str | None, float]]:
    """Read `--open-loop-rate` values: `R` (every page) or `page=R` (that page only)."""
    rates: list[tuple[str | None, float]] = []
    for value in values:
        page, _, number = value.rpartition("=")
        try:
            rate = float(number)
        except ValueError:
            rate = 0.0
        if rate <= 0:
            raise click.BadParameter(f"wants R or page=R with R > 0 requests/s, not {value!r}")
        rates.append((page or None, rate))
    return rates


def rates_for(rates: list[tuple[str | None, float]], page: str) -> list[float]:
    """The open-loop rates that apply to a page, each once, in the order given."""
    return list(dict.fromkeys(rate for name, rate in rates if name in (None, page)))
