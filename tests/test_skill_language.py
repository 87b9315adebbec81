"""Every skill name in the reader's language: reasons, gaps, plan steps, the evaluation form, candidate and
talent pages, e-mails; a skill without a concept keeps the words typed."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mimi_match import jobs
from mimi_match.extensions import db
from mimi_match.models import (
    ActionPlanItem,
    ActionSource,
    CEFRLevel,
    Match,
    MatchStatus,
    ParticipantLanguage,
    ParticipantSkill,
    Placement,
    PlacementStatus,
    PositionSkill,
)
from mimi_match.services import action_plan, matching, skill_names
from mimi_match.vocabulary import vocabulary

from .factories import create_position

# two concepts with labels of our own in Ukrainian and Norwegian (data/skill_labels/uk.json, nb.json)
UPHOLSTERY, EMBROIDER = "perform upholstery repair", "embroider fabrics"
UPHOLSTERY_UK, UPHOLSTERY_UK_SYNONYM, UPHOLSTERY_NB = "ремонт оббивки меблів", "перетяжка меблів", "reparere møbeltrekk"
EMBROIDER_UK, EMBROIDER_NB = "вишивання", "brodere"
FREE_TEXT = "sew traditional vyshyvanka shirts"  # no concept: shown as typed, in every language
OWN_FREE_TEXT = "plait baskets from willow"


def _text(response) -> str:
    """What the page shows a reader (the values of hidden form fields left out)."""
    assert response.status_code == 200, response.status_code
    return re.sub(r'<input type="hidden"[^>]*>', "", response.get_data(as_text=True))


def _concept(label: str) -> str:
    uri = vocabulary().resolve(label)
    assert uri is not None, label
    return uri


@pytest.fixture
def ukrainian(users):
    """A Ukrainian participant (interface in uk) who typed her skills in Ukrainian, a Norwegian HR manager
    whose position names its skills in English, and the coach's approved suggestion between them."""
    coach, hr, person = users["coach"], users["hr"], users["participant"]
    person.locale, hr.locale, coach.locale = "uk", "nb", "nb"
    profile = person.profile
    profile.coach_id = coach.id
    profile.consent_matching = profile.consent_share_on_interest = profile.consent_findable = True
    profile.skills.append(ParticipantSkill(label=UPHOLSTERY_UK_SYNONYM,
                                           concept_uri=vocabulary().resolve(UPHOLSTERY_UK_SYNONYM, "uk")))
    profile.skills.append(ParticipantSkill(label=OWN_FREE_TEXT, concept_uri=None))
    profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.B1))
    db.session.commit()
    assert profile.skills[0].concept_uri == _concept(UPHOLSTERY)
    position = create_position(hr.organisation, title="Møbeltapetserer", required_skill=UPHOLSTERY)
    position.skills.append(PositionSkill(label=EMBROIDER, required=True, concept_uri=_concept(EMBROIDER)))
    position.skills.append(PositionSkill(label=FREE_TEXT, required=True, concept_uri=None))
    db.session.commit()
    matching.rebuild()
    match = db.session.scalar(select(Match).where(Match.profile_id == profile.id, Match.position_id == position.id))
    assert match is not None and [m["label"] for m in match.explanation["matched_skills"]] == [UPHOLSTERY]
    return person, hr, coach, position, match


def _approve(client, match) -> None:
    client.post("/coach/review", data={"match": f"{match.id}:{match.version_id}", "decision": "approve"})
    db.session.expire_all()
    assert db.session.get(Match, match.id).status == MatchStatus.APPROVED


def test_name_prefers_the_readers_language_and_keeps_free_text():
    upholstery = _concept(UPHOLSTERY)
    assert skill_names.name(UPHOLSTERY, upholstery, "uk") == UPHOLSTERY_UK
    assert skill_names.name(UPHOLSTERY_UK, upholstery, "nb") == UPHOLSTERY_NB
    assert skill_names.name(UPHOLSTERY_UK, upholstery, "en") == UPHOLSTERY
    # the words typed when they already are one of the concept's names in the reader's language
    assert skill_names.name(UPHOLSTERY_UK_SYNONYM, upholstery, "uk") == UPHOLSTERY_UK_SYNONYM
    assert skill_names.name(FREE_TEXT, None, "uk") == FREE_TEXT
    shown = skill_names.reasons({"matched_skills": [{"label": UPHOLSTERY}], "missing_required": [EMBROIDER, FREE_TEXT]},
                                [PositionSkill(label=UPHOLSTERY, concept_uri=upholstery)], "uk")
    assert shown.fits == [UPHOLSTERY_UK]
    assert [(g.name, g.label) for g in shown.missing] == [(EMBROIDER_UK, EMBROIDER), (FREE_TEXT, FREE_TEXT)]


def test_ukrainian_reasons_gaps_and_plan_steps(ukrainian, login):
    person, _hr, coach, _position, match = ukrainian
    coach_client, participant = login(coach), login(person)
    _approve(coach_client, match)
    response = participant.get("/me/suggestions")
    page = _text(response)
    assert UPHOLSTERY_UK in page and EMBROIDER_UK in page and FREE_TEXT in page
    assert UPHOLSTERY not in page and EMBROIDER not in page
    # the gap button sends the skill as the position names it, with its concept
    assert (f'name="value" value="{EMBROIDER}"><input type="hidden" name="concept" value="{_concept(EMBROIDER)}"'
            in response.get_data(as_text=True))
    participant.post("/me/plan/from-gap", data={"kind": "skill", "value": EMBROIDER, "concept": _concept(EMBROIDER)})
    participant.post("/me/plan/from-gap", data={"kind": "skill", "value": FREE_TEXT})
    steps = {s.skill_label: s for s in db.session.scalars(select(ActionPlanItem).where(
        ActionPlanItem.profile_id == person.profile.id, ActionPlanItem.source == ActionSource.SKILL_GAP))}
    assert steps[EMBROIDER].skill_concept_uri == _concept(EMBROIDER) and steps[FREE_TEXT].skill_concept_uri is None
    assert EMBROIDER_UK in steps[EMBROIDER].title  # stored in her language, too
    plan = _text(participant.get("/me/plan"))
    assert EMBROIDER_UK in plan and EMBROIDER not in plan and FREE_TEXT in plan
    assert EMBROIDER_UK in _text(participant.get("/me/"))
    # the same steps read in Norwegian on the coach's page
    coach_page = _text(coach_client.get(f"/coach/participants/{person.profile.id}"))
    assert EMBROIDER_NB in coach_page and EMBROIDER_UK not in coach_page and FREE_TEXT in coach_page
    # her own skill keeps her words for her; the coach reads the Norwegian name
    assert UPHOLSTERY_UK_SYNONYM in _text(participant.get("/me/profile/skills"))
    assert UPHOLSTERY_NB in coach_page and OWN_FREE_TEXT in coach_page


def test_coach_review_in_the_coachs_language(ukrainian, login):
    _person, _hr, coach, _position, _match = ukrainian
    page = _text(login(coach).get("/coach/review"))
    assert UPHOLSTERY_NB in page and EMBROIDER_NB in page and FREE_TEXT in page
    assert UPHOLSTERY_UK_SYNONYM not in page and EMBROIDER not in page


def test_plan_step_from_a_gap_on_the_position_page(ukrainian, login):
    person, _hr, _coach, position, _match = ukrainian
    participant = login(person)
    response = participant.get(f"/opportunities/{position.id}")
    assert EMBROIDER_UK in _text(response) and EMBROIDER not in _text(response)
    assert f'name="concept" value="{_concept(EMBROIDER)}"' in response.get_data(as_text=True)
    participant.post("/me/plan/from-gap", data={"kind": "skill", "value": EMBROIDER, "concept": _concept(EMBROIDER)})
    db.session.expire_all()
    item = db.session.scalar(select(ActionPlanItem).where(ActionPlanItem.profile_id == person.profile.id))
    assert (item.skill_label, item.skill_concept_uri) == (EMBROIDER, _concept(EMBROIDER))
    texts = action_plan.texts([item], "nb")
    assert EMBROIDER_NB in texts[item.id].title


def test_hr_candidate_pages_in_norwegian(ukrainian, login):
    person, hr, coach, position, match = ukrainian
    _approve(login(coach), match)
    login(person).post(f"/me/suggestions/{match.id}/answer", data={"answer": "interested"})
    hr_client = login(hr)
    page = _text(hr_client.get(f"/hr/positions/{position.id}/candidates"))
    assert person.display_name in page
    assert UPHOLSTERY_NB in page and UPHOLSTERY_UK_SYNONYM not in page and UPHOLSTERY not in page
    assert OWN_FREE_TEXT in page
    page = _text(hr_client.get(f"/hr/candidates/{person.profile.id}"))
    assert UPHOLSTERY_NB in page and UPHOLSTERY_UK_SYNONYM not in page and OWN_FREE_TEXT in page
    page = _text(hr_client.get("/hr/talent"))  # the blind card: vocabulary labels only, never typed words
    assert UPHOLSTERY_NB in page and UPHOLSTERY_UK_SYNONYM not in page and OWN_FREE_TEXT not in page


def test_evaluation_form_and_evaluation_in_the_readers_language(ukrainian, login):
    person, hr, _coach, _position, match = ukrainian
    match.status = MatchStatus.PLACED
    placement = Placement(match_id=match.id, coach_id=person.profile.coach_id, status=PlacementStatus.COMPLETED,
                          start_date=date.today() - timedelta(weeks=4), end_date=date.today())
    db.session.add(placement)
    db.session.commit()
    hr_client, participant = login(hr), login(person)
    form = _text(hr_client.get(f"/placements/{placement.id}"))
    # the employer's form: the participant's skills and those the position asked, in Norwegian
    assert UPHOLSTERY_NB in form and EMBROIDER_NB in form and FREE_TEXT in form and OWN_FREE_TEXT in form
    assert UPHOLSTERY_UK_SYNONYM not in form and EMBROIDER not in form
    choices = re.findall(r'value="([pq]\d+)"', form)
    assert len(choices) == 4, choices
    response = hr_client.post(f"/placements/{placement.id}/evaluation", data={
        "tasks_done": "Reupholstered two chairs", "skills": choices, "outcome": "job_offer",
        "language_at_work": "", "what_next": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).evaluations
    # the participant reads what the company saw in Ukrainian, the company in Norwegian
    page = _text(participant.get(f"/placements/{placement.id}"))
    assert UPHOLSTERY_UK_SYNONYM in page and EMBROIDER_UK in page and FREE_TEXT in page
    assert EMBROIDER_NB not in page and UPHOLSTERY_NB not in page
    page = _text(hr_client.get(f"/placements/{placement.id}"))
    assert EMBROIDER_NB in page and EMBROIDER_UK not in page


def test_suggestion_email_in_the_participants_language(ukrainian, login, monkeypatch, app):
    person, _hr, coach, _position, match = ukrainian
    app.config["MAIL_NOTIFICATIONS"] = True
    sent = []
    monkeypatch.setattr(jobs, "send_mail", lambda to, subject, body, attachments=None: sent.append((to, subject, body)))
    _approve(login(coach), match)
    (to, _subject, body), = [m for m in sent if m[0] == person.email]
    assert UPHOLSTERY_UK in body and EMBROIDER_UK in body and FREE_TEXT in body
    assert UPHOLSTERY not in body and EMBROIDER not in body and EMBROIDER_NB not in body
