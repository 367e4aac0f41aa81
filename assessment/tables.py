import django_tables2 as tables
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html
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
        return format_html('<a href="{}">{}</a>', school_results_url(table, record.school_id), value)

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


class SchoolIndexTable(tables.Table):
    year = YearColumn(verbose_name=_("Year"))
    municipality = tables.Column(verbose_name=_("Municipality"), order_by=("municipality__name",))
    school = SchoolLinkColumn(verbose_name=_("School"))
    code = tables.Column(accessor="school__code", verbose_name=_("Code"))
    value = NumberColumn(verbose_name=_("Index"))
    n_keys = tables.Column(verbose_name=_("Groups compared"))
    candidate = tables.BooleanColumn(verbose_name=_("Candidate"))
    candidate_reason = tables.Column(verbose_name=_("Reason"), orderable=False, empty_values=())

    class Meta:
        model = SchoolIndex
        fields = []
        sequence = ("year", "municipality", "school", "code", "value", "n_keys", "candidate", "candidate_reason")
        order_by = ("value",)

    def render_value(self, value):
        return f"{value:.2f}".replace(".", ",")


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
