"""Onboarding guides: the content library, assembly rules, checklist, print and download, access."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import yaml
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

def _placement(users, *, share=True, level=CEFRLevel.A2, kind=PositionKind.MICRO_INTERNSHIP, weeks=4):
    profile = users["participant"].profile
    profile.coach_id = users["coach"].id
    profile.consent_share_on_interest = share
    profile.languages.append(ParticipantLanguage(language="nb", level=level))
    position = create_position(users["hr"].organisation, title="Kitchen <helper>", kind=kind,
                               duration_weeks=weeks, host_language_level=CEFRLevel.B2,
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
