"""Organisation (region → municipality → school), orders, statuses and risk profiles."""

import re

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ScopedQuerySet
from core.years import academic_year_label


class Region(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.CharField(_("code"), max_length=10, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_region_field = "id"

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("region")
    )
    name = models.CharField(_("name"), max_length=200)
    education_body = models.CharField(
        _("education authority"), max_length=300, blank=True, help_text=_("Issuing body printed on documents.")
    )
    methodical_centre = models.CharField(_("methodical centre"), max_length=300, blank=True)
    regional_institute = models.CharField(_("regional institute"), max_length=300, blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_municipality_field = "id"

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="municipality_unique_name")]

    def __str__(self) -> str:
        return self.name


class SchoolKind(models.TextChoices):
    SOSH = "sosh", _("Secondary school (СОШ)")
    OOSH = "oosh", _("Basic school (ООШ)")
    NOSH = "nosh", _("Primary school (НОШ)")
    LYCEUM = "lyceum", _("Lyceum")
    GYMNASIUM = "gymnasium", _("Gymnasium")
    ADVANCED = "advanced", _("School with advanced study of subjects")
    CENTRE = "centre", _("Education centre")
    EVENING = "evening", _("Open (evening) school")
    OTHER = "other", _("Other")


def sort_key(name: str) -> str:
    """The key schools are listed by: «СШ № 2» before «СШ № 19» (numbers padded to eight
    digits), case and «ё» ignored."""
    folded = name.casefold().replace("ё", "е")
    return re.sub(r"\d+", lambda m: m.group().zfill(8), folded)[:400]


class School(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="schools", verbose_name=_("municipality")
    )
    code = models.CharField(
        _("official code"),
        max_length=32,
        unique=True,
        help_text=_("Code of the organisation in the regional information system."),
        error_messages={"unique": _("A school with this code already exists.")},
    )
    name = models.CharField(_("full name"), max_length=500)
    short_name = models.CharField(_("short name"), max_length=200)
    # ``sort_key(short_name)``, kept by save(): lists order by it (a database sorts text, not numbers).
    sort_name = models.CharField(max_length=400, editable=False, default="")
    kind = models.CharField(_("kind"), max_length=20, choices=SchoolKind.choices, default=SchoolKind.SOSH)
    address = models.CharField(_("address"), max_length=500, blank=True)
    is_rural = models.BooleanField(_("rural school"), default=False)
    director = models.CharField(_("director"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    students_count = models.PositiveIntegerField(_("students"), null=True, blank=True)
    teachers_count = models.PositiveIntegerField(_("teachers"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated", "sort_name"])
    objects = ScopedQuerySet.as_manager()
    scope_school_field = "id"

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["municipality__name", "sort_name"]
        indexes = [models.Index(fields=["municipality", "is_active"])]

    def __str__(self) -> str:
        return self.short_name

    def save(self, *args, **kwargs):
        self.sort_name = sort_key(self.short_name or self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"short_name", "name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "sort_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("schools:school-detail", args=[self.pk])


class OrderKind(models.TextChoices):
    ORDER = "order", _("Order")
    LETTER = "letter", _("Letter")
    DECREE = "decree", _("Decree")
    OTHER = "other", _("Other document")


class Order(models.Model):
    """An order (приказ) or letter: the basis for statuses, appointments and plans."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("municipality"),
        null=True,
        blank=True,
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="orders", verbose_name=_("region"))
    kind = models.CharField(_("kind"), max_length=10, choices=OrderKind.choices, default=OrderKind.ORDER)
    number = models.CharField(_("number"), max_length=50)
    date = models.DateField(_("date"))
    issuer = models.CharField(_("issuing body"), max_length=300)
    title = models.CharField(_("title"), max_length=1000)
    file = models.FileField(_("file"), upload_to="orders/%Y/", blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_municipality_field = "municipality"

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-date", "number"]

    def __str__(self) -> str:
        return _("№ %(number)s of %(date)s") % {"number": self.number, "date": self.date.strftime("%d.%m.%Y")}


class StatusKind(models.TextChoices):
    LOW_RESULTS = "low_results", _("Low educational results (ШНОР)")
    ADVERSE = "adverse", _("Adverse social conditions (ШНСУ)")
    PARTICIPANT_500 = "500plus", _("«500+» participant")
    NON_OBJECTIVE = "non_objective", _("Signs of non-objective results")
    LEADER = "leader", _("Leader school")
    SUPPORT_SITE = "support_site", _("Support site")


class SchoolStatus(models.Model):
    """A status a school holds from one academic year to another, resting on an order.

    ``year_from`` / ``year_to`` are academic years by the year they start in
    (2022 = 2022/2023); ``year_to`` empty means the status still holds."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="statuses", verbose_name=_("school"))
    kind = models.CharField(_("status"), max_length=20, choices=StatusKind.choices)
    year_from = models.PositiveSmallIntegerField(_("from academic year"), validators=[MinValueValidator(2000)])
    year_to = models.PositiveSmallIntegerField(_("to academic year"), null=True, blank=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="statuses", verbose_name=_("order"))
    end_order = models.ForeignKey(
        Order,
        on_delete=models.PROTECT,
        related_name="ended_statuses",
        verbose_name=_("order ending it"),
        null=True,
        blank=True,
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("school status")
        verbose_name_plural = _("school statuses")
        ordering = ["school", "kind", "-year_from"]
        indexes = [models.Index(fields=["kind", "year_from", "year_to"])]

    def __str__(self) -> str:
        end = academic_year_label(self.year_to) if self.year_to else "…"
        return f"{self.get_kind_display()}: {academic_year_label(self.year_from)} – {end}"


class RiskFactor(models.Model):
    """A risk factor of the "500+" catalogue: editable data, never hard-coded in logic."""

    name = models.CharField(_("name"), max_length=300, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("risk factor")
        verbose_name_plural = _("risk factors")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class RiskLevel(models.TextChoices):
    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")
    NONE = "none", _("none")


class RiskAssessment(models.Model):
    """A school's level of one risk factor in one academic year."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="risk_assessments", verbose_name=_("school")
    )
    year = models.PositiveSmallIntegerField(_("academic year"))
    factor = models.ForeignKey(
        RiskFactor, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("risk factor")
    )
    level = models.CharField(_("level"), max_length=10, choices=RiskLevel.choices)
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    filled_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["school", "-year", "factor__position"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "factor"], name="risk_unique_school_year_factor")
        ]

    def __str__(self) -> str:
        return f"{self.school} {academic_year_label(self.year)}: {self.factor} — {self.get_level_display()}"


class ProgrammeKind(models.TextChoices):
    FEDERAL_500 = "federal_500", _("Federal project «500+»")
    REGIONAL = "regional", _("Regional programme")
    MUNICIPAL = "municipal", _("Municipal programme")


class Programme(models.Model):
    """A support programme as run in one municipality in one academic year, with its
    participating schools."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("municipality")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ProgrammeKind.choices)
    name = models.CharField(_("name"), max_length=300)
    year = models.PositiveSmallIntegerField(_("academic year"), validators=[MinValueValidator(2000)])
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("order"), null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_municipality_field = "municipality"

    class Meta:
        verbose_name = _("support programme")
        verbose_name_plural = _("support programmes")
        ordering = ["-year", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "kind", "year", "name"], name="programme_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({academic_year_label(self.year)})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("schools:programme-detail", args=[self.pk])


class ProgrammeParticipant(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="participants", verbose_name=_("programme")
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="programme_participations", verbose_name=_("school")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("programme participant")
        verbose_name_plural = _("programme participants")
        ordering = ["programme", "school__sort_name"]
        constraints = [models.UniqueConstraint(fields=["programme", "school"], name="participant_unique")]

    def __str__(self) -> str:
        return f"{self.school} — {self.programme}"
