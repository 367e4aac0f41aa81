"""The context file (CONTEXT.md §1): through the page (preview → confirm), the command and the
API; bad input refused whole with every error in Russian and nothing changed."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from core.models import ImportState
from socialcontext.models import ContextImport, ContextSource, SchoolContext, SchoolContextFigure
from tests.socialcontext.conftest import HEADER, to_csv, to_xlsx

pytestmark = pytest.mark.django_db


def good_rows():
    return [
        ["A1S1", "2023/2024", 512, 31.5, 18.2, 2.1, 4.0, 3.5],
        ["A1S2", "2023-2024", 430, "12,5", 30, 6.5, "", 7],
        ["A1S3", 2023, "", 45, 12, 1, 0, 2],
    ]


def test_a_valid_file_is_checked_then_imported_and_analysed(world, import_context, django_capture_on_commit_callbacks):
    batch = import_context(to_csv(good_rows(), encoding="cp1251"), "context.csv", user=world.coordinator, dry_run=True)
    assert batch.status == ImportState.CHECKED and batch.rows_total == 3 and batch.rows_created == 3
    assert batch.years == [2023] and batch.municipality_id == world.a1.pk
    assert not SchoolContext.objects.exists()  # a check writes nothing

    from socialcontext.services import CONTEXT_IMPORT

    with django_capture_on_commit_callbacks(execute=True):
        batch = CONTEXT_IMPORT.confirm(batch=batch, user=world.coordinator)
    assert batch.status == ImportState.DONE and (batch.rows_created, batch.rows_updated) == (3, 0)
    row = SchoolContext.objects.get(school=world.a1_school2, year=2023)
    assert (row.students, row.higher_education, row.single_parent, row.on_register) == (430, 12.5, 30.0, 6.5)
    assert row.non_native is None and row.special_needs == 7.0  # an empty cell is «unknown»
    assert row.source == ContextSource.IMPORT and row.batch_id == batch.pk
    assert row.history.count() == 1 and row.history.first().history_user == world.coordinator
    assert SchoolContext.objects.get(school=world.a1_curator_school).students is None
    # The context analysis ran on commit (eager Celery in tests): three schools, five indicators each.
    assert SchoolContextFigure.objects.filter(year=2023).count() == 3


def test_reimport_replaces_the_row_and_keeps_its_history(world, import_context):
    import_context(to_csv(good_rows()), user=world.coordinator)
    rows = good_rows()
    rows[0][3] = 40  # A1S1: higher education 31.5 → 40
    batch = import_context(to_xlsx(rows), "context.xlsx", user=world.coordinator)
    assert batch.status == ImportState.DONE and (batch.rows_created, batch.rows_updated) == (0, 3)
    row = SchoolContext.objects.get(school=world.a1_school1, year=2023)
    assert row.higher_education == 40.0 and SchoolContext.objects.count() == 3
    old = row.history.order_by("history_date")
    assert [h.higher_education for h in old] == [31.5, 40.0]


def test_bad_input_is_refused_whole_with_every_error_in_russian(world, import_context, add_context):
    kept = add_context(world.a1_school1, 2022, higher_education=50, single_parent=10, on_register=1)
    rows = [
        ["A1S1", "2022/2023", 300, 101, 10, 1, 1, 1],  # 2: a percent above 100 (and the row would replace `kept`)
        ["NOPE", "2022/2023", 300, 10, 10, 1, 1, 1],  # 3: unknown school
        ["A1S2", "2022/2023", 300, "много", 10, -1, 1, 1],  # 4: text in a number column; below 0
        ["A1S2", "2022", 300, 10, 10, 1, 1, 1],  # 5: the same school and year as row 4
        ["B1S1", "2022/2023", 300, 10, 10, 1, 1, 1],  # 6: a school outside the coordinator's area
        ["A1S3", "2022/2024", "2,5", 10, 10, 1, 1, 1],  # 7: a wrong year, students not whole
        ["", "", "", "", "", "", "", ""],  # blank: skipped
    ]
    with translation.override("ru"):
        batch = import_context(to_csv(rows), user=world.coordinator)
    assert batch.status == ImportState.FAILED
    got = [(e["row"], e["column"], e["value"], e["reason"]) for e in batch.errors]
    assert got == [
        (2, "Оба родителя с высшим образованием, %", "101", "Процент должен быть от 0 до 100."),
        (3, "Код ОО", "NOPE", "Неизвестный код ОО."),
        (4, "Оба родителя с высшим образованием, %", "много", "Значение должно быть числом (процент от 0 до 100)."),
        (4, "На профилактическом учёте, %", "-1", "Процент должен быть от 0 до 100."),
        (5, "Код ОО", "A1S2", "Та же школа и тот же учебный год уже есть в строке 4."),
        (6, "Код ОО", "B1S1", "Школа вне вашей зоны ответственности: вы не можете менять её данные."),
        (7, "Учебный год", "2022/2024", "Учебный год указывается как 2022/2023, 2022-2023 или 2022."),
        (7, "Обучающихся", "2,5", "Число обучающихся должно быть целым числом не меньше 0."),
    ]
    assert batch.message == "В файле ошибок: 8; ничего не импортировано."
    kept.refresh_from_db()
    assert kept.higher_education == 50.0 and SchoolContext.objects.count() == 1  # nothing changed


@pytest.mark.parametrize(
    "content, name, reason",
    [
        (b"", "c.csv", "Файл пуст."),
        (b"%PDF-1.4 not a table", "c.pdf", "Принимаются только файлы .xlsx и .csv."),
        (to_csv([["A1S1", 2023]], header=["Код ОО", "Обучающихся"]), "c.csv", "Нет обязательного столбца."),
    ],
)
def test_a_file_that_is_not_a_context_file_is_refused(world, import_context, content, name, reason):
    with translation.override("ru"):
        batch = import_context(content, name, user=world.coordinator)
    assert batch.status == ImportState.FAILED
    assert reason in [e["reason"] for e in batch.errors]
    assert not SchoolContext.objects.exists()


def test_formulas_in_an_xlsx_are_refused(world, import_context):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append(["A1S1", 2023, "=1+1", 10, 10, 1, 1, 1])
    buf = io.BytesIO()
    wb.save(buf)
    with translation.override("ru"):
        batch = import_context(buf.getvalue(), "c.xlsx", user=world.coordinator)
    assert batch.status == ImportState.FAILED and "формулы" in batch.errors[0]["reason"]


def test_confirmation_checks_again_and_refuses_what_changed(world, import_context):
    from socialcontext.services import CONTEXT_IMPORT

    batch = import_context(to_csv(good_rows()), user=world.coordinator, dry_run=True)
    world.a1_curator_school.code = "RENAMED"
    world.a1_curator_school.save()
    batch = CONTEXT_IMPORT.confirm(batch=batch, user=world.coordinator)
    assert batch.status == ImportState.FAILED and batch.errors[0]["value"] == "A1S3"
    assert not SchoolContext.objects.exists()


def test_a_checked_import_is_confirmed_once(world, import_context):
    from socialcontext.services import CONTEXT_IMPORT, ContextImportRefused

    batch = import_context(to_csv(good_rows()), user=world.coordinator)
    with pytest.raises(ContextImportRefused):
        CONTEXT_IMPORT.confirm(batch=batch, user=world.coordinator)
    other = import_context(to_csv(good_rows()), user=world.coordinator, dry_run=True)
    CONTEXT_IMPORT.cancel(batch=other, user=world.coordinator)
    with pytest.raises(ContextImportRefused):
        CONTEXT_IMPORT.confirm(batch=other, user=world.coordinator)
    assert SchoolContext.objects.count() == 3


# --- the command ----------------------------------------------------------------------------------


def test_command_dry_run_then_import(world, tmp_path, capsys):
    path = tmp_path / "context.xlsx"
    path.write_bytes(to_xlsx(good_rows()))
    call_command("import_context", str(path), "--dry-run")
    assert not SchoolContext.objects.exists()
    call_command("import_context", str(path))
    assert SchoolContext.objects.count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(to_csv([["A1S1", "2023", 1, 150, 1, 1, 1, 1]]))
    with pytest.raises(CommandError):
        call_command("import_context", str(bad))
    assert "строка 2" in capsys.readouterr().err
    assert SchoolContext.objects.get(school=world.a1_school1).higher_education == 31.5


# --- the pages ------------------------------------------------------------------------------------


def test_upload_preview_confirm_in_the_browser_pages(world, login, add_context):
    add_context(world.a1_school1, 2023, higher_education=20, single_parent=10, on_register=1)
    client = login(world.coordinator)
    with translation.override("ru"):
        upload = io.BytesIO(to_csv(good_rows()))
        upload.name = "context.csv"
        response = client.post("/socialcontext/imports/new/", {"file": upload})
    batch = ContextImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/socialcontext/imports/{batch.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="preview"' in page and "Импортировать 3 строки" in page
    assert "заменит" in page and "было 20,0" in page  # A1S1 replaces its stored row: the old value shown
    assert SchoolContext.objects.get(school=world.a1_school1).higher_education == 20.0
    response = client.post(f"/socialcontext/imports/{batch.pk}/apply/")
    batch.refresh_from_db()
    assert batch.status == ImportState.DONE and SchoolContext.objects.count() == 3


def test_errors_page_and_the_file_with_an_error_column(world, login):
    client = login(world.coordinator)
    upload = io.BytesIO(to_xlsx([["A1S1", "2023/2024", 1, 120, 1, 1, 1, 1]]))
    upload.name = "context.xlsx"
    client.post("/socialcontext/imports/new/", {"file": upload})
    batch = ContextImport.objects.get()
    page = client.get(f"/socialcontext/imports/{batch.pk}/").content.decode()
    assert 'data-testid="errors"' in page and "120" in page and 'data-testid="import-apply"' not in page
    response = client.get(f"/socialcontext/imports/{batch.pk}/errors/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Контекст"
    rows = list(sheet.values)
    assert rows[0][-1] == "Ошибки" and "от 0 до 100" in rows[1][-1]


def test_template_download(world, login):
    response = login(world.coordinator).get("/socialcontext/imports/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, example = list(sheet.values)
    assert list(header) == HEADER and isinstance(example[3], float)


def test_only_coordinators_import(world, login):
    for user in (world.school_admin, world.curator, world.methodist):
        assert login(user).get("/socialcontext/imports/new/").status_code == 404
    assert login(world.coordinator).get("/socialcontext/imports/new/").status_code == 200


def test_export_of_the_data_list_imports_back_unchanged(world, login, import_context):
    import_context(to_csv(good_rows()), user=world.coordinator)
    response = login(world.coordinator).get("/socialcontext/data/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert list(values[0][:8]) == HEADER
    row = next(r for r in values[1:] if r[0] == "A1S2")
    assert row[1] == "2023/2024" and row[2] == 430 and row[3] == 12.5 and row[6] is None  # typed cells
    before = sorted(SchoolContext.objects.values_list("school_id", "higher_education", "non_native"))
    batch = import_context(response.content, "export.xlsx", user=world.coordinator)
    assert batch.status == ImportState.DONE, batch.errors
    assert sorted(SchoolContext.objects.values_list("school_id", "higher_education", "non_native")) == before


# --- the API --------------------------------------------------------------------------------------


def _upload(content, name):
    f = io.BytesIO(content)
    f.name = name
    return f


def test_api_import(world, api):
    client = api(world.coordinator)
    response = client.post(
        "/api/v1/assessment/context-imports/", {"file": _upload(to_csv(good_rows()), "c.csv"), "dry_run": "true"}
    )
    assert response.status_code == 201 and response.json()["status"] == "checked"
    assert not SchoolContext.objects.exists()
    response = client.post("/api/v1/assessment/context-imports/", {"file": _upload(to_csv(good_rows()), "c.csv")})
    assert response.status_code == 201 and response.json()["status"] == "done"
    assert SchoolContext.objects.count() == 3
    bad = [["A1S1", "2023", 1, 150, 1, 1, 1, 1], ["ZZZ", "2023", 1, 1, 1, 1, 1, 1]]
    response = client.post(
        "/api/v1/assessment/context-imports/",
        {"file": _upload(to_csv(bad), "c.csv")},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    body = response.json()
    assert response.status_code == 400 and body["status"] == "failed" and body["error_count"] == 2
    assert SchoolContext.objects.get(school=world.a1_school1).higher_education == 31.5
    assert client.get(f"/api/v1/assessment/context-imports/{body['id']}/").json()["errors"][0]["row"] == 2


def test_api_import_refused_to_a_school_administrator(world, api):
    response = api(world.school_admin).post(
        "/api/v1/assessment/context-imports/", {"file": _upload(to_csv(good_rows()), "c.csv")}
    )
    assert response.status_code == 403 and not ContextImport.objects.exists()
