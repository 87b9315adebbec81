"""The placement agreement: generated from the plan, in each reader's language, as a page and as a PDF, and
signed in the app by the participant, the company and the coach (the name typed; time and account recorded,
in the audit log too). A change to the plan makes a new revision that all sign again; starting before all
have signed asks first and is recorded; the job worker reminds whoever has not signed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, format_date, format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from .. import labels
from ..extensions import db
from ..i18n import text_direction
from ..models import AgreementSignature, EvaluationVoice, Notification, Placement, PlacementStatus, PositionKind, User
from ..models.base import utcnow
from . import audit
from .errors import Conflict, ValidationFailed
from .notifications import notify

FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
VOICES = (EvaluationVoice.PARTICIPANT, EvaluationVoice.COMPANY, EvaluationVoice.COACH)


@dataclass(frozen=True)
class Section:
    heading: str
    lines: list[str]


def _required(placement: Placement) -> list[EvaluationVoice]:
    from .placements import required_voices

    needed = required_voices(placement)
    return [v for v in VOICES if v in needed]


def signatures(placement: Placement) -> dict[EvaluationVoice, AgreementSignature]:
    """The signatures of the plan as it stands now (older revisions' signatures no longer count)."""
    rows = db.session.scalars(select(AgreementSignature).where(
        AgreementSignature.placement_id == placement.id, AgreementSignature.plan_version == placement.plan_version))
    return {row.voice: row for row in rows}


def missing(placement: Placement) -> list[EvaluationVoice]:
    signed = signatures(placement)
    return [v for v in _required(placement) if v not in signed]


def _text(key: str, default: str) -> str:
    """A text the installation sets (its insurance, its rules of responsibility), or our default."""
    return current_app.config.get(key) or default


def sections(placement: Placement, language: str) -> tuple[str, list[Section]]:
    """The agreement's title and sections, written in ``language``."""
    from .placements import coach_of

    match, position = placement.match, placement.match.position
    coach = coach_of(placement)
    with force_locale(language):
        internship = position.kind == PositionKind.MICRO_INTERNSHIP
        title = (_("Agreement for a micro-internship: %(position)s", position=position.title) if internship
                 else _("Agreement for a job start: %(position)s", position=position.title))
        when = format_date(placement.start_date, "long")
        if placement.end_date:
            when = _("%(start)s to %(end)s", start=when, end=format_date(placement.end_date, "long"))
        place = ", ".join(part for part in (position.location, position.region) if part) or _("as agreed")
        if position.remote:
            place = _("%(place)s (partly remote)", place=place)
        hours = (_("%(num)d hours a week", num=position.hours_per_week) if position.hours_per_week
                 else _("as agreed with the company"))
        parts = [
            Section(_("The parties"), [
                _("Participant: %(name)s", name=match.profile.user.display_name),
                _("Company: %(organisation)s, contact person %(contact)s", organisation=position.organisation.name,
                  contact=placement.company_contact or position.contact_person or _("not named yet")),
                _("Coach: %(name)s", name=coach.display_name if coach else _("none assigned"))]),
            Section(_("When, where and how much"), [_("Dates: %(when)s", when=when), _("Place: %(place)s", place=place),
                                                    _("Working time: %(hours)s", hours=hours)]),
            Section(_("Tasks and learning goals"),
                    [line for line in (placement.objectives or position.learning_content or "").splitlines()
                     if line.strip()] or [_("To be agreed before the start.")]),
            Section(_("Insurance"), [_text("AGREEMENT_INSURANCE_TEXT", _(
                "The participant is insured against accidents at work during the placement as the installation's "
                "rules say; the company's liability insurance covers damage the participant causes at work."))]),
            Section(_("Responsibility"), [_text("AGREEMENT_RESPONSIBILITY_TEXT", _(
                "The company gives the participant a safe workplace, an introduction to the tasks and the safety "
                "rules, and a contact person. The participant follows the workplace's rules and says when "
                "something is unclear. The coach follows the placement and is there for both."))]),
        ]
        if internship:
            parts.append(Section(_("What a micro-internship is"), [_(
                "A short time of practice to learn and to get to know the work; it is not employment and it does "
                "not replace a worker.")]))
        parts.append(Section(_("If it ends early"), [_(
            "Any of the three can end the placement early. Say so to the others first if you can, and record it "
            "in MiMi Match with a short reason; the coach then talks with both about what comes next.")]))
        return title, parts


def voice_label(voice: EvaluationVoice, language: str) -> str:
    with force_locale(language):
        return str(labels.VOICE[voice.value])


def _normal(name: str) -> str:
    return " ".join(name.casefold().split())


def sign(actor: User, placement_id: int, typed_name: str) -> AgreementSignature:
    """Sign the agreement as it stands, by typing one's name as it is on the account."""
    from .placements import ENDED, _commit, get, parties

    placement, voice = get(actor, placement_id)
    if placement.status in ENDED:
        raise Conflict(_("This placement has ended; its agreement can no longer be signed."))
    if voice in signatures(placement):
        raise Conflict(_("You have signed this version of the agreement already."))
    if _normal(typed_name or "") != _normal(actor.display_name):
        raise ValidationFailed(_("To sign, type your name as it is on your account: %(name)s",
                                 name=actor.display_name))
    row = AgreementSignature(placement_id=placement.id, voice=voice, plan_version=placement.plan_version,
                             user_id=actor.id, typed_name=" ".join(typed_name.split())[:200], signed_at=utcnow())
    db.session.add(row)
    placement.updated_at = utcnow()
    audit.record("agreement_signed", actor=actor, subject_user_id=placement.match.profile.user_id,
                 detail={"placement": placement.id, "voice": voice.value, "revision": placement.plan_version})
    db.session.flush()
    if not missing(placement):
        for user_ids in parties(placement).values():
            for user_id in user_ids:
                notify(user_id, "agreement_complete", {"position": placement.match.position.title},
                       f"/placements/{placement.id}/agreement")
    _commit(placement)
    return row


def plan_changed(placement: Placement) -> None:
    """The plan changed: a new revision of the agreement, to be signed again by everyone (told so)."""
    from .placements import parties

    had = bool(signatures(placement))
    placement.plan_version += 1
    if had:
        for user_ids in parties(placement).values():
            for user_id in user_ids:
                notify(user_id, "agreement_changed", {"position": placement.match.position.title},
                       f"/placements/{placement.id}/agreement")


def remind(every_days: int = 3) -> int:
    """Remind each party who has not signed a planned placement's agreement (every few days)."""
    from .placements import parties

    sent = 0
    cutoff = utcnow() - timedelta(days=every_days)
    for placement in db.session.scalars(select(Placement).where(Placement.status == PlacementStatus.PLANNED)):
        link = f"/placements/{placement.id}/agreement"
        by_voice = parties(placement)
        for voice in missing(placement):
            for user_id in by_voice.get(voice, []):
                recent = db.session.scalar(select(Notification.id).where(
                    Notification.user_id == user_id, Notification.kind == "agreement_unsigned",
                    Notification.link == link, Notification.created_at >= cutoff).limit(1))
                if recent is None:
                    notify(user_id, "agreement_unsigned", {"position": placement.match.position.title}, link)
                    sent += 1
    db.session.commit()
    return sent


def pdf(placement: Placement, language: str) -> bytes:
    """The agreement as a PDF in ``language`` (fonts from the package; Arabic shaped right to left)."""
    from fpdf import FPDF

    title, parts = sections(placement, language)
    signed = signatures(placement)
    rtl = text_direction(language) == "rtl"
    align = "R" if rtl else "L"
    document = FPDF(format="A4")
    document.set_title(title)
    document.set_creator("MiMi Match")
    document.add_font("body", "", str(FONTS / "DejaVuSans.ttf"))
    document.add_font("body", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    document.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr",
                              script="arab" if rtl else None, language="ara" if rtl else None)
    document.add_page()

    def write(text: str, size: int = 11, bold: bool = False, gap: float = 1.5) -> None:
        document.set_font("body", "B" if bold else "", size)
        document.multi_cell(0, size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")
        document.ln(gap)

    write(title, 15, True, 4)
    with force_locale(language):
        write(_("Revision %(num)d of the plan, made on %(date)s.", num=placement.plan_version,
                date=format_date(utcnow().date(), "long")), 9)
        for part in parts:
            write(part.heading, 12, True)
            for line in part.lines:
                write(line)
            document.ln(2)
        write(_("Signatures"), 12, True)
        for voice in _required(placement):
            row = signed.get(voice)
            state = (_("signed by %(name)s on %(time)s", name=row.typed_name,
                       time=format_datetime(row.signed_at, "medium")) if row else _("not signed yet"))
            write(f"{voice_label(voice, language)}: {state}")
    return bytes(document.output())
