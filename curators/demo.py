"""Demo data of the programme side: orders, statuses and programmes (schools/programmes_demo.py),
then Kamensk-Uralsky's 2022 curators, Smolensk's 2020 partner pairs, the Kazachinsky
methodical landing of 22.05.2019, and recent visits of the demo curator.  Idempotent."""

import datetime

from django.utils import timezone

from accounts.models import Role, User
from core.years import current_academic_year
from curators.models import (
    AssignmentRole,
    CuratorAssignment,
    LessonObservation,
    PartnerPair,
    Recommendation,
    RecommendationStatus,
    Visit,
    VisitKind,
)
from schools import programmes_demo
from schools.demo import DEMO_PASSWORD, short_short

KAMENSK = "Каменск-Уральский городской округ"
SMOLENSK = "город Смоленск"
KAZACHINSKY = "Казачинский район"

# Generated names for the seed's six Kamensk curators (the seed names none); the deputy of
# СШ № 34 is the demo user «curator».
KAMENSK_CURATOR_NAMES = [
    ("curator_k15", "Сафонова", "Людмила", "Аркадьевна"),
    ("curator_k27", "Воронина", "Оксана", "Геннадьевна"),
    ("curator", None, None, None),
    ("curator_k21", "Мельникова", "Светлана", "Борисовна"),
    ("curator_k3", "Тарасова", "Алла", "Дмитриевна"),
    ("curator_k21d", "Карпов", "Игорь", "Степанович"),
]

LANDING_LESSONS = [
    ("Русский язык", 5, "Кудрявцева Н. В."),
    ("Математика", 6, "Павлова Е. С."),
    ("Литературное чтение", 3, "Комарова О. И."),
    ("Алгебра", 8, "Павлова Е. С."),
    ("История", 7, "Семёнов А. П."),
    ("Биология", 9, "Голубева Т. Н."),
    ("Английский язык", 4, "Руденко М. А."),
    ("Окружающий мир", 2, "Комарова О. И."),
]


def _user(username: str, role: str, last: str, first: str, patr: str, position: str, school) -> User:
    user, created = User.objects.update_or_create(
        username=username,
        defaults={
            "role": role,
            "last_name": last,
            "first_name": first,
            "patronymic": patr,
            "position": position,
            "school": school,
            "municipality": school.municipality if school else None,
            "email": f"{username}@opora.local",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _kamensk_curators(ctx, orders) -> None:
    facts = next(m for m in ctx.facts["municipalities"] if m["name"] == KAMENSK)
    for entry, (username, last, first, patr) in zip(facts["school_curators_2022"], KAMENSK_CURATOR_NAMES, strict=True):
        own = ctx.school(KAMENSK, entry["curator_school"])
        if last is None:
            user = ctx.users[username]
        else:
            user = _user(username, Role.CURATOR, last, first, patr, entry["position"].capitalize(), own)
            ctx.users[username] = user
        for name in entry["supervises"]:
            CuratorAssignment.objects.update_or_create(
                curator=user,
                school=ctx.school(KAMENSK, name),
                year=2022,
                role=AssignmentRole.SCHOOL_CURATOR,
                defaults={
                    "order": orders["400"],
                    "date_from": datetime.date(2022, 9, 1),
                    "date_to": datetime.date(2023, 5, 31),
                    # The seed's curators table: «Место работы куратора», «Должность куратора».
                    "workplace": entry["curator_school"],
                    "position": entry["position"],
                },
            )


def _as_named(user) -> dict:
    """The curator's place of work and position as the order names them (from the profile)."""
    return {"workplace": user.school.short_name if user.school_id else "", "position": user.position}


def _current_assignments(ctx, current_low) -> None:
    """This year: the demo curator also holds a current ШНОР; the other ШНОР get curators."""
    year = current_academic_year()
    curator = ctx.users["curator"]
    pool = [ctx.users[u] for u in ("curator_k15", "curator_k27", "curator_k21", "curator_k3", "curator_k21d")]
    targets = list(current_low)
    mine = [s for s in targets if s.short_name == "СШ № 19"]
    for school in mine:
        CuratorAssignment.objects.get_or_create(
            curator=curator, school=school, year=year, role=AssignmentRole.SCHOOL_CURATOR, defaults=_as_named(curator)
        )
    others = [s for s in targets if s not in mine]
    for i, school in enumerate(others):
        user = pool[i % len(pool)]
        if user.school_id == school.pk:
            user = pool[(i + 1) % len(pool)]
        CuratorAssignment.objects.get_or_create(
            curator=user, school=school, year=year, role=AssignmentRole.SCHOOL_CURATOR, defaults=_as_named(user)
        )


def _smolensk_pairs(ctx, pairs_order) -> None:
    facts = next(m for m in ctx.facts["municipalities"] if m["name"] == SMOLENSK)
    for school, leader in facts["partner_pairs_2020"]:
        PartnerPair.objects.update_or_create(
            school=ctx.school(SMOLENSK, short_short(school)),
            leader=ctx.school(SMOLENSK, short_short(leader)),
            year=2020,
            defaults={
                "order": pairs_order,
                "plan": "Взаимопосещение уроков по математике и русскому языку; совместные заседания методических "
                "объединений; анализ результатов ВПР и диагностических работ; наставничество для молодых "
                "учителей; совместный семинар по формирующему оцениванию.",
            },
        )


def _kazachinsky_landing(ctx) -> None:
    school = ctx.school(KAZACHINSKY, "МБОУ Рождественская СОШ")
    methodist = _user(
        "methodist_kazachinsky",
        Role.METHODIST,
        "Лаптева",
        "Валентина",
        "Ивановна",
        "Методист отдела образования",
        None,
    )
    if not methodist.municipality_id:
        methodist.municipality = school.municipality
        methodist.save()
    ctx.users["methodist_kazachinsky"] = methodist
    visit, created = Visit.objects.get_or_create(
        school=school,
        kind=VisitKind.LANDING,
        date=datetime.date(2019, 5, 22),
        defaults={
            "curator": methodist,
            "participants": "Методисты отдела образования, руководители районных методических объединений, "
            "проектная команда школы",
            "findings": "Оценка масштаба и глубины изменений деятельности учительского коллектива и проектной "
            "команды; проведён подробный анализ деятельности учителя и учащихся на 8 уроках и 1 внеурочном "
            "мероприятии, выявлены затруднения.",
            "extracurricular_observed": 1,
        },
    )
    if not created:
        return
    for i, (subject, grade, teacher) in enumerate(LANDING_LESSONS):
        LessonObservation.objects.create(
            visit=visit,
            teacher=teacher,
            subject=subject,
            grade=grade,
            rating_goals=2 + (i % 2),
            rating_methods=1 + (i % 3),
            rating_assessment=1 + ((i + 1) % 3),
            strengths="Чёткая постановка учебной задачи; работа в парах.",
            difficulties="Недостаточно используется формирующее оценивание; мало времени на рефлексию.",
        )
    Recommendation.objects.create(
        visit=visit,
        text="Скорректировать школьную программу повышения качества образования с учётом итогов десанта",
        owner_text="Проектная команда школы",
        due_date=datetime.date(2019, 6, 30),
        status=RecommendationStatus.CLOSED,
    )
    Recommendation.objects.create(
        visit=visit,
        text="Включить приёмы критериального оценивания в планы уроков учителей начальной школы",
        owner_text="Заместитель директора по УВР",
        due_date=datetime.date(2019, 10, 1),
        status=RecommendationStatus.CLOSED,
    )


def _recent_visits(ctx) -> None:
    curator = ctx.users["curator"]
    today = timezone.localdate()
    lyceum = ctx.school(KAMENSK, "Лицей № 9")
    school17 = ctx.school(KAMENSK, "Средняя школа № 17")
    head = ctx.users["school"]
    visit, created = Visit.objects.update_or_create(
        school=lyceum,
        curator=curator,
        kind=VisitKind.INTERVIEW,
        defaults={
            "date": today - datetime.timedelta(days=45),
            "participants": "Директор, заместитель директора по УВР, руководители ШМО",
            "findings": "Результаты ВПР по математике в 5-х классах ниже муниципальных; отметки за четверть "
            "завышены относительно ВПР.",
        },
    )
    if created:
        Recommendation.objects.create(
            visit=visit,
            text="Провести анализ расхождения отметок ВПР и четвертных отметок по математике в 5-х классах",
            owner_user=head,
            due_date=today - datetime.timedelta(days=10),
        )
        Recommendation.objects.create(
            visit=visit,
            text="Организовать взаимопосещение уроков математики с фокусом на формирующее оценивание",
            owner_text="Руководитель ШМО учителей математики",
            due_date=today + datetime.timedelta(days=20),
        )
    visit, created = Visit.objects.update_or_create(
        school=school17,
        curator=curator,
        kind=VisitKind.LESSONS,
        defaults={
            "date": today - datetime.timedelta(days=12),
            "participants": "Куратор, заместитель директора по УВР",
            "findings": "Уроки хорошо структурированы; обратная связь ученикам даётся редко.",
        },
    )
    if created:
        LessonObservation.objects.create(
            visit=visit,
            teacher="Белоусова Г. Н.",
            subject="Математика",
            grade=6,
            rating_goals=3,
            rating_methods=2,
            rating_assessment=1,
            strengths="Разнообразные формы работы",
            difficulties="Нет критериев оценивания",
        )
        LessonObservation.objects.create(
            visit=visit,
            teacher="Осипова Л. М.",
            subject="Русский язык",
            grade=7,
            rating_goals=2,
            rating_methods=2,
            rating_assessment=2,
            strengths="Работа с текстом",
            difficulties="Мало времени на самостоятельную работу",
        )
        Recommendation.objects.create(
            visit=visit,
            text="Ввести листы самооценки с критериями на уроках математики в 6-х классах",
            owner_text="Учителя математики",
            due_date=today + datetime.timedelta(days=30),
        )


def _risk_profiles(ctx, kamensk) -> None:
    year = current_academic_year()
    admin = ctx.users["admin"]
    for i, school in enumerate(kamensk["current_low"]):
        programmes_demo._risk_profile(school, year, i + 1, admin, confirm_by=admin if i % 2 else None)
    for i, school in enumerate(kamensk["p2022"]):
        programmes_demo._risk_profile(school, 2022, i + 11, admin, confirm_by=admin)
    programmes_demo._risk_profile(ctx.school(KAMENSK, "Лицей № 9"), year, 5, admin)
    programmes_demo._risk_profile(ctx.school(KAMENSK, "Средняя школа № 17"), year, 6, admin, confirm_by=admin)


def load(ctx) -> None:
    curator = ctx.users["curator"]
    for short in ("Лицей № 9", "СШ № 17"):
        CuratorAssignment.objects.get_or_create(
            curator=curator,
            school=ctx.school(KAMENSK, short),
            year=current_academic_year(),
            role=AssignmentRole.SCHOOL_CURATOR,
        )
    made = programmes_demo.load(ctx)
    year = current_academic_year()
    appointment = programmes_demo.order(
        ctx.municipalities[KAMENSK],
        str(380 + year - 2000),
        datetime.date(year, 9, 5),
        f"О назначении кураторов школ с низкими образовательными результатами на {year}-{year + 1} учебный год",
    )
    _kamensk_curators(ctx, made["kamensk"]["orders"])
    _current_assignments(ctx, made["kamensk"]["current_low"])
    _smolensk_pairs(ctx, made["smolensk_pairs_order"])
    _kazachinsky_landing(ctx)
    _recent_visits(ctx)
    _risk_profiles(ctx, made["kamensk"])
    CuratorAssignment.objects.filter(
        year=year, school__municipality=ctx.municipalities[KAMENSK], order__isnull=True
    ).update(order=appointment)
