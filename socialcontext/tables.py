import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessment.tables import ImportBatchTable, NumberColumn, YearColumn
from core.years import academic_year_label
from schools.tables import SchoolColumn
from socialcontext.models import ContextImport, PartnerSuggestion, SchoolContext, SchoolContextFigure


class DecimalColumn(NumberColumn):
    """A figure with two decimals («−0,42»); exported as a number."""

    def render(self, value):
        return f"{value:.2f}".replace(".", ",").replace("-", "−")

    def value(self, value):
        return None if value is None else round(value, 4)


class ShareColumn(NumberColumn):
    """A percent of students 0–100 with one decimal; «—» when unknown."""

    def render(self, value):
        return f"{value:.1f}".replace(".", ",")

    def value(self, value):
        return value


class SchoolCardColumn(SchoolColumn):
    """A school linked to its card (where its context is shown)."""

    def __init__(self, *args, accessor_id: str = "school_id", **kwargs):
        self.accessor_id = accessor_id
        super().__init__(*args, **kwargs)

    def render(self, record, value):
        school_id = getattr(record, self.accessor_id)
        return format_html('<a href="{}">{}</a>', reverse("schools:school-detail", args=[school_id]), value)

    def value(self, value):
        return str(value)


class FigureTable(tables.Table):
    year = YearColumn(verbose_name=_("Year"))
    municipality = tables.Column(verbose_name=_("Municipality"), order_by=("municipality__name",))
    school = SchoolCardColumn(verbose_name=_("School"))
    code = tables.Column(accessor="school__code", verbose_name=_("Code"), visible=False)  # in the export
    context_index = DecimalColumn(verbose_name=_("Context index"))
    indicators = tables.Column(verbose_name=_("Indicators"), visible=False)
    school_index = DecimalColumn(verbose_name=_("School index"))
    expected = DecimalColumn(verbose_name=_("Expected index"))
    residual = DecimalColumn(verbose_name=_("Residual"))
    category = tables.Column(verbose_name=_("Category"))
    anomaly = tables.Column(verbose_name=_("Check objectivity"))

    class Meta:
        model = SchoolContextFigure
        fields = []
        sequence = (
            "year",
            "municipality",
            "school",
            "code",
            "context_index",
            "indicators",
            "school_index",
            "expected",
            "residual",
            "category",
            "anomaly",
        )
        order_by = ("-residual",)
        empty_text = _("No school has a context index for these conditions.")

    def render_anomaly(self, value):
        if not value:
            return "—"
        return format_html(
            '<span class="badge text-bg-warning" title="{}">{}</span>',
            _("check objectivity"),
            pgettext_lazy("context anomaly", "check"),
        )

    def value_anomaly(self, value):
        return bool(value)


def _short(label, full):
    """A short column header with the whole name as its tooltip."""
    return {"verbose_name": label, "attrs": {"th": {"title": full}, "td": {"class": "text-end"}}}


class RowYearColumn(YearColumn):
    """The year of a context row, linked to the row (its values, history and correction)."""

    def render(self, record, value):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), academic_year_label(value))


class SchoolContextTable(tables.Table):
    """The page's table (short headers); the export is the context file itself
    (``views.SchoolContextListView``), so it can be corrected and imported back."""

    year = RowYearColumn(verbose_name=_("Year"))
    municipality = tables.Column(
        accessor="school__municipality", verbose_name=_("Municipality"), order_by=("school__municipality__name",)
    )
    school = SchoolCardColumn(verbose_name=_("School"))
    students = tables.Column(verbose_name=_("Students"), attrs={"td": {"class": "text-end"}})
    higher_education = ShareColumn(
        **_short(_("Parents with higher ed., %"), _("Both parents with higher education, %"))
    )
    single_parent = ShareColumn(**_short(_("Single-parent, %"), _("Single-parent families, %")))
    on_register = ShareColumn(**_short(_("Register, %"), _("On a prevention register, %")))
    non_native = ShareColumn(**_short(_("Non-native, %"), _("Russian not the first language, %")))
    special_needs = ShareColumn(**_short(_("SEN, %"), _("With special educational needs, %")))
    source = tables.Column(verbose_name=_("Source"))

    class Meta:
        model = SchoolContext
        fields = []
        sequence = (
            "year",
            "municipality",
            "school",
            "students",
            "higher_education",
            "single_parent",
            "on_register",
            "non_native",
            "special_needs",
            "source",
        )


class ContextImportTable(ImportBatchTable):
    class Meta(ImportBatchTable.Meta):
        model = ContextImport


class SuggestionTable(tables.Table):
    year = YearColumn(verbose_name=_("Year"))
    school = SchoolCardColumn(verbose_name=_("School (ШНОР or candidate)"))
    rank = tables.Column(verbose_name=_("Rank"), attrs={"td": {"class": "text-end"}})
    partner = SchoolCardColumn(verbose_name=_("Suggested partner"), accessor_id="partner_id")
    index_gap = DecimalColumn(verbose_name=_("Index gap"))
    context_gap = DecimalColumn(verbose_name=_("Context gap"))

    class Meta:
        model = PartnerSuggestion
        fields = []
        sequence = ("year", "school", "rank", "partner", "index_gap", "context_gap")
        empty_text = _("No suggestions for these conditions.")
