"""The region's own figures: a school's index computed against every school of its region
(RESULTS.md's school index with the region in place of the municipality), and the region's
spread of those indices.  Outputs of the analysis (regional/analysis.py), replaced with it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.models import IndexFigures, SpreadFigures
from core.years import academic_year_label


class RegionalSchoolIndex(IndexFigures):
    """A school's regional index for a year: the plain mean of its z over its keys (year,
    procedure, subject, grade), each z taken among every school of the region with that key;
    and whether it is a regional low-result candidate (≤ the region's 10th percentile, or
    below the limit)."""

    region = models.ForeignKey("schools.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("region"))

    class Meta:
        verbose_name = _("regional school index")
        verbose_name_plural = _("regional school indices")
        ordering = ["year", "value"]
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="regional_index_unique")]
        indexes = [models.Index(fields=["region", "year"])]


class RegionalSpread(SpreadFigures):
    """P90 − P10 of the regional indices of a region's schools in a year."""

    region = models.ForeignKey("schools.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("region"))

    scope_region_field = "region"

    class Meta:
        verbose_name = _("regional spread")
        verbose_name_plural = _("regional spreads")
        ordering = ["region", "year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="regional_spread_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {academic_year_label(self.year)}"
