"""Plan quality checks, activity dates inside the roadmap period, xlsx export and import."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from core.years import current_academic_year
from roadmaps import services
from roadmaps.models import Activity, Indicator, Roadmap, RoadmapStatus
from roadmaps.selectors import roadmap_quality_problems
from roadmaps.xlsx import HEADERS

from .conftest import make_roadmap


def messages(roadmap):
    return [p.message for p in roadmap_quality_problems(roadmap)]


def test_a_good_plan_has_no_problems_and_can_be_submitted(world):
    roadmap = make_roadmap(world.a1_school1, status=RoadmapStatus.DRAFT)
    assert messages(roadmap) == []
    assert services.roadmap_submit(user=world.school_admin, roadmap=roadmap).status == RoadmapStatus.SUBMITTED
    assert services.roadmap_approve(user=world.curator, roadmap=roadmap).status == RoadmapStatus.APPROVED


def test_every_problem_is_listed_and_blocks_submission(world):
    roadmap = make_roadmap(world.a1_school1, status=RoadmapStatus.DRAFT, n_activities=3)
    a1, a2, a3 = Activity.objects.filter(task__goal__roadmap=roadmap).order_by("position")
    Activity.objects.filter(pk=a1.pk).update(responsible_name="", due_date=None)
    a2.indicators.update(target=None)
    a3.indicators.update(target=20)  # equals the baseline
    assert messages(roadmap) == [
        f"«{a1.title}»: не указан ответственный.",
        f"«{a1.title}»: не указан срок.",
        f"«{a2.title}»: нет измеримого показателя с целевым значением.",
        f"«{a3.title}»: целевое значение показателя «Доля педагогов 3» равно базовому.",
    ]
    with pytest.raises(ValidationError) as exc:
        services.roadmap_submit(user=world.school_admin, roadmap=roadmap)
    assert len(exc.value.messages) == 4
    roadmap.refresh_from_db()
    assert roadmap.status == RoadmapStatus.DRAFT


def test_activity_without_indicators_is_not_measurable(world):
    roadmap = make_roadmap(world.a1_school1, n_activities=1)
    Indicator.objects.filter(activity__task__goal__roadmap=roadmap).delete()
    assert messages(roadmap) == ["«Мероприятие 1 (Дорожная карта)»: нет измеримого показателя с целевым значением."]


def test_text_copied_from_last_years_roadmap_is_flagged(world):
    year = current_academic_year()
    make_roadmap(world.a1_school1, year=year - 1, title="Карта")
    current = make_roadmap(world.a1_school1, year=year, title="Карта", status=RoadmapStatus.DRAFT)
    copied = messages(current)
    assert copied == [
        "«Мероприятие 1 (Карта)»: текст без изменений скопирован из дорожной карты прошлого года.",
        "«Мероприятие 2 (Карта)»: текст без изменений скопирован из дорожной карты прошлого года.",
    ]
    # Another school's roadmap of last year does not count.
    other = make_roadmap(world.a1_school2, year=year, title="Карта")
    Activity.objects.filter(task__goal__roadmap=other).update(expected_result="Другое")
    assert messages(other) == []


def test_activity_dates_must_be_inside_the_roadmap_period(world):
    from roadmaps.forms import ActivityForm

    roadmap = make_roadmap(world.a1_school1)
    task = roadmap.goals.get().tasks.get()
    data = {
        "title": "Новое",
        "responsible_name": "Иванов",
        "start_date": (roadmap.start_date - datetime.timedelta(days=1)).isoformat(),
        "due_date": (roadmap.end_date + datetime.timedelta(days=1)).isoformat(),
        "position": 1,
    }
    form = ActivityForm(data, instance=Activity(task=task), roadmap=roadmap)
    assert not form.is_valid()
    period = f"{roadmap.start_date:%d.%m.%Y} – {roadmap.end_date:%d.%m.%Y}"
    assert form.errors["start_date"] == [f"Дата начала должна входить в период дорожной карты ({period})."]
    assert form.errors["due_date"] == [f"Срок должен входить в период дорожной карты ({period})."]
    data.update(start_date=roadmap.start_date.isoformat(), due_date=roadmap.start_date.isoformat())
    assert ActivityForm(data, instance=Activity(task=task), roadmap=roadmap).is_valid()


def _xlsx(rows, headers=HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_export_then_import_round_trip(world):
    from roadmaps.xlsx import roadmap_workbook

    source = make_roadmap(world.a1_school1, title="Источник")
    data = roadmap_workbook(source)
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.max_row == 3
    target = Roadmap.objects.create(
        school=world.a1_school1, title="Копия", year=source.year, start_date=source.start_date, end_date=source.end_date
    )
    counts = services.roadmap_import_xlsx(user=world.school_admin, roadmap=target, fileobj=io.BytesIO(data))
    assert counts == {"goals": 1, "tasks": 1, "activities": 2, "indicators": 2}
    assert roadmap_workbook(target) != b""
    # Importing again changes nothing (matched by text).
    again = services.roadmap_import_xlsx(user=world.school_admin, roadmap=target, fileobj=io.BytesIO(data))
    assert again == {"goals": 0, "tasks": 0, "activities": 0, "indicators": 0}
    assert Activity.objects.filter(task__goal__roadmap=target).count() == 2


def test_import_reports_every_error_and_writes_nothing(world):
    roadmap = make_roadmap(world.a1_school1)
    before = Activity.objects.count()
    late = (roadmap.end_date + datetime.timedelta(days=5)).strftime("%d.%m.%Y")
    rows = [
        [
            "Цель",
            "Задача",
            "Хорошая строка",
            "Иванов",
            "учитель",
            "15.09.2026",
            "20.10.2026",
            "",
            "",
            "Доля",
            "%",
            1,
            2,
        ],
        ["", "Задача", "Без цели", "", "", "", "", "", "", "", "", None, None],
        ["Цель", "Задача", "Поздно", "", "", "вчера", late, "", "Неведомый риск", "Доля", "%", "много", 5],
    ]
    with pytest.raises(ValidationError) as exc:
        services.roadmap_import_xlsx(user=world.school_admin, roadmap=roadmap, fileobj=_xlsx(rows))
    errors = exc.value.messages
    assert errors[0] == "Строка 3: не заполнен столбец «Цель»."
    assert errors[1].startswith("Строка 4: «Дата начала»: «вчера» — не дата (ДД.ММ.ГГГГ); Срок должен входить")
    assert "неизвестный фактор риска «Неведомый риск»" in errors[1]
    assert "«Базовое значение»: «много» — не число" in errors[1]
    assert len(errors) == 2
    assert Activity.objects.count() == before


def test_import_refuses_a_foreign_file(world):
    roadmap = make_roadmap(world.a1_school1)
    with pytest.raises(ValidationError) as exc:
        services.roadmap_import_xlsx(
            user=world.school_admin, roadmap=roadmap, fileobj=_xlsx([["a"]], headers=["Что-то", "другое"])
        )
    assert exc.value.messages[0].startswith("Первая строка должна быть заголовком шаблона")
    with pytest.raises(ValidationError) as exc:
        services.roadmap_import_xlsx(user=world.school_admin, roadmap=roadmap, fileobj=io.BytesIO(b"not a workbook"))
    assert exc.value.messages == ["Файл не является книгой xlsx, заполненной по шаблону дорожной карты."]
