"""Writes of the assessment app: import batches (create, run, roll back) and analysis runs."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import itertools
import logging
import queue
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.scoping import MANAGE, schools_for
from assessment import analysis
from assessment.fileformat import FileRefused, RowChecker, Table, read_table
from assessment.models import RESULT_COLUMNS, AnalysisRun, ImportBatch, ImportStatus, ReplacedResultPack, Result
from assessment.signals import analysis_computed
from schools.models import School

log = logging.getLogger(__name__)

KEY_COLUMNS = RESULT_COLUMNS[:6]
LOCK_KEY = 6_060_606  # PostgreSQL advisory lock of the analysis
IMPORT_LOCK_KEY = 6_060_607  # … and of the writes into the results (imports, rollbacks), one at a time
CACHE_LOCK = "assessment:analysis-lock"


class AnalysisBusy(Exception):
    """Another analysis holds the lock."""


class RollbackRefused(ValidationError):
    """Why an import batch may not be rolled back (a service refusal: ``core.errors``)."""


class RestartRefused(ValidationError):
    """Why an import batch may not be run again."""


class _Invalid(Exception):
    """The file has errors: roll the write back (nothing of it stays)."""


class _Superseded(Exception):
    """Another worker claimed the batch meanwhile (ours was taken for dead): roll back, it writes."""


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


def _stale_before():
    return timezone.now() - timedelta(seconds=settings.ASSESSMENT_IMPORT_STALE_SECONDS)


def import_claim_expires_in(batch: ImportBatch) -> int:
    """Seconds until the batch's current claim (or queueing) becomes stale."""
    since = batch.started or batch.created
    left = since + timedelta(seconds=settings.ASSESSMENT_IMPORT_STALE_SECONDS) - timezone.now()
    return max(0, int(left.total_seconds()))


CLAIMED = 5  # the progress of a batch claimed by a worker that has not read its file yet


def _claim(batch_id: int):
    """Compare-and-set claim of a batch for this worker: a pending one, or a «running» one whose
    claim is older than ASSESSMENT_IMPORT_STALE_SECONDS (its worker died: the write is one
    transaction, so it left nothing).  Returns the claim time, or None when not claimed."""
    now = timezone.now()
    stale = Q(status=ImportStatus.RUNNING, attempts__lt=settings.ASSESSMENT_IMPORT_MAX_ATTEMPTS) & (
        Q(started__lt=_stale_before()) | Q(started__isnull=True, created__lt=_stale_before())
    )
    claimed = ImportBatch.objects.filter(Q(status=ImportStatus.PENDING) | stale, pk=batch_id).update(
        status=ImportStatus.RUNNING, progress=CLAIMED, started=now, attempts=F("attempts") + 1
    )
    return now if claimed else None


def import_batch_run(batch_id: int) -> ImportBatch:
    """Read, validate and (unless a dry run) write the batch's file: whole file or nothing.

    Safe to retry: a finished batch, or one another worker is running, is returned as it is; one
    whose worker died is taken over once its claim is stale (``ImportBatch.is_stale``)."""
    claimed_at = _claim(batch_id)
    batch = ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id)
    if claimed_at is None:
        if batch.is_stale and batch.status == ImportStatus.RUNNING:  # … and out of attempts
            _fail_interrupted(batch)
            batch.refresh_from_db()
        return batch
    batch.started = claimed_at
    user = batch.uploaded_by
    if user is not None and user.is_superuser:
        user = None
    try:
        with batch.file.open("rb") as fh:
            data = fh.read()
        table = read_table(data, batch.original_name)
        del data  # the file's text (csv) or parsed sheet (xlsx) is what the rows are read from
        _progress(batch, 30)
        known = set(School.objects.values_list("code", flat=True))
        checker = RowChecker(table, _allowed_schools(user), known)
        checked = checker.result
        if batch.dry_run or checked.errors:
            for _row in checker.rows():
                pass
    except FileRefused as exc:
        return _fail(batch, [{"row": 0, "column": "", "value": "", "reason": str(exc)}], str(exc))
    if checked.errors:
        return _fail(batch, checked.errors, _invalid_message(checked.errors), rows_total=checked.rows_read)
    if batch.dry_run:
        years = sorted(checked.years)
        ImportBatch.objects.filter(pk=batch.pk, started=claimed_at).update(
            status=ImportStatus.DONE,
            progress=100,
            rows_total=checked.rows_valid,
            years=years,
            municipality_id=_municipality_of(checked.school_ids, batch),
            finished=timezone.now(),
            message=_("Check passed: %(n)d rows are valid; nothing was written (dry run).") % {"n": checked.rows_valid},
        )
        batch.refresh_from_db()
        return batch
    try:
        with transaction.atomic():
            # The rows are checked while they are written (one pass, streamed): any error rolls
            # the whole write back below, so an invalid file changes nothing.
            replaced = _write_rows(batch.pk, checker.rows())
            if checked.errors:
                raise _Invalid
            n, years = checked.rows_valid, sorted(checked.years)
            done = ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.RUNNING, started=claimed_at).update(
                status=ImportStatus.DONE,
                progress=100,
                rows_total=n,
                rows_created=n - replaced,
                rows_updated=replaced,
                years=years,
                municipality_id=_municipality_of(checked.school_ids, batch),
                finished=timezone.now(),
                message=_("Imported %(n)d rows (%(new)d new, %(replaced)d replaced).")
                % {"n": n, "new": n - replaced, "replaced": replaced},
            )
            if not done:
                raise _Superseded
            transaction.on_commit(lambda: _queue_analysis(years, f"import:{batch.pk}"))
    except _Invalid:
        return _fail(batch, checked.errors, _invalid_message(checked.errors), rows_total=checked.rows_read)
    except FileRefused as exc:
        return _fail(batch, [{"row": 0, "column": "", "value": "", "reason": str(exc)}], str(exc))
    except _Superseded:
        log.warning("import batch %s: claimed again by another worker; this run's write was rolled back", batch.pk)
    batch.refresh_from_db()
    return batch


def _fail_interrupted(batch: ImportBatch) -> bool:
    """End «failed» a batch whose workers died on every attempt (compare-and-set on its claim)."""
    if batch.progress == CLAIMED:  # the last worker died before the file was read: in the reader
        message = _(
            "Reading the file stopped the worker (attempts: %(n)d): the file may be damaged or too large; "
            "nothing was imported."
        ) % {"n": batch.attempts}
    else:
        message = _("The import was interrupted (attempts: %(n)d); nothing was imported.") % {"n": batch.attempts}
    error = [{"row": 0, "column": "", "value": "", "reason": message}]
    return bool(
        ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.RUNNING, started=batch.started).update(
            status=ImportStatus.FAILED,
            progress=100,
            message=message,
            errors=error,
            error_count=1,
            finished=timezone.now(),
        )
    )


def import_batches_sweep() -> dict[str, int]:
    """The periodic watch over imports (``assessment.sweep_imports``): a batch left «pending» or
    «running» past its claim (its worker died — a native reader aborting takes the whole
    process — or its message was lost) is queued again while it has attempts left, and ends
    «failed» with a message once they are spent.  No batch stays «running» for ever."""
    stuck = Q(started__lt=_stale_before()) | Q(started__isnull=True, created__lt=_stale_before())
    failed = queued = 0
    for batch in ImportBatch.objects.filter(stuck, status__in=[ImportStatus.PENDING, ImportStatus.RUNNING]):
        if batch.status == ImportStatus.RUNNING and batch.attempts >= settings.ASSESSMENT_IMPORT_MAX_ATTEMPTS:
            failed += _fail_interrupted(batch)
        else:
            import_batch_queue(batch.pk)
            queued += 1
    return {"failed": failed, "queued": queued}


def _invalid_message(errors: list[dict]) -> str:
    return _("The file has %(n)d errors; nothing was imported.") % {"n": len(errors)}


def _municipality_of(school_ids: set[int], batch: ImportBatch):
    municipalities = set(School.objects.filter(id__in=school_ids).values_list("municipality_id", flat=True))
    return municipalities.pop() if len(municipalities) == 1 else batch.municipality_id


def import_batch_restart(batch: ImportBatch, user) -> ImportBatch:
    """Queue again a batch that is stuck (its worker died, or its message was lost): a
    coordinator's action on the import page."""
    if not scoping.may_redo_import(user, batch):
        raise RestartRefused(_("Only a coordinator may run an import again."))
    stuck = Q(started__lt=_stale_before()) | Q(started__isnull=True, created__lt=_stale_before())
    with transaction.atomic():
        restarted = ImportBatch.objects.filter(
            stuck, pk=batch.pk, status__in=[ImportStatus.PENDING, ImportStatus.RUNNING]
        ).update(status=ImportStatus.PENDING, progress=0, started=timezone.now(), attempts=0, message="")
        if not restarted:
            raise RestartRefused(_("The import is not stuck: it is still being processed or has finished."))
        transaction.on_commit(lambda: import_batch_queue(batch.pk))
    batch.refresh_from_db()
    return batch


def _fail(batch: ImportBatch, errors: list[dict], message: str, **fields) -> ImportBatch:
    ImportBatch.objects.filter(pk=batch.pk, started=batch.started).update(
        status=ImportStatus.FAILED,
        progress=100,
        errors=errors,
        error_count=len(errors),
        message=message[:500],
        finished=timezone.now(),
        **fields,
    )
    batch.refresh_from_db()
    return batch


def _queue_analysis(years: list[int], trigger: str) -> None:
    from assessment.tasks import analysis_run_task

    affected = sorted(set(years) | {y + 1 for y in years})
    analysis_run_task.delay(affected, trigger)


class _Lines(list):
    """What ``csv.writer`` writes, one string per row (it writes each row with one call)."""

    write = list.append


def _csv_lines(rows: Iterable[tuple]) -> list[str]:
    lines = _Lines()
    csv.writer(lines, lineterminator="\n").writerows(rows)  # None → ""
    return lines


WRITE_CHUNK_ROWS = 20_000


def _import_lock() -> None:
    """Writes into the results run one at a time (PostgreSQL advisory lock held by the
    transaction; SQLite serialises writers itself), so what an import finds already stored
    cannot change under it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])


def _write_rows(batch_id: int, rows: Iterable[tuple]) -> int:
    """Write the checked rows inside the caller's transaction: the results they replace are
    packed into ReplacedResultPack (for rollback), the rows go into Result.  Returns the number
    replaced.

    ``rows`` may be a generator that checks the rows as they are consumed (the import streams)."""
    _import_lock()
    if connection.vendor == "postgresql":
        return _PgWriter(batch_id).write(rows)
    return _write_portable(batch_id, rows)


class _PgWriter:
    """PostgreSQL: chunks of rows are written by a second thread over the same connection (and
    transaction) while the caller's thread goes on checking the next rows and turning them into
    COPY's csv lines, so the Python work and the writing in the server overlap on two cores (the
    writer thread itself only picks lines and waits for the server).

    Per chunk: rows of groups (school, year, procedure, subject, grade) that had no stored result
    before this import cannot replace anything and are COPYed straight into the results; the
    others are COPYed into a temporary table, the stored results with the same identity are
    deleted and kept (``DELETE … RETURNING``, packed per previous batch into one
    ReplacedResultPack row), then inserted from the temporary table.  Rows are unique within a
    file (the check refuses duplicates) and imports hold the import lock, so this equals an upsert
    row by row without the cost of one."""

    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self.replaced = 0
        self.had_results: dict[tuple, bool] = {}  # group → it had stored results before this import
        self.staging = False
        self.abort = False
        self.failure: list[BaseException] = []
        cols = ", ".join(RESULT_COLUMNS)
        R, RP = Result._meta.db_table, ReplacedResultPack._meta.db_table
        copy_opts = "WITH (FORMAT csv, NULL '', FORCE_NOT_NULL (teacher_code, class_letter))"
        key_join = " AND ".join(f"r.{k} = s.{k}" for k in KEY_COLUMNS)
        self.sql_copy_direct = f"COPY {R} (batch_id, {cols}) FROM STDIN {copy_opts}"
        self.sql_staging = (
            f"CREATE TEMP TABLE asm_staging ON COMMIT DROP AS SELECT batch_id, {cols} FROM {R} WITH NO DATA"
        )
        self.sql_copy_staging = f"COPY asm_staging (batch_id, {cols}) FROM STDIN {copy_opts}"
        self.sql_keep_replaced = f"""
            WITH gone AS (DELETE FROM {R} r USING asm_staging s WHERE {key_join} RETURNING r.*)
            INSERT INTO {RP} (batch_id, previous_batch_id, rows, {cols})
            SELECT %s, batch_id, count(*), {", ".join(f"array_agg({_packable(c)})" for c in RESULT_COLUMNS)}
            FROM gone GROUP BY batch_id
            RETURNING rows"""
        self.sql_insert_staged = f"INSERT INTO {R} (batch_id, {cols}) SELECT batch_id, {cols} FROM asm_staging"
        self.sql_groups = f"""
            SELECT v.s, v.y, v.p, v.j, v.g FROM (VALUES {{values}}) AS v (s, y, p, j, g)
            WHERE EXISTS (SELECT 1 FROM {R} r WHERE r.school_id = v.s AND r.year = v.y
                          AND r.procedure_id = v.p AND r.subject_id = v.j AND r.grade = v.g)"""

    def write(self, rows: Iterable[tuple]) -> int:
        connection.ensure_connection()
        raw = connection.connection  # used by the writer thread only while this thread does no query
        chunks: queue.Queue = queue.Queue(maxsize=2)
        thread = threading.Thread(target=self._work, args=(raw, chunks), daemon=True)
        thread.start()
        try:
            prefix = f"{self.batch_id},"
            for chunk in _batched(rows):
                if self.failure:
                    break
                chunks.put((chunk, [prefix + line for line in _csv_lines(chunk)]))
        except BaseException:
            self.abort = True
            raise
        finally:
            chunks.put(None)
            thread.join()
        if self.failure:
            raise self.failure[0]
        return self.replaced

    def _work(self, raw, chunks: queue.Queue) -> None:
        try:
            with raw.cursor() as c:
                c.execute("SET LOCAL jit = off")  # insurance: a chunk's statements never gain from compiling
                # Stored results are found by one index probe per row (a chunk is small next to them).
                c.execute("SET LOCAL enable_hashjoin = off")
                c.execute("SET LOCAL enable_mergejoin = off")
                while (item := chunks.get()) is not None:
                    if not self.abort:
                        self._chunk(c, *item)
                c.execute("RESET jit")
                c.execute("RESET enable_hashjoin")
                c.execute("RESET enable_mergejoin")
        except BaseException as exc:
            self.failure.append(exc)
            while chunks.get() is not None:  # let the producer finish
                pass

    def _chunk(self, c, chunk: tuple, lines: list[str]) -> None:
        """Write one chunk: ``lines[i]`` is ``chunk[i]`` (with the batch) as a csv line."""
        had = self.had_results
        unknown = {r[:5] for r in chunk}.difference(had)
        if unknown:
            found = set()
            unknown = list(unknown)
            for start in range(0, len(unknown), 1000):
                part = unknown[start : start + 1000]
                c.execute(
                    self.sql_groups.format(values=", ".join(["(%s, %s, %s, %s, %s)"] * len(part))),
                    [v for g in part for v in g],
                )
                found.update(tuple(row) for row in c.fetchall())
            for g in unknown:
                had[g] = g in found
        replacing = [had[r[:5]] for r in chunk]
        new = [line for line, old in zip(lines, replacing, strict=True) if not old]
        if new:
            _copy(c, self.sql_copy_direct, "".join(new))
        if len(new) < len(lines):
            if not self.staging:
                c.execute(self.sql_staging)
                self.staging = True
            else:
                c.execute("TRUNCATE asm_staging")
            old = "".join(line for line, old in zip(lines, replacing, strict=True) if old)
            _copy(c, self.sql_copy_staging, old)
            c.execute(self.sql_keep_replaced, [self.batch_id])
            self.replaced += sum(n for (n,) in c.fetchall())
            c.execute(self.sql_insert_staged)


def _packable(column: str) -> str:
    """A column as ``array_agg`` packs it: the task-score arrays as text (arrays of arrays must
    have equal lengths and no NULLs in PostgreSQL; a row's array need not)."""
    return f"{column}::text" if column == "task_scores" else column


def _unpacked(column: str) -> str:
    return f"u.{column}::smallint[]" if column == "task_scores" else f"u.{column}"


def _copy(c, sql: str, text: str) -> None:
    """COPY the text in one piece: psycopg2 reads the file in ``size`` pieces, each of which
    needs the GIL back from the checking thread (up to a switch interval, 5 ms, every time)."""
    data = text.encode()
    c.copy_expert(sql, io.BytesIO(data), size=max(len(data), 1))


def _batched(rows: Iterable[tuple]):
    """Chunks of WRITE_CHUNK_ROWS rows, the first one an eighth of that: the writer starts as
    soon as a few rows are checked."""
    it = iter(rows)
    size = max(WRITE_CHUNK_ROWS // 8, 1)
    while chunk := tuple(itertools.islice(it, size)):
        yield chunk
        size = WRITE_CHUNK_ROWS


def _write_portable(batch_id: int, rows: Iterable[tuple]) -> int:
    """Other databases (SQLite for `make run`): the same result through a staging table and an upsert."""
    R, RP = Result._meta.db_table, ReplacedResultPack._meta.db_table
    cols = ", ".join(RESULT_COLUMNS)
    key_join = " AND ".join(f"r.{k} = s.{k}" for k in KEY_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in RESULT_COLUMNS[6:])
    placeholders = ", ".join(["%s"] * len(RESULT_COLUMNS))
    packs = ", ".join(f"json_group_array(r.{c})" for c in RESULT_COLUMNS)
    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS asm_staging")
        c.execute(
            """CREATE TEMP TABLE asm_staging (
                school_id bigint, year smallint, procedure_id bigint, subject_id bigint, grade smallint,
                student_code varchar(64), score double precision, max_score double precision, mark smallint,
                term_mark smallint, teacher_code varchar(64), class_letter varchar(10), task_scores text)"""
        )
        for chunk in _batched(rows):
            c.execute("DELETE FROM asm_staging")
            c.executemany(f"INSERT INTO asm_staging ({cols}) VALUES ({placeholders})", chunk)
            c.execute(
                f"""INSERT INTO {RP} (batch_id, previous_batch_id, rows, {cols})
                    SELECT %s, r.batch_id, count(*), {packs}
                    FROM {R} r JOIN asm_staging s ON {key_join} GROUP BY r.batch_id""",
                [batch_id],
            )
            c.execute(
                f"""INSERT INTO {R} (batch_id, {cols})
                    SELECT %s, {cols} FROM asm_staging WHERE 1 = 1
                    ON CONFLICT ({", ".join(KEY_COLUMNS)}) DO UPDATE SET batch_id = excluded.batch_id, {updates}""",
                [batch_id],
            )
        c.execute("DROP TABLE IF EXISTS asm_staging")
        c.execute(f"SELECT COALESCE(SUM(rows), 0) FROM {RP} WHERE batch_id = %s", [batch_id])
        return c.fetchone()[0]


def import_batch_rollback(batch: ImportBatch, user) -> ImportBatch:
    """Undo an import: its rows go, the versions it replaced come back (coordinators only)."""
    if not scoping.may_redo_import(user, batch):
        raise RollbackRefused(_("Only a coordinator may roll back an import."))
    with transaction.atomic():
        _import_lock()
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportStatus.DONE or locked.dry_run:
            raise RollbackRefused(_("Only a completed import can be rolled back."))
        if ReplacedResultPack.objects.filter(previous_batch=locked).exists():
            raise RollbackRefused(_("A later import replaced some of these rows: roll that import back first."))
        with connection.cursor() as c:
            c.execute(f"DELETE FROM {Result._meta.db_table} WHERE batch_id = %s", [locked.pk])
        _restore_replaced(locked.pk)
        locked.status = ImportStatus.ROLLED_BACK
        locked.rolled_back_by = user
        locked.rolled_back_at = timezone.now()
        locked.save(update_fields=["status", "rolled_back_by", "rolled_back_at"])
        years = list(locked.years)
        transaction.on_commit(lambda: _queue_analysis(years, f"rollback:{locked.pk}"))
    return locked


def _restore_replaced(batch_id: int) -> None:
    """Put back the results the batch replaced (with the batch each came from) and drop the packs."""
    R, RP = Result._meta.db_table, ReplacedResultPack._meta.db_table
    cols = ", ".join(RESULT_COLUMNS)
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute(
                f"""INSERT INTO {R} (batch_id, {cols})
                    SELECT p.previous_batch_id, {", ".join(_unpacked(c) for c in RESULT_COLUMNS)}
                    FROM {RP} p CROSS JOIN LATERAL unnest({", ".join("p." + k for k in RESULT_COLUMNS)}) AS u ({cols})
                    WHERE p.batch_id = %s""",
                [batch_id],
            )
        else:
            insert = f"INSERT INTO {R} (batch_id, {cols}) VALUES ({', '.join(['%s'] * (len(RESULT_COLUMNS) + 1))})"
            for pack in ReplacedResultPack.objects.filter(batch_id=batch_id).iterator():
                c.executemany(insert, [[row["batch_id"], *(row[k] for k in RESULT_COLUMNS)] for row in pack.unpacked()])
        c.execute(f"DELETE FROM {RP} WHERE batch_id = %s", [batch_id])


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
    """Years with results or with stored figures (those of a year rolled back entirely must go)."""
    from assessment.models import GroupResult

    years = set(GroupResult.objects.order_by().values_list("year", flat=True).distinct())
    if connection.vendor != "postgresql":
        return sorted(years | set(Result.objects.order_by().values_list("year", flat=True).distinct()))
    # The distinct (school, year) pairs by skipping along the unique index (school_id, year, …):
    # a few thousand index descents instead of reading every row.
    R = connection.ops.quote_name(Result._meta.db_table)
    with connection.cursor() as c:
        c.execute(f"""
            WITH RECURSIVE pairs (school_id, year) AS (
                (SELECT school_id, year FROM {R} ORDER BY school_id, year LIMIT 1)
                UNION ALL
                SELECT n.school_id, n.year FROM pairs p, LATERAL (
                    SELECT school_id, year FROM {R} r WHERE (r.school_id, r.year) > (p.school_id, p.year)
                    ORDER BY school_id, year LIMIT 1
                ) n
            )
            SELECT DISTINCT year FROM pairs
        """)
        years |= {row[0] for row in c.fetchall()}
    return sorted(years)


def analysis_run(years: list[int] | None = None, *, trigger: str = "manual", wait_seconds: float = 600) -> AnalysisRun:
    """Recompute every figure, flag and index of ``years`` (all years by default) and store them."""
    thresholds = analysis.Thresholds.from_settings()
    with transaction.atomic(), _analysis_lock(wait_seconds):
        target = sorted({int(y) for y in years}) if years else analysis_years()
        run = AnalysisRun.objects.create(trigger=trigger[:40], years=target, thresholds=thresholds.as_dict())
        counts = analysis.compute(run.pk, target, thresholds)
        for _receiver, extra in analysis_computed.send(sender=AnalysisRun, run=run, years=target):
            counts.update(extra or {})
        run.counts = counts
        run.status = AnalysisRun.Status.DONE
        run.finished = timezone.now()
        run.save(update_fields=["counts", "status", "finished"])
    log.info("assessment analysis %s: years %s, %s", run.pk, target, counts)
    return run
