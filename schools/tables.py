import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from schools.models import School


class SchoolTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"))
    short_name = tables.Column(linkify=True, verbose_name=_("School"))
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
