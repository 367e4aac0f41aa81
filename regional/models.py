"""The region's own figures: a school's index computed against every school of its region
(RESULTS.md's school index with the region in place of the municipality), and the region's
spread of those indices.  Outputs of the analysis (regional/analysis.py), replaced with it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.models import IndexFigures, SpreadFigures
from core.models import ScopedQuerySet
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


class MunicipalityResult(models.Model):
    """The sums over the rows of a municipality, year, procedure and subject (all grades), kept
    by the analysis beside the group figures they are added up from: the comparison pools
    them further (any procedure, subject, the whole region) without averaging anything and
    without reading the group figures of every school again."""

    run = models.ForeignKey("assessment.AnalysisRun", on_delete=models.SET_NULL, null=True, related_name="+")
    municipality = models.ForeignKey("schools.Municipality", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("academic year"))
    procedure = models.ForeignKey("assessment.Procedure", on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey("assessment.Subject", on_delete=models.CASCADE, related_name="+")
    participants = models.PositiveIntegerField(_("participants"))
    sum_percent = models.FloatField()
    with_mark = models.PositiveIntegerField()
    n_fail = models.FloatField()
    n_quality = models.FloatField()

    objects = ScopedQuerySet.as_manager()
    scope_municipality_field = "municipality"

    class Meta:
        verbose_name = _("results of a municipality")
        verbose_name_plural = _("results of the municipalities")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year", "procedure", "subject"], name="regional_municipality_result_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "municipality"])]

    def __str__(self) -> str:
        return f"{self.municipality_id} {academic_year_label(self.year)} {self.procedure_id}/{self.subject_id}"
