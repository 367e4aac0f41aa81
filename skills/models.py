"""Task-level results (TASKS.md): the skill catalogue per subject, the task plan of each work,
plan imports, and the figures the analysis stores from the task scores on the results
(``assessment.Result.task_scores``) — task and skill completion per school and
municipality, skill deficits and municipal weak skills.  Events and bank materials are
tagged with skills here (``Skill.events``, ``Skill.materials``)."""

import re

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.models import ImportBatchQuerySet
from core.models import CheckedImport, ScopedQuerySet
from core.years import academic_year_label

_SPACES = re.compile(r"\s+")
_PAREN = re.compile(r"\((\d+)\)")


def normalise_skill(text: str) -> str:
    """TASKS.md §1: lower case, «ё» → «е», runs of spaces collapsed, trailing «.;:,» removed."""
    value = _SPACES.sub(" ", str(text).lower().replace("ё", "е")).strip()
    while value and value[-1] in ".;:,":
        value = value[:-1].rstrip()
    return value


def normalise_label(text) -> str:
    """A task label compared after trimming spaces, with «(n)» read as «.n» («5(2)» = «5.2»)."""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    value = "".join(str(text).split())
    return _PAREN.sub(r".\1", value)


class CatalogueQuerySet(ScopedQuerySet):
    """Skills and task plans are the works' public facts: everyone signed in with a role reads
    them; they are changed only through the plan import (``accounts.scoping.RULES``)."""


def label_sort_key(label: str) -> tuple:
    return (*tuple(int(p) if p.isdigit() else 10**6 for p in label.split(".")), label)


class Skill(models.Model):
    """A skill a task checks (проверяемое требование), one per (subject, normalised text): the
    same skill in several grades is one thread across grades."""

    subject = models.ForeignKey(
        "assessment.Subject", on_delete=models.PROTECT, related_name="skills", verbose_name=_("subject")
    )
    text = models.CharField(_("skill"), max_length=500)
    key = models.CharField(_("normalised text"), max_length=500, editable=False)
    events = models.ManyToManyField("events.Event", blank=True, related_name="skills", verbose_name=_("events"))
    materials = models.ManyToManyField(
        "events.Material", blank=True, related_name="skills", verbose_name=_("bank materials")
    )

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["subject__name", "key"]
        constraints = [models.UniqueConstraint(fields=["subject", "key"], name="skills_skill_unique")]

    def __str__(self) -> str:
        return self.text

    def save(self, *args, **kwargs):
        self.key = normalise_skill(self.text)
        super().save(*args, **kwargs)


class TaskPlan(models.Model):
    """The plan of one work (year, procedure, subject, grade): its tasks with their maxima."""

    year = models.PositiveSmallIntegerField(_("academic year"))
    procedure = models.ForeignKey("assessment.Procedure", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("assessment.Subject", on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField(_("grade"), validators=[MinValueValidator(1), MaxValueValidator(11)])
    max_total = models.PositiveIntegerField(_("maximum score of the work"))
    batch = models.ForeignKey("PlanImport", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated = models.DateTimeField(_("changed"), auto_now=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("task plan")
        verbose_name_plural = _("task plans")
        ordering = ["-year", "procedure__code", "subject__name", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["year", "procedure", "subject", "grade"], name="skills_plan_unique")
        ]

    def __str__(self) -> str:
        return f"{self.procedure} {self.subject} {self.grade} кл. {academic_year_label(self.year)}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("skills:plan-detail", args=[self.pk])

    @property
    def key(self) -> tuple:
        return (self.year, self.procedure_id, self.subject_id, self.grade)


class PlanTask(models.Model):
    """One task of a plan.  ``position`` is its slot in the results' task-score arrays: kept for
    a label across re-imports of the plan, so scores stay attached by label."""

    plan = models.ForeignKey(TaskPlan, on_delete=models.CASCADE, related_name="tasks")
    label = models.CharField(_("task"), max_length=20)
    position = models.PositiveSmallIntegerField(_("slot"))
    max_score = models.PositiveSmallIntegerField(_("maximum score"))
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("skill"))
    kes_codes = models.CharField(_("КЭС codes"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "label"], name="skills_task_label_unique"),
            models.UniqueConstraint(fields=["plan", "position"], name="skills_task_position_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class PlanImport(CheckedImport):
    """One uploaded task-plan file: checked on upload (a preview, or every error at once), then
    imported whole when confirmed (at once from the command and the API)."""

    plans_total = models.PositiveIntegerField(_("plans"), default=0)
    plans_replaced = models.PositiveIntegerField(_("plans replaced"), default=0)

    objects = ImportBatchQuerySet.as_manager()

    class Meta(CheckedImport.Meta):
        verbose_name = _("task plan import")
        verbose_name_plural = _("task plan imports")


# --- figures (written in bulk by the analysis) --------------------------------------------------


def _key(to, **kwargs) -> models.ForeignKey:
    return models.ForeignKey(to, related_name="+", db_constraint=False, db_index=False, **kwargs)


class TaskFigures(models.Model):
    run = _key("assessment.AnalysisRun", on_delete=models.SET_NULL, null=True)
    year = models.PositiveSmallIntegerField(_("academic year"))
    procedure = _key("assessment.Procedure", on_delete=models.PROTECT, verbose_name=_("procedure"))
    subject = _key("assessment.Subject", on_delete=models.PROTECT, verbose_name=_("subject"))
    grade = models.PositiveSmallIntegerField(_("grade"))
    skill = _key(Skill, on_delete=models.PROTECT, verbose_name=_("skill"))
    participants = models.PositiveIntegerField(_("participants"))
    points = models.FloatField(_("points scored"))
    possible = models.FloatField(_("points possible"))
    completion = models.FloatField(_("completion, %"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{academic_year_label(self.year)} {self.grade} кл.: {self.completion:.1f} %"


class TaskResult(TaskFigures):
    """Task completion of a school (TASKS.md §3): 100 · Σ task score ÷ (rows · task maximum),
    with the municipal completion of the same key beside it."""

    school = _key("schools.School", on_delete=models.CASCADE, verbose_name=_("school"))
    task = models.CharField(_("task"), max_length=20)
    position = models.PositiveSmallIntegerField(default=0)
    max_score = models.PositiveSmallIntegerField(_("maximum score"))
    municipal_completion = models.FloatField(_("municipal completion, %"))

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("task completion")
        verbose_name_plural = _("task completion")
        ordering = ["year", "school", "procedure", "subject", "grade", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "procedure", "subject", "grade", "task"], name="skills_taskresult_unique"
            )
        ]


class SkillResult(TaskFigures):
    """Skill completion of a school: 100 · Σ scores of the tasks with the skill ÷ Σ (rows · their
    maxima); a deficit where participants ≥ 5, completion ≤ 50 and ≥ 15 points below the
    municipality's (the flag records both completions, the gap and the tasks behind it)."""

    school = _key("schools.School", on_delete=models.CASCADE, verbose_name=_("school"))
    municipality = _key("schools.Municipality", on_delete=models.CASCADE)
    municipal_completion = models.FloatField(_("municipal completion, %"))
    gap = models.FloatField(_("gap, points"))
    deficit = models.BooleanField(_("skill deficit"), default=False)
    tasks = models.CharField(_("tasks"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("skill completion")
        verbose_name_plural = _("skill completion")
        ordering = ["year", "school", "procedure", "subject", "grade", "skill"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "procedure", "subject", "grade", "skill"], name="skills_skillresult_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "deficit"]), models.Index(fields=["municipality", "year"])]


class MunicipalSkillResult(TaskFigures):
    """Municipal skill completion, pooled over the rows of every school; a weak skill below 50."""

    municipality = _key("schools.Municipality", on_delete=models.CASCADE, verbose_name=_("municipality"))
    weak = models.BooleanField(_("weak skill"), default=False)
    schools = models.PositiveIntegerField(_("schools"), default=0)
    deficit_schools = models.PositiveIntegerField(_("schools with a deficit"), default=0)
    tasks = models.CharField(_("tasks"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_municipality_field = "municipality"

    class Meta:
        verbose_name = _("municipal skill completion")
        verbose_name_plural = _("municipal skill completion")
        ordering = ["year", "municipality", "procedure", "subject", "grade", "completion"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year", "procedure", "subject", "grade", "skill"],
                name="skills_municipalskill_unique",
            )
        ]
