"""Data the journeys start from: an order, a small results workbook (headers per the results
contract), and the figures it produces once imported."""

from pathlib import Path

from openpyxl import Workbook

from tests.factories import OrderFactory

RESULTS_HEADER = [
    "Код ОО",
    "Учебный год",
    "Процедура",
    "Предмет",
    "Класс",
    "Код участника",
    "Первичный балл",
    "Максимальный балл",
    "Отметка",
]


def order_for(municipality, number: str, title: str):
    return OrderFactory(municipality=municipality, number=number, title=title)


def school_rows(
    code: str, year: str, scores: list[int], max_score: int = 20, subject: str = "Математика"
) -> list[list]:
    """One ВПР group (grade 5) of a school: a row per student with a mark derived from the score."""

    def mark(score: int) -> int:
        share = score / max_score
        return 5 if share >= 0.85 else 4 if share >= 0.65 else 3 if share >= 0.4 else 2

    return [
        [code, year, "ВПР", subject, 5, f"{code}-{n}", score, max_score, mark(score)]
        for n, score in enumerate(scores, start=1)
    ]


def results_workbook(path: Path, rows: list[list]) -> Path:
    """Write rows under the contract's Russian headers to an .xlsx file (sheet «Результаты»)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Результаты"
    ws.append(RESULTS_HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path
