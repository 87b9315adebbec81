"""The matching worker as the one writer: changes reach it through the database, collapse per record, and
leave stored suggestions exactly equal to its lists after any sequence of changes; requests never write
suggestions; a second writer waits for the lease; a stolen lease stops writing at once."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from mimi_match.extensions import db
from mimi_match.jobs import jobs_of
from mimi_match.matching.suggestions import SuggestionTables
from mimi_match.models import (
    CEFRLevel,
    DesiredField,
    Match,
    MatchingChange,
    MatchStatus,
    ParticipantLanguage,
    ParticipantProfile,
    ParticipantSkill,
    Position,
    PositionSkill,
    PositionStatus,
    User,
)
from mimi_match.services import matching
from mimi_match.services.matching_records import participant_records, position_records
from mimi_match.services.matching_worker import LeaseHeld, LeaseLost, MatchingWorker, state, worker_for
from mimi_match.vocabulary import vocabulary

from . import factories

SKILLS = ["clean building floors", "clean windows", "wash dishes", "cook meals", "operate forklift",
          "care for the elderly", "drive a car", "sell products", "stock shelves", "serve food"]


def _uri(label: str) -> str | None:
    return vocabulary().resolve(label)


def stored_pairs() -> set[tuple[int, int]]:
    return {(p, q) for p, q in db.session.execute(
        select(Match.profile_id, Match.position_id).where(Match.status == MatchStatus.SUGGESTED))}


def assert_consistent(app) -> None:
    """Stored suggestions = the worker's lists = lists computed anew from the database with the same fit,
    and every stored suggestion is for someone who may be matched and an open position."""
    db.session.expire_all()
    worker = worker_for(app)
    stored = stored_pairs()
    if worker.model is None:
        assert stored == set()
        return
    assert stored == worker.expected_pairs()
    fresh_model = worker.model.refreshed(list(participant_records().values()), list(position_records().values()))
    excluded = [tuple(r) for r in db.session.execute(select(Match.profile_id, Match.position_id)
                                                     .where(Match.status != MatchStatus.SUGGESTED))]
    fresh = SuggestionTables.build(fresh_model, worker.k, excluded)
    assert stored == {pair for _, pairs in fresh.by_participant() for pair in pairs}
    allowed = set(db.session.scalars(select(ParticipantProfile.id).join(User, User.id == ParticipantProfile.user_id)
                                     .where(ParticipantProfile.consent_matching.is_(True), User.active.is_(True))))
    open_now = set(db.session.scalars(select(Position.id).where(Position.status == PositionStatus.OPEN)))
    assert all(p in allowed and q in open_now for p, q in stored)
    explanations = db.session.scalars(select(Match.explanation).where(Match.status == MatchStatus.SUGGESTED))
    close = worker.config.evidence_word_similarity
    assert all(not e["excluded"] and (e["matched_skills"] or e["wish_rank"] or e["text_similarity"] >= close)
               for e in explanations), "a suggestion without evidence"


@pytest.fixture
def world(app, users, request):
    rng = random.Random(getattr(request, "param", 7))
    org = users["hr"].organisation
    fields = [factories.create_field(f"f{i}", f"Field {i}") for i in range(4)]
    positions = []
    for i in range(12):
        chosen = rng.sample(SKILLS, 2)
        position = factories.create_position(org, rng.choice(fields), required_skill=chosen[0], title=f"Job {i}")
        position.skills.append(PositionSkill(label=chosen[1], required=False, concept_uri=_uri(chosen[1])))
        positions.append(position)
    people = []
    for i in range(30):
        person = factories.create_user(display_name=f"Person {i}")
        profile = person.profile
        profile.consent_matching = rng.random() < 0.9
        for label in rng.sample(SKILLS, rng.randint(1, 3)):
            profile.skills.append(ParticipantSkill(label=label, concept_uri=_uri(label)))
        profile.languages.append(ParticipantLanguage(language="nb", level=rng.choice(list(CEFRLevel))))
        profile.desired_fields.append(DesiredField(field_id=rng.choice(fields).id, rank=1))
        people.append(person)
    db.session.commit()
    matching.rebuild()
    return {"rng": rng, "fields": fields, "positions": positions, "people": people, "org": org}


@pytest.mark.parametrize("world", [7, 8, 9], indirect=True)
def test_any_sequence_of_changes_leaves_suggestions_exact(app, world):
    rng, positions, people = world["rng"], world["positions"], world["people"]
    worker = worker_for(app)
    assert_consistent(app)
    for step in range(40):
        action = rng.choice(["skill", "consent", "close", "reopen", "new_position", "act", "deactivate", "level",
                             "erase"])
        person = rng.choice(people)
        if db.session.get(User, person.id) is None:
            continue
        profile = person.profile
        if action == "skill":
            label = rng.choice(SKILLS)
            profile.skills.append(ParticipantSkill(label=label, concept_uri=_uri(label)))
        elif action == "consent":
            profile.consent_matching = not profile.consent_matching
        elif action == "level":
            profile.languages[0].level = rng.choice(list(CEFRLevel))
        elif action == "deactivate":
            person.active = not person.active
        elif action == "close":
            rng.choice(positions).status = PositionStatus.CLOSED
        elif action == "reopen":
            rng.choice(positions).status = PositionStatus.OPEN
        elif action == "new_position":
            positions.append(factories.create_position(world["org"], rng.choice(world["fields"]),
                                                       required_skill=rng.choice(SKILLS), title=f"New {step}"))
        elif action == "act":
            match = db.session.scalar(select(Match).where(Match.status == MatchStatus.SUGGESTED).limit(1))
            if match is not None:
                match.status = rng.choice([MatchStatus.APPROVED, MatchStatus.REJECTED])
        elif action == "erase":
            db.session.delete(person)
        db.session.commit()
        if rng.random() < 0.6:  # sometimes several changes wait for one round
            worker.run_once()
            assert_consistent(app)
    worker.run_once()
    assert db.session.scalar(select(func.count()).select_from(MatchingChange)) == 0
    assert_consistent(app)


def test_a_request_only_records_the_change_and_the_worker_writes(app, world, login):
    app.config["RUN_JOBS_AFTER_REQUEST"] = False
    person = next(p for p in world["people"] if p.profile.consent_matching)
    before = {q for p, q in stored_pairs() if p == person.profile.id}
    client = login(person)
    for label in SKILLS[:5]:  # five saves of one profile before the worker looks: one change row
        client.post("/me/profile/skills", data={"skills": label})
    assert stored_pairs() and {q for p, q in stored_pairs() if p == person.profile.id} == before
    rows = db.session.execute(select(MatchingChange.kind, MatchingChange.record_id)).all()
    assert rows == [("participant", person.profile.id)]
    assert jobs_of(app).counts()["matching"]["pending"] >= 1  # the worker was woken, not waited for
    jobs_of(app).run_pending()
    assert db.session.scalar(select(func.count()).select_from(MatchingChange)) == 0
    assert_consistent(app)


def test_a_second_writer_waits_for_the_lease_and_takes_over_when_it_is_free(app, world):
    first = worker_for(app)
    second = MatchingWorker(app)
    assert first.acquire() and not second.acquire()
    with pytest.raises(LeaseHeld):
        second.rebuild()
    first.stop()
    assert second.acquire() and state().lease_holder == second.holder
    assert second.rebuild()["version"] is not None


def test_a_writer_whose_lease_was_taken_stops_writing(app, world):
    worker = worker_for(app)
    worker.run_once()
    row = state()
    row.lease_holder = "elsewhere:1:stolen"
    db.session.commit()
    person = next(p for p in world["people"] if p.profile.consent_matching)
    person.profile.consent_matching = False
    db.session.commit()
    worker.acquire = lambda: True  # as if its clock said the lease was still its own
    with pytest.raises(LeaseLost):
        worker._fence()
    worker.run_once()  # notices at its first write and forgets its memory; writes nothing
    assert worker.model is None
    assert db.session.scalar(select(func.count()).select_from(MatchingChange)) == 1  # left for the holder
