"""API endpoints of the foundation: who am I, and the OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, request, url_for
from flask_login import current_user

from caseapp.api.endpoint import endpoint
from caseapp.api.openapi import document
from caseapp.extensions import csrf, db, limiter
from caseapp.http.context import acting_user
from caseapp.http.policy import require
from caseapp.models import ReferenceCode, Region
from caseapp.schemas.common import CodeOut, MeOut, ReferenceOut, RegionOut
from caseapp.security.permissions import ROLE_PERMISSIONS, Permission

bp = Blueprint("api", __name__)
# Bearer requests carry no cookie, so no CSRF risk; browser-session requests are checked below.
csrf.exempt(bp)


def _api_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


def _limit_key() -> str:
    # The limit runs before the view: ask who is calling now, so that a bearer token is known (and counted
    # on its own) rather than the address that many users of one office share.
    current_user.is_authenticated  # noqa: B018 - loads the user, which records the token in `g`
    token = g.get("api_token")
    return f"token:{token.id}" if token is not None else f"ip:{request.remote_addr}"


limiter.limit(_api_limit, key_func=_limit_key)(bp)


@bp.before_request
def _csrf_for_browser_sessions() -> None:
    from flask_login import current_user as user

    if (
        request.method not in ("GET", "HEAD", "OPTIONS")
        and current_app.config.get("WTF_CSRF_ENABLED", True)
        and user.is_authenticated
        and g.get("auth_method") == "session"
    ):
        csrf.protect()


@bp.route("/me")
@require(Permission.ACCOUNT_SELF)
@endpoint(response=MeOut)
def me() -> MeOut:
    """The signed-in user: identity, role, agency and permissions."""
    user = acting_user()
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        role=user.role_enum,
        agency=user.agency.code,
        permissions=sorted(ROLE_PERMISSIONS[user.role_enum]),
        locale=user.locale or current_app.config["BABEL_DEFAULT_LOCALE"],
    )


@bp.route("/reference")
@require(Permission.ACCOUNT_SELF)
@endpoint(response=ReferenceOut)
def reference() -> ReferenceOut:
    """The code lists (codes with Indonesian and English labels) and the regions."""
    vocabularies: dict[str, list[CodeOut]] = {}
    for row in db.session.scalars(
        db.select(ReferenceCode)
        .where(ReferenceCode.active.is_(True))
        .order_by(ReferenceCode.vocabulary, ReferenceCode.position)
    ):
        vocabularies.setdefault(row.vocabulary, []).append(
            CodeOut(code=row.code, label_id=row.label_id, label_en=row.label_en)
        )
    regions = [
        RegionOut(code=r.code, name=r.name, level=r.level, parent=r.parent_code)
        for r in db.session.scalars(db.select(Region).order_by(Region.code))
    ]
    return ReferenceOut(vocabularies=vocabularies, regions=regions)


@bp.route("/openapi.json")
@require(Permission.ACCOUNT_SELF)
@endpoint(response=dict[str, Any], tag="meta")
def openapi() -> dict[str, Any]:
    """This document (OpenAPI 3.1), generated from the routes and their schemas."""
    return document(current_app, url_for("api.me").rsplit("/me", 1)[0])
