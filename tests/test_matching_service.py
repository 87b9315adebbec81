"""Suggestions in the service: stored as Match rows, never duplicated, kept current on every change."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from mimi_match.extensions import db
from mimi_match.models import (
    CEFRLevel,
    DesiredField,
    FailedJob,
    Match,
    MatchingChange,
    MatchOrigin,
    MatchStatus,
    ParticipantLanguage,
    ParticipantSkill,
    PositionStatus,
)
from mimi_match.services import matching
from mimi_match.services.matching_worker import worker_for
from mimi_match.vocabulary import vocabulary

from .factories import create_field, create_organisation, create_position, create_user

FLOORS = "clean building floors"


@pytest.fixture
def scene(app, users):
    """Two cleaners who consented, one who did not, a cook; cleaning and kitchen positions."""
    cleaning, kitchen = create_field("cleaning", "Cleaning"), create_field("kitchen", "Hospitality")
    org = create_organisation("Clean AS")
    cleaner_job = create_position(org, cleaning, title="Office cleaner", required_skill=FLOORS)
    kitchen_job = create_position(org, kitchen, title="Dishwasher", required_skill="wash the dishes")

    def participant(name, skills, consent=True, wish=None):
        user = create_user(display_name=name)
        profile = user.profile
        profile.consent_matching = consent
        profile.skills.extend(ParticipantSkill(label=label, concept_uri=_uri(label)) for label in skills)
        profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.B1))
        if wish:
            profile.desired_fields.append(DesiredField(field_id=wish.id, rank=1))
        db.session.commit()
        return profile

    return dict(
        cleaning=cleaning, kitchen=kitchen, org=org, cleaner_job=cleaner_job, kitchen_job=kitchen_job,
        anna=participant("Anna", [FLOORS, "clean windows"], wish=cleaning),
        bo=participant("Bo", [FLOORS]),
        hidden=participant("Hidden", [FLOORS], consent=False),
        cook=participant("Cook", ["wash the dishes"], wish=kitchen),
    )


def _uri(label: str) -> str | None:
    from mimi_match.vocabulary import vocabulary

    return vocabulary().resolve(label)


def suggestions(**where) -> list[Match]:
    stmt = select(Match).where(Match.status == MatchStatus.SUGGESTED)
    for key, value in where.items():
        stmt = stmt.where(getattr(Match, key) == value)
    return list(db.session.scalars(stmt))


def test_rebuild_creates_explained_suggestions_without_duplicates(scene):
    result = matching.rebuild()
    assert result["participants"] == 3 and result["positions"] == 2
    anna = suggestions(profile_id=scene["anna"].id)
    assert scene["cleaner_job"].id in [m.position_id for m in anna]
    best = next(m for m in anna if m.position_id == scene["cleaner_job"].id)
    assert best.origin == MatchOrigin.MODEL and best.model_version == result["version"]
    assert best.explanation["matched_skills"][0]["label"] == FLOORS
    assert set(best.components) == {"skills", "wish", "language", "location", "availability", "kind"}
    assert best.events[0].to_status == MatchStatus.SUGGESTED
    assert not suggestions(profile_id=scene["hidden"].id)  # no consent, no suggestions
    count = db.session.scalar(select(func.count()).select_from(Match))
    matching.rebuild()
    assert db.session.scalar(select(func.count()).select_from(Match)) == count  # the same pairs, once


def test_pairs_someone_acted_on_are_never_suggested_again(scene):
    matching.rebuild()
    match = suggestions(profile_id=scene["anna"].id, position_id=scene["cleaner_job"].id)[0]
    match.status = MatchStatus.REJECTED
    db.session.commit()
    matching.rebuild()
    rows = db.session.scalars(select(Match).where(Match.profile_id == scene["anna"].id,
                                                  Match.position_id == scene["cleaner_job"].id)).all()
    assert [m.status for m in rows] == [MatchStatus.REJECTED]


def test_publishing_and_closing_a_position_updates_suggestions(scene, login, users):
    matching.rebuild()
    hr = login(users["hr"])
    new = create_position(users["hr"].organisation, scene["cleaning"], title="Hotel cleaner", required_skill=FLOORS,
                          status=PositionStatus.DRAFT)
    hr.post(f"/hr/positions/{new.id}/publish")
    assert {m.profile_id for m in suggestions(position_id=new.id)} >= {scene["anna"].id, scene["bo"].id}
    hr.post(f"/hr/positions/{new.id}/close")
    assert suggestions(position_id=new.id) == []


def test_profile_and_consent_changes_update_suggestions(scene, login):
    matching.rebuild()
    cook = scene["cook"]
    client = login(cook.user)
    client.post("/me/profile/skills", data={"skills": FLOORS})
    assert scene["cleaner_job"].id in [m.position_id for m in suggestions(profile_id=cook.id)]
    client.post("/me/profile/consent", data={"submit": "1"})  # every box unticked: no more matching
    assert suggestions(profile_id=cook.id) == []
    client.post("/me/profile/consent", data={"consent_matching": "y"})
    assert suggestions(profile_id=cook.id)


def test_fits_me_best_sort(scene, login):
    matching.rebuild()
    html = login(scene["cook"].user).get("/opportunities/").get_data(as_text=True)
    assert "Fits me best" in html
    assert html.index("Dishwasher") < html.index("Office cleaner")
    html = login(scene["anna"].user).get("/opportunities/?sort=fit").get_data(as_text=True)
    assert html.index("Office cleaner") < html.index("Dishwasher")


def test_rebuild_command_and_persisted_model(app, scene):
    result = app.test_cli_runner().invoke(args=["match", "rebuild"])
    assert result.exit_code == 0 and "suggestions" in result.output
    assert "writing suggestions" in result.output  # progress by stage
    app.extensions.pop(matching.SERVED, None)  # as a process that never saw the model
    served = matching.served_model()
    assert served is not None and served.version == matching.current_version()
    assert set(served.position_ids) == {scene["cleaner_job"].id, scene["kitchen_job"].id}
    assert served.participants == []  # what web processes load holds no participant


def test_coach_field_chart_and_participant_yellow_light(app, login, users):
    health, kitchen = create_field("health", "Health care"), create_field("kitchen", "Hospitality")
    org = create_organisation()
    create_position(org, health, title="Nurse assistant", openings=1)
    for _ in range(4):
        create_position(org, kitchen, title="Cook", required_skill="wash the dishes", openings=3)
    crowd = []
    for i in range(14):
        user = create_user(display_name=f"Seeker {i}")
        user.profile.desired_fields.append(DesiredField(field_id=health.id, rank=1))
        user.profile.skills.append(ParticipantSkill(label="wash the dishes", concept_uri=_uri("wash the dishes")))
        user.profile.consent_matching = True
        crowd.append(user)
    db.session.commit()
    matching.rebuild()
    page = login(users["coach"]).get("/coach/fields").get_data(as_text=True)
    assert "<svg" in page and "Health care" in page and "Oversupplied" in page and "table-warning" in page
    me = login(crowd[0]).get("/me/").get_data(as_text=True)
    assert "Good to know about Health care" in me and "You can keep this wish" in me
    assert f"field={kitchen.id}" in me  # the alternative that fits the skills
    # a participant whose first wish is not crowded sees no card
    assert "Good to know" not in login(users["participant"]).get("/me/").get_data(as_text=True)


def test_matching_trouble_never_blocks_the_users_change(app, scene, login, monkeypatch):
    matching.rebuild()
    worker = worker_for(app)

    def broken(*args, **kwargs):
        raise RuntimeError("model exploded")

    monkeypatch.setattr(worker, "_apply", broken)
    response = login(scene["cook"].user).post("/me/profile/skills", data={"skills": FLOORS})
    assert response.status_code == 302
    db.session.refresh(scene["cook"])
    assert FLOORS in [s.label for s in scene["cook"].skills]
    # the change waits, with the error for the administrator, and is handled once the worker works again
    assert db.session.scalar(select(func.count()).select_from(MatchingChange)) == 1
    assert "model exploded" in db.session.scalar(select(FailedJob.error))
    monkeypatch.undo()
    worker.run_once()
    assert db.session.scalar(select(func.count()).select_from(MatchingChange)) == 0
    assert scene["cleaner_job"].id in [m.position_id for m in suggestions(profile_id=scene["cook"].id)]


def test_suggestions_start_after_the_available_date(app, scene):
    scene["anna"].available_from = date.today() + timedelta(days=400)
    scene["cleaner_job"].start_date = date.today() + timedelta(days=30)
    db.session.commit()
    matching.rebuild()
    e = worker_for(app).model.explain(scene["anna"].id, scene["cleaner_job"].id)
    assert e.components["availability"] < 1.0


@pytest.mark.parametrize("n_positions, skill, expected", [(0, "bake bread", 0), (1, "bake bread", 0),
                                                          (1, "wash dishes", 1)])
def test_rebuild_works_on_a_tiny_new_installation(app, n_positions, skill, expected):
    """One participant and at most one position: the model still fits, and suggests only what fits."""
    person = create_user()
    person.profile.consent_matching = True
    person.profile.skills.append(ParticipantSkill(label=skill, concept_uri=vocabulary().resolve(skill)))
    db.session.commit()
    for _ in range(n_positions):
        create_position(create_organisation(), title="Dishwasher", required_skill="wash dishes")
    result = matching.rebuild()
    assert result["participants"] == 1 and result["positions"] == n_positions
    assert result["suggestions"] == expected


def test_oversupply_advice_for_a_participant_without_vocabulary_skills(app, users):
    """A small installation: seven people want health care, which has one opening. One of them wrote her skills
    in her own words and her past work as text: she is still told which fields fit her, from those words."""
    from mimi_match.models import WorkExperience

    health, cleaning, kitchen = (create_field("health", "Health care"), create_field("cleaning", "Cleaning"),
                                 create_field("kitchen", "Hospitality"))
    org = create_organisation("Mixed AS")
    create_position(org, health, title="Care assistant", required_skill="assist patients with personal hygiene")
    create_position(org, cleaning, title="Office cleaner", description="Washing floors and windows in offices.",
                    required_skill=FLOORS)
    create_position(org, kitchen, title="Dishwasher", description="Washing dishes and pots in a busy kitchen.",
                    required_skill="wash the dishes")
    profiles = []
    for i in range(7):
        profile = create_user(display_name=f"Seeker {i}").profile
        profile.consent_matching = True
        profile.desired_fields.append(DesiredField(field_id=health.id, rank=1))
        profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.B1))
        profiles.append(profile)
    mine = profiles[0]
    mine.skills.append(ParticipantSkill(label="washing of floors and windows in offices", concept_uri=None))
    mine.experiences.append(WorkExperience(title="Cleaner in an office building", months=24,
                                           description="I washed the floors and windows of the offices every day."))
    db.session.commit()
    matching.rebuild()
    advice = matching.oversupply_advice(mine)
    assert advice is not None and advice["field"].id == health.id  # 7 seekers, 1 opening: R = 4
    assert advice["alternatives"] and advice["alternatives"][0][0].id == cleaning.id
    assert advice["alternatives"][0][1] > 0  # ranked by the fit of her words, not by openings alone


def test_field_balance_is_two_aggregates_not_every_profile(app):
    """The balance the pages show comes from two grouped queries: no profile or position is loaded, and it
    equals the balance the model's own counting gives from every record (all regions and one)."""
    from sqlalchemy import event

    from mimi_match.matching.oversupply import field_balance
    from mimi_match.models import ParticipantProfile, Position
    from mimi_match.services.demo import seed_demo

    seed_demo()
    loaded, statements = [], []
    listeners = [(ParticipantProfile, "load", lambda target, _ctx: loaded.append(target)),
                 (Position, "load", lambda target, _ctx: loaded.append(target))]
    for cls, name, fn in listeners:
        event.listen(cls, name, fn)
    engine = db.engine
    count = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", count)
    try:
        db.session.expire_all()
        result = matching._compute_balance(None)
        regional = matching._compute_balance("Oslo")
    finally:
        event.remove(engine, "before_cursor_execute", count)
        for cls, name, fn in listeners:
            event.remove(cls, name, fn)
    assert loaded == [] and len(statements) == 4
    from mimi_match.matching.records import ParticipantRecord, PositionRecord
    from mimi_match.models import User

    profiles = db.session.scalars(select(ParticipantProfile).join(User, User.id == ParticipantProfile.user_id)
                                  .where(User.active.is_(True))).all()
    people = [ParticipantRecord(id=p.id, region=p.region or "",
                                desired_fields=[d.field_id for d in sorted(p.desired_fields, key=lambda d: d.rank)])
              for p in profiles]
    jobs = [PositionRecord(id=q.id, field_id=q.field_id, kind=q.kind.value, region=q.region or "", remote=q.remote,
                           openings=q.openings)
            for q in db.session.scalars(select(Position).where(Position.status == PositionStatus.OPEN,
                                                               Position.listed_until >= date.today()))]
    for region, ours in ((None, result), ("Oslo", regional)):
        expected = field_balance(people, jobs, matching.config(), region)
        assert ours.platform_ratio == expected.platform_ratio
        assert {f: (b.demand, b.supply, b.status) for f, b in ours.fields.items() if b.demand or b.supply} == \
            {f: (b.demand, b.supply, b.status) for f, b in expected.fields.items() if b.demand or b.supply}
    assert result.oversupplied()  # the demo's crowded field


def test_a_participants_scores_are_kept_until_the_profile_or_the_model_changes(app, users):
    """Scoring a participant once per page is the costliest step of a participant's pages: the process keeps
    the scores, keyed by the model version and the participant's record, so a changed profile is scored anew
    at once and an unchanged one is not scored again."""
    from unittest import mock

    from mimi_match.matching.model import MatchModel

    field = create_field("cleaning", "Cleaning")
    org = create_organisation("Clean AS")
    create_position(org, field, title="Office cleaner", required_skill=FLOORS)
    create_position(org, field, title="Dishwasher", required_skill="wash the dishes")
    profile = create_user(display_name="Amal").profile
    profile.consent_matching = True
    dishes = "wash the dishes"
    profile.skills.append(ParticipantSkill(label=dishes, concept_uri=vocabulary().resolve(dishes)))
    profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.B1))
    db.session.commit()
    matching.rebuild()
    real = MatchModel.record_scores
    with mock.patch.object(MatchModel, "record_scores", autospec=True, side_effect=real) as scored:
        first = matching.record_scores(profile.id)
        again = matching.record_scores(profile.id)
        assert scored.call_count == 1 and again is first
        profile.skills.append(ParticipantSkill(label=FLOORS, concept_uri=vocabulary().resolve(FLOORS)))
        db.session.commit()
        changed = matching.record_scores(profile.id)
        assert scored.call_count == 2
    model = matching.served_model()
    record = matching._record(profile.id)
    assert np.array_equal(changed.full, model.score_record(record))
    assert not np.array_equal(changed.full, first.full)
    by_score = sorted(model.position_ids.tolist(), key=lambda q: (-changed.full[model.position_row[q]], -q))
    unknown = int(model.position_ids.max()) + 1  # a position the model has not seen yet comes last
    assert changed.ranked([unknown, *model.position_ids.tolist()]) == [*by_score, unknown]


@pytest.mark.parametrize("active", [True, False])
def test_the_record_of_a_loaded_profile_is_the_record_matching_reads(app, active):
    """A page that has the profile loaded builds its matching record without a query; it is exactly the record
    the set-based reader gives (skills confirmed or not, languages, wishes in rank order, past work, consent)."""
    from mimi_match.models import Education, SkillConfirmation, WorkExperience
    from mimi_match.services.matching_records import participant_records, record_of
    from mimi_match.services.profiles import load_profile

    fields = [create_field(f"f{i}", f"Field {i}") for i in range(3)]
    profile = create_user(display_name="Rania").profile
    profile.consent_matching, profile.region, profile.remote_ok = True, "Oslo", True
    profile.hours_per_week, profile.available_from, profile.wish_text = 30, date(2027, 1, 4), "kitchen work"
    profile.user.active = active
    profile.skills.append(ParticipantSkill(label="wash the dishes", concept_uri=vocabulary().resolve("wash the dishes"),
                                           confirmation=SkillConfirmation.COMPETENCE_CHECK))
    profile.skills.append(ParticipantSkill(label="baking bread my own way", concept_uri=None))
    profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.A2))
    profile.languages.append(ParticipantLanguage(language="ar", level=CEFRLevel.C2))
    profile.desired_fields.append(DesiredField(field_id=fields[2].id, rank=2))
    profile.desired_fields.append(DesiredField(field_id=fields[0].id, rank=1))
    profile.experiences.append(WorkExperience(title="Cook", months=36, description="Bakery in Homs"))
    profile.experiences.append(WorkExperience(title="Dishwasher", months=6, description=""))
    profile.educations.append(Education(title="Vocational school, food"))
    db.session.commit()
    db.session.expire_all()
    expected = participant_records([profile.id])[profile.id]
    db.session.expire_all()
    assert record_of(load_profile(profile.id)) == expected
    assert expected.desired_fields == [fields[0].id, fields[2].id] and expected.consent_matching is active


def test_the_worker_keeps_the_balance_per_day_and_the_fields_page_shows_the_trend(app, login, users, run_jobs):
    from datetime import date, timedelta

    from mimi_match.models import FieldBalanceDay
    from mimi_match.services import field_balance

    health = create_field("health", "Health care")
    create_position(create_organisation(), health, title="Nurse assistant", openings=1)
    for i in range(6):
        user = create_user(display_name=f"Seeker {i}")
        user.profile.desired_fields.append(DesiredField(field_id=health.id, rank=1))
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(FieldBalanceDay)) == 0  # a request writes none
    run_jobs()  # the matching worker counts, and keeps today's counts
    today = db.session.get(FieldBalanceDay, date.today())
    assert today is not None and today.counts["wishes"][""][str(health.id)] == [6]
    earlier = {"format": 1, "wishes": {"": {str(health.id): [1]}}, "local": {"": {str(health.id): 4}}, "remote": {}}
    field_balance.keep_day(earlier, day=date.today().replace(day=1) - timedelta(days=40))
    db.session.commit()
    months = matching.field_trend()
    assert len(months) == 2 and months[0][1].fields[health.id].ratio == pytest.approx(2 / 5)
    assert months[1][1].fields[health.id].ratio == pytest.approx(7 / 2)
    page = login(users["coach"]).get("/coach/fields").get_data(as_text=True)
    assert "The trend: seekers per opening, month by month" in page and "3.5" in page and "0.4" in page
