"""Teachers' negative dynamics as RESULTS.md defines them: per (school, year, procedure,
subject, teacher_code), the teacher's rows pooled over their grades, against the same
teacher's pool of the previous year; a list of its own, never in a school's flag totals."""

import pytest
from pytest import approx

from assessment import selectors
from assessment.models import Flag, FlagKind, ImportStatus
from assessment.services import analysis_run
from tests.assessment.conftest import _rows, to_csv

pytestmark = pytest.mark.django_db


def teacher_rows() -> list[list]:
    rows = []
    # T2 teaches Русский язык in grades 5 and 6.  2022: 80 % and 60 % (ten rows each) → pool 70 %.
    rows += _rows("A1S1", "2022/2023", "ВПР", "Русский язык", 5, 50, [40] * 10, teacher="T2", prefix="a")
    rows += _rows("A1S1", "2022/2023", "ВПР", "Русский язык", 6, 50, [30] * 10, teacher="T2", prefix="b")
    # 2023: grade 5 falls to 74 % (−6: a per-grade rule would flag it), grade 6 rises to 64 %
    # → pool 69 %: −1, no flag.
    rows += _rows("A1S1", "2023/2024", "ВПР", "Русский язык", 5, 50, [37] * 10, teacher="T2", prefix="c")
    rows += _rows("A1S1", "2023/2024", "ВПР", "Русский язык", 6, 50, [32] * 10, teacher="T2", prefix="d")
    # T3 teaches Математика.  2022: grade 5 and grade 6 at 80 % (five rows each) → pool 80 %.
    rows += _rows("A1S1", "2022/2023", "ВПР", "Математика", 5, 20, [16] * 5, teacher="T3", prefix="e")
    rows += _rows("A1S1", "2022/2023", "ВПР", "Математика", 6, 20, [16] * 5, teacher="T3", prefix="f")
    # 2023: grade 5 at 76 % (−4: no per-grade flag) and a new grade 7 at 66 % (no previous year)
    # → pool (5 × 76 + 5 × 66) / 10 = 71 %: −9, flagged.
    rows += _rows("A1S1", "2023/2024", "ВПР", "Математика", 5, 25, [19] * 5, teacher="T3", prefix="g")
    rows += _rows("A1S1", "2023/2024", "ВПР", "Математика", 7, 50, [33] * 5, teacher="T3", prefix="h")
    # The same teacher code in another school is another teacher: no previous pool there.
    rows += _rows("A1S2", "2023/2024", "ВПР", "Математика", 5, 20, [2] * 5, teacher="T3", prefix="i")
    return rows


@pytest.fixture
def analysed_teachers(world, import_bytes):
    batch = import_bytes(to_csv(teacher_rows()), "teachers.csv")
    assert batch.status == ImportStatus.DONE, batch.errors
    analysis_run(trigger="test")
    return world


def test_teacher_pool_over_grades(analysed_teachers):
    w = analysed_teachers
    flags = list(Flag.objects.filter(kind=FlagKind.TEACHER_DYNAMICS))
    assert [(f.school, f.year, f.subject.name, f.teacher_code, f.grade) for f in flags] == [
        (w.a1_school1, 2023, "Математика", "T3", None)
    ]
    f = flags[0]
    assert f.inputs["mean_percent"] == approx(71)
    assert f.inputs["previous_mean_percent"] == approx(80)
    assert f.inputs["change"] == approx(-9)
    assert (f.inputs["participants"], f.inputs["previous_participants"]) == (10, 10)
    assert (f.inputs["grade_min"], f.inputs["grade_max"], f.inputs["grades"]) == (5, 7, 2)
    assert f.thresholds == {"drop_points": 5.0}
    assert "pooled over grades" in f.rule


def test_teacher_dynamics_never_in_school_flag_totals(analysed_teachers):
    w = analysed_teachers
    # The school has a group flag too (Русский язык 5: 80 % → 74 %) and the teacher's dynamics.
    kinds = sorted(Flag.objects.filter(school=w.a1_school1, year=2023).values_list("kind", flat=True))
    assert FlagKind.TEACHER_DYNAMICS in kinds and FlagKind.NEGATIVE_DYNAMICS in kinds
    school_total = selectors.school_flag_count(w.a1_school1, 2023)
    assert school_total == len([k for k in kinds if k != FlagKind.TEACHER_DYNAMICS])
    totals = selectors.flag_totals(Flag.objects.filter(school__municipality=w.a1), 2023)
    assert totals["teachers"] == 1
    assert totals["total"] == selectors.school_flags().filter(school__municipality=w.a1, year=2023).count()
    assert "Отрицательная динамика учителя" not in totals["by_kind"]


def test_teacher_list_page_and_api(analysed_teachers, login, api):
    w = analysed_teachers
    page = login(w.coordinator).get("/assessment/teachers/", {"year": 2023})
    assert page.status_code == 200
    rows = list(page.context["table"].rows)
    assert [r.record.teacher_code for r in rows] == ["T3"]
    assert "5–7" in page.content.decode()
    flags_page = login(w.coordinator).get("/assessment/flags/", {"year": 2023})
    assert all(r.record.kind != FlagKind.TEACHER_DYNAMICS for r in flags_page.context["table"].rows)
    data = api(w.coordinator).get("/api/v1/assessment/teacher-dynamics/", {"year": 2023}).json()
    assert [(r["teacher_code"], r["grade"], round(r["inputs"]["change"], 6)) for r in data["results"]] == [
        ("T3", None, -9.0)
    ]
    assert api(w.outsider).get("/api/v1/assessment/teacher-dynamics/").json()["count"] == 0
