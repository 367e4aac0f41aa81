"""Demo data of Красноярский край (issue 18): the yearly ШНОР lists of Kansk and Kazachinsky
district, their curators, visits and recommendations, school roadmaps with progress reports,
municipal and regional events, and the regional part of the bank (Kansk Gymnasium № 1's
formative assessment project, from the seed).  The lists after the seeds are generated.
Loaded before the results (assessment/demo.py), which cover every demo school.  Idempotent."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import Role, User
from core.years import academic_year_bounds, current_academic_year
from curators.models import AssignmentRole, CuratorAssignment, Recommendation, RecommendationStatus, Visit, VisitKind
from events.models import (
    AudienceKind,
    Event,
    EventFormat,
    EventStatus,
    Material,
    MaterialKind,
    Registration,
    RegistrationStatus,
    Theme,
)
from events.services import event_questions_add_defaults
from roadmaps.models import Activity, Goal, PeriodKind, ProgressReport, ReportStatus, Roadmap, RoadmapStatus, Task
from roadmaps.selectors import roadmap_periods
from schools import services
from schools.demo import DEMO_PASSWORD
from schools.models import Order, Region

KANSK = "город Канск"
KAZACHINSKY = "Казачинский район"
REGION = "Красноярский край"

# Generated (the seeds give no lists for these years): ШНОР of each year, by short name.
LOW_LISTS = {
    KANSK: {
        -3: ["СШ № 4", "СШ № 7", "СШ № 11", "СШ № 19"],
        -2: ["СШ № 4", "СШ № 11", "СШ № 19", "СШ № 21"],
        -1: ["СШ № 11", "СШ № 19", "СШ № 21"],
        0: ["СШ № 18", "СШ № 21"],
    },
    KAZACHINSKY: {
        -3: ["МБОУ Галанинская ООШ", "МБОУ Дудовская школа"],
        -2: ["МБОУ Галанинская ООШ", "МБОУ Дудовская школа", "МБОУ Момотовская СОШ"],
        -1: ["МБОУ Дудовская школа", "МБОУ Момотовская СОШ"],
        0: ["МБОУ Момотовская СОШ"],
    },
}
ISSUERS = {
    KANSK: "Управление образования администрации города Канска",
    KAZACHINSKY: "Отдел образования администрации Казачинского района",
}

# Curators (generated names): username → (last, first, patronymic, position, own school)
CURATORS = {
    "curator_kansk_g1": ("Полякова", "Ирина", "Геннадьевна", "Заместитель директора по УВР", (KANSK, "Гимназия № 1")),
    "curator_kansk_l1": ("Громов", "Андрей", "Викторович", "Директор", (KANSK, "Лицей № 1")),
    "curator_kaz_rozhd": (
        "Фомина",
        "Галина",
        "Петровна",
        "Заместитель директора по УВР",
        (KAZACHINSKY, "МБОУ Рождественская СОШ"),
    ),
}


def _order(muni, number: str, date: datetime.date, title: str) -> Order:
    obj, _ = Order.objects.get_or_create(
        municipality=muni,
        number=number,
        date=date,
        defaults={"region": muni.region, "issuer": ISSUERS[muni.name], "title": title},
    )
    return obj


def _lists(ctx, admin, now: int) -> dict[str, dict[int, list]]:
    result: dict[str, dict[int, list]] = {}
    for name, lists in LOW_LISTS.items():
        muni = ctx.municipalities[name]
        result[name] = {}
        for offset, shorts in sorted(lists.items()):
            year = now + offset
            order = _order(
                muni,
                f"{120 + year - 2000}-од",
                datetime.date(year, 9, 3),
                f"Об утверждении перечня школ с низкими образовательными результатами на {year}-{year + 1} учебный год",
            )
            schools = [ctx.school(name, s) for s in shorts]
            services.status_list_set(
                municipality=muni, kind="low_results", year=year, schools=schools, order=order, user=admin
            )
            result[name][year] = schools
    return result


def _curator(ctx, username: str) -> User:
    last, first, patr, position, (muni, short) = CURATORS[username]
    school = ctx.school(muni, short)
    user, created = User.objects.update_or_create(
        username=username,
        defaults={
            "role": Role.CURATOR,
            "last_name": last,
            "first_name": first,
            "patronymic": patr,
            "position": position,
            "school": school,
            "municipality": school.municipality,
            "email": f"{username}@opora.local",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _curators_and_visits(ctx, lists, now: int) -> None:
    today = timezone.localdate()
    kansk = [_curator(ctx, "curator_kansk_g1"), _curator(ctx, "curator_kansk_l1")]
    kaz = _curator(ctx, "curator_kaz_rozhd")
    for name, curators in ((KANSK, kansk), (KAZACHINSKY, [kaz])):
        for year in (now - 2, now - 1, now):
            schools = lists[name][year]
            # This year one of Kansk's ШНОР is still waiting for its curator (coverage below 100 %).
            covered = schools[:-1] if name == KANSK and year == now else schools
            for i, school in enumerate(covered):
                CuratorAssignment.objects.get_or_create(
                    curator=curators[i % len(curators)], school=school, year=year, role=AssignmentRole.SCHOOL_CURATOR
                )
            first, _last = academic_year_bounds(year)
            for i, school in enumerate(covered):
                day = min(first + datetime.timedelta(days=40 + 30 * i), today)
                visit, created = Visit.objects.get_or_create(
                    school=school,
                    date=day,
                    defaults={
                        "curator": curators[i % len(curators)],
                        "kind": VisitKind.INTERVIEW if i % 2 == 0 else VisitKind.LESSONS,
                        "findings": "Проанализированы результаты ВПР и краевых диагностических работ; обсуждены "
                        "причины низких результатов и план адресной помощи учителям.",
                    },
                )
                if not created:
                    continue
                due = day + datetime.timedelta(days=30)
                done = year < now or i % 2 == 1
                Recommendation.objects.create(
                    visit=visit,
                    text="Разработать план работы с учителями, показывающими низкие результаты, по итогам анализа ККР",
                    owner_text="Заместитель директора по УВР",
                    due_date=due,
                    status=RecommendationStatus.DONE if done else RecommendationStatus.OPEN,
                    done_at=timezone.make_aware(
                        datetime.datetime.combine(due - datetime.timedelta(days=3), datetime.time(12))
                    )
                    if done
                    else None,
                )
                Recommendation.objects.create(
                    visit=visit,
                    text="Ввести приёмы формирующего оценивания в планы уроков математики и русского языка",
                    owner_text="Руководитель школьного методического объединения",
                    due_date=due + datetime.timedelta(days=60),
                    status=RecommendationStatus.OPEN,
                )


def _roadmaps(ctx, lists, now: int) -> None:
    """The last two years' roadmaps of the ШНОР with their half-year reports: most sent in
    time, a few late."""
    for name, year in ((n, y) for n in (KANSK, KAZACHINSKY) for y in (now - 2, now - 1)):
        for i, school in enumerate(lists[name][year]):
            first, last = academic_year_bounds(year)
            roadmap, created = Roadmap.objects.get_or_create(
                school=school,
                year=year,
                title="Дорожная карта повышения качества образования",
                defaults={
                    "start_date": first,
                    "end_date": last,
                    "period_kind": PeriodKind.HALF_YEAR,
                    "status": RoadmapStatus.APPROVED,
                },
            )
            if created:
                goal = Goal.objects.create(roadmap=roadmap, position=1, title="Повышение качества преподавания")
                task = Task.objects.create(goal=goal, position=1, title="Внедрение формирующего оценивания")
                Activity.objects.create(
                    task=task,
                    position=1,
                    title="Серия открытых уроков с использованием приёмов формирующего оценивания",
                    responsible_name="Заместитель директора по УВР",
                    due_date=last,
                )
            for k, period in enumerate(roadmap_periods(roadmap)):
                late = (i + k) % 3 == 2
                sent = period.due_date + datetime.timedelta(days=6 if late else -2)
                ProgressReport.objects.get_or_create(
                    roadmap=roadmap,
                    period_start=period.start,
                    defaults={
                        "period_end": period.end,
                        "due_date": period.due_date,
                        "status": ReportStatus.APPROVED,
                        "submitted_at": timezone.make_aware(datetime.datetime.combine(sent, datetime.time(15))),
                        "approved_at": timezone.make_aware(
                            datetime.datetime.combine(sent + datetime.timedelta(days=7), datetime.time(11))
                        ),
                    },
                )


def _event(title: str, start: datetime.datetime, *, municipality=None, region=None, **fields) -> Event:
    themes = fields.pop("themes", [])
    event, _ = Event.objects.update_or_create(
        title=title,
        start__year=start.year,
        municipality=municipality,
        region=region,
        defaults={**fields, "start": start, "end": start + datetime.timedelta(hours=3)},
    )
    if themes:
        event.themes.set(Theme.objects.filter(name__in=themes))
    if not event.questions.exists():
        event_questions_add_defaults(event=event)
    return event


def _attend(event: Event, school, names: list[str], attended: bool) -> None:
    for n, name in enumerate(names):
        Registration.objects.get_or_create(
            event=event,
            school=school,
            full_name=name,
            defaults={
                "position": "Учитель",
                "status": RegistrationStatus.REGISTERED,
                "attended": attended and n % 4 != 3,
            },
        )


TEACHERS = ["Абрамова Е. С.", "Белова Т. Н.", "Власова И. А.", "Гордеева О. П.", "Давыдова С. М."]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _events(ctx, lists, now: int) -> dict[str, Event]:
    region = Region.objects.get(name=REGION)
    kansk, kaz = ctx.municipalities[KANSK], ctx.municipalities[KAZACHINSKY]
    gymnasium = ctx.school(KANSK, "Гимназия № 1")
    rozhd = ctx.school(KAZACHINSKY, "МБОУ Рождественская СОШ")
    today = timezone.localdate()
    events = {}
    for year in (now - 2, now - 1, now):
        first, _last = academic_year_bounds(year)
        day = min(first + datetime.timedelta(days=55), today - datetime.timedelta(days=3))
        events[f"kansk{year}"] = _event(
            "Семинар-практикум «Приёмы формирующего оценивания на уроке»",
            _at(day, 10),
            municipality=kansk,
            host_school=gymnasium,
            format=EventFormat.SEMINAR_PRACTICUM,
            status=EventStatus.HELD,
            audience_kind=AudienceKind.MANAGEMENT_LOW_RESULTS,
            goal="Освоение педагогами школ с низкими результатами приёмов формирующего оценивания",
            themes=["Формирующее оценивание"],
        )
        events[f"kaz{year}"] = _event(
            "Районный педагогический форум эффективных образовательных практик",
            _at(day + datetime.timedelta(days=7), 10),
            municipality=kaz,
            host_school=rozhd,
            format=EventFormat.FORUM,
            status=EventStatus.HELD,
            audience_kind=AudienceKind.MANAGEMENT_ALL,
            goal="Демонстрация управленческих и педагогических практик опорной площадки",
        )
        events[f"region{year}"] = _event(
            "Краевой семинар «Формирующее оценивание как основа внутришкольной системы оценки качества»",
            _at(day + datetime.timedelta(days=14), 11),
            region=region,
            host_school=gymnasium,
            format=EventFormat.SEMINAR,
            status=EventStatus.HELD,
            audience_kind=AudienceKind.MANAGEMENT_LOW_RESULTS,
            audience="Управленческие команды ШНОР Красноярского края",
            goal="Распространение опыта МАОУ «Гимназия № 1» г. Канска по внедрению формирующего оценивания",
            themes=["Формирующее оценивание"],
        )
        for key, schools in (
            (f"kansk{year}", lists[KANSK][year]),
            (f"kaz{year}", lists[KAZACHINSKY][year]),
            (f"region{year}", lists[KANSK][year] + lists[KAZACHINSKY][year]),
        ):
            for i, school in enumerate(schools):
                if key.startswith("kaz") and i == len(schools) - 1 and year == now:
                    continue  # one ШНОР of the district has taken part in nothing yet this year
                _attend(events[key], school, TEACHERS[: 2 + i % 3], attended=True)
    # An upcoming regional webinar, open to every municipality of the region.
    start = _at(today + datetime.timedelta(days=12), 14)
    events["upcoming"] = _event(
        "Краевой вебинар «Анализ результатов краевых диагностических работ для управленческих команд»",
        start,
        region=region,
        format=EventFormat.WEBINAR,
        status=EventStatus.PLANNED,
        audience_kind=AudienceKind.MANAGEMENT_ALL,
        link="https://webinar.example.ru/kdr",
        registration_deadline=start - datetime.timedelta(days=1),
    )
    return events


def _bank(ctx, events) -> None:
    facts = next(m for m in ctx.facts["municipalities"] if m["name"] == KANSK)
    region = Region.objects.get(name=REGION)
    for project in facts.get("school_projects", []):
        tasks = "\n".join(f"— {t}" for t in project["tasks"])
        material, _ = Material.objects.update_or_create(
            region=region,
            title=f"Проект «{project['title']}»",
            defaults={
                "kind": MaterialKind.PRACTICE,
                "school": ctx.school(KANSK, project["school"]),
                "authors": "Проектная команда МАОУ «Гимназия № 1» г. Канска",
                "description": f"Цель проекта: {project['goal']}.\nЗадачи:\n{tasks}",
                "year": current_academic_year() - 1,
            },
        )
        material.themes.set(Theme.objects.filter(name="Формирующее оценивание"))
        material.events.set([e for k, e in events.items() if k.startswith("region")][:1])


def load(ctx) -> None:
    if KANSK not in ctx.municipalities:
        return
    admin = ctx.users["admin"]
    now = current_academic_year()
    lists = _lists(ctx, admin, now)
    _curators_and_visits(ctx, lists, now)
    _roadmaps(ctx, lists, now)
    events = _events(ctx, lists, now)
    _bank(ctx, events)
