"""Shapes shared by every area: the error body, the signed-in user, the reference data."""

from __future__ import annotations

from pydantic import Field

from caseapp.schemas.base import Output
from caseapp.security.permissions import Permission, Role


class ErrorOut(Output):
    """Every error answer of the API."""

    error: str = Field(description="Machine-readable code, e.g. not_found, validation_failed")
    message: str = Field(description="What went wrong, in the user's language")
    fields: dict[str, list[str]] = Field(
        description="Messages by the dotted path of the field they concern (e.g. parties.1.phone)"
    )


class MeOut(Output):
    """The signed-in user."""

    username: str
    display_name: str
    role: Role
    agency: str = Field(description="Agency code (GET /reference)")
    permissions: list[Permission]
    locale: str


class CodeOut(Output):
    """One code of a vocabulary with its labels."""

    code: str
    label_id: str
    label_en: str


class RegionOut(Output):
    """A region by its Kemendagri code."""

    code: str
    name: str
    level: str = Field(description="kota, kecamatan or kelurahan")
    parent: str | None


class ReferenceOut(Output):
    """The code lists (by vocabulary) and the regions."""

    vocabularies: dict[str, list[CodeOut]]
    regions: list[RegionOut]
