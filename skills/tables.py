import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from assessment.tables import NumberColumn, YearColumn
from core.years import academic_year_label
from schools.tables import SchoolColumn
from skills.models import MunicipalSkillResult, PlanImport, Skill, SkillResult, TaskPlan


class SkillProfileColumn(SchoolColumn):
    """A school linked to its skills profile."""

    def render(self, record, value):
        return format_html('<a href="{}">{}</a>', reverse("skills:school", args=[record.school_id]), value)

    def value(self, value):
        return str(value)


SKILL_ATTRS = {"td": {"style": "min-width: 16rem"}}


class TasksColumn(tables.Column):
    """The task labels behind a skill («1, 5.2»); exported as «№ 1, № 5.2» — labels, not numbers."""

    def value(self, value):
        return ", ".join(f"№ {label}" for label in value.split(", ")) if value else ""


class YesColumn(tables.Column):
    def render(self, value):
        return _("yes") if value else "—"

    def value(self, value):
        return bool(value)


class SkillResultTable(tables.Table):
    year = YearColumn(verbose_name=_("Year"))
    school = SkillProfileColumn(verbose_name=_("School"))
    procedure = tables.Column(verbose_name=_("Procedure"), order_by=("procedure__code",))
    subject = tables.Column(verbose_name=_("Subject"), order_by=("subject__name",))
    grade = tables.Column(verbose_name=_("Grade"))
    skill = tables.Column(verbose_name=_("Skill"), order_by=("skill__key",), attrs=SKILL_ATTRS)
    tasks = TasksColumn(verbose_name=_("Tasks"), orderable=False)
    participants = tables.Column(verbose_name=_("Participants"), attrs={"td": {"class": "text-end"}})
    completion = NumberColumn(verbose_name=_("Completion, %"))
    municipal_completion = NumberColumn(verbose_name=_("Municipality, %"))
    gap = NumberColumn(verbose_name=_("Gap, points"))
    deficit = YesColumn(verbose_name=_("Deficit"))

    class Meta:
        model = SkillResult
        fields = []
        sequence = (
            "year",
            "school",
            "procedure",
            "subject",
            "grade",
            "skill",
            "tasks",
            "participants",
            "completion",
            "municipal_completion",
            "gap",
            "deficit",
        )


class MunicipalSkillTable(tables.Table):
    year = YearColumn(verbose_name=_("Year"))
    municipality = tables.Column(verbose_name=_("Municipality"), order_by=("municipality__name",))
    procedure = tables.Column(verbose_name=_("Procedure"), order_by=("procedure__code",))
    subject = tables.Column(verbose_name=_("Subject"), order_by=("subject__name",))
    grade = tables.Column(verbose_name=_("Grade"))
    skill = tables.Column(verbose_name=_("Skill"), order_by=("skill__key",), attrs=SKILL_ATTRS)
    tasks = TasksColumn(verbose_name=_("Tasks"), orderable=False)
    participants = tables.Column(verbose_name=_("Participants"), attrs={"td": {"class": "text-end"}})
    completion = NumberColumn(verbose_name=_("Completion, %"))
    schools = tables.Column(verbose_name=_("Schools"), attrs={"td": {"class": "text-end"}})
    deficit_schools = tables.Column(verbose_name=_("Schools with a deficit"), attrs={"td": {"class": "text-end"}})
    weak = YesColumn(verbose_name=_("Weak skill"))

    class Meta:
        model = MunicipalSkillResult
        fields = []
        sequence = (
            "year",
            "municipality",
            "procedure",
            "subject",
            "grade",
            "skill",
            "tasks",
            "participants",
            "completion",
            "schools",
            "deficit_schools",
            "weak",
        )

    def render_deficit_schools(self, record, value):
        if not value:
            return "0"
        url = reverse("skills:deficit-list")
        query = (
            f"?year={record.year}&procedure={record.procedure.code}&subject={record.subject.name}"
            f"&grade={record.grade}&skill={record.skill_id}&deficit=true"
        )
        return format_html('<a href="{}{}">{}</a>', url, query, value)

    def value_deficit_schools(self, value):
        return value


class TaskPlanTable(tables.Table):
    year = YearColumn(verbose_name=_("Year"))
    procedure = tables.Column(verbose_name=_("Procedure"), order_by=("procedure__code",))
    subject = tables.Column(verbose_name=_("Subject"), order_by=("subject__name",))
    grade = tables.Column(verbose_name=_("Grade"))
    max_total = tables.Column(verbose_name=_("Maximum score"), attrs={"td": {"class": "text-end"}})
    n_tasks = tables.Column(verbose_name=_("Tasks"), orderable=False, attrs={"td": {"class": "text-end"}})
    open = tables.Column(verbose_name=_("Plan"), empty_values=(), orderable=False, exclude_from_export=True)

    class Meta:
        model = TaskPlan
        fields = []
        sequence = ("year", "procedure", "subject", "grade", "max_total", "n_tasks", "open")

    def render_open(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), _("Open the plan"))


class SkillTable(tables.Table):
    subject = tables.Column(verbose_name=_("Subject"), order_by=("subject__name",))
    text = tables.Column(verbose_name=_("Skill"), order_by=("key",))
    n_tasks = tables.Column(verbose_name=_("Tasks in plans"), orderable=False, attrs={"td": {"class": "text-end"}})
    n_events = tables.Column(verbose_name=_("Events"), orderable=False, attrs={"td": {"class": "text-end"}})
    n_materials = tables.Column(verbose_name=_("Materials"), orderable=False, attrs={"td": {"class": "text-end"}})

    class Meta:
        model = Skill
        fields = []
        sequence = ("subject", "text", "n_tasks", "n_events", "n_materials")


class PlanImportTable(tables.Table):
    created = tables.DateTimeColumn(format="d.m.Y H:i", verbose_name=_("Uploaded"))
    original_name = tables.Column(linkify=True, verbose_name=_("File"))
    uploaded_by = tables.Column(verbose_name=_("Uploaded by"))
    status = tables.Column(verbose_name=_("Status"))
    plans_total = tables.Column(verbose_name=_("Plans"))
    rows_total = tables.Column(verbose_name=_("Tasks"))
    error_count = tables.Column(verbose_name=_("Errors"))
    years = tables.Column(verbose_name=_("Years"), orderable=False)

    class Meta:
        model = PlanImport
        fields = []
        sequence = (
            "created",
            "original_name",
            "uploaded_by",
            "status",
            "plans_total",
            "rows_total",
            "error_count",
            "years",
        )

    def render_years(self, value):
        return ", ".join(academic_year_label(y) for y in value) or "—"

    def value_years(self, value):
        return ", ".join(academic_year_label(y) for y in value)
