"""Realistic synthetic results (for demos, tests and benchmarks): per-school effects, teacher
effects, a trend per school, and a few non-objective schools whose ВПР marks fall far below
the term marks.  The same seed gives the same rows."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator, Sequence

from assessment.fileformat import COLUMNS, XLSX_SHEET

# (procedure, subject, grade, maximum score)
PLAN = [
    *[("ВПР", "Русский язык", g, m) for g, m in ((4, 38), (5, 45), (6, 51), (7, 47), (8, 51))],
    *[("ВПР", "Математика", g, m) for g, m in ((4, 20), (5, 20), (6, 20), (7, 19), (8, 25))],
    ("ОГЭ", "Русский язык", 9, 33),
    ("ОГЭ", "Математика", 9, 31),
    ("ЕГЭ", "Русский язык", 11, 50),
    ("ЕГЭ", "Математика (профильный уровень)", 11, 32),
]
HEADER = [c.header for c in COLUMNS]

# A teacher teaches a subject in a band of grades (a primary teacher grade 4 in both subjects;
# one teacher per subject for 5–6, for 7–8 and for the exam grades 9 and 11), so a teacher's
# results pool several groups (RESULTS.md: teachers' dynamics pooled over their grades).
GRADE_BANDS = {4: "P", 5: "A", 6: "A", 7: "B", 8: "B", 9: "C", 11: "C"}


def teacher_code(school_index: int, subject: str, grade: int) -> str:
    band = GRADE_BANDS.get(grade, str(grade))
    if band == "P":
        return f"T{school_index:04d}P"
    subjects = sorted({s.removesuffix(" (профильный уровень)") for _p, s, _g, _m in PLAN})
    return f"T{school_index:04d}{band}{subjects.index(subject.removesuffix(' (профильный уровень)')) + 1}"


def _mark(percent: float) -> int:
    if percent < 30:
        return 2
    if percent < 50:
        return 3
    if percent < 75:
        return 4
    return 5


def generate(
    school_codes: Sequence[str], years: Sequence[int], seed: int = 1, students: tuple[int, int] = (8, 60)
) -> Iterator[list]:
    """Rows in the file's column order (see ``HEADER``)."""
    rnd = random.Random(seed)
    schools = []
    n_nonobjective = max(1, len(school_codes) // 30) if len(school_codes) >= 5 else 0
    nonobjective = set(rnd.sample(range(len(school_codes)), n_nonobjective)) if n_nonobjective else set()
    for i, code in enumerate(school_codes):
        schools.append(
            {
                "code": code,
                "effect": rnd.gauss(0, 9),
                "trend": rnd.gauss(0, 2.5),
                "size": rnd.randint(*students),
                "nonobjective": i in nonobjective,
                # One effect per group drawn as before (the same seed gives the same scores).
                "teachers": {(s, g): (teacher_code(i, s, g), rnd.gauss(0, 5)) for _p, s, g, _m in PLAN},
            }
        )
    for y_index, year in enumerate(years):
        label = f"{year}/{year + 1}"
        for school in schools:
            base = 62 + school["effect"] + school["trend"] * y_index
            for procedure, subject, grade, max_score in PLAN:
                teacher, t_effect = school["teachers"][(subject, grade)]
                size = max(1, school["size"] + rnd.randint(-3, 3))
                for n in range(size):
                    percent = min(100.0, max(0.0, rnd.gauss(base + t_effect, 14)))
                    score = round(percent / 100 * max_score)
                    mark = _mark(100 * score / max_score)
                    if school["nonobjective"] and procedure == "ВПР":
                        term = min(5, mark + rnd.choice((1, 1, 2)))
                    else:
                        term = min(5, max(2, mark + rnd.choice((0, 0, 0, 0, 1, -1))))
                    has_marks = procedure != "ЕГЭ"
                    yield [
                        school["code"],
                        label,
                        procedure,
                        subject,
                        grade,
                        f"{school['code']}-{year}-{grade}-{n:04d}",
                        score,
                        max_score,
                        mark if has_marks else None,
                        term if has_marks else None,
                        teacher,
                        "АБВ"[n % 3],
                    ]


def write_file(path: str, rows: Iterator[list]) -> int:
    """Write rows to .xlsx (openpyxl write-only) or .csv (UTF-8, «;»); returns the row count."""
    count = 0
    if path.lower().endswith(".xlsx"):
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(XLSX_SHEET)
        ws.append(HEADER)
        for row in rows:
            ws.append(row)
            count += 1
        wb.save(path)
        return count
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
    return count
