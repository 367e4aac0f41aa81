"""Scoping of every endpoint and page: the one who may, a colleague with less scope, an outsider."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import ImportBatch, ImportStatus, Result
from tests.assessment.conftest import hand_rows, to_csv, to_xlsx

pytestmark = pytest.mark.django_db

ENDPOINTS = ["group-results", "flags", "school-indices"]


def codes(response):
    assert response.status_code == 200, response.content
    return {r["school_code"] for r in response.json()["results"]}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_school_scoped_endpoints(analysed, api, endpoint):
    w = analysed
    url = f"/api/v1/assessment/{endpoint}/"
    everything = codes(api(w.superuser).get(url, {"page_size": 500}))
    assert "A1S1" in everything
    assert codes(api(w.coordinator).get(url, {"page_size": 500})) == everything - {"B1S1"}
    assert codes(api(w.school_admin).get(url, {"page_size": 500})) == {"A1S1"}
    assert codes(api(w.curator).get(url, {"page_size": 500})) == {"A1S1"}  # assigned this year to A1S1 only
    assert codes(api(w.school_admin2).get(url, {"page_size": 500})) <= {"A1S2"}
    assert codes(api(w.coordinator_a2).get(url)) == set()
    assert codes(api(w.no_role).get(url)) == set()
    assert api().get(url).status_code in (401, 403)


def test_filters(analysed, api):
    client = api(analysed.superuser)
    rows = client.get("/api/v1/assessment/group-results/", {"year": 2023, "procedure": "ВПР", "grade": 5}).json()
    assert rows["count"] == 5  # Математика ×3, Русский язык ×2
    rows = client.get(
        "/api/v1/assessment/group-results/", {"school": analysed.a1_school1.pk, "subject": "Русский язык"}
    ).json()
    assert rows["count"] == 1
    flags = client.get("/api/v1/assessment/flags/", {"kind": "non_objective"}).json()
    assert flags["count"] == 2


def test_spread_scope(analysed, api):
    w = analysed
    assert api(w.coordinator).get("/api/v1/assessment/spread/").json()["count"] == 2
    assert api(w.coordinator_b1).get("/api/v1/assessment/spread/").json()["count"] == 0
    assert api(w.coordinator_a2).get("/api/v1/assessment/spread/").json()["count"] == 0


def test_import_api(world, api, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def upload(user, rows):
        f = SimpleUploadedFile("r.xlsx", to_xlsx(rows))
        with django_capture_on_commit_callbacks(execute=True):
            response = api(user).post("/api/v1/assessment/imports/", {"file": f}, format="multipart")
        if response.status_code == 201:
            # Queued on commit (at once in eager mode): poll the batch as a client would.
            assert response.json()["status"] in ("pending", "running", "done", "failed")
            return api(user).get(f"/api/v1/assessment/imports/{response.json()['id']}/")
        return response

    a1_rows = [r for r in hand_rows() if r[0].startswith("A1")]
    assert upload(world.school_admin, a1_rows).status_code == 403
    assert Result.objects.count() == 0
    response = upload(world.coordinator, a1_rows)
    assert response.status_code == 200, response.content
    batch = response.json()
    assert batch["status"] == "done" and batch["rows_created"] == len(a1_rows) and batch["years"] == [2022, 2023]
    url = f"/api/v1/assessment/imports/{batch['id']}/"
    assert api(world.coordinator).get(url).json()["status"] == "done"
    assert api(world.coordinator_a2).get(url).status_code == 404
    assert api(world.school_admin).get(url).status_code == 404
    # An out-of-scope school is an error for this coordinator; nothing changes.
    response = upload(world.coordinator, hand_rows())
    assert response.json()["status"] == "failed" and response.json()["error_count"] == len(hand_rows()) - len(a1_rows)
    assert Result.objects.count() == len(a1_rows)
    # Not a spreadsheet, via the API.
    bad = SimpleUploadedFile("r.pdf", b"%PDF-1.4")
    response = api(world.coordinator).post("/api/v1/assessment/imports/", {"file": bad}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"]["file"] == [
        "Принимаются только файлы .xlsx и .csv."
    ]


def test_import_api_shows_claim_time_and_attempts(world, api, django_capture_on_commit_callbacks):
    """``started`` (the worker's claim) and ``attempts`` are read, never written, through the API."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils.dateparse import parse_datetime

    a1_rows = [r for r in hand_rows() if r[0].startswith("A1")]
    f = SimpleUploadedFile("r.xlsx", to_xlsx(a1_rows))
    client = api(world.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/assessment/imports/",
            {"file": f, "started": "2001-01-01T00:00:00Z", "attempts": 7},
            format="multipart",
        )
    assert response.status_code == 201, response.content
    batch = ImportBatch.objects.get(pk=response.json()["id"])
    assert batch.status == ImportStatus.DONE and batch.attempts == 1 and batch.started.year != 2001
    row = client.get(f"/api/v1/assessment/imports/{batch.pk}/").json()
    assert row["attempts"] == 1
    assert parse_datetime(row["started"]) == batch.started
    listed = {r["id"]: r for r in client.get("/api/v1/assessment/imports/").json()["results"]}
    assert listed[batch.pk]["attempts"] == 1 and parse_datetime(listed[batch.pk]["started"]) == batch.started
    # A batch no worker has claimed yet: no claim time, no attempts.
    waiting = ImportBatch.objects.create(original_name="w.csv", uploaded_by=world.coordinator, municipality=world.a1)
    row = client.get(f"/api/v1/assessment/imports/{waiting.pk}/").json()
    assert row["started"] is None and row["attempts"] == 0
    # The schema says so: both read-only, ``started`` nullable.
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    props = schema["components"]["schemas"]["ImportBatch"]["properties"]
    assert props["started"]["readOnly"] and props["started"]["nullable"] and props["started"]["format"] == "date-time"
    assert props["attempts"]["readOnly"] and props["attempts"]["type"] == "integer"


def test_school_page_scope(analysed, login):
    w = analysed
    url = reverse("assessment:school", args=[w.a1_school1.pk])
    for user in (w.superuser, w.coordinator, w.school_admin, w.curator, w.methodist, w.regional):
        response = login(user).get(url)
        assert response.status_code == 200, user
    page = login(w.school_admin).get(url).content.decode()
    assert "Отрицательная динамика" in page and "T1" in page and "<svg" in page
    # the numbers behind a flag and its rule read as words, not as raw keys
    assert "годом ранее" in page and "Правило: средний снизился на 5,0 п. и более" in page
    assert "drop_points" not in page and "mean_percent =" not in page
    for user in (w.school_admin2, w.outsider, w.coordinator_a2, w.coordinator_b1, w.no_role):
        assert login(user).get(url).status_code == 404, user
    response = login(w.coordinator).get(url + "?export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_school_card_section(analysed, login):
    page = login(analysed.school_admin).get(reverse("schools:school-detail", args=[analysed.a1_school1.pk]))
    assert page.status_code == 200
    assert reverse("assessment:school", args=[analysed.a1_school1.pk]) in page.content.decode()


def test_municipality_page_and_lists(analysed, login):
    w = analysed
    page = login(w.coordinator).get(reverse("assessment:municipality") + "?year=2023")
    assert page.status_code == 200
    html = page.content.decode()
    assert "СШ № 2" in html and "индекс ≤ 10-го процентиля муниципалитета" in html
    assert "Гимназия № 1" not in html
    page = login(w.school_admin).get(reverse("assessment:municipality") + "?year=2023")
    assert "СШ № 2" not in page.content.decode()
    for name in ("group-list", "flag-list", "municipality"):
        response = login(w.coordinator).get(reverse(f"assessment:{name}") + "?export=xlsx")
        assert response.status_code == 200
    for export in ("spread", "effect"):
        assert login(w.coordinator).get(reverse("assessment:municipality") + f"?export={export}").status_code == 200


@pytest.mark.parametrize("name", ["municipality", "group-list", "flag-list", "import-list"])
def test_list_pages_query_count_constant(world, login, import_bytes, name):
    from assessment.services import analysis_run

    client = login(world.coordinator)
    # Every year («Все»): a list opens on the latest year, which the small file may not have.
    url = reverse(f"assessment:{name}") + "?year="

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    import_bytes(to_csv(hand_rows()[:20]), "a.csv")
    analysis_run()
    small = queries()
    import_bytes(to_csv(hand_rows()), "b.csv")
    analysis_run()
    assert queries() == small


def test_school_page_query_count_constant(world, login, import_bytes):
    from assessment.services import analysis_run

    client = login(world.school_admin)
    url = reverse("assessment:school", args=[world.a1_school1.pk])
    import_bytes(to_csv(hand_rows()[:8]), "a.csv")
    analysis_run()
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    import_bytes(to_csv(hand_rows()), "b.csv")
    analysis_run()
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries) <= 30


def test_upload_page_and_rollback(world, login, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert login(world.school_admin).get(reverse("assessment:import-upload")).status_code == 404
    client = login(world.coordinator)
    assert client.get(reverse("assessment:import-upload")).status_code == 200
    rows = [r for r in hand_rows() if r[0].startswith("A1")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessment:import-upload"), {"file": SimpleUploadedFile("r.csv", to_csv(rows, encoding="cp1251"))}
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    assert batch.status == ImportStatus.DONE and batch.municipality == world.a1
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "Загружено строк" in page and "Отменить загрузку" in page
    # htmx polling of a finished batch asks the page to refresh.
    assert client.get(batch.get_absolute_url(), headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    assert login(world.coordinator_b1).post(reverse("assessment:import-rollback", args=[batch.pk])).status_code == 404
    assert login(world.school_admin).post(reverse("assessment:import-rollback", args=[batch.pk])).status_code == 404
    client = login(world.coordinator)
    # Rolling back asks first (issue 15): without the ticked box nothing changes.
    response = client.post(reverse("assessment:import-rollback", args=[batch.pk]), follow=True)
    assert "ничего не изменено" in response.content.decode().lower()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE and Result.objects.count() == len(rows)
    assert 'name="confirm"' in page and "Это действие нельзя отменить" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment:import-rollback", args=[batch.pk]), {"confirm": "1"})
    batch.refresh_from_db()
    assert batch.status == ImportStatus.ROLLED_BACK and Result.objects.count() == 0


def test_error_page_and_report(world, login, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.coordinator)
    bad = [["A1S1", "2023/2024", "ВПР", "Математика", 5, "S1", 25, 20, 3, 4, ""]]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment:import-upload"), {"file": SimpleUploadedFile("r.xlsx", to_xlsx(bad))})
    batch = ImportBatch.objects.get()
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "Балл выше максимального (20)." in page
    report = client.get(reverse("assessment:import-errors", args=[batch.pk]))
    assert report.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(report.content)).active
    assert ws.cell(1, 12).value == "Ошибки" and "Балл выше" in ws.cell(2, 12).value
    assert login(world.coordinator_b1).get(reverse("assessment:import-errors", args=[batch.pk])).status_code == 404
    template = client.get(reverse("assessment:import-template"))
    ws = load_workbook(BytesIO(template.content)).active
    assert ws.cell(1, 1).value == "Код ОО" and ws.cell(2, 3).value == "ВПР"


def test_home_panel(analysed, login):
    html = login(analysed.coordinator).get("/").content.decode()
    assert "Результаты оценочных процедур" in html and "Низкие результаты" in html


def test_municipality_page_draws_the_trends_when_there_are_years(analysed, login):
    from assessment.models import ProgrammeEffect, Spread

    w = analysed
    assert Spread.objects.filter(municipality=w.a1).count() >= 2
    assert ProgrammeEffect.objects.filter(municipality=w.a1).exists()
    response = login(w.coordinator).get(reverse("assessment:municipality"))
    assert "spread_chart" in response.context and "effect_chart" in response.context
    html = response.content.decode()
    assert "Разброс индексов школ по годам" in html and "Эффективность программы по годам" in html
    assert response.context["show_municipality"] is False
    assert '<th scope="col">Муниципалитет</th>' not in html


def test_school_page_groups_flags_by_year_newest_open(analysed, login):
    import re

    from assessment.models import Flag, FlagKind

    w = analysed
    page = login(w.coordinator).get(reverse("assessment:school", args=[w.a1_school1.pk])).content.decode()
    flags = Flag.objects.filter(school=w.a1_school1).exclude(kind=FlagKind.TEACHER_DYNAMICS)
    years = sorted({f.year for f in flags}, reverse=True)
    assert years, "the hand-made file gives this school flags"
    summaries = re.findall(r"<details class=\"mb-2\"( open)?>\s*<summary[^>]*>([^<]*)</summary>", page)
    assert [bool(is_open) for is_open, _text in summaries] == [True] + [False] * (len(years) - 1)
    for (_open, text), year in zip(summaries, years, strict=True):
        n = flags.filter(year=year).count()
        assert text.startswith(f"{year}/{year + 1} · {n} признак")


def test_flag_list_numbers_cell_is_its_template_and_runs_no_context_processor_per_row(analysed, login, monkeypatch):
    """The flags list's «Numbers» column is its template (assessment/_flag_inputs.html) with
    the record — rendered without the request, so the context processors (the whole menu)
    run once for the page, not once per row; the cell is what django-tables2's
    TemplateColumn gives with the request."""
    import django_tables2 as tables
    from django.template.context import RequestContext
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from assessment.models import Flag
    from assessment.tables import FlagTable

    flags = list(Flag.objects.restrict(analysed.coordinator).order_by("pk"))
    assert len(flags) >= 3
    calls = []  # each binding of a RequestContext runs every context processor
    bind = RequestContext.bind_template
    monkeypatch.setattr(RequestContext, "bind_template", lambda self, t: calls.append(t.name) or bind(self, t))
    client = login(analysed.coordinator)
    response = client.get(reverse("assessment:flag-list") + "?year=")
    assert response.status_code == 200
    assert calls == ["core/object_list.html"]  # the page only: its table renders within it, not per row
    request = RequestFactory().get("/")
    request.user = analysed.coordinator
    table = FlagTable(flags, request=request)
    bound = table.columns["inputs"]
    assert isinstance(bound.column, tables.TemplateColumn)  # the xlsx leaves it out as before
    page = response.content.decode()
    for flag in flags:
        cell = table.render_inputs(flag)
        # what TemplateColumn renders: the template with the request (and the column's context)
        with_request = render_to_string(bound.column.template_name, {"record": flag, "value": None}, request=request)
        assert cell == with_request
        assert f"<td >{cell}</td>" in page


def _blank_tokens(body: str) -> str:
    import re

    body = re.sub(r'(nonce|csrfmiddlewaretoken" value|csrf-token" content)="[^"]*"', r'\1=""', body)
    return re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', body)


@pytest.mark.parametrize("page", ["school", "municipality"])
def test_results_pages_run_prepared_statements_and_show_what_the_querysets_give(analysed, login, page):
    """A school's results page and the municipal results page with the analysed results: the
    page is byte for byte the one every query built as a queryset gives (``off``), and after
    the first request their reads are prepared statements (EXECUTE) — but the session's user
    and, on the municipal list, the paginated list's count and rows."""
    from django.test.utils import override_settings

    from core.compiled import forget_prepared

    client = login(analysed.coordinator)
    if page == "school":
        url = reverse("assessment:school", args=[analysed.a1_school1.pk])
    else:
        url = reverse("assessment:municipality") + f"?municipality={analysed.a1.pk}"

    def body():
        response = client.get(url)
        assert response.status_code == 200
        return _blank_tokens(response.content.decode())

    forget_prepared()
    try:
        with override_settings(OPORA_PREPARED_QUERIES="off"):
            built = body()
        with override_settings(OPORA_PREPARED_QUERIES="on"):
            assert body() == built
            with CaptureQueriesContext(connection) as ctx:
                assert body() == built
    finally:
        forget_prepared()
    assert analysed.a1_school1.short_name in built
    plain = [
        q["sql"][:90]
        for q in ctx.captured_queries
        if not q["sql"].startswith("EXECUTE")
        and '"accounts_user"' not in q["sql"]
        and "django_session" not in q["sql"]
        and not (page == "municipality" and '"assessment_schoolindex"' in q["sql"].split("WHERE")[0])
    ]
    assert plain == []
    assert sum(q["sql"].startswith("EXECUTE") for q in ctx.captured_queries) >= 7


def test_a_school_id_out_of_range_is_a_404_and_leaves_the_pages_working(analysed, login):
    """The school's id from the URL is the prepared query's argument: an id beyond the
    column's range (Django compiles it to nothing) answers 404 and is not kept for later ids."""
    from django.test.utils import override_settings

    from core.compiled import forget_prepared

    client = login(analysed.coordinator)
    forget_prepared()
    try:
        with override_settings(OPORA_PREPARED_QUERIES="on"):
            for name in ("assessment:school", "schools:school-detail"):
                assert client.get(reverse(name, args=[10**30])).status_code == 404
                assert client.get(reverse(name, args=[analysed.a1_school1.pk])).status_code == 200
                assert client.get(reverse(name, args=[analysed.b1_school1.pk])).status_code == 404  # out of scope
                assert client.get(reverse(name, args=[analysed.a1_school2.pk])).status_code == 200
    finally:
        forget_prepared()


def test_the_school_link_of_a_results_list_is_reversed_once_per_table_and_is_reverses_url():
    """``school_results_url``: the URL of each school as ``reverse`` gives it — under another
    script prefix too (a new table reverses again) — from one ``reverse`` per table."""
    from unittest import mock

    from django.urls import get_script_prefix, set_script_prefix

    from assessment import tables as results_tables

    class Table:
        pass

    ids = [1, 7, 42, 987654321, 10**12]
    table = Table()
    expected = [reverse("assessment:school", args=[i]) for i in ids]
    with mock.patch.object(results_tables, "reverse", wraps=reverse) as counted:
        assert [results_tables.school_results_url(table, i) for i in ids] == expected
    assert counted.call_count == 1
    prefix = get_script_prefix()
    set_script_prefix("/portal/")
    try:
        other = Table()
        assert [results_tables.school_results_url(other, i) for i in ids] == [f"/portal{u}" for u in expected]
    finally:
        set_script_prefix(prefix)
