import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessment.models import ImportStatus, Result
from assessment.services import import_batch_rollback, import_error_report
from tests.assessment.conftest import HEADER, hand_rows, kept_results, to_csv, to_xlsx

pytestmark = pytest.mark.django_db

ROW = ["A1S1", "2023/2024", "ВПР", "Математика", 5, "S1", 10, 20, 3, 4, "T1"]


def counts():
    return Result.objects.count(), len(kept_results())


def test_csv_windows_1251_semicolon(import_bytes):
    batch = import_bytes(to_csv([ROW], encoding="cp1251", delimiter=";"), "r.csv")
    assert batch.status == ImportStatus.DONE, batch.errors
    r = Result.objects.get()
    assert (r.school.code, r.year, r.procedure.code, r.subject.name, r.grade, r.score, r.mark, r.term_mark) == (
        "A1S1",
        2023,
        "ВПР",
        "Математика",
        5,
        10,
        3,
        4,
    )


def test_csv_utf8_bom_comma_and_free_header(import_bytes):
    header = [
        "school_code",
        "YEAR",
        "процедура",
        "Предмет",
        "класс",
        "Код  участника",
        "Первичный балл",
        "Максимальный балл",
    ]
    rows = [["A1S1", "2023", "впр", "русский яз.", "5", "X1", "12,5", "45"]]
    batch = import_bytes(to_csv(rows, encoding="utf-8-sig", delimiter=",", header=header), "r.csv")
    assert batch.status == ImportStatus.DONE, batch.errors
    r = Result.objects.get()
    assert r.subject.name == "Русский язык" and r.score == 12.5 and r.mark is None and r.teacher_code == ""


def test_xlsx_and_catalogue_max_score(import_bytes):
    header = [h for h in HEADER if h != "Максимальный балл"]
    rows = [["A1S1", "2023/2024", "ОГЭ", "Математика", 9, "S1", 20, 4, 4, "T1"]]
    batch = import_bytes(to_xlsx(rows, header=header), "r.xlsx")
    assert batch.status == ImportStatus.DONE, batch.errors
    assert Result.objects.get().max_score == 31


def test_reimport_replaces_and_rollback_restores(world, import_bytes):
    first = import_bytes(to_csv(hand_rows()), "a.csv")
    n = Result.objects.count()
    changed = [[*r[:6], 0 if i == 0 else r[6], *r[7:]] for i, r in enumerate(hand_rows())]
    second = import_bytes(to_csv(changed), "b.csv")
    assert second.status == ImportStatus.DONE
    assert Result.objects.count() == n
    assert (second.rows_created, second.rows_updated) == (0, n)
    assert Result.objects.filter(batch=second).count() == n
    assert Result.objects.get(school__code="A1S1", year=2022, student_code="S1").score == 0
    # The first import cannot be rolled back while the second one replaced its rows.
    from assessment.services import RollbackRefused

    with pytest.raises(RollbackRefused):
        import_batch_rollback(batch=first, user=world.superuser)
    import_batch_rollback(batch=second, user=world.superuser)
    assert Result.objects.get(school__code="A1S1", year=2022, student_code="S1").score == 16
    assert Result.objects.filter(batch=first).count() == n
    second.refresh_from_db()
    assert second.status == ImportStatus.ROLLED_BACK
    import_batch_rollback(batch=first, user=world.superuser)
    assert counts() == (0, 0)


def test_invalid_file_changes_nothing_and_reports_every_error(import_bytes):
    import_bytes(to_csv(hand_rows()), "a.csv")
    before = counts()
    bad = [
        ["A1S1", "2023/2024", "ВПР", "Математика", 5, "S1", 25, 20, 3, 4, "T1"],  # above max
        ["ZZZ", "2023/2024", "ВПР", "Математика", 5, "S2", 10, 20, 3, 4, ""],  # unknown school
        ["A1S1", "2023/2025", "ЕГЭХ", "Астрология", 12, "", "abc", 0, 6, 1, ""],  # many errors
        ["A1S1", "2023/2024", "ВПР", "Математика", 5, "S9", 10, 20, 3, 4, "T1"],  # valid
        ["A1S1", "2023/2024", "ВПР", "Математика", 5, "S9", 11, 20, 3, 4, "T1"],  # duplicate of the row above
    ]
    batch = import_bytes(to_csv(hand_rows()[:3] + bad), "bad.csv")
    assert batch.status == ImportStatus.FAILED
    assert counts() == before
    errors = {(e["row"], e["column"]): e for e in batch.errors}
    assert errors[(5, "Первичный балл")]["reason"] == "Балл выше максимального (20)."
    assert errors[(5, "Первичный балл")]["value"] == "25"
    assert errors[(6, "Код ОО")]["reason"] == "Неизвестный код ОО."
    assert {c for r, c in errors if r == 7} == {
        "Учебный год",
        "Процедура",
        "Предмет",
        "Класс",
        "Код участника",
        "Первичный балл",
        "Максимальный балл",
        "Отметка",
        "Годовая отметка",
    }
    assert errors[(7, "Процедура")]["reason"] == "Неизвестная процедура."
    assert errors[(9, "Код участника")]["reason"].startswith("Тот же участник")
    assert batch.error_count == len(batch.errors) == 12
    assert "ничего не импортировано" in batch.message
    content, ext, _mime = import_error_report(batch)
    text = content.decode("utf-8-sig")
    assert ext == "csv" and text.splitlines()[0].endswith(";Ошибки")
    assert "Неизвестный код ОО." in text.splitlines()[5]


def test_school_outside_scope_is_an_error(world, import_bytes):
    row = ["B1S1", *ROW[1:]]
    batch = import_bytes(to_csv([row]), "r.csv", user=world.coordinator)
    assert batch.status == ImportStatus.FAILED
    assert batch.errors[0]["reason"] == "ОО вне вашей зоны: вы не можете загружать её результаты."
    assert Result.objects.count() == 0


def test_missing_columns(import_bytes):
    batch = import_bytes(to_csv([ROW[:3]], header=HEADER[:3]), "r.csv")
    assert batch.status == ImportStatus.FAILED
    assert {e["column"] for e in batch.errors} >= {"Предмет", "Класс", "Код участника", "Первичный балл"}
    assert batch.errors[0]["reason"] == "Нет обязательного столбца."


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            _zip({"xl/workbook.xml": b"<x/>", "xl/worksheets/sheet1.xml": b"\0" * (20 * 2**20)}),
            "bomb.xlsx",
            "zip-бомба",
        ),
        (b"%PDF-1.4 not a spreadsheet", "r.xlsx", "не является таблицей xlsx"),
        (_zip({"word/document.xml": b"<x/>"}), "r.xlsx", "не является таблицей xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "r.csv", "не текстовый"),
        ("Код ОО;Учебный год\n".encode("cp1251") + bytes(range(0x80, 0xA0)) * 3, "r.csv", "кодировка"),
        (b"", "r.csv", "пуст"),
        (b"a;b", "r.pdf", "Принимаются только"),
    ],
)
def test_refused_files_change_nothing(import_bytes, content, name, message):
    import_bytes(to_csv([ROW]), "a.csv")
    before = counts()
    batch = import_bytes(content, name)
    assert batch.status == ImportStatus.FAILED
    assert message in batch.message, batch.message
    assert counts() == before


def test_too_large_file(import_bytes, settings):
    settings.RESULTS_UPLOAD_MAX_BYTES = 50 * 2**20
    batch = import_bytes(b"x" * (60 * 2**20), "big.csv")
    assert batch.status == ImportStatus.FAILED
    assert batch.message == "Файл слишком большой: 60.0 МБ; предел — 50 МБ."


def test_formulas_and_merged_header_are_refused(import_bytes):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([*ROW[:6], "=5+5", *ROW[7:]])
    buf = io.BytesIO()
    wb.save(buf)
    batch = import_bytes(buf.getvalue(), "f.xlsx")
    assert batch.status == ImportStatus.FAILED and "формулы" in batch.message

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(ROW)
    ws.merge_cells("A1:B1")
    buf = io.BytesIO()
    wb.save(buf)
    batch = import_bytes(buf.getvalue(), "m.xlsx")
    assert batch.status == ImportStatus.FAILED and "объединённые" in batch.message
    assert Result.objects.count() == 0


def test_dry_run_writes_nothing(import_bytes):
    batch = import_bytes(to_csv([ROW]), "r.csv", dry_run=True)
    assert batch.status == ImportStatus.DONE and batch.dry_run
    assert Result.objects.count() == 0


def test_command(world, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(to_csv(hand_rows(), encoding="cp1251"))
    call_command("import_results", str(good), "--dry-run")
    assert Result.objects.count() == 0
    call_command("import_results", str(good))
    assert Result.objects.count() == len(hand_rows())
    bad = tmp_path / "bad.csv"
    bad.write_bytes(to_csv([["ZZZ", *ROW[1:]]]))
    with pytest.raises(CommandError):
        call_command("import_results", str(bad))
    assert "Неизвестный код ОО." in capsys.readouterr().err
    assert Result.objects.count() == len(hand_rows())


def test_generate_results_is_deterministic(tmp_path, world):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    call_command("generate_results", "--schools", "6", "--years", "2", "--seed", "7", "--out", str(a))
    call_command("generate_results", "--schools", "6", "--years", "2", "--seed", "7", "--out", str(b))
    assert a.read_bytes() == b.read_bytes()
    c = tmp_path / "c.xlsx"
    call_command("generate_results", "--schools", "3", "--years", "1", "--municipality", "Округ А1", "--out", str(c))
    from assessment.services import import_file

    batch = import_file(path=str(c))
    assert batch.status == ImportStatus.DONE, batch.errors[:3]
    assert set(Result.objects.values_list("school__code", flat=True)) == {"A1S1", "A1S2", "A1S3"}
