"""The lean import path: csv rows parsed per pass (not held as lists) and COPY fed in chunks."""

import csv
import io

import pytest

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


def test_copy_stream_matches_the_csv_of_every_row_across_chunks(monkeypatch):
    monkeypatch.setattr(services._CsvStream, "CHUNK_ROWS", 3)
    rows = [
        (i, 2023, 1, 2, 5, f"S{i}", 10.5, 20.0, None if i % 2 else 4, None, "Т;1" if i == 4 else "", "А")
        for i in range(8)
    ]
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\n").writerows([["" if v is None else v for v in r] for r in rows])
    stream = services._CsvStream(rows)
    parts = []
    while chunk := stream.read(7):
        parts.append(chunk)
    assert b"".join(parts).decode("utf-8") == expected.getvalue()
    assert services._CsvStream(rows).read() == expected.getvalue().encode("utf-8")


def test_import_of_more_rows_than_one_copy_chunk(import_bytes, monkeypatch):
    monkeypatch.setattr(services._CsvStream, "CHUNK_ROWS", 4)
    rows = [["A1S1", "2023/2024", "ВПР", "Математика", 5, f"S{i}", i % 21, 20, 3, 4, "T1", "Б"] for i in range(11)]
    batch = import_bytes(to_csv(rows, header=[*HEADER, "Класс (литера)"]), "r.csv")
    assert batch.status == ImportStatus.DONE, batch.errors
    assert batch.rows_created == 11
    got = sorted(Result.objects.values_list("student_code", "score", "class_letter"))
    assert got == sorted((f"S{i}", float(i % 21), "Б") for i in range(11))
