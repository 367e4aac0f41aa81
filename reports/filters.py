import django_filters as filters
from django.utils.translation import gettext_lazy as _

from core.years import academic_year_choices
from reports.models import GeneratedReport, ReportKind, ReportStatus


class GeneratedReportFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ReportKind.choices, label=_("Document"))
    status = filters.ChoiceFilter(choices=ReportStatus.choices, label=_("Status"))
    year = filters.ChoiceFilter(choices=academic_year_choices, label=_("Academic year"))

    class Meta:
        model = GeneratedReport
        fields = ["kind", "status", "year"]
