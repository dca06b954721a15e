"""Demo accounts for a first run: one per role and agency kind, random passwords shown once."""

from __future__ import annotations

from sqlalchemy import select

from caseapp.extensions import db
from caseapp.models import User
from caseapp.security.permissions import Role
from caseapp.services import passwords
from caseapp.services.users import agency_by_code, create_user

DEMO_ACCOUNTS: tuple[tuple[str, str, str, str], ...] = (
    ("spv.dp3a", "Supervisor DP3A (demo)", Role.SUPERVISOR, "DP3A"),
    ("petugas.dp3a", "Petugas DP3A (demo)", Role.CASE_WORKER, "DP3A"),
    ("spv.uptd", "Kepala UPTD PPA (demo)", Role.SUPERVISOR, "UPTD_PPA"),
    ("petugas.uptd", "Manajer Kasus UPTD PPA (demo)", Role.CASE_WORKER, "UPTD_PPA"),
    ("spv.polresta", "Kanit PPA Polresta (demo)", Role.SUPERVISOR, "POLRESTA"),
    ("petugas.polresta", "Penyidik Unit PPA (demo)", Role.CASE_WORKER, "POLRESTA"),
    ("spv.dinsos", "Supervisor Dinas Sosial (demo)", Role.SUPERVISOR, "DINSOS"),
    ("petugas.dinsos", "Pekerja Sosial Dinsos (demo)", Role.CASE_WORKER, "DINSOS"),
    ("analis.bappeda", "Analis Gugus Tugas KLA (demo)", Role.ANALYST, "BAPPEDA"),
    ("simfoni.dp3a", "Operator SIMFONI-PPA DP3A (demo)", Role.REPORTING_OFFICER, "DP3A"),
    ("auditor", "Auditor Inspektorat (demo)", Role.AUDITOR, "INSPEKTORAT"),
    ("admin", "Administrator Sistem (demo)", Role.ADMIN, "DP3A"),
)
# The roles that are handed cases: the demo team is the accounts with one of them.
WORKING_ROLES = (Role.CASE_WORKER.value, Role.SUPERVISOR.value)


def create_demo_users() -> list[tuple[str, str, str, str]]:
    """Create the demo accounts that do not exist; return (username, password, role, agency) of new ones.

    Does nothing once any user exists, so a second run keeps everyone's credentials.
    """
    if db.session.scalar(select(User.id).limit(1)) is not None:
        return []
    created = []
    for username, name, role, agency_code in DEMO_ACCOUNTS:
        password = passwords.generate_password()
        create_user(None, username, name, role, agency_by_code(agency_code), password)
        created.append((username, password, str(role), agency_code))
    return created


def demo_team_exists() -> bool:
    """Say whether any of the demo case workers or supervisors exists (and is active)."""
    names = [u for u, _name, role, _agency in DEMO_ACCOUNTS if role in WORKING_ROLES]
    stmt = select(User.id).where(User.username.in_(names), User.active.is_(True)).limit(1)
    return db.session.scalar(stmt) is not None
