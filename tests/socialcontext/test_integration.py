"""The context analysis rides on the results analysis: after a results import, nightly and
after context changes; every reader (page, card, API, report, chart) shows the same figure."""

import pytest
from django.utils import translation
from django_celery_beat.models import PeriodicTask
from pytest import approx

from assessment.models import SchoolIndex
from socialcontext.models import SchoolContextFigure
from tests.assessment.conftest import hand_rows
from tests.assessment.conftest import to_csv as results_csv
from tests.socialcontext.conftest import YEAR, linear_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def results(world, tmp_path, django_capture_on_commit_callbacks):
    """The results analysis's hand file imported (A1S1, A1S2 and A1S3 have indices in 2022 and
    2023), and context rows of 2023 for the three schools."""
    from assessment.services import import_file
    from socialcontext.models import SchoolContext

    for school, v in ((world.a1_school1, 30), (world.a1_school2, 50), (world.a1_curator_school, 70)):
        SchoolContext.objects.create(school=school, year=YEAR, **linear_row(v))
    path = tmp_path / "results.csv"
    path.write_bytes(results_csv(hand_rows()))
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_file(path=str(path))  # the analysis is queued on commit (eager in tests)
    assert batch.status == "done"
    return world


def test_a_results_import_recomputes_the_context_figures_with_the_new_indices(results):
    for school in (results.a1_school1, results.a1_school2):
        figure = SchoolContextFigure.objects.get(school=school, year=YEAR)
        assert figure.school_index == approx(SchoolIndex.objects.get(school=school, year=YEAR).value)
    # A1S3 has no index in 2023 (its group has four rows): a context index, no school index.
    assert SchoolContextFigure.objects.get(school=results.a1_curator_school, year=YEAR).school_index is None


def test_the_results_run_records_the_context_counts(results):
    from assessment.models import AnalysisRun

    run = AnalysisRun.objects.order_by("-started").first()
    assert run.counts["context_indices"] == 3 and run.counts["context_fits"] == 0
    assert "partner_suggestions" in run.counts and "anomalies" in run.counts


def test_the_nightly_analysis_recomputes_every_year_with_context_data(results):
    from assessment.tasks import analysis_run_nightly

    SchoolContextFigure.objects.all().delete()
    analysis_run_nightly.delay()
    assert SchoolContextFigure.objects.filter(year=YEAR).count() == 3
    task = PeriodicTask.objects.get(name="assessment: nightly analysis")
    assert task.task == "assessment.tasks.analysis_run_nightly" and task.enabled


def test_a_context_analysis_waits_for_nothing_and_twice_is_the_same(results):
    from socialcontext.services import context_analysis_run

    before = sorted(SchoolContextFigure.objects.values_list("school_id", "context_index", "school_index"))
    context_analysis_run(years=[YEAR])
    context_analysis_run()
    assert sorted(SchoolContextFigure.objects.values_list("school_id", "context_index", "school_index")) == before


def test_every_reader_shows_the_same_residual(world, login, api, fitted, tmp_path):
    """One truth: the API, the results page's table and chart, the card and the school report."""
    from reports.documents import school_report
    from tests.assessment.test_documents import pdf_text

    school = fitted["K06"]
    figure = SchoolContextFigure.objects.get(school=school, year=YEAR)
    shown = f"{figure.residual:.2f}".replace(".", ",")
    row = next(
        r
        for r in api(world.coordinator).get("/api/v1/assessment/school-context/", {"year": YEAR}).json()["results"]
        if r["school_code"] == "K06"
    )
    assert row["residual"] == approx(figure.residual)
    client = login(world.coordinator)
    client.cookies["django_language"] = "ru"
    page = client.get(f"/socialcontext/?year={YEAR}&school_code=K06").content.decode()
    table = page[page.index("Школы с индексом контекста") :]
    assert shown in table
    chart = page[page.index('data-testid="context-chart"') :]
    assert f"ожидаемый {figure.expected:.2f}".replace(".", ",") in chart[: chart.index("</svg>")]
    card = client.get(f"/schools/{school.pk}/").content.decode()
    assert shown in card[card.index('id="section-context"') :]
    with translation.override("ru"):
        assert shown in pdf_text(school_report(school, YEAR), tmp_path)
