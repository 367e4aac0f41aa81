"""Demo roadmaps (idempotent).

- Лицей № 9 (Kamensk-Uralsky): last year's roadmap 2025/2026 (half-years: the first report
  approved and frozen, the second accepted by the curator and waiting for the coordinator),
  and this year's 2026/2027 roadmap (quarters: the first report submitted to the curator,
  the current one a draft).  Goals and tasks follow the formative-assessment project of
  Гимназия № 1, Kansk.
- Gelendzhik's municipal roadmap «Введение технологии формирующего оценивания», from the
  municipality's model of introducing formative assessment.

Report states are reached through the services, as the people would do it."""

import datetime
from decimal import Decimal

from roadmaps import services
from roadmaps.models import (
    Activity,
    ActivityStatus,
    DocumentKind,
    DocumentStatus,
    Indicator,
    PeriodKind,
    ProgressReport,
    ReportStatus,
    Roadmap,
    RoadmapStatus,
    SchoolDocument,
)
from schools.models import RiskFactor

KAMENSK = "Каменск-Уральский городской округ"
GELENDZHIK = "муниципальное образование город-курорт Геленджик"

GOAL = (
    "Изменить систему оценочной деятельности в школе через внедрение формирующего оценивания "
    "в практику как средства управления достижением образовательных результатов ФГОС"
)
TASK_COMPETENCE = (
    "Сформировать компетенции в области оценивания у учеников, педагогов и управленцев и способы работы "
    "с результатами оценочных процедур в поддерживающем ключе"
)
TASK_DYNAMICS = (
    "Обеспечить положительную динамику предметных, метапредметных и личностных результатов через "
    "включение учеников в контрольно-оценочную деятельность"
)
TASK_PRACTICES = (
    "Выделить наиболее эффективные техники формирующего оценивания и представить практику в методическом сборнике"
)

# (task, title, responsible, position, start, due, expected result, risk short name, indicators)
# indicator: (name, unit, baseline, target, actuals by period start)
PLAN_2025 = [
    (
        TASK_COMPETENCE,
        "Цикл семинаров-практикумов «Формирующее оценивание — оценивание для развития» для педагогов",
        "Петрова Ирина Викторовна",
        "заместитель директора по УВР",
        (2025, 9, 15),
        (2026, 3, 31),
        "Педагоги владеют приёмами формирующего оценивания и применяют их на уроках",
        "Компетентность",
        [
            (
                "Доля педагогов, применяющих приёмы формирующего оценивания",
                "%",
                20,
                60,
                {(2025, 9, 1): 34, (2026, 1, 1): 52},
            ),
        ],
    ),
    (
        TASK_DYNAMICS,
        "Введение листов самооценки и критериального оценивания в 5–7 классах",
        "Соколова Анна Петровна",
        "руководитель ШМО учителей математики",
        (2025, 10, 1),
        (2026, 5, 31),
        "Ученики 5–7 классов оценивают свои работы по критериям; снижается доля «2» по ВПР",
        "Неуспешность",
        [
            ("Доля «2» по ВПР по математике, 5–7 классы", "%", 18, 10, {(2025, 9, 1): 16, (2026, 1, 1): 12}),
        ],
    ),
    (
        TASK_PRACTICES,
        "Подготовка методического сборника практик формирующего оценивания",
        "Петрова Ирина Викторовна",
        "заместитель директора по УВР",
        (2026, 1, 15),
        (2026, 6, 30),
        "Сборник практик педагогов лицея опубликован и представлен городскому методическому объединению",
        "",
        [("Число практик, описанных в сборнике", "шт.", 0, 12, {(2026, 1, 1): 9})],
    ),
]

PLAN_2026 = [
    (
        TASK_COMPETENCE,
        "Методические дни с посещением уроков и анализом приёмов обратной связи (ежемесячно)",
        "Петрова Ирина Викторовна",
        "заместитель директора по УВР",
        (2026, 9, 10),
        (2027, 5, 20),
        "Каждый педагог получил обратную связь по применению приёмов формирующего оценивания",
        "Компетентность",
        [
            ("Доля педагогов, применяющих приёмы формирующего оценивания", "%", 52, 80, {(2026, 9, 1): 58}),
            ("Число посещённых и проанализированных уроков", "шт.", 0, 60, {(2026, 9, 1): 14}),
        ],
    ),
    (
        TASK_DYNAMICS,
        "Портфолио учебных достижений и саморефлексия учеников 8–9 классов",
        "Кузнецов Дмитрий Олегович",
        "классный руководитель 9 «А»",
        (2026, 9, 15),
        (2027, 4, 30),
        "Ученики 8–9 классов ведут портфолио и ставят учебные цели; растёт успеваемость по ОГЭ",
        "Мотивация",
        [("Успеваемость по ОГЭ по математике", "%", 88, 95, {(2026, 9, 1): 88})],
    ),
    (
        TASK_DYNAMICS,
        "Индивидуальные образовательные маршруты для учеников группы риска по итогам ВПР",
        "Соколова Анна Петровна",
        "руководитель ШМО учителей математики",
        (2026, 9, 20),
        (2026, 10, 31),
        "Для каждого ученика группы риска составлен и выполняется маршрут",
        "Неуспешность",
        [("Доля учеников группы риска с индивидуальным маршрутом", "%", 40, 100, {(2026, 9, 1): 75})],
    ),
    (
        TASK_PRACTICES,
        "Участие в муниципальном педагогическом фестивале с практиками формирующего оценивания",
        "Петрова Ирина Викторовна",
        "заместитель директора по УВР",
        (2027, 2, 1),
        (2027, 4, 30),
        "Педагоги лицея представили практики на фестивале; практики включены в банк практик",
        "",
        [("Число педагогов — участников фестиваля", "чел.", 2, 8, {})],
    ),
]

GELENDZHIK_PLAN = [
    (
        "Создать условия для внедрения технологии формирующего оценивания во всех школах муниципалитета",
        [
            (
                "Организовать методическую поддержку ШНОР силами Центра развития образования и школ-лидеров",
                [
                    (
                        "Еженедельные методические дни с посещением уроков и анализом опыта педагогов",
                        "Центр развития образования",
                        "методисты",
                        (2026, 9, 7),
                        (2027, 5, 28),
                        "Опыт педагогов изучен; педагоги получают адресную помощь",
                        [("Число проведённых методических дней", "шт.", 0, 30)],
                    ),
                    (
                        "Семинар-практикум «Система работы администрации школы по повышению качества образования»",
                        "Центр развития образования",
                        "методист",
                        (2026, 10, 1),
                        (2026, 12, 20),
                        "Администрации ШНОР используют результаты оценочных процедур в управлении",
                        [("Доля ШНОР, принявших участие", "%", 0, 100)],
                    ),
                ],
            ),
            (
                "Распространить успешные практики формирующего оценивания",
                [
                    (
                        "Мастер-класс «Приёмы формирования положительной мотивации к учебной деятельности»",
                        "Городское методическое объединение",
                        "руководитель ГМО",
                        (2026, 11, 1),
                        (2027, 2, 28),
                        "Педагоги освоили приёмы формирующего оценивания на практике",
                        [("Число педагогов — участников мастер-классов", "чел.", 0, 120)],
                    ),
                    (
                        "Сборник «Формирующее оценивание: приёмы и возможности использования на уроках»",
                        "Центр развития образования",
                        "редакционная группа",
                        (2027, 1, 15),
                        (2027, 6, 30),
                        "Сборник успешных практик издан и передан школам края",
                        [("Число практик в сборнике", "шт.", 0, 25)],
                    ),
                    (
                        "Педагогический фестиваль практик формирующего оценивания",
                        "Муниципальная рабочая группа",
                        "координатор",
                        (2027, 3, 1),
                        (2027, 4, 30),
                        "Школы-лидеры и ШНОР представили практики; лучшие включены в банк практик",
                        [("Число школ — участников фестиваля", "шт.", 0, 16)],
                    ),
                ],
            ),
        ],
    ),
]


def _d(t) -> datetime.date:
    return datetime.date(*t)


def _build(roadmap: Roadmap, plan, factors) -> dict:
    """Create the goal → tasks → activities → indicators tree; returns actuals to record."""
    goal, _ = roadmap.goals.get_or_create(title=GOAL, defaults={"position": 1})
    actuals = {}
    for n, (task_title, title, person, position, start, due, result, risk, indicators) in enumerate(plan, 1):
        task, _ = goal.tasks.get_or_create(title=task_title, defaults={"position": n})
        activity, _ = Activity.objects.update_or_create(
            task=task,
            title=title,
            defaults={
                "position": n,
                "responsible_name": person,
                "responsible_position": position,
                "start_date": _d(start),
                "due_date": _d(due),
                "expected_result": result,
                "risk_factor": factors.get(risk),
            },
        )
        for name, unit, baseline, target, values in indicators:
            indicator, _ = Indicator.objects.update_or_create(
                activity=activity, name=name, defaults={"unit": unit, "baseline": baseline, "target": target}
            )
            actuals[indicator.pk] = {_d(k): Decimal(v) for k, v in values.items()}
    return actuals


def _report(roadmap, period_start, actuals, state, users, *, statuses, comment=""):
    """Create a report for the period and walk it to ``state`` through the services."""
    existing = ProgressReport.objects.filter(roadmap=roadmap, period_start=period_start).first()
    if existing:
        return existing
    school_user, curator, coordinator = users
    report = services.progress_report_create(user=school_user, roadmap=roadmap, period_start=period_start)
    entries = {}
    for entry in report.entries.select_related("activity").prefetch_related("activity__indicators"):
        status = next(
            (v for k, v in statuses.items() if entry.activity.title.startswith(k)), ActivityStatus.IN_PROGRESS
        )
        entries[entry.pk] = {
            "status": status,
            "comment": "Проведено по плану; материалы в папке методической службы."
            if status == "done"
            else "Работа продолжается.",
            "evidence_link": "https://licey9-ku.example.ru/metod/fo" if status == "done" else "",
            "actuals": {i.pk: actuals.get(i.pk, {}).get(period_start) for i in entry.activity.indicators.all()},
        }
    report = services.progress_report_save(user=school_user, report=report, version=report.version, entries=entries)
    if state == ReportStatus.DRAFT:
        return report
    report = services.progress_report_submit(user=school_user, report=report)
    if state == ReportStatus.SUBMITTED:
        return report
    first = report.entries.order_by("pk").first()
    services.progress_report_accept(user=curator, report=report, comments={first.pk: comment} if comment else None)
    if state == ReportStatus.ACCEPTED:
        return report
    return services.progress_report_approve(user=coordinator, report=report)


def load(ctx) -> None:
    factors = {f.short_name: f for f in RiskFactor.objects.all()}
    school = ctx.school(KAMENSK, "Лицей № 9")
    users = (ctx.users["school"], ctx.users["curator"], ctx.users["coordinator"])

    last, _ = Roadmap.objects.get_or_create(
        school=school,
        year=2025,
        title="Дорожная карта перехода в эффективный режим работы: формирующее оценивание",
        defaults={
            "start_date": datetime.date(2025, 9, 1),
            "end_date": datetime.date(2026, 8, 31),
            "period_kind": PeriodKind.HALF_YEAR,
            "status": RoadmapStatus.APPROVED,
        },
    )
    actuals = _build(last, PLAN_2025, factors)
    done_2025 = {"Цикл семинаров-прак": ActivityStatus.DONE}
    _report(
        last,
        datetime.date(2025, 9, 1),
        actuals,
        ReportStatus.APPROVED,
        users,
        statuses={},
        comment="Хорошо: приложите программу семинаров.",
    )
    _report(
        last,
        datetime.date(2026, 1, 1),
        actuals,
        ReportStatus.ACCEPTED,
        users,
        statuses={**done_2025, "Подготовка методичес": ActivityStatus.DONE, "Введение листов само": "done"},
        comment="Результаты ВПР подтверждают динамику.",
    )

    current, _ = Roadmap.objects.get_or_create(
        school=school,
        year=2026,
        title="Дорожная карта 2026/2027: формирующее оценивание как основа внутришкольной системы оценки качества",
        defaults={
            "start_date": datetime.date(2026, 9, 1),
            "end_date": datetime.date(2027, 8, 31),
            "period_kind": PeriodKind.QUARTER,
            "status": RoadmapStatus.APPROVED,
        },
    )
    actuals = _build(current, PLAN_2026, factors)
    _report(
        current,
        datetime.date(2026, 9, 1),
        actuals,
        ReportStatus.SUBMITTED,
        users,
        statuses={"Индивидуальные образ": ActivityStatus.DONE, "Участие в муниципаль": "not_started"},
    )
    _report(
        current,
        datetime.date(2026, 11, 1),
        {},
        ReportStatus.DRAFT,
        users,
        statuses={"Участие в муниципаль": "not_started"},
    )

    SchoolDocument.objects.get_or_create(
        school=school,
        kind=DocumentKind.MEDIUM_TERM,
        year=2026,
        defaults={
            "title": "Среднесрочная программа развития МАОУ «Лицей № 9» на 2026–2028 годы",
            "status": DocumentStatus.APPROVED,
            "curator_comment": "Программа согласована; мероприятия отражены в дорожной карте.",
        },
    )
    SchoolDocument.objects.get_or_create(
        school=school,
        kind=DocumentKind.ANTI_RISK,
        year=2026,
        risk_factor=factors.get("Мотивация"),
        defaults={"title": "Антирисковая программа «Повышение учебной мотивации обучающихся»"},
    )

    gelendzhik = ctx.municipalities[GELENDZHIK]
    municipal, _ = Roadmap.objects.get_or_create(
        owner_municipality=gelendzhik,
        year=2026,
        title="Введение технологии формирующего оценивания",
        defaults={
            "start_date": datetime.date(2026, 9, 1),
            "end_date": datetime.date(2027, 8, 31),
            "status": RoadmapStatus.APPROVED,
        },
    )
    for g, (goal_title, tasks) in enumerate(GELENDZHIK_PLAN, 1):
        goal, _ = municipal.goals.get_or_create(title=goal_title, defaults={"position": g})
        for t, (task_title, activities) in enumerate(tasks, 1):
            task, _ = goal.tasks.get_or_create(title=task_title, defaults={"position": t})
            for a, (title, person, position, start, due, result, indicators) in enumerate(activities, 1):
                activity, _ = Activity.objects.update_or_create(
                    task=task,
                    title=title,
                    defaults={
                        "position": a,
                        "responsible_name": person,
                        "responsible_position": position,
                        "start_date": _d(start),
                        "due_date": _d(due),
                        "expected_result": result,
                        "risk_factor": factors.get("Компетентность"),
                    },
                )
                for name, unit, baseline, target in indicators:
                    Indicator.objects.update_or_create(
                        activity=activity, name=name, defaults={"unit": unit, "baseline": baseline, "target": target}
                    )
