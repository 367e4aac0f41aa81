"""Orders registry: scoping through pages and API, search, file checks, export."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from schools.models import Order
from tests.factories import OrderFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def orders(world):
    return {
        "a1": OrderFactory(
            municipality=world.a1, number="48", title="О назначении координаторов", date=datetime.date(2021, 2, 19)
        ),
        "a1b": OrderFactory(
            municipality=world.a1, number="400", title="О реализации проекта", date=datetime.date(2022, 9, 1)
        ),
        "b1": OrderFactory(
            municipality=world.b1, number="348", title="О партнёрских парах", date=datetime.date(2020, 12, 30)
        ),
    }


def _numbers(response) -> set[str]:
    return {row.record.number for row in response.context["table"].page.object_list}


@pytest.mark.parametrize(
    "user_attr, expected",
    [
        ("coordinator", {"48", "400"}),
        ("regional", {"48", "400"}),
        ("school_admin", {"48", "400"}),
        ("curator", {"48", "400"}),
        ("outsider", {"348"}),
        ("no_role", set()),
    ],
)
def test_order_list_scoped(world, orders, login, user_attr, expected):
    response = login(getattr(world, user_attr)).get("/schools/orders/")
    assert response.status_code == 200
    assert _numbers(response) == expected


def test_order_detail_outsider_404(world, orders, login):
    assert login(world.coordinator).get(f"/schools/orders/{orders['a1'].pk}/").status_code == 200
    assert login(world.outsider).get(f"/schools/orders/{orders['a1'].pk}/").status_code == 404
    assert login(world.coordinator_b1).get(f"/schools/orders/{orders['a1'].pk}/edit/").status_code == 404


def test_order_search_number_title_dates(world, orders, login):
    c = login(world.coordinator)
    assert _numbers(c.get("/schools/orders/?q=400")) == {"400"}
    assert _numbers(c.get("/schools/orders/?q=назначении")) == {"48"}
    assert _numbers(c.get("/schools/orders/?date_from=2022-01-01&date_to=2022-12-31")) == {"400"}


def test_order_export_xlsx(world, orders, login):
    response = login(world.coordinator).get("/schools/orders/?export=xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(response.content)).active
    numbers = {ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)}
    assert numbers == {"48", "400"}


def _post_order(client, world, file, number="501"):
    return client.post(
        "/schools/orders/new/",
        {
            "municipality": world.a1.pk,
            "kind": "order",
            "number": number,
            "date": "2022-09-01",
            "issuer": "Управление образования",
            "title": "Об утверждении перечня ШНОР",
            "file": file,
        },
    )


def test_order_create_with_pdf(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = _post_order(login(world.coordinator), world, SimpleUploadedFile("prikaz.pdf", PDF))
    assert response.status_code == 302
    order = Order.objects.get(number="501")
    assert order.region == world.region_a and order.created_by == world.coordinator
    assert order.file.name.endswith(".pdf")


def test_order_wrong_file_type_refused(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = _post_order(login(world.coordinator), world, SimpleUploadedFile("prikaz.exe", b"MZ\x90\x00binary"))
    assert response.status_code == 200
    assert "Неподдерживаемый тип файла" in response.content.decode()
    assert not Order.objects.filter(number="501").exists()


def test_order_fake_pdf_refused(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = _post_order(login(world.coordinator), world, SimpleUploadedFile("prikaz.pdf", b"not a pdf at all"))
    assert response.status_code == 200
    assert "не соответствует" in response.content.decode()
    assert not Order.objects.filter(number="501").exists()


def test_order_oversized_file_refused(world, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    big = PDF + b"0" * (10 * 1024 * 1024 + 10)
    response = _post_order(login(world.coordinator), world, SimpleUploadedFile("prikaz.pdf", big))
    assert response.status_code == 200
    assert "Файл слишком большой" in response.content.decode()
    assert not Order.objects.filter(number="501").exists()


def test_order_create_forbidden_for_school_admin(world, login):
    assert login(world.school_admin).get("/schools/orders/new/").status_code == 404


def test_order_api_scoped_and_writes(world, orders, api):
    data = api(world.coordinator).get("/api/v1/orders/").json()
    assert {o["number"] for o in data["results"]} == {"48", "400"}
    assert api(world.outsider).get(f"/api/v1/orders/{orders['a1'].pk}/").status_code == 404
    assert api(world.school_admin).patch(f"/api/v1/orders/{orders['a1'].pk}/", {"title": "x"}).status_code == 403
    r = api(world.coordinator).post(
        "/api/v1/orders/",
        {"municipality": world.a1.pk, "number": "77", "date": "2023-09-01", "issuer": "УО", "title": "Перечень"},
    )
    assert r.status_code == 201, r.content
    r = api(world.coordinator).post(
        "/api/v1/orders/",
        {"municipality": world.b1.pk, "number": "78", "date": "2023-09-01", "issuer": "УО", "title": "Чужой"},
    )
    assert r.status_code == 400
    assert not Order.objects.filter(number="78").exists()


@override_settings(DEBUG=False)
def test_order_list_query_count(world, login, django_assert_max_num_queries):
    c = login(world.coordinator)
    for _i in range(5):
        OrderFactory(municipality=world.a1)
    with django_assert_max_num_queries(12) as small:
        c.get("/schools/orders/")
    for _i in range(30):
        OrderFactory(municipality=world.a1)
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get("/schools/orders/")
