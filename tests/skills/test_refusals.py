"""Every bad input of issue #16 refused with row, column, value and reason; nothing changes."""

import pytest

from assessment.models import ImportStatus, Result
from skills.models import TaskPlan
from tests.skills.conftest import A1S1, PLAN_HEADER, PLAN_ROWS, TASK_HEADER, result_rows
from tests.test_spreadsheets import calamine_guard  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _only(errors):
    assert len(errors) == 1, errors
    return errors[0]


def test_plan_whose_maxima_do_not_add_up_to_the_catalogue(import_plan):
    rows = [["2023/2024", "ВПР", "Математика", 5, "1", 3, "Умение", "", ""]]  # the catalogue: 20
    batch = import_plan(rows)
    assert batch.status == "failed"
    e = _only(batch.errors)
    assert (e["row"], e["column"], e["value"]) == (2, "Максимальный балл", "3")
    assert "3" in e["reason"] and "20" in e["reason"] and "ВПР" in e["reason"]
    assert not TaskPlan.objects.exists()


def test_plan_against_results_already_imported(import_plan, import_results, tasks_world):
    rows = [[*r[:5], 1 if r[4] == "1" else r[5], *r[6:]] for r in PLAN_ROWS]  # 1 + 2 + 2 = 5 still
    rows[1][5] = 3  # 1 + 3 + 2 = 6 ≠ 5 of the results
    batch = import_plan(rows)
    assert batch.status == "failed"
    e = _only(batch.errors)
    assert e["column"] == "Максимальный балл" and e["value"] == "6" and "5" in e["reason"]
    assert TaskPlan.objects.get().max_total == 5


def test_plan_dropping_a_label_with_scores(import_plan, tasks_world):
    rows = [PLAN_ROWS[0], PLAN_ROWS[1], [*PLAN_ROWS[2][:4], "4", 2, "Умение считать", "", ""]]
    batch = import_plan(rows)
    assert batch.status == "failed"
    e = _only(batch.errors)
    assert e["column"] == "Задание" and e["value"] == "3.1"


def test_plan_reimport_keeps_scores_attached_by_label(import_plan, tasks_world):
    rows = [PLAN_ROWS[2], PLAN_ROWS[1], PLAN_ROWS[0]]  # another order, same labels
    assert import_plan(rows).status == "done", "refused"
    assert {t.label: t.position for t in TaskPlan.objects.get().tasks.all()} == {"1": 0, "2": 1, "3.1": 2}


def test_plan_duplicate_label_and_bad_cells_all_reported(import_plan):
    rows = [
        ["2023/2024", "ВСОКО", "Математика", 7, "1", 1, "Умение", "", ""],
        ["2023/2024", "ВСОКО", "Математика", 7, " 1 ", 1, "Умение", "", ""],
        ["2023/2024", "НЕТ", "Математика", 12, "x", 0, "", "", ""],
    ]
    batch = import_plan(rows)
    assert batch.status == "failed"
    cells = {(e["row"], e["column"]) for e in batch.errors}
    assert {
        (3, "Задание"),
        (4, "Процедура"),
        (4, "Класс"),
        (4, "Задание"),
        (4, "Максимальный балл"),
        (4, "Умение"),
    } <= cells


@pytest.mark.parametrize(
    "row, column, value, words",
    [
        # a score above its task's maximum
        (["A1S1", "2023/2024", "ВСОКО", "Математика", 7, "X1", 3, 5, None, None, "", 1, 3, ""], "2", "3", "(2)"),
        # a fully filled row whose task scores do not sum to its primary score
        (
            ["A1S1", "2023/2024", "ВСОКО", "Математика", 7, "X1", 4, 5, None, None, "", 1, 2, 0],
            "Первичный балл",
            "4",
            "3",
        ),
        # a filled task column that is not in the row's plan
        (
            ["A1S1", "2023/2024", "ВСОКО", "Математика", 7, "X1", 4, 5, None, None, "", 1, 2, 0, 1],
            "Задание 4",
            "1",
            "4",
        ),
        # a row with task scores and no plan
        (
            ["A1S1", "2023/2024", "ВПР", "Математика", 5, "X1", 4, 20, None, None, "", 1, "", ""],
            "Задание 1",
            "1",
            "нет плана заданий",
        ),
        # a row whose maximum differs from its plan's
        (
            ["A1S1", "2023/2024", "ВСОКО", "Математика", 7, "X1", 4, 6, None, None, "", "", "", ""],
            "Максимальный балл",
            "6",
            "5",
        ),
    ],
)
def test_results_refused_whole(tasks_world, import_results, row, column, value, words):
    before = sorted(Result.objects.values_list("student_code", "task_scores"))
    rows = result_rows("A1S1", rows=A1S1, prefix="N")
    rows = [[*r, ""] for r in rows] + [row + [""] * (15 - len(row))]
    batch = import_results(rows, header=[*TASK_HEADER, "Задание 4"])
    assert batch.status == ImportStatus.FAILED
    e = _only(batch.errors)
    assert (e["row"], e["column"], e["value"]) == (7, column, value)
    assert words in e["reason"]
    assert sorted(Result.objects.values_list("student_code", "task_scores")) == before


def test_reimport_replaces_task_scores(tasks_world, import_results):
    rows = result_rows("A1S1", rows=[(1, 1, 1, 3), ("", "", "", 2)])
    assert import_results(rows).status == ImportStatus.DONE
    got = dict(
        Result.objects.filter(school__code="A1S1", student_code__in=["S1", "S2"]).values_list(
            "student_code", "task_scores"
        )
    )
    assert got == {"S1": [1, 1, 1], "S2": None}


def test_rollback_restores_task_scores(tasks_world, import_results):
    from assessment.models import ImportBatch
    from assessment.services import import_batch_rollback

    batch = import_results(result_rows("A1S1", rows=[(1, 1, 1, 3)]))
    assert Result.objects.get(school__code="A1S1", student_code="S1").task_scores == [1, 1, 1]
    import_batch_rollback(ImportBatch.objects.get(pk=batch.pk), None)
    assert Result.objects.get(school__code="A1S1", student_code="S1").task_scores == [0, 1, 0]


def test_plan_header_errors(import_plan):
    batch = import_plan([["2023/2024"]], header=["Учебный год"])
    assert batch.status == "failed"
    assert {e["column"] for e in batch.errors} >= {"Процедура", "Задание", "Умение"}
    assert PLAN_HEADER  # the template's header


def test_plan_file_is_measured_before_any_parser(world, tmp_path, calamine_guard):  # noqa: F811
    """The far-cell xlsx (tests/test_spreadsheets.py) is refused by the shape check: calamine
    never sees it."""
    from skills.services import PLAN_IMPORT
    from tests.test_spreadsheets import far_cell_xlsx

    path = tmp_path / "plan.xlsx"
    path.write_bytes(far_cell_xlsx())
    batch = PLAN_IMPORT.import_file(str(path))
    assert batch.status == "failed"
    assert batch.message.startswith("Лист доходит до")  # its last row or column, before any parser
    assert not TaskPlan.objects.exists()
