"""Building SelectField options (WTForms 3.3+ wants SelectChoice objects, not tuples)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as select options; labels may be lazy translations."""
    return [SelectChoice(value, label) for value, label in pairs]
