"""The demo seed: a realistic installation, and running it twice creates no duplicates."""
from __future__ import annotations

from sqlalchemy import func, select

from mimi_match.extensions import db
from mimi_match.models import (
    DesiredField,
    OccupationalField,
    ParticipantProfile,
    Position,
    PositionKind,
    PositionStatus,
    Role,
    User,
)
from mimi_match.services.demo import seed_demo


def _counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_seed_twice_no_duplicates(app):
    logins = seed_demo()
    first = _counts()
    seed_demo()
    assert _counts() == first
    assert first["participant_profiles"] == 200
    assert 50 <= first["positions"] <= 70
    roles = {role for role, _, _ in logins}
    assert roles == {"admin", "coach", "hr", "participant"}


def test_seed_is_realistic(app):
    seed_demo()
    by_role = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert by_role[Role.COACH] >= 3 and by_role[Role.HR] >= 4 and by_role[Role.ADMIN] == 1
    kinds = dict(db.session.execute(select(Position.kind, func.count()).group_by(Position.kind)).all())
    assert kinds[PositionKind.VACANCY] > 10 and kinds[PositionKind.MICRO_INTERNSHIP] > 10
    # positions in every field
    fields_with_positions = db.session.scalar(select(func.count(func.distinct(Position.field_id))))
    assert fields_with_positions == db.session.scalar(select(func.count()).select_from(OccupationalField))
    # one field crowded with first wishes and short of openings
    first_wishes = db.session.execute(
        select(DesiredField.field_id, func.count()).where(DesiredField.rank == 1).group_by(DesiredField.field_id)
        .order_by(func.count().desc())
    ).first()
    crowded_field, wishes = first_wishes
    openings = db.session.scalar(
        select(func.coalesce(func.sum(Position.openings), 0))
        .where(Position.field_id == crowded_field, Position.status == PositionStatus.OPEN))
    assert wishes >= 40 and openings <= 3
    # coaches have caseloads; some participants wait for a coach
    assigned = db.session.scalar(select(func.count()).select_from(ParticipantProfile)
                                 .where(ParticipantProfile.coach_id.is_not(None)))
    assert 150 <= assigned < 200


def test_demo_logins_work(app):
    seed_demo()
    client = app.test_client()
    for email, landing in [("admin@demo.mimi-match.org", "/admin/"), ("coach1@demo.mimi-match.org", "/coach/"),
                           ("hr1@demo.mimi-match.org", "/hr/"), ("participant001@demo.mimi-match.org", "/me/")]:
        response = client.post("/login", data={"email": email, "password": "mimi-demo-2026"})
        assert response.headers["Location"].endswith(landing), email
        page = client.get(landing)
        assert page.status_code == 200
        client.post("/logout")


def test_demo_seed_command(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "coach1@demo.mimi-match.org" in result.output and "mimi-demo-2026" in result.output


def test_demo_journeys_cover_every_status_once(app):
    from mimi_match.models import Evaluation, Match, MatchStatus, Placement, PlacementStatus
    from mimi_match.services import matching
    from mimi_match.services.demo_journeys import seed_journeys

    seed_demo()
    matching.rebuild()
    assert seed_journeys() > 30
    statuses = set(db.session.scalars(select(Match.status).distinct()))
    assert statuses == set(MatchStatus)
    assert set(db.session.scalars(select(Placement.status).distinct())) == set(PlacementStatus)
    assert db.session.scalar(select(func.count()).select_from(Evaluation)) >= 5
    # participant001, the first login the README prints, has a suggestion, an offer and placements
    first = db.session.scalar(select(User).where(User.email.startswith("participant001@")))
    mine = set(db.session.scalars(select(Match.status).where(Match.profile_id == first.profile.id,
                                                              Match.status != MatchStatus.SUGGESTED)))
    assert {MatchStatus.APPROVED, MatchStatus.OFFERED, MatchStatus.PLACED, MatchStatus.COMPLETED} <= mine
    before = _counts()
    assert seed_journeys() == 0 and _counts() == before


def test_no_demo_suggestion_lacks_evidence(app):
    """In the demo installation every stored suggestion names a skill in common or a wished field, or rests on
    words both sides wrote: the coach's queue holds no filler."""
    from mimi_match.matching.config import MatchingConfig
    from mimi_match.models import Match, MatchStatus
    from mimi_match.services import matching

    seed_demo()
    matching.rebuild()
    explanations = list(db.session.scalars(select(Match.explanation).where(Match.status == MatchStatus.SUGGESTED)))
    assert len(explanations) > 500
    close = MatchingConfig().evidence_word_similarity
    fillers = [e for e in explanations
               if not (e["matched_skills"] or e["wish_rank"] or e["text_similarity"] >= close)]
    assert fillers == []
    with_skill = sum(1 for e in explanations if e["matched_skills"])
    assert with_skill / len(explanations) > 0.5  # most rest on a skill in common, not on a wish alone


def test_demo_placement_guides_have_a_buddy_and_a_welcome_page(app):
    from mimi_match.models import OnboardingGuide
    from mimi_match.models.guide import GuideHelper
    from mimi_match.services import matching
    from mimi_match.services.demo_journeys import seed_journeys

    seed_demo()
    matching.rebuild()
    seed_journeys()
    placement_guides = list(db.session.scalars(
        select(OnboardingGuide).where(OnboardingGuide.placement_id.is_not(None))))
    assert placement_guides
    assert all(g.first_day_place and g.contact_name for g in placement_guides)
    assert any(g.welcome_shared_at is not None for g in placement_guides)
    assert any(g.welcome_shared_at is None for g in placement_guides)  # some still being prepared
    buddies = db.session.scalar(select(func.count()).select_from(GuideHelper).where(GuideHelper.is_buddy.is_(True)))
    assert buddies == len(placement_guides)
