"""Which vocabulary concept a skill line stands for: the one chosen from the suggestions, else the label.

A suggestion chosen in the autocomplete arrives with its concept URI, so two concepts sharing a label
("clean rooms") stay apart; the URI must name a concept that carries the label shown. Words typed
without choosing a suggestion become the concept they are a label of, or stay free text.
"""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _

from ..vocabulary import vocabulary
from .errors import ValidationFailed


def concepts_for(labels: list[str], chosen: Mapping[str, str] | None, locale: str | None) -> list[str | None]:
    """The concept of each label, in order. ``chosen`` maps a label (casefolded) to the concept URI picked
    for it; a URI that is not a concept with that label raises ValidationFailed before anything changes."""
    vocab = vocabulary()
    chosen = chosen or {}
    concepts = []
    for label in labels:
        uri = chosen.get(" ".join(label.split()).casefold())
        if uri is None:
            concepts.append(vocab.resolve(label, locale))
        elif vocab.has_label(uri, label):
            concepts.append(uri)
        else:
            raise ValidationFailed(_(
                "We could not check the skill you chose for “%(skill)s”. Please choose it again from the "
                "suggestions, or type it without choosing one.", skill=label))
    return concepts
