"""Organisation (region → municipality → school), orders, statuses and risk profiles."""

import re

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import ScopedQuerySet
from core.years import academic_year_label


class Region(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.CharField(_("code"), max_length=10, blank=True)
    # Requisites of the regional education authority's documents (ГОСТ Р 7.0.97-2016).
    education_body = models.CharField(
        _("education authority"), max_length=300, blank=True, help_text=_("Issuing body printed on documents.")
    )
    header_lines = models.TextField(
        _("lines above the issuing body"),
        blank=True,
        help_text=_("One per line, as printed above the body's name (empty: the region's name)."),
    )
    place_of_issue = models.CharField(
        _("place of issue"), max_length=100, blank=True, help_text=_("As printed under the date: «г. Красноярск».")
    )

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
    header_lines = models.TextField(
        _("lines above the issuing body"),
        blank=True,
        help_text=_(
            "One per line, as printed above the body's name: «Березовский городской округ», "
            "«Свердловской области» (empty: the municipality's name)."
        ),
    )
    place_of_issue = models.CharField(
        _("place of issue"),
        max_length=100,
        blank=True,
        help_text=_("As printed under the date of an order: «г. Березовский»."),
    )

    objects = ScopedQuerySet.as_manager()
    scope_municipality_field = "id"

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="municipality_unique_name")]

    def __str__(self) -> str:
        return self.name


class AuthorityHeadQuerySet(ScopedQuerySet):
    def on(self, day):
        """The heads in office on ``day`` (from ≤ day ≤ to, an open end still in office)."""
        return self.filter(date_from__lte=day).filter(models.Q(date_to__isnull=True) | models.Q(date_to__gte=day))


class AuthorityHead(models.Model):
    """The head of an education authority (a municipality's or a region's) for a period:
    the one in office on a document's date signs it."""

    municipality = models.ForeignKey(
        Municipality,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="heads",
        verbose_name=_("municipality"),
    )
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="heads",
        verbose_name=_("region"),
        help_text=_("For the head of the regional authority (leave the municipality empty)."),
    )
    position = models.CharField(
        _("position"), max_length=300, help_text=_("As printed at the signature: «Начальник Управления образования».")
    )
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    date_from = models.DateField(_("in office from"))
    date_to = models.DateField(_("in office to"), null=True, blank=True)

    history = HistoricalRecords()
    objects = AuthorityHeadQuerySet.as_manager()
    scope_municipality_field = "municipality"

    class Meta:
        verbose_name = _("head of the education authority")
        verbose_name_plural = _("heads of the education authority")
        ordering = ["-date_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(municipality__isnull=False, region__isnull=True)
                | models.Q(municipality__isnull=True, region__isnull=False),
                name="authority_head_one_authority",
            ),
            models.CheckConstraint(
                condition=models.Q(date_to__isnull=True) | models.Q(date_to__gte=models.F("date_from")),
                name="authority_head_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} {self.signature_name}"

    @property
    def signature_name(self) -> str:
        """«И.О. Фамилия», as a signature is printed."""
        initials = "".join(f"{part[0]}." for part in (self.first_name, self.patronymic) if part)
        return f"{initials} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    def clean(self):
        from django.core.exceptions import ValidationError

        if bool(self.municipality_id) == bool(self.region_id):
            raise ValidationError(_("Choose either the municipality or the region whose authority the person heads."))
        if self.date_to and self.date_to < self.date_from:
            raise ValidationError({"date_to": _("The end of the term is before its start.")})
        overlapping = AuthorityHead.objects.filter(
            municipality_id=self.municipality_id, region_id=self.region_id
        ).exclude(pk=self.pk)
        if self.date_to:
            overlapping = overlapping.filter(date_from__lte=self.date_to)
        overlapping = overlapping.filter(models.Q(date_to__isnull=True) | models.Q(date_to__gte=self.date_from))
        if overlapping.exists():
            raise ValidationError(
                _("The term overlaps another head's term of this authority: end that term first (the «to» date).")
            )


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


class DraftOrderKind(models.TextChoices):
    """The orders the portal drafts (reports.documents): what a basis document is cited for
    and what a registered order is the signed version of."""

    LOW_RESULTS = "low_results", _("List of schools with low educational results")
    CURATORS = "curators", _("Appointment of curators")
    PARTNERS = "partners", _("Partner pairs")


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
    # ``sort_key(number)``, kept by save(): «48» before «431», «01-02/9» before «01-02/10».
    sort_number = models.CharField(max_length=200, editable=False, default="")
    date = models.DateField(_("date"))
    issuer = models.CharField(_("issuing body"), max_length=300)
    title = models.CharField(_("title"), max_length=1000)
    issuer_cited = models.CharField(
        _("issuing body as cited"),
        max_length=300,
        blank=True,
        help_text=_(
            "The body's name in the genitive, as a preamble cites it: «Министерства образования и молодежной "
            "политики Свердловской области» (empty: the issuing body as it is)."
        ),
    )
    basis_for = models.CharField(
        _("cited in the drafts of"),
        max_length=20,
        blank=True,
        choices=[("all", _("every draft order")), *DraftOrderKind.choices],
        help_text=_(
            "A regional or federal order or letter the municipality's orders rest on: cited in their preamble."
        ),
    )
    draft_kind = models.CharField(
        _("registered version of the draft"),
        max_length=20,
        blank=True,
        choices=DraftOrderKind.choices,
        help_text=_("This order is the portal's draft, signed and registered: the draft prints its number and date."),
    )
    draft_year = models.PositiveSmallIntegerField(_("academic year of the draft"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="orders/%Y/", blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["sort_number"])
    objects = ScopedQuerySet.as_manager()
    scope_municipality_field = "municipality"

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-date", "sort_number"]

    def __str__(self) -> str:
        return _("№ %(number)s of %(date)s") % {"number": self.number, "date": self.date.strftime("%d.%m.%Y")}

    def save(self, *args, **kwargs):
        self.sort_number = sort_key(self.number)[:200]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "number" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_number"}
        super().save(*args, **kwargs)

    @property
    def citation(self) -> str:
        """How a preamble cites it: «приказом Министерства … от 12.02.2021 № 176-Д «О …»»."""
        from schools.documents import cite_order

        return cite_order(self)


class StatusKind(models.TextChoices):
    LOW_RESULTS = "low_results", _("Low educational results (ШНОР)")
    ADVERSE = "adverse", _("Adverse social conditions (ШНСУ)")
    PARTICIPANT_500 = "500plus", _("«500+» participant")
    NON_OBJECTIVE = "non_objective", _("Signs of non-objective results")
    LEADER = "leader", _("Leader school")
    SUPPORT_SITE = "support_site", _("Support site")


# Short names of the statuses where room is scarce (the schools table); the full name is the chip's title.
STATUS_SHORT = {
    StatusKind.LOW_RESULTS: pgettext_lazy("status short", "ШНОР"),
    StatusKind.ADVERSE: pgettext_lazy("status short", "ШНСУ"),
    StatusKind.PARTICIPANT_500: pgettext_lazy("status short", "500+"),
    StatusKind.NON_OBJECTIVE: pgettext_lazy("status short", "Non-objectivity"),
    StatusKind.LEADER: pgettext_lazy("status short", "Leader"),
    StatusKind.SUPPORT_SITE: pgettext_lazy("status short", "Support site"),
}


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
    # The later yearly lists that kept the school on (schools.services.status_list_set): an
    # order approving a list grounds every status on it, not only those it began.
    confirmed_by = models.ManyToManyField(
        Order, blank=True, related_name="confirmed_statuses", verbose_name=_("confirmed by orders")
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

    @property
    def short_label(self) -> str:
        return str(STATUS_SHORT.get(self.kind, self.get_kind_display()))


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
