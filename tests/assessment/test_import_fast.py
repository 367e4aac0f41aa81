"""The lean import path: csv rows parsed per pass (not held as lists) and COPY fed in chunks."""

import csv
import io

import pytest
from openpyxl import Workbook

from assessment import services
from assessment.fileformat import CsvRows, FileRefused, read_table
from assessment.models import ImportStatus, Result
from tests.assessment.conftest import HEADER, to_csv

pytestmark = pytest.mark.django_db


def test_csv_rows_are_parsed_again_on_each_pass():
    text = 'h1;h2\n1;"two\nlines"\n\n3;4\n'
    table = read_table(text.encode("utf-8"), "r.csv")
    assert table.header == ["h1", "h2"]
    first = list(table.rows)
    assert first == [["1", "two\nlines"], [], ["3", "4"]]
    assert list(table.rows) == first
    assert len(table.rows) == 3


def test_csv_rows_without_header():
    rows = CsvRows("", ";")
    assert rows.count() is None and len(rows) == 0 and list(rows) == []


def test_malformed_csv_is_refused_before_validation(monkeypatch):
    def broken(self):
        raise csv.Error("line contains NUL")

    monkeypatch.setattr(CsvRows, "_reader", broken)
    with pytest.raises(FileRefused):
        read_table(b"a;b\n1;2\n", "r.csv")


def test_copy_lines_are_the_csv_of_each_row():
    rows = [
        (
            i,
            2023,
            1,
            2,
            5,
            f"S{i}",
            10.5,
            20.0,
            None if i % 2 else 4,
            None,
            "Т;1" if i == 4 else "",
            "А\nБ" if i == 5 else "А",
        )
        for i in range(8)
    ]
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\n").writerows([["" if v is None else v for v in r] for r in rows])
    lines = services._csv_lines(rows)
    assert len(lines) == len(rows)  # one per row, also for the one whose class letter holds a line break
    assert "".join(lines) == expected.getvalue()
    assert list(csv.reader(io.StringIO(lines[5]))) == [
        ["5", "2023", "1", "2", "5", "S5", "10.5", "20.0", "", "", "", "А\nБ"]
    ]


def test_import_of_more_rows_than_one_copy_chunk(import_bytes, monkeypatch):
    monkeypatch.setattr(services, "WRITE_CHUNK_ROWS", 4)
    rows = [["A1S1", "2023/2024", "ВПР", "Математика", 5, f"S{i}", i % 21, 20, 3, 4, "T1", "Б"] for i in range(11)]
    batch = import_bytes(to_csv(rows, header=[*HEADER, "Класс (литера)"]), "r.csv")
    assert batch.status == ImportStatus.DONE, batch.errors
    assert batch.rows_created == 11
    got = sorted(Result.objects.values_list("student_code", "score", "class_letter"))
    assert got == sorted((f"S{i}", float(i % 21), "Б") for i in range(11))


# --- the streamed write: rows checked and written chunk by chunk, one transaction -------------


def _snapshot():
    from tests.assessment.conftest import kept_results

    live = sorted(
        Result.objects.values_list(
            "school__code", "year", "subject__name", "grade", "student_code", "score", "batch_id"
        )
    )
    kept = sorted((r["student_code"], r["score"], r["replaced_by"], r["batch_id"]) for r in kept_results())
    return live, kept


def test_reimport_in_small_chunks_mixing_new_and_replaced_rows(world, import_bytes, monkeypatch):
    """Chunks of 3 rows: groups stored before go through the staging table (their results are
    kept for rollback), new groups straight into the results, and a chunk may have both."""
    from assessment.services import import_batch_rollback
    from tests.assessment.conftest import hand_rows, kept_results

    monkeypatch.setattr(services, "WRITE_CHUNK_ROWS", 3)
    first = import_bytes(to_csv(hand_rows()[:20]), "a.csv")  # 2022 groups and the start of 2023
    assert (first.status, first.rows_created, first.rows_updated) == (ImportStatus.DONE, 20, 0)
    before = _snapshot()
    changed = [[*r[:6], 1, *r[7:]] if i % 2 else r for i, r in enumerate(hand_rows())]  # every other score 1
    second = import_bytes(to_csv(changed), "b.csv")
    assert second.status == ImportStatus.DONE, second.errors
    n = len(hand_rows())
    assert (second.rows_total, second.rows_created, second.rows_updated) == (n, n - 20, 20)
    assert Result.objects.count() == n and Result.objects.filter(batch=second).count() == n
    kept = kept_results(batch=second, previous_batch=first)
    assert len(kept) == 20
    # … the first import's versions, as they were
    assert sorted((r["student_code"], r["score"]) for r in kept) == sorted(
        (r[5], float(r[6])) for r in hand_rows()[:20]
    )
    got = sorted(Result.objects.values_list("school__code", "year", "student_code", "subject__name", "grade", "score"))
    from assessment.models import Subject

    names = dict(Subject.objects.values_list("name", "name"))
    expected = sorted(
        (
            r[0],
            int(str(r[1])[:4]),
            r[5],
            names.get(r[3], "Математика" if r[3].lower() == "математика" else r[3]),
            r[4],
            float(r[6]),
        )
        for r in changed
    )
    assert got == expected
    import_batch_rollback(batch=second, user=world.superuser)
    assert _snapshot() == before


def test_an_error_after_written_chunks_changes_nothing(world, import_bytes, monkeypatch):
    from tests.assessment.conftest import hand_rows

    monkeypatch.setattr(services, "WRITE_CHUNK_ROWS", 4)
    import_bytes(to_csv(hand_rows()[:10]), "a.csv")
    before = _snapshot()
    rows = hand_rows()
    rows[-2] = [*rows[-2][:6], 99, *rows[-2][7:]]  # above the maximum, near the end of the file
    batch = import_bytes(to_csv(rows), "b.csv")
    assert batch.status == ImportStatus.FAILED
    assert [(e["row"], e["column"]) for e in batch.errors] == [(len(rows), "Первичный балл")]
    assert batch.rows_total == len(rows)
    assert _snapshot() == before


def test_a_malformed_csv_found_while_writing_changes_nothing(world, import_bytes, monkeypatch):
    from tests.assessment.conftest import hand_rows

    monkeypatch.setattr(services, "WRITE_CHUNK_ROWS", 2)
    import_bytes(to_csv(hand_rows()[:10]), "a.csv")
    before = _snapshot()
    content = to_csv(hand_rows() * 40) + b"A1S1;2023;\x00;\n"  # a NUL past the first 4 KB sniffed
    batch = import_bytes(content, "b.csv")
    assert (batch.status == ImportStatus.FAILED and "повреждён" in batch.message.lower()) or "csv" in batch.message
    assert _snapshot() == before


def test_fast_path_accepts_and_refuses_exactly_as_the_full_check(world, monkeypatch):
    """Every row forced through the full check gives the same rows and the same errors."""
    from assessment import fileformat
    from tests.assessment.conftest import hand_rows

    odd = [
        ["A1S1", 2023.0, "впр", "МАТЕМАТИКА", 5.0, 77, "12,5", 20, 4.0, "", None],
        ["A1S1", "2023/2024", "ВПР", "Математика", 5, "  S77  ", 21, 20, 3, 4, "T1"],
        ["A1S1", "2023/2024", "ВПР", "Математика", 5, "S78", 10, 20, 6, 4, "T" * 65],
        ["A1S1", "2023/2024", "ОГЭ", "Математика", 9, "S79", 31, "", 3, 3, ""],
        ["A1S1", "2023/2024", "ОГЭ", "Математика", 9, "S80", 32, "", 3, 3, ""],
        ["A1S1", "2023/2024", "ВПР", "Математика", 5],
        ["", "", "", "", "", "", "", "", "", "", ""],
        ["A1S1", "2023/2024", "ВПР", "Математика", 5, "S1", 10, 20, 3, 4, "T1"],  # duplicate of a hand row
        ["B1S1", "2023/2024", "ВПР", "Русский язык", 7, "S99", True, 50, 2, 5, ""],
    ]
    rows = hand_rows() + odd
    from schools.models import School

    schools = dict(School.objects.exclude(code="A1S3").values_list("code", "id"))  # A1S3: outside the area
    known = set(School.objects.values_list("code", flat=True))
    fast = fileformat.validate_rows(fileformat.Table("xlsx", HEADER, rows), schools, known)
    monkeypatch.setattr(fileformat.RowChecker, "_group", lambda self, cells: fileformat._NO)
    full = fileformat.validate_rows(fileformat.Table("xlsx", HEADER, rows), schools, known)
    assert fast.errors and fast.errors == full.errors
    assert fast.rows == full.rows and len(fast.rows) == len(hand_rows()) - 9 + 3
    assert (fast.years, fast.school_ids, fast.rows_read, fast.rows_valid) == (
        full.years,
        full.school_ids,
        full.rows_read,
        full.rows_valid,
    )


def test_xlsx_rows_are_those_of_to_python_with_the_empty_area():
    from python_calamine import CalamineWorkbook

    from assessment.fileformat import XlsxRows

    wb = Workbook()
    ws = wb.active
    ws["B1"], ws["C1"], ws["B2"], ws["C4"], ws["D5"] = "h1", "h2", 1, "x", 2.5
    buf = io.BytesIO()
    wb.save(buf)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(buf.getvalue())).get_sheet_by_index(0)
    values = sheet.to_python(skip_empty_area=False)
    rows = XlsxRows(sheet)
    assert rows.header() == values[0]
    assert list(rows) == values[1:] and list(rows) == values[1:]
    assert len(rows) == len(values) - 1
    table = read_table(buf.getvalue(), "r.xlsx")
    assert table.header == ["", "h1", "h2", ""] and list(table.rows) == values[1:]


def test_xlsx_with_data_from_column_b_imports(import_bytes):
    wb = Workbook()
    ws = wb.active
    ws.append([None, *HEADER])
    ws.append([None, "A1S1", "2023/2024", "ВПР", "Математика", 5, "S1", 10, 20, 3, 4, "T1"])
    buf = io.BytesIO()
    wb.save(buf)
    batch = import_bytes(buf.getvalue(), "r.xlsx")
    assert batch.status == ImportStatus.DONE, batch.errors
    assert Result.objects.get().student_code == "S1"


def test_formulas_anywhere_in_a_large_sheet_are_refused(import_bytes):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for i in range(3000):
        ws.append(["A1S1", "2023/2024", "ВПР", "Математика", 5, f"S{i}", 10, 20, 3, 4, "T1"])
    ws.append(["A1S1", "2023/2024", "ВПР", "Математика", 5, "S-last", "=1+1", 20, 3, 4, "T1"])
    buf = io.BytesIO()
    wb.save(buf)
    batch = import_bytes(buf.getvalue(), "f.xlsx")
    assert batch.status == ImportStatus.FAILED and "формулы" in batch.message
    assert Result.objects.count() == 0


def test_dry_run_checks_every_row_and_writes_nothing(import_bytes):
    from tests.assessment.conftest import hand_rows

    batch = import_bytes(to_csv(hand_rows()), "r.csv", dry_run=True)
    assert batch.status == ImportStatus.DONE and batch.rows_total == len(hand_rows())
    assert str(len(hand_rows())) in batch.message
    assert Result.objects.count() == 0


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_row_bound_without_parsing(end):
    rows = CsvRows(end.join(["h1;h2", "1;2", '3;"a' + end + 'b"', "5;6"]) + end, ";")
    assert rows.upper_bound() >= len(rows) == 3
    assert rows.upper_bound() == 4


def test_the_row_limit_is_checked_without_a_counting_pass(world, import_bytes, settings, monkeypatch):
    """A file within the limit is never counted by a separate parse (\\r\\n line ends included);
    one above it is refused with its exact number of rows."""
    from tests.assessment.conftest import hand_rows

    settings.ASSESSMENT_MAX_ROWS = len(hand_rows())
    counted = []
    real_count = CsvRows.count
    monkeypatch.setattr(CsvRows, "count", lambda self: counted.append(1) or real_count(self))
    content = to_csv(hand_rows())
    assert b"\r\n" in content
    batch = import_bytes(content, "r.csv")
    assert batch.status == ImportStatus.DONE and not counted
    batch = import_bytes(to_csv(hand_rows() + hand_rows()[:1]), "big.csv")
    assert batch.status == ImportStatus.FAILED and counted
    assert batch.errors[0]["value"] == str(len(hand_rows()) + 1)
    assert "не более" in batch.errors[0]["reason"] or str(len(hand_rows())) in batch.errors[0]["reason"]
