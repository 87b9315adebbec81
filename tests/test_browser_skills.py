"""The skill picker in a real headless Chromium: repeated labels told apart, the chosen concept saved,
and a synonym found by the opportunities search. Skipped like test_browser.py without Chromium."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from mimi_match.extensions import db
from mimi_match.models import ParticipantProfile, Position, Role

from . import factories
from .test_browser import SHOTS, _browser_or_skip, launch, live, logged_in  # noqa: F401  (the live fixture)
from .test_skill_choice import CLEAN_ROOMS, SERVICE_ROOMS

pytestmark = pytest.mark.browser


def test_choosing_the_second_clean_rooms_saves_that_concept(live):  # noqa: F811
    sync_playwright = _browser_or_skip()
    app, base = live
    person = factories.create_user(Role.PARTICIPANT, display_name="Amina Participant")
    hr = factories.create_user(Role.HR, display_name="Hanne HR")
    field = factories.create_field("cleaning", "Cleaning")
    SHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as p:
        browser = launch(p)
        errors = []

        def session(user):
            return logged_in(browser, base, user, errors)

        def choose(page, search_box: str, typed: str, hint: str):
            page.fill(search_box, typed)
            option = page.locator("[role=option]", has_text=hint)
            option.wait_for()
            return option

        # a participant: two "clean rooms", each with its hint; the second is chosen with the mouse
        page = session(person)
        page.goto(base + "/me/profile/skills")
        option = choose(page, "#skills-search", "clean roo", "service rooms")
        options = page.locator("[role=option]").all_inner_texts()
        assert sum(1 for text in options if text.startswith("clean rooms")) == 2, options
        page.screenshot(path=str(SHOTS / "skills-two-clean-rooms.png"), full_page=True)
        option.click()
        assert page.input_value("#skills") == "clean rooms"
        page.click("button[name=submit]")
        page.wait_for_load_state()
        db.session.expire_all()
        profile = db.session.get(ParticipantProfile, person.profile.id)
        assert [(s.label, s.concept_uri) for s in profile.skills] == [("clean rooms", SERVICE_ROOMS)]

        # an HR manager: the first "clean rooms" chosen with the keyboard, a second line typed freely
        h = session(hr)
        h.goto(base + "/hr/positions/new")
        h.fill("#title", "Hotel housekeeping")
        h.select_option("#field_id", str(field.id))
        h.fill("#description", "Rooms and corridors.")
        h.select_option("#contract_type", "permanent")
        choose(h, "#required_skills-search", "clean roo", "service rooms")
        h.press("#required_skills-search", "ArrowDown")
        h.press("#required_skills-search", "Enter")
        h.fill("#required_skills-search", "wash the laundry")
        h.press("#required_skills-search", "Enter")
        h.click("#submit")
        h.wait_for_load_state()
        position = db.session.scalar(select(Position).where(Position.title == "Hotel housekeeping"))
        assert position is not None, h.locator(".invalid-feedback").all_inner_texts()
        assert {s.label: s.concept_uri for s in position.skills}["clean rooms"] == CLEAN_ROOMS
        h.click("button:has-text('Publish')")
        h.wait_for_load_state()

        # anyone: the Norwegian synonym of "wash the laundry" finds it
        visitor = browser.new_context().new_page()
        visitor.goto(base + "/opportunities/?q=klesvask")
        assert "Hotel housekeeping" in visitor.inner_text("main")
        browser.close()
    assert errors == []
