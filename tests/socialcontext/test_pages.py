"""Pages of the context analysis: one truth per figure (the page, the chart, the card and the API
read the same selector), who sees what, the coordinator's form with history, the visit
planner's «проверить объективность» item and one-click pairs from suggestions."""

import re

import pytest
from django.utils import translation

from curators.models import PartnerPair
from schools.models import Order
from socialcontext.models import ContextFit, PartnerSuggestion, SchoolContext, SchoolContextFigure
from tests.socialcontext.conftest import YEAR

pytestmark = pytest.mark.django_db


def ru(client, url, **kwargs):
    with translation.override("ru"):
        client.cookies["django_language"] = "ru"
        return client.get(url, **kwargs)


def test_results_page_shows_the_chart_and_the_fit_of_the_stored_analysis(world, login, fitted):
    client = login(world.coordinator)
    response = ru(client, "/socialcontext/")
    page = response.content.decode()
    fit = ContextFit.objects.get(municipality=world.a1, year=YEAR)
    assert response.status_code == 200
    # The chart: one link per school with both indices, to its card; title with r² and the number of schools.
    chart = page[page.index('data-testid="context-chart"') :]
    chart = chart[: chart.index("</svg>")]
    links = re.findall(r'<a href="/schools/(\d+)/" aria-label="([^"]+)"', chart)
    assert {int(pk) for pk, _label in links} == {s.pk for s in fitted.values()}
    r2 = f"{fit.r2:.2f}".replace(".", ",")
    assert f"r² = {r2}, школ: 10" in chart
    assert "<title>" in chart and "<desc>" in chart and "зона резильентности" in chart
    # ШНОР (square), candidate (triangle) and the rings of the two anomalies.
    assert chart.count("<rect") >= 2 and chart.count("<polygon") >= 2
    assert chart.count('stroke="#6a3d9a" stroke-width="2"/>') == 2 + 1  # two rings and the legend's
    fit_box = page[page.index('data-testid="context-fit"') :]
    assert f"{fit.sigma_residual:.2f}".replace(".", ",") in fit_box[:2000]
    # The table: every figure with its category in words.
    assert "резильентная" in page and "ниже ожидаемого" in page and "проверить объективность" in page


def test_fewer_than_eight_schools_the_page_says_why(world, login, schools_in, add_context, add_index):
    from socialcontext.services import context_analysis_run

    for i, school in enumerate(schools_in(world.a1, 6, "S")):
        add_context(school, YEAR, higher_education=10 * i, single_parent=50 - 5 * i, on_register=i)
        add_index(school, YEAR, 0.1 * i)
    context_analysis_run()
    page = ru(login(world.coordinator), "/socialcontext/").content.decode()
    reason = page[page.index('data-testid="context-reason"') :][:600]
    assert "только у 6 школ" in reason and "не меньше 8" in reason
    assert 'data-testid="context-chart"' not in page
    # Four schools of Казачинский-like size: the assessment page says the same.
    page = ru(login(world.coordinator), "/assessment/").content.decode()
    assert "только у 6 школ" in page


def test_assessment_results_page_shows_the_same_chart(world, login, fitted):
    page = ru(login(world.coordinator), f"/assessment/?municipality={world.a1.pk}").content.decode()
    assert 'data-testid="context-chart"' in page and "школ: 10" in page
    assert f"/socialcontext/?municipality={world.a1.pk}&amp;year={YEAR}" in page


def test_only_those_who_oversee_a_municipality_see_its_chart(world, login, fitted):
    for user in (world.school_admin, world.curator):
        page = ru(login(user), "/assessment/").content.decode()
        assert 'data-testid="context-chart"' not in page
    page = ru(login(world.coordinator_b1), f"/socialcontext/?municipality={world.a1.pk}").content.decode()
    assert 'data-testid="context-chart"' not in page and "K СШ" not in page
    page = ru(login(world.regional), f"/socialcontext/?municipality={world.a1.pk}&year={YEAR}").content.decode()
    assert 'data-testid="context-chart"' in page


def test_school_card_shows_context_expected_residual_and_category_in_words(world, login, fitted):
    school = fitted["K02"]
    page = ru(login(world.coordinator), f"/schools/{school.pk}/").content.decode()
    figure = SchoolContextFigure.objects.get(school=school, year=YEAR)
    section = page[page.index('id="section-context"') :][:6000]
    for value in (figure.context_index, figure.expected, figure.residual):
        assert f"{value:.2f}".replace(".", ",").replace("-", "-") in section
    assert "Резильентная: сложный контекст" in section
    assert "не меньше 2 σ отклонений" in section and "Повод присмотреться, а не вывод." in section


def test_coordinator_corrects_one_row_with_history(world, login, fitted, django_capture_on_commit_callbacks):
    row = SchoolContext.objects.get(school=fitted["K03"], year=YEAR)
    client = login(world.coordinator)
    url = f"/socialcontext/data/{row.pk}/edit/"
    data = {
        "students": 480,
        "higher_education": 55,
        "single_parent": 45,
        "on_register": 22.5,
        "non_native": "",
        "special_needs": "",
    }
    with translation.override("ru"):
        response = client.post(url, {**data, "higher_education": 140})
    assert response.status_code == 200 and "от 0 до 100" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.higher_education, row.source, row.school_id, row.year) == (55.0, "form", fitted["K03"].pk, YEAR)
    page = ru(client, f"/socialcontext/data/{row.pk}/").content.decode()
    assert "30,0 → 55,0" in page or "30.0 → 55.0" in page  # the history of the row
    # The analysis followed: K03's context index is now that of v = 55 in the municipality.
    assert SchoolContextFigure.objects.get(school=fitted["K03"]).context_index > -0.2


def test_others_cannot_correct_a_row(world, login, fitted):
    row = SchoolContext.objects.get(school=fitted["K03"], year=YEAR)
    for user in (world.school_admin, world.methodist, world.coordinator_b1):
        assert login(user).get(f"/socialcontext/data/{row.pk}/edit/").status_code == 404
    assert login(world.methodist).get(f"/socialcontext/data/{row.pk}/").status_code == 200
    assert login(world.coordinator_b1).get(f"/socialcontext/data/{row.pk}/").status_code == 404


def test_a_second_row_for_the_same_school_and_year_is_refused(world, login, fitted):
    with translation.override("ru"):
        response = login(world.coordinator).post(
            "/socialcontext/data/new/", {"school": fitted["K03"].pk, "year": YEAR, "higher_education": 10}
        )
    assert response.status_code == 200 and "уже есть строка контекста" in response.content.decode()


# --- the visit planner ------------------------------------------------------------------------------


def test_an_anomaly_is_a_check_objectivity_item_in_the_planner(world, login, fitted):
    page = ru(login(world.coordinator), f"/curators/planner/?year={YEAR}").content.decode()
    items = page.split('data-testid="objectivity-check"')
    assert len(items) == 3  # K02 (residual) and K06 (flag) — not ШНОР, shown with the programme schools
    assert "проверить объективность" in items[1]
    fit = ContextFit.objects.get(municipality=world.a1, year=YEAR)
    assert f"σ = {fit.sigma_residual:.2f}".replace(".", ",") in page
    assert "признаков необъективности отметок ВПР в этом году: 1" in page


def test_planner_selector_carries_the_item(world, fitted):
    from curators.selectors import visit_planner
    from schools.models import School

    rows = {r["school"].code: r for r in visit_planner(School.objects.filter(code__startswith="K"), YEAR)}
    assert rows["K02"]["objectivity_check"].anomaly_residual
    assert rows["K06"]["objectivity_check"].anomaly_flags == 1
    assert rows["K07"]["objectivity_check"] is None


# --- partner suggestions -------------------------------------------------------------------------------


@pytest.fixture
def order(world):
    return Order.objects.create(
        municipality=world.a1, region=world.region_a, number="12", date="2024-09-01", issuer="УО", title="О парах"
    )


def test_suggestions_beside_the_pairs_and_one_click_forms_the_pair(world, login, fitted, order):
    client = login(world.coordinator)
    page = ru(client, "/curators/pairs/").content.decode()
    panel = page[page.index('id="h-suggestions"') :]
    suggestion = PartnerSuggestion.objects.get(school=fitted["K01"])
    assert suggestion.partner == fitted["K02"] and suggestion.rank == 1
    assert f"/socialcontext/suggestions/{suggestion.pk}/pair/" in panel
    assert f"+{suggestion.index_gap:.2f}".replace(".", ",") in panel
    response = client.post(
        f"/socialcontext/suggestions/{suggestion.pk}/pair/",
        {"year": 2024, "order": order.pk, "next": "/curators/pairs/"},
    )
    assert response.status_code == 302 and response["Location"] == "/curators/pairs/"
    pair = PartnerPair.objects.get()
    assert (pair.school, pair.leader, pair.year, pair.order) == (fitted["K01"], fitted["K02"], 2024, order)
    assert "разрыв индекса +" in pair.plan or "index gap +" in pair.plan
    assert pair.history.count() == 1
    # The same pair again: refused with a message, nothing added.
    with translation.override("ru"):
        response = client.post(
            f"/socialcontext/suggestions/{suggestion.pk}/pair/", {"year": 2024, "order": order.pk}, follow=True
        )
    assert "Такая пара на этот год уже есть." in response.content.decode()
    assert PartnerPair.objects.count() == 1


def test_pairs_from_suggestions_are_for_coordinators_of_both_schools(world, login, fitted, order):
    suggestion = PartnerSuggestion.objects.get(school=fitted["K01"])
    url = f"/socialcontext/suggestions/{suggestion.pk}/pair/"
    for user in (world.methodist, world.coordinator_b1, world.school_admin):
        assert login(user).post(url, {"year": 2024, "order": order.pk}).status_code == 404
    assert not PartnerPair.objects.exists()
    page = ru(login(world.methodist), "/curators/pairs/").content.decode()
    assert 'id="h-suggestions"' in page and "/pair/" not in page  # numbers, no buttons


def test_an_order_of_another_municipality_is_refused(world, login, fitted):
    other = Order.objects.create(
        municipality=world.b1, region=world.region_b, number="1", date="2024-09-01", issuer="УО", title="Чужой"
    )
    suggestion = PartnerSuggestion.objects.get(school=fitted["K01"])
    login(world.coordinator).post(
        f"/socialcontext/suggestions/{suggestion.pk}/pair/", {"year": 2024, "order": other.pk}
    )
    assert not PartnerPair.objects.exists()


def test_suggestions_list_page_and_export(world, login, fitted):
    import io

    from openpyxl import load_workbook

    client = login(world.coordinator)
    page = ru(client, "/socialcontext/suggestions/").content.decode()
    assert "K СШ № 1" in page and "K СШ № 2" in page
    sheet = load_workbook(io.BytesIO(client.get("/socialcontext/suggestions/?export=xlsx").content)).active
    rows = list(sheet.values)
    assert len(rows) == 1 + PartnerSuggestion.objects.count()
    assert all(isinstance(r[4], float) for r in rows[1:])  # the index gap is a number in the export


def test_list_pages_for_each_role(world, login, fitted):
    for user in (
        world.superuser,
        world.regional,
        world.coordinator,
        world.methodist,
        world.curator,
        world.school_admin,
    ):
        client = login(user)
        for url in (
            "/socialcontext/",
            "/socialcontext/data/",
            "/socialcontext/suggestions/",
            "/socialcontext/imports/",
        ):
            assert client.get(url).status_code == 200, (user, url)
    data = login(world.school_admin).get("/socialcontext/data/").content.decode()
    assert "K СШ" not in data  # a school administrator sees the rows of their school only


def test_pages_read_in_a_fixed_number_of_queries(world, login, fitted, schools_in, add_context, add_index, order):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from socialcontext.services import context_analysis_run
    from tests.socialcontext.conftest import linear_row

    urls = [
        "/socialcontext/",
        "/socialcontext/data/",
        "/socialcontext/suggestions/",
        "/curators/pairs/",
        f"/curators/planner/?year={YEAR}",
        f"/assessment/?municipality={world.a1.pk}",
    ]
    client = login(world.coordinator)

    def queries():
        out = {}
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out[url] = len(ctx.captured_queries)
        return out

    before = queries()
    for i, school in enumerate(schools_in(world.a1, 8, "G")):
        add_context(school, YEAR, **linear_row(12 + 9 * i))
        add_index(school, YEAR, (-1) ** i * 0.3 * i, candidate=i % 3 == 0)
    context_analysis_run()
    assert PartnerSuggestion.objects.count() > 2
    after = queries()
    # No query per school: never more queries with more schools (the planner reads the fits of the
    # «check objectivity» items only where there are any).
    assert all(after[url] <= before[url] for url in urls), (before, after)
    assert after["/socialcontext/"] == before["/socialcontext/"]


def test_home_panel_for_those_who_oversee(world, login, fitted):
    page = ru(login(world.coordinator), "/").content.decode()
    panel = page[page.index('id="panel-context"') :][:2000]
    assert "Резильентные школы: <strong>1</strong>" in panel
    assert "Проверить объективность: <strong>2</strong>" in panel
    assert "Предложения партнёров: <strong>2</strong>" in panel
    assert 'id="panel-context"' not in ru(login(world.school_admin), "/").content.decode()


def test_a_row_links_to_its_import_only_for_who_may_open_it(world, login, import_context):
    from tests.socialcontext.conftest import to_csv

    import_context(to_csv([["A1S1", "2023", 500, 30, 20, 2, 1, 1]]), user=world.coordinator)
    row = SchoolContext.objects.get()
    link = f'href="{row.batch.get_absolute_url()}"'
    assert link in login(world.coordinator).get(row.get_absolute_url()).content.decode()
    page = login(world.methodist).get(row.get_absolute_url())
    assert page.status_code == 200 and link not in page.content.decode()
    assert login(world.methodist).get(row.batch.get_absolute_url()).status_code == 404


def test_the_school_card_runs_prepared_statements_only_and_shows_what_the_querysets_give(world, login, fitted):
    """The card (cache off in tests) of a school with context rows, figures, the fit, a flag,
    an index and a history: after its first request every query of the card is a prepared
    statement (EXECUTE) but the session's user; the page is the same as with every query
    built as a queryset (``OPORA_PREPARED_QUERIES = "off"``) — byte for byte."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from core.compiled import forget_prepared

    school = fitted["K06"]
    school.director = "Иванов И. И."
    school.save()  # a second history row
    client = login(world.coordinator)
    url = f"/schools/{school.pk}/"

    def page():
        body = ru(client, url).content.decode()
        body = re.sub(r'(nonce|csrfmiddlewaretoken" value|csrf-token" content)="[^"]*"', r'\1=""', body)
        return re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', body)

    forget_prepared()
    try:
        with override_settings(OPORA_PREPARED_QUERIES="off"):
            built = page()
        with override_settings(OPORA_PREPARED_QUERIES="on"):
            assert page() == built  # the first use builds, compiles and keeps
            with CaptureQueriesContext(connection) as ctx:
                assert page() == built
    finally:
        forget_prepared()
    assert "Иванов И. И." in built and "K06" in built
    plain = [
        q["sql"][:80]
        for q in ctx.captured_queries
        if not q["sql"].startswith("EXECUTE") and '"accounts_user"' not in q["sql"] and "django_session" not in q["sql"]
    ]
    assert plain == []
    assert len(ctx.captured_queries) >= 20


def test_home_panel_counts_read_through_the_scope_built_on_demand(world, fitted):
    """The panel's figures queryset is built by a function: for the year's query when it is
    prepared (or checked), and for the counts of a year found — the same counts as the scoped
    queryset's, then none once the figures are gone (the prepared year read afresh)."""
    from django.db.models import Count, Q
    from django.test import override_settings

    from accounts.scoping import VIEW
    from core.compiled import forget_prepared
    from socialcontext.dashboard import panels
    from socialcontext.models import Category, SchoolContextFigure

    forget_prepared()
    scoped = SchoolContextFigure.objects.restrict(world.coordinator, VIEW).exclude(category="")
    year = max(scoped.values_list("year", flat=True))
    expected = scoped.filter(year=year).aggregate(
        resilient=Count("id", filter=Q(category=Category.RESILIENT)),
        below=Count("id", filter=Q(category=Category.BELOW)),
        anomalies=Count("id", filter=Q(anomaly=True)),
    )
    with override_settings(OPORA_PREPARED_QUERIES="on"):
        for _ in range(2):
            (panel,) = panels(world.coordinator)
            assert panel.context["year"] == year
            assert {k: panel.context["counts"][k] for k in expected} == expected and expected["resilient"] == 1
        SchoolContextFigure.objects.all().delete()
        (panel,) = panels(world.coordinator)
        assert panel.context["year"] is None and panel.context["counts"] == {}
    forget_prepared()
