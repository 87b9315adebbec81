"""Weights and thresholds of the matching model: configuration, not code."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Weights:
    """How much each component counts in the score (they sum to 1)."""

    skills: float = 0.55
    wish: float = 0.20
    language: float = 0.10
    location: float = 0.07
    availability: float = 0.05
    kind: float = 0.03


@dataclass(frozen=True)
class MatchingConfig:
    weights: Weights = field(default_factory=Weights)
    # skills: shares of concept coverage, of word similarity (what was written: skills and experience against
    # the position's skills, title and description) and, the rest, of character n-gram similarity (typos)
    concept_share: float = 0.6
    word_share: float = 0.3
    # a pair whose words are this similar has evidence even without a shared concept (own-words skills)
    evidence_word_similarity: float = 0.05
    # concepts: the share of the position's needs the participant holds (coverage) vs. the share of the
    # participant's skills the position uses (relevance)
    coverage_share: float = 0.7
    confirmed_weight: float = 1.0  # a participant's skill confirmed by a competence check ...
    self_stated_weight: float = 0.7  # ... counts more than one they stated themselves
    nice_to_have_weight: float = 0.4  # a position's nice-to-have skill vs. a required one (1.0)
    typo_similarity: float = 0.7  # free text counts as a concept when its letters are this similar to a label
    # (of about its length)
    word_similarity: float = 1.0  # ... or its words this similar to a concept's labels (1.0: off; it cost recall)
    # wish: rank of the position's field among the participant's wishes, and the wish text vs. title
    rank_scores: tuple[float, ...] = (1.0, 0.75, 0.5)
    wish_text_share: float = 0.3
    # language: one level below is a bridgeable gap (micro-internships only); more excludes
    bridgeable_score: float = 0.5
    # location when neither the region matches nor both sides are remote
    other_region_score: float = 0.25
    # availability: starting later than the position starts
    late_start_score: float = 0.5
    text_dimensions: int = 40
    wish_text_dimensions: int = 16
    min_score: float = 0.2  # suggestions below this are not made
    # no suggestion without evidence: at least one skill in common (a concept, or the same words) or a wished field
    evidence_floor: bool = True
    # oversupply: seekers per opening R = (demand + 1) / (supply + 1)
    oversupply_ratio: float = 3.0
    oversupply_factor: float = 2.0  # ... and at least this many times the platform-wide ratio
    # ... with at least this demand; a small installation asks less: a share of all the demand, never below
    # ``min_demand_small`` (20 people wishing at all, 6 of them for one field with no opening, is oversupply)
    min_demand: float = 10.0
    min_demand_share: float = 0.1
    min_demand_small: float = 3.0
    shortage_ratio: float = 0.5
    rank_demand: tuple[float, ...] = (1.0, 0.5, 0.25)  # a first wish counts fully, a third a quarter

    def as_dict(self) -> dict:
        return asdict(self)
