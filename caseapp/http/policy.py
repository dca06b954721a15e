"""Route policies: every endpoint declares a permission or is explicitly public.

`create_app` installs a hook that refuses anonymous users on every endpoint not marked public, so a
forgotten decorator still fails closed; a test walks `app.url_map` to make sure none is forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask_login import current_user

from caseapp.errors import NotFound, PermissionDenied
from caseapp.extensions import login_manager
from caseapp.security.permissions import Permission
from caseapp.services import access

F = TypeVar("F", bound=Callable[..., Any])

POLICY_ATTR = "_caseapp_policy"
PUBLIC = "public"


def public(view: F) -> F:
    """Mark a view as reachable without signing in (sign-in page, health, language switch)."""
    setattr(view, POLICY_ATTR, PUBLIC)
    return view


HIDE_ATTR = "_caseapp_hide"


def require(permission: Permission, hide: bool = False) -> Callable[[F], F]:
    """Declare the permission a view needs; refuse (403, audited) any user without it.

    `hide=True` for URLs that name a record (a case): a user who may not read cases at all then gets a 404,
    so that they cannot even learn that the record exists.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(permission):
                access.record_denial(current_user, permission)
                if hide and not current_user.can(Permission.CASE_READ):
                    raise NotFound()
                raise PermissionDenied(str(permission))
            return view(*args, **kwargs)

        setattr(wrapped, POLICY_ATTR, permission)
        setattr(wrapped, HIDE_ATTR, hide)
        return cast(F, wrapped)

    return decorator


def policy_of(view: Callable[..., Any]) -> str | Permission | None:
    """Return the declared policy of a view function, or None when it declares none."""
    return getattr(view, POLICY_ATTR, None)
