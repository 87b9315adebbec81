"""Demo data: employers, staff, 200 participants and about 60 positions; idempotent and deterministic.

Rows are found again by their natural keys (user e-mail, organisation name, position organisation and
title), so running the seed twice changes nothing. A participant's skills, languages and wishes are only
filled in when the profile is new. Every random choice is drawn in the same order on every run, whether
or not the row already exists, so the outcome depends on ``random.Random(2026)`` alone.

About 35 % of the participants put health care / nursing first while that field has two openings in
all: the practice set's "everyone wants to become a nurse" oversupply, for the oversupply views.
No nationality, ethnicity, religion, health, gender or age is stored for anyone.
"""
from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources

from sqlalchemy import select

from ..extensions import db
from ..models import (
    ActionPlanItem,
    ActionSource,
    ActionStatus,
    CEFRLevel,
    CheckMethod,
    CheckResult,
    CompetenceCheck,
    ConsentEvent,
    ConsentKind,
    ContractType,
    DesiredField,
    DesiredKinds,
    Education,
    InternshipPurpose,
    OccupationalField,
    Organisation,
    ParticipantLanguage,
    ParticipantProfile,
    ParticipantSkill,
    Position,
    PositionKind,
    PositionSkill,
    PositionStatus,
    RecognitionStatus,
    Role,
    SkillConfirmation,
    User,
    WorkExperience,
)
from ..models.base import utcnow
from ..vocabulary import vocabulary
from .fields import load_fields
from .passwords import hash_password

DEMO_PASSWORD = "mimi-demo-2026"
DOMAIN = "demo.mimi-match.org"
SEED = 2026
N_PARTICIPANTS = 200
HEALTH = "health_care"
N_HEALTH_FIRST = 70  # participants whose first wish is health care
N_UNASSIGNED = 20  # participants without a coach
N_COACH1 = 50  # caseload of coach1; the other coaches share the rest
N_DRAFT, N_CLOSED = 5, 5

REGIONS = ("Oslo", "Akershus", "Vestfold og Telemark", "Vestland", "Trøndelag", "Rogaland")
COACHES = ("Marte Solberg", "Jonas Berg", "Samira Lund", "Erik Dahl")
INITIALS = "ABDEFGHIKLMNORSTYZ"
NB_LEVELS = {"A1": 10, "A2": 30, "B1": 35, "B2": 18, "C1": 7}
OTHER_LEVELS = {"A2": 20, "B1": 35, "B2": 30, "C1": 15}
HOME_LANGUAGES = {"ar": 25, "uk": 20, "ti": 10, "so": 10, "fa": 8, "prs": 8, "ku": 5, "ps": 3, "es": 3,
                  "pl": 3, "fr": 3, "ru": 2}
# weights for wishes other than the health care first wishes (health care still appears further down)
POPULAR = {"elderly_care": 5, "hospitality": 4, "cleaning": 3, "warehouse": 3, "transport_drivers": 3,
           "construction": 3, "retail": 3, "childcare": 3, HEALTH: 3, "it_software": 2,
           "beauty_hairdressing": 2, "mechanics_automotive": 2, "education_assistance": 2,
           "interpreting": 2, "office_admin": 2, "food_production": 2}
N_WISHES = {1: 25, 2: 40, 3: 35}
KINDS = {DesiredKinds.BOTH: 50, DesiredKinds.VACANCY: 30, DesiredKinds.MICRO_INTERNSHIP: 20}
RECOGNITION = {RecognitionStatus.RECOGNISED: 20, RecognitionStatus.IN_PROCESS: 30,
               RecognitionStatus.NOT_STARTED: 35, RecognitionStatus.NOT_NEEDED: 15}
WISH_TEXTS = (
    "I would like to {wish}.",
    "My goal is to {wish}. A micro-internship would be a good start.",
    "I want to {wish} and improve my Norwegian at work.",
    "I have done similar work before and would like to {wish} here too.",
    "I would like to {wish}, close to home if possible.",
)
CONTACT_ROLES = ("team leader", "supervisor", "department manager", "mentor")
ACTION_STATUSES = {ActionStatus.OPEN: 50, ActionStatus.IN_PROGRESS: 30, ActionStatus.DONE: 20}


@lru_cache(maxsize=1)
def catalogue() -> dict:
    """Organisations, names, and per field: skills, position titles, experience and education."""
    text = resources.files("mimi_match.data").joinpath("demo_catalogue.json").read_text("utf-8")
    return json.loads(text)


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour))


def _duration(months: int) -> str:
    if months < 12:
        return f"{months} months"
    years = round(months / 12)
    return "about one year" if years == 1 else f"about {years} years"


def _lower(level: str) -> CEFRLevel:
    """One CEFR level lower, but at least A2 (micro-internships ask for less than jobs)."""
    order = [lv.value for lv in CEFRLevel]
    return CEFRLevel(order[max(order.index("A2"), order.index(level) - 1)])


class _Users:
    """Demo accounts by e-mail: found if they exist, created otherwise; remembers the logins."""

    def __init__(self, emails: list[str]) -> None:
        self.password_hash = hash_password(DEMO_PASSWORD)  # once: argon2 is slow on purpose
        query = select(User).where(User.email.in_(emails))
        self.by_email = {u.email: u for u in db.session.scalars(query)}
        self.logins: list[tuple[str, str, str]] = []

    def get(self, role: Role, email: str, name: str, **extra) -> tuple[User, bool]:
        self.logins.append((role.value, email, DEMO_PASSWORD))
        user = self.by_email.get(email)
        if user is not None:
            return user, False
        user = User(email=email, password_hash=self.password_hash, role=role, display_name=name,
                    email_verified_at=utcnow(), **extra)
        db.session.add(user)
        self.by_email[email] = user
        return user, True


def _concept(label: str) -> str | None:
    """The vocabulary concept of a catalogue skill (they are ESCO preferred labels)."""
    return vocabulary().resolve(label, "en")


def _participant_email(i: int) -> str:
    return f"participant{i + 1:03d}@{DOMAIN}"


def _all_emails(cat: dict) -> list[str]:
    n_hr = sum(len(o["hr"]) for o in cat["organisations"])
    return ([f"admin@{DOMAIN}"] + [f"hr{i}@{DOMAIN}" for i in range(1, n_hr + 1)]
            + [f"coach{i}@{DOMAIN}" for i in range(1, len(COACHES) + 1)]
            + [_participant_email(i) for i in range(N_PARTICIPANTS)])


# --- organisations and positions ----------------------------------------------------------------------

def _seed_organisations(cat: dict, users: _Users) -> tuple[dict[str, Organisation], dict[str, User]]:
    """Organisations by catalogue key, and the first HR user of each (who "created" its positions)."""
    existing = {o.name: o for o in db.session.scalars(select(Organisation))}
    orgs, first_hr, n_hr = {}, {}, 0
    for spec in cat["organisations"]:
        org = existing.get(spec["name"])
        if org is None:
            keys = ("name", "sector", "location", "region", "description", "contact_email", "contact_phone")
            org = Organisation(**{k: spec[k] for k in keys})
            db.session.add(org)
        orgs[spec["key"]] = org
        for name in spec["hr"]:
            n_hr += 1
            user, _created = users.get(Role.HR, f"hr{n_hr}@{DOMAIN}", name, organisation=org, locale=None)
            first_hr.setdefault(spec["key"], user)
    return orgs, first_hr


def _position_statuses(rng: random.Random, specs: list[tuple]) -> list[PositionStatus]:
    """Mostly open; a few drafts and closed/filled ones, never in health care (its 2 openings stay)."""
    statuses = [PositionStatus.OPEN] * len(specs)
    others = [i for i, spec in enumerate(specs) if spec[0] != HEALTH]
    picked = rng.sample(others, N_DRAFT + N_CLOSED)
    for n, i in enumerate(picked):
        if n < N_DRAFT:
            statuses[i] = PositionStatus.DRAFT
        else:
            statuses[i] = PositionStatus.FILLED if n % 2 else PositionStatus.CLOSED
    return statuses


def _position_values(rng: random.Random, cat: dict, code: str, kind: str, title: str,
                     org: Organisation, status: PositionStatus, today: date, required: list[str]) -> dict:
    """Column values of one position; draws the same random numbers on every run."""
    entry = cat["fields"][code]
    vacancy = kind == PositionKind.VACANCY.value
    level = CEFRLevel(entry["level"]) if vacancy else _lower(entry["level"])
    weeks = rng.choice((2, 4, 4, 6, 8, 12))
    openings = 1 if code == HEALTH else rng.choice((1, 1, 2, 2, 3, 4))
    if status == PositionStatus.OPEN or status == PositionStatus.DRAFT:
        published = _at(today - timedelta(days=rng.randint(3, 60)))
        deadline = today + timedelta(days=rng.randint(14, 90) + (45 if status == PositionStatus.DRAFT else 0))
        closed = None
    else:
        published = _at(today - timedelta(days=rng.randint(120, 200)))
        deadline = today - timedelta(days=rng.randint(60, 100))
        closed = _at(deadline + timedelta(days=rng.randint(10, 30)), 15)
    start = deadline + timedelta(days=rng.randint(14, 45))
    values = dict(
        kind=PositionKind(kind), status=status, title=title,
        host_language="nb", host_language_level=level,
        other_languages=["en"] if code == "it_software" else [],
        location=org.location, region=org.region,
        remote=code == "it_software" and vacancy and rng.random() < 0.5,
        hours_per_week=20 if "part-time" in title else rng.choice((37, 37, 30, 20) if vacancy else (20, 25, 30)),
        start_date=start, openings=openings, application_deadline=deadline,
        published_at=None if status == PositionStatus.DRAFT else published, closed_at=closed,
    )
    sentences = [entry["tasks"]]
    if vacancy:
        values["contract_type"] = _contract_type(rng, title)
        sentences.insert(0, f"{org.name} is hiring in {org.location}.")
        sentences.append(f"You get a named buddy for the first weeks. Norwegian at about level {level} "
                         "is needed; we help you with the words of the trade.")
    else:
        values.update(
            duration_weeks=weeks, purpose=rng.choice(list(InternshipPurpose)),
            contact_person=f"{rng.choice(cat['contact_names'])}, {rng.choice(CONTACT_ROLES)}",
            learning_content="What you will learn: " + "; ".join(required) + ".",
            participants_at_once=min(openings, rng.randint(1, 2)),
        )
        sentences.insert(0, f"A {weeks}-week micro-internship at {org.name} in {org.location}.")
        sentences.append("With your coach and our contact person you agree on goals at the start "
                         "and evaluate them together at the end.")
    values["description"] = " ".join(sentences)
    return values


def _contract_type(rng: random.Random, title: str) -> ContractType:
    if "Apprentice" in title:
        return ContractType.APPRENTICESHIP
    if "seasonal" in title:
        return ContractType.SEASONAL
    if "Substitute" in title:
        return ContractType.TEMPORARY
    return rng.choice((ContractType.PERMANENT, ContractType.PERMANENT, ContractType.TEMPORARY))


def _seed_positions(rng: random.Random, cat: dict, fields: dict[str, OccupationalField],
                    orgs: dict[str, Organisation], first_hr: dict[str, User], today: date) -> None:
    specs = [(code, *p) for code, entry in cat["fields"].items() for p in entry["positions"]]
    statuses = _position_statuses(rng, specs)
    existing = {(p.organisation_id, p.title) for p in db.session.scalars(select(Position))}
    for (code, kind, title, org_key, required, nice), status in zip(specs, statuses, strict=True):
        org = orgs[org_key]
        values = _position_values(rng, cat, code, kind, title, org, status, today, required)
        if (org.id, title) in existing:
            continue
        position = Position(organisation=org, field=fields[code], created_by_id=first_hr[org_key].id, **values)
        position.skills = ([PositionSkill(label=s, required=True, concept_uri=_concept(s)) for s in required]
                           + [PositionSkill(label=s, required=False, concept_uri=_concept(s)) for s in nice])
        db.session.add(position)


# --- participants -------------------------------------------------------------------------------------

def _weighted_field(rng: random.Random, codes: list[str], exclude: set[str]) -> str:
    pool = [c for c in codes if c not in exclude]
    return rng.choices(pool, weights=[POPULAR.get(c, 1) for c in pool])[0]


def _participant_plan(rng: random.Random, cat: dict, health_first: bool) -> dict:
    """Everything random about one participant, drawn whether or not the profile already exists."""
    fields, codes = cat["fields"], list(cat["fields"])
    wishes = [HEALTH if health_first else _weighted_field(rng, codes, {HEALTH})]
    for _ in range(_pick(rng, N_WISHES) - 1):
        wishes.append(_weighted_field(rng, codes, set(wishes)))
    background = wishes[1] if len(wishes) > 1 else _weighted_field(rng, codes, {wishes[0]})
    labels = rng.sample(fields[wishes[0]]["skills"], rng.randint(2, 5))
    labels += [s for s in rng.sample(fields[background]["skills"], rng.randint(1, 3)) if s not in labels]
    labels += [s for s in fields[wishes[0]]["skills"] if s not in labels][: max(0, 3 - len(labels))]
    skills = [(label, _at(_day(rng, date(2026, 3, 1), date(2026, 11, 1)), 11) if rng.random() < 0.3 else None)
              for label in labels]
    home = _pick(rng, HOME_LANGUAGES)
    languages = {"nb": _pick(rng, NB_LEVELS), home: "C2"}
    if rng.random() < 0.6:
        languages.setdefault("en", _pick(rng, OTHER_LEVELS))
    if rng.random() < 0.2:
        languages.setdefault(_pick(rng, HOME_LANGUAGES), _pick(rng, OTHER_LEVELS))
    experience = [(rng.choice(fields[code]["experience"]), rng.randint(6, 96))
                  for code in rng.sample([wishes[0], background], rng.choice((0, 1, 1, 2)))]
    education = None
    if rng.random() < 0.6:
        education = (rng.choice(fields[rng.choice((wishes[0], background))]["education"]),
                     _pick(rng, RECOGNITION))
    actions = []
    if rng.random() < 0.5:
        pool = [a for a in cat["actions"] if a["field"] in (None, wishes[0])]
        for action in rng.sample(pool, rng.randint(1, 3)):
            due = _day(rng, date(2026, 9, 1), date(2027, 5, 31))
            actions.append((action, _pick(rng, ACTION_STATUSES), due))
    return dict(
        name=f"{rng.choice(cat['first_names'])} {rng.choice(INITIALS)}.",
        locale=home if home in ("ar", "uk") and rng.random() < 0.6 else rng.choice(("en", "nb", None)),
        wishes=wishes, skills=skills, languages=languages, experience=experience, education=education,
        actions=actions, region=rng.choice(REGIONS), travel_km=rng.choice((10, 20, 30, 50, 80)),
        remote_ok=rng.random() < 0.15, available_from=_day(rng, date(2026, 1, 1), date(2027, 9, 30)),
        hours_per_week=rng.choice((20, 30, 37, 37, 37)), desired_kinds=_pick(rng, KINDS),
        wish_text=rng.choice(WISH_TEXTS).format(wish=fields[wishes[0]]["wish"]),
        consent_matching=rng.random() < 0.85, consent_findable=rng.random() < 0.5,
        consent_share_on_interest=rng.random() < 0.8,
    )


def _fill_profile(profile: ParticipantProfile, plan: dict, fields: dict[str, OccupationalField],
                  coach: User | None) -> None:
    """Fill a new profile from its plan (skills checked by the coach only if there is one)."""
    for key in ("region", "travel_km", "remote_ok", "available_from", "hours_per_week", "desired_kinds",
                "wish_text", "consent_matching", "consent_findable", "consent_share_on_interest"):
        setattr(profile, key, plan[key])
    profile.coach = coach
    for label, checked_at in plan["skills"]:
        checked = checked_at is not None and coach is not None
        profile.skills.append(ParticipantSkill(
            label=label, concept_uri=_concept(label),
            confirmation=SkillConfirmation.COMPETENCE_CHECK if checked else SkillConfirmation.SELF_STATED,
            confirmed_by_id=coach.id if checked else None, confirmed_at=checked_at if checked else None,
        ))
    profile.languages = [ParticipantLanguage(language=lang, level=CEFRLevel(level))
                         for lang, level in plan["languages"].items()]
    profile.desired_fields = [DesiredField(field=fields[code], rank=rank)
                              for rank, code in enumerate(plan["wishes"], start=1)]
    profile.experiences = [
        WorkExperience(title=title, place=place, months=months, description=f"{title} for {_duration(months)}.")
        for (title, place), months in plan["experience"]
    ]
    if plan["education"]:
        (title, institution), recognition = plan["education"]
        profile.educations = [Education(title=title, institution=institution, recognition=recognition)]


def _add_actions(profile: ParticipantProfile, plan: dict, coach: User | None, today: date) -> None:
    for action, status, due in plan["actions"]:
        source = ActionSource(action["source"])
        author = coach if coach is not None and source != ActionSource.OWN else profile.user
        done = status == ActionStatus.DONE
        db.session.add(ActionPlanItem(
            profile_id=profile.id, title=action["title"], detail=action["detail"], source=source,
            status=status, created_by_id=author.id, due_date=due,
            completed_at=_at(min(due, today), 14) if done else None,
        ))


def _caseloads(rng: random.Random, coaches: list[User]) -> list[User | None]:
    """The coach of every participant: coach1 gets about 50 (incl. participant001), 20 have none."""
    others = list(range(1, N_PARTICIPANTS))
    rng.shuffle(others)
    result: list[User | None] = [None] * N_PARTICIPANTS
    for i in [0] + others[: N_COACH1 - 1]:
        result[i] = coaches[0]
    for n, i in enumerate(others[N_COACH1 - 1 + N_UNASSIGNED:]):
        result[i] = coaches[1 + n % (len(coaches) - 1)]
    return result


def _seed_participants(rng: random.Random, cat: dict, fields: dict[str, OccupationalField],
                       coaches: list[User], users: _Users, today: date) -> None:
    health_first = {0} | set(rng.sample(range(1, N_PARTICIPANTS), N_HEALTH_FIRST - 1))
    caseloads = _caseloads(rng, coaches)
    new_profiles = []
    for i in range(N_PARTICIPANTS):
        plan = _participant_plan(rng, cat, i in health_first)
        if i == 0:  # participant001 shows the oversupply advice: health care first, all consents given,
            # and a third wish (elderly care, the alternative with openings) so that several suggestions are real
            plan.update(consent_matching=True, consent_findable=True, consent_share_on_interest=True,
                        wishes=[*[w for w in plan["wishes"] if w != "elderly_care"][:2], "elderly_care"])
        locale = None if i == 0 else plan["locale"]  # participant001 follows the browser's language
        user, _created = users.get(Role.PARTICIPANT, _participant_email(i), plan["name"], locale=locale)
        if user.profile is None:
            user.profile = ParticipantProfile()
            _fill_profile(user.profile, plan, fields, caseloads[i])
            new_profiles.append((user.profile, plan, caseloads[i]))
    db.session.flush()  # ids for the action plan items
    for profile, plan, coach in new_profiles:
        _add_actions(profile, plan, coach, today)


# --- entry point --------------------------------------------------------------------------------------

def seed_demo(today: date | None = None) -> list[tuple[str, str, str]]:
    """Create the demo data (or find it again) and commit; return the demo logins (role, e-mail, password).

    The logins come in the order admin, HR users, coaches, participants (all share one password).
    """
    today = today or date.today()
    load_fields()
    rng = random.Random(SEED)
    cat = catalogue()
    fields = {f.code: f for f in db.session.scalars(select(OccupationalField))}
    users = _Users(_all_emails(cat))
    users.get(Role.ADMIN, f"admin@{DOMAIN}", "Demo Admin", locale=None)
    orgs, first_hr = _seed_organisations(cat, users)
    coaches = [users.get(Role.COACH, f"coach{n}@{DOMAIN}", name, locale=None)[0]
               for n, name in enumerate(COACHES, start=1)]
    db.session.flush()  # ids for positions, skill confirmations and action plans
    _seed_positions(rng, cat, fields, orgs, first_hr, today)
    _seed_participants(rng, cat, fields, coaches, users, today)
    db.session.flush()
    _seed_check_records(rng)
    db.session.commit()
    return users.logins


EXPERTS = ("Kari Nilsen, chef", "Ola Berg, care nurse", "Ingrid Dahl, master electrician", "Per Lunde, foreman",
           "Nina Aas, cleaning supervisor", "Jonas Vik, workshop leader")


def _seed_check_records(rng: random.Random) -> None:
    """Each demo skill marked as checked gets its competence-check record; each consent its history."""
    checked = db.session.scalars(
        select(ParticipantSkill).where(ParticipantSkill.confirmation == SkillConfirmation.COMPETENCE_CHECK,
                                       ~ParticipantSkill.id.in_(select(CompetenceCheck.skill_id)
                                                                .where(CompetenceCheck.skill_id.is_not(None))))
    ).all()
    for skill in checked:
        method = rng.choice((CheckMethod.PRACTICAL, CheckMethod.INTERVIEW, CheckMethod.BOTH))
        db.session.add(CompetenceCheck(
            profile_id=skill.profile_id, skill_id=skill.id, coach_id=skill.confirmed_by_id,
            expert_name=rng.choice(EXPERTS), method=method, result=CheckResult.CONFIRMED,
            joint_assessment="Shown with confidence in a practical task; we agreed it counts as confirmed.",
            checked_on=(skill.confirmed_at or datetime.now()).date()))
    has_history = select(ConsentEvent.profile_id)
    for profile in db.session.scalars(select(ParticipantProfile).where(~ParticipantProfile.id.in_(has_history))):
        for kind, attribute in ((ConsentKind.MATCHING, "consent_matching"), (ConsentKind.FINDABLE, "consent_findable"),
                                (ConsentKind.SHARE_ON_INTEREST, "consent_share_on_interest")):
            if getattr(profile, attribute):
                db.session.add(ConsentEvent(profile_id=profile.id, kind=kind, granted=True,
                                            actor_id=profile.user_id, at=profile.created_at))


def demo_logins() -> dict[str, list[str]]:
    """The demo accounts that exist, by role (empty before the first seed)."""
    rows = db.session.execute(select(User.role, User.email).where(User.email.endswith(f"@{DOMAIN}"))
                              .order_by(User.id)).all()
    logins: dict[str, list[str]] = {}
    for role, email in rows:
        logins.setdefault(role.value, []).append(email)
    return logins
