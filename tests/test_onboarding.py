"""Onboarding guides: the content library, assembly rules, checklist, print and download, access."""
from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
import yaml
from babel.dates import format_date
from sqlalchemy import select

from mimi_match.config import LANGUAGES
from mimi_match.extensions import db
from mimi_match.models import (
    CEFRLevel,
    GuideItem,
    Match,
    MatchStatus,
    OnboardingGuide,
    ParticipantLanguage,
    Placement,
    PositionKind,
    Role,
)
from mimi_match.services import onboarding
from mimi_match.services.onboarding import CONTENT_DIR, Facts, assemble

from .factories import create_organisation, create_position, create_user

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _keys(facts: Facts) -> list[str]:
    return [key for key, _due, _offset in assemble(facts)]


# --- the content library -------------------------------------------------------------------------------

def _texts(language: str) -> dict:
    with open(CONTENT_DIR / f"{language}.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def _fields(content: dict) -> dict[str, str]:
    meta = content["meta"]
    fields = {f"meta.{k}": v for k, v in meta.items() if k != "due"}
    fields.update({f"due.{k}": v for k, v in meta["due"].items()})
    for key, item in content["items"].items():
        fields[f"{key}.title"], fields[f"{key}.body"] = item["title"], item["body"]
    return fields


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_content_item_exists_in_every_language(language):
    english, other = _fields(_texts("en")), _fields(_texts(language))
    assert set(other) == set(english), "missing or extra texts"
    for name, text in other.items():
        assert isinstance(text, str) and text.strip(), name
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(english[name])), name
        lists = [line for line in text.splitlines() if line.strip().startswith("- ")]
        assert len(lists) == len([line for line in english[name].splitlines() if line.strip().startswith("- ")]), name


def test_every_rule_has_content_and_a_known_due_point():
    rules = onboarding.rules()
    keys = [item["key"] for item in rules["items"]]
    assert len(keys) == len(set(keys)) and set(keys) == set(_texts("en")["items"])
    assert {item["due"] for item in rules["items"]} <= set(onboarding.DUE_ORDER)


def test_text_format_is_escaped_html():
    html = str(onboarding.render("Hello **{name}**\n\n- one\n- two <b>", {"name": "<script>x</script>"}))
    assert html == ("<p>Hello <strong>&lt;script&gt;x&lt;/script&gt;</strong></p>"
                    "<ul><li>one</li><li>two &lt;b&gt;</li></ul>")


# --- assembly rules ---------------------------------------------------------------------------------------

def test_micro_internship_and_vacancy_differ():
    micro = _keys(Facts("micro_internship", "position", "B1", 4))
    job = _keys(Facts("vacancy", "position", "B1", None))
    assert {"learning_goals", "paperwork_internship", "midpoint", "evaluation"} <= set(micro)
    assert not {"paperwork_job", "qualifications", "checkin_month"} & set(micro)
    assert {"paperwork_job", "qualifications", "checkin_month"} <= set(job)
    assert not {"learning_goals", "midpoint", "evaluation", "paperwork_internship"} & set(job)


@pytest.mark.parametrize("level, band", [(None, "basic"), ("A1", "basic"), ("A2", "basic"), ("B1", "independent"),
                                         ("B2", "independent"), ("C1", "proficient"), ("C2", "proficient")])
def test_each_language_band_gets_its_own_advice(level, band):
    keys = set(_keys(Facts("vacancy", "position", level, None)))
    assert {k for k in keys if k.startswith("language_") and k != "language_practice"} == {f"language_{band}"}
    assert ("glossary" in keys) == (band != "proficient")
    assert ("language_practice" in keys) == (band != "proficient")


def test_placement_adds_the_coach_and_short_internships_skip_later_points():
    assert "help_coach" in _keys(Facts("vacancy", "placement", "B1", None))
    assert "help_coach" not in _keys(Facts("vacancy", "position", "B1", None))
    one_week = _keys(Facts("micro_internship", "position", "B1", 1))
    assert "midpoint" not in one_week and "checkin_month" not in one_week and "evaluation" in one_week
    assert "checkin_month" in _keys(Facts("micro_internship", "position", "B1", 8))


def test_items_are_ordered_by_when_they_are_due():
    facts = Facts("micro_internship", "placement", "A2", 6)
    offsets = [offset for _key, _due, offset in assemble(facts)]
    assert offsets == sorted(offsets) and offsets[0] == -7
    due = {key: offset for key, _due, offset in assemble(facts)}
    assert due["welcome"] == 0 and due["midpoint"] == 21 and due["evaluation"] == 39


# --- guides in the app --------------------------------------------------------------------------------------

def _placement(users, *, share=True, level=CEFRLevel.A2, kind=PositionKind.MICRO_INTERNSHIP, weeks=4,
               required=CEFRLevel.B2):
    profile = users["participant"].profile
    profile.coach_id = users["coach"].id
    profile.consent_share_on_interest = share
    profile.languages.append(ParticipantLanguage(language="nb", level=level))
    position = create_position(users["hr"].organisation, title="Kitchen <helper>", kind=kind,
                               duration_weeks=weeks, host_language_level=required,
                               contact_person="Kari Nordmann")
    match = Match(profile_id=profile.id, position_id=position.id, status=MatchStatus.PLACED)
    db.session.add(match)
    db.session.flush()
    placement = Placement(match_id=match.id, coach_id=users["coach"].id, start_date=date.today() + timedelta(days=10),
                          end_date=date.today() + timedelta(days=10 + 7 * weeks), company_contact="Kari Nordmann")
    db.session.add(placement)
    db.session.commit()
    return placement


def _guide_of(placement) -> OnboardingGuide:
    db.session.expire_all()
    return db.session.scalar(select(OnboardingGuide).where(OnboardingGuide.placement_id == placement.id))


def test_placement_guide_uses_the_colleagues_level_and_coach_when_shared(users, login):
    placement = _placement(users, share=True, level=CEFRLevel.A2)
    hr = login(users["hr"])
    response = hr.get(f"/guides/placements/{placement.id}")
    assert response.status_code == 302
    page = hr.get(response.headers["Location"]).get_data(as_text=True)
    guide = _guide_of(placement)
    keys = {i.content_key for i in guide.items}
    assert "language_basic" in keys and "language_independent" not in keys  # A2, not the position's B2
    assert users["participant"].display_name in page and users["coach"].email in page
    assert "Kitchen &lt;helper&gt;" in page and "<helper>" not in page


def test_placement_guide_without_sharing_names_no_one(users, login):
    placement = _placement(users, share=False, level=CEFRLevel.A2)
    hr = login(users["hr"])
    page = hr.get(hr.get(f"/guides/placements/{placement.id}").headers["Location"]).get_data(as_text=True)
    keys = {i.content_key for i in _guide_of(placement).items}
    assert "language_independent" in keys  # the position's B2; the colleague's own level is not shared
    assert users["participant"].display_name not in page and "your new colleague" in page


def test_accepting_an_offer_creates_the_guide(users, login):
    profile = users["participant"].profile
    position = create_position(users["hr"].organisation, title="Driver")
    match = Match(profile_id=profile.id, position_id=position.id, status=MatchStatus.OFFERED)
    db.session.add(match)
    db.session.commit()
    login(users["participant"]).post(f"/me/applications/{match.id}/offer", data={"answer": "accept"})
    placement = db.session.scalar(select(Placement).where(Placement.match_id == match.id))
    guide = _guide_of(placement)
    assert guide is not None and len(guide.items) > 10 and guide.start_date == placement.start_date


def test_ticking_saves_progress_and_survives_reassembly(users, login):
    placement = _placement(users)
    hr = login(users["hr"])
    hr.get(f"/guides/placements/{placement.id}")
    guide = _guide_of(placement)
    item = next(i for i in guide.items if i.content_key == "language_basic")
    hr.post(f"/guides/{guide.id}/items/{item.id}", data={"done": "1"})
    db.session.expire_all()
    assert db.session.get(GuideItem, item.id).done_at is not None
    page = hr.get(f"/guides/{guide.id}").get_data(as_text=True)
    assert "1 of" in page
    # the colleague's level rises to B1: new advice comes in, the ticked item stays
    language = placement.match.profile.languages[0]
    language.level = CEFRLevel.B1
    db.session.commit()
    hr.get(f"/guides/{guide.id}")
    keys = {i.content_key for i in _guide_of(placement).items}
    assert {"language_basic", "language_independent"} <= keys
    hr.post(f"/guides/{guide.id}/items/{item.id}", data={"done": "0"})
    hr.get(f"/guides/{guide.id}")
    keys = {i.content_key for i in _guide_of(placement).items}
    assert "language_basic" not in keys  # unticked and no longer applicable: gone
    assert hr.post(f"/guides/{guide.id}/items/999999", data={"done": "1"}).status_code == 404


def test_print_and_download_in_another_language(users, login):
    placement = _placement(users)
    hr = login(users["hr"])
    hr.get(f"/guides/placements/{placement.id}")
    guide = _guide_of(placement)
    page = hr.get(f"/guides/{guide.id}").get_data(as_text=True)
    assert "data-print" in page and "css/guide.css" in page
    download = hr.get(f"/guides/{guide.id}/download?lang=de")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    html = download.get_data(as_text=True)
    assert '<html lang="de"' in html and "<style>" in html and "<link" not in html and "<script" not in html
    assert _texts("de")["items"]["buddy"]["title"] in html
    arabic = hr.get(f"/guides/{guide.id}?lang=ar").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in arabic and _texts("ar")["items"]["safety"]["title"] in arabic
    assert hr.get(f"/guides/{guide.id}?lang=xx").status_code == 200  # an unknown language falls back


def test_access_hr_of_the_organisation_and_the_coach_read_only(users, login):
    placement = _placement(users)
    login(users["hr"]).get(f"/guides/placements/{placement.id}")
    guide = _guide_of(placement)
    item = guide.items[0]
    coach = login(users["coach"])
    page = coach.get(f"/guides/{guide.id}")
    assert page.status_code == 200 and b"the employer ticks off" in page.data
    assert coach.post(f"/guides/{guide.id}/items/{item.id}", data={"done": "1"}).status_code == 403
    assert coach.get(f"/guides/{guide.id}/download").status_code == 200
    other_hr = login(create_user(Role.HR, organisation=create_organisation()))
    for client in (other_hr, login(create_user(Role.COACH))):
        assert client.get(f"/guides/{guide.id}").status_code == 404
        assert client.get(f"/guides/{guide.id}/download").status_code == 404
    assert other_hr.post(f"/guides/{guide.id}/items/{item.id}", data={"done": "1"}).status_code == 404
    assert other_hr.get(f"/guides/placements/{placement.id}").status_code == 404
    assert login(users["participant"]).get(f"/guides/{guide.id}").status_code == 403
    assert db.session.get(GuideItem, item.id).done_at is None


def test_position_guide_and_dashboard(users, login):
    position = create_position(users["hr"].organisation, title="Warehouse worker", host_language_level=CEFRLevel.C1,
                               start_date=date.today() - timedelta(days=1))
    hr = login(users["hr"])
    guide_url = hr.get(f"/guides/positions/{position.id}").headers["Location"]
    assert hr.get(f"/guides/positions/{position.id}").headers["Location"] == guide_url  # one guide per position
    page = hr.get(guide_url).get_data(as_text=True)
    assert "help_coach" not in page and "overdue" in page
    guide = db.session.scalar(select(OnboardingGuide).where(OnboardingGuide.position_id == position.id))
    assert {i.content_key for i in guide.items} >= {"language_proficient", "paperwork_job"}
    dashboard = hr.get("/hr/").get_data(as_text=True)
    assert "Onboarding guides in progress" in dashboard and "Warehouse worker" in dashboard
    assert "Warehouse worker" in hr.get("/guides/").get_data(as_text=True)
    other = login(create_user(Role.HR, organisation=create_organisation()))
    assert other.get(f"/guides/positions/{position.id}").status_code == 404
    assert "Warehouse worker" not in other.get("/guides/").get_data(as_text=True)
    assert login(users["coach"]).get(guide_url).status_code == 404  # a position guide has no coach


# --- phases, accessible names, the language point ---------------------------------------------------------

def _guide_page(hr, placement, query: str = "") -> tuple[OnboardingGuide, str]:
    location = hr.get(f"/guides/placements/{placement.id}").headers["Location"]
    guide = _guide_of(placement)
    return guide, hr.get(location + query).get_data(as_text=True)


def _phases(page: str) -> dict[str, str]:
    """Each phase's heading key -> the page's text of that phase (up to the next phase)."""
    parts = re.split(r'<section class="guide-section" id="phase-', page)[1:]
    return {part.split('"', 1)[0]: part for part in parts}


def test_the_guide_is_grouped_by_phase(users, login):
    placement = _placement(users, weeks=8)  # a long micro-internship: a mid-point, a month's talk, an evaluation
    guide, page = _guide_page(login(users["hr"]), placement)
    headings = re.findall(r'<h2 id="phase-([a-z_]+)-h">([^<]+)</h2>', page)
    assert headings == [("before", "Before the start"), ("first_day", "The first day"),
                        ("first_weeks", "The first weeks"), ("end", "At the end of the placement")]
    phases, en = _phases(page), _texts("en")["items"]
    assert en["buddy"]["title"] in phases["before"] and en["transport"]["title"] in phases["before"]
    assert en["welcome"]["title"] in phases["first_day"] and en["safety"]["title"] in phases["first_day"]
    for key in ("checkin_week", "midpoint", "checkin_month"):
        assert en[key]["title"] in phases["first_weeks"], key
    assert en["evaluation"]["title"] in phases["end"] and en["welcome"]["title"] not in phases["end"]
    # each point still says when in its phase it is due
    assert "At the end of the first week" in phases["first_weeks"] and "After four weeks" in phases["first_weeks"]
    # the phases in another language come from the same grouping; a vacancy has no end of placement
    job = _placement_for_job(users)
    _guide, job_page = _guide_page(login(users["hr"]), job)
    assert "phase-end" not in job_page and "phase-first_weeks" in job_page
    assert len(re.findall(r'<section class="guide-section"', page)) == 4


def _placement_for_job(users):
    position = create_position(users["hr"].organisation, title="Driver", kind=PositionKind.VACANCY)
    match = Match(profile_id=users["participant"].profile.id, position_id=position.id, status=MatchStatus.PLACED)
    db.session.add(match)
    db.session.flush()
    placement = Placement(match_id=match.id, coach_id=users["coach"].id, start_date=date.today() + timedelta(days=3))
    db.session.add(placement)
    db.session.commit()
    return placement


def _buttons(page: str) -> list[str]:
    return re.findall(r'<button[^>]*name="done"[^>]*>[^<]*</button>', page)


def _label(button: str) -> str:
    return html.unescape(re.search(r'aria-label="([^"]*)"', button).group(1))


def test_every_tick_button_names_its_point(users, login):
    placement = _placement(users)
    hr = login(users["hr"])
    guide, page = _guide_page(hr, placement)
    titles = [html.unescape(re.sub(r"<[^>]+>", "", t)).replace("✓ ", "")
              for t in re.findall(r'<h3 id="item-\d+-h">(.*?)</h3>', page)]
    buttons = _buttons(page)
    assert len(buttons) == len(guide.items) == len(titles) > 10
    labels = [_label(b) for b in buttons]
    assert labels == [f"Mark “{title}” as done" for title in titles]
    assert len(set(labels)) == len(labels)  # no two controls sound the same
    item = next(i for i in guide.items if i.content_key == "safety")
    hr.post(f"/guides/{guide.id}/items/{item.id}", data={"done": "1"})
    page = hr.get(f"/guides/{guide.id}").get_data(as_text=True)
    safety = _texts("en")["items"]["safety"]["title"]
    assert f"Mark “{safety}” as not done" in [_label(b) for b in _buttons(page)]
    # the controls that give a point to someone name it too
    assert f"Give “{safety}” to someone" in html.unescape(page)


def _language_point(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    start = text.index("Language at work:")
    return " ".join(text[start:start + 1200].split())


def test_the_language_point_speaks_of_the_colleagues_own_level_with_the_positions_beside_it(users, login):
    placement = _placement(users, level=CEFRLevel.A2, required=CEFRLevel.B1)
    _guide, page = _guide_page(login(users["hr"]), placement)
    point = _language_point(page)
    assert point.startswith("Language at work: a beginner's level (A2)")
    assert ("Your new colleague's Norwegian Bokmål: A2 — can handle short, simple conversations about familiar "
            "tasks at work.") in point
    assert "The position asks for B1 — can handle everyday work conversations and simple written instructions." \
        in point
    assert "At A1 and A2" in point and "(B1)" not in point.split("Your new colleague")[0]


def test_the_language_point_without_a_shared_level_follows_the_position(users, login):
    placement = _placement(users, share=False, level=CEFRLevel.A2, required=CEFRLevel.B1)
    _guide, page = _guide_page(login(users["hr"]), placement)
    point = _language_point(page)
    assert point.startswith("Language at work: an independent level (B1)")
    assert "not known to you" in point and "The position asks for B1" in point and "A2" not in point


def test_a_position_guide_names_only_the_level_the_position_asks_for(users, login):
    position = create_position(users["hr"].organisation, title="Cleaner", host_language_level=CEFRLevel.A2)
    hr = login(users["hr"])
    page = hr.get(hr.get(f"/guides/positions/{position.id}").headers["Location"]).get_data(as_text=True)
    point = _language_point(page)
    assert point.startswith("Language at work: a beginner's level (A2)")
    assert "The position asks for A2 — can handle short" in point and "Your new colleague" not in point


# --- points given to a buddy or team member ---------------------------------------------------------------

def _add_helper(hr, guide, **data):
    fields = {"name": "Ola <Nordmann>", "email": "ola@example.org", "language": "de", "is_buddy": "y", **data}
    return hr.post(f"/guides/{guide.id}/people", data=fields)


def _link_path(page: str, helper_id: int) -> str:
    url = html.unescape(re.search(rf'id="link-{helper_id}" type="text" readonly value="([^"]+)"', page).group(1))
    return url.removeprefix("http://localhost")


def test_a_point_given_to_the_buddy_is_on_their_own_list_and_only_theirs(app, users, login):
    placement = _placement(users)
    hr = login(users["hr"])
    guide, _page = _guide_page(hr, placement)
    assert _add_helper(hr, guide).status_code == 302
    helper = _guide_of(placement).helpers[0]
    assert (helper.name, helper.email, helper.language, helper.is_buddy) == ("Ola <Nordmann>", "ola@example.org",
                                                                             "de", True)
    items = {i.content_key: i for i in _guide_of(placement).items}
    due = date.today() + timedelta(days=5)
    response = hr.post(f"/guides/{guide.id}/items/{items['welcome'].id}/assign",
                       data={"helper": str(helper.id), "due_on": due.isoformat()})
    assert response.status_code == 302
    hr.post(f"/guides/{guide.id}/items/{items['glossary'].id}/assign", data={"helper": str(helper.id)})
    db.session.expire_all()
    assert db.session.get(GuideItem, items["welcome"].id).due_on == due
    # without a date, the point's own date: its day relative to the start
    assert db.session.get(GuideItem, items["glossary"].id).due_on == placement.start_date - timedelta(days=7)
    page = hr.get(f"/guides/{guide.id}").get_data(as_text=True)
    assert "Given to <bdi>Ola &lt;Nordmann&gt;</bdi>" in page and "<Nordmann>" not in page
    path = _link_path(page, helper.id)
    assert path.startswith("/guides/team/")

    buddy = app.test_client()  # no account
    listing = buddy.get(path)
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    german = _texts("de")["items"]
    assert german["welcome"]["title"] in text and german["glossary"]["title"] in text  # in the language HR chose
    assert german["safety"]["title"] not in text and german["buddy"]["title"] not in text  # only their points
    assert format_date(due, "full", locale="de") in text and '<html lang="de"' in text
    assert "Ola &lt;Nordmann&gt;" in text and "<Nordmann>" not in text
    assert len(_buttons(text)) == 2 and all(german[k]["title"] in " ".join(map(_label, _buttons(text)))
                                            for k in ("welcome", "glossary"))

    assert buddy.post(f"{path}/items/{items['welcome'].id}", data={"done": "1"}).status_code == 302
    db.session.expire_all()
    ticked = db.session.get(GuideItem, items["welcome"].id)
    assert ticked.done_at is not None and ticked.done_by_helper_id == helper.id and ticked.done_by_id is None
    # a point not given to them, or of another guide, does not exist for them
    assert buddy.post(f"{path}/items/{items['safety'].id}", data={"done": "1"}).status_code == 404
    other = _placement_for_job(users)
    login(users["hr"]).get(f"/guides/placements/{other.id}")
    foreign = _guide_of(other).items[0]
    assert buddy.post(f"{path}/items/{foreign.id}", data={"done": "1"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(GuideItem, items["safety"].id).done_at is None
    assert db.session.get(GuideItem, foreign.id).done_at is None
    # HR sees who ticked it
    assert "Ticked off by <bdi>Ola &lt;Nordmann&gt;</bdi>" in hr.get(f"/guides/{guide.id}").get_data(as_text=True)

    # a wrong or altered link finds nothing
    token = path.rsplit("/", 1)[1]
    for bad in ("not-a-token", token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x" * 400):
        assert buddy.get(f"/guides/team/{bad}").status_code == 404
        assert buddy.post(f"/guides/team/{bad}/items/{items['glossary'].id}", data={"done": "1"}).status_code == 404
    # a new link ends the old one
    assert hr.post(f"/guides/{guide.id}/people/{helper.id}", data={"action": "renew"}).status_code == 302
    assert buddy.get(path).status_code == 404
    new_path = _link_path(hr.get(f"/guides/{guide.id}").get_data(as_text=True), helper.id)
    assert new_path != path and buddy.get(new_path).status_code == 200
    # removed: their points are HR's again, their link is gone
    assert hr.post(f"/guides/{guide.id}/people/{helper.id}", data={"action": "remove"}).status_code == 302
    assert buddy.get(new_path).status_code == 404
    db.session.expire_all()
    assert db.session.get(GuideItem, items["glossary"].id).helper_id is None
    assert db.session.get(GuideItem, items["welcome"].id).done_at is not None  # the tick stays


def test_people_and_points_refuse_bad_input_and_change_nothing(users, login):
    placement = _placement(users)
    hr = login(users["hr"])
    guide, _page = _guide_page(hr, placement)
    for data in ({"name": "   "}, {"email": "not an address"}, {"language": "xx"}):
        response = _add_helper(hr, guide, **data)
        assert response.status_code == 302
        assert _guide_of(placement).helpers == []
        flashed = hr.get(response.headers["Location"]).get_data(as_text=True)
        assert "alert-danger" in flashed
    _add_helper(hr, guide)
    again = hr.get(_add_helper(hr, guide, name="ola <nordmann>").headers["Location"]).get_data(as_text=True)
    assert "already helps with this guide" in again and len(_guide_of(placement).helpers) == 1
    helper = _guide_of(placement).helpers[0]
    item = _guide_of(placement).items[0]
    for data in ({"helper": str(helper.id), "due_on": "2026-02-30"}, {"helper": "abc"},
                 {"helper": str(helper.id), "due_on": (date.today() + timedelta(days=5000)).isoformat()}):
        response = hr.post(f"/guides/{guide.id}/items/{item.id}/assign", data=data)
        assert response.status_code == 302
        assert "alert-danger" in hr.get(response.headers["Location"]).get_data(as_text=True)
    assert hr.post(f"/guides/{guide.id}/items/{item.id}/assign", data={"helper": "99999"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(GuideItem, item.id).helper_id is None
    assert hr.post(f"/guides/{guide.id}/people/{helper.id}", data={"action": "explode"}).status_code == 302
    assert hr.post(f"/guides/{guide.id}/people/99999", data={"action": "remove"}).status_code == 404
    assert len(_guide_of(placement).helpers) == 1


def test_only_hr_of_the_organisation_gives_points(users, login):
    placement = _placement(users)
    hr = login(users["hr"])
    guide, _page = _guide_page(hr, placement)
    _add_helper(hr, guide)
    helper, item = _guide_of(placement).helpers[0], _guide_of(placement).items[0]
    other_hr = login(create_user(Role.HR, organisation=create_organisation()))
    assert _add_helper(other_hr, guide, name="Mallory").status_code == 404
    assert other_hr.post(f"/guides/{guide.id}/items/{item.id}/assign",
                         data={"helper": str(helper.id)}).status_code == 404
    assert other_hr.post(f"/guides/{guide.id}/people/{helper.id}", data={"action": "renew"}).status_code == 404
    for role in ("coach", "participant"):
        client = login(users[role])
        assert _add_helper(client, guide, name="Mallory").status_code == 403
        assert client.post(f"/guides/{guide.id}/items/{item.id}/assign",
                           data={"helper": str(helper.id)}).status_code == 403
    # the coach reads who helps, but never their link
    coach_page = login(users["coach"]).get(f"/guides/{guide.id}").get_data(as_text=True)
    assert "Ola &lt;Nordmann&gt;" in coach_page and "/guides/team/" not in coach_page
    db.session.expire_all()
    guide = _guide_of(placement)
    assert [h.name for h in guide.helpers] == ["Ola <Nordmann>"] and all(i.helper_id is None for i in guide.items)
    assert guide.helpers[0].link_key == helper.link_key


@pytest.mark.parametrize("app", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_the_buddys_tick_needs_the_pages_csrf_token(app, users, login):
    placement = _placement(users)
    hr = login(users["hr"])
    guide, _page = _guide_page(hr, placement)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                     hr.get(f"/guides/{guide.id}").get_data(as_text=True)).group(1)
    hr.post(f"/guides/{guide.id}/people", data={"name": "Ola", "language": "en", "csrf_token": csrf})
    helper = _guide_of(placement).helpers[0]
    item = _guide_of(placement).items[0]
    hr.post(f"/guides/{guide.id}/items/{item.id}/assign", data={"helper": str(helper.id), "csrf_token": csrf})
    path = _link_path(hr.get(f"/guides/{guide.id}").get_data(as_text=True), helper.id)
    buddy = app.test_client()
    for data in ({"done": "1"}, {"done": "1", "csrf_token": "forged"}):
        assert buddy.post(f"{path}/items/{item.id}", data=data).status_code == 400
    db.session.expire_all()
    assert db.session.get(GuideItem, item.id).done_at is None
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', buddy.get(path).get_data(as_text=True))
    assert buddy.post(f"{path}/items/{item.id}", data={"done": "1", "csrf_token": token.group(1)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(GuideItem, item.id).done_at is not None
