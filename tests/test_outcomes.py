"""Outcomes and the fairness view: figures on a crafted data set equal hand-computed values, small groups are
withheld, the CSV opens, and only coaches and administrators see any of it."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest

from mimi_match.extensions import db
from mimi_match.models import (
    CEFRLevel,
    Match,
    MatchEvent,
    MatchStatus,
    ParticipantLanguage,
    Placement,
    PlacementOutcome,
    PlacementStatus,
    PositionKind,
    Role,
)
from mimi_match.services.outcomes import (
    FunnelRecord,
    PlacementRecord,
    compute_funnel,
    compute_outcomes,
)

from .factories import create_position, create_user

D = date(2026, 3, 1)


def _placement(pid, status, outcome=None, kind=PositionKind.MICRO_INTERNSHIP, start=D, registered=D):
    return PlacementRecord(pid, 1, "Oslo", kind, status, outcome, start, registered)


def test_outcome_figures_equal_the_hand_counted_ones():
    records = [_placement(p, PlacementStatus.COMPLETED, PlacementOutcome.JOB_OFFER,
                          start=D + timedelta(days=10 + p), registered=D) for p in range(1, 13)]  # 12 people
    records += [_placement(p, PlacementStatus.COMPLETED, PlacementOutcome.FURTHER_TRAINING) for p in range(13, 16)]
    records += [_placement(p, PlacementStatus.ACTIVE, kind=PositionKind.VACANCY) for p in range(16, 28)]
    result = compute_outcomes(records, k=10)
    assert result.participants.value == 27
    assert result.by_status["completed"].value == 15 and result.by_status["completed"].shown
    assert result.by_status["active"].value == 12
    assert result.by_status["planned"].value == 0 and result.by_status["planned"].shown  # zero is shown
    assert result.by_outcome["job_offer"].value == 12
    assert not result.by_outcome["further_training"].shown  # 3 people: withheld
    assert result.micro_ended.value == 15 and result.micro_offers.value == 12
    # first placements: 10+p days after registration for p = 1..12, 0 days for 13..27 → median of 27 values
    days = sorted([10 + p for p in range(1, 13)] + [0] * 15)
    assert result.median_days_to_first.value == days[13]


def test_steps_passed_are_counted_from_the_first_to_the_furthest():
    from mimi_match.services.outcomes import passed

    assert passed(["suggested", "approved", "interested", "offer"]) == {"suggested", "approved", "interested",
                                                                       "invited", "offer"}
    assert passed(["interested", "placed"]) == {"interested", "invited", "offer", "placed"}  # applied directly
    assert passed([]) == frozenset()


def test_the_funnel_per_group_with_rates_and_small_groups_withheld():
    def rec(pid, steps, band, language="ar"):
        return FunnelRecord(pid, 1, "Oslo", 2026, frozenset(steps), band, language)

    full = ("suggested", "approved", "interested", "invited", "offer", "placed")
    records = [rec(p, full[:6 if p <= 10 else 3], "B") for p in range(1, 21)]  # 20 people with B levels
    records += [rec(p, full[:2], "A", "uk") for p in range(21, 25)]  # 4 people with A levels: too few
    rows = {row.group: row for row in compute_funnel(records, lambda r: r.band, k=10)}
    b = rows["B"]
    assert b.shown and b.people == 20
    assert b.counts["suggested"].value == 20 and b.counts["interested"].value == 20
    assert b.counts["invited"].value == 10 and b.rates["invited"] == pytest.approx(0.5)
    assert b.rates["placed"] == pytest.approx(1.0)
    assert not rows["A"].shown
    by_language = {row.group: row for row in compute_funnel(records, lambda r: r.first_language, k=10)}
    assert by_language["ar"].shown and not by_language["uk"].shown


@pytest.fixture
def placed_people(users):
    """Twelve participants with A2 in the host language, each with a completed micro-internship and an offer."""
    hr = users["hr"]
    position = create_position(hr.organisation, title="Kitchen helper", kind=PositionKind.MICRO_INTERNSHIP,
                               duration_weeks=4)
    for _n in range(12):
        person = create_user(Role.PARTICIPANT)
        person.profile.languages.append(ParticipantLanguage(language="nb", level=CEFRLevel.A2))
        person.profile.languages.append(ParticipantLanguage(language="ar", level=CEFRLevel.C2))
        match = Match(profile_id=person.profile.id, position_id=position.id, status=MatchStatus.COMPLETED)
        path = (None, MatchStatus.SUGGESTED, MatchStatus.APPROVED, MatchStatus.INTERESTED, MatchStatus.OFFERED,
                MatchStatus.PLACED)
        for before, after in zip(path, path[1:], strict=False):
            match.events.append(MatchEvent(from_status=before, to_status=after, at=datetime(2026, 3, 1)))
        db.session.add(match)
        db.session.flush()
        db.session.add(Placement(match_id=match.id, start_date=date(2026, 4, 1), end_date=date(2026, 4, 28),
                                 status=PlacementStatus.COMPLETED, outcome=PlacementOutcome.JOB_OFFER))
    db.session.commit()


def test_the_outcomes_page_and_its_csv(app, users, login, placed_people):
    coach = login(users["coach"])
    page = coach.get("/outcomes/").get_data(as_text=True)
    assert "Placements by status" in page and "Fairness" in page and "A1–A2" in page and "العربية" in page
    response = coach.get("/outcomes/outcomes.csv?year=2026")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by = {(r["table"], r["group"], r["measure"]): r for r in rows}
    assert by[("placements", "outcome", "job_offer")]["value"] == "12"
    assert by[("micro_internships", "job_offer", "count")]["value"] == "12"
    assert by[("funnel_by_level", "A", "placed")]["value"] == "12"
    assert by[("funnel_by_first_language", "ar", "invited")]["value"] == "12"  # an offer passes "invited"
    # another year: nothing; a bigger k withholds everything that is not zero
    assert "Nothing recorded yet." in coach.get("/outcomes/?year=2020").get_data(as_text=True)
    app.config["OUTCOMES_MIN_GROUP"] = 50
    rows = list(csv.DictReader(io.StringIO(coach.get("/outcomes/outcomes.csv").get_data(as_text=True))))
    job = next(r for r in rows if r["measure"] == "job_offer" and r["table"] == "placements")
    assert job["value"] == "" and job["people"] == "<50"
    for role in ("participant", "hr"):
        assert login(users[role]).get("/outcomes/").status_code == 403
