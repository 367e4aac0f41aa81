"""A roadmap of a1_school1 for the current academic year (half-year reports) with one goal,
one task and two activities with measurable indicators; helpers to walk a report through
the workflow."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.years import academic_year_bounds, current_academic_year
from roadmaps import services
from roadmaps.models import Activity, Indicator, Roadmap, RoadmapStatus


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_roadmap(school=None, municipality=None, year=None, title="Дорожная карта", n_activities=2, **kw):
    year = year or current_academic_year()
    start, end = academic_year_bounds(year)
    roadmap = Roadmap.objects.create(
        school=school,
        owner_municipality=municipality,
        title=title,
        year=year,
        start_date=start,
        end_date=end,
        status=kw.pop("status", RoadmapStatus.APPROVED),
        **kw,
    )
    goal = roadmap.goals.create(title="Внедрить формирующее оценивание", position=1)
    task = goal.tasks.create(title="Сформировать компетенции педагогов", position=1)
    for n in range(1, n_activities + 1):
        activity = Activity.objects.create(
            task=task,
            position=n,
            title=f"Мероприятие {n} ({title})",
            responsible_name="Петрова И. В.",
            responsible_position="заместитель директора",
            start_date=start + datetime.timedelta(days=10),
            due_date=start + datetime.timedelta(days=100),
            expected_result="Педагоги применяют приёмы",
        )
        Indicator.objects.create(activity=activity, name=f"Доля педагогов {n}", unit="%", baseline=20, target=60)
    return roadmap


@pytest.fixture
def plan(world):
    roadmap = make_roadmap(world.a1_school1)
    report = services.progress_report_create(user=world.school_admin, roadmap=roadmap, period_start=roadmap.start_date)
    return SimpleNamespace(roadmap=roadmap, report=report)


def fill(report, user, status="in_progress", value=Decimal("35"), **extra):
    """Save every entry with the status and the same actual value for every indicator."""
    entries = {}
    for entry in report.entries.select_related("activity"):
        entries[entry.pk] = {
            "status": status,
            "comment": "Проведено",
            "cancel_reason": extra.get("cancel_reason", ""),
            "evidence_link": "",
            "actuals": {i.pk: value for i in entry.activity.indicators.all()},
        }
    return services.progress_report_save(user=user, report=report, version=report.version, entries=entries)


def to_state(report, world, state):
    """Walk a report to ``state`` (submitted / accepted / approved) as the right people."""
    report = fill(report, world.school_admin)
    report = services.progress_report_submit(user=world.school_admin, report=report)
    if state == "submitted":
        return report
    report = services.progress_report_accept(user=world.curator, report=report)
    if state == "accepted":
        return report
    return services.progress_report_approve(user=world.coordinator, report=report)
