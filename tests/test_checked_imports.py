"""The one checked-import service (``core.checked_imports``) with a file format of its own
(``core.tabular``): a bad row refused with its Russian message, a confirmed file applied
whole or not at all, cancel, and the moves the import's state refuses."""

import csv
import io

import pytest
from django.core.files.base import ContentFile
from openpyxl import load_workbook

from assessment.fileformat import read_table
from core.checked_imports import CheckedImportService, ImportRefused
from core.models import ImportState, TransitionRefused
from core.tabular import Column, FileFormat, cell_number, cell_text
from schools.models import School
from socialcontext.models import ContextImport, SchoolContext

pytestmark = pytest.mark.django_db

HEADER = ["Код ОО", "Учебный год", "Обучающихся"]
FMT = FileFormat(
    columns=(Column("code", "Код ОО", required=True), Column("year", "Учебный год"), Column("students", "Обучающихся")),
    sheet="Проба",
    reader=read_table,
    max_rows=lambda: 5,
    example=(("A1S1", 2023, 500),),
)


class Row:
    def __init__(self, line, school_id, students):
        self.line, self.school_id, self.students, self.year = line, school_id, students, 2023


class Refused(ImportRefused):
    not_yours = "Только координатор."


class Service(CheckedImportService):
    """Stores each row's students in the school's context (a model that exists)."""

    model = ContextImport
    file = FMT
    refused = Refused

    def may_import(self, user):
        return True

    def validate(self, table, batch):
        schools = dict(School.objects.values_list("code", "id"))

        def row(r):
            school_id = r.required("code", lambda v: schools.get(cell_text(v)), "Неизвестный код школы.")
            students = cell_number(r["students"])
            if students is None or not 0 <= students <= 100:
                r.fail("students", "Процент должен быть от 0 до 100.")
            return Row(r.line, school_id, students)

        return FMT.check_rows(table, row)

    def summary(self, batch, checked):
        return {"rows_created": len(checked.rows), "message": "Проверено."}

    def apply(self, batch, checked, user):
        for n, r in enumerate(checked.rows):
            if n == 1 and batch.original_name == "boom.csv":
                raise RuntimeError("the write failed half-way")
            SchoolContext.objects.create(school_id=r.school_id, year=r.year, students=r.students, batch=batch)
        return {"rows_created": len(checked.rows), "message": "Импортировано."}


SERVICE = Service()


def upload(rows, user, name="file.csv", header=HEADER):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return SERVICE.create(user=user, uploaded_file=ContentFile(buf.getvalue().encode(), name=name))


def test_a_bad_row_is_refused_with_its_message_and_the_error_file(world):
    batch = upload([["A1S1", 2023, 50], ["A1S2", 2023, 150], ["", 2023, 5]], world.coordinator)
    assert batch.status == ImportState.FAILED and batch.finished is not None
    assert batch.errors == [
        {"row": 3, "column": "Обучающихся", "value": "150", "reason": "Процент должен быть от 0 до 100."},
        {"row": 4, "column": "Код ОО", "value": "", "reason": "Значение обязательно."},
    ]
    assert batch.error_count == 2 and batch.message == "В файле ошибок: 2; ничего не импортировано."
    assert not SchoolContext.objects.exists()
    content, ext, _mime = SERVICE.error_file(batch)
    assert ext == "csv"
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[-1] == "Ошибки"
    assert lines[2].endswith("Обучающихся: Процент должен быть от 0 до 100.")
    with pytest.raises(ImportRefused, match="проверенный файл"):
        SERVICE.confirm(batch=batch, user=world.coordinator)


def test_header_and_file_refusals(world):
    batch = upload([["A1S1"]], world.coordinator, header=["Учебный год"])
    assert batch.errors == [{"row": 1, "column": "Код ОО", "value": "", "reason": "Нет обязательного столбца."}]
    batch = SERVICE.create(user=world.coordinator, uploaded_file=ContentFile(b"\x00\x01 not a table", name="x.pdf"))
    assert batch.status == ImportState.FAILED and batch.errors[0]["row"] == 0
    assert batch.message == batch.errors[0]["reason"]  # one error of the whole file is the message
    batch = upload([[f"A1S{i}", 2023, 1] for i in range(6)], world.coordinator)
    assert batch.status == ImportState.FAILED and "5" in batch.errors[0]["reason"]  # at most 5 rows


def test_confirm_applies_every_row(world):
    batch = upload([["A1S1", 2023, 50], ["A1S2", "2023", 40]], world.coordinator)
    assert batch.status == ImportState.CHECKED and batch.message == "Проверено."
    assert (batch.rows_total, batch.rows_created, batch.years) == (2, 2, [2023])
    assert not SchoolContext.objects.exists()  # the check writes nothing
    assert batch.file.name.startswith(f"socialcontext/imports/{batch.created:%Y/%m}/file")  # as before
    done = SERVICE.confirm(batch=batch, user=world.coordinator)
    assert done.status == ImportState.DONE and done.finished is not None and done.message == "Импортировано."
    assert SchoolContext.objects.filter(batch=done).count() == 2
    with pytest.raises(ImportRefused):
        SERVICE.confirm(batch=done, user=world.coordinator)  # never twice
    with pytest.raises(ImportRefused):
        SERVICE.cancel(batch=done, user=world.coordinator)


def test_confirm_is_all_or_nothing(world):
    batch = upload([["A1S1", 2023, 50], ["A1S2", 2023, 40]], world.coordinator, name="boom.csv")
    with pytest.raises(RuntimeError):
        SERVICE.confirm(batch=batch, user=world.coordinator)
    batch.refresh_from_db()
    assert not SchoolContext.objects.exists()  # the first row written is rolled back
    assert batch.status == ImportState.CHECKED and batch.finished is None


def test_confirm_checks_again_and_refuses_what_became_wrong(world):
    batch = upload([["A1S1", 2023, 50]], world.coordinator)
    School.objects.filter(code="A1S1").update(code="A1S9")
    batch = SERVICE.confirm(batch=batch, user=world.coordinator)
    assert batch.status == ImportState.FAILED and batch.errors[0]["reason"] == "Неизвестный код школы."
    assert not SchoolContext.objects.exists()


def test_cancel_and_the_moves_a_state_refuses(world):
    batch = upload([["A1S1", 2023, 50]], world.coordinator)
    with pytest.raises(ImportRefused, match="Только координатор"):
        SERVICE.cancel(batch=batch, user=world.coordinator_b1)  # not theirs: another municipality
    stale = ContextImport.objects.get(pk=batch.pk)
    batch = SERVICE.cancel(batch=batch, user=world.coordinator)
    assert batch.status == ImportState.CANCELLED and batch.message == "Отменено: ничего не импортировано."
    with pytest.raises(ImportRefused, match="Отменить можно только"):
        SERVICE.cancel(batch=batch, user=world.coordinator)
    with pytest.raises(ImportRefused, match="Импортировать можно только"):
        SERVICE.confirm(batch=stale, user=world.coordinator)  # a copy read before the cancel
    for state in (ImportState.DONE, ImportState.FAILED, ImportState.CHECKED):
        with pytest.raises(TransitionRefused):
            stale.move(state)
    assert ContextImport.objects.get(pk=batch.pk).status == ImportState.CANCELLED
    assert not SchoolContext.objects.exists()


def test_the_template_names_the_columns_and_the_example(world):
    wb = load_workbook(io.BytesIO(FMT.template_bytes()))
    ws = wb["Проба"]
    assert [c.value for c in ws[1]] == HEADER and [c.value for c in ws[2]] == ["A1S1", 2023, 500]
