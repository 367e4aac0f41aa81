"""Writes of the assessment app: import batches (create, run, roll back) and analysis runs."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import itertools
import logging
import time
import uuid

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import MANAGE, can, schools_for
from assessment import analysis
from assessment.fileformat import FileRefused, Table, read_table, validate_rows
from assessment.models import AnalysisRun, ImportBatch, ImportStatus, ReplacedResult, Result
from schools.models import School

log = logging.getLogger(__name__)

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
)
KEY_COLUMNS = RESULT_COLUMNS[:6]
LOCK_KEY = 6_060_606  # PostgreSQL advisory lock of the analysis
CACHE_LOCK = "assessment:analysis-lock"


class AnalysisBusy(Exception):
    """Another analysis holds the lock."""


class RollbackRefused(Exception):
    pass


# --- import -----------------------------------------------------------------------------------


def import_batch_create(*, user, uploaded_file, dry_run: bool = False) -> ImportBatch:
    """Store the uploaded file as a pending batch (the Celery task then runs it)."""
    data = uploaded_file.read()
    name = uploaded_file.name.rsplit("/", 1)[-1][:200]
    municipality_id = getattr(user, "municipality_id", None) if user else None
    batch = ImportBatch(
        original_name=name,
        checksum=hashlib.sha256(data).hexdigest(),
        size=len(data),
        uploaded_by=user if user and user.pk else None,
        municipality_id=municipality_id,
        dry_run=dry_run,
    )
    batch.file.save(name, ContentFile(data), save=False)
    batch.save()
    return batch


def import_batch_queue(batch_id: int) -> None:
    """Hand the batch to Celery (runs at once in eager mode)."""
    from assessment.tasks import import_batch_task

    import_batch_task.delay(batch_id)


def _progress(batch: ImportBatch, value: int, **fields) -> None:
    batch.progress = value
    for k, v in fields.items():
        setattr(batch, k, v)
    ImportBatch.objects.filter(pk=batch.pk).update(progress=value, **fields)


def _allowed_schools(user) -> dict[str, int]:
    qs = School.objects.all() if user is None else schools_for(user, MANAGE)
    return dict(qs.values_list("code", "id"))


def import_batch_run(batch_id: int) -> ImportBatch:
    """Read, validate and (unless a dry run) write the batch's file: whole file or nothing.

    Safe to retry: a batch that has already finished is returned as it is."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, progress=5
    )
    batch = ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id)
    if not claimed:
        return batch
    user = batch.uploaded_by
    if user is not None and user.is_superuser:
        user = None
    try:
        with batch.file.open("rb") as fh:
            data = fh.read()
        table = read_table(data, batch.original_name)
        _progress(batch, 30, rows_total=len(table.rows))
        known = set(School.objects.values_list("code", flat=True))
        checked = validate_rows(table, _allowed_schools(user), known)
        del data, table  # the file's text and cells are not needed for the write
    except FileRefused as exc:
        return _fail(batch, [{"row": 0, "column": "", "value": "", "reason": str(exc)}], str(exc))
    if checked.errors:
        return _fail(
            batch,
            checked.errors,
            _("The file has %(n)d errors; nothing was imported.") % {"n": len(checked.errors)},
        )
    _progress(batch, 60, rows_total=len(checked.rows))
    years = sorted(checked.years)
    municipalities = set(School.objects.filter(id__in=checked.school_ids).values_list("municipality_id", flat=True))
    municipality_id = municipalities.pop() if len(municipalities) == 1 else batch.municipality_id
    if batch.dry_run:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.DONE,
            progress=100,
            years=years,
            municipality_id=municipality_id,
            finished=timezone.now(),
            message=_("Check passed: %(n)d rows are valid; nothing was written (dry run).") % {"n": len(checked.rows)},
        )
        batch.refresh_from_db()
        return batch
    with transaction.atomic():
        replaced = _write_rows(batch.pk, checked.rows)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.DONE,
            progress=100,
            rows_created=len(checked.rows) - replaced,
            rows_updated=replaced,
            years=years,
            municipality_id=municipality_id,
            finished=timezone.now(),
            message=_("Imported %(n)d rows (%(new)d new, %(replaced)d replaced).")
            % {"n": len(checked.rows), "new": len(checked.rows) - replaced, "replaced": replaced},
        )
        transaction.on_commit(lambda: _queue_analysis(years, f"import:{batch.pk}"))
    batch.refresh_from_db()
    return batch


def _fail(batch: ImportBatch, errors: list[dict], message: str) -> ImportBatch:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.FAILED,
        progress=100,
        errors=errors,
        error_count=len(errors),
        message=message[:500],
        finished=timezone.now(),
    )
    batch.refresh_from_db()
    return batch


def _queue_analysis(years: list[int], trigger: str) -> None:
    from assessment.tasks import analysis_run_task

    affected = sorted(set(years) | {y + 1 for y in years})
    analysis_run_task.delay(affected, trigger)


def _staging_sql() -> str:
    return """
        CREATE TEMP TABLE asm_staging (
            school_id bigint, year smallint, procedure_id bigint, subject_id bigint, grade smallint,
            student_code varchar(64), score double precision, max_score double precision, mark smallint,
            term_mark smallint, teacher_code varchar(64), class_letter varchar(10)
        )
    """


class _CsvStream(io.RawIOBase):
    """A read-only file over the rows as csv, produced a few thousand rows at a time for COPY
    (the whole csv text of a million rows is never built in memory)."""

    CHUNK_ROWS = 5000

    def __init__(self, rows: list[tuple]):
        self._rows = iter(rows)
        self._pending, self._pos = b"", 0

    def readable(self) -> bool:
        return True

    def _chunk(self) -> bytes:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        for row in itertools.islice(self._rows, self.CHUNK_ROWS):
            writer.writerow(["" if v is None else v for v in row])
        return buf.getvalue().encode("utf-8")

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(1 << 20), b""))
        if self._pos >= len(self._pending):
            self._pending, self._pos = self._chunk(), 0
        out = self._pending[self._pos : self._pos + size]
        self._pos += len(out)
        return out


def _write_rows(batch_id: int, rows: list[tuple]) -> int:
    """Stage the rows, keep the versions they replace (for rollback), upsert; returns replaced count."""
    R, RR = Result._meta.db_table, ReplacedResult._meta.db_table
    cols = ", ".join(RESULT_COLUMNS)
    key_join = " AND ".join(f"r.{k} = s.{k}" for k in KEY_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in RESULT_COLUMNS[6:])
    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS asm_staging")
        c.execute(_staging_sql())
        if connection.vendor == "postgresql":
            c.cursor.copy_expert(
                f"COPY asm_staging ({cols}) FROM STDIN WITH (FORMAT csv, NULL '', FORCE_NOT_NULL (teacher_code, class_letter))",
                _CsvStream(rows),
                size=1 << 16,
            )
            c.execute("ANALYZE asm_staging")
        else:
            placeholders = ", ".join(["%s"] * len(RESULT_COLUMNS))
            c.executemany(f"INSERT INTO asm_staging ({cols}) VALUES ({placeholders})", rows)
        c.execute(
            f"""INSERT INTO {RR} (batch_id, previous_batch_id, {cols})
                SELECT %s, r.batch_id, {", ".join("r." + k for k in RESULT_COLUMNS)}
                FROM {R} r JOIN asm_staging s ON {key_join}""",
            [batch_id],
        )
        replaced = c.rowcount
        c.execute(
            f"""INSERT INTO {R} (batch_id, {cols})
                SELECT %s, {cols} FROM asm_staging WHERE 1 = 1
                ON CONFLICT ({", ".join(KEY_COLUMNS)}) DO UPDATE SET batch_id = excluded.batch_id, {updates}""",
            [batch_id],
        )
        c.execute("DROP TABLE IF EXISTS asm_staging")
    return replaced


def import_batch_rollback(batch: ImportBatch, user) -> ImportBatch:
    """Undo an import: its rows go, the versions it replaced come back (coordinators only)."""
    if user is not None and not user.is_superuser and not can(user, MANAGE, batch):
        raise RollbackRefused(_("Only a coordinator may roll back an import."))
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportStatus.DONE or locked.dry_run:
            raise RollbackRefused(_("Only a completed import can be rolled back."))
        if ReplacedResult.objects.filter(previous_batch=locked).exists():
            raise RollbackRefused(_("A later import replaced some of these rows: roll that import back first."))
        cols = ", ".join(RESULT_COLUMNS)
        R, RR = Result._meta.db_table, ReplacedResult._meta.db_table
        with connection.cursor() as c:
            c.execute(f"DELETE FROM {R} WHERE batch_id = %s", [locked.pk])
            c.execute(
                f"INSERT INTO {R} (batch_id, {cols}) SELECT previous_batch_id, {cols} FROM {RR} WHERE batch_id = %s",
                [locked.pk],
            )
            c.execute(f"DELETE FROM {RR} WHERE batch_id = %s", [locked.pk])
        locked.status = ImportStatus.ROLLED_BACK
        locked.rolled_back_by = user
        locked.rolled_back_at = timezone.now()
        locked.save(update_fields=["status", "rolled_back_by", "rolled_back_at"])
        years = list(locked.years)
        transaction.on_commit(lambda: _queue_analysis(years, f"rollback:{locked.pk}"))
    return locked


def import_file(path: str, *, user=None, dry_run: bool = False) -> ImportBatch:
    """Import a file from disk (the management command) through the same batch machinery."""
    with open(path, "rb") as fh:
        data = fh.read()
    upload = ContentFile(data, name=path.replace("\\", "/").rsplit("/", 1)[-1])
    batch = import_batch_create(user=user, uploaded_file=upload, dry_run=dry_run)
    return import_batch_run(batch.pk)


def import_error_report(batch: ImportBatch) -> tuple[bytes, str, str]:
    """The uploaded file with an error column, rebuilt from the stored file and errors."""
    from assessment.fileformat import error_report

    try:
        with batch.file.open("rb") as fh:
            table = read_table(fh.read(), batch.original_name)
    except FileRefused:
        table = Table("csv", [], [], delimiter=";")
    return error_report(table, batch.errors)


# --- analysis ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _analysis_lock(wait_seconds: float = 600):
    """One analysis at a time: a PostgreSQL advisory lock held by the transaction, or a cache
    lock elsewhere.  A second run waits up to ``wait_seconds`` and then gives up (the task retries)."""
    deadline = time.monotonic() + wait_seconds
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            while True:
                c.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
                if c.fetchone()[0]:
                    break
                if time.monotonic() > deadline:
                    raise AnalysisBusy(_("Another analysis is running."))
                time.sleep(0.2)
        yield
        return
    token = uuid.uuid4().hex
    while not cache.add(CACHE_LOCK, token, timeout=3600):
        if time.monotonic() > deadline:
            raise AnalysisBusy(_("Another analysis is running."))
        time.sleep(0.2)
    try:
        yield
    finally:
        if cache.get(CACHE_LOCK) == token:
            cache.delete(CACHE_LOCK)


def analysis_years() -> list[int]:
    from assessment.models import GroupResult

    years = set(Result.objects.values_list("year", flat=True).distinct())
    years |= set(GroupResult.objects.values_list("year", flat=True).distinct())
    return sorted(years)


def analysis_run(years: list[int] | None = None, *, trigger: str = "manual", wait_seconds: float = 600) -> AnalysisRun:
    """Recompute every figure, flag and index of ``years`` (all years by default) and store them."""
    thresholds = analysis.Thresholds.from_settings()
    with transaction.atomic(), _analysis_lock(wait_seconds):
        target = sorted({int(y) for y in years}) if years else analysis_years()
        run = AnalysisRun.objects.create(trigger=trigger[:40], years=target, thresholds=thresholds.as_dict())
        counts = analysis.compute(run.pk, target, thresholds)
        run.counts = counts
        run.status = AnalysisRun.Status.DONE
        run.finished = timezone.now()
        run.save(update_fields=["counts", "status", "finished"])
    log.info("assessment analysis %s: years %s, %s", run.pk, target, counts)
    return run
