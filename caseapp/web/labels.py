"""Interface labels for closed vocabularies (the API uses the codes)."""

from flask_babel import lazy_gettext as _l

from caseapp.security.permissions import Role

ROLE_LABELS = {
    Role.CASE_WORKER: _l("Case worker"),
    Role.SUPERVISOR: _l("Supervisor"),
    Role.ANALYST: _l("Analyst (task force)"),
    Role.AUDITOR: _l("Auditor"),
    Role.ADMIN: _l("Administrator"),
}


def role_label(role: str) -> str:
    """Return the label of a role code in the current language."""
    try:
        return str(ROLE_LABELS[Role(role)])
    except ValueError:
        return role
