"""Throughput of `audit verify` (events/s) and `keys rotate` (data keys/s) on DATABASE_URL.

    DATABASE_URL=... python -m bench.throughput

The rotation is measured by putting a fresh KEK in front of the configured ring (in this process only),
rewrapping every data key under it, then rewrapping them back under the configured KEK (not timed) so the
database stays readable. It refuses a DATABASE_URL that does not name a benchmark database.
"""

from __future__ import annotations

import time

import click

from caseapp import create_app
from caseapp.extensions import db
from caseapp.security.keys import new_key_material


@click.command()
def main() -> None:
    """Print events/s for audit verification and data keys/s for key rotation."""
    import os

    from caseapp.audit import verify_chain
    from caseapp.services import data_keys

    if "bench" not in os.environ.get("DATABASE_URL", ""):
        raise click.UsageError("set DATABASE_URL to a benchmark database (its name must contain 'bench')")

    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        result = verify_chain()
        elapsed = time.perf_counter() - started
        click.echo(
            f"audit verify: {result.message()} in {elapsed:.2f} s = {result.checked / elapsed:,.0f} events/s"
        )
        ring = data_keys.keyring()
        fresh = new_key_material("bench" + str(int(time.time())))["CASEAPP_KEK"]
        current = ",".join(
            f"{kid}:{__import__('base64').b64encode(key).decode()}" for kid, key in ring.keks.items()
        )
        db.session.remove()
    rotating = create_app(CASEAPP_KEK=f"{fresh},{current}")
    with rotating.app_context():
        pending = data_keys.pending_rotation_count()
        started = time.perf_counter()
        done = data_keys.rotate_all(batch_size=2000)
        elapsed = time.perf_counter() - started
        click.echo(
            f"keys rotate: {done} of {pending} data keys in {elapsed:.2f} s = {done / elapsed:,.0f} keys/s"
        )
        db.session.remove()
    restoring = create_app(CASEAPP_KEK=f"{current},{fresh}")
    with restoring.app_context():
        data_keys.rotate_all(batch_size=2000)  # back under the configured KEK: the database stays readable
        if data_keys.pending_rotation_count():
            raise click.ClickException("some data keys were not rotated back: keep the printed KEK!")


if __name__ == "__main__":
    main()
