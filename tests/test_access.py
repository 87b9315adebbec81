"""The access table: every registered route, the expected answer for each role.

A new route fails ``test_every_route_is_in_the_table`` until its row is added here.
Codes: 200 ok, 302 redirect (anonymous -> login, or after a POST), 403 refused.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mimi_match.access import PUBLIC, ApiRule, rule_for
from mimi_match.extensions import db
from mimi_match.models import (
    ActionPlanItem,
    CEFRLevel,
    Match,
    MatchStatus,
    Meeting,
    MeetingSlot,
    MeetingStatus,
    ParticipantLanguage,
    ParticipantSkill,
    Placement,
    WorkExperience,
)
from mimi_match.models.guide import GuideHelper
from mimi_match.services import onboarding

from .factories import create_position

ROLES = ("anonymous", "participant", "coach", "hr", "admin")



def E(anonymous: int, participant: int, coach: int, hr: int, admin: int) -> dict[str, int]:
    """Expected status codes, in the order of ROLES."""
    return dict(anonymous=anonymous, participant=participant, coach=coach, hr=hr, admin=admin)


# (endpoint, method, path, expected per role); "{user}" and "{position}" are replaced with real ids:
# a user who is not the caller, and an open position of the HR user's organisation.
#                                                                     anon part coach  hr  admin
ACCESS_TABLE = [
    ("main.index", "GET", "/", E(200, 302, 302, 302, 302)),
    ("main.health", "GET", "/health", E(200, 200, 200, 200, 200)),
    ("main.set_language", "POST", "/language",
     E(302, 302, 302, 302, 302)),
    ("auth.login", "GET", "/login", E(200, 302, 302, 302, 302)),
    ("auth.login", "POST", "/login", E(200, 302, 302, 302, 302)),
    ("auth.register", "GET", "/register", E(200, 302, 302, 302, 302)),
    ("auth.register", "POST", "/register", E(200, 302, 302, 302, 302)),
    ("auth.logout", "POST", "/logout", E(302, 302, 302, 302, 302)),
    *[("auth.forgot_password", method, "/password/forgot", E(200, 200, 200, 200, 200)) for method in ("GET", "POST")],
    *[("auth.reset_password", method, "/password/reset/not-a-token", E(404, 404, 404, 404, 404))
      for method in ("GET", "POST")],
    *[("auth.accept_invitation", method, "/invitation/not-a-token", E(404, 404, 404, 404, 404))
      for method in ("GET", "POST")],
    ("auth.verify_email", "GET", "/account/confirm/not-a-token", E(302, 302, 302, 302, 302)),
    ("auth.resend_verification", "POST", "/account/confirm", E(302, 302, 302, 302, 302)),
    *[("auth.login_code", method, "/login/code", E(302, 302, 302, 302, 302)) for method in ("GET", "POST")],
    *[("auth.two_factor", method, "/account/two-factor", E(302, 200, 200, 200, 200)) for method in ("GET", "POST")],
    ("auth.account", "GET", "/account", E(302, 200, 200, 200, 200)),
    ("auth.mail_settings", "GET", "/account/notifications", E(302, 200, 200, 200, 200)),
    ("auth.mail_settings", "POST", "/account/notifications", E(302, 302, 302, 302, 302)),
    ("auth.change_password", "GET", "/account/password",
     E(302, 200, 200, 200, 200)),
    ("auth.change_password", "POST", "/account/password",
     E(302, 200, 200, 200, 200)),
    ("participant.home", "GET", "/me/", E(302, 200, 403, 403, 403)),
    *[(f"participant.step_{step}", "GET", f"/me/profile/{step}", E(302, 200, 403, 403, 403))
      for step in ("skills", "experience", "languages", "wishes", "availability", "consent")],
    # an empty POST is refused with messages where something is required ...
    *[(f"participant.step_{step}", "POST", f"/me/profile/{step}", E(302, 200, 403, 403, 403))
      for step in ("skills", "experience", "languages", "wishes")],
    # ... and saves the unchanged profile where every answer is optional
    *[(f"participant.step_{step}", "POST", f"/me/profile/{step}", E(302, 302, 403, 403, 403))
      for step in ("availability", "consent")],
    ("participant.remove_skill", "POST", "/me/profile/skills/{skill}/remove", E(302, 302, 403, 403, 403)),
    ("participant.remove_item", "POST", "/me/profile/experience/{experience}/remove", E(302, 302, 403, 403, 403)),
    ("participant.remove_language", "POST", "/me/profile/languages/nb/remove", E(302, 302, 403, 403, 403)),
    *[("participant.plan", method, "/me/plan", E(302, 200, 403, 403, 403)) for method in ("GET", "POST")],
    ("participant.plan_status", "POST", "/me/plan/{item}/status", E(302, 302, 403, 403, 403)),
    ("participant.plan_remove", "POST", "/me/plan/{item}/remove", E(302, 302, 403, 403, 403)),
    ("participant.plan_from_gap", "POST", "/me/plan/from-gap", E(302, 302, 403, 403, 403)),
    ("coach.caseload", "GET", "/coach/", E(302, 403, 200, 403, 403)),
    ("coach.participant", "GET", "/coach/participants/{profile}", E(302, 403, 200, 403, 403)),
    *[(f"coach.{name}", "POST", f"/coach/participants/{{profile}}/{path}", E(302, 403, 200, 403, 403))
      for name, path in (("add_note", "notes"), ("add_check", "checks"), ("add_plan_item", "plan"))],
    ("coach.plan_status", "POST", "/coach/participants/{profile}/plan/{item}/status", E(302, 403, 302, 403, 403)),
    ("coach.plan_remove", "POST", "/coach/participants/{profile}/plan/{item}/remove", E(302, 403, 302, 403, 403)),
    ("coach.unassigned", "GET", "/coach/unassigned", E(302, 403, 200, 403, 403)),
    ("coach.fields", "GET", "/coach/fields", E(302, 403, 200, 403, 200)),
    ("coach.review", "GET", "/coach/review", E(302, 403, 200, 403, 403)),
    ("coach.review", "POST", "/coach/review", E(302, 403, 302, 403, 403)),
    ("participant.suggestions", "GET", "/me/suggestions", E(302, 200, 403, 403, 403)),
    ("participant.answer_suggestion", "POST", "/me/suggestions/{match}/answer", E(302, 302, 403, 403, 403)),
    ("participant.applications", "GET", "/me/applications", E(302, 200, 403, 403, 403)),
    ("participant.answer_offer", "POST", "/me/applications/{match}/offer", E(302, 302, 403, 403, 403)),
    ("hr.candidates", "GET", "/hr/positions/{position}/candidates", E(302, 403, 403, 200, 403)),
    # {match} is an approved suggestion, not yet a candidate: to HR it does not exist (no status oracle)
    ("hr.answer", "POST", "/hr/matches/{match}/answer", E(302, 403, 403, 404, 403)),
    ("main.notifications", "GET", "/notifications", E(302, 200, 200, 200, 200)),
    ("coach.take", "POST", "/coach/unassigned/{profile}/take", E(302, 403, 302, 403, 403)),
    ("hr.dashboard", "GET", "/hr/", E(302, 403, 403, 200, 403)),
    ("admin.overview", "GET", "/admin/", E(302, 403, 403, 403, 200)),
    ("admin.users_list", "GET", "/admin/users",
     E(302, 403, 403, 403, 200)),
    ("admin.new_user", "GET", "/admin/users/new",
     E(302, 403, 403, 403, 200)),
    ("admin.new_user", "POST", "/admin/users/new",
     E(302, 403, 403, 403, 200)),
    ("admin.assignments", "GET", "/admin/assignments", E(302, 403, 403, 403, 200)),
    ("admin.assign", "POST", "/admin/assignments/{profile}", E(302, 403, 403, 403, 302)),
    ("admin.set_active", "POST", "/admin/users/{user}/active",
     E(302, 403, 403, 403, 302)),
    # browsing is open to everyone; a participant's own steps are for participants
    ("opportunities.browse", "GET", "/opportunities/", E(200, 200, 200, 200, 200)),
    ("opportunities.detail", "GET", "/opportunities/{position}",
     E(200, 200, 200, 200, 200)),
    ("opportunities.saved", "GET", "/opportunities/saved",
     E(302, 200, 403, 403, 403)),
    *[(f"opportunities.{step}", "POST", f"/opportunities/{{position}}/{step}",
       E(302, 302, 403, 403, 403))
      for step in ("save", "unsave", "interest", "withdraw")],
    ("api.skills", "GET", "/api/skills?q=clean", E(302, 200, 200, 200, 200)),
    # HR managers manage their organisation's positions
    *[("hr.new_position", method, "/hr/positions/new", E(302, 403, 403, 200, 403))
      for method in ("GET", "POST")],
    *[("hr.edit_position", method, "/hr/positions/{position}/edit",
       E(302, 403, 403, 200, 403)) for method in ("GET", "POST")],
    ("hr.preview", "GET", "/hr/positions/{position}", E(302, 403, 403, 200, 403)),
    *[(f"hr.{step}", "POST", f"/hr/positions/{{position}}/{step}",
       E(302, 403, 403, 302, 403))
      for step in ("publish", "close", "reopen", "duplicate")],
    ("hr.talent", "GET", "/hr/talent", E(302, 403, 403, 200, 403)),
    ("hr.rotate_cards", "POST", "/hr/talent/references", E(302, 403, 403, 302, 403)),
    ("hr.invite_talent", "POST", "/hr/talent/invite", E(302, 403, 403, 302, 403)),
    ("outcomes.index", "GET", "/outcomes/", E(302, 403, 200, 403, 200)),
    ("outcomes.export", "GET", "/outcomes/outcomes.csv", E(302, 403, 200, 403, 200)),
    # a candidacy's conversation: its participant, their coach, and the employer's HR only when the participant
    # allows sharing (not here: 404, as for any conversation one may not read); never administrators
    ("conversations.inbox", "GET", "/conversations", E(302, 200, 200, 200, 403)),
    ("conversations.thread", "GET", "/conversations/{placed}", E(302, 200, 200, 404, 403)),
    ("conversations.post", "POST", "/conversations/{placed}", E(302, 302, 302, 404, 403)),
    ("conversations.propose", "POST", "/conversations/{placed}/meetings", E(302, 403, 302, 404, 403)),
    ("conversations.answer", "POST", "/meetings/{meeting}/answer", E(302, 302, 403, 403, 403)),
    ("conversations.cancel", "POST", "/meetings/{meeting}/cancel", E(302, 403, 302, 404, 403)),
    ("conversations.calendar", "GET", "/meetings/{meeting}/calendar.ics", E(302, 200, 200, 404, 403)),
    # a participant who did not say "I am interested" in this organisation's positions is not found
    ("hr.candidate", "GET", "/hr/candidates/{profile}", E(302, 403, 403, 404, 403)),
    ("hr.organisation", "GET", "/hr/organisation", E(302, 403, 403, 200, 403)),
    # an empty POST re-saves the organisation unchanged (Flask-WTF falls back to the object's data)
    ("hr.organisation", "POST", "/hr/organisation", E(302, 403, 403, 302, 403)),
    # a placement is seen by its three parties only: the participant, their coach, the employer's HR
    ("placements.index", "GET", "/placements/", E(302, 200, 200, 200, 403)),
    ("placements.detail", "GET", "/placements/{placement}", E(302, 200, 200, 200, 403)),
    # empty forms: refused with a message on the page (redirect), nothing changed
    ("placements.plan", "POST", "/placements/{placement}/plan", E(302, 403, 302, 302, 403)),
    ("placements.status", "POST", "/placements/{placement}/status", E(302, 302, 302, 302, 403)),
    ("placements.evaluation", "POST", "/placements/{placement}/evaluation", E(302, 302, 302, 302, 403)),
    ("placements.agreement", "GET", "/placements/{placement}/agreement", E(302, 200, 200, 200, 403)),
    ("placements.agreement_pdf", "GET", "/placements/{placement}/agreement.pdf", E(302, 200, 200, 200, 403)),
    ("placements.sign", "POST", "/placements/{placement}/agreement/sign", E(302, 302, 302, 302, 403)),
    ("placements.summary", "POST", "/placements/{placement}/summary", E(302, 302, 302, 302, 403)),
    ("placements.follow_up", "POST", "/placements/{placement}/follow-ups/1", E(302, 404, 404, 403, 403)),
    # onboarding guides: HR of the organisation; the placement's coach reads along
    ("guides.index", "GET", "/guides/", E(302, 403, 403, 200, 403)),
    ("guides.for_position", "GET", "/guides/positions/{position}", E(302, 403, 403, 302, 403)),
    ("guides.for_placement", "GET", "/guides/placements/{placement}", E(302, 403, 302, 302, 403)),
    ("guides.show", "GET", "/guides/{guide}", E(302, 403, 200, 200, 403)),
    ("guides.download", "GET", "/guides/{guide}/download", E(302, 403, 200, 200, 403)),
    ("guides.tick", "POST", "/guides/{guide}/items/{guide_item}", E(302, 403, 403, 302, 403)),
    # the welcome page: the participant once shared (not yet here), HR (fills it in, previews) and the coach
    ("guides.welcome", "GET", "/guides/{guide}/welcome", E(302, 404, 200, 200, 403)),
    ("guides.edit_welcome", "GET", "/guides/{guide}/welcome/edit", E(302, 403, 403, 200, 403)),
    ("guides.edit_welcome", "POST", "/guides/{guide}/welcome/edit", E(302, 403, 403, 302, 403)),
    # people helping: an empty form is refused with a message on the guide (redirect), nothing changed
    ("guides.add_helper", "POST", "/guides/{guide}/people", E(302, 403, 403, 302, 403)),
    ("guides.change_helper", "POST", "/guides/{guide}/people/{guide_helper}", E(302, 403, 403, 302, 403)),
    ("guides.assign", "POST", "/guides/{guide}/items/{guide_item}/assign", E(302, 403, 403, 302, 403)),
    # a helper's own points, by their signed link: no account needed
    ("guides.helper_list", "GET", "/guides/team/{helper_token}", E(200, 200, 200, 200, 200)),
    ("guides.helper_tick", "POST", "/guides/team/{helper_token}/items/{guide_item}", E(302, 302, 302, 302, 302)),
    # one's own account and data; an empty form is shown again with its errors
    *[("auth.change_email", method, "/account/email", E(302, 200, 200, 200, 200)) for method in ("GET", "POST")],
    ("auth.export", "GET", "/account/export", E(302, 200, 403, 403, 403)),
    *[("auth.delete_account", method, "/account/delete", E(302, 200, 403, 403, 403))
      for method in ("GET", "POST")],
    ("main.privacy", "GET", "/privacy", E(200, 200, 200, 200, 200)),
    # partner systems: API keys (HR managers; administrators rotate and revoke) and the REST API, whose
    # operations take bearer keys only (a session counts for nothing: 401), some public
    ("integrations.keys", "GET", "/hr/api-keys", E(302, 403, 403, 200, 200)),
    ("integrations.create", "POST", "/hr/api-keys", E(302, 403, 403, 302, 403)),
    ("integrations.rotate", "POST", "/hr/api-keys/999999/rotate", E(302, 403, 403, 404, 404)),
    ("integrations.revoke", "POST", "/hr/api-keys/999999/revoke", E(302, 403, 403, 404, 404)),
    ("api_v1_docs.openapi_json", "GET", "/api/v1/openapi.json", E(200, 200, 200, 200, 200)),
    ("api_v1_docs.docs", "GET", "/api/v1/docs", E(200, 200, 200, 200, 200)),
    *[(endpoint, method, path, E(401, 401, 401, 401, 401)) for endpoint, method, path in (
        ("api_v1_org.list_positions", "GET", "/api/v1/positions"),
        ("api_v1_org.create_position", "POST", "/api/v1/positions"),
        ("api_v1_org.get_position", "GET", "/api/v1/positions/{position}"),
        ("api_v1_org.update_position", "PATCH", "/api/v1/positions/{position}"),
        ("api_v1_org.publish_position", "POST", "/api/v1/positions/{position}/publish"),
        ("api_v1_org.close_position", "POST", "/api/v1/positions/{position}/close"),
        ("api_v1_org.import_position", "POST", "/api/v1/positions/import"),
        ("api_v1_org.list_candidates", "GET", "/api/v1/positions/{position}/candidates"),
        ("api_v1_org.get_candidate", "GET", "/api/v1/candidates/{match}"),
        ("api_v1_org.answer_candidate", "POST", "/api/v1/candidates/{match}/answer"),
        ("api_v1_org.list_placements", "GET", "/api/v1/placements"),
        ("api_v1_org.get_placement", "GET", "/api/v1/placements/{placement}"))],
    ("api_v1_public.open_positions", "GET", "/api/v1/open-positions", E(200, 200, 200, 200, 200)),
    ("api_v1_public.open_position", "GET", "/api/v1/open-positions/{position}", E(200, 200, 200, 200, 200)),
    ("api_v1_public.open_position_jobposting", "GET", "/api/v1/open-positions/{position}/jobposting",
     E(200, 200, 200, 200, 200)),
    ("api_v1_public.list_fields", "GET", "/api/v1/fields", E(200, 200, 200, 200, 200)),
    ("api_v1_public.search_skills", "GET", "/api/v1/skills?q=clean", E(200, 200, 200, 200, 200)),
    ("api_v1_public.skill_concept", "GET", "/api/v1/skills/concept?uri=http://example.org/none",
     E(404, 404, 404, 404, 404)),
    # the administrator: the audit log and participants' data requests ({user} is the participant for admin)
    ("admin.matching_status", "GET", "/admin/matching", E(302, 403, 403, 403, 200)),
    ("admin.matching_rebuild", "POST", "/admin/matching/rebuild", E(302, 403, 403, 403, 302)),
    ("admin.audit_log", "GET", "/admin/audit?action=login&person=example&since=2020-01-01", E(302, 403, 403, 403, 200)),
    ("admin.user_data", "GET", "/admin/users/{user}/data", E(302, 403, 403, 403, 200)),
    ("admin.user_export", "GET", "/admin/users/{user}/export", E(302, 403, 403, 403, 200)),
    ("admin.user_erase", "POST", "/admin/users/{user}/erase", E(302, 403, 403, 403, 302)),
    ("admin.resend_invitation", "POST", "/admin/users/{user}/invitation", E(302, 403, 403, 403, 404)),
    ("admin.send_reset", "POST", "/admin/users/{user}/reset", E(302, 403, 403, 403, 302)),
    ("admin.reset_second_factor", "POST", "/admin/users/{user}/second-factor", E(302, 403, 403, 403, 302)),
]


def participant_fixture(users) -> dict[str, int]:
    """The participant (in the coach's caseload) with a skill, a job, an action-plan step and Norwegian."""
    profile = users["participant"].profile
    profile.coach_id = users["coach"].id
    profile.skills.append(ParticipantSkill(label="cooking"))
    profile.experiences.append(WorkExperience(title="cook"))
    profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.A2))
    item = ActionPlanItem(profile_id=profile.id, title="Visit the job fair")
    db.session.add(item)
    db.session.commit()
    return dict(profile=profile.id, skill=profile.skills[0].id, experience=profile.experiences[0].id, item=item.id)


def test_every_route_is_in_the_table(app):
    registered = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    listed = {(endpoint, method) for endpoint, method, _, _ in ACCESS_TABLE}
    assert registered - listed == set(), "routes missing from ACCESS_TABLE"
    assert listed - registered == set(), "ACCESS_TABLE lists routes that do not exist"


def test_every_route_declares_a_rule(app):
    with app.test_request_context():
        missing = [r.endpoint for r in app.url_map.iter_rules() if rule_for(r.endpoint) is None]
    assert missing == []


def test_public_routes_are_few(app):
    with app.test_request_context():
        public = sorted({r.endpoint for r in app.url_map.iter_rules()
                         if rule_for(r.endpoint) == PUBLIC and not isinstance(rule_for(r.endpoint), ApiRule)})
    assert public == ["auth.accept_invitation", "auth.forgot_password", "auth.login", "auth.login_code",
                      "auth.register", "auth.reset_password", "auth.verify_email", "guides.helper_list",
                      "guides.helper_tick", "main.health", "main.index", "main.privacy",
                      "main.set_language", "opportunities.browse", "opportunities.detail", "static"]


def route_values(users, role: str) -> dict[str, int]:
    """Ids for every placeholder of the access table: a position, matches, a placement and its guide."""
    target = users["participant"] if role == "admin" else users["coach"]
    position = create_position(users["hr"].organisation, required_skill="clean building floors")
    ids = participant_fixture(users)
    match = Match(profile_id=ids["profile"], position_id=position.id, status=MatchStatus.APPROVED)
    db.session.add(match)
    placed = Match(profile_id=ids["profile"], position_id=create_position(users["hr"].organisation).id,
                   status=MatchStatus.PLACED)
    db.session.add(placed)
    db.session.flush()
    placement = Placement(match_id=placed.id, coach_id=users["coach"].id, start_date=date.today())
    db.session.add(placement)
    db.session.flush()
    guide = onboarding.create_for_placement(placement, "nb")
    helper = GuideHelper(guide_id=guide.id, name="Buddy", language="en", link_key="route-values-key")
    db.session.add(helper)
    db.session.flush()
    guide.items[0].helper_id = helper.id
    starts = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(days=3)
    meeting = Meeting(match_id=placed.id, proposed_by_id=users["hr"].id, place="Reception", starts_at=starts,
                      status=MeetingStatus.ACCEPTED, slots=[MeetingSlot(starts_at=starts)])
    db.session.add(meeting)
    db.session.commit()
    return dict(user=target.id, position=position.id, match=match.id, placement=placement.id, guide=guide.id,
                guide_item=guide.items[0].id, placed=placed.id, meeting=meeting.id, guide_helper=helper.id,
                helper_token=onboarding.helper_token(helper), **ids)


CASES = [(endpoint, method, path, role, expected[role])
         for endpoint, method, path, expected in ACCESS_TABLE for role in ROLES]


@pytest.mark.parametrize("endpoint, method, path, role, expected", CASES,
                         ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_access(app, users, login, endpoint, method, path, role, expected):
    client = app.test_client() if role == "anonymous" else login(users[role])
    response = client.open(path.format(**route_values(users, role)), method=method)
    assert response.status_code == expected, response.headers.get("Location")
    if role == "anonymous" and expected == 302 and endpoint not in {"main.set_language", "auth.logout",
                                                                            "guides.helper_tick"}:
        assert "/login" in response.headers["Location"]


def test_undeclared_route_is_refused(app, users, login):
    @app.get("/undeclared")
    def undeclared():
        return "should never be served"

    assert login(users["admin"]).get("/undeclared").status_code == 403
    assert app.test_client().get("/undeclared").status_code == 403
