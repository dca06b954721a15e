"""Step-up re-authentication: sensitive steps need the password (and code) confirmed within minutes.

`mfa.reauthenticate` records the confirmation on the browser session; the services guarding a sensitive
step (identifiable exports, API tokens, MFA reset, user creation) call `require_recent_auth` first.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _

from caseapp.database import utcnow
from caseapp.errors import ReauthRequired
from caseapp.models import User, UserSession


def reauth_minutes() -> int:
    """Return how long a step-up lasts (REAUTH_MINUTES)."""
    return int(current_app.config.get("REAUTH_MINUTES", 5))


def recently_authenticated(session: UserSession | None, minutes: int | None = None) -> bool:
    """Say whether the session confirmed the password (and code) within the last minutes."""
    if session is None or session.reauth_at is None:
        return False
    return utcnow() - session.reauth_at <= timedelta(minutes=minutes or reauth_minutes())


def require_recent_auth(user: User, session: UserSession | None, minutes: int | None = None) -> None:
    """Raise ReauthRequired unless the user's session stepped up within the last minutes.

    A bearer token never counts: the steps guarded here (identifiable exports, tokens, MFA reset, user
    creation) need a person at a browser who just typed their password and code.
    """
    if session is None or session.user_id != user.id or not recently_authenticated(session, minutes):
        raise ReauthRequired(_("Confirm your password (and code) to continue."))
