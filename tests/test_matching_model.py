"""The matching model alone: plain records in, rankings and explanations out (no Flask, no database)."""
from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import date

import joblib
import numpy as np
import pytest

from mimi_match.matching.config import MatchingConfig
from mimi_match.matching.model import MatchModel
from mimi_match.matching.oversupply import (
    OVERSUPPLIED,
    SHORTAGE,
    alternative_fields,
    field_balance,
    minimum_demand,
)
from mimi_match.matching.records import ParticipantRecord, PositionRecord, Skill

TODAY = date.today()
FLOORS, WINDOWS, COOK, FORKLIFT, CARE = "c:floors", "c:windows", "c:cook", "c:forklift", "c:care"
LABELS = {FLOORS: ["clean floors", "gulvvask"], WINDOWS: ["clean windows"], COOK: ["cook meals"],
          FORKLIFT: ["operate forklift"], CARE: ["care for elderly people"]}
CLEANING, KITCHEN, WAREHOUSE, HEALTH = 1, 2, 3, 4


def skill(concept: str, confirmed: bool = False) -> Skill:
    return Skill(LABELS[concept][0], concept, confirmed)


def position(id: int, field: int, required: list[str], **kw) -> PositionRecord:
    return PositionRecord(id=id, field_id=field, kind=kw.pop("kind", "vacancy"), title=kw.pop("title", f"job {id}"),
                          required=[skill(c) for c in required], region=kw.pop("region", "Oslo"), **kw)


def participant(id: int, skills: list[Skill], **kw) -> ParticipantRecord:
    return ParticipantRecord(id=id, skills=skills, languages=kw.pop("languages", {"nb": "B1"}),
                             region=kw.pop("region", "Oslo"), desired_fields=kw.pop("desired_fields", []), **kw)


@pytest.fixture
def world():
    positions = [
        position(1, CLEANING, [FLOORS, WINDOWS], title="Cleaner"),
        position(2, KITCHEN, [COOK], title="Kitchen helper"),
        position(3, WAREHOUSE, [FORKLIFT], title="Warehouse worker", level_needed="B2"),
        position(4, WAREHOUSE, [FORKLIFT], title="Forklift micro-internship", kind="micro_internship",
                 level_needed="B2"),
        position(5, CLEANING, [FLOORS], title="Closed cleaner", is_open=False),
        position(6, HEALTH, [CARE], title="Care assistant", level_needed="A2"),
    ]
    people = [
        participant(10, [skill(FLOORS, True), skill(WINDOWS)], desired_fields=[CLEANING]),
        participant(11, [skill(COOK)], desired_fields=[KITCHEN, CLEANING]),
        participant(12, [skill(FORKLIFT)], desired_fields=[WAREHOUSE]),
        participant(13, [skill(FLOORS)], consent_matching=False),
        participant(14, [Skill("cleen flors")], desired_fields=[CLEANING]),  # a typo, no concept
        participant(15, [skill(FORKLIFT)], languages={"nb": "A2"}, desired_fields=[WAREHOUSE]),
    ]
    model = MatchModel(MatchingConfig(min_score=0.0), reference=TODAY, version="test").fit(people, positions, LABELS)
    return model, people, positions


def test_ranks_the_obvious_fit_first(world):
    model, _, _ = world
    assert model.rank_positions(10, 1)[0].id == 1
    assert model.rank_positions(11, 1)[0].id == 2
    assert model.rank_participants(2, 1)[0].id == 11


def test_hard_filters(world):
    model, _, _ = world
    assert 5 not in [r.id for r in model.rank_positions(10, 10)]  # closed positions are not matched
    assert 13 not in [r.id for r in model.rank_participants(1, 10)]  # no consent, no matching
    assert 1 not in [r.id for r in model.rank_positions(10, 10, exclude=[1])]  # rejected before
    top = model.top_k_all(5, exclude=[(10, 1)])
    row = list(top.participant_ids).index(10)
    assert 1 not in top.positions[row]


def test_language_rules(world):
    """B1 vs B2 needed: excluded for a vacancy, bridgeable for a micro-internship; A2 vs B2 excluded."""
    model, _, _ = world
    vacancy, micro = model.explain(12, 3), model.explain(12, 4)
    assert vacancy.excluded and vacancy.reason == "language" and vacancy.language_gap == 1
    assert not micro.excluded and micro.components["language"] == pytest.approx(0.5)
    assert [r.id for r in model.rank_positions(12, 10)].count(3) == 0
    assert model.explain(15, 4).excluded and model.explain(15, 4).language_gap == 2
    assert model.explain(10, 6).components["language"] == pytest.approx(1.0)


def test_explanations_agree_with_scores(world):
    model, people, positions = world
    for p in people:
        if not p.consent_matching:
            continue
        scores = model._scores(slice(model.participant_row[p.id], model.participant_row[p.id] + 1))[0]
        for q in positions:
            if q.id not in model.position_row:
                continue
            e = model.explain(p.id, q.id)
            assert sum(e.contributions.values()) == pytest.approx(e.score, abs=1e-5)
            if not e.excluded:
                assert e.score == pytest.approx(scores[model.position_row[q.id]], abs=1e-5)
                w = model.config.weights
                for name, value in e.components.items():
                    assert e.contributions[name] == pytest.approx(getattr(w, name) * value, abs=1e-6)


def test_explanation_names_matched_and_missing_skills_and_wish(world):
    model, _, _ = world
    e = model.explain(11, 1)  # a cook looking at the cleaner job, cleaning is their 2nd wish
    assert e.missing_required == ["clean floors", "clean windows"] and e.matched_skills == []
    assert e.wish_rank == 2 and e.components["wish"] > 0
    e = model.explain(10, 1)
    assert {m.label for m in e.matched_skills} == {"clean floors", "clean windows"}
    assert any(m.confirmed for m in e.matched_skills) and e.missing_required == []


def test_typos_still_meet_the_concept(world):
    model, _, _ = world
    e = model.explain(14, 1)
    assert [m.label for m in e.matched_skills] == ["clean floors"] and e.matched_skills[0].via == "similar words"
    assert model.rank_positions(14, 1)[0].id == 1


def test_confirmed_skills_count_more(world):
    model, _, _ = world
    confirmed = participant(20, [skill(COOK, True)])
    stated = participant(21, [skill(COOK)])
    model = model.with_changes(participants=[confirmed, stated])
    assert model.explain(20, 2).components["skills"] > model.explain(21, 2).components["skills"]


def test_top_k_all_equals_brute_force(world):
    model, _, _ = world
    top = model.top_k_all(3)
    scores = model._finish(model._scores(slice(None)))
    for row in range(len(model.participants)):
        order = np.lexsort((model.position_ids, -scores[row]))[:3]
        expected = [int(model.position_ids[i]) if np.isfinite(scores[row, i]) else -1 for i in order]
        assert list(top.positions[row]) == expected
    for col in range(len(model.positions)):
        order = np.lexsort((model.participant_ids, -scores[:, col]))[:3]
        expected = [int(model.participant_ids[i]) if np.isfinite(scores[i, col]) else -1 for i in order]
        assert list(top.participants[col]) == expected


def test_changes_make_a_new_model_and_leave_the_old_one_alone(world):
    model, _, _ = world
    before = model.rank_positions(11, 3)
    added = model.with_changes(positions=[position(7, KITCHEN, [COOK], title="Second kitchen")])
    assert 7 in [r.id for r in added.rank_positions(11, 3)]
    assert model.rank_positions(11, 3) == before and 7 not in model.position_row  # the old model is unchanged
    closed = added.with_changes(positions=[position(7, KITCHEN, [COOK], is_open=False)])
    assert 7 not in [r.id for r in closed.rank_positions(11, 10)]
    moved = closed.with_changes(participants=[participant(11, [skill(FORKLIFT)], desired_fields=[WAREHOUSE],
                                                          languages={"nb": "C1"})])
    assert moved.rank_positions(11, 1)[0].id in (3, 4)  # the warehouse positions now come first
    gone = moved.with_changes(participants=[participant(11, [skill(COOK)], consent_matching=False)])
    assert gone.rank_positions(11) == [] and 11 not in [r.id for r in gone.rank_participants(2, 10)]
    assert list(gone.participant_ids) == sorted(gone.participant_ids)  # rows stay in id order
    assert 1 not in [r.id for r in gone.with_changes(removed_positions=[1]).rank_positions(10, 10)]


def test_a_served_copy_holds_no_participant_and_scores_a_record_alike(world):
    model, people, _ = world
    served = model.served()
    assert served.participants == [] and served.resolved == {} and len(served.X) == 0
    for person in people:
        if person.consent_matching:
            row = model.participant_row[person.id]
            expected = model._finish(model._scores(slice(row, row + 1))[0])
            assert np.array_equal(served.score_record(person), expected)
            assert np.allclose(served.skill_scores_record(person), model.skill_scores(person.id))
    assert len(model.participants) == 5  # the original still has them


def test_explain_many_equals_explain(world):
    model, _, _ = world
    pairs = [(int(p), int(q)) for p in model.participant_ids for q in model.position_ids]
    assert model.explain_many(pairs) == [model.explain(p, q).as_dict() for p, q in pairs]


def test_knows_tells_when_a_position_needs_a_new_fit(world):
    model, _, _ = world
    assert model.knows(position(8, KITCHEN, [COOK]))
    new_concept = dataclasses.replace(position(8, KITCHEN, [COOK]), required=[Skill("bake bread", "c:bread")])
    assert not model.knows(new_concept)
    assert not model.knows(position(8, 99, [COOK]))
    assert not model.knows(position(8, KITCHEN, [COOK], region="Svalbard"))


def test_persisted_model_scores_the_same(world, tmp_path):
    model, _, _ = world
    joblib.dump(model, tmp_path / "m.joblib")
    again = joblib.load(tmp_path / "m.joblib")
    assert again.rank_positions(10, 3) == model.rank_positions(10, 3)
    assert again.with_changes(participants=[participant(30, [skill(COOK)])]).rank_positions(30, 1)[0].id == 2


PROTECTED = {"nationality", "ethnicity", "religion", "health", "gender", "sex", "age", "birth", "date_of_birth",
             "country", "origin", "name", "email"}


def test_records_cannot_hold_protected_characteristics():
    for record in (ParticipantRecord, PositionRecord, Skill):
        words = {part for f in dataclasses.fields(record) for part in f.name.split("_")}
        assert not words & PROTECTED, record
    with pytest.raises((AttributeError, TypeError)):
        ParticipantRecord(id=1, nationality="x")  # type: ignore[call-arg]


def test_feature_builders_read_only_record_fields(world):
    """Run the builders on a participant that logs every attribute read: only declared fields are read."""
    model, _, _ = world
    allowed = {f.name for f in dataclasses.fields(ParticipantRecord)}
    seen: set[str] = set()

    class Spy:
        def __init__(self, record):
            object.__setattr__(self, "_record", record)

        def __getattr__(self, name):
            seen.add(name)
            return getattr(self._record, name)

    spy = Spy(participant(40, [skill(COOK)], desired_fields=[KITCHEN]))
    model.builder.participants([spy])
    model.concepts.participant_matrix([spy], {})
    assert seen and seen <= allowed


def test_matching_package_imports_neither_flask_nor_sqlalchemy():
    code = ("import sys; import mimi_match.matching.model, mimi_match.matching.oversupply, "
            "mimi_match.matching.bench, mimi_match.matching.evaluate; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_sqlalchemy')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- oversupply ------------------------------------------------------------------------------------

def test_oversupply_maths_on_a_hand_made_case():
    """20 first wishes for health care, 1 opening: R = 21/2 = 10.5; the platform ratio is far lower."""
    people = [ParticipantRecord(id=i, desired_fields=[HEALTH]) for i in range(20)]
    people += [ParticipantRecord(id=100 + i, desired_fields=[KITCHEN, HEALTH]) for i in range(4)]
    openings = [PositionRecord(id=1, field_id=HEALTH, kind="vacancy", openings=1)]
    openings += [PositionRecord(id=2 + i, field_id=KITCHEN, kind="vacancy", openings=2) for i in range(5)]
    openings += [PositionRecord(id=20, field_id=WAREHOUSE, kind="vacancy", openings=6)]
    result = field_balance(people, openings)
    health = result.fields[HEALTH]
    assert health.demand == pytest.approx(22.0)  # 20 first wishes + 4 second wishes at 0.5
    assert health.supply == 1 and health.ratio == pytest.approx(23 / 2)
    assert result.platform_ratio == pytest.approx((22 + 4 + 1) / (1 + 10 + 6 + 1), abs=1e-3)
    assert health.status == OVERSUPPLIED
    assert result.fields[KITCHEN].status != OVERSUPPLIED  # R = 5/11
    assert result.fields[WAREHOUSE].status == SHORTAGE  # nobody wants it: R = 1/7


def test_oversupply_needs_minimum_demand_and_factor():
    few = [ParticipantRecord(id=i, desired_fields=[HEALTH]) for i in range(5)]
    assert field_balance(few, []).fields[HEALTH].status != OVERSUPPLIED  # R = 6 but not twice the platform's
    cfg = MatchingConfig(min_demand=3)
    assert field_balance(few, [], cfg).fields[HEALTH].status != OVERSUPPLIED  # not twice the platform ratio
    other = [PositionRecord(id=i, field_id=KITCHEN, kind="vacancy", openings=10) for i in range(3)]
    assert field_balance(few, other, cfg).fields[HEALTH].status == OVERSUPPLIED


def test_minimum_demand_fits_the_size_of_the_installation():
    """A large installation needs 10 seekers before a field is oversupplied; a small one a tenth of its
    demand, at least 3: 4 first wishes for health care and no opening is oversupply among 20 people."""
    cfg = MatchingConfig()
    assert minimum_demand(20_000, cfg) == 10 and minimum_demand(60, cfg) == 6 and minimum_demand(8, cfg) == 3
    jobs = [PositionRecord(id=i, field_id=KITCHEN, kind="vacancy", openings=4) for i in range(4)]
    small = [ParticipantRecord(id=i, desired_fields=[HEALTH if i < 4 else KITCHEN]) for i in range(20)]
    assert field_balance(small, jobs).fields[HEALTH].status == OVERSUPPLIED  # R = 5, demand 4 >= 3
    large = [ParticipantRecord(id=i, desired_fields=[HEALTH if i < 4 else KITCHEN]) for i in range(400)]
    many = [PositionRecord(id=i, field_id=KITCHEN, kind="vacancy", openings=4) for i in range(100)]
    assert field_balance(large, many).fields[HEALTH].status != OVERSUPPLIED  # 4 of 400 is no trend


def test_regional_balance_counts_only_that_region():
    people = [ParticipantRecord(id=i, desired_fields=[HEALTH], region="Oslo" if i < 12 else "Agder")
              for i in range(15)]
    jobs = [PositionRecord(id=1, field_id=HEALTH, kind="vacancy", region="Agder", openings=3)]
    assert field_balance(people, jobs, region="Agder").fields[HEALTH].demand == 3
    assert field_balance(people, jobs, region="Oslo").fields[HEALTH].supply == 0


def test_alternatives_skip_oversupplied_fields_and_rank_by_skill_fit():
    balance = field_balance([ParticipantRecord(id=i, desired_fields=[HEALTH]) for i in range(30)],
                            [PositionRecord(id=1, field_id=KITCHEN, kind="vacancy", openings=10)])
    scores = np.array([0.9, 0.8, 0.3, 0.6, 0.0], dtype=np.float32)
    fields = np.array([HEALTH, CLEANING, CLEANING, KITCHEN, WAREHOUSE])
    ranked = alternative_fields(scores, fields, balance, exclude=[], per_field=1)
    assert [f for f, _ in ranked] == [CLEANING, KITCHEN]  # health is oversupplied, warehouse does not fit


def test_no_suggestion_without_evidence(world):
    """A participant with no skill in common and no wish for the field gets no suggestion of it, however well
    the rest fits; a wished field is evidence enough (the participant says so)."""
    model, _, _ = world
    cook = participant(40, [skill(COOK)], desired_fields=[])
    fresh = model.with_changes(participants=[cook])
    assert [r.id for r in fresh.rank_positions(40, 10)] == [2]  # only the kitchen: the others share nothing
    assert fresh.explain(40, 1).excluded and fresh.explain(40, 1).reason == "evidence"
    wishing = fresh.with_changes(participants=[participant(40, [skill(COOK)], desired_fields=[CLEANING])])
    assert 1 in [r.id for r in wishing.rank_positions(40, 10)]
    loose = MatchModel(MatchingConfig(min_score=0.0, evidence_floor=False), reference=TODAY).fit(
        [cook], [position(1, CLEANING, [FLOORS])], LABELS)
    assert [r.id for r in loose.rank_positions(40, 10)] == [1]  # configurable


def test_the_same_free_text_skill_on_both_sides_counts_like_a_shared_concept():
    """An employer's own skill name (no vocabulary concept) meets the participant who typed the same words,
    or nearly the same; it is named in the explanation and it is evidence."""
    own_words = Skill("gulvvask i kontorlokaler")
    job = PositionRecord(id=1, field_id=CLEANING, kind="vacancy", title="Renholder", required=[own_words],
                         region="Oslo")
    other = PositionRecord(id=2, field_id=KITCHEN, kind="vacancy", title="Kokk", required=[skill(COOK)],
                           region="Oslo")
    same = participant(1, [Skill("Gulvvask i kontorlokaler")])
    typo = participant(2, [Skill("gulvask i kontorlokaler")])
    none = participant(3, [Skill("sveising av rør")])
    model = MatchModel(MatchingConfig(min_score=0.0), reference=TODAY).fit([same, typo, none], [job, other], LABELS)
    assert [r.id for r in model.rank_positions(1, 5)] == [1]
    e = model.explain(1, 1)
    assert [(m.label, m.via) for m in e.matched_skills] == [("gulvvask i kontorlokaler", "concept")]
    assert e.components["skills"] > 0.5 and not e.excluded
    assert [m.via for m in model.explain(2, 1).matched_skills] == ["similar words"]
    assert model.rank_positions(3, 5) == []  # nothing in common: no filler


def test_shared_little_words_are_no_evidence():
    """Words every text has ("and", "of", "the") do not make a filler suggestion: a participant with cleaning
    and childcare skills in their own words is not offered a developer job whose text shares only those."""
    developer = PositionRecord(
        id=1, field_id=WAREHOUSE, kind="vacancy", title="Junior software developer",
        description="You will develop and test web applications in a team of developers, and take part in the "
                    "planning of new features for the users of our services.",
        required=[Skill("programming in Python"), Skill("testing of web applications")], region="Oslo")
    cleaner = PositionRecord(
        id=2, field_id=CLEANING, kind="vacancy", title="Cleaner", region="Oslo",
        description="Cleaning of offices and meeting rooms in the evening.", required=[skill(FLOORS)])
    nanny = participant(1, [Skill("cleaning of homes and offices"), Skill("looking after children and babies")],
                        desired_fields=[])
    others = [participant(i, [Skill(text)]) for i, text in enumerate(
        ["welding of pipes and tanks", "driving of trucks and vans", "cooking of the meals for the guests"], 2)]
    model = MatchModel(MatchingConfig(min_score=0.0), reference=TODAY).fit([nanny, *others], [developer, cleaner],
                                                                          LABELS)
    assert [r.id for r in model.rank_positions(1, 5)] == [2]
    assert model.explain(1, 1).excluded and model.explain(1, 1).reason == "evidence"
