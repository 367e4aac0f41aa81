"""The events sections of the school report, the municipal report and the information note:
rendered to PDF through reports, read back with pdftotext; queries constant as events grow."""

import datetime
import subprocess

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.years import academic_year_bounds, current_academic_year
from events import documents
from events.models import AudienceKind, EventFormat, EventStatus, Registration, Theme
from reports.documents import info_note, municipal_report, school_report
from reports.services import document_render
from schools.models import SchoolStatus, StatusKind
from tests.events.conftest import make_event
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db
YEAR = current_academic_year()


def at(day_of_year: int, hour: int = 10) -> datetime.datetime:
    """A moment ``day_of_year`` days after 1 September of the report's academic year."""
    first, _last = academic_year_bounds(YEAR)
    day = first + datetime.timedelta(days=day_of_year)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def event(municipality, day: int, **fields):
    start = at(day)
    days = (start - timezone.now()).total_seconds() / 86400
    return make_event(municipality, days=days, **fields)


def pdf_text(doc, tmp_path) -> str:
    pdf, _checksum, pages = document_render(doc, "pdf")
    assert pages >= 1
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def attend(ev, school, *names, present=True):
    for name in names:
        Registration.objects.create(event=ev, school=school, full_name=name, attended=present)


@pytest.fixture
def year(world):
    """A1: СШ № 1 and СШ № 2 are ШНОР; СШ № 1 takes part in two events, СШ № 2 in none."""
    order = OrderFactory(municipality=world.a1, number="48")
    for school in (world.a1_school1, world.a1_school2):
        SchoolStatus.objects.create(school=school, kind=StatusKind.LOW_RESULTS, year_from=YEAR - 1, order=order)
    theme, _created = Theme.objects.get_or_create(name="Формирующее оценивание")
    seminar = event(
        world.a1,
        20,
        format=EventFormat.SEMINAR,
        title="Семинар «Читательская грамотность»",
        host_school=world.a1_curator_school,
        status=EventStatus.HELD,
    )
    seminar.themes.add(theme)
    attend(seminar, world.a1_school1, "Иванова Анна")
    attend(seminar, world.a1_school1, "Петрова Мария", present=False)
    attend(seminar, world.a1_curator_school, "Сидорова Ольга", "Кузнецова Ирина")
    table = event(
        world.a1,
        40,
        format=EventFormat.ROUND_TABLE,
        title="Круглый стол «ВСОКО»",
        host_school=world.a1_school1,
        status=EventStatus.HELD,
    )
    attend(table, world.a1_school1, "Иванова Анна", "Орлова Вера")
    event(world.a1, 50, format=EventFormat.WEBINAR, title="Отменённый вебинар", status=EventStatus.CANCELLED)
    event(world.a1, -30, format=EventFormat.FORUM, title="Форум прошлого года")
    event(world.b1, 30, format=EventFormat.SEMINAR, title="Семинар в округе Б1")
    world.seminar, world.table, world.theme = seminar, table, theme
    return world


def test_school_report_lists_the_school_events_with_attendance(year, tmp_path):
    text = pdf_text(school_report(year.a1_school1, YEAR), tmp_path)
    assert "8. Участие в методических мероприятиях" in text
    assert "Семинар «Читательская грамотность»" in text and "Круглый стол «ВСОКО»" in text
    assert at(20).strftime("%d.%m.%Y") in text
    # two events attended, 3 of 4 registrations present (the text may break across a page)
    assert "Педагоги школы приняли участие в 2 методических" in text
    assert "из 4 зарегистрированных участий состоялось 3" in text or "(явка 75,0 %)" in text
    assert "75,0 %" in text and "50,0 %" in text
    for absent in ("Отменённый вебинар", "Форум прошлого года", "Семинар в округе Б1"):
        assert absent not in text


def test_school_report_without_events_says_so(year, tmp_path):
    text = pdf_text(school_report(year.a1_school2, YEAR), tmp_path)
    assert "педагоги школы не регистрировались на методические мероприятия" in text


def test_municipal_report_counts_events_and_names_idle_low_result_schools(year, tmp_path):
    text = pdf_text(municipal_report(year.a1, YEAR), tmp_path)
    assert "5. Методические мероприятия" in text
    assert "В муниципалитете проведено 2 методических мероприятия; зафиксировано участий педагогов: 5." in text
    assert "Семинар «Читательская грамотность»" in text and "СШ № 34" in text
    # the seminar: 3 of 4 registered attended
    assert "75,0 %" in text
    assert "Отменённый вебинар" not in text and "Семинар в округе Б1" not in text
    idle = text.split("не участвовавшие ни в одном мероприятии", 1)[1]
    assert year.a1_school2.code in idle and year.a1_school1.code not in idle


def test_info_note_tells_per_theme_in_prose(year, tmp_path):
    year.table.audience_kind = AudienceKind.MANAGEMENT_LOW_RESULTS
    year.table.save()
    text = pdf_text(info_note(year.a1, YEAR), tmp_path)
    assert "4. Методическое сопровождение школ с низкими результатами" in text
    assert (
        "Всего за учебный год: для школ с низкими результатами проведено 2 методических мероприятия "
        "(Круглый стол — 1; Семинар — 1). В них приняли участие 2 педагога этих школ. "
        "Не приняли участия ни в одном из них: СШ № 2." in text
    )
    assert (
        "По теме «Формирующее оценивание»: для школ с низкими результатами проведено 1 методическое мероприятие "
        "(Семинар — 1)." in text
    )
    assert (
        "Мероприятия без указанной темы: для школ с низкими результатами проведено 1 методическое мероприятие" in text
    )
    # the schools that took part in nothing are named once, in the total, never again per theme
    assert text.count("Не приняли участия ни в одном из них") == 1


def test_info_note_without_low_result_schools_has_no_events_section(world):
    assert documents.info_note_sections(world.a2, YEAR) == []


def _sections_queries(world) -> list[int]:
    counts = []
    for build in (
        lambda: documents.school_report_sections(world.a1_school1, YEAR),
        lambda: documents.municipal_report_sections(world.a1, YEAR),
        lambda: documents.info_note_sections(world.a1, YEAR),
    ):
        with CaptureQueriesContext(connection) as queries:
            for panel in build():
                render_to_string(panel.template, {"ctx": panel.context})
        counts.append(len(queries))
    return counts


def test_section_queries_do_not_grow_with_events(year):
    before = _sections_queries(year)
    for day in range(60, 72):
        extra = event(
            year.a1, day, format=EventFormat.MASTER_CLASS, title=f"Мастер-класс {day}", host_school=year.a1_school2
        )
        extra.themes.add(year.theme, Theme.objects.create(name=f"Тема {day}"))
        attend(extra, year.a1_school1, "Иванова Анна", "Петрова Мария")
        attend(extra, year.a1_school2, "Смирнова Ольга", present=False)
    assert _sections_queries(year) == before
    assert max(before) <= 4
