"""One FilterSet per list, serving both the page and the API."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scoping import municipalities_for
from core.years import current_academic_year
from schools.models import Municipality, School, SchoolKind, StatusKind


def _municipalities(request):
    if request is None:
        return Municipality.objects.all()
    return municipalities_for(request.user)


class SchoolFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="search")
    municipality = filters.ModelChoiceFilter(queryset=_municipalities, label=_("Municipality"))
    code = filters.CharFilter(label=_("Code"), field_name="code")
    kind = filters.ChoiceFilter(choices=SchoolKind.choices, label=_("Kind"))
    is_rural = filters.BooleanFilter(label=_("Rural"))
    is_active = filters.BooleanFilter(label=_("Active"))
    status = filters.ChoiceFilter(choices=StatusKind.choices, label=_("Status this year"), method="with_status")

    class Meta:
        model = School
        fields = ["q", "municipality", "code", "kind", "is_rural", "is_active", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(short_name__icontains=value)
            | Q(code__iexact=value)
            | Q(director__icontains=value)
        )

    def with_status(self, queryset, name, value):
        year = current_academic_year()
        return queryset.filter(
            Q(statuses__year_to__isnull=True) | Q(statuses__year_to__gte=year),
            statuses__kind=value,
            statuses__year_from__lte=year,
        ).distinct()
