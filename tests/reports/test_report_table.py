"""«My documents»: the status and year cells rendered without the page (reports.tables,
bench/README.md session 7, h20e) — the same HTML and xlsx as django-tables2's TemplateColumn
renders them, and no context processor per row."""

import re

import django_tables2 as tables
import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django_tables2 import RequestConfig

from core.xlsx import table_rows
from reports.models import GeneratedReport
from reports.tables import GeneratedReportTable


class Plain(tables.Table):
    """GeneratedReportTable as django-tables2 renders it: its two TemplateColumns with the
    page's context (and the request), no renderers of the table's own for them."""

    title = tables.Column(linkify=True, verbose_name=GeneratedReportTable.base_columns["title"].verbose_name)
    year = tables.TemplateColumn(
        "{% load opora %}{{ value|academic_year }}", verbose_name=GeneratedReportTable.base_columns["year"].verbose_name
    )
    subject = tables.Column(
        empty_values=(), orderable=False, verbose_name=GeneratedReportTable.base_columns["subject"].verbose_name
    )
    fmt = tables.Column(verbose_name=GeneratedReportTable.base_columns["fmt"].verbose_name)
    status = tables.TemplateColumn(
        template_name="reports/_status_badge.html",
        verbose_name=GeneratedReportTable.base_columns["status"].verbose_name,
    )
    created = tables.DateTimeColumn(
        format="d.m.Y H:i", verbose_name=GeneratedReportTable.base_columns["created"].verbose_name
    )

    class Meta:
        model = GeneratedReport
        fields = ["title", "year", "subject", "fmt", "status", "created"]
        order_by = ("-created",)

    render_subject = GeneratedReportTable.render_subject
    value_subject = GeneratedReportTable.value_subject


def _tbody(table, request) -> str:
    html = engines["django"].get_template("core/table.html").render({"table": table}, request)
    return re.search(r"<tbody.*?</tbody>", html, re.DOTALL).group(0)


@pytest.fixture
def reports(world):
    rows = []
    for i, status in enumerate(["done", "failed", "running", "queued"]):
        rows.append(
            GeneratedReport.objects.create(
                kind="school_card",
                title=f"Документ <{i}> & «{status}»",
                year=2023 - i,
                municipality=world.a1,
                school=world.a1_school1 if i % 2 else None,
                requested_by=world.coordinator,
                status=status,
                progress=10 * i,
            )
        )
    return rows


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "en"])
def test_cells_and_xlsx_are_those_of_template_columns(reports, world, language):
    request = RequestFactory().get("/")
    request.user = world.coordinator
    queryset = GeneratedReport.objects.select_related("school", "municipality")
    with translation.override(language):
        ours, theirs = GeneratedReportTable(queryset), Plain(queryset)
        for table in (ours, theirs):
            RequestConfig(request, paginate={"per_page": 50}).configure(table)
        html = _tbody(ours, request)
        assert html == _tbody(theirs, request)
        assert table_rows(ours) == table_rows(theirs)
    assert "text-bg-success" in html and "text-bg-danger" in html and " 20 %" in html
    assert "2023/2024" in html and "2020/2021" in html


@pytest.mark.django_db
def test_no_context_processor_per_row(reports, world, login, monkeypatch):
    from core import context_processors

    calls = []
    portal = context_processors.portal

    def counted(request):
        calls.append(1)
        return portal(request)

    monkeypatch.setattr(context_processors, "portal", counted)
    engine = engines["django"].engine
    monkeypatch.setattr(
        engine,
        "template_context_processors",
        tuple(counted if p is portal else p for p in engine.template_context_processors),
    )
    response = login(world.coordinator).get(reverse("reports:report-list"))
    assert response.status_code == 200 and response.content.decode().count("badge text-bg") == 4
    assert len(calls) <= 2  # the page's (and render_table's), not one per row


FIELDS = (
    "{% for field in form %}<div class=\"col-md-{% if field.name == 'kind' %}12{% else %}3{% endif %}\">"
    "{{ field|as_crispy_field }}</div>{% endfor %}"
)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_request_form_is_kept_per_state_and_is_crispys(world, login, monkeypatch, language):
    """The «Build a document» form (a select of every school the reader sees: most of the
    page) inside {% formcache %}: the same HTML as crispy renders it, rendered once per state."""
    from django.forms.boundfield import BoundField

    from core.templatetags import opora
    from reports.forms import ReportRequestForm

    plain = engines["django"].from_string("{% load crispy_forms_tags %}" + FIELDS)
    opora._forms.clear()
    client = login(world.coordinator)
    for query in ("", "?kind=school_card", f"?school={world.a1_school2.pk}&year=2022"):
        with translation.override(language):
            html = client.get(reverse("reports:report-list") + query, HTTP_ACCEPT_LANGUAGE=language).content.decode()
            request = RequestFactory().get("/" + query)
            form = ReportRequestForm(user=world.coordinator, initial=request.GET.dict(), auto_id="new_%s")
            assert plain.render({"form": form}) in html

    def kept():
        return [key for key in opora._forms if key[1][1] == "ReportRequestForm"]

    assert len(kept()) == 3
    calls = []
    original = BoundField.as_widget
    monkeypatch.setattr(BoundField, "as_widget", lambda *a, **k: calls.append(1) or original(*a, **k))
    client.get(reverse("reports:report-list") + "?kind=school_card")
    assert calls == [] and len(kept()) == 3  # kept: no field rendered again
