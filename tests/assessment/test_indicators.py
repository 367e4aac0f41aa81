"""Roadmap indicators linked to an assessment figure get their actual value from each analysis."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from assessment.indicators import indicator_value, indicators_fill_from_analysis, linked_indicators, metric_name
from assessment.models import Procedure, Result, Subject
from roadmaps.models import Activity, Indicator, IndicatorActual, ProgressReport, ReportStatus
from tests.roadmaps.conftest import make_roadmap

pytestmark = pytest.mark.django_db
YEAR = 2024
LAST_PERIOD = datetime.date(2025, 1, 1)  # half-year II of 2024/2025 holds 31 August 2025


def results(school, procedure="ВПР", subject="Математика", grade=5, scores=(), marks=(), prefix="S", year=YEAR):
    p, s = Procedure.objects.get(code=procedure), Subject.objects.get(name=subject)
    Result.objects.bulk_create(
        Result(
            school=school,
            year=year,
            procedure=p,
            subject=s,
            grade=grade,
            student_code=f"{prefix}{n}",
            score=score,
            max_score=20,
            mark=mark,
        )
        for n, (score, mark) in enumerate(zip(scores, marks, strict=True), start=1)
    )


def link(roadmap, name, unit="%", **source):
    activity = Activity.objects.filter(task__goal__roadmap=roadmap).first()
    return Indicator.objects.create(activity=activity, name=name, unit=unit, target=10, **source)


@pytest.fixture
def data(world):
    # ВПР Математика: grade 5 — 10 rows, mean 50 %, two «2» of 10 marks; grade 6 — 5 rows, mean 80 %, no «2».
    results(world.a1_school1, grade=5, scores=[10] * 10, marks=[2, 2, 3, 3, 3, 4, 4, 4, 5, 5])
    results(world.a1_school1, grade=6, scores=[16] * 5, marks=[4] * 5, prefix="G")
    world.roadmap = make_roadmap(world.a1_school1, year=YEAR, n_activities=1)
    world.fail = link(
        world.roadmap, "Доля «2» по ВПР", source_procedure="впр", source_subject="математика", source_grade=5,
        source_metric="share_fail",
    )  # fmt: skip
    return world


def actual(indicator):
    return IndicatorActual.objects.filter(indicator=indicator).values_list("period_start", "value", "source").first()


def test_linked_indicator_gets_the_figure_after_analyse_results(data):
    quality = link(
        data.roadmap, "Качество", unit="доля", source_procedure="ВПР", source_subject="Математика", source_grade=5,
        source_metric="качество",
    )  # fmt: skip
    # No grade: over both grades from the sums — (10·50 + 5·80) / 15 = 60 %.
    mean = link(data.roadmap, "Средний процент", source_procedure="ВПР", source_metric="mean_percent")
    call_command("analyse_results")
    assert actual(data.fail) == (LAST_PERIOD, Decimal("20.0"), "analysis")
    assert actual(quality) == (LAST_PERIOD, Decimal("0.50"), "analysis")  # «доля»: kept as a fraction
    assert actual(mean)[1] == Decimal("60.0")


def test_running_twice_changes_nothing(data):
    call_command("analyse_results")
    first = list(IndicatorActual.objects.values_list("indicator", "period_start", "value", "source", "updated"))
    assert len(first) == 1
    assert indicators_fill_from_analysis([YEAR]) == 0
    call_command("analyse_results")
    assert list(IndicatorActual.objects.values_list("indicator", "period_start", "value", "source", "updated")) == first


def test_a_new_import_updates_the_value(data):
    call_command("analyse_results")
    results(data.a1_school1, grade=5, scores=[2] * 10, marks=[2] * 10, prefix="X")  # 12 «2» of 20
    call_command("analyse_results")
    assert actual(data.fail)[1] == Decimal("60.0")
    assert IndicatorActual.objects.filter(indicator=data.fail).count() == 1


def test_an_indicator_whose_figure_is_missing_stays_empty(data):
    other_subject = link(
        data.roadmap, "ОГЭ", source_procedure="ОГЭ", source_subject="Математика", source_grade=9,
        source_metric="mean_percent",
    )  # fmt: skip
    unknown_subject = link(
        data.roadmap, "?", source_procedure="ВПР", source_subject="Астрология", source_metric="mean_percent"
    )
    unknown_metric = link(data.roadmap, "??", source_procedure="ВПР", source_metric="медиана")
    no_marks = link(data.roadmap, "Без отметок", source_procedure="ВПР", source_grade=7, source_metric="share_fail")
    other_year = make_roadmap(data.a1_school1, year=YEAR + 1, n_activities=1, title="Следующий год")
    next_year = link(other_year, "Следующий год", source_procedure="ВПР", source_metric="mean_percent")
    call_command("analyse_results")
    for indicator in (other_subject, unknown_subject, unknown_metric, no_marks, next_year):
        assert actual(indicator) is None, indicator.name
    assert actual(data.fail) is not None


def test_an_approved_period_is_not_overwritten(data):
    IndicatorActual.objects.create(
        indicator=data.fail, period_start=LAST_PERIOD, period_end=datetime.date(2025, 8, 31), value=Decimal("7")
    )
    ProgressReport.objects.create(
        roadmap=data.roadmap,
        period_start=LAST_PERIOD,
        period_end=datetime.date(2025, 8, 31),
        due_date=datetime.date(2025, 9, 10),
        status=ReportStatus.APPROVED,
    )
    call_command("analyse_results")
    assert actual(data.fail) == (LAST_PERIOD, Decimal("7.00"), "manual")


def test_the_figures_of_all_indicators_come_in_one_query(data, django_assert_num_queries):
    def read():
        # catalogues of procedures and subjects + one query for the indicators with their figures
        with django_assert_num_queries(3):
            return [(i.pk, i.sums) for i in linked_indicators([YEAR])]

    assert len(read()) == 1
    for n in range(6):
        link(
            data.roadmap,
            f"Показатель {n}",
            source_procedure="ВПР",
            source_grade=5 + n % 2,
            source_metric="mean_percent",
        )
    rows = read()
    assert len(rows) == 7 and all(sums is None for _pk, sums in rows)  # not analysed yet
    call_command("analyse_results")
    assert all(sums["participants"] in (10, 5) for _pk, sums in read())


def test_metric_names_and_units():
    assert metric_name("Доля «2»") == "share_fail" and metric_name(" Quality_Rate ") == "quality_rate"
    assert metric_name("Успеваемость") == "success_rate" and metric_name("что-то") is None
    sums = {"participants": 4, "with_mark": 4, "n_fail": 1, "sum_percent": 250, "sum_score": 30, "with_both": 0}
    assert indicator_value(sums, "share_fail", "%") == Decimal("25.0")
    assert indicator_value(sums, "share_fail", "процентов") == Decimal("25.0")
    assert indicator_value(sums, "share_fail", "") == Decimal("0.25")
    assert indicator_value(sums, "mean_percent", "балл") == Decimal("62.5")
    assert indicator_value(sums, "lowered", "%") is None  # nobody with both marks
    assert indicator_value(None, "mean_percent", "%") is None
