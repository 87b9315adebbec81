"""The coach's working tools: the review queue's paging, filters, sort, links and notes that belong to their
decision; the caseload's "needs me today" panel."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mimi_match.extensions import db
from mimi_match.matching.oversupply import OVERSUPPLIED, Balance, FieldBalance
from mimi_match.models import (
    ActionPlanItem,
    Evaluation,
    EvaluationVoice,
    Match,
    MatchEvent,
    MatchStatus,
    Placement,
    PlacementStatus,
)
from mimi_match.models.base import utcnow
from mimi_match.services import matching

from .factories import create_field, create_organisation, create_position, create_user

# the suggestions here are written directly (scores chosen by the test), so the model must not run after a
# request and replace them with its own
pytestmark = pytest.mark.parametrize("app", [{"RUN_JOBS_AFTER_REQUEST": False}], indirect=True)


def _suggest(profile, position, score: float) -> Match:
    match = Match(profile_id=profile.id, position_id=position.id, status=MatchStatus.SUGGESTED, score=score)
    db.session.add(match)
    return match


@pytest.fixture
def queue(users):
    """30 suggestions for the coach's caseload (scores 0.10 … 0.97) in two fields, and 3 for another coach's."""
    coach = users["coach"]
    care, kitchen = create_field(name="Care"), create_field(name="Kitchen")
    org = create_organisation("Solbakken")
    people = [create_user(display_name=f"Person {n:02d}") for n in range(6)]
    for person in people:
        person.profile.coach_id = coach.id
    care_jobs = [create_position(org, care, title=f"Care job {n}") for n in range(3)]
    kitchen_jobs = [create_position(org, kitchen, title=f"Kitchen job {n}") for n in range(2)]
    jobs = care_jobs + kitchen_jobs
    matches = []
    for i, person in enumerate(people):
        for j, job in enumerate(jobs):
            matches.append(_suggest(person.profile, job, round(0.10 + 0.03 * (i * 5 + j), 2)))
    theirs = create_user(display_name="Other coach's person")
    theirs.profile.coach_id = create_user("coach").id
    for job in jobs[:3]:
        _suggest(theirs.profile, job, 0.99)
    db.session.commit()
    return dict(coach=coach, care=care, kitchen=kitchen, people=people, matches=matches, jobs=jobs)


def _items(html: str) -> list[str]:
    return re.findall(r'name="match" id="match-(\d+)"', html)


def test_the_queue_pages_by_25_and_says_where_you_are(login, queue):
    coach = login(queue["coach"])
    first = coach.get("/coach/review").get_data(as_text=True)
    assert len(_items(first)) == 25 and "30 suggestions wait for review." in first
    assert "Page 1 of 2" in first and 'href="/coach/review?page=2"' in first
    second = coach.get("/coach/review?page=2").get_data(as_text=True)
    assert len(_items(second)) == 5 and "Page 2 of 2" in second
    assert set(_items(first)).isdisjoint(_items(second))  # no suggestion on both pages
    # best score first: the top of page 1 is the best of all; the other coach's 0.99 never shows
    best = max(queue["matches"], key=lambda m: m.score)
    assert _items(first)[0] == str(best.id) and "Other coach" not in first + second
    assert _items(coach.get("/coach/review?page=999").get_data(as_text=True)) == _items(second)
    assert _items(coach.get("/coach/review?page=abc").get_data(as_text=True)) == _items(first)


def test_filters_by_score_field_participant_and_balance_and_keeps_them_in_the_links(login, queue, monkeypatch):
    coach = login(queue["coach"])
    high = coach.get("/coach/review?min_score=0.7").get_data(as_text=True)
    expected = {str(m.id) for m in queue["matches"] if m.score >= 0.7}
    assert set(_items(high)) == expected and len(expected) == 10
    assert 'value="0.7" selected' in high
    field = coach.get(f"/coach/review?field={queue['kitchen'].id}").get_data(as_text=True)
    assert len(_items(field)) == 12 and "Care job" not in field
    person = coach.get("/coach/review?q=person 03").get_data(as_text=True)
    assert set(_items(person)) == {str(m.id) for m in queue["matches"] if m.profile_id == queue["people"][3].profile.id}
    # nonsense filter values are ignored, never an error
    assert len(_items(coach.get("/coach/review?min_score=0.42&supply=x&sort=evil").get_data(as_text=True))) == 25
    # the kitchen field is oversupplied
    crowded = Balance({queue["kitchen"].id: FieldBalance(queue["kitchen"].id, None, 30, 1, 15.5, OVERSUPPLIED)}, 2.0)
    monkeypatch.setattr(matching, "balance", lambda region=None: crowded)
    only = coach.get("/coach/review?supply=oversupplied").get_data(as_text=True)
    assert len(_items(only)) == 12 and "Care job" not in only and "oversupplied field" in only
    others = coach.get("/coach/review?supply=other").get_data(as_text=True)
    assert len(_items(others)) == 18 and "Kitchen job" not in others
    # the filters travel with the pager and with the decision form
    paged = coach.get("/coach/review?supply=other&min_score=0.3").get_data(as_text=True)
    assert "Page 1 of" not in paged or "supply=other" in paged
    assert re.search(r'action="/coach/review\?[^"]*supply=other', paged)
    assert re.search(r'action="/coach/review\?[^"]*min_score=0.3', paged)


def test_filters_that_find_nothing_say_so_and_offer_the_way_back(login, queue):
    html = login(queue["coach"]).get("/coach/review?q=nobody-by-that-name").get_data(as_text=True)
    assert "No suggestions match these filters." in html and 'href="/coach/review"' in html


def test_names_and_positions_are_links_and_select_all_is_offered(login, queue):
    html = login(queue["coach"]).get("/coach/review").get_data(as_text=True)
    person, job = queue["people"][5], queue["jobs"][4]
    assert f'href="/coach/participants/{person.profile.id}"' in html
    assert f'href="/opportunities/{job.id}"' in html
    assert 'class="form-check-input js-select-all"' in html and "Select all 25 suggestions on this page" in html
    # every box has its own accessible name
    assert html.count('class="visually-hidden" for="match-') == 25


def test_each_decision_keeps_only_its_own_note(login, queue):
    coach = login(queue["coach"])
    first, second = queue["matches"][0], queue["matches"][1]
    response = coach.post("/coach/review?min_score=0.1", data={
        "match": f"{first.id}:{first.version_id}", "decision": "approve",
        "approve_note": "Good fit, talked on Monday", "reject_note": "meant for another one", "reason": "skills"})
    assert response.status_code == 302 and "min_score=0.1" in response.headers["Location"]
    event = db.session.scalars(select(MatchEvent).where(MatchEvent.match_id == first.id,
                                                        MatchEvent.to_status == MatchStatus.APPROVED)).one()
    assert event.note == "Good fit, talked on Monday"
    coach.post("/coach/review", data={"match": f"{second.id}:{second.version_id}", "decision": "reject",
                                      "reason": "skills", "approve_note": "not this", "reject_note": "Too far"})
    event = db.session.scalars(select(MatchEvent).where(MatchEvent.match_id == second.id,
                                                        MatchEvent.to_status == MatchStatus.REJECTED)).one()
    assert event.note == "Too far"


def test_the_caseload_says_what_needs_me_today(login, queue, users):
    coach = queue["coach"]
    people = queue["people"]
    db.session.add(ActionPlanItem(profile_id=people[1].profile.id, title="Send the CV",
                                  due_date=date.today() - timedelta(days=2)))
    # a candidacy where the employer has not answered for ten days
    waiting = db.session.scalars(select(Match).where(Match.profile_id == people[2].profile.id)).first()
    waiting.status = MatchStatus.INTERESTED
    db.session.add(MatchEvent(match_id=waiting.id, from_status=MatchStatus.APPROVED,
                              to_status=MatchStatus.INTERESTED, at=utcnow() - timedelta(days=10)))
    # a fresh one (two days) is not standing still yet
    fresh = db.session.scalars(select(Match).where(Match.profile_id == people[3].profile.id)).first()
    fresh.status = MatchStatus.OFFERED
    db.session.add(MatchEvent(match_id=fresh.id, to_status=MatchStatus.OFFERED, at=utcnow() - timedelta(days=2)))
    # a placement that should have started yesterday, one finished without my evaluation, one evaluated
    starts, finished, evaluated = (db.session.scalars(select(Match).where(Match.profile_id == p.profile.id)).first()
                                   for p in people[4:6] + people[0:1])
    for m in (starts, finished, evaluated):
        m.status = MatchStatus.PLACED
    db.session.add_all([
        Placement(match_id=starts.id, coach_id=coach.id, status=PlacementStatus.PLANNED,
                  start_date=date.today() - timedelta(days=1)),
        Placement(match_id=finished.id, coach_id=coach.id, status=PlacementStatus.COMPLETED,
                  start_date=date.today() - timedelta(days=30), end_date=date.today() - timedelta(days=3)),
    ])
    done = Placement(match_id=evaluated.id, coach_id=coach.id, status=PlacementStatus.COMPLETED,
                     start_date=date.today() - timedelta(days=30), end_date=date.today() - timedelta(days=3))
    db.session.add(done)
    db.session.flush()
    db.session.add(Evaluation(placement_id=done.id, voice=EvaluationVoice.COACH, author_id=coach.id))
    db.session.commit()
    html = login(coach).get("/coach/").get_data(as_text=True)
    panel = html[html.index("Needs me today"):html.index("Search by name")]
    suggested = sum(1 for m in queue["matches"] if m.status == MatchStatus.SUGGESTED)
    assert f"{suggested} suggestions wait for your review" in panel
    assert "1 candidacy waits for an answer" in panel and "the employer has not answered since" in panel
    assert "Person 02" in panel and "Person 03" not in panel
    assert "1 participant has overdue steps" in panel and "Person 01" in panel
    assert "1 placement should have started" in panel and "Person 04" in panel
    assert "1 placement waits for your evaluation" in panel and "Person 05" in panel
    assert "Person 00" not in panel  # evaluated: nothing to do
    # another coach sees none of it
    other = login(create_user("coach")).get("/coach/").get_data(as_text=True)
    assert "Nothing is waiting for you today" in other and "Person 0" not in other


def test_the_caseload_fits_a_phone_table_keeps_the_columns_that_need_action(login, queue):
    html = login(queue["coach"]).get("/coach/").get_data(as_text=True)
    table = html[html.index("<table"):html.index("</table>")]
    # four columns stay on a phone: name, suggestions to review, interest, overdue steps
    heads = re.findall(r'<th scope="col"( class="d-none d-md-table-cell")?>', table)
    assert len(heads) == 8 and sum(1 for h in heads if not h) == 4
