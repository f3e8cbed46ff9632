"""What a scenario costs beyond its Service Requests: the default run's wall and CPU time, peak memory, memory
growth per scenario, and start-up.

- `dit --help` and `dit run --help`: start-up, median of --runs;
- `dit run` with no selection (every scenario on B6, in each cast the plan gives it), with `-n 2` (--workers):
  wall and CPU time (all processes), median of --runs; the peak RSS of the controller and of each worker;
- each variant of the plan once, in its first cast (`-k` leaves out issue 17's rotated casts): the default run as
  it was when issue 19 set its 10 s, timed as the default run is;
- the same run serial (--workers 0), once: its peak RSS and how the RSS grows per scenario (a least-squares slope
  of the RSS after each scenario, from the 11th on: what a finished scenario leaves behind);
- with --matrix also the serial matrix's peak RSS, against a single family's (-m FAMILY).

Every `dit` runs as a user's Python runs it, reading the bytecode it cached (PYTHONDONTWRITEBYTECODE is cleared
for them: with it set, as in this machine's sessions, each process compiled harness from source and pytest rewrote
the plugin and steps again, about 0.45 s of CPU a process, three processes a run with -n 2).
Each process's figures come from this file loaded as a pytest plugin (-p bench_scenarios) in the run: its
peak RSS at the end (getrusage) and, serial, its RSS after each scenario's teardown (/proc/self/statm).

Run:  .venv/bin/python benchmarks/bench_scenarios.py [--runs N] [--workers N] [--matrix] [--family NAME]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

from scratch import scratch_folder

PROBE_ENV = "DIT_BENCH_PROBE"          # the file the plugin below appends its figures to, one JSON a line
SLOW_END_S = 1.0                        # a run's end this long after its last scenario is shown process by process
_PAGE = os.sysconf("SC_PAGE_SIZE")


# -- the plugin, in each pytest process of a run --------------------------------------------------------------------

def _note(**figures) -> None:
    with open(os.environ[PROBE_ENV], "a", encoding="utf-8") as out:
        out.write(json.dumps({"pid": os.getpid(), **figures}) + "\n")


def pytest_runtest_teardown(item, nextitem) -> None:
    if PROBE_ENV in os.environ:
        with open("/proc/self/statm") as statm:
            rss = int(statm.read().split()[1]) * _PAGE
        _note(rss_after=rss)


def pytest_unconfigure(config) -> None:
    if PROBE_ENV in os.environ:
        role = "worker" if hasattr(config, "workerinput") else "controller"
        _note(role=role, peak_rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, ended=time.time())


# -- the benchmark --------------------------------------------------------------------------------------------------

def _dit(args: list[str], report: Path | None = None, probe: Path | None = None) -> tuple[float, int, str]:
    """One `dit` command: (wall s, exit code, output tail)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent),
                                                                     os.environ.get("PYTHONPATH")]))}
    # as a user's Python runs dit: with the bytecode it cached (a fresh checkout's first run writes it). Without
    # it, every process of every run compiles harness from source: about 0.45 s of CPU a process on this machine
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if probe is not None:
        env[PROBE_ENV] = str(probe)
    argv = [sys.executable, "-m", "harness.cli", *args]
    if report is not None:
        argv += ["--report-dir", str(report), "--", "-p", "bench_scenarios"]
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    return time.perf_counter() - start, result.returncode, result.stdout.decode(errors="replace")[-2000:]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(base: Path, name: str, args: list[str]) -> dict:
    """`dit run ARGS` once, with its figures."""
    probe = base / f"{name}.jsonl"
    before, launched = _children_cpu(), time.time()
    wall, code, tail = _dit(["run", *args], base / name, probe)
    cpu = _children_cpu() - before
    if code != 0:
        sys.exit(f"dit run {' '.join(args)} failed (exit {code}):\n{tail}")
    lines = [json.loads(line) for line in probe.read_text().splitlines()]
    summary = json.loads((base / name / "summary.json").read_text())
    with contextlib.closing(sqlite3.connect(base / name / "phase.db")) as ledger:
        first, last = ledger.execute("SELECT min(started_at), max(finished_at) FROM executions").fetchone()
    last_ended = dt.datetime.fromisoformat(last).timestamp()
    if launched + wall - last_ended > SLOW_END_S:     # who was still there: each process's pytest end, from the last
        print(f"  dit run {' '.join(args)}: {launched + wall - last_ended:.1f} s from the last scenario's end to its "
              "exit; pytest ended " + ", ".join(f"{n['role']} {n['pid']} +{n['ended'] - last_ended:.1f} s"
                                                for n in lines if "ended" in n))
    return {"wall": wall, "cpu": cpu, "scenarios": sum(n for k, n in summary["totals"].items() if k != "not_run"),
            # the wall time before the first scenario began (start-up) and after the last ended (the run's end)
            "before_first": dt.datetime.fromisoformat(first).timestamp() - launched,
            "after_last": launched + wall - last_ended,
            "controller": max((n["peak_rss"] for n in lines if n.get("role") == "controller"), default=0),
            "workers": [n["peak_rss"] for n in lines if n.get("role") == "worker"],
            "rss_after": [n["rss_after"] for n in lines if "rss_after" in n]}


def _variants_once() -> tuple[list[str], int]:
    """`-k` that leaves out the rotated casts (`dit scenarios --casts`: the tests with a cast), and how many tests
    are left: each variant once."""
    listing = json.loads(subprocess.run([sys.executable, "-m", "harness.cli", "scenarios", "--casts", "--json"],
                                        check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout)
    tests = [t for variant in listing for t in variant["tests"]]
    casts = sorted({t["target"] for t in tests if t["cast"]})
    return ["-k", " and ".join(f"not {target}" for target in casts)], sum(not t["cast"] for t in tests)


def _timed(runs: list[dict], what: str) -> None:
    walls, cpus = [r["wall"] for r in runs], [r["cpu"] for r in runs]
    print(f"{what}: {runs[0]['scenarios']} scenarios, {statistics.median(walls):.1f} s wall median of {len(runs)} "
          f"(min {min(walls):.1f}, max {max(walls):.1f}), {statistics.median(cpus):.1f} s CPU (all processes)")


def _slope(values: list[int]) -> float:
    """Least-squares growth per step of values."""
    if len(values) < 2:
        return 0.0
    xs = range(len(values))
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(values)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, values)) / sum((x - mean_x) ** 2 for x in xs)


def _mb(n: float) -> str:
    return f"{n / 2 ** 20:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of the default selection (median)")
    parser.add_argument("--workers", type=int, default=2, help="-n for the timed runs (0: serial)")
    parser.add_argument("--matrix", action="store_true", help="also the serial matrix against one family")
    parser.add_argument("--family", default="install_commission", help="the family the matrix is held to")
    args = parser.parse_args()
    base = scratch_folder("dit-bench-scenarios-")
    os.environ.setdefault("DIT_SMKI", str(base / "smki"))

    for command in (["--help"], ["run", "--help"]):
        walls = sorted(_dit(command)[0] for _ in range(max(args.runs, 3)))
        print(f"start-up: dit {' '.join(command):10} {statistics.median(walls):.2f} s wall (median of {len(walls)})")

    _run(base, "warm-up", ["-m", args.family])          # makes the test SMKI, warms the file cache
    workers = ["-n", str(args.workers)] if args.workers else []
    runs = [_run(base, f"default-{n}", workers) for n in range(args.runs)]
    _timed(runs, f"default run (dit run {' '.join(workers)})")
    print(f"  before the first scenario began {statistics.median(r['before_first'] for r in runs):.1f} s, after "
          f"the last ended {statistics.median(r['after_last'] for r in runs):.1f} s (wall, median)")
    print(f"  peak RSS: controller {_mb(statistics.median(r['controller'] for r in runs))}"
          + (f", workers {', '.join(_mb(w) for w in runs[-1]['workers'])}" if runs[-1]["workers"] else ""))

    once, variants = _variants_once()
    first_casts = [_run(base, f"variants-{n}", [*workers, *once]) for n in range(args.runs)]
    if first_casts[0]["scenarios"] != variants:
        sys.exit(f"-k {once[1]!r} ran {first_casts[0]['scenarios']} scenarios, not the plan's {variants} variants")
    _timed(first_casts, f"each variant once, in its first cast (dit run {' '.join(workers)} -k 'not <cast>...')")

    serial = _run(base, "serial", [])
    rss = serial["rss_after"]
    print(f"serial default run: {serial['wall']:.1f} s wall, {serial['cpu']:.1f} s CPU, peak RSS "
          f"{_mb(serial['controller'])}; {serial['before_first']:.1f} s before the first scenario; RSS after the "
          f"first scenario {_mb(rss[0]) if rss else '-'}, after the last {_mb(rss[-1]) if rss else '-'}; "
          f"growth per scenario {_slope(rss[10:]) / 2 ** 20:.2f} MB "
          f"(least squares, scenarios 11-{len(rss)})")

    if args.matrix:
        family = _run(base, "family", ["-m", args.family])
        matrix = _run(base, "matrix", ["--matrix"])
        print(f"serial matrix: {matrix['scenarios']} scenarios, {matrix['wall']:.0f} s wall, peak RSS "
              f"{_mb(matrix['controller'])}; one family ({args.family}, {family['scenarios']} scenarios) "
              f"{_mb(family['controller'])}: {matrix['controller'] / family['controller']:.2f}x; growth per scenario "
              f"{_slope(matrix['rss_after'][10:]) / 2 ** 20:.3f} MB")


if __name__ == "__main__":
    main()
