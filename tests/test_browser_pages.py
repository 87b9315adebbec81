"""Each role's main page in a real headless Chromium, as people see them: at 375 px (a phone) and 1280 px (a
laptop), in English and Arabic, with an accessibility check by axe-core; and the page behaviour that needs a
browser: leaving a profile step with unsaved input, the tick-box language list, read aloud, the participant's
field balance chart. Skipped like test_browser.py without Chromium (a failure where REQUIRE_BROWSER is set).

axe-core (MPL-2.0, the npm package's axe.min.js) lives in tests/vendor/axe-core/ and is handed to the page by
the test through the browser's DevTools channel: nothing is fetched.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from mimi_match.extensions import db
from mimi_match.models import (
    CEFRLevel,
    DesiredField,
    ParticipantLanguage,
    ParticipantSkill,
    Role,
)
from mimi_match.services import matching
from mimi_match.vocabulary import vocabulary

from . import factories
from .test_browser import CHROMIUM, SHOTS, _browser_or_skip, launch, live  # noqa: F401  (the live fixture)

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PAGES = SHOTS / "pages"
MAIN_PAGE = {"participant": "/me/", "coach": "/coach/", "hr": "/hr/", "admin": "/admin/", "visitor": "/"}


def _installation():
    """One person of each role, a participant with wishes in two fields (one crowded), positions to show."""
    hr = factories.create_user(Role.HR, display_name="Hanne Hansen")
    coach = factories.create_user(Role.COACH, display_name="Carla Coach")
    admin = factories.create_user(Role.ADMIN, display_name="Ada Admin")
    care, kitchen = factories.create_field("care", "Elderly care"), factories.create_field("kitchen", "Kitchen")
    for n in range(3):
        factories.create_position(hr.organisation, kitchen, title=f"Kitchen assistant {n}",
                                  required_skill="wash dishes", location="Oslo")
    factories.create_position(hr.organisation, care, title="Care assistant, night shifts")
    person = factories.create_user(Role.PARTICIPANT, display_name="Amina Haddad")
    profile = person.profile
    profile.coach_id = coach.id
    profile.consent_matching = profile.consent_share_on_interest = True
    for label in ("clean building floors", "wash dishes", "cooking"):
        profile.skills.append(ParticipantSkill(label=label, concept_uri=vocabulary().resolve(label)))
    profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.A2))
    profile.desired_fields = [DesiredField(field_id=care.id, rank=1), DesiredField(field_id=kitchen.id, rank=2)]
    for n in range(8):  # many people want elderly care
        other = factories.create_user(Role.PARTICIPANT, display_name=f"Seeker {n}")
        other.profile.desired_fields = [DesiredField(field_id=care.id, rank=1)]
    db.session.commit()
    matching.rebuild()
    return {"participant": person, "coach": coach, "hr": hr, "admin": admin}


def _login(browser, base, user, width=1280):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    if user is not None:
        page.goto(base + "/login")
        page.fill("#email", user.email)
        page.fill("#password", factories.PASSWORD)
        page.click("#submit")
        page.wait_for_load_state()
        assert "/login" not in page.url
    return page


def _switch_language(page, base, code):
    """Through the language menu, as a person would."""
    page.goto(base + "/")
    page.click("#language-menu")
    page.click(f".language-switcher button[value={code}]")
    page.wait_for_load_state()


def _serious_violations(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    assert page.evaluate("axe.version").startswith("4.")  # the check really ran
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.impact} ${v.id}: ${v.help} -> `
                 + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
    }""")
    return found


def test_main_pages_fit_a_phone_and_a_laptop_in_english_and_arabic_and_pass_axe(live):  # noqa: F811
    sync_playwright = _browser_or_skip()
    app, base = live
    people = _installation()
    PAGES.mkdir(parents=True, exist_ok=True)
    problems, shots = [], []
    with sync_playwright() as p:
        browser = launch(p)
        for role, path in MAIN_PAGE.items():
            page = _login(browser, base, people.get(role))
            for code in ("en", "ar"):
                _switch_language(page, base, code)
                for width in (375, 1280):
                    page.set_viewport_size({"width": width, "height": 900})
                    page.goto(base + path)
                    page.wait_for_load_state()
                    assert page.locator("html").get_attribute("lang") == code
                    text = page.inner_text("body")
                    assert "Traceback" not in text and "Internal Server Error" not in text
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    if width == 375 and overflow > 0:
                        problems.append(f"{role} {code} {width}px: scrolls sideways by {overflow}px")
                    primary = page.locator(".main-nav .primary-menu > li.nav-item > a")
                    if width == 1280:
                        hidden = [primary.nth(i).inner_text() for i in range(primary.count())
                                  if not primary.nth(i).is_visible()]
                        if hidden or not page.locator(".main-nav .primary-menu").is_visible():
                            problems.append(f"{role} {code} {width}px: primary menu hidden {hidden}")
                        # the whole bar, including the account and language menus, is on screen
                        right = page.evaluate("""Math.max(...[...document.querySelectorAll('.main-nav .nav-link')]
                            .filter((e) => e.offsetParent).map((e) => e.getBoundingClientRect().right))""")
                        left = page.evaluate("""Math.min(...[...document.querySelectorAll('.main-nav .nav-link')]
                            .filter((e) => e.offsetParent).map((e) => e.getBoundingClientRect().left))""")
                        if right > width or left < 0:
                            problems.append(f"{role} {code} {width}px: menu off screen ({left:.0f}..{right:.0f})")
                    else:
                        # on a phone the menu folds; the notifications and the account stay in reach
                        assert page.locator(".navbar-toggler").is_visible()
                        if role != "visitor":
                            assert page.locator("#account-menu").is_visible()
                    shot = PAGES / f"{role}-{code}-{width}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    shots.append(shot)
                    if width == 1280:
                        problems += [f"{role} {code}: {v}" for v in _serious_violations(page)]
            page.context.close()
        browser.close()
    assert not problems, "\n".join(problems)
    assert len(shots) == 20 and all(s.stat().st_size > 5000 for s in shots)


def test_leaving_a_profile_step_with_unsaved_input_asks_first(live):  # noqa: F811
    sync_playwright = _browser_or_skip()
    app, base = live
    people = _installation()
    asked = []
    with sync_playwright() as p:
        browser = launch(p)
        page = _login(browser, base, people["participant"])
        page.goto(base + "/me/profile/wishes")
        page.fill("#wish_text", "Work in a kitchen near Grønland, mornings")

        def refuse(dialog):
            asked.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", refuse)
        page.click("a:has-text('Skip to the next step')")
        page.wait_for_timeout(300)
        # the person said "stay": still here, the words still there
        assert asked and "not saved" in asked[0]
        assert page.url.endswith("/me/profile/wishes")
        assert page.input_value("#wish_text") == "Work in a kitchen near Grønland, mornings"
        # the same from the list of steps
        page.once("dialog", refuse)
        page.click("nav[aria-label='Profile steps'] a >> nth=0")
        page.wait_for_timeout(300)
        assert len(asked) == 2 and page.url.endswith("/me/profile/wishes")
        # saving is never questioned, and keeps the words
        page.click("button[name=submit]")
        page.wait_for_load_state()
        assert len(asked) == 2
        page.goto(base + "/me/profile/wishes")
        assert page.input_value("#wish_text") == "Work in a kitchen near Grønland, mornings"
        # nothing typed: leaving does not ask
        page.click("a:has-text('Skip to the next step')")
        page.wait_for_load_state()
        assert len(asked) == 2 and page.url.endswith("/me/profile/availability")
        browser.close()


def test_other_useful_languages_are_tick_boxes_with_a_filter(live):  # noqa: F811
    sync_playwright = _browser_or_skip()
    app, base = live
    people = _installation()
    with sync_playwright() as p:
        browser = launch(p)
        page = _login(browser, base, people["hr"])
        page.goto(base + "/hr/positions/new")
        select = page.locator("select#other_languages")
        assert not select.is_visible()  # replaced by the tick boxes, still in the form
        group = page.locator("#other_languages + .multi-picker")
        assert group.get_attribute("role") == "group"
        filter_box = group.locator("input[type=search]")
        filter_box.fill("arab")
        visible = [row.inner_text() for row in group.locator(".form-check").all() if row.is_visible()]
        assert visible and all("arab" in name.lower() for name in visible)
        group.locator(".form-check:visible input").first.check()
        filter_box.fill("")
        assert len([row for row in group.locator(".form-check").all() if row.is_visible()]) > 8
        chosen = page.evaluate("[...document.querySelector('#other_languages').selectedOptions].map(o => o.value)")
        assert chosen == ["ar"]
        browser.close()


def test_read_aloud_uses_the_pages_language_and_hides_without_a_voice(live):  # noqa: F811
    sync_playwright = _browser_or_skip()
    app, base = live
    people = _installation()
    fake_voices = """
        window.__spoken = [];
        window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
        const voices = [{lang: "ar-SA", name: "Arabic"}, {lang: "en-GB", name: "English"}];
        Object.defineProperty(window, "speechSynthesis", {value: {
            getVoices: () => voices, cancel: () => {}, addEventListener: () => {},
            speak: (u) => window.__spoken.push({lang: u.lang, text: u.text, voice: u.voice && u.voice.name}),
        }});
    """
    with sync_playwright() as p:
        browser = launch(p)
        page = _login(browser, base, people["participant"])
        _switch_language(page, base, "ar")
        page.context.add_init_script(fake_voices)
        page.goto(base + "/me/suggestions")
        button = page.locator("button.js-read-aloud")
        assert button.is_visible()
        button.click()
        spoken = page.evaluate("window.__spoken")
        assert spoken[0]["lang"] == "ar" and spoken[0]["voice"] == "Arabic" and len(spoken[0]["text"]) > 20
        assert button.get_attribute("aria-pressed") == "true"
        # a language the browser has no voice for: no button
        other = _login(browser, base, people["participant"])
        _switch_language(other, base, "uk")
        other.context.add_init_script(fake_voices)
        other.goto(base + "/me/")
        assert other.locator("button.js-read-aloud").count() == 1
        assert not other.locator("button.js-read-aloud").is_visible()
        browser.close()


def test_the_participant_sees_where_the_work_is_with_their_wishes_marked(live):  # noqa: F811
    sync_playwright = _browser_or_skip()
    app, base = live
    people = _installation()
    with sync_playwright() as p:
        browser = launch(p)
        page = _login(browser, base, people["participant"], width=375)
        page.goto(base + "/me/")
        chart = page.locator(".balance-chart")
        assert chart.is_visible()
        rows = chart.locator(".balance-row")
        names = [rows.nth(i).inner_text() for i in range(rows.count())]
        # the crowded field first, marked; both wishes marked with their rank
        assert "Elderly care" in names[0] and "crowded" in names[0] and "your wish number 1" in names[0]
        assert any("Kitchen" in n and "your wish number 2" in n for n in names)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        PAGES.mkdir(parents=True, exist_ok=True)
        chart.screenshot(path=str(PAGES / "participant-balance-chart.png"))
        browser.close()
