"""Filters shared by the apps' FilterSets: the same query parameters in the API, readable
controls on the pages."""

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters.widgets import BooleanWidget

from core.models import ImportState
from core.years import MAX_ACADEMIC_YEAR, MIN_ACADEMIC_YEAR, academic_year_choices

ALL = pgettext_lazy("filter", "All")


def _year_options() -> list[tuple[str, str]]:
    return [("", ALL), *((str(y), label) for y, label in academic_year_choices())]


class AcademicYearFilter(filters.NumberFilter):
    """An academic year stored as its first year: any year in the API (``?year=2022``), a
    select of «2022/2023» labels on the pages."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Academic year"))
        kwargs.setdefault("widget", forms.Select(choices=_year_options))
        # the years the portal stores (MinValueValidator(2000) on the models); a year outside
        # is a clear 400, not a date the calendar cannot hold (?year=1 → «year 0 is out of range»)
        kwargs.setdefault("min_value", MIN_ACADEMIC_YEAR)
        kwargs.setdefault("max_value", MAX_ACADEMIC_YEAR)
        super().__init__(*args, **kwargs)


class YesNoWidget(BooleanWidget):
    """«All / Yes / No» instead of django-filter's «Unknown / Yes / No»."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", ALL), ("true", _("Yes")), ("false", _("No"))]


class YesNoFilter(filters.BooleanFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoWidget)
        super().__init__(*args, **kwargs)


class IdFilter(filters.NumberFilter):
    """An object id for the API (``?school=12``) and for links between pages; not a field a
    person types, so the page's filter form carries it as a hidden input."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(*args, **kwargs)


def _grade_options() -> list[tuple[str, str]]:
    return [("", ALL), *((str(g), str(g)) for g in range(1, 12))]


class GradeFilter(filters.NumberFilter):
    """A school grade 1–11: a number in the API, a select on the pages."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Grade"))
        kwargs.setdefault("widget", forms.Select(choices=_grade_options))
        super().__init__(*args, **kwargs)


class CheckedImportFilterSet(filters.FilterSet):
    """The list of a checked import's files (``core.models.CheckedImport``), by state."""

    status = filters.ChoiceFilter(choices=ImportState.choices, label=_("Status"))

    class Meta:
        fields = ["status"]
