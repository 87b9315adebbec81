"""The whole journey once in a real headless Chromium, through the pages as people use them.

HR publishes a position -> the model suggests it -> the coach approves -> the participant is interested ->
HR invites and offers -> the participant accepts -> the coach starts and completes the placement ->
three evaluations -> the participant's action plan has the new steps.

Needs Debian's Chromium (``apt-get install chromium``) and the Playwright package (in the dev extras);
Playwright only drives the browser at /usr/bin/chromium, it never downloads one. Without them the test is
skipped and says why. Screenshots of each step go to test-artifacts/browser/.
"""
from __future__ import annotations

import os
import shutil
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from mimi_match.app import create_app
from mimi_match.extensions import db
from mimi_match.models import (
    ActionPlanItem,
    ActionSource,
    CEFRLevel,
    Match,
    MatchStatus,
    OccupationalField,
    ParticipantLanguage,
    ParticipantSkill,
    Placement,
    PlacementOutcome,
    PlacementStatus,
    Role,
    SkillConfirmation,
)
from mimi_match.services import matching
from mimi_match.vocabulary import vocabulary

from . import conftest, factories

pytestmark = pytest.mark.browser
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "browser"
FLOORS = "clean building floors"


def _browser_or_skip():
    """Playwright's entry point, or a skip that says why (a failure where REQUIRE_BROWSER is set, as in CI)."""
    give_up = pytest.fail if os.environ.get("REQUIRE_BROWSER") else pytest.skip
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        give_up("browser journey skipped: the playwright package is missing (pip install -e '.[dev]')")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        give_up(f"browser journey skipped: no Chromium at {CHROMIUM} "
                "(install Debian's chromium: apt-get install chromium chromium-driver)")
    return sync_playwright


def launch(playwright):
    """Debian's Chromium, headless, with the flags this machine needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])


def logged_in(browser, base: str, user, console_errors: list):
    """A new browser context logged in as ``user`` through the login form (console errors collected)."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.set_default_timeout(15000)
    page.goto(base + "/login")
    page.fill("#email", user.email)
    page.fill("#password", factories.PASSWORD)
    page.click("#submit")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()[:500]
    return page


@pytest.fixture
def live(tmp_path):
    """The app with CSRF on, on a SQLite file, served by a real HTTP server in a thread."""
    from werkzeug.serving import make_server

    settings = conftest.config_settings(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'browser.db'}",
                                        WTF_CSRF_ENABLED=True)
    app = create_app(settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with app.app_context(), factories.running_workers(app):
        db.create_all()
        yield app, f"http://127.0.0.1:{server.server_port}"
        server.shutdown()
        db.session.remove()
        db.engine.dispose()


def _people():
    hr = factories.create_user(Role.HR, display_name="Hanne HR")
    coach = factories.create_user(Role.COACH, display_name="Carla Coach")
    person = factories.create_user(Role.PARTICIPANT, display_name="Amina Participant")
    profile = person.profile
    profile.coach_id = coach.id
    profile.consent_matching = profile.consent_share_on_interest = True
    profile.skills.append(ParticipantSkill(label=FLOORS, concept_uri=vocabulary().resolve(FLOORS)))
    profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.B1))
    db.session.commit()
    # another open position, so the model has something to compare with
    factories.create_position(hr.organisation, title="Dishwasher", required_skill="wash dishes")
    matching.rebuild()
    return hr, coach, person


def test_journey_in_chromium(live):
    sync_playwright = _browser_or_skip()
    app, base = live
    hr, coach, person = _people()
    field = db.session.scalar(select(OccupationalField))
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    shots = []

    with sync_playwright() as p:
        browser = launch(p)
        console_errors = []

        def session(user):
            return logged_in(browser, base, user, console_errors)

        def shot(page, name):
            path = SHOTS / f"{len(shots) + 1:02d}-{name}.png"
            page.screenshot(path=str(path), full_page=True)
            shots.append(path)

        def no_error(page):
            text = page.inner_text("body")
            assert "Traceback" not in text and "Internal Server Error" not in text

        # 1. HR publishes a micro-internship
        h = session(hr)
        h.goto(base + "/hr/positions/new")
        h.check("input[name=kind][value=micro_internship]")
        h.fill("#title", "Office cleaner trainee")
        h.select_option("#field_id", str(field.id))
        h.fill("#description", "Cleaning our offices in the morning, with a colleague.")
        h.fill("#required_skills-search", FLOORS)  # the skill picker: type, then Enter makes a chip
        h.press("#required_skills-search", "Enter")
        assert FLOORS in h.input_value("#required_skills")
        h.fill("#duration_weeks", "4")
        h.select_option("#purpose", "start_recruitment")
        h.fill("#participants_at_once", "1")
        h.fill("#contact_person", "Ola Nordmann")
        h.fill("#learning_content", "Cleaning routines, machines, safety.")
        shot(h, "hr-new-position")
        h.click("#submit")
        h.wait_for_load_state()
        assert h.locator("button:has-text('Publish')").count() == 1, [
            e.inner_text() for e in h.locator(".invalid-feedback, .is-invalid").all()] + [h.url]
        h.click("button:has-text('Publish')")
        h.wait_for_load_state()
        no_error(h)
        shot(h, "hr-published")
        position_id = int(h.url.rstrip("/").split("/")[-1])

        def suggested_with_the_new_skill():
            """the worker suggested the new position, after a refit that knows its new skill"""
            db.session.expire_all()
            found = db.session.scalar(select(Match).where(Match.position_id == position_id,
                                                          Match.profile_id == person.profile.id))
            if found is not None and [s["label"] for s in found.explanation["matched_skills"]] == [FLOORS]:
                return found
            return None

        # the request only saved the position; the matching worker suggests it moments later
        match = factories.wait_for(suggested_with_the_new_skill)
        assert match.status == MatchStatus.SUGGESTED

        # 2. the coach approves the suggestion
        c = session(coach)
        c.goto(base + "/coach/review")
        assert "Office cleaner trainee" in c.inner_text("body")
        c.check(f"input[name=match][value^='{match.id}:']")
        shot(c, "coach-review")
        c.click("button[name=decision][value=approve]")
        c.wait_for_load_state()
        no_error(c)

        # 3. the participant is interested
        a = session(person)
        a.goto(base + "/me/suggestions")
        assert "Office cleaner trainee" in a.inner_text("body")
        shot(a, "participant-suggestions")
        a.click("button[name=answer][value=interested]")
        a.wait_for_load_state()
        no_error(a)

        # 4. HR invites, then offers
        h.goto(base + f"/hr/positions/{position_id}/candidates")
        assert "Amina Participant" in h.inner_text("body")
        h.fill("textarea[name=message]", "Can you come on Tuesday at 10:00?")
        shot(h, "hr-candidates")
        h.click("button[name=action][value=invite]")
        h.wait_for_load_state()

        # 4b. the employer writes in the candidacy's conversation and proposes a meeting; the participant,
        # who reads MiMi Match in Arabic, answers and chooses a time
        h.goto(base + f"/conversations/{match.id}")
        h.fill("#body", "Welcome! Please bring work shoes.")
        h.click(f"form[action$='/conversations/{match.id}'] button[type=submit]")
        h.wait_for_load_state()
        h.fill("#slot1", (date.today() + timedelta(days=3)).isoformat() + "T10:00")
        h.fill("#slot2", (date.today() + timedelta(days=4)).isoformat() + "T13:30")
        h.fill("#place", "Storgata 1, reception")
        h.fill("#attendees", "Ola Nordmann")
        h.click("form[action$='/meetings'] button[type=submit]")
        h.wait_for_load_state()
        no_error(h)
        assert "Welcome! Please bring work shoes." in h.inner_text("body")
        person.locale = "ar"
        db.session.commit()
        a.goto(base + f"/conversations/{match.id}")
        assert a.get_attribute("html", "dir") == "rtl"
        assert "Welcome! Please bring work shoes." in a.inner_text("body")
        a.fill("#body", "شكرًا، سآتي.")
        a.click(f"form[action$='/conversations/{match.id}'] button[type=submit]")
        a.wait_for_load_state()
        a.locator("form[action$='/answer'] button[name=choice]").nth(1).click()
        a.wait_for_load_state()
        no_error(a)
        assert a.locator("a[href$='/calendar.ics']").count() == 1
        shot(a, "participant-conversation-ar")
        h.goto(base + f"/conversations/{match.id}")
        assert "شكرًا، سآتي." in h.inner_text("body")
        shot(h, "hr-conversation")
        h.goto(base + f"/hr/positions/{position_id}/candidates")
        h.click("button[name=action][value=offer]")
        h.wait_for_load_state()
        no_error(h)
        shot(h, "hr-offered")

        # 5. the participant accepts the offer
        a.goto(base + "/me/applications")
        assert "Can you come on Tuesday at 10:00?" in a.inner_text("body")
        shot(a, "participant-offer")
        a.click("button[name=answer][value=accept]")
        a.wait_for_load_state()
        no_error(a)
        db.session.expire_all()
        placement = db.session.scalar(select(Placement).where(Placement.match_id == match.id))
        assert placement is not None and placement.status == PlacementStatus.PLANNED

        # 5b. the participant reads the agreement (in Arabic) and signs it with their name
        a.goto(base + f"/placements/{placement.id}/agreement")
        assert "اتفاقية" in a.inner_text("body")
        a.fill("#typed_name", "Amina Participant")
        a.click("form[action$='/agreement/sign'] button[type=submit]")
        a.wait_for_load_state()
        no_error(a)
        assert a.locator(".badge.text-bg-success").count() == 1
        shot(a, "participant-agreement-ar")
        pdf = a.request.get(base + f"/placements/{placement.id}/agreement.pdf")
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"

        # 6. the coach starts and completes the placement
        c.goto(base + f"/placements/{placement.id}")
        shot(c, "coach-placement-planned")
        c.click("button[name=step][value=start]")
        c.wait_for_load_state()
        assert "Did it really start today?" in c.inner_text("body")  # a week before the planned start
        c.click("input[name=confirmed] ~ button[name=step][value=start]")
        c.wait_for_load_state()
        c.click("button[name=step][value=complete]")
        c.wait_for_load_state()
        c.click("input[name=confirmed] ~ button[name=step][value=complete]")  # completed on its first day
        c.wait_for_load_state()
        no_error(c)
        shot(c, "coach-placement-completed")

        # 7. three voices
        def evaluate(page, name, tasks, next_steps, tick):
            page.goto(base + f"/placements/{placement.id}")
            page.fill("#tasks_done", tasks)
            if tick:
                page.locator("input[name=skills]").first.check()
            page.fill("#what_next", next_steps)
            page.check("input[name=outcome][value=job_offer]")
            shot(page, f"{name}-evaluation")
            page.click("#evaluation button[type=submit], #evaluation input[type=submit]")
            page.wait_for_load_state()
            no_error(page)

        evaluate(a, "participant", "Cleaned offices and meeting rooms.", "Norwegian course B1", False)
        evaluate(c, "coach", "Followed the plan; on time every day.", "Ask about an apprenticeship", True)
        evaluate(h, "hr", "All the morning routines by week two.", "", True)
        shot(h, "hr-evaluations-complete")

        # 8. the participant's action plan has the new steps
        a.goto(base + "/me/plan")
        plan = a.inner_text("body")
        assert "Norwegian course B1" in plan and "Ask about an apprenticeship" in plan
        shot(a, "participant-plan")
        browser.close()

    # the Content-Security-Policy (no inline script or style) breaks nothing on these pages
    assert console_errors == [], console_errors
    db.session.expire_all()
    placement = db.session.get(Placement, placement.id)
    assert placement.status == PlacementStatus.COMPLETED and placement.outcome == PlacementOutcome.JOB_OFFER
    assert len(placement.evaluations) == 3
    skill = next(s for s in person.profile.skills if s.label == FLOORS)
    assert skill.confirmation == SkillConfirmation.PLACEMENT
    assert db.session.scalar(select(ActionPlanItem).where(ActionPlanItem.source == ActionSource.EVALUATION))
    assert len(shots) == 17 and all(path.stat().st_size > 10_000 for path in shots)
    print(f"\nbrowser journey: {len(shots)} screenshots in {SHOTS}")
