"""What a page costs does not grow with the installation: the five busiest pages (anonymous search, a
participant's page, suggestions and opportunities, the coach's review queue, HR's candidates) run the same
number of queries and load no more rows when the installation doubles, and the balance of the fields is an
aggregate, never every profile."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from mimi_match.extensions import db
from mimi_match.models import (
    CEFRLevel,
    DesiredField,
    Match,
    MatchStatus,
    ParticipantLanguage,
    ParticipantProfile,
    ParticipantSkill,
    Position,
)
from mimi_match.services import matching
from mimi_match.vocabulary import vocabulary

from .factories import create_field, create_position, create_user

SKILLS = ["clean building floors", "clean windows", "wash the dishes", "prepare vegetables", "operate forklift"]


class Installation:
    """A small installation that can be made larger: participants of the coach's caseload with skills and
    wishes, positions of the HR user's organisation, suggestions from a rebuild."""

    def __init__(self, users):
        self.users = users
        self.fields = [create_field(f"f{i}", f"Field {i}") for i in range(3)]
        self.people = 0
        self.position = None

    def grow(self, participants: int, positions: int) -> None:
        org = self.users["hr"].organisation
        for i in range(positions):
            skill = SKILLS[(self.people + i) % len(SKILLS)]
            made = create_position(org, self.fields[i % 3], title=f"Job {self.people + i}", required_skill=skill)
            self.position = self.position or made
        for i in range(participants):
            n = self.people + i
            profile = create_user(display_name=f"Person {n}").profile
            profile.consent_matching = True
            profile.coach_id = self.users["coach"].id
            profile.region = "Oslo"
            profile.skills.extend(ParticipantSkill(label=s, concept_uri=vocabulary().resolve(s))
                                  for s in (SKILLS[n % len(SKILLS)], SKILLS[(n + 1) % len(SKILLS)]))
            profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.B2))
            profile.desired_fields.append(DesiredField(field_id=self.fields[n % 3].id, rank=1))
        self.people += participants
        me = self.users["participant"].profile
        if not me.skills:
            me.consent_matching = True
            me.skills.append(ParticipantSkill(label=SKILLS[0], concept_uri=vocabulary().resolve(SKILLS[0])))
            me.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.B2))
            me.desired_fields.append(DesiredField(field_id=self.fields[0].id, rank=1))
            me.coach_id = self.users["coach"].id
        db.session.commit()
        matching.rebuild()
        # the participant has suggestions a coach approved, HR has candidates
        for match in db.session.scalars(select(Match).where(Match.status == MatchStatus.SUGGESTED,
                                                            Match.profile_id == me.id).limit(3)):
            match.status = MatchStatus.APPROVED
        for match in db.session.scalars(select(Match).where(Match.status == MatchStatus.SUGGESTED,
                                                            Match.position_id == self.position.id).limit(3)):
            match.status = MatchStatus.INTERESTED
        db.session.commit()


def _cost(app, client, url: str) -> tuple[int, int, int]:
    """(queries, profiles loaded, positions loaded) of one request."""
    statements, profiles, positions = [], [], []
    engine = db.engine

    def before(*args):
        statements.append(args[2])

    listeners = [(ParticipantProfile, lambda target, _ctx: profiles.append(target)),
                 (Position, lambda target, _ctx: positions.append(target))]
    event.listen(engine, "before_cursor_execute", before)
    for cls, fn in listeners:
        event.listen(cls, "load", fn)
    try:
        response = client.get(url)
        assert response.status_code == 200, url
    finally:
        event.remove(engine, "before_cursor_execute", before)
        for cls, fn in listeners:
            event.remove(cls, "load", fn)
    return len(statements), len(profiles), len(positions)


PAGES = {
    "anonymous search": ("anonymous", lambda s: "/opportunities/?q=clean"),
    "participant page": ("participant", lambda s: "/me/"),
    "participant suggestions": ("participant", lambda s: "/me/suggestions"),
    "participant opportunities": ("participant", lambda s: "/opportunities/"),
    "coach review queue": ("coach", lambda s: "/coach/review"),
    "HR candidates": ("hr", lambda s: f"/hr/positions/{s.position.id}/candidates"),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_cost_does_not_grow_with_the_installation(app, users, login, page):
    role, url_of = PAGES[page]
    place = Installation(users)
    place.grow(participants=30, positions=12)
    client = app.test_client() if role == "anonymous" else login(users[role])
    url = url_of(place)
    client.get(url)  # warm up (vocabulary, served model)
    small = _cost(app, client, url)
    place.grow(participants=60, positions=24)
    client.get(url)
    large = _cost(app, client, url)
    assert large[0] == small[0], f"{page}: {small[0]} queries with 30 participants, {large[0]} with 90"
    assert large[1] <= max(small[1], 25) and large[2] <= max(small[2], 25), \
        f"{page}: loaded (profiles, positions) {small[1:]} -> {large[1:]}"


def test_the_review_queue_is_paged(app, users, login):
    """A coach with a large queue gets 25 at a time, the count of all, and a link to the next page."""
    place = Installation(users)
    place.grow(participants=40, positions=15)
    client = login(users["coach"])
    client.get("/coach/review")  # the worker catches up with the last changes after a request
    waiting = db.session.scalar(select(db.func.count(Match.id)).join(ParticipantProfile).where(
        Match.status == MatchStatus.SUGGESTED, ParticipantProfile.coach_id == users["coach"].id))
    assert waiting > 25
    first = client.get("/coach/review").get_data(as_text=True)
    assert first.count('name="match"') == 25
    assert f"{waiting} suggestions wait for review" in first and "page=2" in first
    last_page = -(-waiting // 25)
    last = client.get(f"/coach/review?page={last_page}").get_data(as_text=True)
    assert last.count('name="match"') == waiting - 25 * (last_page - 1)
    beyond = client.get("/coach/review?page=999").get_data(as_text=True)
    assert beyond.count('name="match"') == waiting - 25 * (last_page - 1)  # a page beyond the last shows the last


@pytest.mark.parametrize("url", ["/me/", "/coach/review"])
def test_pages_read_the_balance_the_worker_counted(app, users, login, url):
    """The pages that show the field balance read the counts the matching worker keeps; no request counts the
    installation's wishes. A new wish reaches the counts when the worker has handled the change."""
    from mimi_match.models import MatchingState
    from mimi_match.models.matching import STATE_ID
    from mimi_match.services import field_balance

    place = Installation(users)
    place.grow(participants=30, positions=12)
    role = "participant" if url == "/me/" else "coach"
    client = login(users[role])
    client.get(url)
    statements = []
    record = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert not [s for s in statements if "desired_fields" in s and "count(" in s.lower()], \
        "a page counted every wish of the installation"
    stored = db.session.scalar(select(MatchingState.field_balance).where(MatchingState.id == STATE_ID))
    assert stored == field_balance.count()
    before = matching.balance().fields[place.fields[2].id].demand
    me = users["participant"].profile
    db.session.add(DesiredField(profile_id=me.id, field_id=place.fields[2].id, rank=2))
    db.session.commit()
    client.get(url)  # the worker handles the change after this request, as it would a moment later
    db.session.expire_all()
    counted = db.session.scalar(select(MatchingState.field_balance).where(MatchingState.id == STATE_ID))
    assert counted == field_balance.count()
    after = field_balance.balance_of(counted, matching.config()).fields[place.fields[2].id].demand
    assert after == before + matching.config().rank_demand[1]


def test_the_review_queue_filters_and_sorts_in_sql(app, users):
    """The coach narrows the queue by a participant's name or a field, and orders it by score, newest or name:
    each filter counts and pages only what it keeps."""
    from mimi_match.services import journey

    place = Installation(users)
    place.grow(participants=12, positions=6)
    coach = users["coach"]
    everything = journey.review_queue(coach, per_page=1000)
    assert everything.total == len(everything.matches) > 0
    named = journey.review_queue(coach, participant="person 1", per_page=1000)  # Person 1, 10, 11
    assert named.matches and named.total == len(named.matches)
    assert all("person 1" in m.profile.user.display_name.lower() for m in named.matches)
    assert named.total == sum("person 1" in m.profile.user.display_name.lower() for m in everything.matches)
    field = place.fields[1].id
    in_field = journey.review_queue(coach, field_id=field, per_page=1000)
    assert in_field.matches and all(m.position.field_id == field for m in in_field.matches)
    assert in_field.total == sum(m.position.field_id == field for m in everything.matches)
    by_name = journey.review_queue(coach, sort="participant", per_page=1000)
    names = [m.profile.user.display_name for m in by_name.matches]
    assert names == sorted(names) and by_name.total == everything.total
    scores = [m.score for m in everything.matches]
    assert scores == sorted(scores, reverse=True)
    both = journey.review_queue(coach, participant="person 1", field_id=field, per_page=1000)
    assert both.total == sum(m.position.field_id == field for m in named.matches)
