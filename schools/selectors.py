from django.db.models import Count, Q, QuerySet

from core.years import current_academic_year
from schools.models import StatusKind


def school_counts(schools: QuerySet) -> dict:
    """Counts for the home page: schools in scope, active, rural, and ШНОР this year."""
    year = current_academic_year()
    current_low = Q(statuses__kind=StatusKind.LOW_RESULTS, statuses__year_from__lte=year) & (
        Q(statuses__year_to__isnull=True) | Q(statuses__year_to__gte=year)
    )
    return schools.aggregate(
        total=Count("id", distinct=True),
        active=Count("id", filter=Q(is_active=True), distinct=True),
        rural=Count("id", filter=Q(is_rural=True), distinct=True),
        low_results=Count("id", filter=current_low, distinct=True),
    )
