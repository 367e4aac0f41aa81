"""Assessment results: catalogues (procedures, subjects, maximum scores), the students'
results, import batches, and the stored figures of each analysis run (RESULTS.md)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.fields import PackedColumn
from core.models import ScopedQuerySet, UploadedFile
from core.tabular import normalise_name  # noqa: F401 — the header and alias key, also read from here
from core.years import academic_year_label


def _output_key(to, **kwargs) -> models.ForeignKey:
    """A key of a row written in bulk (results, replaced results, the analysis's outputs):
    no database constraint (a deferred check per row at every commit) and no index of its own
    (the composite keys lead with it where a query needs one).  Deletes still cascade or refuse
    through the ORM."""
    return models.ForeignKey(to, related_name="+", db_constraint=False, db_index=False, **kwargs)


class Procedure(models.Model):
    """An assessment procedure (ЕГЭ, ОГЭ, ВПР…); ``aliases`` are other spellings accepted in files."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("assessment procedure")
        verbose_name_plural = _("assessment procedures")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def names(self) -> list[str]:
        return [self.code, self.name, *self.aliases]


class Subject(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class MaxScore(models.Model):
    """The known maximum primary score of a procedure and subject (for a grade, or any grade)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="max_scores")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="max_scores")
    grade = models.PositiveSmallIntegerField(
        _("grade"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(11)]
    )
    max_score = models.FloatField(_("maximum score"), validators=[MinValueValidator(0.01)])

    class Meta:
        verbose_name = _("maximum score")
        verbose_name_plural = _("maximum scores")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "subject", "grade"], name="assessment_maxscore_unique")
        ]

    def __str__(self) -> str:
        return f"{self.procedure} {self.subject} {self.grade or ''}: {self.max_score:g}"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Processing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Refused")
    ROLLED_BACK = "rolled_back", _("Rolled back")


class ImportBatchQuerySet(ScopedQuerySet):
    """Import batches follow the policy's import rule (``accounts.scoping.RULES``): the
    coordinators of the batch's municipality, and always the uploader."""


class ImportBatch(UploadedFile):
    """One uploaded results file: who, when, checksum, counts, progress, errors, years touched."""

    # When a worker last claimed the batch (the claim is renewed only by a new claim): a «running»
    # batch whose claim is older than ASSESSMENT_IMPORT_STALE_SECONDS belongs to a worker that died,
    # and may be claimed again (see services.import_batch_run).
    started = models.DateTimeField(_("started"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    dry_run = models.BooleanField(_("check only"), default=False)
    rows_created = models.PositiveIntegerField(_("new rows"), default=0)
    rows_updated = models.PositiveIntegerField(_("replaced rows"), default=0)
    rolled_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rolled_back_at = models.DateTimeField(_("rolled back"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta(UploadedFile.Meta):
        verbose_name = _("results import")
        verbose_name_plural = _("results imports")

    @property
    def is_finished(self) -> bool:
        return self.status not in (ImportStatus.PENDING, ImportStatus.RUNNING)

    @property
    def is_stale(self) -> bool:
        """Waiting or «running» for longer than ASSESSMENT_IMPORT_STALE_SECONDS since it was last
        claimed or queued: its worker died (or its message was lost) and it may be run again."""
        from datetime import timedelta

        from django.utils import timezone

        if self.is_finished:
            return False
        since = self.started or self.created
        limit = timedelta(seconds=settings.ASSESSMENT_IMPORT_STALE_SECONDS)
        return since is not None and since < timezone.now() - limit


# The database columns of a result, in the order the import writes them; the first six identify it.
RESULT_COLUMNS = (
    "school_id",
    "year",
    "procedure_id",
    "subject_id",
    "grade",
    "student_code",
    "score",
    "max_score",
    "mark",
    "term_mark",
    "teacher_code",
    "class_letter",
    "task_scores",
)


class Result(models.Model):
    """One student's result in one procedure and subject (RESULTS.md, one file row); its
    database columns are RESULT_COLUMNS."""

    # Bulk tables: ids are resolved and checked by the import itself (every school code, procedure
    # and subject of a file), so the keys carry no database constraint (the deferred per-row FK
    # check on school_id cost ≈ 7.5 s per million rows) and no index of their own (no query filters
    # by procedure or subject alone; school_id leads the unique key).  Deleting a school still
    # cascades, and deleting a catalogue entry still refuses, through the ORM.
    school = _output_key("schools.School", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(_("academic year"))
    procedure = _output_key(Procedure, on_delete=models.PROTECT)
    subject = _output_key(Subject, on_delete=models.PROTECT)
    grade = models.PositiveSmallIntegerField(_("grade"))
    student_code = models.CharField(_("student code"), max_length=64)
    score = models.FloatField(_("primary score"))
    max_score = models.FloatField(_("maximum score"))
    mark = models.PositiveSmallIntegerField(_("mark"), null=True, blank=True)
    term_mark = models.PositiveSmallIntegerField(_("term mark"), null=True, blank=True)
    teacher_code = models.CharField(_("teacher code"), max_length=64, blank=True)
    class_letter = models.CharField(_("class letter"), max_length=10, blank=True)
    # TASKS.md §2: the row's task scores, one array cell per task of its work's plan (the task's
    # slot, ``skills.PlanTask.position``), NULL in a cell where the task was not done; NULL for
    # a row without task scores.  smallint[] on PostgreSQL, JSON text on SQLite — never a row per task.
    task_scores = PackedColumn(_("task scores"), pg_type="smallint", null=True, blank=True)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, related_name="results", db_constraint=False, db_index=False
    )

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        # Three b-trees only: the primary key, the identity of a result (which also serves every
        # per-school read: school_id, year lead it) and the batch (rollback).  The analysis reads
        # whole years, which is a sequential scan either way.
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "procedure", "subject", "grade", "student_code"],
                name="assessment_result_unique",
            )
        ]
        indexes = [models.Index(fields=["batch"])]

    def __str__(self) -> str:
        return f"{self.student_code} {self.procedure_id}/{self.subject_id} {self.score:g}"


class ReplacedResultPack(models.Model):
    """The previous versions of results that ``batch`` replaced, kept so the batch can be
    rolled back: one row per written chunk (up to 20,000 results) and previous batch, each
    column packed into one array (``assessment.fields.PackedColumn``).

    A replaced result is read back only by a rollback, so it is not worth a row of its own with
    three index entries: packing cut the write-ahead log of a re-import from ≈ 40 to ≈ 6 MB per
    100,000 replaced results and its server time by a third (bench/README.md)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="replaced_packs", db_constraint=False)
    previous_batch = _output_key(ImportBatch, on_delete=models.SET_NULL, null=True)
    rows = models.PositiveIntegerField(_("rows"))
    # The columns of Result, named as their database columns (RESULT_COLUMNS), one list each.
    school_id = PackedColumn(pg_type="bigint")
    year = PackedColumn(pg_type="smallint")
    procedure_id = PackedColumn(pg_type="bigint")
    subject_id = PackedColumn(pg_type="bigint")
    grade = PackedColumn(pg_type="smallint")
    student_code = PackedColumn(pg_type="varchar(64)")
    score = PackedColumn(pg_type="double precision")
    max_score = PackedColumn(pg_type="double precision")
    mark = PackedColumn(pg_type="smallint")
    term_mark = PackedColumn(pg_type="smallint")
    teacher_code = PackedColumn(pg_type="varchar(64)")
    class_letter = PackedColumn(pg_type="varchar(10)")
    # Each result's task-score array as text («{1,2,NULL}», or JSON on SQLite); NULL where none.
    task_scores = PackedColumn(pg_type="text", null=True)

    class Meta:
        indexes = [models.Index(fields=["previous_batch"])]

    def __str__(self) -> str:
        return f"{self.rows} results replaced by batch {self.batch_id}"

    def unpacked(self) -> list[dict]:
        """The kept results as dicts of the columns (and ``batch_id``: the batch they came from)."""
        # A pack written before task scores existed has none (NULL): no task scores per row.
        columns = [getattr(self, c) if getattr(self, c) is not None else [None] * self.rows for c in RESULT_COLUMNS]
        return [
            {"batch_id": self.previous_batch_id, **dict(zip(RESULT_COLUMNS, row, strict=True))}
            for row in zip(*columns, strict=True)
        ]


class AnalysisRun(models.Model):
    """One analysis: when, which years, the thresholds used, what it produced."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    started = models.DateTimeField(_("started"), auto_now_add=True)
    finished = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(_("trigger"), max_length=40, blank=True)
    years = models.JSONField(_("years"), default=list)
    thresholds = models.JSONField(_("thresholds"), default=dict)
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    class Meta:
        verbose_name = _("analysis run")
        verbose_name_plural = _("analysis runs")
        ordering = ["-started"]

    def __str__(self) -> str:
        return f"{self.started:%d.%m.%Y %H:%M}"


class GroupResult(models.Model):
    """Figures of a group (school, year, procedure, subject, grade); shares are fractions 0..1."""

    # Outputs of the analysis, replaced in bulk by it from checked rows: the keys carry no database
    # constraint (tens of thousands of deferred checks at each commit) and no index of their own
    # (school_id leads the unique key).  Deletes still cascade or refuse through the ORM.
    run = _output_key(AnalysisRun, on_delete=models.SET_NULL, null=True)
    school = _output_key("schools.School", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(_("academic year"))
    procedure = _output_key(Procedure, on_delete=models.PROTECT, verbose_name=_("procedure"))
    subject = _output_key(Subject, on_delete=models.PROTECT, verbose_name=_("subject"))
    grade = models.PositiveSmallIntegerField(_("grade"))
    participants = models.PositiveIntegerField(_("participants"))
    mean_score = models.FloatField(_("mean score"))
    mean_percent = models.FloatField(_("mean percent"))
    with_mark = models.PositiveIntegerField(_("with a mark"), default=0)
    share_fail = models.FloatField(_("share of «2»"), null=True)
    success_rate = models.FloatField(_("success rate"), null=True)
    quality_rate = models.FloatField(_("quality rate"), null=True)
    with_both = models.PositiveIntegerField(_("with both marks"), default=0)
    lowered = models.FloatField(_("lowered"), null=True)
    confirmed = models.FloatField(_("marks confirmed"), null=True)
    raised = models.FloatField(_("raised"), null=True)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("group result")
        verbose_name_plural = _("group results")
        ordering = ["year", "school", "procedure", "subject", "grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "procedure", "subject", "grade"], name="assessment_group_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {academic_year_label(self.year)} {self.procedure_id}/{self.subject_id} {self.grade}"


class FlagKind(models.TextChoices):
    LOW_RESULTS = "low_results", _("Low results")
    NEGATIVE_DYNAMICS = "negative_dynamics", _("Negative dynamics")
    TEACHER_DYNAMICS = "teacher_dynamics", _("Negative dynamics of a teacher")
    NON_OBJECTIVE = "non_objective", _("Sign of non-objectivity")


class Flag(models.Model):
    """A flag raised by the analysis, with its rule, the numbers behind it and its thresholds."""

    # Written in bulk by the analysis (see GroupResult); (school, year) is indexed below.
    run = models.ForeignKey(
        AnalysisRun, on_delete=models.SET_NULL, null=True, related_name="flags", db_constraint=False, db_index=False
    )
    kind = models.CharField(_("flag"), max_length=20, choices=FlagKind.choices)
    school = _output_key("schools.School", on_delete=models.CASCADE, verbose_name=_("school"))
    year = models.PositiveSmallIntegerField(_("academic year"))
    procedure = _output_key(Procedure, on_delete=models.PROTECT, verbose_name=_("procedure"))
    subject = _output_key(Subject, on_delete=models.PROTECT, verbose_name=_("subject"))
    # Empty for a teacher's dynamics: the teacher's rows are pooled over their grades.
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    teacher_code = models.CharField(_("teacher code"), max_length=64, blank=True)
    rule = models.CharField(_("rule"), max_length=300)
    inputs = models.JSONField(_("inputs"), default=dict)
    thresholds = models.JSONField(_("thresholds"), default=dict)
    created = models.DateTimeField(_("raised"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-year", "school", "kind"]
        indexes = [models.Index(fields=["year", "kind"]), models.Index(fields=["school", "year"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {academic_year_label(self.year)}"


class RiskZoneCount(models.Model):
    """Students of grades 9 and 11 below the risk threshold, per school, subject and year."""

    run = _output_key(AnalysisRun, on_delete=models.SET_NULL, null=True)
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    year = models.PositiveSmallIntegerField(_("academic year"))
    subject = _output_key(Subject, on_delete=models.PROTECT, verbose_name=_("subject"))
    students = models.PositiveIntegerField(_("students in the risk zone"))

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        ordering = ["year", "school", "subject"]

    def __str__(self) -> str:
        return f"{self.school_id} {academic_year_label(self.year)}: {self.students}"


class IndexFigures(models.Model):
    """A school's index for a year among the schools it is compared with (its municipality's,
    or its region's: regional.RegionalSchoolIndex), the 10th percentile of theirs and whether
    it is a low-result candidate (≤ that percentile, or below the limit)."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.SET_NULL, null=True, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    year = models.PositiveSmallIntegerField(_("academic year"))
    value = models.FloatField(_("index"))
    n_keys = models.PositiveIntegerField(_("groups compared"))
    p10 = models.FloatField(_("10th percentile"), null=True)
    candidate = models.BooleanField(_("low-result candidate"), default=False)
    below_p10 = models.BooleanField(default=False)
    below_limit = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.school_id} {academic_year_label(self.year)}: {self.value:.2f}"


class SpreadFigures(models.Model):
    """P90 − P10 of the school indices of a year (a municipality's, or a region's)."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.SET_NULL, null=True, related_name="+")
    year = models.PositiveSmallIntegerField(_("academic year"))
    schools = models.PositiveIntegerField(_("schools with an index"))
    p10 = models.FloatField("P10")
    p90 = models.FloatField("P90")
    spread = models.FloatField(_("spread"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class SchoolIndex(IndexFigures):
    """A school's index for a year (mean z of its group mean_percent) and candidate status."""

    municipality = models.ForeignKey("schools.Municipality", on_delete=models.CASCADE, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_school_field = "school"

    class Meta:
        verbose_name = _("school index")
        verbose_name_plural = _("school indices")
        ordering = ["year", "value"]
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="assessment_index_unique")]

    @property
    def candidate_reason(self) -> str:
        from django.utils.translation import gettext

        reasons = []
        if self.below_p10:
            reasons.append(gettext("index ≤ 10th percentile of the municipality"))
        if self.below_limit:
            reasons.append(gettext("index below the limit"))
        return "; ".join(reasons)


class Spread(SpreadFigures):
    """P90 − P10 of the municipality's school indices in a year."""

    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )

    objects = ScopedQuerySet.as_manager()
    scope_municipality_field = "municipality"

    class Meta:
        ordering = ["municipality", "year"]
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="assessment_spread_unique")]

    def __str__(self) -> str:
        return f"{self.municipality} {academic_year_label(self.year)}"


class ProgrammeEffect(models.Model):
    """Programme effectiveness for a programme year: among the ШНОР schools of that year,
    how many improved their index from the previous year and how many left the status."""

    run = models.ForeignKey(AnalysisRun, on_delete=models.SET_NULL, null=True, related_name="+")
    municipality = models.ForeignKey(
        "schools.Municipality", on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    year = models.PositiveSmallIntegerField(_("programme year"))
    participants = models.PositiveIntegerField(_("participant schools"))
    rose = models.PositiveIntegerField(_("index rose"))
    left_status = models.PositiveIntegerField(_("left the status"))
    share_rose = models.FloatField(_("share whose index rose"), null=True)
    share_left = models.FloatField(_("share that left the status"), null=True)

    objects = ScopedQuerySet.as_manager()
    scope_municipality_field = "municipality"

    class Meta:
        ordering = ["municipality", "year"]
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="assessment_effect_unique")]

    def __str__(self) -> str:
        return f"{self.municipality_id} {academic_year_label(self.year)}"
