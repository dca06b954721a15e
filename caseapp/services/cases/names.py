"""Search by the child's name without decrypting the scope: a blind index of name parts.

Each case keeps keyed tokens of its child's normalised name (`case_name_token`): for every word, its
trigrams and its one- and two-letter prefixes, each as HMAC-SHA256 under a key derived from the blind-index
root (`CASEAPP_BIDX_KEY`, index "case.child_name"), truncated to `NAME_INDEX_BITS` bits (16 by default), the
way CipherSweet does it. A search computes the tokens of the query, selects the visible cases that hold all
of them, and confirms each candidate by decrypting its name: truncation makes false candidates on purpose
and the decryption removes them, so results are exactly those of a substring search.

What the index shows to someone who reads the database without the key: how many distinct tokens a name
has (roughly its length), and which cases share a token value (so names sharing parts, with uncertainty:
with 16 bits about one token in a few hundred collides with another). Counting how often a token value
occurs allows frequency guesses at common name parts (such as "nur" or "siti") at scale; it never gives a
name without the key. Key rotation (`keys rotate`) rewraps data keys only: the tokens depend on the
blind-index key alone and stay valid.

Words are compared casefolded, without accents, split on anything that is not a letter or a digit. A query
word of three letters or more matches inside a word; a one- or two-letter query word matches the start of a
word (unless the query begins with it and goes on, then it may also end a word).

A search does not read every posting list of the query: it first counts how many cases hold each query
token, each count stopping at a bound (1,000, then `FREQUENCY_BOUND` if every token reached it), then reads
the posting list of the rarest token only and checks the other tokens of its cases by their (token, case)
key. The candidates' ids come newest first in pages (a small one first, so that for a common name the
database may walk the scope newest first and stop early), and each page's cases are loaded and decrypted
until one more match than the caller lists is found, or `NAME_SEARCH_MAX_CANDIDATES` candidates were
decrypted. A search that stops there says that more cases may match than it lists (`too_many`: the user
types more of the name); what it lists is always the newest matches, in order.

The child's identity (`Case.child_identity_bidx`) is a second index, for the "same child?" check of a
registration (`duplicates.find_duplicates`): one truncated HMAC (key "case.child_identity", `BLIND_INDEX_BITS`
bits, 16 by default) of the name's words joined by one space, a bar and the ISO birth date; none without a
name or a birth date. An equality look-up on it finds the few cases that may be the same child, whatever
the name. What it shows without the key: which cases share a value, that is the cases of one child
registered more than once (same exact name and birth date), mixed with chance collisions of the truncation
(at 16 bits one value is shared by about one case in 65,536 at random: a handful per value at a million
cases, so alone it does not prove two cases are one child; together with equal name tokens it very nearly
does). It gives neither a name nor a date without the key, and a guess of a name and a date cannot be
checked against it without the key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import (
    Select,
    and_,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import joinedload

from caseapp.extensions import db
from caseapp.models import Case, CaseNameToken, DataKey
from caseapp.security import crypto
from caseapp.security.keys import current_keyring
from caseapp.transaction import unit_of_work

NAME_INDEX = "case.child_name"
IDENTITY_INDEX = "case.child_identity"
# A token's posting list is counted up to this many cases (first up to a tenth of it): enough to rank a
# query's tokens, never a scan of a common one.
FREQUENCY_BOUND = 10_000
_LOAD_BATCH = 200  # candidates loaded and decrypted by one statement
_WORD = re.compile(r"[^\W_]+")


def name_words(text: str | None) -> list[str]:
    """Return the comparable words of a name: casefolded, accents removed, split on non-letters."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _WORD.findall(plain)


def _parts(word: str) -> set[str]:
    parts = {f"p:{word[:n]}" for n in (1, 2) if len(word) >= n}
    parts.update(f"g:{word[i : i + 3]}" for i in range(len(word) - 2))
    return parts


def _query_parts(words: list[str]) -> set[str]:
    parts: set[str] = set()
    for position, word in enumerate(words):
        if len(word) >= 3:
            parts.update(f"g:{word[i : i + 3]}" for i in range(len(word) - 2))
        elif position > 0 or len(words) == 1:
            parts.add(f"p:{word}")  # starts a word (a first, shorter word may end one: no token)
    return parts


def index_key() -> bytes:
    """Return the key of the name index (derived from the blind-index root key)."""
    return crypto.index_key(current_keyring().bidx_root, NAME_INDEX)


def _bits() -> int:
    return int(current_app.config.get("NAME_INDEX_BITS", 16))


def tokens_of(parts: Iterable[str], key: bytes, bits: int) -> set[int]:
    """Return the truncated keyed tokens of normalised name parts."""
    return {crypto.blind_index(key, part, bits) for part in parts}


def name_tokens(name: str | None, key: bytes | None = None, bits: int | None = None) -> set[int]:
    """Return the tokens stored for a child's name."""
    parts: set[str] = set()
    for word in name_words(name):
        parts.update(_parts(word))
    return tokens_of(parts, key or index_key(), bits or _bits())


def reindex(case: Case) -> None:
    """Replace the case's name tokens with those of its current name (the case must have an id)."""
    db.session.execute(delete(CaseNameToken).where(CaseNameToken.case_id == case.id))
    tokens = name_tokens(case.child_name)
    if tokens:
        db.session.execute(insert(CaseNameToken), [{"case_id": case.id, "token": t} for t in tokens])


def _identity_bits() -> int:
    return int(current_app.config.get("BLIND_INDEX_BITS", 16))


def identity_key() -> bytes:
    """Return the key of the child-identity index (derived from the blind-index root key)."""
    return crypto.index_key(current_keyring().bidx_root, IDENTITY_INDEX)


def identity_text(name: str | None, born: date | str | None) -> str | None:
    """Return the normalised identity of a child (name words, a bar, the ISO birth date), or None without
    a name or a birth date."""
    if not name or not name.strip() or not born:
        return None
    # Lowered before the words are taken, so two names the duplicate check calls equal (lowered, spaces
    # collapsed) always give the same text; a name without letters or digits keeps its lowered form.
    words = " ".join(name_words(name.lower())) or " ".join(name.lower().split())
    day = born.isoformat() if isinstance(born, date) else date.fromisoformat(born).isoformat()
    return f"{words}|{day}"


def identity_index(
    name: str | None, born: date | str | None, key: bytes | None = None, bits: int | None = None
) -> int | None:
    """Return the blind index of a child's name and birth date (`Case.child_identity_bidx`), or None."""
    text = identity_text(name, born)
    if text is None:
        return None
    return crypto.blind_index(key or identity_key(), text, bits or _identity_bits())


def identity_pending() -> Any:
    """Return the condition of a case with a name and a birth date but no identity index yet (registered
    before the index existed, until `flask search reindex`): the duplicate check reads these too."""
    return and_(
        Case.child_identity_bidx.is_(None), Case.child_name_ct.is_not(None), Case.child_dob_ct.is_not(None)
    )


def frequencies(tokens: Iterable[int], bound: int = FREQUENCY_BOUND) -> dict[int, int]:
    """Return how many cases hold each token, counted up to `bound` (one statement; each count reads at
    most `bound` entries of the token's posting list)."""
    wanted = sorted(set(tokens))
    if not wanted:
        return {}
    counts = [
        select(func.count())
        .select_from(select(literal_column("1")).where(CaseNameToken.token == token).limit(bound).subquery())
        .scalar_subquery()
        .label(f"n{i}")
        for i, token in enumerate(wanted)
    ]
    row = db.session.execute(select(*counts)).one()
    return {token: int(n) for token, n in zip(wanted, row, strict=True)}


def _ranked(tokens: set[int]) -> tuple[list[int], int]:
    """Return the tokens, rarest first, and how many cases hold the rarest (counted up to a bound)."""
    bound = FREQUENCY_BOUND // 10
    while True:
        counts = frequencies(tokens, bound)
        if min(counts.values()) < bound or bound >= FREQUENCY_BOUND:
            break  # the rarest is known exactly, or every token is common
        bound = FREQUENCY_BOUND
    ranked = sorted(counts, key=lambda token: (counts[token], token))
    return ranked, counts[ranked[0]]


def _candidates(
    scope: Select, driving: int, others: list[int], after: tuple[datetime, int] | None, size: int
) -> Select:
    """Return (created, id) of up to `size` cases of the scope holding the driving token and every other
    one, newest first, after the keyset `after`: the driving token's posting list is read, each other token
    is checked by its (token, case) key."""
    holders = select(CaseNameToken.case_id).where(CaseNameToken.token == driving)
    holding = [
        exists().where(CaseNameToken.token == token, CaseNameToken.case_id == Case.id) for token in others
    ]
    stmt = scope.with_only_columns(Case.created_at, Case.id).where(Case.id.in_(holders), *holding)
    if after is not None:
        stmt = stmt.where(tuple_(Case.created_at, Case.id) < after)
    return stmt.order_by(Case.created_at.desc(), Case.id.desc()).limit(size)


def max_candidates() -> int:
    """Return how many candidates a name search decrypts at most."""
    return int(current_app.config.get("NAME_SEARCH_MAX_CANDIDATES", 2000))


@dataclass
class Matches:
    """What a name search found: the newest matches, and whether more cases may match than these."""

    cases: list[Case]
    too_many: bool = False


def search(scope: Select, query: str, limit: int) -> Matches:
    """Return up to `limit` cases of the scope whose child's name contains the query, newest first, and
    whether more may match (more than `limit` do, or more candidates than `max_candidates()` were left)."""
    words = name_words(query)
    parts = _query_parts(words)
    if not parts:
        return Matches([])
    (rarest, *others), held = _ranked(tokens_of(parts, index_key(), _bits()))
    if not held:
        return Matches([])  # no case holds this piece of the query
    cap = max_candidates()
    needle = " ".join(words)
    found: list[Case] = []
    read, after = 0, None
    # Pages of candidates, small first: when the names are common a small page lets the database walk the
    # scope newest first and stop; each page asks for one more than it decrypts, to know whether more follow.
    size = 2 * (limit + 1)
    while read < cap:
        size = min(size, cap - read)
        rows = db.session.execute(_candidates(scope, rarest, others, after, size + 1)).all()
        page = [case_id for _, case_id in rows[:size]]
        for start in range(0, len(page), _LOAD_BATCH):
            batch = page[start : start + _LOAD_BATCH]
            stmt = scope.where(Case.id.in_(batch)).options(joinedload(Case.data_key))
            loaded = {case.id: case for case in db.session.scalars(stmt)}
            for case_id in batch:
                case = loaded.get(case_id)  # gone meanwhile: not a match
                if case is not None and needle in " ".join(name_words(case.child_name)):  # truncated tokens
                    found.append(case)
                    if len(found) > limit:
                        return Matches(found[:limit], too_many=True)
        if len(rows) <= size:
            return Matches(found)  # every candidate read
        read += size
        after = (rows[size - 1][0], rows[size - 1][1])
        size *= 4
    return Matches(found, too_many=True)  # more candidates than may be decrypted


def unindexed_count() -> int:
    """Return how many readable cases lack their name tokens or their identity index."""
    stmt = select(func.count()).select_from(Case).where(*_unindexed())
    return int(db.session.scalar(stmt) or 0)


def _lacks_tokens() -> Any:
    return and_(
        Case.child_name_ct.is_not(None),
        ~exists(select(CaseNameToken.case_id).where(CaseNameToken.case_id == Case.id)),
    )


def _unindexed() -> tuple:
    # A shredded case can never be read again: it is not waiting for the index.
    return (or_(_lacks_tokens(), identity_pending()), Case.data_key.has(DataKey.wrapped.is_not(None)))


@dataclass
class Backfilled:
    """What `backfill` did: cases indexed, and cases it could not decrypt (left as they were)."""

    indexed: int = 0
    unreadable: int = 0


def backfill(batch_size: int = 2000, on_batch: Callable[[int], None] | None = None) -> Backfilled:
    """Give every readable case that lacks them its name tokens and its identity index, one unit of work
    per batch (resumable); a case that cannot be decrypted is skipped and counted."""
    key, bits = index_key(), _bits()
    id_key, id_bits = identity_key(), _identity_bits()
    done, last_id = Backfilled(), 0
    while True:
        with unit_of_work():
            cases = list(
                db.session.scalars(
                    select(Case)
                    .where(*_unindexed(), Case.id > last_id)
                    .options(joinedload(Case.data_key))
                    .order_by(Case.id)
                    .limit(batch_size)
                )
            )
            if not cases:
                return done
            tokened = set(
                db.session.scalars(
                    select(CaseNameToken.case_id)
                    .where(CaseNameToken.case_id.in_([c.id for c in cases]))
                    .distinct()
                )
            )
            rows: list[dict[str, int]] = []
            identities: list[dict[str, Any]] = []
            for case in cases:
                try:
                    name = case.child_name
                    if case.id not in tokened:
                        rows += [{"case_id": case.id, "token": t} for t in name_tokens(name, key, bits)]
                    identity = None
                    if case.child_identity_bidx is None and case.child_dob_ct is not None:
                        identity = identity_index(name, case.child_dob, id_key, id_bits)
                    if identity is not None:
                        identities.append({"id": case.id, "child_identity_bidx": identity})
                except crypto.DecryptionError:
                    done.unreadable += 1  # logged by the field; its values cannot be indexed
                    continue
                done.indexed += 1
            if rows:
                db.session.execute(insert(CaseNameToken), rows)
            if identities:
                db.session.execute(update(Case), identities)
        last_id = cases[-1].id
        if on_batch:
            on_batch(len(cases))
        db.session.expunge_all()
