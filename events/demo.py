"""Demo events and materials from the seeds (copied into events/fixtures): the seven city
events of Kamensk-Uralsky 2022 with their programmes, Smolensk's 2020–2021 events,
Gelendzhik's seminars and master classes and collections, a few upcoming events,
registrations and feedback.  Idempotent: running it twice adds nothing."""

import datetime
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from core.years import academic_year_label, academic_year_of
from events.models import (
    AgendaStep,
    AudienceKind,
    Event,
    EventStatus,
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
    Material,
    MaterialKind,
    QuestionKind,
    Registration,
    RegistrationStatus,
    Theme,
)
from events.services import event_questions_add_defaults

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KAMENSK = "Каменск-Уральский городской округ"
SMOLENSK = "город Смоленск"
GELENDZHIK = "муниципальное образование город-курорт Геленджик"

SMOLENSK_FORMATS = {
    "consultation": "consultation",
    "interview": "interview",
    "GMO meeting": "gmo_meeting",
    "instructional meeting": "instructional_meeting",
    "methodical meeting": "methodical_meeting",
}

_LAST = [
    "Абрамова",
    "Волкова",
    "Григорьева",
    "Данилова",
    "Жукова",
    "Захарова",
    "Ильина",
    "Калинина",
    "Лукина",
    "Макарова",
]
_FIRST = ["Алла", "Вера", "Дарья", "Евгения", "Инна", "Лариса", "Нина", "Оксана", "Полина", "Раиса"]
_PATR = ["Алексеевна", "Борисовна", "Владимировна", "Геннадьевна", "Дмитриевна", "Евгеньевна", "Олеговна"]
_POSITIONS = [
    "заместитель директора по УВР",
    "директор",
    "учитель математики",
    "учитель русского языка",
    "руководитель ШМО",
]


def _person(seed: int) -> tuple[str, str]:
    name = f"{_LAST[seed % 10]} {_FIRST[(seed // 10) % 10]} {_PATR[(seed // 7) % 7]}"
    return name, _POSITIONS[seed % len(_POSITIONS)]


def _at(day: datetime.date | str, hour: int, minute: int = 0) -> datetime.datetime:
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _themes(names) -> list[Theme]:
    return [Theme.objects.get_or_create(name=n)[0] for n in names]


def _event(
    municipality, title: str, start: datetime.datetime, *, by_title: bool = False, same_year: bool = False, **fields
) -> Event:
    """``by_title``: an upcoming event is found by its title alone (its date follows today);
    ``same_year``: by its title within the year of ``start``, so a corrected date moves the
    event a database already holds instead of adding it twice."""
    themes = fields.pop("themes", [])
    organiser_schools = fields.pop("organiser_schools", [])
    lookup = {} if by_title else {"start__year": start.year} if same_year else {"start": start}
    event, _ = Event.objects.update_or_create(
        municipality=municipality, title=title, **lookup, defaults={**fields, "start": start}
    )
    if themes:
        event.themes.set(_themes(themes))
    if organiser_schools:
        event.organiser_schools.set(organiser_schools)
    if not event.questions.exists():
        event_questions_add_defaults(event=event)
    return event


def _agenda(event: Event, steps: list[dict], lead: str = "") -> None:
    for position, step in enumerate(steps, start=1):
        AgendaStep.objects.update_or_create(
            event=event,
            position=position,
            defaults={
                "title": step["title"] or f"Шаг {position}",
                "description": "\n".join(step.get("items", [])),
                "duration_minutes": step.get("minutes"),
                "lead": step.get("lead", lead),
            },
        )


def _register(event: Event, school, count: int, seed: int, *, attended: bool, by=None) -> list[Registration]:
    regs = []
    for i in range(count):
        name, position = _person(seed + i)
        reg, _ = Registration.objects.get_or_create(
            event=event,
            school=school,
            full_name=name,
            defaults={
                "position": position,
                "attended": attended and (seed + i) % 7 != 0,
                "status": RegistrationStatus.REGISTERED,
                "registered_by": by,
            },
        )
        regs.append(reg)
    return regs


_COMMENTS = [
    "Возьмём в работу приёмы формирующего оценивания и критерии оценки проектов.",
    "Полезен опыт коллег по организации ВСОКО; обсудим на педсовете.",
    "Нужна помощь в разработке критериев оценивания по предметам.",
    "Хотелось бы больше практической работы в группах.",
]


def _feedback(regs: list[Registration], seed: int) -> None:
    for i, reg in enumerate(regs):
        if not reg.attended or FeedbackResponse.objects.filter(registration=reg).exists():
            continue
        response = FeedbackResponse.objects.create(registration=reg)
        answers = []
        for q in FeedbackQuestion.objects.filter(event=reg.event):
            if q.kind == QuestionKind.RATING:
                answers.append(FeedbackAnswer(response=response, question=q, rating=3 + (seed + i + q.position) % 3))
            else:
                answers.append(
                    FeedbackAnswer(response=response, question=q, text=_COMMENTS[(seed + i + q.position) % 4])
                )
        FeedbackAnswer.objects.bulk_create(answers)


def kamensk_2022_fact(facts: dict, item: dict) -> dict:
    """The seed facts' entry (``events_2022``) of a fixture event: the fixture's title begins
    with the fact's, at the same host school."""
    return next(f for f in facts["events_2022"] if item["title"].startswith(f["title"]) and f["host"] == item["host"])


def kamensk_2022_date(facts: dict, item: dict):
    """The seed facts' date where they give one (used exactly), else the fixture's derived date
    (see the comment at the top of fixtures/kamensk_2022_events.yaml)."""
    return kamensk_2022_fact(facts, item).get("date") or item["date"]


def _load_kamensk(ctx) -> dict[str, Event]:
    muni = ctx.municipalities[KAMENSK]
    facts = next(m for m in ctx.facts["municipalities"] if m["name"] == KAMENSK)
    participants = [ctx.school(KAMENSK, n) for n in facts.get("participants_500plus_2022", [])]
    data = yaml.safe_load((FIXTURES / "kamensk_2022_events.yaml").read_text(encoding="utf-8"))
    events = {}
    methodist = ctx.users.get("methodist")
    for n, item in enumerate(data["events"]):
        host = ctx.school(KAMENSK, item["host"])
        day = kamensk_2022_date(facts, item)
        event = _event(
            muni,
            item["title"],
            _at(day, 10),
            end=_at(day, 13),
            same_year=True,
            format=item["format"],
            host_school=host,
            status=EventStatus.HELD,
            organisers_note=item["organisers"],
            audience_kind=AudienceKind.MANAGEMENT_LOW_RESULTS,
            audience=item["audience"],
            place=host.short_name,
            capacity=40,
            goal=item["goal"],
            tasks="\n".join(item["tasks"]),
            expected_results="\n".join(item["expected_results"]),
            key_ideas="\n".join(item["key_ideas"]),
            results=item["results"],
            decisions="\n".join(item["decisions"]),
            themes=item["themes"],
            organiser_schools=[host] + [ctx.school(KAMENSK, s) for s in item.get("co_organisers", [])],
            created_by=methodist,
        )
        _agenda(event, item["agenda"], lead=f"Администрация {host.short_name}")
        for k, school in enumerate(participants):
            if (n + k) % 3 == 2 and k != 6:  # not everyone comes to everything (Лицей № 9 does)
                continue
            regs = _register(event, school, 2, seed=n * 31 + k * 5, attended=True, by=methodist)
            _feedback(regs, seed=n + k)
        events[item["format"]] = event
    return events


def _load_smolensk(ctx) -> None:
    muni = ctx.municipalities[SMOLENSK]
    facts = next(m for m in ctx.facts["municipalities"] if m["name"] == SMOLENSK)
    extra = yaml.safe_load((FIXTURES / "other_events.yaml").read_text(encoding="utf-8"))
    schools = [ctx.school(SMOLENSK, n) for n in facts["low_result_lists"][2020]]
    for n, item in enumerate(facts.get("events_2020", [])):
        fmt = SMOLENSK_FORMATS[item["format"]]
        day = item["date"]
        event = _event(
            muni,
            item["title"],
            _at(day, 15),
            end=_at(day, 17),
            format=fmt,
            status=EventStatus.HELD,
            organisers_note=facts.get("methodical_centre", ""),
            audience_kind=AudienceKind.SUBJECT_TEACHERS
            if fmt == "gmo_meeting"
            else AudienceKind.MANAGEMENT_LOW_RESULTS,
            audience=extra["smolensk_audience"][fmt],
            place=extra["smolensk_place"],
            themes=["Функциональная грамотность"]
            if "грамотност" in item["title"]
            else ["ВСОКО и управление качеством"],
        )
        for k, school in enumerate(schools[n % 3 :: 3]):
            _register(event, school, 1, seed=100 + n * 7 + k, attended=True)


def _load_gelendzhik(ctx) -> list[Event]:
    muni = ctx.municipalities[GELENDZHIK]
    extra = yaml.safe_load((FIXTURES / "other_events.yaml").read_text(encoding="utf-8"))
    events = []
    for n, item in enumerate(extra["gelendzhik"]):
        host = ctx.school(GELENDZHIK, item["host"])
        event = _event(
            muni,
            item["title"],
            _at(item["date"], 14),
            end=_at(item["date"], 16),
            format=item["format"],
            host_school=host,
            status=EventStatus.HELD,
            organisers_note=muni.methodical_centre or "МКУ «Центр развития образования»",
            audience_kind=AudienceKind.TEACHERS,
            audience=(item.get("note", "") + ": " if item.get("note") else "")
            + "педагоги и управленческие команды ШНОР",
            place=host.short_name,
            themes=item["themes"],
            goal="Внедрение технологии формирующего оценивания в практику работы педагогов ШНОР "
            "(муниципальная дорожная карта «Введение технологии формирующего оценивания»).",
        )
        for k in range(3):
            school = ctx.school(GELENDZHIK, f"СОШ № {1 + (n * 3 + k) % 16}")
            _register(event, school, 1, seed=200 + n * 5 + k, attended=True)
        events.append(event)
    return events


def _load_upcoming(ctx, kamensk: dict[str, Event]) -> None:
    """Events after today (the demo's today), so the calendar and home panels show something."""
    today = timezone.localdate()
    muni = ctx.municipalities[KAMENSK]
    lyceum = ctx.school(KAMENSK, "Лицей № 9")
    seminar = _event(
        muni,
        "Формирующее оценивание на уроке: приёмы обратной связи",
        _at(today + datetime.timedelta(days=11), 14),
        end=_at(today + datetime.timedelta(days=11), 16, 30),
        by_title=True,
        format="seminar_practicum",
        host_school=ctx.school(KAMENSK, "СШ № 34"),
        status=EventStatus.PLANNED,
        organisers_note="ЦДО, администрация СШ № 34",
        audience_kind=AudienceKind.TEACHERS,
        audience="Учителя ШНОР и школ федеральной выборки 2023 года",
        place="СШ № 34, актовый зал",
        capacity=30,
        registration_deadline=_at(today + datetime.timedelta(days=9), 18),
        goal="Освоение приёмов формирующего оценивания для профилактики учебной неуспешности.",
        tasks="Показать приёмы обратной связи на уроке\nРазработать критерии оценивания для своего предмета",
        themes=["Формирующее оценивание", "Профилактика учебной неуспешности"],
    )
    _agenda(
        seminar,
        [
            {"title": "Вступительное слово", "minutes": 15, "lead": "Методист ЦДО"},
            {"title": "Открытые уроки с приёмами формирующего оценивания", "minutes": 80, "lead": "Учителя СШ № 34"},
            {"title": "Работа в группах: критерии оценивания по предметам", "minutes": 40},
            {"title": "Рефлексия", "minutes": 15},
        ],
    )
    school_user = ctx.users.get("school")
    _register(seminar, lyceum, 2, seed=300, attended=False, by=school_user)
    _register(seminar, ctx.school(KAMENSK, "СШ № 17"), 1, seed=310, attended=False)
    _event(
        muni,
        "Заседание ГМО заместителей директоров по УВР: итоги ВПР и объективность оценивания",
        _at(today + datetime.timedelta(days=18), 15),
        end=_at(today + datetime.timedelta(days=18), 17),
        by_title=True,
        format="gmo_meeting",
        status=EventStatus.PLANNED,
        organisers_note="Управление образования, ЦДО",
        audience_kind=AudienceKind.DEPUTIES,
        audience="Заместители директоров по УВР",
        place="Управление образования, зал заседаний",
        themes=["Объективность оценивания", "Подготовка к ГИА"],
    )
    _event(
        muni,
        "Вебинар: наставничество в школах с низкими образовательными результатами",
        _at(today + datetime.timedelta(days=5), 16),
        end=_at(today + datetime.timedelta(days=5), 17, 30),
        by_title=True,
        format="webinar",
        status=EventStatus.PLANNED,
        audience_kind=AudienceKind.MENTORS,
        audience="Кураторы и наставники",
        link="https://vks.example.org/opora-mentoring",
        themes=["Наставничество"],
    )
    quest = kamensk.get("quest_game")
    if quest:
        # The 2022 quest game reused as a template for this year.
        start = _at(today + datetime.timedelta(days=25), 10)
        copy = _event(
            muni,
            f"{quest.title} ({academic_year_label(academic_year_of(start.date()))})",
            start,
            end=start + (quest.end - quest.start),
            by_title=True,
            format=quest.format,
            host_school=quest.host_school,
            status=EventStatus.PLANNED,
            organisers_note=quest.organisers_note,
            audience_kind=quest.audience_kind,
            audience=quest.audience,
            capacity=40,
            goal=quest.goal,
            tasks=quest.tasks,
            expected_results=quest.expected_results,
            key_ideas=quest.key_ideas,
            themes=[t.name for t in quest.themes.all()],
        )
        _agenda(copy, [{"title": s.title, "items": s.description_lines, "lead": s.lead} for s in quest.agenda.all()])
    facts = next(m for m in ctx.facts["municipalities"] if m["name"] == KAMENSK)
    day = today - datetime.timedelta(days=30)
    consultation = _event(
        muni,
        "Консультация для управленческих команд школ федеральной выборки ШНОР 2023 года",
        _at(day, 15),
        by_title=True,
        end=_at(day, 17),
        format="consultation",
        status=EventStatus.HELD,
        organisers_note="Управление образования, ЦДО",
        audience_kind=AudienceKind.MANAGEMENT_LOW_RESULTS,
        audience="Управленческие команды школ №№ 2, 7, 11, 14, 19, 21, 27, 39, 40, центр образования «Аксиома»",
        place="Управление образования",
        goal="Скорректировать дорожные карты подготовки к ГИА и оценочным процедурам; определить источники "
        "методической помощи учителям с низкими результатами.",
        themes=["Подготовка к ГИА", "Профилактика учебной неуспешности"],
    )
    for k, name in enumerate(facts.get("federal_low_results_sample_2023", [])[:3]):
        regs = _register(consultation, ctx.school(KAMENSK, name), 2, seed=400 + k * 3, attended=True)
        _feedback(regs, seed=k)
    gel = ctx.municipalities[GELENDZHIK]
    _event(
        gel,
        "Методический день: посещение уроков с формирующим оцениванием",
        _at(today + datetime.timedelta(days=10), 9),
        end=_at(today + datetime.timedelta(days=10), 15),
        by_title=True,
        format="methodical_day",
        host_school=ctx.school(GELENDZHIK, "СОШ № 5"),
        status=EventStatus.PLANNED,
        audience_kind=AudienceKind.TEACHERS,
        audience="Педагоги ШНОР, тьюторы",
        themes=["Формирующее оценивание"],
    )
    smol = ctx.municipalities[SMOLENSK]
    _event(
        smol,
        "Заседание ГМО учителей математики: функциональная грамотность на уроках",
        _at(today + datetime.timedelta(days=17), 15),
        end=_at(today + datetime.timedelta(days=17), 17),
        by_title=True,
        format="gmo_meeting",
        status=EventStatus.PLANNED,
        audience_kind=AudienceKind.SUBJECT_TEACHERS,
        audience="Учителя математики, физики, информатики",
        place="МБУ ДО «ЦДО»",
        themes=["Функциональная грамотность"],
    )


def _material(municipality, title: str, **fields) -> Material:
    themes = fields.pop("themes", [])
    events = fields.pop("events", [])
    material, _ = Material.objects.update_or_create(municipality=municipality, title=title, defaults=fields)
    material.themes.set(_themes(themes))
    if events:
        material.events.set(events)
    return material


def _load_materials(ctx, kamensk: dict[str, Event], gelendzhik: list[Event]) -> None:
    extra = yaml.safe_load((FIXTURES / "other_events.yaml").read_text(encoding="utf-8"))
    gel = ctx.municipalities[GELENDZHIK]
    for item in extra["gelendzhik_collections"]:
        _material(
            gel,
            item["title"],
            kind=MaterialKind.COLLECTION,
            description=item["description"],
            authors="Педагоги ШНОР г. Геленджика; МКУ «Центр развития образования»",
            year=2022,
            themes=["Формирующее оценивание"],
            events=[e for e in gelendzhik if "оценивани" in e.title.lower()],
        )
    muni = ctx.municipalities[KAMENSK]
    _material(
        muni,
        "Критерии оценки индивидуального ученического проекта (обновлённый ФГОС)",
        kind=MaterialKind.METHODICAL,
        school=ctx.school(KAMENSK, "СШ № 1"),
        authors="Управленческие команды школ — участники мозгового штурма",
        description="Документ общего пользования, созданный в результате мозгового штурма: критерии оценки "
        "метапредметных достижений обучающихся по блокам «Оформление», «Содержание», «Защита», «Презентация». "
        "Помогает объективному оцениванию ученического проекта.",
        year=2022,
        themes=["Объективность оценивания", "Функциональная грамотность"],
        events=[e for k, e in kamensk.items() if k == "brainstorm"],
    )
    _material(
        muni,
        "Алгоритм «Как разработать и адаптировать систему оценивания достижения планируемых результатов по предмету»",
        kind=MaterialKind.METHODICAL,
        school=ctx.school(KAMENSK, "СШ № 30"),
        authors="Участники педагогических дебатов",
        description="Алгоритм для педагогов по итогам дебатов «Сравнение традиционной и новой системы оценивания»: "
        "изучение + обмен опытом + разработка алгоритма = система оценивания планируемых результатов по предмету.",
        year=2022,
        themes=["Объективность оценивания", "Формирующее оценивание"],
        events=[e for k, e in kamensk.items() if k == "debates"],
    )
    _material(
        muni,
        "Опыт реализации ВСОКО в школе — участнице проекта «500+»",
        kind=MaterialKind.PRACTICE,
        school=ctx.school(KAMENSK, "СШ № 32"),
        authors="Административная команда СШ № 32",
        description="Положительный опыт работы по совершенствованию внутренней системы оценки качества образования "
        "школы, входившей в федеральный перечень школ с признаками необъективности: механизмы управления качеством "
        "образовательных результатов, профилактика учебной неуспешности.",
        year=2022,
        themes=["ВСОКО и управление качеством", "Объективность оценивания", "Профилактика учебной неуспешности"],
        events=[e for k, e in kamensk.items() if k == "quest_game"],
    )
    _material(
        ctx.municipalities[SMOLENSK],
        "Школьное методическое объединение как механизм управления качеством физико-математического образования",
        kind=MaterialKind.PRACTICE,
        authors="ГМО учителей математики, физики, информатики",
        description="Материалы заседания ГМО: роль ШМО в повышении качества образования и наставничество "
        "в школах с низкими результатами обучения.",
        year=2020,
        themes=["Наставничество", "Функциональная грамотность"],
    )


@transaction.atomic
def load(ctx) -> None:
    kamensk = _load_kamensk(ctx)
    _load_smolensk(ctx)
    gelendzhik = _load_gelendzhik(ctx)
    _load_upcoming(ctx, kamensk)
    _load_materials(ctx, kamensk, gelendzhik)
