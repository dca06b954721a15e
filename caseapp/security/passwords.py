"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

# Local words that make a password guessable in Kendari, whatever else is around them.
LOCAL_WORDS = (
    "kendari",
    "anak",
    "sayang",
    "indonesia",
    "sulawesi",
    "sultra",
    "rahasia",
    "katasandi",
    "password",
    "caseapp",
    "kasus",
)


@cache
def hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    """Return the argon2id hasher for these parameters."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hash_password(password: str, ph: PasswordHasher) -> str:
    """Hash a password with argon2id."""
    return ph.hash(password)


def verify_password(password_hash: str, password: str, ph: PasswordHasher) -> bool:
    """Say whether the password matches the hash; never raises on a bad hash."""
    try:
        return ph.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of common passwords, lower-cased."""
    data = resources.files("caseapp.data.reference").joinpath("common-passwords.txt.gz").read_bytes()
    text = gzip.decompress(data).decode("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def password_problems(
    password: str,
    context_words: Iterable[str] = (),
    min_length: int = 12,
    max_length: int = 128,
) -> list[str]:
    """Return the reasons (translatable) that the password is refused; empty means acceptable."""
    problems: list[str] = []
    if len(password) < min_length:
        problems.append(str(_l("Use at least %(n)d characters.", n=min_length)))
        return problems
    if len(password) > max_length:
        problems.append(str(_l("Use at most %(n)d characters.", n=max_length)))
        return problems
    lowered = password.lower()
    if lowered in common_passwords():
        problems.append(str(_l("This password is too common; choose another.")))
        return problems
    # Take out every context word (username, agency, name, local words); what remains must still be a
    # real password on its own, so "kendari2026!!!" or "budi.dp3a1234" is refused.
    words = {w.lower() for w in (*context_words, *LOCAL_WORDS) if w and len(w) >= 3}
    remainder = lowered
    for word in sorted(words, key=len, reverse=True):
        remainder = remainder.replace(word, "")
    core = re.sub(r"[\d\W_]+", "", remainder)
    if remainder != lowered and (len(remainder) < 8 or len(core) < 4):
        problems.append(str(_l("Too close to your name, username, agency or a common local word.")))
    elif len(set(lowered)) < 5 or core in common_passwords():
        problems.append(str(_l("This password is too easy to guess; choose another.")))
    return problems
