"""Participant, employer and coach talk to each other: a conversation per candidacy, meetings with calendar
files and reminders, invitations from Find talent, My applications' steps, and the e-mail settings."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from mimi_match.extensions import db
from mimi_match.jobs import jobs_of
from mimi_match.models import (
    CEFRLevel,
    Match,
    MatchStatus,
    Meeting,
    MeetingStatus,
    Message,
    Notification,
    ParticipantLanguage,
    ParticipantSkill,
    Role,
)
from mimi_match.models.base import utcnow
from mimi_match.services import mail, meetings
from mimi_match.vocabulary import vocabulary

from .factories import create_organisation, create_position, create_user

FLOORS = "clean building floors"



@pytest.fixture
def candidacy(users, login, run_jobs):
    """The participant (of the coach's caseload, sharing on interest) said "I am interested" in a position."""
    person, coach, hr = users["participant"], users["coach"], users["hr"]
    profile = person.profile
    profile.coach_id = coach.id
    profile.consent_matching = profile.consent_share_on_interest = profile.consent_findable = True
    profile.skills.append(ParticipantSkill(label=FLOORS, concept_uri=vocabulary().resolve(FLOORS)))
    profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.B1))
    db.session.commit()
    position = create_position(hr.organisation, title="Office cleaner")
    assert login(person).post(f"/opportunities/{position.id}/interest").status_code == 302
    run_jobs()
    match = db.session.scalar(select(Match).where(Match.profile_id == profile.id, Match.position_id == position.id))
    return match


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_a_conversation_between_participant_employer_and_coach(users, login, candidacy, run_jobs, outbox):
    person, coach, hr = users["participant"], users["coach"], users["hr"]
    url = f"/conversations/{candidacy.id}"
    participant_c, hr_c, coach_c = login(person), login(hr), login(coach)
    assert hr_c.post(url, data={"body": "Welcome! Could you come by on Tuesday? See https://example.org/map."}
                     ).status_code == 302
    assert participant_c.post(url, data={"body": "Yes, Tuesday suits me."}).status_code == 302
    assert coach_c.post(url, data={"body": "I can come along."}).status_code == 302
    run_jobs()
    rows = list(db.session.scalars(select(Message).where(Message.match_id == candidacy.id).order_by(Message.id)))
    assert [m.author_id for m in rows] == [hr.id, person.id, coach.id]
    page = _page(participant_c, url)
    assert page.index("Could you come by") < page.index("Tuesday suits me") < page.index("I can come along")
    assert '<a href="https://example.org/map" rel="noopener noreferrer nofollow" target="_blank">' in page
    assert f"{coach.display_name} (your coach)" in page
    # the participant was told of the employer's message, by e-mail holding the message and a link
    to_person = [m for m in outbox if m.to == person.email and "New message" in m.subject]
    assert to_person and "Could you come by" in to_person[0].body and url in to_person[0].body
    # and the unread count: the employer has not opened the conversation since the other two wrote
    assert "2 new messages" in _page(hr_c, "/conversations")
    _page(hr_c, url)
    assert "new message" not in _page(hr_c, "/conversations")


def test_only_the_people_of_the_candidacy_read_it(users, login, candidacy):
    url = f"/conversations/{candidacy.id}"
    login(users["hr"]).post(url, data={"body": "Hello"})
    other_hr = create_user(Role.HR, organisation=create_organisation("Another employer"))
    other_coach = create_user(Role.COACH)
    stranger = create_user(Role.PARTICIPANT)
    for outsider in (other_hr, other_coach, stranger):
        client = login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, data={"body": "let me in"}).status_code == 404
    assert login(users["admin"]).get(url).status_code == 403
    # HR before the participant allows sharing: not found, and nothing in the list
    profile = users["participant"].profile
    profile.consent_share_on_interest = False
    db.session.commit()
    hr = login(users["hr"])
    assert hr.get(url).status_code == 404
    assert hr.post(url, data={"body": "still there?"}).status_code == 404
    assert "Office cleaner" not in _page(hr, "/conversations")
    assert db.session.scalar(select(db.func.count(Message.id))) == 1


def test_a_withdrawal_closes_the_conversation_to_the_employer(users, login, candidacy):
    url = f"/conversations/{candidacy.id}"
    participant = login(users["participant"])
    participant.post(url, data={"body": "A question about the hours"})
    meeting = meetings.propose(users["hr"], candidacy.id, [datetime.now() + timedelta(days=2)], 30, place="Here")
    participant.post(f"/opportunities/{candidacy.position_id}/withdraw", data={"back": "applications"})
    assert login(users["hr"]).get(url).status_code == 404
    page = _page(participant, url)
    assert "A question about the hours" in page and "This conversation is closed" in page
    response = participant.post(url, data={"body": "again"}, follow_redirects=True)
    assert "This conversation is closed" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Message.id))) == 1
    # nor can a meeting of the withdrawn candidacy be accepted any more
    response = participant.post(f"/meetings/{meeting.id}/answer", data={"choice": str(meeting.slots[0].id)},
                                follow_redirects=True)
    assert "This conversation is closed" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.PROPOSED


def test_bad_messages_are_refused_with_a_message_and_change_nothing(users, login, candidacy):
    url = f"/conversations/{candidacy.id}"
    client = login(users["participant"])
    for body, text in (("", "Write a message first."), ("   \n  ", "Write a message first."),
                       ("x" * 2001, "at most 2000 characters")):
        response = client.post(url, data={"body": body}, follow_redirects=True)
        assert response.status_code == 200 and text in response.get_data(as_text=True)
    assert client.post(url, data={"body": "<script>alert(1)</script>"}).status_code == 302
    page = _page(client, url)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert db.session.scalar(select(db.func.count(Message.id))) == 1


def _local(days: int, hour: int) -> str:
    when = (utcnow() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return when.strftime("%Y-%m-%dT%H:%M")


def test_a_meeting_is_proposed_accepted_rescheduled_with_calendar_files_and_a_reminder(
        app, users, login, candidacy, run_jobs, outbox):
    person, hr = users["participant"], users["hr"]
    url = f"/conversations/{candidacy.id}"
    hr_c, participant_c = login(hr), login(person)
    response = hr_c.post(f"{url}/meetings", data={"slot1": _local(3, 10), "slot2": _local(4, 14), "duration": "45",
                                                  "place": "Storgata 1, reception", "attendees": "Kari, team lead"})
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert meeting.status == MeetingStatus.PROPOSED and len(meeting.slots) == 2
    db.session.refresh(candidacy)
    assert candidacy.status == MatchStatus.INVITED  # proposing a meeting is the invitation
    page = _page(participant_c, url)
    assert "Which time suits you?" in page and "Storgata 1, reception" in page
    second = meeting.slots[1]
    assert participant_c.post(f"/meetings/{meeting.id}/answer", data={"choice": str(second.id),
                                                                      "version": meeting.version_id}).status_code == 302
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.status == MeetingStatus.ACCEPTED and meeting.starts_at == second.starts_at
    run_jobs()
    # everyone gets the calendar file: the employer and the coach by e-mail, the participant too
    with_file = [m for m in outbox if m.attachments]
    assert {m.to for m in with_file} >= {hr.email, person.email, users["coach"].email}
    event = icalendar.Calendar.from_ical(with_file[0].attachments[0][2]).walk("VEVENT")[0]
    assert event.decoded("dtstart").replace(tzinfo=None) == meeting.starts_at
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    assert str(event.get("location")) == "Storgata 1, reception" and str(event.get("status")) == "CONFIRMED"
    assert "Office cleaner" in str(event.get("summary"))
    download = participant_c.get(f"/meetings/{meeting.id}/calendar.ics")
    assert download.status_code == 200 and download.mimetype == "text/calendar"
    assert icalendar.Calendar.from_ical(download.data).walk("VEVENT")[0].get("uid") == event.get("uid")
    # the steps of My applications: interested, invited done; the meeting now
    applications = _page(participant_c, "/me/applications")
    assert re.search(r'aria-current="step">\s*Meeting', applications)
    # the participant asks for another time; the employer proposes again: the agreed time is cancelled
    outbox.clear()
    participant_c.post(f"/meetings/{meeting.id}/answer", data={"choice": "other", "note": "Mornings are better."})
    hr_c.post(f"{url}/meetings", data={"slot1": _local(5, 9), "duration": "30", "video_link": "https://meet.example.org/x"})
    run_jobs()
    db.session.expire_all()
    old, new = db.session.scalars(select(Meeting).order_by(Meeting.id)).all()
    assert old.status == MeetingStatus.CANCELLED and new.status == MeetingStatus.PROPOSED
    cancelled = [m for m in outbox if m.attachments]
    assert cancelled and "CANCEL" in cancelled[0].attachments[0][2]
    participant_c.post(f"/meetings/{new.id}/answer", data={"choice": str(new.slots[0].id)})
    # the reminder the day before, from the job worker (its hourly task)
    db.session.expire_all()
    new = db.session.get(Meeting, new.id)
    new.starts_at = utcnow() + timedelta(hours=20)
    db.session.commit()
    outbox.clear()
    jobs_of(app).enqueue("hourly.meetings")
    run_jobs()
    reminders = db.session.scalars(select(Notification).where(Notification.kind == "meeting_reminder")).all()
    assert {n.user_id for n in reminders} == {person.id, hr.id, users["coach"].id}
    assert any("Reminder: meeting tomorrow" in m.subject for m in outbox)
    jobs_of(app).enqueue("hourly.meetings")
    run_jobs()  # once only
    assert len(db.session.scalars(select(Notification).where(Notification.kind == "meeting_reminder")).all()) == 3
    history = _page(hr_c, url)
    assert "Meeting proposed" in history and "Another meeting time asked for" in history
    assert "Mornings are better." in history


def test_meeting_proposals_with_bad_input_are_refused(users, login, candidacy):
    url = f"/conversations/{candidacy.id}/meetings"
    hr = login(users["hr"])
    past = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    for data, text in (({"slot1": past, "duration": "45", "place": "Here"}, "must be in the future"),
                       ({"slot1": _local(3, 10), "duration": "45"}, "Give a place or a video link"),
                       ({"slot1": _local(3, 10), "duration": "45", "video_link": "javascript:alert(1)"},
                        "must start with https://"),
                       ({"slot1": _local(3, 10), "duration": "5", "place": "Here"}, "Duration"),
                       ({"slot1": "soon", "duration": "45", "place": "Here"}, "Give at least one date and time")):
        response = hr.post(url, data=data, follow_redirects=True)
        assert response.status_code == 200 and text in response.get_data(as_text=True), \
            re.findall(r'<div class="alert[^>]*>(.*?)</div>', response.get_data(as_text=True), re.S)
    assert db.session.scalar(select(db.func.count(Meeting.id))) == 0
    assert login(users["participant"]).post(url, data={"slot1": _local(3, 10), "place": "x"}).status_code == 403


def test_the_employer_is_told_once_per_candidate_and_bundled_per_day(users, login, run_jobs, outbox):
    hr = users["hr"]
    position = create_position(hr.organisation, title="Kitchen helper", required_skill=None)
    people = [create_user(Role.PARTICIPANT) for _ in range(3)]
    for person in people:
        login(person).post(f"/opportunities/{position.id}/interest")
    run_jobs()
    notes = db.session.scalars(select(Notification).where(Notification.user_id == hr.id,
                                                          Notification.kind == "candidates_interested")).all()
    assert len(notes) == 1 and notes[0].payload["count"] == 3
    assert len([m for m in outbox if m.to == hr.email]) == 1  # one e-mail, not three
    assert "New candidates for <bdi>Kitchen helper</bdi> today: <bdi>3</bdi>" in _page(login(hr), "/notifications")
    # withdrawing and coming back is not a new candidate
    client = login(people[0])
    client.post(f"/opportunities/{position.id}/withdraw")
    client.post(f"/opportunities/{position.id}/interest")
    db.session.expire_all()
    assert db.session.scalars(select(Notification).where(
        Notification.user_id == hr.id, Notification.kind == "candidates_interested")).one().payload["count"] == 3


def _cards(page: str) -> list[str]:
    return re.findall(r'name="reference" value="([0-9A-F]{10})"', page)


def test_an_invitation_from_find_talent_the_participant_decides(users, login, run_jobs):
    person, hr, coach = users["participant"], users["hr"], users["coach"]
    profile = person.profile
    profile.consent_findable = profile.consent_share_on_interest = True
    profile.coach_id = coach.id
    profile.skills.append(ParticipantSkill(label=FLOORS, concept_uri=vocabulary().resolve(FLOORS)))
    db.session.commit()
    other = create_user(Role.PARTICIPANT, display_name="Bo Other")
    other.profile.consent_findable = True
    db.session.commit()
    first = create_position(hr.organisation, title="Office cleaner")
    second = create_position(hr.organisation, title="Hotel cleaner")
    hr_c = login(hr)
    talent = _page(hr_c, "/hr/talent")
    assert "Invite to look at a position" in talent and "Office cleaner" in talent
    cards = _cards(talent)
    assert len(cards) == 2
    for reference in cards:
        response = hr_c.post("/hr/talent/invite", data={"reference": reference, "position": first.id},
                             follow_redirects=True)
        assert "Your invitation is on its way" in response.get_data(as_text=True)
    run_jobs()
    # both see "an employer invited you" and decide; the coach is told about their participant
    page = _page(login(person), "/me/suggestions")
    assert "An employer invited you" in page and "Office cleaner" in page
    assert db.session.scalar(select(Notification).where(Notification.user_id == coach.id,
                                                        Notification.kind == "employer_invited_participant"))
    mine = db.session.scalar(select(Match).where(Match.profile_id == profile.id))
    theirs = db.session.scalar(select(Match).where(Match.profile_id == other.profile.id))
    assert login(other).post(f"/me/suggestions/{theirs.id}/answer", data={"answer": "not"}).status_code == 302
    assert login(person).post(f"/me/suggestions/{mine.id}/answer", data={"answer": "interested"}).status_code == 302
    # the employer sees the one who said yes, and nothing of the one who said no
    candidates = _page(hr_c, f"/hr/positions/{first.id}/candidates")
    assert person.display_name in candidates and "Bo Other" not in candidates
    assert hr_c.post(f"/hr/matches/{theirs.id}/answer", data={"action": "invite", "message": "x"}).status_code == 404
    # inviting the one who said no again changes nothing and answers the same
    response = hr_c.post("/hr/talent/invite", data={"reference": _cards(_page(hr_c, "/hr/talent"))[0],
                                                    "position": first.id}, follow_redirects=True)
    assert "Your invitation is on its way" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Match, theirs.id).status == MatchStatus.DECLINED
    # bad input: an unknown card, someone else's or a closed position
    for data in ({"reference": "0000000000", "position": second.id}, {"reference": cards[0], "position": 10**25},
                 {"reference": cards[0]}):
        response = hr_c.post("/hr/talent/invite", data=data, follow_redirects=True)
        assert response.status_code == 200 and "alert-danger" in response.get_data(as_text=True)


def test_invitations_per_position_and_day_are_capped(app, users, login):
    app.config["TALENT_INVITES_PER_DAY"] = 2
    hr = users["hr"]
    for _ in range(3):
        create_user(Role.PARTICIPANT).profile.consent_findable = True
    db.session.commit()
    position = create_position(hr.organisation)
    hr_c = login(hr)
    cards = _cards(_page(hr_c, "/hr/talent"))
    answers = [hr_c.post("/hr/talent/invite", data={"reference": r, "position": position.id},
                         follow_redirects=True).get_data(as_text=True) for r in cards]
    assert "on its way" in answers[0] and "on its way" in answers[1]
    assert "at most 2 candidates per position and day" in answers[2]
    assert db.session.scalar(select(db.func.count(Match.id)).where(
        Match.status == MatchStatus.EMPLOYER_INVITED)) == 2


def test_my_applications_shows_steps_links_and_withdraw(users, login, candidacy):
    client = login(users["participant"])
    page = _page(client, "/me/applications")
    assert f'href="/conversations/{candidacy.id}"' in page and f'href="/opportunities/{candidacy.position_id}"' in page
    assert re.search(r'aria-current="step">\s*Interested', page)
    for step in ("Invited", "Meeting", "Offer", "Placed", "Completed"):
        assert step in page
    response = client.post(f"/opportunities/{candidacy.position_id}/withdraw", data={"back": "applications"},
                           follow_redirects=True)
    assert "You are no longer a candidate" in response.get_data(as_text=True)
    db.session.refresh(candidacy)
    assert candidacy.status == MatchStatus.WITHDRAWN


def test_e_mail_settings_turn_kinds_off_or_into_one_daily_digest(app, users, login, candidacy, run_jobs, outbox):
    person = users["participant"]
    client = login(person)
    page = _page(client, "/account/notifications")
    assert "New messages in my conversations" in page
    # messages off: still on the page, no e-mail
    groups = ["meetings", "candidacies", "placements", "reminders"]
    assert client.post("/account/notifications", data={"groups": groups, "digest": "now"}).status_code == 302
    login(users["hr"]).post(f"/conversations/{candidacy.id}", data={"body": "Hello"})
    run_jobs()
    assert not [m for m in outbox if m.to == person.email]
    assert db.session.scalar(select(Notification).where(Notification.user_id == person.id,
                                                        Notification.kind == "message_received"))
    # everything, once a day
    client.post("/account/notifications", data={"groups": groups + ["messages"], "digest": "digest"})
    hr = login(users["hr"])
    hr.post(f"/conversations/{candidacy.id}", data={"body": "One more thing"})
    hr.post(f"/conversations/{candidacy.id}", data={"body": "And another"})
    run_jobs()
    assert not [m for m in outbox if m.to == person.email]
    from mimi_match.services import notifications

    assert notifications.send_digests(now=datetime.now()) == 1
    run_jobs()
    digests = [m for m in outbox if m.to == person.email]
    assert len(digests) == 1 and digests[0].body.count("New message from") == 2
    assert notifications.send_digests(now=datetime.now()) == 0  # nothing twice
    # the settings page shows the choice again
    assert re.search(r'<input checked[^>]*value="digest"', _page(client, "/account/notifications"))


def test_the_body_of_an_e_mail_is_written_to_the_log_without_a_mail_server(app, caplog):
    with caplog.at_level("INFO", logger="mimi_match.services.mail"):
        mail.deliver(mail.Mail(to="someone@example.org", subject="MiMi Match: hello", body="The whole text"))
    record = next(r for r in caplog.records if "mail not sent" in r.getMessage())
    assert record.body == "The whole text" and record.subject == "MiMi Match: hello"


def test_the_meeting_reminder_window(app, users, candidacy):
    meeting = Meeting(match_id=candidacy.id, place="Here", status=MeetingStatus.ACCEPTED,
                      starts_at=utcnow() + timedelta(hours=30))
    db.session.add(meeting)
    db.session.commit()
    assert meetings.remind() == 0  # more than a day ahead
    assert meetings.remind(now=utcnow() + timedelta(hours=8)) == 1


def test_an_erased_participant_leaves_no_conversation_behind(users, login, candidacy):
    from mimi_match.services import privacy

    url = f"/conversations/{candidacy.id}"
    login(users["hr"]).post(url, data={"body": "Welcome"})
    login(users["participant"]).post(url, data={"body": "My phone number is 123"})
    meetings.propose(users["hr"], candidacy.id, [datetime.now() + timedelta(days=2)], 30, place="Here")
    export = privacy.export(users["participant"])
    assert [m["body"] for m in export["messages"]] == ["Welcome", "My phone number is 123"]
    assert len(export["meetings"]) == 1 and export["meetings"][0]["times_offered"]
    privacy.erase(users["admin"], users["participant"].id)
    db.session.expire_all()
    assert db.session.scalar(select(db.func.count(Message.id))) == 0
    assert db.session.scalar(select(db.func.count(Meeting.id))) == 0
    assert login(users["hr"]).get(url).status_code == 404
