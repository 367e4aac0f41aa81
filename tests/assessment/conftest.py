import csv
import io

import pytest

HEADER = [
    "Код ОО",
    "Учебный год",
    "Процедура",
    "Предмет",
    "Класс",
    "Код участника",
    "Первичный балл",
    "Максимальный балл",
    "Отметка",
    "Годовая отметка",
    "Код учителя",
]


@pytest.fixture(autouse=True)
def celery_eager():
    from config.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


def _rows(school, year, procedure, subject, grade, max_score, scores, marks=None, terms=None, teacher="", prefix="S"):
    marks = marks or [None] * len(scores)
    terms = terms or [None] * len(scores)
    return [
        [school, year, procedure, subject, grade, f"{prefix}{i}", score, max_score, m, t, teacher]
        for i, (score, m, t) in enumerate(zip(scores, marks, terms, strict=True), start=1)
    ]


def hand_rows() -> list[list]:
    """The small file whose every figure the tests compute by hand (see test_figures)."""
    rows = []
    # 2022/2023: ВПР, Математика, 5 grade — A1S1 80 %, A1S2 42 %, A1S3 90 % (five rows each).
    rows += _rows("A1S1", "2022/2023", "ВПР", "Математика", 5, 20, [16] * 5, [4] * 5, [4] * 5, teacher="T1")
    rows += _rows("A1S2", "2022-2023", "впр", "математика", 5, 20, [8.4] * 5, [3] * 5, [3] * 5)
    rows += _rows("A1S3", "2022", "ВПР", "Математика", 5, 20, [18] * 5, [5] * 5, [5] * 5)
    # 2023/2024, same key: A1S1 70 % (6 rows, one without marks), A1S2 40 %, A1S3 four rows of 100 % (< 5).
    rows += _rows(
        "A1S1",
        "2023/2024",
        "ВПР",
        "Математика",
        5,
        20,
        [10, 12, 14, 16, 18, 14],
        [3, 3, 4, 4, 5, None],
        [4, 4, 4, 4, 4, None],
        teacher="T1",
    )
    rows += _rows("A1S2", "2023/2024", "ВПР", "Математика", 5, 20, [4, 6, 8, 10, 12], [2, 2, 3, 3, 4], [3] * 5)
    rows += _rows("A1S3", "2023/2024", "ВПР", "Математика", 5, 20, [20] * 4)
    # σ = 0: both schools 60 % in Русский язык, 5 grade.
    rows += _rows("A1S1", "2023/2024", "ВПР", "Русский язык", 5, 45, [27] * 5, prefix="R")
    rows += _rows("A1S2", "2023/2024", "ВПР", "Русский язык", 5, 45, [27] * 5, prefix="R")
    # Risk zone: ОГЭ Математика 9 — 10/31 and 12/31 below 40 %, 13/31 above; РДР repeats student S1.
    rows += _rows("A1S1", "2023/2024", "ОГЭ", "Математика", 9, 31, [10, 12, 13], prefix="N")
    rows += _rows("A1S1", "2023/2024", "РДР", "Математика", 9, 10, [1], prefix="N")
    rows += _rows("A1S1", "2023/2024", "ВПР", "Математика", 8, 25, [1], prefix="N")  # not a risk procedure/grade
    # A single school of its municipality (B1S1): non-objectivity.
    rows += _rows("B1S1", "2023/2024", "ВПР", "Русский язык", 6, 50, [30] * 10, [3] * 5 + [4] * 5, [4] * 10)
    rows += _rows(
        "B1S1",
        "2023/2024",
        "ВПР",
        "Математика",
        6,
        20,
        [10] * 10,
        [3, 3, 3, 5, 5, 5, 5, 4, 4, 4],
        [4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
    )
    rows += _rows("B1S1", "2023/2024", "ВПР", "Русский язык", 7, 50, [30] * 9, [2] * 9, [5] * 9)
    return rows


def to_csv(rows, *, encoding="utf-8", delimiter=";", header=HEADER) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue().encode(encoding)


def to_xlsx(rows, header=HEADER) -> bytes:
    from core.xlsx import workbook_bytes

    return workbook_bytes({"Результаты": (header, rows)})


@pytest.fixture
def import_bytes(world, tmp_path):
    """import_bytes(content, name, user=None, dry_run=False) → the finished batch."""
    from assessment.services import import_file

    def _import(content: bytes, name: str = "results.csv", user=None, dry_run=False):
        path = tmp_path / name
        path.write_bytes(content)
        return import_file(path=str(path), user=user, dry_run=dry_run)

    return _import


@pytest.fixture
def analysed(world, import_bytes):
    """The hand file imported (Windows-1251, «;») and analysed; ШНОР statuses for effectiveness."""
    from assessment.models import ImportStatus
    from assessment.services import analysis_run
    from schools.models import Order, SchoolStatus, StatusKind

    order = Order.objects.create(
        municipality=world.a1, region=world.region_a, number="1", date="2022-09-01", issuer="УО", title="ШНОР"
    )
    SchoolStatus.objects.create(
        school=world.a1_school2, kind=StatusKind.LOW_RESULTS, year_from=2022, year_to=2023, order=order
    )
    SchoolStatus.objects.create(school=world.a1_school1, kind=StatusKind.LOW_RESULTS, year_from=2023, order=order)
    batch = import_bytes(to_csv(hand_rows(), encoding="cp1251"), "hand.csv")
    assert batch.status == ImportStatus.DONE, batch.errors
    analysis_run(trigger="test")
    return world


def kept_results(**filters) -> list[dict]:
    """The replaced results kept for rollback (unpacked), each with the batch that replaced it."""
    from assessment.models import ReplacedResultPack

    return [
        {**row, "replaced_by": pack.batch_id}
        for pack in ReplacedResultPack.objects.filter(**filters).order_by("pk")
        for row in pack.unpacked()
    ]
