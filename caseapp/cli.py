"""Command-line interface: the same services as the web, from the shell (`flask --app wsgi ...`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from caseapp.errors import NotFound, ValidationFailed
from caseapp.extensions import db
from caseapp.security.permissions import Role
from caseapp.services import demo, reference, users

user_cli = AppGroup("user", help="Manage user accounts.")


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def check_database() -> None:
    """Exit with a one-line message when the database cannot be reached."""
    try:
        db.session.execute(text("SELECT 1"))
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "connection failed"
        url = db.engine.url.render_as_string(hide_password=True)
        _fail(f"cannot reach the database {url}: {reason}")


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Load reference data (regions, agencies); safe to run again."""
    created = reference.seed_reference_data()
    db.session.commit()
    click.echo(f"Reference data loaded: {created['region']} new regions, {created['agency']} new agencies.")


def _write_credentials(rows: list[tuple[str, str, str, str]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("# caseapp demo accounts (synthetic). Keep this file private.\n")
        fh.write("# username\tpassword\trole\tagency\n")
        for row in rows:
            fh.write("\t".join(row) + "\n")


@click.command("demo")
@with_appcontext
@click.option("--cases", default=0, show_default=True, help="Synthetic demo cases (once cases exist).")
@click.option(
    "--credentials",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the demo passwords (default: instance/demo-credentials.txt).",
)
def demo_command(cases: int, credentials: Path | None) -> None:
    """Create demo accounts on an empty database; print their passwords once."""
    created = demo.create_demo_users()
    db.session.commit()
    if not created:
        click.echo("Users already exist: demo accounts left as they are.")
        return
    path = credentials or Path(current_app.config["DEMO_CREDENTIALS_FILE"])
    _write_credentials(created, path)
    click.echo(f"Demo accounts (shown once; also in {path}, mode 0600):")
    for username, password, role, agency in created:
        click.echo(f"  {username:<18} {password}  {role} @ {agency}")


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Check the database, apply migrations, load reference data, create demo accounts on first run."""
    from flask_migrate import upgrade

    check_database()
    upgrade()
    ctx = click.get_current_context()
    ctx.invoke(seed_command)
    ctx.invoke(demo_command)


@user_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, help="One of: " + ", ".join(r.value for r in Role))
@click.option("--agency", "agency_code", required=True, help="Agency code, e.g. UPTD_PPA")
@click.option("--name", default="", help="Display name")
@click.option("--email", default=None)
def user_create_command(username: str, role: str, agency_code: str, name: str, email: str | None) -> None:
    """Create a user; the password comes from CASEAPP_PASSWORD or a hidden prompt."""
    if role not in {r.value for r in Role}:
        _fail(f"unknown role {role!r}; use one of: {', '.join(r.value for r in Role)}", 2)
    try:
        agency = users.agency_by_code(agency_code)
    except NotFound:
        _fail(f"unknown agency {agency_code!r}; run `flask --app wsgi seed` or check the code", 2)
    password = os.environ.get("CASEAPP_PASSWORD")
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = users.create_user(None, username, name or username, role, agency, password, email=email)
    except ValidationFailed as exc:
        db.session.rollback()
        problems = "; ".join(m for msgs in exc.fields.values() for m in msgs) or exc.message
        _fail(problems, 2)
    db.session.commit()
    click.echo(f"Created {user.username} ({user.role} @ {agency.code}).")


def register(app: Flask) -> None:
    """Attach the commands to the application."""
    for command in (seed_command, demo_command, setup_command, user_cli):
        app.cli.add_command(command)
