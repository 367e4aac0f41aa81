"""One FilterSet per resource, serving both the pages and the API."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from accounts.scoping import municipalities_for
from assessment.models import (
    Flag,
    GroupResult,
    ImportBatch,
    ImportStatus,
    Procedure,
    SchoolIndex,
    Spread,
    Subject,
)
from core.filters import AcademicYearFilter, GradeFilter, IdFilter, YesNoFilter
from schools.models import Municipality


def _municipalities(request):
    return Municipality.objects.none() if request is None else municipalities_for(request.user)


class _ResultFilters(filters.FilterSet):
    """year, procedure, subject, grade, school (id) and school_code."""

    year = AcademicYearFilter()
    procedure = filters.ModelChoiceFilter(queryset=Procedure.objects.all(), to_field_name="code", label=_("Procedure"))
    subject = filters.ModelChoiceFilter(queryset=Subject.objects.all(), to_field_name="name", label=_("Subject"))
    grade = GradeFilter()
    school = IdFilter(field_name="school_id", label=_("School (id)"))
    school_code = filters.CharFilter(field_name="school__code", label=_("School code"))


class GroupResultFilterSet(_ResultFilters):
    class Meta:
        model = GroupResult
        fields = ["year", "procedure", "subject", "grade", "school", "school_code"]


def _school_flag_kinds():
    from assessment.selectors import SCHOOL_FLAG_KINDS

    return [(kind.value, kind.label) for kind in SCHOOL_FLAG_KINDS]


class FlagFilterSet(_ResultFilters):
    """A school's flags (teachers' dynamics are a list of their own: ``TeacherDynamicsFilterSet``)."""

    kind = filters.ChoiceFilter(choices=_school_flag_kinds, label=_("Flag"))

    class Meta:
        model = Flag
        fields = ["year", "procedure", "subject", "grade", "school", "school_code", "kind"]


class TeacherDynamicsFilterSet(filters.FilterSet):
    year = AcademicYearFilter()
    procedure = filters.ModelChoiceFilter(queryset=Procedure.objects.all(), to_field_name="code", label=_("Procedure"))
    subject = filters.ModelChoiceFilter(queryset=Subject.objects.all(), to_field_name="name", label=_("Subject"))
    school = IdFilter(field_name="school_id", label=_("School (id)"))
    school_code = filters.CharFilter(field_name="school__code", label=_("School code"))
    teacher_code = filters.CharFilter(field_name="teacher_code", label=_("Teacher code"))

    class Meta:
        model = Flag
        fields = ["year", "procedure", "subject", "school", "school_code", "teacher_code"]


class SchoolIndexFilterSet(filters.FilterSet):
    year = AcademicYearFilter()
    school = IdFilter(field_name="school_id", label=_("School (id)"))
    school_code = filters.CharFilter(field_name="school__code", label=_("School code"))
    municipality = filters.ModelChoiceFilter(queryset=_municipalities, label=_("Municipality"))
    candidate = YesNoFilter(label=_("Low-result candidate"))

    class Meta:
        model = SchoolIndex
        fields = ["year", "school", "school_code", "municipality", "candidate"]


class SpreadFilterSet(filters.FilterSet):
    year = AcademicYearFilter()
    municipality = filters.ModelChoiceFilter(queryset=_municipalities, label=_("Municipality"))

    class Meta:
        model = Spread
        fields = ["year", "municipality"]


class ImportBatchFilterSet(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ImportStatus.choices, label=_("Status"))

    class Meta:
        model = ImportBatch
        fields = ["status"]
