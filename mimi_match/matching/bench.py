"""Benchmark of the matching model on synthetic data: python -m mimi_match.matching.bench [--sizes ...]

For each size (participants x positions) it prints: fit time; the time and peak memory of top-10 in
both directions with the full score (all components and filters); in the same run the time of
scikit-learn NearestNeighbors(metric="cosine", algorithm="brute") on the skill vectors alone (one
direction; once on the vectors the skills component uses — concepts and skill-text embedding — and
once on the sparse concept vectors only, the cheapest possible input); a check that our top-10
equals exact brute force on sampled rows and columns; and the p95 latency of ranking one
participant's positions and one position's participants.
"""
from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
import tracemalloc
from datetime import date, timedelta

import numpy as np
from scipy import sparse
from sklearn.neighbors import NearestNeighbors

from .model import MatchModel
from .records import ParticipantRecord, PositionRecord, Skill

REGIONS = ["Oslo", "Akershus", "Vestland", "Rogaland", "Trøndelag", "Agder", "Innlandet", "Nordland"]
LEVELS = ["A1", "A2", "B1", "B2", "C1", "C2"]
WORDS = ("care clean cook drive weld build sell serve repair pack plant teach sort paint fix "
         "lift plan count check guard cut sew bake wash mix load").split()


def synthetic(n_participants: int, n_positions: int, n_fields: int = 30, concepts_per_field: int = 40, seed: int = 1):
    """Participants who mostly hold skills of one or two fields; positions asking 2-4 of one field's skills."""
    rng = random.Random(seed)
    fields = list(range(1, n_fields + 1))
    concepts = {f: [f"f{f}c{i}" for i in range(concepts_per_field)] for f in fields}
    labels = {c: [f"{rng.choice(WORDS)} {rng.choice(WORDS)} {c}"] for cs in concepts.values() for c in cs}
    today = date.today()
    positions = []
    for i in range(n_positions):
        f = rng.choice(fields)
        chosen = rng.sample(concepts[f], rng.randint(3, 6))
        required, nice = chosen[: rng.randint(2, 4)], chosen[4:]
        positions.append(PositionRecord(
            id=i + 1, field_id=f, kind="micro_internship" if rng.random() < 0.45 else "vacancy",
            title=f"{labels[required[0]][0]} worker", description=" ".join(rng.choices(WORDS, k=12)),
            required=[Skill(labels[c][0], c) for c in required], nice=[Skill(labels[c][0], c) for c in nice],
            level_needed=rng.choice([None, "A2", "B1", "B1", "B2"]), region=rng.choice(REGIONS),
            remote=rng.random() < 0.08, hours_per_week=rng.choice([None, 20, 30, 37]),
            start_date=today + timedelta(days=rng.randint(0, 240)), openings=rng.randint(1, 3)))
    participants = []
    for i in range(n_participants):
        main, other = rng.sample(fields, 2)
        held = rng.sample(concepts[main], rng.randint(2, 6)) + rng.sample(concepts[other], rng.randint(0, 2))
        skills = [Skill(labels[c][0], c, confirmed=rng.random() < 0.3) for c in held]
        if rng.random() < 0.3:
            skills.append(Skill(f"{rng.choice(WORDS)} things"))  # free text, no concept
        participants.append(ParticipantRecord(
            id=i + 1, skills=skills, experience=f"{rng.choice(WORDS)} work for {rng.randint(1, 9)} years",
            languages={"nb": rng.choice(LEVELS[:5])}, desired_fields=rng.sample(fields, rng.randint(1, 3)),
            wish_text=rng.choice(WORDS), region=rng.choice(REGIONS), remote_ok=rng.random() < 0.15,
            available_from=today + timedelta(days=rng.randint(0, 120)),
            hours_per_week=rng.choice([None, 20, 30, 37]),
            desired_kinds=rng.choice(["both", "both", "vacancy", "micro_internship"])))
    return participants, positions, labels


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[max(0, int(len(values) * 0.95) - 1)]


def check_exact(model: MatchModel, top, samples: int = 200, seed: int = 3) -> tuple[int, int]:
    """Compare sampled rows and columns of the one-pass top-10 with brute force over all pairs."""
    rng = np.random.default_rng(seed)
    k = top.positions.shape[1]
    bad = 0
    rows = rng.choice(len(model.participants), min(samples, len(model.participants)), replace=False)
    for r in rows:
        scores = model._finish(model._scores(slice(int(r), int(r) + 1))[0])
        order = np.lexsort((model.position_ids, -scores))[:k]
        expected = np.where(np.isfinite(scores[order]), model.position_ids[order], -1)
        bad += not np.array_equal(expected, top.positions[r])
    cols = rng.choice(len(model.positions), min(samples, len(model.positions)), replace=False)
    for c in cols:
        scores = model._finish(model._scores(slice(None), np.array([c]))[:, 0])
        order = np.lexsort((model.participant_ids, -scores))[:k]
        expected = np.where(np.isfinite(scores[order]), model.participant_ids[order], -1)
        bad += not np.array_equal(expected, top.participants[c])
    return bad, len(rows) + len(cols)


def run(n_participants: int, n_positions: int) -> None:
    print(f"\n== {n_participants:,} participants x {n_positions:,} positions")
    participants, positions, labels = synthetic(n_participants, n_positions)
    start = time.perf_counter()
    model = MatchModel(version="bench").fit(participants, positions, labels)
    print(f"fit (text space, concept index, features)   {time.perf_counter() - start:7.2f} s")

    tracemalloc.start()
    start = time.perf_counter()
    top = model.top_k_all(k=10)
    ours = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"ours: top-10 both directions, full score     {ours:7.2f} s   peak {peak / 2**20:7.0f} MiB (traced)")

    # the skill vectors the model's skills component works on: concept weights and the skill-text embedding
    lay = model.builder.layout
    concepts_q = model.concepts.position_matrix(model.positions)
    skills_q = sparse.hstack([concepts_q, sparse.csr_matrix(model.Y[:, lay.skills_text])]).tocsr()
    skills_p = sparse.hstack([model.Pc, sparse.csr_matrix(model.X[:, lay.skills_text])]).tocsr()
    k = min(10, len(positions))
    for name, q_vectors, p_vectors in (("concept and skill-text vectors", skills_q, skills_p),
                                       ("concept vectors only", concepts_q, model.Pc)):
        start = time.perf_counter()
        nn = NearestNeighbors(n_neighbors=k, metric="cosine", algorithm="brute").fit(q_vectors)
        nn.kneighbors(p_vectors, n_neighbors=k)
        baseline = time.perf_counter() - start
        print(f"NearestNeighbors cosine brute on {name:<31} {baseline:7.2f} s   (one direction, skills only)"
              f"  -> ours is {baseline / ours:4.1f}x faster")

    bad, checked = check_exact(model, top)
    print(f"exact check: {checked - bad}/{checked} sampled rows and columns equal brute force")

    rng = random.Random(9)
    one_p = []
    for participant in rng.sample(participants, min(500, len(participants))):
        start = time.perf_counter()
        model.rank_positions(participant.id, 10)
        one_p.append((time.perf_counter() - start) * 1000)
    one_q = []
    for position in rng.sample(positions, min(200, len(positions))):
        start = time.perf_counter()
        model.rank_participants(position.id, 10)
        one_q.append((time.perf_counter() - start) * 1000)
    print(f"one participant -> positions   median {statistics.median(one_p):6.2f} ms   p95 {_p95(one_p):6.2f} ms")
    print(f"one position -> participants   median {statistics.median(one_q):6.2f} ms   p95 {_p95(one_q):6.2f} ms")
    print(f"process peak RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:7.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", default=["1000x200", "10000x2000", "100000x10000"])
    args = parser.parse_args()
    for size in args.sizes:
        n_p, n_q = (int(v) for v in size.lower().split("x"))
        run(n_p, n_q)


if __name__ == "__main__":
    main()
