"""CEFR language levels (A1-C2) and the gap between what a position needs and what a person has."""
from __future__ import annotations

LEVELS: tuple[str, ...] = ("A1", "A2", "B1", "B2", "C1", "C2")
_RANK = {level: i for i, level in enumerate(LEVELS)}


def rank(level: str | None) -> int:
    """Position of a level on the scale (A1 = 0 ... C2 = 5); no level counts as -1 (below A1)."""
    if level is None:
        return -1
    try:
        return _RANK[level.upper()]
    except KeyError:
        raise ValueError(f"not a CEFR level: {level!r}") from None


def gap(needed: str | None, held: str | None) -> int:
    """How many levels ``held`` is below ``needed``: 0 fits, 1 is bridgeable, more is a gap."""
    if needed is None:
        return 0
    return max(0, rank(needed) - rank(held))
