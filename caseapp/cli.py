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

from caseapp.demo import accounts as demo_accounts
from caseapp.demo import cases as demo_cases
from caseapp.errors import CaseappError, NotFound, ValidationFailed
from caseapp.extensions import db
from caseapp.security.permissions import Role
from caseapp.services import reference, users
from caseapp.transaction import unit_of_work

user_cli = AppGroup("user", help="Manage user accounts.")
keys_cli = AppGroup("keys", help="Key material: generate, rotate.")
referrals_cli = AppGroup("referrals", help="Referral deadlines.")
outbox_cli = AppGroup("outbox", help="The e-mail outbox.")
audit_cli = AppGroup("audit", help="The tamper-evident audit log.")
attachments_cli = AppGroup("attachments", help="Encrypted attachments.")
search_cli = AppGroup("search", help="The blind index of children's names.")
retention_cli = AppGroup("retention", help="Retention: remove the identity of long-closed cases.")


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
    with unit_of_work():
        created = reference.seed_reference_data()
    click.echo(
        f"Reference data loaded: {created['region']} new regions, {created['agency']} new agencies, "
        f"{created['code']} new codes."
    )


def _write_credentials(rows: list[tuple[str, str, str, str]], path: Path) -> None:
    """Append the accounts of this database to the private credentials file (never overwrite another's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)  # also when the file existed with looser rights
    url = db.engine.url.render_as_string(hide_password=True)
    with os.fdopen(fd, "a") as fh:
        fh.write(f"# caseapp demo accounts (synthetic) for {url}. Keep this file private.\n")
        fh.write("# username\tpassword\trole\tagency\n")
        for row in rows:
            fh.write("\t".join(row) + "\n")


@click.command("demo")
@with_appcontext
@click.option(
    "--cases",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Also create this many synthetic demo cases (marked as demo) for the demo case workers.",
)
@click.option("--seed", type=int, default=None, help="Random seed: the same seed gives the same demo cases.")
@click.option(
    "--credentials",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the demo passwords (default: instance/demo-credentials.txt).",
)
def demo_command(cases: int, credentials: Path | None, seed: int | None = None) -> None:
    """Create demo accounts on an empty database; print their passwords once; optionally demo cases."""
    with unit_of_work():
        created = demo_accounts.create_demo_users()
    if not created:
        click.echo("Users already exist: demo accounts left as they are.")
    else:
        path = credentials or Path(current_app.config["DEMO_CREDENTIALS_FILE"])
        _write_credentials(created, path)
        click.echo(f"Demo accounts (shown once; also in {path}, mode 0600):")
        for username, password, role, agency in created:
            click.echo(f"  {username:<18} {password}  {role} @ {agency}")
    if not cases:
        return
    try:
        with click.progressbar(length=cases, label=f"Creating {cases} synthetic demo cases") as bar:
            made = demo_cases.create_demo_cases(cases, on_progress=bar.update, seed=seed)
    except CaseappError as exc:
        _fail(exc.message)
    click.echo(f"Created {made} demo cases (synthetic, marked as demo).")


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Check the database, migrate, load reference data; on first run create demo accounts and cases."""
    from flask_migrate import upgrade

    check_database()
    upgrade()
    ctx = click.get_current_context()
    ctx.invoke(seed_command)
    ctx.invoke(search_reindex_command)
    ctx.invoke(demo_command)
    count = int(current_app.config.get("DEMO_CASES_ON_SETUP", demo_cases.FIRST_START_CASES))
    if count > 0 and demo_cases.first_start_wanted():
        label = f"First start: creating {count} synthetic demo cases (marked as demo)"
        with click.progressbar(length=count, label=label) as bar:
            demo_cases.create_demo_cases(count, on_progress=bar.update)


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
        with unit_of_work():
            user = users.create_user(None, username, name or username, role, agency, password, email=email)
    except ValidationFailed as exc:
        problems = "; ".join(m for msgs in exc.fields.values() for m in msgs) or exc.message
        _fail(problems, 2)
    click.echo(f"Created {user.username} ({user.role} @ {agency.code}).")


@user_cli.command("token")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for")
@click.option("--days", default=90, show_default=True, help="Days until it expires (1-365)")
def user_token_command(username: str, name: str, days: int) -> None:
    """Create an API token for a user; the token is printed once, as the last line."""
    from caseapp.models import User
    from caseapp.services import tokens
    from caseapp.services.auth import normalise_username

    user = db.session.scalar(db.select(User).where(User.username == normalise_username(username)))
    if user is None or not user.active:
        _fail(f"no active user {username!r}", 2)
    try:
        with unit_of_work():
            new = tokens.create_token(None, user, name, days)
    except ValidationFailed as exc:
        _fail(exc.message, 2)
    click.echo(f"Token {new.row.prefix}… for {user.username}, expires {new.row.expires_at:%Y-%m-%d} (UTC).")
    click.echo("Store it now; it cannot be shown again:")
    click.echo(new.secret)


@user_cli.command("mfa-reset")
@click.argument("username")
def user_mfa_reset_command(username: str) -> None:
    """Clear a user's two-factor sign-in (they set it up again at next sign-in); audited."""
    from caseapp.models import User
    from caseapp.services import mfa
    from caseapp.services.auth import normalise_username

    user = db.session.scalar(db.select(User).where(User.username == normalise_username(username)))
    if user is None:
        _fail(f"no user {username!r}", 2)
    with unit_of_work():
        mfa.reset(None, user, None)
    click.echo(f"Two-factor sign-in of {user.username} cleared; they set it up again at next sign-in.")


@referrals_cli.command("remind")
def referrals_remind_command() -> None:
    """Notify receiving supervisors of overdue referrals (once a day each; meant for cron)."""
    from caseapp.services import notify, referrals

    with unit_of_work():
        count = referrals.remind_overdue()
    sent, failed = notify.send_pending()
    # Without a broker the commit also woke this process's job thread: let it finish before exiting.
    drain = getattr(current_app.extensions.get("caseapp.jobs"), "drain", None)
    if drain is not None:
        drain()
    click.echo(f"Reminded about {count} overdue referrals; e-mail sent {sent}, failed {failed}.")


@attachments_cli.command("rescan")
def attachments_rescan_command() -> None:
    """Scan the files kept in quarantine while the malware scanner was down (cron, e.g. every 10 minutes)."""
    from caseapp.services import attachments

    if not current_app.config.get("CLAMD_SOCKET"):
        click.echo("CLAMD_SOCKET is not set: no scanner, nothing to rescan.")
        return
    with unit_of_work():
        counts = attachments.rescan_quarantined(limit=1000)
    click.echo("Released {clean}, malware found and shredded {infected}, waiting {waiting}.".format(**counts))


@outbox_cli.command("send")
def outbox_send_command() -> None:
    """Send (or retry) the e-mail waiting in the outbox."""
    from caseapp.services import notify

    if not current_app.config.get("MAIL_SERVER"):
        click.echo("MAIL_SERVER is not set: nothing is sent (messages stay in the outbox).")
        return
    sent, failed = notify.send_pending(limit=1000)
    click.echo(f"Sent {sent}, failed {failed} (failed ones are retried later).")
    if failed:
        sys.exit(1)


@click.command("prune")
@with_appcontext
def prune_command() -> None:
    """Delete ended sessions, idle sign-in counters, old read notifications and sent mail (daily cron)."""
    from caseapp.services.maintenance import prune

    with unit_of_work():
        counts = prune()
    click.echo("Pruned: " + ", ".join(f"{name} {n}" for name, n in counts.items()) + ".")


@search_cli.command("reindex")
@click.option("--batch-size", default=2000, show_default=True)
def search_reindex_command(batch_size: int = 2000) -> None:
    """Index the names (search tokens, and name with birth date for the duplicate check) of cases that lack
    them (after an upgrade; resumable)."""
    from caseapp.services.cases import names

    pending = names.unindexed_count()
    if not pending:
        click.echo("Name index: every case is indexed.")
        return
    with click.progressbar(length=pending, label="Indexing children's names") as bar:
        done = names.backfill(batch_size, on_batch=bar.update)
    click.echo(f"Name index: indexed {done.indexed} cases.")
    if done.unreadable:
        click.echo(
            f"Name index: {done.unreadable} could not be read (a KEK missing from the ring?) and stay "
            "unindexed; the log names them."
        )


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Only count the cases that are due; shred nothing.")
@click.option("--batch-size", default=100, show_default=True)
def retention_run_command(dry_run: bool, batch_size: int) -> None:
    """Shred the cases past their retention, as the daily job does (resumable, idempotent)."""
    from caseapp.services import retention

    years = retention.retention_years()
    if not years:
        click.echo("CASE_RETENTION_YEARS is 0: retention is off, nothing is shredded.")
        return
    due = retention.count_due()
    click.echo(f"Cases due for shredding ({years} years after closure, no hold, no open proceedings): {due}")
    if dry_run:
        click.echo("Dry run: nothing was shredded.")
        return
    failed: list[int] = []
    with click.progressbar(length=due, label="Shredding") as bar:
        done = retention.shred_due(batch_size, on_batch=bar.update, on_failed=failed.append)
    click.echo(f"Shredded {done} cases.")
    if failed:  # each is in the error log (its uuid) and the audit log (case.shred, outcome error)
        click.echo(
            f"{sum(failed)} cases could not be shredded: see the error log and the audit log.", err=True
        )
        raise SystemExit(1)


@keys_cli.command("generate")
def keys_generate_command() -> None:
    """Print fresh key material as lines for a production environment file."""
    from caseapp.security.keys import new_key_material, new_signing_key

    click.echo("# caseapp key material: keep it apart from database backups, mode 0600")
    for name, value in new_key_material().items():
        click.echo(f"{name}={value}")
    click.echo(f"CASEAPP_AUDIT_SIGNING_KEY={new_signing_key()}")


@keys_cli.command("rotate")
@click.option("--batch-size", default=5000, show_default=True)
def keys_rotate_command(batch_size: int) -> None:
    """Rewrap every data key under the current KEK (resumable, idempotent)."""
    from caseapp import audit
    from caseapp.audit import AuditAction
    from caseapp.services import data_keys, mfa

    ring = data_keys.keyring()
    pending = data_keys.pending_rotation_count()
    click.echo(f"Current KEK: {ring.current_kek_id}; data keys to rewrap: {pending}")
    with click.progressbar(length=pending, label="Rewrapping data keys") as bar:
        total = data_keys.rotate_all(batch_size, on_batch=bar.update)
    with unit_of_work():
        resealed = mfa.reseal_secrets()  # TOTP secrets are sealed under the KEK itself
        audit.record(
            AuditAction.KEYS_ROTATE,
            object_type="kek",
            object_id=ring.current_kek_id,
            details={"rewrapped": total, "totp_secrets": resealed},
            actor_username="cli",
        )
    click.echo(f"Rewrapped {total} data keys; all live keys are now under {ring.current_kek_id}.")
    if resealed:
        click.echo(f"Resealed {resealed} two-factor secrets under {ring.current_kek_id}.")


@audit_cli.command("verify")
@click.option(
    "--public-key",
    "public_key_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Check the checkpoints with this public key (PEM) instead of the configured signing key.",
)
def audit_verify_command(public_key_file: str | None) -> None:
    """Recompute the audit chain and check it against the signed checkpoints; exit 0 with OK, or 1 naming
    the first bad event (an edit, a gap, or events removed or replaced after a checkpoint)."""
    from caseapp.audit.checkpoint import CheckpointError, load_public_key, verify_anchored
    from caseapp.audit.verify import count_events
    from caseapp.security.keys import KeyConfigError

    total = count_events()
    try:
        public = load_public_key(Path(public_key_file).read_bytes()) if public_key_file else None
        with click.progressbar(length=total, label="Verifying audit chain", file=sys.stderr) as bar:
            result = verify_anchored(on_progress=bar.update, public=public)
    except (CheckpointError, KeyConfigError, ValueError) as exc:
        click.echo(f"FAILED: {exc}")
        sys.exit(1)
    click.echo(result.message())
    sys.exit(0 if result.ok else 1)


@audit_cli.command("checkpoint")
def audit_checkpoint_command() -> None:
    """Sign the chain's head and append it to CASEAPP_AUDIT_CHECKPOINT_FILE (run it from cron or the jobs)."""
    from caseapp.audit.checkpoint import CheckpointError, checkpoint_path, record_checkpoint
    from caseapp.security.keys import KeyConfigError

    try:
        with unit_of_work():
            checkpoint = record_checkpoint("cli")
    except (CheckpointError, KeyConfigError) as exc:
        click.echo(f"FAILED: {exc}")
        sys.exit(1)
    click.echo(f"Checkpoint of seq {checkpoint.seq} signed by key {checkpoint.key_id} in {checkpoint_path()}")


@audit_cli.command("public-key")
def audit_public_key_command() -> None:
    """Print the public key (PEM) that checks the checkpoints: give it to whoever oversees the log."""
    from caseapp.audit.checkpoint import public_key_pem
    from caseapp.security.keys import KeyConfigError

    try:
        click.echo(public_key_pem(), nl=False)
    except KeyConfigError as exc:
        click.echo(f"FAILED: {exc}")
        sys.exit(1)


@click.command("security-check")
@with_appcontext
def security_check_command() -> None:
    """Exit non-zero, naming each problem, when this configuration is unsafe for production."""
    from caseapp.security.checks import configuration_problems

    problems = configuration_problems(current_app)
    for problem in problems:
        click.echo(f"UNSAFE: {problem}")
    if problems:
        sys.exit(1)
    click.echo("OK: no problems found in this configuration")


def register(app: Flask) -> None:
    """Attach the commands to the application."""
    for command in (
        seed_command,
        demo_command,
        setup_command,
        user_cli,
        keys_cli,
        audit_cli,
        search_cli,
        retention_cli,
        referrals_cli,
        outbox_cli,
        attachments_cli,
        security_check_command,
        prune_command,
    ):
        app.cli.add_command(command)
