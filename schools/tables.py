import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from schools.models import School


class SchoolColumn(tables.Column):
    """A school: on one line («СШ № 17» must not break after «№») and sorted as School's own
    ordering has it (municipality, then natural order by ``sort_name``), which a sort by the
    relation gets from Django."""

    attrs = {"td": {"class": "text-nowrap"}}


class SchoolTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"))
    short_name = SchoolColumn(linkify=True, verbose_name=_("School"), order_by=("sort_name",))
    municipality = tables.Column(verbose_name=_("Municipality"), order_by=("municipality__name",))
    kind = tables.Column(verbose_name=_("Kind"))
    is_rural = tables.BooleanColumn(verbose_name=_("Rural"))
    students_count = tables.Column(verbose_name=_("Students"))
    teachers_count = tables.Column(verbose_name=_("Teachers"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = School
        fields = [
            "code",
            "short_name",
            "municipality",
            "kind",
            "is_rural",
            "students_count",
            "teachers_count",
            "is_active",
        ]
        order_by = ("municipality", "short_name")


# --- Programme side ------------------------------------------------------------------

from core.years import academic_year_label  # noqa: E402
from schools.models import Order, Programme, SchoolStatus  # noqa: E402


class AcademicYearColumn(tables.Column):
    def render(self, value):
        return academic_year_label(value)

    def value(self, value):
        return academic_year_label(value)


class DateColumn(tables.DateColumn):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", "d.m.Y")
        super().__init__(*args, **kwargs)


class OrderTable(tables.Table):
    number = tables.Column(linkify=("schools:order-detail", [tables.A("pk")]), verbose_name=_("Number"))
    date = DateColumn(verbose_name=_("Date"))
    kind = tables.Column(verbose_name=_("Kind"))
    title = tables.Column(verbose_name=_("Title"))
    issuer = tables.Column(verbose_name=_("Issuing body"))
    municipality = tables.Column(verbose_name=_("Municipality"), order_by=("municipality__name",))

    class Meta:
        model = Order
        fields = ["number", "date", "kind", "title", "issuer", "municipality"]
        order_by = ("-date",)


class SchoolStatusTable(tables.Table):
    school = SchoolColumn(linkify=True, verbose_name=_("School"))
    kind = tables.Column(verbose_name=_("Status"))
    year_from = AcademicYearColumn(verbose_name=_("From"))
    year_to = AcademicYearColumn(verbose_name=_("To"), default="…")
    order = tables.Column(verbose_name=_("Order"), linkify=("schools:order-detail", [tables.A("order_id")]))
    end_order = tables.Column(verbose_name=_("Ended by"))
    edit = tables.LinkColumn(
        "schools:status-edit",
        args=[tables.A("pk")],
        text=_("Edit"),
        orderable=False,
        verbose_name="",
        exclude_from_export=True,
    )

    class Meta:
        model = SchoolStatus
        fields = ["school", "kind", "year_from", "year_to", "order", "end_order"]
        order_by = ("school", "-year_from")


class ProgrammeTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name=_("Name"))
    kind = tables.Column(verbose_name=_("Kind"))
    year = AcademicYearColumn(verbose_name=_("Academic year"))
    municipality = tables.Column(verbose_name=_("Municipality"), order_by=("municipality__name",))
    participants_count = tables.Column(verbose_name=_("Participants"))
    order = tables.Column(verbose_name=_("Order"))

    class Meta:
        model = Programme
        fields = ["name", "kind", "year", "municipality", "participants_count", "order"]
        order_by = ("-year",)
