"""The new colleague's welcome page: HR fills in the first day, the participant reads it in their own language."""
from __future__ import annotations

import json
import re
from datetime import date, time, timedelta

from babel.dates import format_date
from sqlalchemy import func, select

from mimi_match.extensions import db
from mimi_match.models import CEFRLevel, Match, MatchStatus, OnboardingGuide, ParticipantLanguage, Placement, Role
from mimi_match.models.guide import GuideHelper

from .factories import PASSWORD, create_organisation, create_position, create_user

FACTS = {"start_time": "08:30", "place": "Storgata 1, inngang B\n2. etasje", "contact_name": "Kari <Nordmann>",
         "contact_phone": "+47 912 34 567", "what_to_bring": "Vernesko\n- ID-kort\n\n", "share": "y"}


def _placement(users, locale="uk"):
    person = users["participant"]
    person.locale = locale
    profile = person.profile
    profile.coach_id = users["coach"].id
    profile.consent_share_on_interest = True
    profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.A2))
    position = create_position(users["hr"].organisation, title="Kokkeassistent")
    match = Match(profile_id=profile.id, position_id=position.id, status=MatchStatus.PLACED)
    db.session.add(match)
    db.session.flush()
    placement = Placement(match_id=match.id, coach_id=users["coach"].id, start_date=date.today() + timedelta(days=9),
                          company_contact="Per Hansen")
    db.session.add(placement)
    db.session.commit()
    return placement


def _guide(login, users, placement) -> OnboardingGuide:
    login(users["hr"]).get(f"/guides/placements/{placement.id}")
    db.session.expire_all()
    return db.session.scalar(select(OnboardingGuide).where(OnboardingGuide.placement_id == placement.id))


def _with_buddy(hr, guide):
    hr.post(f"/guides/{guide.id}/people", data={"name": "Ola Buddy", "language": "nb", "is_buddy": "y"})


def test_hr_fills_in_the_first_day_and_the_participant_reads_it_in_ukrainian(users, login):
    placement = _placement(users)
    guide = _guide(login, users, placement)
    hr, person = login(users["hr"]), login(users["participant"])
    form = hr.get(f"/guides/{guide.id}/welcome/edit").get_data(as_text=True)
    assert 'value="Per Hansen"' in form  # the placement's contact person, to start from
    assert "Українська" in form  # HR is told in which language the new colleague reads it
    _with_buddy(hr, guide)
    response = hr.post(f"/guides/{guide.id}/welcome/edit", data=FACTS)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(OnboardingGuide, guide.id)
    assert saved.first_day_time == time(8, 30) and saved.contact_phone == "+47 912 34 567"
    assert saved.what_to_bring == "Vernesko\n- ID-kort" and saved.welcome_shared_at is not None

    detail = person.get(f"/placements/{placement.id}").get_data(as_text=True)
    assert f'href="/guides/{guide.id}/welcome"' in detail  # reached from their own placement page
    page = person.get(f"/guides/{guide.id}/welcome")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<html lang="uk"' in text and 'lang="uk" dir="ltr" class="guide-welcome"' in text
    assert format_date(placement.start_date, "full", locale="uk") in text  # the date in Ukrainian
    assert "08:30" in text and "Storgata 1, inngang B\n2. etasje" in text and 'href="tel:+4791234567"' in text
    assert "<bdi>Kari &lt;Nordmann&gt;</bdi>" in text and "<Nordmann>" not in text
    assert "<bdi>Ola Buddy</bdi>" in text and "<bdi>Kokkeassistent</bdi>" in text
    assert '<li dir="auto">Vernesko</li>' in text and '<li dir="auto">ID-kort</li>' in text
    assert users["coach"].display_name in text
    assert "Практика" in text  # the way back, "Placement", from the Ukrainian catalogue


def test_hr_previews_the_page_in_the_participants_language_before_sharing(users, login):
    placement = _placement(users, locale="ar")
    guide = _guide(login, users, placement)
    hr, person = login(users["hr"]), login(users["participant"])
    hr.post(f"/guides/{guide.id}/welcome/edit", data={**FACTS, "share": ""})
    preview = hr.get(f"/guides/{guide.id}/welcome").get_data(as_text=True)
    assert '<html lang="en"' in preview and 'lang="ar" dir="rtl" class="guide-welcome"' in preview
    assert "They do not see it yet." in preview and "Storgata 1" in preview
    assert format_date(placement.start_date, "full", locale="ar") in preview
    # not shared: for the participant there is no such page, and no link to it
    assert person.get(f"/guides/{guide.id}/welcome").status_code == 404
    assert f"/guides/{guide.id}/welcome" not in person.get(f"/placements/{placement.id}").get_data(as_text=True)
    # the coach reads along
    assert login(users["coach"]).get(f"/guides/{guide.id}/welcome").status_code == 200


def test_bad_facts_are_refused_with_a_message_and_change_nothing(users, login):
    placement = _placement(users)
    guide = _guide(login, users, placement)
    hr = login(users["hr"])
    hr.post(f"/guides/{guide.id}/welcome/edit", data=FACTS)
    for bad in ({"contact_phone": "call <me>"}, {"start_time": "25:99"}, {"place": "x" * 400},
                {"what_to_bring": "y" * 2100}):
        response = hr.post(f"/guides/{guide.id}/welcome/edit", data={**FACTS, **bad, "share": ""})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "invalid-feedback" in page and "<me>" not in page
        db.session.expire_all()
        saved = db.session.get(OnboardingGuide, guide.id)
        assert saved.contact_phone == "+47 912 34 567" and saved.first_day_time == time(8, 30)
        assert saved.welcome_shared_at is not None  # still shared: nothing changed


def test_who_may_see_and_fill_in_the_welcome_page(users, login):
    placement = _placement(users)
    guide = _guide(login, users, placement)
    login(users["hr"]).post(f"/guides/{guide.id}/welcome/edit", data=FACTS)
    other_hr = login(create_user(Role.HR, organisation=create_organisation()))
    stranger = login(create_user(Role.PARTICIPANT))
    for client in (other_hr, stranger, login(create_user(Role.COACH))):
        assert client.get(f"/guides/{guide.id}/welcome").status_code == 404
    assert other_hr.get(f"/guides/{guide.id}/welcome/edit").status_code == 404
    assert other_hr.post(f"/guides/{guide.id}/welcome/edit", data={**FACTS, "place": "Elsewhere"}).status_code == 404
    for role in ("participant", "coach"):
        client = login(users[role])
        assert client.get(f"/guides/{guide.id}/welcome/edit").status_code == 403
        assert client.post(f"/guides/{guide.id}/welcome/edit", data={**FACTS, "place": "Elsewhere"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(OnboardingGuide, guide.id).first_day_place.startswith("Storgata 1")
    # a position's guide has no one to welcome
    position = create_position(users["hr"].organisation, title="Open job")
    hr = login(users["hr"])
    position_guide = hr.get(f"/guides/positions/{position.id}").headers["Location"]
    assert hr.get(position_guide + "/welcome").status_code == 404
    assert hr.get(position_guide + "/welcome/edit").status_code == 404
    assert re.search(r"/guides/\d+$", position_guide)


def test_the_welcome_page_is_in_the_participants_export_and_goes_with_their_erasure(users, login):
    placement = _placement(users)
    guide = _guide(login, users, placement)
    hr = login(users["hr"])
    _with_buddy(hr, guide)
    hr.post(f"/guides/{guide.id}/welcome/edit", data=FACTS)
    person = login(users["participant"])
    data = json.loads(person.get("/account/export").get_data(as_text=True))
    [page] = data["welcome_pages"]
    assert page.pop("shared_at")
    assert page == {
        "placement_id": placement.id, "start_date": placement.start_date.isoformat(), "first_day_time": "08:30:00",
        "place": FACTS["place"], "contact_name": "Kari <Nordmann>", "contact_phone": "+47 912 34 567",
        "what_to_bring": "Vernesko\n- ID-kort", "buddy": "Ola Buddy"}
    placement_id = placement.id
    response = person.post("/account/delete", data={"password": PASSWORD, "confirmation": "DELETE"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(OnboardingGuide)
                             .where(OnboardingGuide.placement_id == placement_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(GuideHelper)) == 0
