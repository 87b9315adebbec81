"""Plain factory functions for tests: each makes one realistic object and commits it."""
from __future__ import annotations

import itertools
import time
from contextlib import contextmanager

from mimi_match.extensions import db
from mimi_match.models import (
    OccupationalField,
    Organisation,
    ParticipantProfile,
    Position,
    PositionKind,
    PositionSkill,
    PositionStatus,
    Role,
    User,
)
from mimi_match.models.base import utcnow
from mimi_match.services.accounts import start_session
from mimi_match.services.passwords import hash_password
from mimi_match.vocabulary import vocabulary

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def create_organisation(name: str | None = None, **kw) -> Organisation:
    org = Organisation(name=name or f"Employer {next(_seq)}", sector=kw.pop("sector", "Care"), **kw)
    db.session.add(org)
    db.session.commit()
    return org


def create_user(role: Role | str = Role.PARTICIPANT, *, email: str | None = None, password: str = PASSWORD,
                organisation: Organisation | None = None, **kw) -> User:
    role = Role(role)
    n = next(_seq)
    if role == Role.HR and organisation is None:
        organisation = create_organisation()
    user = User(
        email=email or f"{role.value}{n}@example.org",
        password_hash=hash_password(password),
        role=role,
        display_name=kw.pop("display_name", f"{role.value.title()} {n}"),
        organisation=organisation,
        email_verified_at=kw.pop("email_verified_at", utcnow()),
        **kw,
    )
    if role == Role.PARTICIPANT:
        user.profile = ParticipantProfile()
    db.session.add(user)
    db.session.commit()
    return user


def create_field(code: str | None = None, name: str = "Elderly care") -> OccupationalField:
    field = OccupationalField(code=code or f"field{next(_seq)}", isco_codes=["5322"],
                              names={"en": name, "nb": "Eldreomsorg"})
    db.session.add(field)
    db.session.commit()
    return field


def create_position(organisation: Organisation, field: OccupationalField | None = None,
                    required_skill: str | None = "clean building floors", **kw) -> Position:
    """An open vacancy (published now) with one required skill from the vocabulary."""
    status = kw.pop("status", PositionStatus.OPEN)
    position = Position(
        organisation=organisation,
        field=field or create_field(),
        kind=kw.pop("kind", PositionKind.VACANCY),
        status=status,
        title=kw.pop("title", "Care assistant"),
        published_at=kw.pop("published_at", utcnow() if status == PositionStatus.OPEN else None),
        **kw,
    )
    if required_skill:
        position.skills = [PositionSkill(label=required_skill, required=True,
                                         concept_uri=vocabulary().resolve(required_skill))]
    db.session.add(position)
    db.session.commit()
    return position


def login_as(client, user: User) -> None:
    """Log ``client`` in as ``user`` by opening a real server-side session (no login form)."""
    token = start_session(user)
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True


@contextmanager
def running_workers(app):
    """The app's workers (matching and mail) running in threads of this process, as beside a live server."""
    from huey.consumer import Consumer

    from mimi_match.jobs import jobs_of

    consumers = [Consumer(huey, workers=1, periodic=False, initial_delay=0.02, backoff=1.1, max_delay=0.2)
                 for huey in jobs_of(app).queues.values()]
    for consumer in consumers:
        consumer._set_signal_handlers = lambda: None  # the test runner keeps its own
        consumer.start()
    try:
        yield
    finally:
        for consumer in consumers:
            consumer.stop(graceful=True)


def wait_for(condition, timeout: float = 30.0, every: float = 0.1):
    """Poll ``condition()`` until it returns something true (then return it), or fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {getattr(condition, '__doc__', '') or condition}")
        time.sleep(every)
