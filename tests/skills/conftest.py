import pytest

from tests.assessment.conftest import HEADER, to_csv, to_xlsx

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

# ВСОКО, Математика, 7 класс (the catalogue knows no maximum for it): three tasks, two skills.
PLAN_ROWS = [
    ["2023/2024", "ВСОКО", "Математика", 7, "1", 1, "Умение считать", "1.1", "Числа"],
    ["2023/2024", "ВСОКО", "Математика", 7, "2", 2, "Умение решать задачи", "1.3; 1.4", ""],
    ["2023/2024", "ВСОКО", "Математика", 7, "3(1)", 2, "умение  считать.", "", ""],
]

TASK_HEADER = [*HEADER, "Задание 1", "2", "Задание 3.1"]


def result_rows(school, year="2023/2024", rows=(), prefix="S"):
    """rows: (task 1, task 2, task 3.1, primary score) per student."""
    return [
        [school, year, "ВСОКО", "Математика", 7, f"{prefix}{i}", score, 5, None, None, "", *tasks]
        for i, (*tasks, score) in enumerate(rows, start=1)
    ]


# A1S1: task sums 2, 4, 3 over 5 rows; A1S2: full marks.
A1S1 = [(0, 1, 0, 1), (1, 2, 2, 5), (0, 0, 0, 0), (0, "", 1, 3), (1, 1, 0, 2)]
A1S2 = [(1, 2, 2, 5)] * 5


@pytest.fixture(autouse=True)
def celery_eager():
    from config.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


@pytest.fixture
def import_plan(world, tmp_path):
    from skills.services import PLAN_IMPORT

    def _import(rows=PLAN_ROWS, name="plan.csv", user=None, dry_run=False, header=PLAN_HEADER):
        path = tmp_path / name
        content = to_xlsx(rows, header=header) if name.endswith(".xlsx") else to_csv(rows, header=header)
        path.write_bytes(content)
        return PLAN_IMPORT.import_file(str(path), user=user, dry_run=dry_run)

    return _import


@pytest.fixture
def import_results(world, tmp_path):
    from assessment.services import import_file

    def _import(rows, name="results.csv", header=TASK_HEADER, user=None):
        path = tmp_path / name
        path.write_bytes(to_csv(rows, header=header))
        return import_file(str(path), user=user)

    return _import


@pytest.fixture
def tasks_world(world, import_plan, import_results):
    """The plan and the hand results imported and analysed."""
    from assessment.models import ImportStatus

    plan = import_plan()
    assert plan.status == "done", plan.errors
    batch = import_results(result_rows("A1S1", rows=A1S1) + result_rows("A1S2", rows=A1S2))
    assert batch.status == ImportStatus.DONE, batch.errors
    from assessment.services import analysis_run

    analysis_run(trigger="test")
    return world
