"""The HR manager's working day through the pages: My positions with its counts, Find talent page by page,
a candidate's page with its way back and its empty sections explained."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from mimi_match.extensions import db
from mimi_match.models import (
    CEFRLevel,
    DesiredField,
    Match,
    MatchStatus,
    ParticipantLanguage,
    ParticipantProfile,
    ParticipantSkill,
    Role,
    User,
    WorkExperience,
)
from mimi_match.models.base import utcnow
from mimi_match.vocabulary import vocabulary

from .factories import create_field, create_organisation, create_position, create_user

CARD = re.compile(r"Candidate ([0-9A-F]{10})")
FLOORS = "clean building floors"


@pytest.fixture
def hr(users, login):
    return login(users["hr"])


def _candidates(position, statuses: list[MatchStatus], share: bool = True) -> list[User]:
    """One participant per status, each a candidate (a match) for ``position``."""
    people = []
    for status in statuses:
        person = create_user(Role.PARTICIPANT)
        person.profile.consent_share_on_interest = share
        db.session.add(Match(profile_id=person.profile.id, position_id=position.id, status=status))
        people.append(person)
    db.session.commit()
    return people


def _findable(n: int, field=None, skill: str | None = None, **profile) -> None:
    """``n`` participants who allow being found (no password: they never log in here), newest first."""
    concept = vocabulary().resolve(skill) if skill else None
    start = utcnow()
    for i in range(n):
        tag = f"{len(profile)}-{field.id if field else 0}-{skill or ''}-{i}".replace(" ", "")
        person = ParticipantProfile(consent_findable=True, last_active_at=start - timedelta(minutes=i), **profile)
        db.session.add(User(email=f"findable-{tag}@example.org", password_hash="!", role=Role.PARTICIPANT,
                            display_name=f"Findable {tag}", email_verified_at=start, profile=person))
        if field is not None:
            person.desired_fields.append(DesiredField(field=field, rank=1))
        if skill:
            person.skills.append(ParticipantSkill(label=skill, concept_uri=concept))
    db.session.commit()


def _back(page: str) -> str:
    """The way back: the paragraph just above the page's heading."""
    heading = page.index("<h1")
    return page[page.rindex("<p>", 0, heading):heading]


def _row(html: str, title: str) -> str:
    """The table row of the position called ``title`` on My positions."""
    start = html.index(title)
    return html[html.rindex("<tr", 0, start):html.index("</tr>", start)]


# --- My positions -------------------------------------------------------------------------------------------


def test_my_positions_counts_candidates_in_progress_and_placed_separately(hr, users):
    organisation = users["hr"].organisation
    busy = create_position(organisation, title="Seven placed")
    _candidates(busy, [MatchStatus.PLACED] * 4 + [MatchStatus.COMPLETED] * 3)
    _candidates(busy, [MatchStatus.INTERESTED, MatchStatus.INTERESTED, MatchStatus.INVITED, MatchStatus.OFFERED,
                       MatchStatus.HR_DECLINED, MatchStatus.WITHDRAWN, MatchStatus.SUGGESTED,
                       MatchStatus.EMPLOYER_INVITED])
    quiet = create_position(organisation, title="Nobody yet")
    elsewhere = create_position(create_organisation("Other AS"), title="Not ours")
    _candidates(elsewhere, [MatchStatus.PLACED, MatchStatus.INTERESTED])

    html = hr.get("/hr/").get_data(as_text=True)
    assert "Not ours" not in html and "Interested candidates" not in html
    row = _row(html, "Seven placed")
    # in progress: interested (2), invited, offered; withdrawn, suggested, employer-invited and declined are not
    assert f'/hr/positions/{busy.id}/candidates">4</a>' in row
    assert f'/hr/positions/{busy.id}/candidates#placed">7</a>' in row
    assert "2 wait for your answer" in row
    assert '">0</a>' not in row
    quiet_row = _row(html, "Nobody yet")
    assert f'/hr/positions/{quiet.id}/candidates">0</a>' in quiet_row and "#placed" not in quiet_row
    # the link leads to the group it counts
    page = hr.get(f"/hr/positions/{busy.id}/candidates").get_data(as_text=True)
    assert page.index('id="in-progress"') < page.index('id="placed"') < page.index('id="declined"')
    placed = page[page.index('id="placed"'):page.index('id="declined"')]
    assert placed.count("<article") == 7


def test_my_positions_fits_a_phone(hr, users):
    """Under the md breakpoint the row keeps the position and the two counts; kind, field and deadline move
    under the title instead of needing their own columns."""
    create_position(users["hr"].organisation, title="Cleaner", application_deadline=utcnow().date() + timedelta(days=9))
    row = _row(hr.get("/hr/").get_data(as_text=True), "Cleaner")
    cells = re.findall(r"<td([^>]*)>", row)
    assert len(cells) == 6
    assert sum("d-none d-md-table-cell" in attributes for attributes in cells) == 3
    assert 'class="small text-body-secondary d-md-none"' in row and "apply by" in row
    assert "<bdi>Cleaner</bdi>" in row


def test_my_positions_empty_says_what_to_do(hr, users):
    html = hr.get("/hr/").get_data(as_text=True)
    assert "You have no positions yet" in html and "None." not in html
    create_position(users["hr"].organisation, title="Only one")
    html = hr.get("/hr/").get_data(as_text=True)
    assert "None." not in html and "No drafts." in html and "mark the position as filled" in html


def test_empty_candidate_list_says_what_comes_next(hr, users):
    position = create_position(users["hr"].organisation, title="Fresh")
    page = hr.get(f"/hr/positions/{position.id}/candidates").get_data(as_text=True)
    assert "No candidates yet." in page and "/hr/talent" in page


# --- Find talent --------------------------------------------------------------------------------------------


def test_find_talent_is_paged_and_keeps_the_filters(hr):
    field = create_field(name="Cleaning")
    _findable(25, field=field, skill=FLOORS)
    _findable(3, skill=FLOORS)  # another field: filtered out
    query = f"field={field.id}&skill=clean+building+floors"

    first = hr.get(f"/hr/talent?{query}").get_data(as_text=True)
    assert len(set(CARD.findall(first))) == 20
    assert "25 people found." in first and "Page 1 of 2" in first
    nxt = re.search(r'<a class="page-link" rel="next" href="([^"]+)"', first).group(1)
    assert "page=2" in nxt and f"field={field.id}" in nxt and "skill=clean+building+floors" in nxt
    assert 'rel="prev"' not in first

    second = hr.get(nxt.replace("&amp;", "&")).get_data(as_text=True)
    assert len(set(CARD.findall(second))) == 5
    assert not set(CARD.findall(first)) & set(CARD.findall(second))  # nobody twice, nobody left out
    prev = re.search(r'<a class="page-link" rel="prev" href="([^"]+)"', second).group(1)
    assert "page=1" in prev and f"field={field.id}" in prev and "skill=" in prev
    assert 'rel="next"' not in second and "Page 2 of 2" in second

    beyond = hr.get(f"/hr/talent?{query}&page=999")
    assert beyond.status_code == 200
    beyond_html = beyond.get_data(as_text=True)
    assert "There is no page 999" in beyond_html and set(CARD.findall(beyond_html)) == set(CARD.findall(second))
    for bad in ("abc", "-1", "0", "2.5", "99999999999999999999999"):
        response = hr.get(f"/hr/talent?{query}&page={bad}")
        assert response.status_code == 200, bad
        assert set(CARD.findall(response.get_data(as_text=True))) == set(CARD.findall(first)), bad

    everyone = hr.get("/hr/talent").get_data(as_text=True)
    assert "28 people found." in everyone


def test_find_talent_one_page_has_no_pager(hr):
    _findable(3)
    html = hr.get("/hr/talent").get_data(as_text=True)
    assert len(set(CARD.findall(html))) == 3 and "Page 1 of" not in html and 'rel="next"' not in html


def test_find_talent_empty_states_name_the_next_step(hr):
    html = hr.get("/hr/talent").get_data(as_text=True)
    assert "Nobody allows employers to find them" in html and 'href="/hr/"' in html
    _findable(2)
    html = hr.get("/hr/talent?skill=zzqqxx").get_data(as_text=True)
    assert "matches this search" in html and "Show everyone who can be found" in html


def test_talent_invitation_returns_to_the_same_page(hr, users):
    field = create_field(name="Cleaning")
    _findable(22, field=field)
    position = create_position(users["hr"].organisation, title="Cleaner")
    page = hr.get(f"/hr/talent?field={field.id}&page=2").get_data(as_text=True)
    reference = CARD.findall(page)[0]
    assert f'<option value="{position.id}" dir="auto">Cleaner</option>' in page
    response = hr.post("/hr/talent/invite", data={"reference": reference, "position": position.id,
                                                   "field": str(field.id), "skill": "", "page": "2"})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "page=2" in location and f"field={field.id}" in location and "skill" not in location


def test_talent_cards_show_levels_in_words_and_no_dangling_separators(hr, app):
    _findable(1)  # no region, no field, no level
    html = hr.get("/hr/talent").get_data(as_text=True)
    card = html[html.index("<article"):html.index("</article>")]
    assert "Region not given" in card and "level not given" in card
    assert "— ·" not in card and "· ," not in card
    profile = db.session.query(ParticipantProfile).filter_by(consent_findable=True).one()
    profile.languages.append(ParticipantLanguage(language=app.config["HOST_LANGUAGE"], level=CEFRLevel.A2))
    profile.region = "Oslo"
    db.session.commit()
    card = hr.get("/hr/talent").get_data(as_text=True)
    assert "A2 — can handle short, simple conversations" in card
    assert "<bdi>Oslo</bdi>" in card and "Oslo (Oslo)" not in card


# --- a candidate's page -------------------------------------------------------------------------------------


def test_candidate_page_leads_back_to_the_list_it_came_from(hr, users):
    organisation = users["hr"].organisation
    first = create_position(organisation, title="Cleaner")
    second = create_position(organisation, title="Kitchen helper")
    [person] = _candidates(first, [MatchStatus.INTERESTED])
    db.session.add(Match(profile_id=person.profile.id, position_id=second.id, status=MatchStatus.INVITED))
    db.session.commit()
    path = f"/hr/candidates/{person.profile.id}"

    listing = hr.get(f"/hr/positions/{second.id}/candidates").get_data(as_text=True)
    assert f'href="{path}?position={second.id}"' in listing
    page = hr.get(f"{path}?position={second.id}").get_data(as_text=True)
    back = _back(page)
    assert f'href="/hr/positions/{second.id}/candidates"' in back and "Candidates for <bdi>Kitchen helper</bdi>" in back
    # two candidacies and no (or a foreign, or a malformed) position: back to My positions, never elsewhere
    other = create_position(create_organisation("Other AS"))
    for query in ("", f"?position={other.id}", "?position=abc", "?position=//evil.example"):
        page = hr.get(path + query).get_data(as_text=True)
        back = _back(page)
        assert 'href="/hr/"' in back and "evil" not in back and "/candidates" not in back, query
    # only one candidacy: back to its list
    [alone] = _candidates(first, [MatchStatus.OFFERED])
    page = hr.get(f"/hr/candidates/{alone.profile.id}").get_data(as_text=True)
    assert f'href="/hr/positions/{first.id}/candidates"' in _back(page)


def test_candidate_page_explains_an_empty_work_and_school(hr, users, app):
    position = create_position(users["hr"].organisation, title="Cleaner")
    [person] = _candidates(position, [MatchStatus.INTERESTED])
    match = db.session.query(Match).filter_by(profile_id=person.profile.id).one()
    page = hr.get(f"/hr/candidates/{person.profile.id}").get_data(as_text=True)
    work = page[page.index('id="work-h"'):]
    assert "has not added any work experience or schooling to their profile yet" in work
    assert f'href="/conversations/{match.id}"' in work
    assert "has not added any skills" in page and "No languages on the profile yet." in page
    assert "Not given yet." in page  # availability: neither region, hours nor start date

    person.profile.experiences.append(WorkExperience(title="Cleaner", place="Hotel Bristol", months=14))
    person.profile.languages.append(ParticipantLanguage(language=app.config["HOST_LANGUAGE"], level=CEFRLevel.B1))
    person.profile.region = "Oslo"
    person.profile.hours_per_week = 30
    db.session.commit()
    page = hr.get(f"/hr/candidates/{person.profile.id}").get_data(as_text=True)
    assert "has not added any work" not in page
    assert "<bdi>Cleaner</bdi>, <bdi>Hotel Bristol</bdi> (14 months)" in page
    assert "B1 — can handle everyday work conversations" in page and "<strong>B1</strong>" not in page
    assert "<bdi>Oslo</bdi> · 30 hours a week</p>" in page and "Oslo (Oslo)" not in page


def test_candidate_list_shows_levels_in_words(hr, users, app):
    position = create_position(users["hr"].organisation, title="Cleaner")
    [person] = _candidates(position, [MatchStatus.INTERESTED])
    person.profile.languages.append(ParticipantLanguage(language="en", level=CEFRLevel.C1))
    db.session.commit()
    page = hr.get(f"/hr/positions/{position.id}/candidates").get_data(as_text=True)
    assert "C1 — uses the language fluently at work" in page
    assert "Candidates for <bdi>Cleaner</bdi>" in page
