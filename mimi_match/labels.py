"""Translated names of the domain's enumerations, for forms and templates (one place for each word)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND = {"vacancy": _l("Vacancy"), "micro_internship": _l("Micro-internship")}
CONTRACT = {
    "permanent": _l("Permanent"),
    "temporary": _l("Temporary"),
    "apprenticeship": _l("Apprenticeship"),
    "seasonal": _l("Seasonal"),
    "internship": _l("Internship"),
}
PURPOSE = {
    "discover_trade": _l("Discover a trade"),
    "confirm_plan": _l("Confirm a career plan"),
    "start_recruitment": _l("Start a recruitment"),
}
POSITION_STATUS = {"draft": _l("Draft"), "open": _l("Open"), "filled": _l("Filled"), "closed": _l("Closed")}
POSITION_STATUS_PLURAL = {"draft": _l("Drafts"), "open": _l("Open"), "filled": _l("Filled"), "closed": _l("Closed")}
MATCH_STATUS_FOR_PARTICIPANT = {
    "suggested": _l("Suggested"),
    "employer_invited": _l("An employer invited you"),
    "approved": _l("Suggested for you"),
    "rejected": _l("Not suggested"),
    "interested": _l("You are interested"),
    "declined": _l("Not for you"),
    "withdrawn": _l("You withdrew"),
    "invited": _l("Invited to a meeting"),
    "offered": _l("Offer received"),
    "hr_declined": _l("The employer said no"),
    "placed": _l("Placed"),
    "completed": _l("Completed"),
}
RECOGNITION = {
    "recognised": _l("Yes, it is recognised"),
    "in_process": _l("I have applied, it is in process"),
    "not_started": _l("Not yet: I have not applied"),
    "not_needed": _l("Not needed for the work I want"),
}
DESIRED_KINDS = {
    "vacancy": _l("A job"),
    "micro_internship": _l("A micro-internship (1–12 weeks, to try and learn)"),
    "both": _l("Both"),
}
CHECK_METHOD = {
    "interview": _l("Interview"),
    "practical": _l("Practical task"),
    "both": _l("Interview and practical task"),
}
CHECK_RESULT = {"confirmed": _l("Confirmed"), "partly": _l("Partly shown"), "not_confirmed": _l("Not confirmed")}
CONSENT_KIND = {
    "matching": _l("suggestions"),
    "findable": _l("findable without name"),
    "share_on_interest": _l("profile shared on interest"),
}
ACTION_SOURCE = {
    "own": _l("my own"),
    "coach": _l("from my coach"),
    "skill_gap": _l("skill to learn"),
    "language_gap": _l("language"),
    "evaluation": _l("from an evaluation"),
}
ACTION_STATUS = {"open": _l("To do"), "in_progress": _l("Doing it"), "done": _l("Done")}
SKILL_CONFIRMATION = {
    "self_stated": _l("said by me"),
    "competence_check": _l("confirmed in a competence check"),
    "placement": _l("shown in a placement"),
}
FIELD_STATUS = {"oversupplied": _l("Oversupplied"), "shortage": _l("Shortage"), "balanced": _l("Balanced")}
REJECT_REASON = {
    "skills": _l("Skills do not fit"),
    "language": _l("Language level"),
    "location": _l("Location"),
    "availability": _l("Availability"),
    "not_ready": _l("Participant not ready yet"),
    "other": _l("Other reason"),
}
MATCH_STATUS_FOR_STAFF = {
    "suggested": _l("Suggested by the model"),
    "employer_invited": _l("Invited by the employer from Find talent"),
    "approved": _l("Approved by the coach"),
    "rejected": _l("Rejected by the coach"),
    "interested": _l("Interested"),
    "declined": _l("Not interested"),
    "withdrawn": _l("Withdrawn"),
    "invited": _l("Invited to a meeting"),
    "offered": _l("Offer made"),
    "hr_declined": _l("Declined by the employer"),
    "placed": _l("Placed"),
    "completed": _l("Completed"),
}
PLACEMENT_STATUS = {
    "planned": _l("Planned"),
    "active": _l("Running"),
    "completed": _l("Completed"),
    "abandoned": _l("Ended early"),
}
OUTCOME = {
    "job_offer": _l("Job offer"),
    "further_training": _l("Further training"),
    "not_suitable": _l("Not suitable"),
    "did_not_show": _l("Did not show up"),
    "abandoned": _l("Ended early"),
}
REFIT_REASON = {"first": _l("the first model"), "settings": _l("changed settings"), "new skills": _l("new skills"),
                "erasure": _l("an erased account"), "nightly": _l("the nightly refit"), "requested": _l("asked for"),
                "due": _l("due")}
MODEL_STAGE = {"records": _l("reading profiles and positions"), "fit": _l("fitting the model"),
               "rank": _l("ranking both ways"), "write": _l("writing suggestions")}
VOICE = {"participant": _l("Participant"), "coach": _l("Coach"), "company": _l("Company")}
# steps of a placement, recorded in the match's history with these reason codes
PLACEMENT_EVENT = {
    "placement_active": _l("Placement started"),
    "placement_completed": _l("Placement completed"),
    "placement_abandoned": _l("Placement ended early"),
    "meeting_proposed": _l("Meeting proposed"),
    "meeting_accepted": _l("Meeting time chosen"),
    "meeting_declined": _l("Meeting declined"),
    "meeting_other_time": _l("Another meeting time asked for"),
    "meeting_cancelled": _l("Meeting called off"),
}
MEETING_STATUS = {
    "proposed": _l("Waiting for an answer"),
    "accepted": _l("Agreed"),
    "declined": _l("Declined"),
    "other_time": _l("Another time asked for"),
    "cancelled": _l("Called off"),
}
# the steps of a candidacy, as My applications shows them
CANDIDACY_STEPS = {
    "interested": _l("Interested"),
    "invited": _l("Invited"),
    "meeting": _l("Meeting"),
    "offer": _l("Offer"),
    "placed": _l("Placed"),
    "completed": _l("Completed"),
}
FUNNEL_STEP = {
    "suggested": _l("Suggested"),
    "approved": _l("Approved by the coach"),
    "interested": _l("Interested"),
    "invited": _l("Invited"),
    "offer": _l("Offer"),
    "placed": _l("Placed"),
}
LEVEL_BAND = {"A": _l("A1–A2"), "B": _l("B1–B2"), "C": _l("C1–C2"), "": _l("No level given")}
# which notifications come by e-mail is chosen per group
MAIL_GROUPS = {
    "messages": _l("New messages in my conversations"),
    "meetings": _l("Meetings: proposals, answers and reminders"),
    "candidacies": _l("Candidacies: suggestions, invitations, offers, answers"),
    "placements": _l("Placements and evaluations"),
    "reminders": _l("Reminders and work to review"),
}
NOTIFICATION = {
    "suggestions_to_review": _l("New suggestions to review: %(count)s"),
    "placement_planned": _l("A placement is planned: %(position)s"),
    "placement_changed": _l("The plan of a placement changed: %(position)s"),
    "placement_started": _l("A placement has started: %(position)s"),
    "placement_abandoned": _l("A placement ended early: %(position)s"),
    "evaluation_due": _l("A placement has ended; please give your evaluation: %(position)s"),
    "evaluation_given": _l("An evaluation was given; yours is still missing: %(position)s"),
    "evaluation_complete": _l("All three evaluations are in: %(position)s"),
    "reminder_start": _l("Reminder: mark the placement as started: %(position)s"),
    "reminder_complete": _l("Reminder: the placement's end date has passed: %(position)s"),
    "reminder_evaluation": _l("Reminder: your evaluation is still missing: %(position)s"),
    "retention_reminder": _l("You have not used MiMi Match for a long time. Log in within %(days)s days to "
                             "keep your profile; otherwise it is deleted."),
    "reminder_answer": _l("Reminder: candidates are waiting for your answer (%(count)s): %(position)s"),
    "suggestion_approved": _l("New suggestion for you: %(position)s"),
    "interest_expressed": _l("%(participant)s is interested in %(position)s"),
    "hr_invite": _l("You are invited to a meeting: %(position)s"),
    "hr_offer": _l("You have an offer: %(position)s"),
    "hr_decline": _l("The employer answered: %(position)s"),
    "offer_accepted": _l("An offer was accepted: %(position)s"),
    "message_received": _l("New message from %(author)s about %(position)s"),
    "meeting_proposed": _l("A meeting is proposed: %(position)s"),
    "meeting_accepted": _l("A meeting time was chosen: %(position)s"),
    "meeting_declined": _l("A meeting was declined: %(position)s"),
    "meeting_other_time": _l("Another meeting time is asked for: %(position)s"),
    "meeting_cancelled": _l("A meeting was called off: %(position)s"),
    "meeting_reminder": _l("Reminder: meeting tomorrow: %(position)s"),
    "candidates_interested": _l("New candidates for %(position)s today: %(count)s"),
    "employer_invitation": _l("An employer invited you to look at a position: %(position)s"),
    "employer_invited_participant": _l("An employer invited %(participant)s to look at %(position)s"),
    "digest": _l("Your MiMi Match news of the day"),
    "agreement_unsigned": _l("Please read and sign the placement agreement: %(position)s"),
    "agreement_changed": _l("The plan changed: please sign the agreement again: %(position)s"),
    "agreement_complete": _l("Everyone has signed the placement agreement: %(position)s"),
    "summary_drafted": _l("The joint summary of the evaluation is ready for you: %(position)s"),
    "summary_commented": _l("A comment on the joint summary asks for a change: %(position)s"),
    "summary_confirmed": _l("Everyone confirmed the joint summary; the outcome is recorded: %(position)s"),
    "follow_up_due": _l("Follow-up due (%(months)s months after the placement): %(position)s"),
    "follow_up_asked": _l("How are you doing, %(months)s months after %(position)s? Tell your coach here."),
}
RATING = {1: _l("1 · not yet"), 2: _l("2 · with help"), 3: _l("3 · on their own"), 4: _l("4 · could show others")}
SITUATION = {
    "employed": _l("Employed"),
    "training": _l("In education or training"),
    "looking": _l("Looking for work"),
    "other": _l("Something else"),
}
BARRIER = {
    "housing": _l("Housing"),
    "money": _l("Money or debt"),
    "childcare": _l("Childcare"),
    "transport": _l("Transport"),
    "health": _l("Health"),
    "papers": _l("Residence papers or public offices"),
    "language": _l("Language"),
    "discrimination": _l("Unfair treatment at work"),
}
# the group of each kind of notification, for the e-mail settings
NOTIFICATION_GROUP = {
    "message_received": "messages",
    **dict.fromkeys(("meeting_proposed", "meeting_accepted", "meeting_declined", "meeting_other_time",
                     "meeting_cancelled", "meeting_reminder"), "meetings"),
    **dict.fromkeys(("suggestion_approved", "interest_expressed", "hr_invite", "hr_offer", "hr_decline",
                     "offer_accepted", "candidates_interested", "employer_invitation",
                     "employer_invited_participant"), "candidacies"),
    **dict.fromkeys(("agreement_changed", "agreement_complete", "placement_planned", "placement_changed",
                     "placement_started", "placement_abandoned",
                     "evaluation_due", "evaluation_given", "evaluation_complete", "summary_drafted",
                     "summary_commented", "summary_confirmed"), "placements"),
}


def value(enum_or_str) -> str:
    return getattr(enum_or_str, "value", enum_or_str) or ""
