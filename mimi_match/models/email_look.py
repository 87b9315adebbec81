"""What an e-mail address looks like: the key that tells look-alike addresses apart from different ones.

``normalise`` is the address an account is stored under (Unicode NFKC, so fullwidth letters and composed or
decomposed accents are one form; lower case). ``skeleton`` folds what a reader cannot tell apart: letters of
the Cyrillic and Greek scripts that look like Latin ones, accents, dotless i. Two different addresses with
one skeleton ("аnna@…" with a Cyrillic а, and "anna@…") would let one person pass for another.
"""
from __future__ import annotations

import unicodedata

# Cyrillic and Greek letters drawn like Latin ones (after lower-casing), from Unicode's confusables list
LOOK_ALIKE = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j", "к": "k", "ӏ": "l",
    "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "ԛ": "q", "ѕ": "s", "т": "t", "у": "y", "ԝ": "w",
    "х": "x", "ԁ": "d", "ɡ": "g", "ı": "i", "ɩ": "i", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i",
    "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ѡ": "w",
    "ℓ": "l", "ꞵ": "b",
})


def normalise(email: str) -> str:
    return unicodedata.normalize("NFKC", email).strip().lower()


def skeleton(email: str) -> str:
    text = unicodedata.normalize("NFKD", normalise(email))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.translate(LOOK_ALIKE)
