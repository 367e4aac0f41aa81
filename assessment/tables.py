import django_tables2 as tables
from django.template.loader import get_template
from django.urls import reverse
from django.utils import formats
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from assessment.models import Flag, GroupResult, ImportBatch, SchoolIndex
from assessment.templatetags.assessment_flags import flag_rule, teacher_grades
from core.years import academic_year_label
from schools.tables import SchoolColumn


class YearColumn(tables.Column):
    def render(self, value):
        return academic_year_label(value)

    def value(self, value):
        return academic_year_label(value)


class PercentColumn(tables.Column):
    """A share 0..1 shown as «25,3 %»; exported as a percentage with one decimal."""

    attrs = {"td": {"class": "text-end text-nowrap"}}

    def render(self, value):
        return f"{value * 100:.1f} %".replace(".", ",")

    def value(self, value):
        return None if value is None else round(value * 100, 1)


class NumberColumn(tables.Column):
    attrs = {"td": {"class": "text-end text-nowrap"}}

    def render(self, value):
        return f"{value:.1f}".replace(".", ",")

    def value(self, value):
        return None if value is None else round(value, 2)


def school_results_url(table, school_id: int) -> str:
    """``reverse("assessment:school", args=[school_id])``, reversed once per table (a list page
    links 50 rows): the URL of a stand-in id, split around it, then joined around each id."""
    parts = getattr(table, "_school_results_url", None)
    if parts is None:
        stand_in = "987654321"
        url = reverse("assessment:school", args=[int(stand_in)])
        parts = table._school_results_url = tuple(url.split(stand_in)) if url.count(stand_in) == 1 else ()
    if not parts:
        return reverse("assessment:school", args=[school_id])
    return f"{parts[0]}{int(school_id)}{parts[1]}"


class SchoolLinkColumn(SchoolColumn):
    """A school linked to its results page."""

    def render(self, record, value, table):
        # format_html('<a href="{}">{}</a>', url, value), without its per-call parsing of the
        # format string and its lazy-argument checks (50 rows a page): the same escaping.
        return mark_safe(
            f'<a href="{escape(school_results_url(table, record.school_id))}">{conditional_escape(value)}</a>'
        )

    def value(self, value):
        return str(value)


STICKY = {"th": {"class": "sticky-col"}, "td": {"class": "text-nowrap sticky-col"}}


class GroupResultTable(tables.Table):
    year = YearColumn(verbose_name=_("Year"))
    school = SchoolLinkColumn(verbose_name=_("School"), attrs=STICKY)
    procedure = tables.Column(verbose_name=_("Procedure"), order_by=("procedure__code",))
    subject = tables.Column(verbose_name=_("Subject"), order_by=("subject__name",))
    grade = tables.Column(verbose_name=_("Grade"))
    participants = tables.Column(verbose_name=_("Participants"))
    mean_score = NumberColumn(verbose_name=_("Mean score"))
    mean_percent = NumberColumn(verbose_name=_("Mean, %"))
    share_fail = PercentColumn(verbose_name=_("«2»"))
    success_rate = PercentColumn(verbose_name=_("Success"))
    quality_rate = PercentColumn(verbose_name=_("Quality"))
    lowered = PercentColumn(verbose_name=_("Lowered"))
    confirmed = PercentColumn(verbose_name=_("Marks confirmed"))
    raised = PercentColumn(verbose_name=_("Raised"))

    class Meta:
        model = GroupResult
        fields = []
        attrs = {"class": "table table-sm table-hover align-middle working-table small"}
        sequence = (
            "school",
            "year",
            "procedure",
            "subject",
            "grade",
            "participants",
            "mean_score",
            "mean_percent",
            "share_fail",
            "success_rate",
            "quality_rate",
            "lowered",
            "confirmed",
            "raised",
        )


def _input(name: str, scale: float = 1.0):
    """An export-only column of one number behind a flag (``Flag.inputs[name]``)."""

    def value(record):
        v = (record.inputs or {}).get(name)
        return None if v is None else round(v * scale, 2)

    return value


class FlagInputColumn(tables.Column):
    """One number behind a flag, in a column of its own in the xlsx (hidden on the page, where
    the «Numbers» column says them in words)."""

    def __init__(self, key: str, scale: float = 1.0, **kwargs):
        self.read = _input(key, scale)
        kwargs.setdefault("visible", False)
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("empty_values", ())
        kwargs.setdefault("accessor", "pk")
        super().__init__(**kwargs)

    def value(self, record):
        return self.read(record)


class FlagTable(tables.Table):
    year = YearColumn(verbose_name=_("Year"))
    school = SchoolLinkColumn(verbose_name=_("School"))
    kind = tables.Column(verbose_name=_("Flag"))
    procedure = tables.Column(verbose_name=_("Procedure"), order_by=("procedure__code",))
    subject = tables.Column(verbose_name=_("Subject"), order_by=("subject__name",))
    grade = tables.Column(verbose_name=_("Grade"))
    inputs = tables.TemplateColumn(
        template_name="assessment/_flag_inputs.html",
        verbose_name=_("Numbers"),
        orderable=False,
        exclude_from_export=True,
    )
    # The xlsx: one number per cell.
    participants = FlagInputColumn("participants", verbose_name=_("Participants"))
    mean_percent = FlagInputColumn("mean_percent", verbose_name=_("Mean, %"))
    municipal_mean_percent = FlagInputColumn("municipal_mean_percent", verbose_name=_("Municipality's mean, %"))
    previous_mean_percent = FlagInputColumn("previous_mean_percent", verbose_name=_("Mean a year before, %"))
    change = FlagInputColumn("change", verbose_name=_("Change, points"))
    share_fail = FlagInputColumn("share_fail", 100, verbose_name=_("«2», %"))
    with_both = FlagInputColumn("with_both", verbose_name=_("Students with both marks"))
    lowered = FlagInputColumn("lowered", 100, verbose_name=_("Lowered, %"))
    raised = FlagInputColumn("raised", 100, verbose_name=_("Raised, %"))
    rule = tables.Column(verbose_name=_("Rule"), visible=False, orderable=False, empty_values=(), accessor="pk")

    class Meta:
        model = Flag
        fields = []
        sequence = ("year", "school", "kind", "procedure", "subject", "grade", "inputs", "...")

    def render_inputs(self, record):
        # The column's template reads the record only: rendered without the request, whose
        # RequestContext would run every context processor (the whole menu) once per row —
        # a third of the page (bench/README.md, session 7).
        return get_template(self.base_columns["inputs"].template_name).render({"record": record})

    def value_rule(self, record):
        return flag_rule(record)


class TeacherDynamicsTable(tables.Table):
    """Teachers' negative dynamics: a teacher's rows pooled over their grades (RESULTS.md)."""

    year = YearColumn(verbose_name=_("Year"))
    school = SchoolLinkColumn(verbose_name=_("School"))
    teacher_code = tables.Column(verbose_name=_("Teacher (anonymous code)"))
    procedure = tables.Column(verbose_name=_("Procedure"), order_by=("procedure__code",))
    subject = tables.Column(verbose_name=_("Subject"), order_by=("subject__name",))
    grades = tables.Column(verbose_name=_("Grades"), accessor="pk", orderable=False)
    participants = FlagInputColumn("participants", verbose_name=_("Participants"), visible=True)
    previous_mean_percent = FlagInputColumn(
        "previous_mean_percent", verbose_name=_("Mean a year before, %"), visible=True
    )
    mean_percent = FlagInputColumn("mean_percent", verbose_name=_("Mean, %"), visible=True)
    change = FlagInputColumn("change", verbose_name=_("Change, points"), visible=True)

    class Meta:
        model = Flag
        fields = []
        sequence = ("year", "school", "teacher_code", "procedure", "subject", "grades", "...")
        order_by = ("-year", "school")

    def render_grades(self, record):
        return teacher_grades(record)

    def value_grades(self, record):
        return teacher_grades(record)

    def _number(self, column, record):
        value = self.columns[column].column.value(record)
        return "—" if value is None else f"{value:.1f}".replace(".", ",")

    def render_participants(self, record):
        return (record.inputs or {}).get("participants", "—")

    def render_previous_mean_percent(self, record):
        return self._number("previous_mean_percent", record)

    def render_mean_percent(self, record):
        return self._number("mean_percent", record)

    def render_change(self, record):
        return self._number("change", record)


class KeptBooleanColumn(tables.BooleanColumn):
    """django-tables2's ``BooleanColumn`` whose cell — a ``<span>`` that depends on nothing
    but the value (and the column: its accessor's field, words and attributes) — is rendered
    once per value and table, not per row (its attributes' HTML and ``format_html`` per cell
    were a tenth of the municipal results page's table)."""

    def render(self, value, record, bound_column):
        kept = self.__dict__.setdefault("_kept", {})
        try:
            key = (type(record), value)
            return kept[key]
        except TypeError:  # an unhashable value: as the parent renders it
            return super().render(value, record, bound_column)
        except KeyError:
            html = kept[key] = super().render(value, record, bound_column)
            return html


class SchoolIndexTable(tables.Table):
    year = YearColumn(verbose_name=_("Year"))
    municipality = tables.Column(verbose_name=_("Municipality"), order_by=("municipality__name",))
    school = SchoolLinkColumn(verbose_name=_("School"))
    code = tables.Column(accessor="school__code", verbose_name=_("Code"))
    value = NumberColumn(verbose_name=_("Index"))
    n_keys = tables.Column(verbose_name=_("Groups compared"))
    candidate = KeptBooleanColumn(verbose_name=_("Candidate"))
    # accessor "pk": the cell renders from the record (render_candidate_reason), so the
    # property's words are not looked up a second time per row only to be ignored
    candidate_reason = tables.Column(verbose_name=_("Reason"), orderable=False, empty_values=(), accessor="pk")

    class Meta:
        model = SchoolIndex
        fields = []
        sequence = ("year", "municipality", "school", "code", "value", "n_keys", "candidate", "candidate_reason")
        order_by = ("value",)

    def render_value(self, value):
        return f"{value:.2f}".replace(".", ",")

    def _kept(self, key, render):
        """A cell that depends on ``key`` alone, rendered once per table (a table is built and
        rendered within one request, in one language): per row, the number's localisation
        and the reason's translations were most of these cells' time."""
        kept = self.__dict__.setdefault("_kept_cells", {})
        html = kept.get(key)
        if html is None:
            html = kept[key] = render()
        return html

    def render_n_keys(self, value):
        # what a plain cell shows: conditional_escape(localize(value)) ({% table_rows %})
        return self._kept(("n_keys", type(value), value), lambda: conditional_escape(formats.localize(value)))

    def value_candidate(self, value):
        return value  # the xlsx keeps the bool (a column's own render makes core.xlsx take its text)

    def value_n_keys(self, value):
        return value  # the xlsx keeps the number (core.xlsx.export_value), not the page's text

    def render_candidate_reason(self, record):
        # SchoolIndex.candidate_reason's words, escaped, per the two reasons
        key = ("reason", bool(record.below_p10), bool(record.below_limit))
        return self._kept(key, lambda: conditional_escape(record.candidate_reason))

    def value_candidate_reason(self, record):
        return record.candidate_reason


class ImportBatchTable(tables.Table):
    created = tables.DateTimeColumn(format="d.m.Y H:i", verbose_name=_("Uploaded"))
    original_name = tables.Column(linkify=True, verbose_name=_("File"))
    uploaded_by = tables.Column(verbose_name=_("Uploaded by"))
    status = tables.Column(verbose_name=_("Status"))
    rows_total = tables.Column(verbose_name=_("Rows"))
    rows_created = tables.Column(verbose_name=_("New"))
    rows_updated = tables.Column(verbose_name=_("Replaced"))
    error_count = tables.Column(verbose_name=_("Errors"))
    years = tables.Column(verbose_name=_("Years"), orderable=False)

    class Meta:
        model = ImportBatch
        fields = []
        sequence = (
            "created",
            "original_name",
            "uploaded_by",
            "status",
            "rows_total",
            "rows_created",
            "rows_updated",
            "error_count",
            "years",
        )

    def render_years(self, value):
        return ", ".join(academic_year_label(y) for y in value) or "—"

    def value_years(self, value):
        return ", ".join(academic_year_label(y) for y in value)
