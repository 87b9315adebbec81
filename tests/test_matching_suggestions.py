"""Suggestion lists kept exact under changes: after any sequence of changed, new, closed and removed records
and pairs acted on, the incremental lists equal the lists computed from scratch (no Flask, no database)."""
from __future__ import annotations

import copy
import random

import numpy as np
import pytest

from mimi_match.matching.bench import synthetic
from mimi_match.matching.model import MatchModel
from mimi_match.matching.suggestions import SuggestionTables


def _same(a: SuggestionTables, b: SuggestionTables) -> None:
    assert np.array_equal(a.participant_ids, b.participant_ids) and np.array_equal(a.position_ids, b.position_ids)
    assert np.array_equal(a.rows, b.rows) and np.array_equal(a.row_scores, b.row_scores)
    assert np.array_equal(a.cols, b.cols) and np.array_equal(a.col_scores, b.col_scores)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_lists_equal_lists_from_scratch(seed):
    rng = random.Random(seed)
    participants, positions, labels = synthetic(400, 90, seed=seed)
    model = MatchModel(version="t").fit(participants, positions, labels)
    acted = {(rng.randint(1, 400), rng.randint(1, 90)) for _ in range(60)}
    tables = SuggestionTables.build(model, 10, acted)
    more_p, more_q, _ = synthetic(450, 110, seed=seed + 10)  # new contents, some for new ids

    def excluded(ps, qs):
        return [pair for pair in acted if pair[0] in ps or pair[1] in qs]

    for _ in range(25):
        changed_p = {}
        for record in rng.sample(more_p, rng.randint(0, 6)):
            record = copy.copy(record)
            record.id = rng.randint(1, 430)
            record.consent_matching = rng.random() > 0.1
            changed_p[record.id] = record
        changed_q = {}
        for record in rng.sample(more_q, rng.randint(0, 3)):
            record = copy.copy(record)
            record.id = rng.randint(1, 100)
            record.is_open = rng.random() > 0.2
            changed_q[record.id] = record
        gone_p = {rng.randint(1, 430) for _ in range(rng.randint(0, 2))} - set(changed_p)
        gone_q = {rng.randint(1, 100) for _ in range(rng.randint(0, 1))} - set(changed_q)
        pairs = [(rng.choice(model.participant_ids).item(), rng.choice(model.position_ids).item())
                 for _ in range(rng.randint(0, 3))]
        acted.update(pairs)
        model = model.with_changes(list(changed_p.values()), list(changed_q.values()), gone_p, gone_q)
        touched = tables.update(model, set(changed_p) | gone_p, set(changed_q) | gone_q, pairs, excluded)
        _same(tables, SuggestionTables.build(model, 10, acted))
        assert touched.removed_participants <= (set(changed_p) | gone_p)
        assert not (touched.participants & touched.removed_participants)


def test_pairs_and_batches_name_every_suggested_pair_once():
    participants, positions, labels = synthetic(300, 60, seed=4)
    model = MatchModel(version="t").fit(participants, positions, labels)
    tables = SuggestionTables.build(model, 5)
    everything = {}
    for chunk, pairs in tables.by_participant(batch=37):
        assert all(p in chunk for p, _ in pairs)
        everything.update(pairs)
    assert len(everything) == tables.count()
    assert all(tables.is_suggested(p, q) for p, q in everything)
    some = [int(p) for p in model.participant_ids[:20]]
    assert tables.pairs(participants=some) == {k: v for k, v in everything.items() if k[0] in some}
    assert not tables.is_suggested(10**6, 1)
