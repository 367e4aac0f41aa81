"""The smaller defects of issue 15, each with a test that failed before its fix."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from core.years import current_academic_year
from curators.models import CuratorAssignment, LessonObservation
from events.models import Event, EventFormat, EventStatus
from schools import services as school_services
from schools.models import RiskAssessment, RiskFactor, SchoolStatus, StatusKind
from tests.curators.factories import VisitFactory
from tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db
YEAR = current_academic_year()


# --- ШНОР lists and orders ---------------------------------------------------------------


def test_movement_page_reaches_the_list_just_saved_for_next_year(world, login):
    """After saving the next year's list the movement page shows that year too."""
    client = login(world.coordinator)
    order = OrderFactory(municipality=world.a1)
    school_services.status_list_set(
        municipality=world.a1,
        kind=StatusKind.LOW_RESULTS,
        year=YEAR,
        schools=[world.a1_school1],
        order=order,
        user=world.coordinator,
    )
    response = client.post(
        "/schools/statuses/yearly-list/",
        {
            "municipality": world.a1.pk,
            "kind": StatusKind.LOW_RESULTS,
            "year": YEAR + 1,
            "schools": [world.a1_school1.pk],  # every school stays on: nothing entered or left
            "order": order.pk,
        },
    )
    assert response.status_code == 302 and f"year={YEAR + 1}" in response["Location"]
    page = client.get(response["Location"])
    assert [r["year"] for r in page.context["rows"]][-1] == YEAR + 1


def test_order_page_lists_every_status_its_list_grounds(world, login):
    """A yearly list's order grounds the schools it kept on, not only those it added."""
    first, second = OrderFactory(municipality=world.a1, number="10"), OrderFactory(municipality=world.a1, number="11")
    kind, user = StatusKind.LOW_RESULTS, world.coordinator
    school_services.status_list_set(
        municipality=world.a1,
        kind=kind,
        year=YEAR - 1,
        schools=[world.a1_school1, world.a1_school2],
        order=first,
        user=user,
    )
    school_services.status_list_set(
        municipality=world.a1,
        kind=kind,
        year=YEAR,
        schools=[world.a1_school1, world.a1_school2, world.a1_curator_school],
        order=second,
        user=user,
    )
    statuses = login(user).get(f"/schools/orders/{second.pk}/").context["statuses"]
    assert {s.school for s in statuses} == {world.a1_school1, world.a1_school2, world.a1_curator_school}
    assert SchoolStatus.objects.filter(order=second).count() == 1  # it began one of them


def test_orders_sort_by_number_as_numbers(world, login):
    for number in ("431", "48", "5", "01-02/10", "01-02/9"):
        OrderFactory(municipality=world.a1, number=number, date=datetime.date(2025, 9, 1))
    page = login(world.coordinator).get("/schools/orders/", {"sort": "number"})
    assert [r.record.number for r in page.context["table"].rows] == ["01-02/9", "01-02/10", "5", "48", "431"]


# --- Curators ----------------------------------------------------------------------------


def _assignment(world, year, **kw):
    order = OrderFactory(municipality=world.a1)
    return CuratorAssignment.objects.create(
        curator=world.curator, school=world.a1_school2, year=year, order=order, **kw
    )


def test_past_assignments_no_longer_read_in_force(world, login):
    past = _assignment(world, YEAR - 1)
    assert past.is_active and not past.in_force and past.state_label == "завершено"
    client = login(world.coordinator)
    listed = client.get("/curators/assignments/", {"year": YEAR - 1})
    assert "завершено" in listed.content.decode() and "действует" not in listed.content.decode()
    assert "Действует" not in client.get(f"/curators/assignments/{past.pk}/").content.decode()
    # «In force» filters by today, not by the flag: last year's assignment is not in force.
    in_force = client.get("/curators/assignments/", {"is_active": "true"}).context["table"]
    assert past.pk not in [r.record.pk for r in in_force.rows]
    assert world.curator.curator_assignments.filter(school=world.a1_school1).get().in_force


def test_curators_place_of_work_and_position(world, login, api):
    world.curator.position = "заместитель директора по УВР"
    world.curator.save()
    client = login(world.coordinator)
    order = OrderFactory(municipality=world.a1)
    data = {"school": world.a1_school2.pk, "curator": world.curator.pk, "year": YEAR, "role": "school_curator"}
    response = client.post("/curators/assignments/new/", {**data, "order": order.pk, "is_active": "on"})
    assert response.status_code == 302
    a = CuratorAssignment.objects.get(school=world.a1_school2)
    # Left empty: from the curator's profile.
    assert (a.workplace, a.position) == ("СШ № 34", "заместитель директора по УВР")
    a.workplace, a.position = "Средняя школа № 34", "заместитель директора"
    a.save()
    sheet = load_workbook(io.BytesIO(client.get("/curators/assignments/?export=xlsx").content)).active
    headers = [c.value for c in sheet[1]]
    rows = [dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    row = next(r for r in rows if r["Школа"] == "СШ № 2")
    assert (row["Место работы"], row["Должность"]) == ("Средняя школа № 34", "заместитель директора")
    data = api(world.coordinator).get(f"/api/v1/curator-assignments/{a.pk}/").json()
    assert (data["workplace"], data["position"], data["in_force"]) == (
        "Средняя школа № 34",
        "заместитель директора",
        True,
    )


def test_copy_last_years_curators_with_a_preview(world, login):
    last = _assignment(world, YEAR - 1, workplace="Средняя школа № 34", position="заместитель директора")
    CuratorAssignment.objects.filter(year=YEAR).delete()  # a new year with no curators yet
    SchoolStatus.objects.create(
        school=world.a1_school2, kind=StatusKind.LOW_RESULTS, year_from=YEAR - 1, order=last.order
    )
    client = login(world.coordinator)
    grid = client.get("/curators/assignments/grid/", {"year": YEAR}).content.decode()
    assert "/curators/assignments/copy/" in grid
    preview = client.get("/curators/assignments/copy/", {"year": YEAR})
    (row,) = preview.context["rows"]
    assert row["assignment"] == last and row["proposed"] and row["checked"]
    assert "Средняя школа № 34" in preview.content.decode()
    # Without the order nothing is appointed.
    assert client.post("/curators/assignments/copy/", {"year": YEAR, "assignments": [last.pk]}).status_code == 400
    assert not CuratorAssignment.objects.filter(year=YEAR).exists()
    order = OrderFactory(municipality=world.a1, number="406")
    response = client.post("/curators/assignments/copy/", {"year": YEAR, "assignments": [last.pk], "order": order.pk})
    assert response.status_code == 302
    new = CuratorAssignment.objects.get(year=YEAR)
    assert (new.curator, new.school, new.order, new.workplace, new.position) == (
        world.curator,
        world.a1_school2,
        order,
        "Средняя школа № 34",
        "заместитель директора",
    )
    # A second copy is refused for what is already appointed.
    again = client.get("/curators/assignments/copy/", {"year": YEAR}).context["rows"][0]
    assert not again["copyable"] and "уже назначен" in again["reason"]
    # Only for those who appoint curators.
    assert login(world.methodist).get("/curators/assignments/copy/").status_code == 404


def test_lesson_ratings_have_a_legend(world, login):
    visit = VisitFactory(school=world.a1_school1, curator=world.curator)
    LessonObservation.objects.create(
        visit=visit, teacher="Петрова А. А.", subject="Математика", grade=5, rating_goals=3, rating_methods=2
    )
    page = login(world.curator).get(f"/curators/visits/{visit.pk}/").content.decode()
    assert "1 — не проявлено; 2 — проявлено частично; 3 — проявлено полностью" in page
    assert "3 / 2 / —" not in page
    form = login(world.curator).get(f"/curators/visits/new/?school={world.a1_school1.pk}").content.decode()
    assert "3 — проявлено полностью" in form


# --- Schools' risks ----------------------------------------------------------------------


def test_risk_chip_reads_as_a_risk_and_the_link_says_change_once_filled(world, login):
    client = login(world.school_admin)
    card = client.get(f"/schools/{world.a1_school1.pk}/").content.decode()
    assert "Заполнить" in card
    factor = RiskFactor.objects.get(short_name="Компетентность")
    RiskAssessment.objects.create(school=world.a1_school1, year=YEAR, factor=factor, level="high")
    card = client.get(f"/schools/{world.a1_school1.pk}/").content.decode()
    assert "Компетентность: высокий риск" in card and "Компетентность: высокий<" not in card
    assert "Заполнить" not in card and "Изменить" in card


# --- Events ------------------------------------------------------------------------------


def _event(world, **kw):
    now = timezone.now()
    defaults = {
        "municipality": world.a1,
        "format": EventFormat.SEMINAR,
        "title": "Формирующее оценивание",
        "start": now + datetime.timedelta(days=5),
        "end": now + datetime.timedelta(days=5, hours=2),
    }
    return Event.objects.create(**{**defaults, **kw})


def test_event_organisers_without_a_leading_semicolon(world, login):
    organiser = UserFactory(
        role=Role.METHODIST, municipality=world.a1, last_name="Фролова", first_name="Елена", patronymic="Викторовна"
    )
    event = _event(world)
    event.organisers.add(organiser)
    page = login(world.coordinator).get(f"/events/{event.pk}/").content.decode()
    assert "Фролова Е.В." in page and "; Фролова" not in page


def test_titles_do_not_repeat_their_format(world):
    assert str(_event(world, format=EventFormat.CONSULTATION, title="Консультация для заместителей")) == (
        "Консультация для заместителей"
    )
    assert str(_event(world)) == "Семинар «Формирующее оценивание»"


def test_an_event_is_never_held_before_its_date(world, login, api):
    future = _event(world, status=EventStatus.HELD)  # marked held by mistake, still to come
    past = _event(
        world,
        start=timezone.now() - datetime.timedelta(days=2),
        end=timezone.now() - datetime.timedelta(days=2, hours=-1),
    )
    assert (future.state, past.state) == ("planned", "held")
    client = login(world.coordinator)
    held = [r.record for r in client.get("/events/", {"status": "held"}).context["table"].rows]
    assert held == [past]
    assert [e["id"] for e in api(world.coordinator).get("/api/v1/events/", {"status": "held"}).json()["results"]] == [
        past.pk
    ]


def test_no_low_results_schools_is_not_everyone_took_part(world, login):
    home = login(world.coordinator).get("/").content.decode()
    assert "Все ШНОР недавно участвовали" not in home and "В этом году ШНОР нет." in home


# --- Words -------------------------------------------------------------------------------


def test_the_profile_labels_the_full_name(world, login):
    page = login(world.coordinator).get("/accounts/profile/").content.decode()
    assert "ФИО" in page and ">Название<" not in page.split("API")[0]


def test_the_api_guide_speaks_russian(world, login):
    page = login(world.coordinator).get("/api/").content.decode()
    assert "ask for the document" not in page and "poll until" not in page
    assert "запросите документ" in page


@pytest.mark.parametrize(
    ("who", "title"),
    [
        ("regional", "Результаты региона: Область А"),
        ("superuser", "Результаты муниципалитетов"),
        ("coordinator", "Результаты муниципалитета"),
    ],
)
def test_the_regions_results_are_titled_for_the_region(world, login, who, title):
    page = login(getattr(world, who)).get("/assessment/")
    assert f'<h1 class="h3 mb-0 me-auto">{title}</h1>' in page.content.decode()
