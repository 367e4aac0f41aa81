"""The region's own figures: a school's index computed against every school of its region
(RESULTS.md's school index with the region in place of the municipality), and the region's
spread of those indices.  Outputs of the analysis (regional/analysis.py), replaced with it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import ScopedQuerySet
from core.years import academic_year_label


class RegionalSchoolIndex(models.Model):
    """A school's regional index for a year: the plain mean of its z over its keys (year,
    procedure, subject, grade), each z taken among every school of the region with that key;
    and whether it is a regional low-result candidate (≤ the region's 10th percentile, or
    below the limit)."""

    run = models.ForeignKey("assessment.AnalysisRun", on_delete=models.SET_NULL, null=True, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    region = models.ForeignKey("schools.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("academic year"))
    value = models.FloatField(_("regional index"))
    n_keys = models.PositiveIntegerField(_("groups compared"))
    p10 = models.FloatField(_("10th percentile of the region"), null=True)
    candidate = models.BooleanField(_("regional low-result candidate"), default=False)
    below_p10 = models.BooleanField(default=False)
    below_limit = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("regional school index")
        verbose_name_plural = _("regional school indices")
        ordering = ["year", "value"]
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="regional_index_unique")]
        indexes = [models.Index(fields=["region", "year"])]

    def __str__(self) -> str:
        return f"{self.school_id} {academic_year_label(self.year)}: {self.value:.2f}"


class RegionalSpread(models.Model):
    """P90 − P10 of the regional indices of a region's schools in a year."""

    run = models.ForeignKey("assessment.AnalysisRun", on_delete=models.SET_NULL, null=True, related_name="+")
    region = models.ForeignKey("schools.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("region"))
    year = models.PositiveSmallIntegerField(_("academic year"))
    schools = models.PositiveIntegerField(_("schools with an index"))
    p10 = models.FloatField("P10")
    p90 = models.FloatField("P90")
    spread = models.FloatField(_("spread"))

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "region"

    class Meta:
        verbose_name = _("regional spread")
        verbose_name_plural = _("regional spreads")
        ordering = ["region", "year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="regional_spread_unique")]

    def __str__(self) -> str:
        return f"{self.region_id} {academic_year_label(self.year)}"
