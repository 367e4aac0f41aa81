"""The regional coordinator's home panel: the municipalities of the region this year beside
last year — ШНОР and its movement, curator coverage, overdue recommendations, reports on time
(the same figures as the comparison page, from regional.selectors)."""

from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scoping import regions_overseen
from core.dashboard import Panel
from core.years import academic_year_label, current_academic_year
from regional import selectors


def panels(user) -> list[Panel]:
    if user.is_superuser or user.role != Role.REGIONAL_COORDINATOR:
        return []
    region = regions_overseen(user).first()
    if region is None:
        return []
    year = current_academic_year()
    municipalities = region.municipalities.order_by("name")
    rows = selectors.municipality_summary(municipalities, year, region=region)
    lines = [
        {
            "name": r.municipality.name if r.municipality else _("Region, total"),
            "total": r.is_total,
            "now": r.values[year],
            "before": r.values[year - 1],
        }
        for r in rows
    ]
    return [
        Panel(
            "regional/_panel_home.html",
            {"region": region, "year": year, "year_label": academic_year_label(year), "rows": lines},
            order=1,
            width="col-12",
        )
    ]
