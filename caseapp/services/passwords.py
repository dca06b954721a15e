"""Password hashing with the application's argon2 parameters, and policy checks with context."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from flask import current_app

from caseapp.errors import ValidationFailed
from caseapp.models import Agency
from caseapp.security import passwords as pw


def app_hasher() -> PasswordHasher:
    """Return the argon2id hasher configured for this application."""
    cfg = current_app.config
    return pw.hasher(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"])


def hash_password(password: str) -> str:
    """Hash a password with the configured parameters."""
    return pw.hash_password(password, app_hasher())


def verify_password(password_hash: str, password: str) -> bool:
    """Say whether the password matches."""
    return pw.verify_password(password_hash, password, app_hasher())


def context_words(username: str, display_name: str = "", agency: Agency | None = None) -> list[str]:
    """Return the words a user's password must not lean on."""
    words = [username, *username.replace("_", ".").split("."), *display_name.split()]
    if agency is not None:
        words += [agency.code, *agency.code.split("_")]
    return words


def check_policy(password: str, words: list[str], field: str = "password") -> None:
    """Raise ValidationFailed naming the field when the password breaks the policy."""
    cfg = current_app.config
    problems = pw.password_problems(password, words, cfg["PASSWORD_MIN_LENGTH"], cfg["PASSWORD_MAX_LENGTH"])
    if problems:
        raise ValidationFailed(problems[0], fields={field: problems})


def generate_password() -> str:
    """Return a random strong password (for demo users and admin resets)."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


_DUMMY_HASH: dict[tuple[int, int, int], str] = {}


def burn_verify_time(password: str) -> None:
    """Spend the time of one verification, so an unknown user answers as slowly as a wrong password."""
    ph = app_hasher()
    key = (ph.time_cost, ph.memory_cost, ph.parallelism)
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = ph.hash(secrets.token_hex(16))
    pw.verify_password(_DUMMY_HASH[key], password, ph)
