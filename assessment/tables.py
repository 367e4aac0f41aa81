import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from assessment.models import Flag, GroupResult, ImportBatch, SchoolIndex
from assessment.templatetags.assessment_flags import flag_numbers, flag_rule
from core.years import academic_year_label
from schools.tables import SchoolColumn


class YearColumn(tables.Column):
    def render(self, value):
        return academic_year_label(value)

    def value(self, value):
        return academic_year_label(value)


class PercentColumn(tables.Column):
    """A share 0..1 shown as «25,3 %»; exported as a percentage with one decimal."""

    attrs = {"td": {"class": "text-end"}}

    def render(self, value):
        return f"{value * 100:.1f} %".replace(".", ",")

    def value(self, value):
        return None if value is None else round(value * 100, 1)


class NumberColumn(tables.Column):
    attrs = {"td": {"class": "text-end"}}

    def render(self, value):
        return f"{value:.1f}".replace(".", ",")

    def value(self, value):
        return None if value is None else round(value, 2)


class SchoolLinkColumn(SchoolColumn):
    """A school linked to its results page."""

    def render(self, record, value):
        return format_html('<a href="{}">{}</a>', reverse("assessment:school", args=[record.school_id]), value)

    def value(self, value):
        return str(value)


class GroupResultTable(tables.Table):
    year = YearColumn(verbose_name=_("Year"))
    school = SchoolLinkColumn(verbose_name=_("School"))
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
        sequence = (
            "year",
            "school",
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


class FlagTable(tables.Table):
    year = YearColumn(verbose_name=_("Year"))
    school = SchoolLinkColumn(verbose_name=_("School"))
    kind = tables.Column(verbose_name=_("Flag"))
    procedure = tables.Column(verbose_name=_("Procedure"), order_by=("procedure__code",))
    subject = tables.Column(verbose_name=_("Subject"), order_by=("subject__name",))
    grade = tables.Column(verbose_name=_("Grade"))
    teacher_code = tables.Column(verbose_name=_("Teacher"))
    inputs = tables.TemplateColumn(
        template_name="assessment/_flag_inputs.html", verbose_name=_("Numbers"), orderable=False
    )

    class Meta:
        model = Flag
        fields = []
        sequence = ("year", "school", "kind", "procedure", "subject", "grade", "teacher_code", "inputs")

    def value_inputs(self, record):
        return f"{flag_numbers(record)} ({flag_rule(record)})"


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
