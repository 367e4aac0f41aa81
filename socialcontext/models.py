"""School context (CONTEXT.md): the yearly context rows of each school (imported, corrected
by hand, or demo data), their import batches, and the figures the analysis stores from
them — each school's context index, expected index, residual and category, each
municipality's fit, and partner suggestions."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from assessment.models import ImportBatchQuerySet
from core.models import CheckedImport, ScopedQuerySet
from core.years import academic_year_label

# The five indicators of §1 with the sign of their z in the context index (§2): + where a
# higher share means a more favourable context, − otherwise.
INDICATORS = (
    ("higher_education", +1),
    ("single_parent", -1),
    ("on_register", -1),
    ("non_native", -1),
    ("special_needs", -1),
)
INDICATOR_FIELDS = tuple(name for name, _sign in INDICATORS)


def _share(label):
    return models.FloatField(
        label, null=True, blank=True, validators=[MinValueValidator(0.0), MaxValueValidator(100.0)]
    )


class ContextSource(models.TextChoices):
    IMPORT = "import", pgettext_lazy("context source", "file import")
    FORM = "form", pgettext_lazy("context source", "entered by hand")
    DEMO = "demo", pgettext_lazy("context source", "demo data")


class SchoolContext(models.Model):
    """One school's context in one academic year (one row of the context file).  An empty
    value is «unknown»; shares are percents of the school's students, 0–100."""

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="contexts", verbose_name=_("school")
    )
    year = models.PositiveSmallIntegerField(_("academic year"))
    students = models.PositiveIntegerField(_("students"), null=True, blank=True)
    higher_education = _share(_("both parents with higher education, %"))
    single_parent = _share(_("single-parent families, %"))
    on_register = _share(_("on a prevention register, %"))
    non_native = _share(_("Russian not the first language, %"))
    special_needs = _share(_("special educational needs, %"))
    source = models.CharField(_("source"), max_length=10, choices=ContextSource.choices, default=ContextSource.IMPORT)
    batch = models.ForeignKey(
        "ContextImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rows",
        verbose_name=_("import"),
    )
    updated = models.DateTimeField(_("changed"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated"])
    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("school context")
        verbose_name_plural = _("school contexts")
        ordering = ["-year", "school__sort_name"]
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="socialcontext_context_unique")]

    def __str__(self) -> str:
        return f"{self.school} {academic_year_label(self.year)}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("socialcontext:data-detail", args=[self.pk])

    @property
    def is_demo(self) -> bool:
        return self.source == ContextSource.DEMO

    def indicator_values(self) -> list[tuple[str, float | None]]:
        return [(self._meta.get_field(name).verbose_name, getattr(self, name)) for name in INDICATOR_FIELDS]


class ContextImport(CheckedImport):
    """One uploaded context file: checked on upload (a preview, or every error at once), then
    imported whole when the coordinator confirms (or at once from the command and the API)."""

    rows_created = models.PositiveIntegerField(_("new rows"), default=0)
    rows_updated = models.PositiveIntegerField(_("replaced rows"), default=0)

    objects = ImportBatchQuerySet.as_manager()  # as results imports: coordinators, and the uploader

    class Meta(CheckedImport.Meta):
        verbose_name = _("context import")
        verbose_name_plural = _("context imports")


# --- outputs of the analysis (§2–§4), replaced in bulk for the analysed years -------------


class Category(models.TextChoices):
    """§3, in the order the rule tries them (the first that applies)."""

    RESILIENT = "resilient", pgettext_lazy("context category", "resilient")
    BELOW = "below", pgettext_lazy("context category", "below expected")
    ABOVE = "above", pgettext_lazy("context category", "above expected")
    EXPECTED = "expected", pgettext_lazy("context category", "as expected")


def _output_key(to, **kwargs) -> models.ForeignKey:
    """A key of a row the analysis writes in bulk: no database constraint, no index of its own
    (as assessment's outputs)."""
    return models.ForeignKey(to, related_name="+", db_constraint=False, db_index=False, **kwargs)


class SchoolContextFigure(models.Model):
    """A school's context index for a year (§2) and, where the municipality-year has a fit
    (§3), its expected index, residual, category and anomaly."""

    school = _output_key("schools.School", on_delete=models.CASCADE, verbose_name=_("school"))
    municipality = _output_key("schools.Municipality", on_delete=models.CASCADE, verbose_name=_("municipality"))
    year = models.PositiveSmallIntegerField(_("academic year"))
    context_index = models.FloatField(_("context index"))
    indicators = models.PositiveSmallIntegerField(_("indicators used"))
    school_index = models.FloatField(_("school index"), null=True)
    expected = models.FloatField(_("expected index"), null=True)
    residual = models.FloatField(_("residual"), null=True)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices, blank=True)
    anomaly = models.BooleanField(_("check objectivity"), default=False)
    # What made it an anomaly (both may hold): the residual ≥ 2 σ_res, a non-objectivity flag.
    anomaly_residual = models.BooleanField(default=False)
    anomaly_flags = models.PositiveSmallIntegerField(default=0)
    computed = models.DateTimeField(_("computed"))

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("school context figure")
        verbose_name_plural = _("school context figures")
        ordering = ["-year", "school__sort_name"]
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="socialcontext_figure_unique")]
        indexes = [models.Index(fields=["municipality", "year"])]

    def __str__(self) -> str:
        return f"{self.school_id} {academic_year_label(self.year)}: {self.context_index:.2f}"

    @property
    def has_fit(self) -> bool:
        return self.residual is not None


class ContextFit(models.Model):
    """The ordinary least-squares line school index = a + b · context index of a municipality's
    schools in a year (§3), with σ of the residuals, r² and the two percentiles of the
    resilient corner."""

    municipality = _output_key("schools.Municipality", on_delete=models.CASCADE, verbose_name=_("municipality"))
    year = models.PositiveSmallIntegerField(_("academic year"))
    schools = models.PositiveIntegerField(_("schools"))
    intercept = models.FloatField(_("intercept"))
    slope = models.FloatField(_("slope"))
    r2 = models.FloatField("r²", null=True)
    sigma_residual = models.FloatField(_("σ of the residuals"))
    p25_context = models.FloatField(_("P25 of the context indices"))
    p50_index = models.FloatField(_("P50 of the school indices"))
    computed = models.DateTimeField(_("computed"))

    objects = ScopedQuerySet.as_manager()
    scope_municipality_field = "municipality"

    class Meta:
        verbose_name = _("context fit")
        verbose_name_plural = _("context fits")
        ordering = ["municipality__name", "-year"]
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="socialcontext_fit_unique")]

    def __str__(self) -> str:
        return f"{self.municipality_id} {academic_year_label(self.year)}"

    def expected_at(self, context_index: float) -> float:
        return self.intercept + self.slope * context_index


class PartnerSuggestionQuerySet(ScopedQuerySet):
    """Visible to whom both schools are (``accounts.scoping.RULES``)."""


class PartnerSuggestion(models.Model):
    """A partner proposed for a ШНОР school or low-result candidate (§4): a school of the same
    municipality and year in a similar context (|context gap| ≤ 0.5) with a higher index
    (index gap ≥ 0.5); ``rank`` 1–3 in the order of §4."""

    school = _output_key("schools.School", on_delete=models.CASCADE, verbose_name=_("school"))
    partner = _output_key("schools.School", on_delete=models.CASCADE, verbose_name=_("suggested partner"))
    municipality = _output_key("schools.Municipality", on_delete=models.CASCADE, verbose_name=_("municipality"))
    year = models.PositiveSmallIntegerField(_("academic year"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    context_gap = models.FloatField(_("context gap"))
    index_gap = models.FloatField(_("index gap"))
    computed = models.DateTimeField(_("computed"))

    objects = PartnerSuggestionQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("partner suggestion")
        verbose_name_plural = _("partner suggestions")
        ordering = ["-year", "school__sort_name", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "rank"], name="socialcontext_suggestion_unique")
        ]
        indexes = [models.Index(fields=["municipality", "year"])]

    def __str__(self) -> str:
        return f"{self.school_id} → {self.partner_id} ({academic_year_label(self.year)}, {self.rank})"
