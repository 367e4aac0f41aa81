"""Reads from a streaming replica (core/db.py), tested against real servers: this test starts
its OWN PostgreSQL primary and a hot standby made from it with pg_basebackup (temporary
directories, free ports; the shared server on 5432 is never touched), then runs
tests/replica_probe.py against them: page reads go to the replica, writes and the writer's
reads during the pin go to the primary, and the replica serves the write once the pin is
over.  Missing PostgreSQL binaries fail the test with a clear message."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL's tools refuse to run as root: run them as the postgres user then."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kwargs)


def _pg(tool: str, *args) -> subprocess.CompletedProcess:
    return _as_postgres([str(PG_BIN / tool), *(str(a) for a in args)])


def _check(result: subprocess.CompletedProcess, what: str) -> None:
    if result.returncode:
        raise AssertionError(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="module")
def clusters():
    missing = [tool for tool in ("initdb", "pg_ctl", "pg_basebackup") if not (PG_BIN / tool).exists()]
    if missing:
        pytest.fail(
            f"PostgreSQL server binaries missing in {PG_BIN} ({', '.join(missing)}): install the "
            "postgresql-15 package (or set PG_BIN) — the replica test starts clusters of its own"
        )
    base = Path(tempfile.mkdtemp(prefix="opora-replica-"))
    os.chmod(base, 0o755)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    primary, replica = base / "primary", base / "replica"
    ports = _free_port(), _free_port()
    started = []
    try:
        _check(_pg("initdb", "-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8", "-N"), "initdb")
        settings = (
            f"listen_addresses = '127.0.0.1'\nunix_socket_directories = '{base}'\n"
            "wal_level = replica\nmax_wal_senders = 4\nfsync = off\nsynchronous_commit = off\n"
            "full_page_writes = off\nshared_buffers = 16MB\nhot_standby = on\n"
        )
        _as_postgres(["sh", "-c", f"cat >> {primary}/postgresql.conf"], input=settings)
        _check(_pg("pg_ctl", "-D", primary, "-o", f"-p {ports[0]}", "-l", base / "p.log", "-w", "start"), "primary")
        started.append(primary)
        backup = (
            "-h",
            "127.0.0.1",
            "-p",
            ports[0],
            "-U",
            "postgres",
            "-D",
            replica,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        )
        _check(_pg("pg_basebackup", *backup), "pg_basebackup")
        _check(_pg("pg_ctl", "-D", replica, "-o", f"-p {ports[1]}", "-l", base / "r.log", "-w", "start"), "replica")
        started.append(replica)
        yield ports
    finally:
        for data in reversed(started):
            _pg("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


def test_pages_read_the_replica_writes_and_the_writer_stay_on_the_primary(clusters, tmp_path):
    primary, replica = clusters
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{primary}/postgres",
        "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{replica}/postgres",
        "DATABASE_REPLICA_PIN_SECONDS": "2",
        "CACHE_PREFIX": f"opora-replica-test:{os.getpid()}",
        "OPORA_VAR_DIR": str(tmp_path),
        "DEBUG": "1",
        "AXES_ENABLED": "0",
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "replica_probe.py")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    line = next((line for line in result.stdout.splitlines() if line.startswith("JSON ")), None)
    assert line, f"the probe failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    out = json.loads(line[5:])

    # The replica is a hot standby of the primary: it refuses writes.
    assert out["replica_in_recovery"] is True
    assert "read-only transaction" in out["replica_write"]
    # Page reads of the portal's data go to the replica; users and sessions stay on the primary.
    for page in ("home", "card", "list"):
        assert out[page]["status"] == 200, page
        assert out[page]["replica"] > 0, (page, out[page])
        assert out[page]["primary_writes"] == 0, page
        assert not {"django_session", "axes_accessattempt"} & set(out[page]["replica_tables"]), out[page]
    assert "schools_school" in out["card"]["replica_tables"]
    # A write: the primary, and nothing of it on the replica.
    assert out["edit"]["status"] == 302, out["edit"]
    assert out["edit"]["primary_writes"] > 0
    assert out["edit"]["replica"] == 0
    # The writer's next page, within the pin: every read on the primary, their write shown.
    assert out["card_pinned"]["status"] == 200
    assert out["card_pinned"]["replica"] == 0, out["card_pinned"]
    assert out["card_pinned"]["primary"] > 0
    assert out["pinned_sees_own_write"] is True
    # After the pin: the replica again, and it has replayed the write.
    assert out["card_after_pin"]["replica"] > 0, out["card_after_pin"]
    assert out["replica_sees_write"] is True
    # Outside a request (tasks, commands): the primary.
    assert out["outside_request_replica"] == 0
