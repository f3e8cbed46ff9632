"""Wall time of the whole DIT catalogue (every variant of every family) on the emulated lab.

Runs `dit run` as a test engineer does -- a fresh test SMKI first (generated on first use), then again
with it in place -- and prints the wall time of each run, the Service Requests sent, the virtual time
the scenarios covered, and per family the same from summary.json, plus the peak memory of the run.

Run:  .venv/bin/python benchmarks/bench_catalogue.py [--runs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from scratch import scratch_folder


def run_catalogue(report: Path, smki: Path) -> tuple[float, dict, int]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "harness.cli", "run", "--report-dir", str(report)],
                            capture_output=True, text=True, env={**os.environ, "DIT_SMKI": str(smki)})
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"dit run failed (exit {result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-2000:]}")
    return wall, json.loads((report / "summary.json").read_text()), result.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="runs (the first one generates the SMKI)")
    args = parser.parse_args()
    base = scratch_folder("dit-bench-catalogue-")
    smki = base / "smki"
    summary = {}
    for n in range(1, args.runs + 1):
        wall, summary, _ = run_catalogue(base / f"run{n}", smki)
        totals = summary["totals"]
        kind = "fresh SMKI" if n == 1 else "SMKI in place"
        print(f"run {n} ({kind}): {wall:6.2f} s wall for {sum(totals.values())} scenarios "
              f"({totals['passed']} passed, {totals['failed']} failed)")
    families = summary["families"]
    srs = sum(f["service_requests"] for f in families.values())
    virtual = sum(f["virtual_s"] for f in families.values())
    print(f"last run: {srs} Service Requests, {dt.timedelta(seconds=int(virtual))} of virtual time, "
          f"peak memory {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MiB")
    print(f"\n{'family':20} {'scenarios':>9} {'SRs':>6} {'wall s':>8} {'virtual':>16}")
    for name, family in families.items():
        print(f"{name:20} {family['scenarios']:>9} {family['service_requests']:>6} {family['wall_s']:>8.2f} "
              f"{str(dt.timedelta(seconds=int(family['virtual_s']))):>16}")


if __name__ == "__main__":
    main()
