"""Password hashing (argon2id) and the password rules of OWASP ASVS 5 (V6.2)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 128  # ASVS asks that at least 64 are allowed


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The list of common passwords we refuse, lower-cased."""
    text = resources.files("mimi_match.data").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line and not line.startswith("#"))


def password_problem(password: str, *, context: tuple[str, ...] = ()) -> str | None:
    """Why ``password`` is not acceptable, or None. No composition rules, by design."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords():
        return _("This password is too common and easy to guess. Choose another one.")
    for word in context:
        if word and len(word) >= 4 and lowered == word.lower():
            return _("Do not use your e-mail address or name as password.")
    return None


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=4)
def _dummy_hash(params: tuple[int, int, int]) -> str:
    return PasswordHasher(*params).hash("not a real password")


def burn_verification_time(password: str) -> None:
    """Spend the time a real verification takes, so an unknown e-mail cannot be told apart."""
    cfg = current_app.config
    params = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"])
    verify_password(_dummy_hash(params), password)
