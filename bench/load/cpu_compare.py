"""CPU per request of the load benchmark's pages, cache off, for another checkout (before)
and this one (after), measured by the same harness (bench/load/inprocess.py --root) in
alternating rounds, so that on a shared machine both stand under the same load.  Prints,
per page, the median over the rounds of: the process's CPU, the PostgreSQL backend's CPU,
their sum, and the API lists' share of the minimal view's throughput implied by the sums.

    git archive <commit> | tar -x -C /tmp/before && ln -s "$PWD/.venv" /tmp/before/.venv
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opora_bench .venv/bin/python bench/load/cpu_compare.py /tmp/before"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("before", help="the other checkout")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("pages", nargs="*")
    args = parser.parse_args()
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    loads = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for label, root in (("before", Path(args.before).resolve()), ("after", ROOT)):
                out = Path(tmp) / f"{label}{r}.json"
                command = [sys.executable, str(ROOT / "bench/load/inprocess.py"), "--requests", str(args.requests)]
                command += ["--root", str(root), "--json", str(out), *args.pages]
                subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                runs[label].append(json.loads(out.read_text()))
                loads.append(os.getloadavg()[0])
    names = list(runs["after"][0])

    def med(label, name, key):
        return statistics.median(run[name][key] for run in runs[label] if name in run)

    print(f"{args.rounds} rounds × {args.requests} requests; load average {min(loads):.1f}–{max(loads):.1f}")
    print(
        f"{'page':20} {'before: process + PostgreSQL = total':>38} {'after: process + PostgreSQL = total':>38}  queries"
    )
    for name in names:
        cells = []
        for label in ("before", "after"):
            cells.append(
                f"{med(label, name, 'cpu_mean_ms'):6.1f} + {med(label, name, 'pg_cpu_ms'):5.1f} = "
                f"{med(label, name, 'total_cpu_ms'):6.1f} ms"
            )
        queries = f"{runs['before'][0][name]['queries']} → {runs['after'][0][name]['queries']}"
        print(f"{name:20} {cells[0]:>38} {cells[1]:>38}  {queries}")
    if {"healthz", "api_schools", "api_municipalities"} <= set(names):
        # the minimal view is the same code on both sides: its CPU pooled over every round
        pooled = statistics.median(run["healthz"]["total_cpu_ms"] for label in runs for run in runs[label])
        for label in ("before", "after"):
            base = med(label, "healthz", "total_cpu_ms")
            api = [med(label, n, "total_cpu_ms") for n in ("api_schools", "api_schools", "api_municipalities")]
            if all(api):
                mix = statistics.fmean(api)
                print(
                    f"{label}: API lists (the load benchmark's mix) ÷ minimal view = {100 * base / mix:.0f} % "
                    f"(minimal view of the same rounds), {100 * pooled / mix:.0f} % (pooled over both sides)"
                )


if __name__ == "__main__":
    main()
