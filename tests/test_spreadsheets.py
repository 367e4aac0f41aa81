"""Uploaded spreadsheets are measured before any parser (issue 13, item 1).

A 4.9 KB xlsx with one far cell (``XFD1048576``) makes python-calamine allocate 512 GiB and
abort the process.  These tests never hand such a file to calamine: a guard replaces it, so a
door that forgets the check fails the test instead of killing the test process."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from core.spreadsheets import Limits, Shape, SpreadsheetRefused, check_spreadsheet


def far_cell_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "ID"
    ws["XFD1048576"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rewrite_sheet(content: bytes, change) -> bytes:
    """The same package with its first sheet's XML passed through ``change``."""
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            dst.writestr(info.filename, data)
    return out.getvalue()


@pytest.fixture
def calamine_guard(monkeypatch):
    """python-calamine that fails the test if anyone asks it to read a workbook."""
    import python_calamine

    calls = []

    class Guard:
        @classmethod
        def from_filelike(cls, *args, **kwargs):
            calls.append("from_filelike")
            raise AssertionError("calamine was handed a file the shape check should have refused")

        from_path = from_filelike

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Guard)
    return calls


# --- the check itself --------------------------------------------------------------------------


def test_the_far_cell_file_is_small_and_refused_by_its_declared_dimension():
    content = far_cell_xlsx()
    assert len(content) < 6 * 1024
    with pytest.raises(SpreadsheetRefused) as exc:
        check_spreadsheet(content, "list.xlsx")
    assert exc.value.code == "shape"
    assert str(exc.value) == "Лист доходит до строки 1 048 576; принимается не более 100 000 строк."
    with pytest.raises(SpreadsheetRefused) as exc:
        check_spreadsheet(content, "list.xlsx", Limits(max_rows=2_000_000, max_columns=100))
    assert str(exc.value) == "Лист доходит до столбца XFD (№ 16384); принимается не более 100 столбцов."


def test_a_lying_or_missing_dimension_does_not_hide_the_far_cell():
    def lie(xml):
        return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:A1"/>', xml)

    def drop(xml):
        return re.sub(rb'<dimension ref="[^"]*"\s*/>', b"", xml)

    for change in (lie, drop):
        content = _rewrite_sheet(far_cell_xlsx(), change)
        assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
        with pytest.raises(SpreadsheetRefused) as exc:
            check_spreadsheet(content, "list.xlsx", Limits(max_rows=2_000_000, max_columns=100))
        assert "столбца XFD" in str(exc.value)
        with pytest.raises(SpreadsheetRefused) as exc:
            check_spreadsheet(content, "list.xlsx", Limits(max_rows=5_000, max_columns=20_000, max_cells=10**12))
        assert "строки 1 048 576" in str(exc.value)


def test_a_far_cell_past_a_chunk_boundary_is_found(monkeypatch):
    import core.spreadsheets as spreadsheets

    monkeypatch.setattr(spreadsheets, "CHUNK", 1024)
    monkeypatch.setattr(spreadsheets, "HEAD_BYTES", 512)
    wb = Workbook()
    ws = wb.active
    for i in range(1, 400):
        ws.append([f"строка {i}", i])
    ws["BZ9000"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    content = _rewrite_sheet(buf.getvalue(), lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml))
    shape = check_spreadsheet(content, "a.xlsx", Limits(max_rows=10_000, max_columns=100))
    assert (shape.rows, shape.columns) == (9000, 78)
    with pytest.raises(SpreadsheetRefused):
        check_spreadsheet(content, "a.xlsx", Limits(max_rows=8_999, max_columns=100))
    with pytest.raises(SpreadsheetRefused):
        check_spreadsheet(content, "a.xlsx", Limits(max_rows=10_000, max_columns=77))
    with pytest.raises(SpreadsheetRefused) as exc:
        check_spreadsheet(content, "a.xlsx", Limits(max_rows=10_000, max_columns=100, max_cells=9000 * 78 - 1))
    assert str(exc.value).startswith("Лист занимает 702 000 ячеек")


def test_an_ordinary_workbook_passes_with_its_shape():
    wb = Workbook()
    ws = wb.active
    ws.append(["ID", "ФИО", "Школа"])
    ws.append([1, "Иванова Анна", "СШ № 1"])
    buf = io.BytesIO()
    wb.save(buf)
    shape = check_spreadsheet(buf.getvalue(), "list.xlsx")
    assert (shape.kind, shape.rows, shape.columns) == ("xlsx", 2, 3)
    assert check_spreadsheet(b"a;b\n1;2\n", "r.csv") == Shape("csv", 2, 0)


@pytest.mark.parametrize(
    ("content", "name", "code", "message"),
    [
        (b"", "a.xlsx", "size", "Файл пуст."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "a.xls", "kind", "сохраните файл в формате .xlsx"),
        (b"PK\x03\x04 broken", "a.xlsx", "kind", "не является таблицей xlsx"),
        (b"%PDF-1.4", "a.xlsx", "kind", "не является таблицей xlsx"),
        (b"a;b", "a.pdf", "kind", "Принимаются только файлы .xlsx и .csv."),
        (b"a\0b", "a.csv", "kind", "не текстовый"),
        (b"a\n" * 101, "a.csv", "shape", "В файле 101 строк; принимается не более 100."),
    ],
)
def test_what_is_not_a_measurable_spreadsheet_is_refused(content, name, code, message):
    with pytest.raises(SpreadsheetRefused) as exc:
        check_spreadsheet(content, name, Limits(max_rows=100))
    assert exc.value.code == code
    assert message in str(exc.value)


def test_zip_bombs_and_member_floods_are_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", b"<x/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 2**20))
    with pytest.raises(SpreadsheetRefused) as exc:
        check_spreadsheet(buf.getvalue(), "bomb.xlsx")
    assert "zip-бомба" in str(exc.value)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", b"<x/>")
        for i in range(1001):
            zf.writestr(f"xl/media/{i}.bin", b"")
    with pytest.raises(SpreadsheetRefused) as exc:
        check_spreadsheet(buf.getvalue(), "many.xlsx")
    assert "не является таблицей xlsx" in str(exc.value)


def test_size_is_checked_first(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(SpreadsheetRefused) as exc:
        check_spreadsheet(b"a;b\n" * 1000, "a.csv")
    assert exc.value.code == "size"
    assert "Файл слишком большой" in str(exc.value)


# --- every door that reads a spreadsheet ----------------------------------------------------------


@pytest.mark.django_db
def test_results_import_refuses_the_far_cell_file_and_ends_failed(world, tmp_path, calamine_guard):
    from assessment.models import ImportStatus, Result
    from assessment.services import import_file

    path = tmp_path / "results.xlsx"
    path.write_bytes(far_cell_xlsx())
    batch = import_file(str(path), user=world.superuser)
    assert batch.status == ImportStatus.FAILED
    assert "Лист доходит до столбца XFD" in batch.message
    assert batch.errors[0]["reason"] == batch.message
    assert Result.objects.count() == 0
    assert calamine_guard == []


@pytest.mark.django_db
def test_context_import_refuses_the_far_cell_file(world, tmp_path, calamine_guard):
    from socialcontext.services import CONTEXT_IMPORT

    path = tmp_path / "context.xlsx"
    path.write_bytes(far_cell_xlsx())
    batch = CONTEXT_IMPORT.import_file(str(path), user=world.superuser)
    assert batch.status == "failed"
    assert "Лист доходит до" in batch.message
    assert calamine_guard == []


@pytest.mark.django_db
def test_roadmap_import_refuses_the_far_cell_file(world, login, calamine_guard):
    from roadmaps.models import Activity, RoadmapStatus
    from tests.roadmaps.conftest import make_roadmap

    roadmap = make_roadmap(world.a1_school1, status=RoadmapStatus.DRAFT, n_activities=1)
    before = Activity.objects.count()
    response = login(world.school_admin).post(
        f"/roadmaps/{roadmap.pk}/import/", {"file": SimpleUploadedFile("plan.xlsx", far_cell_xlsx())}
    )
    assert response.status_code == 200
    assert "Лист доходит до строки 1 048 576; принимается не более 5 000 строк." in response.content.decode()
    assert Activity.objects.count() == before
    assert calamine_guard == []


@pytest.mark.django_db
def test_attendance_upload_refuses_the_far_cell_file(world, login, calamine_guard):
    from events.models import Registration
    from events.services import attendance_import
    from tests.events.conftest import make_event

    event = make_event(world.a1, days=-3, host_school=world.a1_school2, title="Круглый стол")
    reg = Registration.objects.create(event=event, school=world.a1_school1, full_name="Иванова Анна")
    with pytest.raises(ValidationError) as exc:
        attendance_import(world.methodist, event, SimpleUploadedFile("list.xlsx", far_cell_xlsx()))
    assert exc.value.messages == ["Лист доходит до строки 1 048 576; принимается не более 20 000 строк."]
    response = login(world.methodist).post(
        f"/events/{event.pk}/attendance/", {"file": SimpleUploadedFile("list.xlsx", far_cell_xlsx())}, follow=True
    )
    assert "Лист доходит до строки 1 048 576" in response.content.decode()
    reg.refresh_from_db()
    assert not reg.attended
    assert calamine_guard == []


# --- a batch whose reader dies ends «failed», never «running» ----------------------------------------


@pytest.mark.django_db
def test_the_sweep_fails_a_batch_whose_reader_died_on_every_attempt(world, settings):
    from django.core.files.base import ContentFile

    from assessment import services
    from assessment.models import ImportBatch, ImportStatus
    from assessment.tasks import sweep_imports

    settings.ASSESSMENT_IMPORT_STALE_SECONDS = 600
    settings.ASSESSMENT_IMPORT_MAX_ATTEMPTS = 3
    batch = services.import_batch_create(user=world.superuser, uploaded_file=ContentFile(b"a;b\n", name="r.csv"))
    # Three workers claimed it and died in the reader (SIGABRT): «running», progress 5, stale.
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.RUNNING, progress=5, attempts=3, started=timezone.now() - timedelta(seconds=601)
    )
    assert sweep_imports() == {"failed": 1, "queued": 0}
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and batch.finished is not None
    assert batch.message == (
        "Чтение файла остановило обработчик (попыток: 3): файл, возможно, повреждён или слишком велик; "
        "ничего не импортировано."
    )
    assert sweep_imports() == {"failed": 0, "queued": 0}


@pytest.mark.django_db
def test_the_sweep_runs_again_a_batch_with_attempts_left(world, settings):
    from django.core.files.base import ContentFile

    from assessment import services
    from assessment.models import ImportBatch, ImportStatus
    from tests.assessment.conftest import hand_rows, to_csv

    settings.ASSESSMENT_IMPORT_STALE_SECONDS = 600
    batch = services.import_batch_create(
        user=world.superuser, uploaded_file=ContentFile(to_csv(hand_rows()), name="r.csv")
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.RUNNING, progress=5, attempts=1, started=timezone.now() - timedelta(seconds=601)
    )
    fresh = services.import_batch_create(user=world.superuser, uploaded_file=ContentFile(b"a;b\n", name="r.csv"))
    ImportBatch.objects.filter(pk=fresh.pk).update(status=ImportStatus.RUNNING, started=timezone.now())
    assert services.import_batches_sweep() == {"failed": 0, "queued": 1}  # eager: run at once
    batch.refresh_from_db()
    fresh.refresh_from_db()
    assert batch.status == ImportStatus.DONE and batch.attempts == 2
    assert fresh.status == ImportStatus.RUNNING, "a live claim is left alone"
