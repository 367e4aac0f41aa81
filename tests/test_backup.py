"""Backup and restore end to end: dump the test database and the files, restore them into a
fresh database and folder, and find the same data there."""

import os
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from schools.models import Order

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def dsn(name: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def test_backup_and_restore_round_trip(world, tmp_path):
    if not settings.IS_POSTGRES:
        pytest.fail("backup and restore are tested against PostgreSQL (make test sets DATABASE_URL)")
    order = Order.objects.create(
        region=world.region_a,
        municipality=world.a1,
        number="77",
        date="2026-09-01",
        issuer="УО",
        title="О резервном копировании",
    )
    order.file.save("backup-check.pdf", ContentFile(b"%PDF-1.4 backup check"))
    source_var = Path(settings.MEDIA_ROOT).parent
    env = {**os.environ, "DATABASE_URL": dsn(settings.DATABASES["default"]["NAME"]), "OPORA_VAR_DIR": str(source_var)}
    backup = tmp_path / "backup"
    subprocess.run([str(ROOT / "scripts/backup.sh"), str(backup)], env=env, check=True, capture_output=True)
    assert (backup / "database.dump").stat().st_size > 0

    target = f"opora_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(dsn("postgres"))
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{target}"')
    try:
        restored_var = tmp_path / "restored-var"
        env = {**os.environ, "DATABASE_URL": dsn(target), "OPORA_VAR_DIR": str(restored_var)}
        subprocess.run([str(ROOT / "scripts/restore.sh"), str(backup)], env=env, check=True, capture_output=True)
        with psycopg2.connect(dsn(target)) as conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM schools_school")
            assert cur.fetchone()[0] == 5
            cur.execute("SELECT title, file FROM schools_order WHERE number = '77'")
            title, file_name = cur.fetchone()
        assert title == "О резервном копировании"
        assert (restored_var / "media" / file_name).read_bytes() == b"%PDF-1.4 backup check"
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        admin.close()
