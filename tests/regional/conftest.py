"""Region A of the shared world with two years of data in both municipalities: results of
unequal group sizes (so a pooled figure differs from an average of the municipalities'),
ШНОР lists, curators, visits, recommendations, roadmap reports, events — municipal and
regional — with attendance.  Region B (B1) has data too and must never show."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from core.years import academic_year_bounds, current_academic_year
from tests.factories import OrderFactory, SchoolFactory

# ВПР mathematics, grade 5, max 20: per school and year a list of scores (marks follow them).
SCORES = {
    "A1S1": {0: [4, 5, 6, 7, 8, 9], -1: [6, 7, 8, 9, 10, 11]},
    "A1S2": {0: [14, 15, 16, 17, 18, 19, 20, 12, 13, 15], -1: [13, 14, 15, 16, 17, 18]},
    "A1S3": {0: [10, 11, 12, 13, 14, 15], -1: [10, 11, 12, 13, 14, 15]},
    "A2S1": {0: [6, 8, 9, 10, 11], -1: [8, 9, 10, 11, 12]},
    "A2S2": {0: [16, 17, 18, 19, 20] * 6, -1: [15, 16, 17, 18, 19] * 6},
    "A2S3": {0: [11, 12, 13, 14, 15, 16, 17], -1: [11, 12, 13, 14, 15]},
    "B1S1": {0: [1, 2, 3, 4, 5], -1: [10, 11, 12, 13, 14]},
}


def mark(score: int, max_score: int = 20) -> int:
    share = score / max_score
    return 5 if share >= 0.85 else 4 if share >= 0.65 else 3 if share >= 0.4 else 2


@pytest.fixture
def region(world):
    """``world`` plus: A2 has three schools; results of the year and the year before, analysed;
    ШНОР (A1: S1 both years, S2 this year; A2: S1 last year only), a curator of A1S1 this year,
    two visits with an overdue recommendation, a held municipal event of A1 and a held regional
    event of region A attended from both municipalities."""
    from assessment.models import Procedure, Result, Subject
    from assessment.services import analysis_run
    from curators.models import AssignmentRole, CuratorAssignment, Recommendation, RecommendationStatus, Visit
    from events.models import Event, EventFormat, EventStatus, Registration, RegistrationStatus
    from schools.models import SchoolStatus, StatusKind

    w = world
    year = current_academic_year() - 1
    w.year = year
    w.a2_school2 = SchoolFactory(municipality=w.a2, code="A2S2", short_name="СШ № 5")
    w.a2_school3 = SchoolFactory(municipality=w.a2, code="A2S3", short_name="СШ № 7")
    schools = {
        s.code: s
        for s in (
            w.a1_school1,
            w.a1_school2,
            w.a1_curator_school,
            w.a2_school1,
            w.a2_school2,
            w.a2_school3,
            w.b1_school1,
        )
    }
    vpr, maths = Procedure.objects.get(code="ВПР"), Subject.objects.get(name="Математика")
    rows = [
        Result(
            school=schools[code],
            year=year + offset,
            procedure=vpr,
            subject=maths,
            grade=5,
            student_code=f"{code}-{offset}-{n}",
            score=score,
            max_score=20,
            mark=mark(score),
        )
        for code, by_year in SCORES.items()
        for offset, scores in by_year.items()
        for n, score in enumerate(scores)
    ]
    Result.objects.bulk_create(rows)
    analysis_run(years=[year - 1, year], trigger="test")

    order_a1, order_a2 = OrderFactory(municipality=w.a1), OrderFactory(municipality=w.a2)
    SchoolStatus.objects.create(school=w.a1_school1, kind=StatusKind.LOW_RESULTS, year_from=year - 1, order=order_a1)
    SchoolStatus.objects.create(school=w.a1_school2, kind=StatusKind.LOW_RESULTS, year_from=year, order=order_a1)
    SchoolStatus.objects.create(
        school=w.a2_school1, kind=StatusKind.LOW_RESULTS, year_from=year - 1, year_to=year - 1, order=order_a2
    )
    SchoolStatus.objects.create(
        school=w.b1_school1, kind=StatusKind.LOW_RESULTS, year_from=year - 1, order=OrderFactory(municipality=w.b1)
    )
    CuratorAssignment.objects.create(
        curator=w.curator, school=w.a1_school1, year=year, role=AssignmentRole.SCHOOL_CURATOR
    )
    first, _last = academic_year_bounds(year)
    visits = [
        Visit.objects.create(
            school=w.a1_school1, curator=w.curator, kind="interview", date=first + datetime.timedelta(days=30)
        ),
        Visit.objects.create(
            school=w.a1_school1, curator=w.curator, kind="lessons", date=first + datetime.timedelta(days=90)
        ),
        Visit.objects.create(
            school=w.a1_school1, curator=w.curator, kind="lessons", date=first - datetime.timedelta(days=30)
        ),
    ]
    # Overdue on the year's last day (and today): open, due within the year.
    Recommendation.objects.create(visit=visits[0], text="План", due_date=first + datetime.timedelta(days=60))
    # Done in time: not overdue.
    Recommendation.objects.create(
        visit=visits[1],
        text="Уроки",
        due_date=first + datetime.timedelta(days=120),
        status=RecommendationStatus.DONE,
        done_at=timezone.make_aware(datetime.datetime.combine(first + datetime.timedelta(days=100), datetime.time(12))),
    )
    held_at = timezone.make_aware(datetime.datetime.combine(first + datetime.timedelta(days=50), datetime.time(10)))
    municipal = Event.objects.create(
        municipality=w.a1,
        format=EventFormat.SEMINAR,
        title="Семинар А1",
        status=EventStatus.HELD,
        start=held_at,
        end=held_at + datetime.timedelta(hours=2),
    )
    regional = Event.objects.create(
        region=w.region_a,
        host_school=w.a2_school2,
        format=EventFormat.CONFERENCE,
        title="Краевая конференция",
        status=EventStatus.HELD,
        start=held_at + datetime.timedelta(days=5),
        end=held_at + datetime.timedelta(days=5, hours=3),
    )
    for event, school, n in ((municipal, w.a1_school1, 3), (regional, w.a1_school2, 2), (regional, w.a2_school3, 4)):
        for i in range(n):
            Registration.objects.create(
                event=event,
                school=school,
                full_name=f"Учитель {school.code} {i}",
                status=RegistrationStatus.REGISTERED,
                attended=i < n - 1 or n == 2,
            )
    w.events = SimpleNamespace(municipal=municipal, regional=regional)
    return w
