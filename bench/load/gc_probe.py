"""What the garbage collector costs a cold request, with and without ``core.warm``'s
``gc.freeze()``, side by side in one process (alternating rounds; ``gc.unfreeze()`` between):
the pages of the load benchmark as its coordinator, cache off; per page the CPU per request
and the collector's own time per request by generation (``gc.callbacks``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench .venv/bin/python bench/load/gc_probe.py

Uses the dataset of bench/reports (built if missing)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "reports"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opora_bench")
os.environ["OPORA_CACHE_ENABLED"] = "0"
import run as _reports_bench  # noqa: E402  (the production environment)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    _reports_bench.setup_django()
    from django.test import Client

    from core.warm import warm

    muni, user, _year = _reports_bench.build_dataset()
    client = Client(HTTP_X_FORWARDED_PROTO="https", SERVER_NAME="127.0.0.1")
    client.force_login(user)
    paths = {
        "home": "/",
        "school_card": f"/schools/{muni.schools.order_by('id').first().pk}/",
        "schools_list": "/schools/",
    }
    warm()
    for path in paths.values():
        client.get(path)  # what the first request builds, in both modes
    spent: dict[int, list] = {0: [0, 0.0], 1: [0, 0.0], 2: [0, 0.0]}
    started = [0.0]

    def timing(phase, info):
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[info["generation"]][0] += 1
            spent[info["generation"]][1] += time.perf_counter() - started[0]

    gc.callbacks.append(timing)
    totals: dict[tuple, list] = {}
    for _round in range(args.rounds):
        for frozen in (False, True):
            gc.unfreeze()  # back in the oldest generation: walked by the next full collection
            if frozen:
                gc.collect()
                gc.freeze()
            for name, path in paths.items():
                for entry in spent.values():
                    entry[:] = [0, 0.0]
                cpu = time.process_time()
                for _ in range(args.requests):
                    assert client.get(path).status_code == 200
                cpu = time.process_time() - cpu
                row = totals.setdefault((name, frozen), [0.0, 0.0, 0, 0])
                row[0] += cpu
                row[1] += sum(t for _n, t in spent.values())
                row[2] += spent[2][0]
                row[3] += args.requests
    print(
        f"tracked objects: {len(gc.get_objects())} unfrozen; frozen {gc.get_freeze_count()}; load {os.getloadavg()[0]:.1f}"
    )
    for name in paths:
        cells = []
        for frozen in (False, True):
            cpu, collector, full, n = totals[(name, frozen)]
            cells.append(
                f"{'frozen' if frozen else 'as is '}: CPU {cpu * 1000 / n:6.2f} ms, collector {collector * 1000 / n:5.2f} ms, {full} full"
            )
        print(f"{name:14s} " + " | ".join(cells))


if __name__ == "__main__":
    main()
