"""The figures as Markdown (a table per client model, the ratios the targets are stated in) and their place
in docs/BENCHMARKS.md."""

from __future__ import annotations

from pathlib import Path

import click

from bench.driver import Result
from bench.fixtures import Fixtures

DOC = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"
DOC_BEGIN, DOC_END = "<!-- load:begin -->", "<!-- load:end -->"


Run = tuple[str, Fixtures, list[Result]]


Model = tuple[int, float]  # think time ms, open-loop rate (0: a wrk model)
CLOSED: Model = (0, 0.0)


def _find(results: list[Result], scenario: str, model: Model) -> Result | None:
    return next((r for r in results if r.scenario == scenario and r.model == model), None)


def _heading(model: Model) -> str:
    think_ms, rate = model
    if rate:
        return (
            f"**open loop at {rate:g} req/s** (latency from each request's intended send time): "
            "p50 / p95 / p99 ms, achieved req/s (answers), errors"
        )
    name = f"think time 0-{2 * think_ms / 1000:g} s" if think_ms else "closed loop (no think time)"
    return f"**{name}**: p50 / p95 / p99 ms, requests/s, errors"


def _cell(m: Result | None) -> str:
    if m is None:
        return "-"
    rps = f"{m.rps:.1f}" if m.rate else f"{m.rps:.0f}"
    mark = " (!)" if m.warning else ""
    return f"{m.p50_ms:.0f} / {m.p95_ms:.0f} / {m.p99_ms:.0f}, {rps}, {m.errors}{mark}"


def markdown(runs: list[Run], settings: str) -> str:
    """The results as Markdown: a table per client model (a row per page, a column per database), then
    the ratios the targets are stated in."""
    names: list[str] = []
    models: list[Model] = []
    for _label, _fx, results in runs:
        for r in results:
            if r.scenario not in names:
                names.append(r.scenario)
            if r.model not in models:
                models.append(r.model)
    out = [settings, ""]
    for model in models:
        out += [
            _heading(model),
            "",
            "| page | " + " | ".join(f"{label} ({fx.cases:,} cases)" for label, fx, _ in runs) + " |",
            "|---|" + "---|" * len(runs),
        ]
        for name in names:
            cells = [_cell(_find(results, name, model)) for _label, _fx, results in runs]
            out.append(f"| {name} | " + " | ".join(cells) + " |")
        out.append("")
        warned = [r for _label, _fx, results in runs for r in results if r.model == model and r.warning]
        out += [f"(!) {r.target}, {r.scenario}: {r.warning}." for r in warned]
        out += [""] if warned else []
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


def _ratios(runs: list[Run], models: list[Model]) -> list[str]:
    """Overhead against the bare endpoints, and growth from the smallest to the largest PostgreSQL run."""
    closed = CLOSED if CLOSED in models else models[0]
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
            if r.model != closed:
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
