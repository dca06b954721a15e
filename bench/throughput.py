"""Throughput of `audit verify` (events/s) and `keys rotate` (data keys/s) on DATABASE_URL.

    DATABASE_URL=... python -m bench.throughput --label pg-1m [--write-doc]

The rotation is measured by putting a fresh KEK in front of the configured ring (in this process only),
rewrapping every data key under it, then rewrapping them back under the configured KEK (not timed) so the
database stays readable. It refuses a DATABASE_URL that does not name a benchmark database. With
`--write-doc` the figures replace this label's row in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import click

from caseapp import create_app
from caseapp.extensions import db
from caseapp.security.keys import new_key_material

DOC = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"
BEGIN, END = "<!-- throughput:begin -->", "<!-- throughput:end -->"
HEADER = (
    "| database | audit events | `audit verify`, events/s | "
    + "data keys | `keys rotate`, data keys/s | measured |"
)


def measure() -> dict[str, float]:
    """Time a full verification and a full rotation (and the untimed rotation back)."""
    from caseapp.audit import verify_chain
    from caseapp.services import data_keys

    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        result = verify_chain()
        verify_s = time.perf_counter() - started
        if not result.ok:
            raise click.ClickException(f"audit verify: {result.message()}")
        ring = data_keys.keyring()
        fresh = new_key_material("bench" + str(int(time.time())))["CASEAPP_KEK"]
        current = ",".join(f"{kid}:{base64.b64encode(key).decode()}" for kid, key in ring.keks.items())
        db.session.remove()
        db.engine.dispose()
    rotating = create_app(CASEAPP_KEK=f"{fresh},{current}")
    with rotating.app_context():
        pending = data_keys.pending_rotation_count()
        started = time.perf_counter()
        done = data_keys.rotate_all()
        rotate_s = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    restoring = create_app(CASEAPP_KEK=f"{current},{fresh}")
    with restoring.app_context():
        data_keys.rotate_all()  # back under the configured KEK: the database stays readable
        if data_keys.pending_rotation_count():
            raise click.ClickException("some data keys were not rotated back: keep the printed KEK!")
        db.session.remove()
        db.engine.dispose()
    if done != pending:
        raise click.ClickException(f"rotated {done} of {pending} data keys")
    return {"events": result.checked, "verify_s": verify_s, "keys": done, "rotate_s": rotate_s}


def write_row(label: str, figures: dict[str, float], doc: Path = DOC) -> None:
    """Put this label's row into the throughput table of the document (replacing an older one)."""
    text = doc.read_text()
    if BEGIN not in text or END not in text:
        raise click.ClickException(f"{doc} lacks the {BEGIN} / {END} markers")
    head, rest = text.split(BEGIN, 1)
    table, tail = rest.split(END, 1)
    rows = [
        line
        for line in table.strip().splitlines()
        if line.startswith("| ") and not line.startswith(("| database", f"| {label} |"))
    ]
    rows.append(
        f"| {label} | {figures['events']:,.0f} | {figures['events'] / figures['verify_s']:,.0f} "
        f"| {figures['keys']:,.0f} | {figures['keys'] / figures['rotate_s']:,.0f} "
        f"| {time.strftime('%Y-%m-%d')} |"
    )
    body = "\n".join([HEADER, "|---|---|---|---|---|---|", *sorted(rows)])
    doc.write_text(f"{head}{BEGIN}\n{body}\n{END}{tail}")


@click.command()
@click.option("--label", default="bench", show_default=True, help="Name of this database in the report")
@click.option("--write-doc", is_flag=True, help="Write the figures into docs/BENCHMARKS.md")
def main(label: str, write_doc: bool) -> None:
    """Print events/s for audit verification and data keys/s for key rotation."""
    if "bench" not in os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1]:
        raise click.UsageError("set DATABASE_URL to a benchmark database (its name must contain 'bench')")
    figures = measure()
    click.echo(
        f"[{label}] audit verify: {figures['events']:,.0f} events in {figures['verify_s']:.2f} s = "
        f"{figures['events'] / figures['verify_s']:,.0f} events/s; keys rotate: {figures['keys']:,.0f} data "
        f"keys in {figures['rotate_s']:.2f} s = {figures['keys'] / figures['rotate_s']:,.0f} keys/s"
    )
    if write_doc:
        write_row(label, figures)


if __name__ == "__main__":
    main()
