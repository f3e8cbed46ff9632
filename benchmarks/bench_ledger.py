"""What the phase ledger costs a run on SQLite: open a new ledger, plan 2,000 tests, record 2,000 executions with
one commit each (as `dit run` does, each the moment it ends), read them back (as `dit run` and the report do),
and open the full ledger again (as every later `dit` command does). Only the Ledger's public methods are used, so
the same script measures any release. Also what importing the ledger costs a `dit` command that opens one.

    .venv/bin/python benchmarks/bench_ledger.py [--executions 2000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness.ledger import ExecutionRecord, Ledger, Part, Participant, PlannedTest


def _planned(n: int) -> PlannedTest:
    return PlannedTest(f"features/f{n % 18}.feature::s{n}[B6-SB11-core]", f"family{n % 18}/s{n}", f"Scenario {n}",
                       f"family{n % 18}", ["ESME", "DIT.1"], "High", n % 2 == 0, ["DIT.1", "DIT.4"], "B6",
                       "SB11-core", "CHTS v1.1 Single Band", False, "functional", "R2.0", "R2.0", "CHTS v1.1",
                       "SMETS2 v3.0", ["ESME-1", "GSME-1", "IHD-1"])


def _execution(run: int, test: PlannedTest, n: int) -> ExecutionRecord:
    return ExecutionRecord(run, test.node, test.scenario_id, "failed" if n % 20 == 0 else "passed",
                           f"2026-11-21T10:{n // 60 % 60:02d}:{n % 60:02d}+00:00", test.baseline, test.test_set,
                           test.ch_variant, test.devices, duration_s=0.25, virtual_s=300.0, service_requests=12,
                           error="response code E19" if n % 20 == 0 else None, evidence=f"evidence/{test.node}",
                           participants=[Participant("ESME-1", "ESME", (Part.ANSWERED,))], alerts=["0x8F1C"])


def once(folder: Path, executions: int) -> dict[str, float]:
    dsn = f"sqlite:///{folder / 'phase.db'}"
    tests = [_planned(n) for n in range(executions)]
    t0 = time.perf_counter()
    with Ledger(dsn) as book:
        t1 = time.perf_counter()
        run = book.start_run("emulated", "--matrix", [])
        book.plan(run, tests)
        t2, c2 = time.perf_counter(), time.process_time()
        for n, test in enumerate(tests):
            book.record_execution(_execution(run, test, n))
        t3, c3 = time.perf_counter(), time.process_time()
        book.finish_run(run)
    t4 = time.perf_counter()
    with Ledger(dsn, create=False) as book:
        t5 = time.perf_counter()
        read = book.executions()
        t6 = time.perf_counter()
        assert len(read) == executions and len(book.planned()) == executions
    # the CPU this process spent recording: what the ledger's code costs, apart from waiting for the disk's fsync
    return {"create": t1 - t0, "plan": t2 - t1, "record": t3 - t2, "record_cpu": c3 - c2, "open": t5 - t4,
            "read": t6 - t5}


def import_seconds() -> float:
    """The CPU a fresh interpreter spends importing harness.ledger, less one importing nothing."""
    def run(code: str) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", code], check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

    return min(run("import harness.ledger") for _ in range(5)) - min(run("pass") for _ in range(5))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            for name, seconds in once(Path(tmp), args.executions).items():
                figures.setdefault(name, []).append(seconds)
    n = args.executions
    best = {name: min(values) for name, values in figures.items()}
    print(f"{n:,} executions on SQLite, best of {args.repeat} (median in brackets):")
    print(f"  new ledger  {best['create'] * 1000:7.1f} ms ({statistics.median(figures['create']) * 1000:.1f})")
    print(f"  plan        {best['plan'] * 1000:7.1f} ms ({statistics.median(figures['plan']) * 1000:.1f})")
    print(f"  record      {best['record']:7.2f} s  ({statistics.median(figures['record']):.2f}), "
          f"{best['record'] / n * 1e6:.0f} us an execution, one commit each; CPU {best['record_cpu']:.2f} s "
          f"({best['record_cpu'] / n * 1e6:.0f} us an execution)")
    print(f"  open again  {best['open'] * 1000:7.1f} ms ({statistics.median(figures['open']) * 1000:.1f})")
    print(f"  read back   {best['read'] * 1000:7.1f} ms ({statistics.median(figures['read']) * 1000:.1f})")
    print(f"  import harness.ledger {import_seconds() * 1000:.0f} ms CPU (best of 5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
