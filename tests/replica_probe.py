"""Run by tests/test_replica.py in a process of its own, pointed at a primary and its
streaming replica (DATABASE_URL, DATABASE_REPLICA_URL): migrates the primary, waits for
the replica to replay it, then makes page requests through the whole middleware stack and
prints, as JSON, which database each request's queries went to."""

import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)


def caught_up() -> None:
    """Wait until the replica has replayed everything the primary has written."""
    with connections["default"].cursor() as c:
        c.execute("SELECT pg_current_wal_lsn()")
        target = c.fetchone()[0]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with connections["replica"].cursor() as c:
            c.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if c.fetchone()[0]:
                return
        time.sleep(0.05)
    raise SystemExit("the replica did not catch up within 60 s")


def request(client: Client, method: str, path: str, data=None) -> dict:
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.post(path, data) if method == "POST" else client.get(path)
    writes = [q["sql"] for q in primary.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    return {
        "status": response.status_code,
        "primary": len(primary.captured_queries),
        "primary_writes": len(writes),
        "replica": len(replica.captured_queries),
        "replica_tables": sorted({t for q in replica.captured_queries for t in TABLE.findall(q["sql"])}),
        "body": response.content.decode(errors="replace") if method == "GET" else "",
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    from accounts.models import Role, User
    from schools.forms import SchoolForm
    from schools.models import Municipality, Region, School

    region = Region.objects.create(name="Область реплики", code="98")
    muni = Municipality.objects.create(region=region, name="Округ реплики")
    school = School.objects.create(municipality=muni, code="REPL1", short_name="СШ № 1", name="Средняя школа № 1")
    user = User.objects.create_user(
        "replica_coord", password="replica-pass-1", role=Role.MUNICIPAL_COORDINATOR, municipality=muni
    )
    caught_up()
    out = {}
    with connections["replica"].cursor() as c:
        c.execute("SELECT pg_is_in_recovery()")
        out["replica_in_recovery"] = c.fetchone()[0]
        try:
            c.execute("UPDATE schools_school SET students_count = 1")
            out["replica_write"] = "accepted"
        except Exception as exc:  # a hot standby refuses writes
            out["replica_write"] = str(exc).splitlines()[0]
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(user)
    card = reverse("schools:school-detail", args=[school.pk])
    out["home"] = request(client, "GET", reverse("home"))
    out["card"] = request(client, "GET", card)
    out["list"] = request(client, "GET", reverse("schools:school-list"))
    form = SchoolForm(instance=school, user=user)
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    data.update(students_count=777, municipality=muni.pk, is_rural="")
    out["edit"] = request(client, "POST", reverse("schools:school-edit", args=[school.pk]), data)
    out["card_pinned"] = request(client, "GET", card)
    out["pinned_sees_own_write"] = "777" in out["card_pinned"]["body"]
    time.sleep(settings.DATABASE_REPLICA_PIN_SECONDS + 0.5)
    caught_up()
    out["card_after_pin"] = request(client, "GET", card)
    out["replica_sees_write"] = "777" in out["card_after_pin"]["body"]
    # Outside a request (a Celery task, a command): the primary.
    with CaptureQueriesContext(connections["replica"]) as replica:
        School.objects.get(pk=school.pk)
    out["outside_request_replica"] = len(replica.captured_queries)
    for part in out.values():
        if isinstance(part, dict):
            part.pop("body", None)
    print("JSON " + json.dumps(out))


if __name__ == "__main__":
    main()
