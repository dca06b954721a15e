"""The same child twice: the NIK's blind index (any agency) and same name and birth date (in scope).

Both narrow by equality on a truncated keyed index and confirm by decrypting the few candidates: the NIK by
`Case.child_nik_bidx`, the name and birth date by `Case.child_identity_bidx` (`names.identity_index`: the
name's words and the ISO date under their own key). Neither reads the name tokens of the search, so a
common name costs a registration no more than a rare one. What the identity index shows to someone with
the database and without the key is said in `names`: which cases share a value, so which are probably one
child registered twice (truncation collisions mixed in), never a name or a date.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from caseapp import audit
from caseapp.audit import AuditAction
from caseapp.extensions import db
from caseapp.models import Case, User
from caseapp.schemas.cases import CaseIn
from caseapp.security import crypto
from caseapp.security.keys import current_keyring
from caseapp.services.cases import names
from caseapp.services.scoping import visible_cases

NIK_INDEX = "case.child_nik"
SAME_CHILD_LIMIT = 20  # the registration form lists at most this many possible matches


def nik_index(nik: str) -> int:
    """Return the blind index of a normalised NIK (the value stored in `Case.child_nik_bidx`)."""
    ring = current_keyring()
    bits = int(current_app.config.get("BLIND_INDEX_BITS", 16))
    return crypto.blind_index(crypto.index_key(ring.bidx_root, NIK_INDEX), nik, bits)


@dataclass
class Duplicates:
    """What a registration should know before it goes on."""

    nik_held_by: list[str] = field(default_factory=list)  # agency names only, nothing more
    same_child: list[Case] = field(default_factory=list)  # name + date of birth, within the actor's scope

    def __bool__(self) -> bool:
        return bool(self.nik_held_by or self.same_child)


def find_duplicates(actor: User, value: CaseIn, exclude_id: int | None = None) -> Duplicates:
    """Look for the same child: any case with this NIK (any agency), and same name + birth date in scope."""
    found = Duplicates()
    child = value.child
    if child.nik:
        stmt = (
            select(Case)
            .where(Case.child_nik_bidx == nik_index(child.nik))
            .options(joinedload(Case.data_key), joinedload(Case.owner_agency))
        )
        if exclude_id:
            stmt = stmt.where(Case.id != exclude_id)
        agencies: list[str] = []
        for case in db.session.scalars(stmt):
            try:
                same = case.child_nik == child.nik
            except crypto.DecryptionError:
                continue  # a shredded or unreadable case cannot be compared
            if same and case.owner_agency.name not in agencies:
                agencies.append(case.owner_agency.name)
        found.nik_held_by = agencies
        # A look-up by NIK across agencies: audited like a search, whatever the caller does next (a warning
        # page that rolls the request back keeps it too).
        audit.record(
            AuditAction.CASE_SEARCH,
            actor=actor,
            object_type="case",
            details={"by": "nik_duplicate_check", "count": len(agencies)},
            keep_on_rollback=True,
        )
    identity = names.identity_index(child.name, child.date_of_birth)  # None without a birth date
    if child.date_of_birth and identity is not None:
        name = " ".join(child.name.lower().split())
        dob = child.date_of_birth.isoformat()
        # Narrowed in SQL by the sex (in the clear) and the identity's blind index (cases registered before
        # it existed are candidates too, until `flask search reindex`), then compared decrypted: name and
        # birth date are sealed, and the truncated index is shared by other children on purpose.
        same_identity = or_(Case.child_identity_bidx == identity, names.identity_pending())
        stmt = (
            visible_cases(actor)
            .where(Case.child_sex == child.sex, same_identity)
            .options(joinedload(Case.data_key))
            .order_by(Case.created_at.desc())
        )
        if exclude_id:
            stmt = stmt.where(Case.id != exclude_id)
        for case in db.session.scalars(stmt.limit(2000)):
            try:
                same = case.child_dob == dob and " ".join(str(case.child_name).lower().split()) == name
            except crypto.DecryptionError:
                continue  # a shredded or unreadable case cannot be compared
            if same:
                found.same_child.append(case)
                if len(found.same_child) >= SAME_CHILD_LIMIT:
                    break
    return found
