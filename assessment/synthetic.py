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


def task_header() -> list[str]:
    """The results file's header with the task columns (``generate(..., tasks=True)``)."""
    return HEADER + [f"Задание {label}" for label in all_task_labels()]


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


# --- task-level results (TASKS.md): the plans of the works that carry task scores ----------------

SKILLS = {
    "Математика": [
        "Умение выполнять арифметические действия с натуральными числами",
        "Умение выполнять действия с обыкновенными и десятичными дробями",
        "Умение решать текстовые задачи на движение, работу и покупки",
        "Умение извлекать информацию из таблиц и диаграмм",
        "Умение решать задачи на проценты и пропорции",
        "Владение геометрическими понятиями, умение находить площади и периметры",
        "Умение решать логические задачи и задачи повышенной сложности",
        "Умение решать уравнения и неравенства",
    ],
    "Русский язык": [
        "Умение списывать текст и соблюдать орфографические нормы",
        "Умение проводить морфемный и словообразовательный анализ слова",
        "Умение проводить морфологический анализ слова",
        "Умение проводить синтаксический анализ предложения",
        "Умение распознавать основную мысль текста и составлять его план",
        "Умение ставить знаки препинания в сложном предложении",
        "Умение толковать лексическое значение слова",
    ],
}
# Skills weak across the whole territory (a municipal weak skill in the demo), in points.
WEAK_EVERYWHERE = {
    "Умение решать логические задачи и задачи повышенной сложности": -22.0,
    "Умение ставить знаки препинания в сложном предложении": -20.0,
}
TASK_WORKS = {(p, s, g) for p, s, g, _m in PLAN if s in SKILLS and (p == "ВПР" or (p, g) == ("ОГЭ", 9))}


def task_labels(n: int) -> list[str]:
    """«1», «2», «3», «4», «5(1)», «5(2)», «6», …: ``n`` labels as a work prints them."""
    labels = [str(i) for i in range(1, 5)] + ["5(1)", "5(2)"] + [str(i) for i in range(6, n)]
    return labels[:n]


def task_plan(procedure: str, subject: str, grade: int, max_score: int) -> list[tuple]:
    """The plan of a work: (label, maximum, skill, КЭС codes, topic) per task, maxima adding up
    to ``max_score``; the same skills in every grade of a subject (threads across grades)."""
    n = 12 if max_score <= 31 else 16
    base, extra = divmod(max_score, n)
    skills = SKILLS[subject]
    plan = []
    for i, label in enumerate(task_labels(n)):
        skill = skills[(i + grade) % len(skills)]
        plan.append((label, base + (1 if i < extra else 0), skill, f"{grade}.{i % 5 + 1}", ""))
    return plan


def plan_rows(years: Sequence[int]) -> list[list]:
    """The plan file of the task works of ``years`` (the plan file's column order)."""
    rows = []
    for year in years:
        for procedure, subject, grade, max_score in PLAN:
            if (procedure, subject, grade) not in TASK_WORKS:
                continue
            for label, maximum, skill, kes, topic in task_plan(procedure, subject, grade, max_score):
                rows.append([f"{year}/{year + 1}", procedure, subject, grade, label, maximum, skill, kes, topic])
    return rows


PLAN_HEADER = [
    "Учебный год",
    "Процедура",
    "Предмет",
    "Класс",
    "Задание",
    "Максимальный балл",
    "Умение",
    "Код КЭС",
    "Тема",
]


def all_task_labels() -> list[str]:
    """The union of the task works' labels, as the results file's columns («Задание 5.1»)."""
    n = max(len(task_plan(p, s, g, m)) for p, s, g, m in PLAN if (p, s, g) in TASK_WORKS)
    return [label.replace("(", ".").rstrip(")") for label in task_labels(n)]


def _split(score: int, maxima: list[int], percents: list[float]) -> list[int]:
    """Task scores adding up to ``score``, each within its maximum, shaped by ``percents``."""
    want = [m * min(1.0, max(0.02, p / 100)) for m, p in zip(maxima, percents, strict=True)]
    total = sum(want)
    scaled = [w * score / total for w in want]
    scores = [min(m, int(x)) for m, x in zip(maxima, scaled, strict=True)]
    left = score - sum(scores)
    order = sorted(range(len(maxima)), key=lambda i: scores[i] - scaled[i])
    while left > 0:
        for i in order:
            if left and scores[i] < maxima[i]:
                scores[i] += 1
                left -= 1
    return scores


def _mark(percent: float) -> int:
    if percent < 30:
        return 2
    if percent < 50:
        return 3
    if percent < 75:
        return 4
    return 5


def generate(
    school_codes: Sequence[str],
    years: Sequence[int],
    seed: int = 1,
    students: tuple[int, int] = (8, 60),
    tasks: bool = False,
) -> Iterator[list]:
    """Rows in the file's column order (see ``HEADER``; with ``tasks``, one more column per
    label of ``all_task_labels()``, filled for the works of ``TASK_WORKS``).  The rows without
    tasks are the same as with them (the task scores come from a random stream of their own)."""
    rnd = random.Random(seed)
    trnd = random.Random(seed * 7919 + 1)
    labels = all_task_labels() if tasks else []
    plans = {(p, s, g): task_plan(p, s, g, m) for p, s, g, m in PLAN if tasks and (p, s, g) in TASK_WORKS}
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
    for school in schools:  # each school's skills: mostly near its level, one in four with a gap
        effects = {skill: trnd.gauss(0, 6) + WEAK_EVERYWHERE.get(skill, 0.0) for sk in SKILLS.values() for skill in sk}
        if trnd.random() < 0.25:
            effects[trnd.choice(sorted(effects))] -= 30.0
        school["skills"] = effects
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
                    cells = []
                    if tasks:
                        cells = [""] * len(labels)
                        plan = plans.get((procedure, subject, grade))
                        if plan is not None:
                            effects = school["skills"]
                            percents = [percent + effects[t[2]] + trnd.gauss(0, 8) for t in plan]
                            split = _split(score, [t[1] for t in plan], percents)
                            for k, value in enumerate(split):
                                cells[k] = "" if value == 0 and trnd.random() < 0.2 else value
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
                        *cells,
                    ]


def write_file(path: str, rows: Iterator[list], header: list[str] | None = None, sheet: str = XLSX_SHEET) -> int:
    """Write rows to .xlsx (openpyxl write-only) or .csv (UTF-8, «;»); returns the row count."""
    count = 0
    header = HEADER if header is None else header
    if path.lower().endswith(".xlsx"):
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(sheet)
        ws.append(header)
        for row in rows:
            ws.append(row)
            count += 1
        wb.save(path)
        return count
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
    return count
