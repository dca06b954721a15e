"""Driving one scenario with wrk (`bench/wrk.lua`) and reading its figures back."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from bench.scenarios import Scenario

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")


@dataclass
class Result:
    """One scenario's figures under one client model: wrk's (closed loop or think time, `rate` 0) or the
    open loop's (`bench/openloop.py`, `rate` requests/s; then `requests` are the answers)."""

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
    rate: float = 0.0
    sent_rate: float = 0.0
    warning: str | None = None  # the open loop could not load the server as asked (`Outcome.behind`)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def model(self) -> tuple[int, float]:
        """The client model: (think time, open-loop rate)."""
        return (self.think_ms, self.rate)


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


def read_result(label: str, scenario: Scenario, think_ms: int, raw: dict[str, Any]) -> Result:
    """Return the figures of one wrk run (what `run_wrk` returned) as a Result."""
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
