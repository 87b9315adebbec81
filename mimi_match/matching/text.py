"""Text normalisation shared by the matching model and the skill vocabulary (pure Python)."""
from __future__ import annotations

import re
import unicodedata

# letters that have no decomposition but are often typed without their mark on a foreign keyboard,
# and Arabic letter variants that people write interchangeably
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "ı": "i",
                       "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None})
_SPLIT = re.compile(r"[^\w]+", re.UNICODE)


def normalise(text: str) -> str:
    """Fold case, accents, special letters, Arabic variants and spacing, so that matching forgives spelling."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_FOLD)
    return " ".join(_SPLIT.split(text)).strip()
