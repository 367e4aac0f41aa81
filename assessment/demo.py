"""Demo results: three years of synthetic results for every demo municipality's schools
(deterministic, small; with task scores for the works of ``synthetic.TASK_WORKS``, after their
task plans), imported through the ordinary batch and analysed.  Idempotent: a
file already imported (same checksum) is not imported again."""

import hashlib

from django.core.files.base import ContentFile

from assessment import services
from assessment.models import ImportBatch, ImportStatus
from assessment.synthetic import generate, task_header, write_file
from core.years import current_academic_year

SEED = 2024


def demo_file(codes: list[str], years: list[int]) -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
        rows = generate(codes, years, seed=SEED, students=(6, 18), tasks=True)
        write_file(tmp.name, rows, header=task_header())
        return Path(tmp.name).read_bytes()


def load(ctx) -> None:
    last = current_academic_year() - 1
    years = [last - 2, last - 1, last]
    codes = sorted(s.code for s in ctx.schools.values() if s.is_active)
    if not codes:
        return
    from skills.demo import load_plans

    load_plans(years)  # the works' task plans come before the results that carry task scores
    content = demo_file(codes, years)
    if ImportBatch.objects.filter(checksum=hashlib.sha256(content).hexdigest(), status=ImportStatus.DONE).exists():
        return
    upload = ContentFile(content, name="demo-results.csv")
    batch = services.import_batch_create(user=None, uploaded_file=upload)
    batch = services.import_batch_run(batch_id=batch.pk)
    if batch.status != ImportStatus.DONE:
        raise RuntimeError(f"demo results were refused: {batch.errors[:5]}")
    services.analysis_run(years=years, trigger="demo")
