"""One FilterSet per list, serving the page, the calendar and the API."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.scoping import schools_for
from core.filters import YesNoFilter
from events.models import AudienceKind, Event, EventFormat, EventStatus, Material, MaterialKind, Theme
from events.selectors import materials_search
from schools.models import School


def _schools(request):
    if request is None:
        return School.objects.all()
    return schools_for(request.user).select_related("municipality")


class EventFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="search")
    # Not "format": DRF reads ?format= as the renderer.
    event_format = filters.MultipleChoiceFilter(choices=EventFormat.choices, label=_("Format"), field_name="format")
    audience_kind = filters.ChoiceFilter(choices=AudienceKind.choices, label=_("Audience"))
    school = filters.ModelChoiceFilter(
        queryset=_schools, label=pgettext_lazy("events", "School"), method="with_school", field_name="host_school"
    )
    theme = filters.ModelChoiceFilter(queryset=Theme.objects.all(), label=_("Theme"), field_name="themes")
    status = filters.ChoiceFilter(choices=EventStatus.choices, label=pgettext_lazy("events", "Status"))
    date_from = filters.DateFilter(label=_("From"), field_name="end", lookup_expr="date__gte")
    date_to = filters.DateFilter(label=_("To"), field_name="start", lookup_expr="date__lte")
    regional = YesNoFilter(label=_("Regional events"), field_name="region", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Event
        fields = ["q", "event_format", "audience_kind", "school", "theme", "status", "date_from", "date_to", "regional"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(goal__icontains=value) | Q(audience__icontains=value))

    def with_school(self, queryset, name, value):
        """Events hosted or co-organised by the school, or with its people registered."""
        return queryset.filter(
            Q(host_school=value) | Q(organiser_schools=value) | Q(registrations__school=value)
        ).distinct()


class MaterialFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="search")
    kind = filters.ChoiceFilter(choices=MaterialKind.choices, label=pgettext_lazy("events", "Kind"))
    theme = filters.ModelChoiceFilter(queryset=Theme.objects.all(), label=_("Theme"), field_name="themes")
    school = filters.ModelChoiceFilter(
        queryset=School.objects.filter(materials__isnull=False).distinct(), label=_("Authors' school")
    )
    regional = YesNoFilter(
        label=_("Regional part of the bank"), field_name="region", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Material
        fields = ["q", "kind", "theme", "school", "regional"]

    def search(self, queryset, name, value):
        return materials_search(queryset, value)
