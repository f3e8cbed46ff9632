"""How long `dit report` takes on a big phase: a ledger of 20,000 executions (the whole baseline matrix of the
emulated lab, 732 tests, run again and again with some failures and blocks, 60 test issues), read from
SQLite -- and from PostgreSQL when DIT_POSTGRESQL_DSN names a server to use -- judged by the criteria
engine and written as HTML, PDF and summary.json. Target (issue 19): 2.5 s on the 2-core machine.

    .venv/bin/python benchmarks/bench_report.py [--executions 20000] [--no-pdf]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import criteria, report, scenarios
from harness.lab import load, targets
from harness.ledger import ExecutionRecord, Ledger, PlannedTest

AS_OF = dt.date(2026, 11, 21)           # the day the phase is judged on (its test issues' ages)


def _plan(lab) -> list[PlannedTest]:
    """Every scenario variant on every target of the matrix, as `dit run --matrix` plans them."""
    variants = scenarios.discover()
    planned = []
    for target in targets.targets(lab, matrix=True):
        site = lab.test_set(target.test_set)
        devices = [d.asset or d.name for d in site.devices]
        for v in variants:
            if not targets.applies(v.tags, site, target.baseline):
                continue
            planned.append(PlannedTest(
                f"{v.file}::{v.id}[{target.id}]", v.id, v.title, v.family, v.tags, v.priority, v.business_critical,
                v.requirements, target.baseline.id, target.test_set, target.ch_variant,
                site.hub.han_variant == "Dual Band", target.baseline.kind, target.baseline.service_user,
                target.baseline.dsp_csp, site.hub.standard, site.meter_standard or target.baseline.meters,
                devices[: 1 + len(v.steps) % len(devices)]))
    return planned


def fill(book: Ledger, executions: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    lab = load(None)
    planned = _plan(lab)
    started = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    done = 0
    while done < executions:
        run = book.start_run(lab.name, "--matrix", [])
        book.record_devices(run, lab.device_records())
        book.plan(run, planned)
        for p in planned[: executions - done]:
            outcome = rng.choices(("passed", "failed", "blocked"), (0.93, 0.05, 0.02))[0]
            started += dt.timedelta(seconds=2)
            book.record_execution(ExecutionRecord(
                run, p.node, p.scenario_id, outcome, started.isoformat(), p.baseline, p.test_set, p.ch_variant,
                p.devices, duration_s=0.2, virtual_s=300.0, service_requests=20,
                error=None if outcome == "passed" else "response code E19", evidence=f"evidence/{p.node}"))
            done += 1
        book.finish_run(run)
    owners = ("DSP", "CSP N", "CSP C/S", "Alder Metering", "Birch Instruments")
    for n in range(60):
        issue = book.raise_issue(f"issue {n}", rng.randint(2, 5), rng.choice(owners), raised_at="2026-10-15")
        if n % 3:
            book.update_issue(issue.id, work_off_plan=f"WOP-{n}", plan_due="2026-12-01")
    book.set_phase("DIT R2.0", "2026-11-02")


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float], end: tuple[float, float]) -> str:
    return f"{end[0] - start[0]:.2f} s (CPU {end[1] - start[1]:.2f})"


def measure(dsn: str, out: Path, pdf: bool) -> None:
    """Each stage's wall and CPU time (the machine is shared: CPU is the steadier figure), as `dit report` runs
    them: the PDF's printer started first, getting WeasyPrint ready in its own process while the phase is read;
    the PDF's part is the report's wait for its pages (the printer's CPU is not this process's)."""
    printing: list[tuple[tuple[float, float], tuple[float, float], int]] = []
    t0 = _clock()
    with report.Printer() if pdf else contextlib.nullcontext() as printer:
        if printer is not None:
            print_pdf = printer.print_pdf

            def timed_pdf(html: str, path: Path) -> int:
                start = _clock()
                pages = print_pdf(html, path)
                printing.append((start, _clock(), pages))
                return pages
            printer.print_pdf = timed_pdf                   # type: ignore[method-assign]
        with Ledger(dsn) as book:
            phase = criteria.Phase.read(book, as_of=AS_OF)
        t1 = _clock()
        assessment = criteria.assess(phase)
        t2 = _clock()
        written = report.write_report(assessment, out, pdf=pdf, printer=printer)
        t3 = _clock()
    executions = sum(len(t.executions) for t in phase.tests)
    pdf_part = "".join(f" of which the PDF's wait {_since(start, end)}, {pages} pages"
                       for start, end, pages in printing)
    print(f"  {executions:,} executions of {len(phase.tests):,} tests: read {_since(t0, t1)}, criteria "
          f"{_since(t1, t2)}, report {_since(t2, t3)}{pdf_part} ({', '.join(written)}); total {_since(t0, t3)}")


def dit_report(dsn: str, out: Path, pdf: bool) -> None:
    """`dit report` as a user runs it, a process of its own: its wall time, start-up included."""
    argv = [sys.executable, "-m", "harness.cli", "report", "--ledger", dsn, "--out", str(out),
            "--as-of", AS_OF.isoformat(), *([] if pdf else ["--no-pdf"])]
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in (0, 1):         # 1: the phase cannot exit, which the report says
        sys.exit(f"dit report failed (exit {result.returncode}): {result.stderr.decode()[-500:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"  dit report, a process: {wall:.2f} s wall, {cpu:.2f} s CPU (it and its printer)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=20_000)
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        dsns = {"SQLite": f"sqlite:///{Path(tmp) / 'phase.db'}"}
        if os.environ.get("DIT_POSTGRESQL_DSN"):
            dsns["PostgreSQL"] = os.environ["DIT_POSTGRESQL_DSN"]
        else:
            print("PostgreSQL: skipped (set DIT_POSTGRESQL_DSN to an empty database to measure it)")
        for name, dsn in dsns.items():
            t0 = time.perf_counter()
            with Ledger(dsn) as book:
                if book.executions():
                    print(f"{name}: {dsn} is not empty; give an empty database", file=sys.stderr)
                    return 2
                fill(book, args.executions)
            print(f"{name}: filled in {time.perf_counter() - t0:.1f} s (one commit per execution, as a run does)")
            for attempt in (1, 2):
                measure(dsn, Path(tmp) / f"report-{name}-{attempt}", pdf=not args.no_pdf)
            dit_report(dsn, Path(tmp) / f"report-{name}-process", pdf=not args.no_pdf)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
