"""`dit lab`: lab configs and their Device Asset Library: check, serve an emulated test set as a bench, the
DIT device selection, and device suspensions."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from harness.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    Commands,
    Row,
    emit,
    group,
    ledger_listing,
    notes,
    open_ledger,
    output_dir,
    positive_number,
)
from harness.errors import DitError


def register(commands: Commands) -> None:
    lab = group(commands, "lab", "lab configs and their Device Asset Library")
    check = lab.add_parser("check", help="validate lab configs, their Device Asset Library and device profiles")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--offline", action="store_true",
                       help="the config's shape only: open no serial port, contact no endpoint")
    check.epilog = notes([
        ("dit lab check lab_configs/emulated.yaml",
         "every problem, one line each: file:line field: what (fix)"),
        ("dit lab check bench1.yaml",
         "a real bench: endpoint reachable over mutual TLS, keys, ports, sniffers"),
        ("dit lab check bench1.yaml --offline",
         "the config's shape only"),
    ], {
        0: "every config is usable and its Device Asset Library complete",
        1: "a problem is listed: an unusable asset, a bad reference, a missing data item, an unreachable bench",
        2: "bad input: a file that is not a lab config (not YAML, an unknown field)",
    })
    check.set_defaults(func=cmd_lab_check)
    select = lab.add_parser("select", help="the DIT device selection requirements against the lab's DAL")
    select.add_argument("file", nargs="?", default=None, metavar="FILE")
    select.add_argument("--json", action="store_true")
    select.epilog = notes([
        ("dit lab select",
         "DIT.1-6, 9, 10, 12 against the emulated lab's Device Asset Library"),
        ("dit lab select bench1.yaml --json",
         "a real lab's, as JSON"),
    ], {
        0: "no device selection requirement is not met",
        1: "a device selection requirement is not met",
        2: "bad input: a lab config that cannot be read, or one without a Device Asset Library",
    })
    select.set_defaults(func=cmd_lab_select)
    suspend = lab.add_parser("suspend", help="suspend a device (never a CH) on one of the DIT approach's four "
                                                       "suspension conditions")
    suspend.add_argument("asset", help="the device's name in the Device Asset Library")
    suspend.add_argument("--condition", type=int, required=True, choices=(1, 2, 3, 4),
                         help="1 I&C failed on the device; 2 cannot be put in credit/prepayment mode; "
                              "3 damaged and dangerous; 4 bricked or frozen")
    suspend.add_argument("--reason", required=True, help="what triage found")
    suspend.add_argument("--lab", metavar="FILE")
    suspend.add_argument("--ledger", metavar="DSN")
    suspend.epilog = notes([
        ("dit lab suspend GSME-78-1-alder --condition 1 --reason 'bricked by firmware 00030001'",
         "its scenarios are blocked until it is resumed"),
        ("dit lab suspend ESME-78-1-alder --condition 4 --reason 'no response' --ledger sqlite:///r/phase.db",
         "in another ledger"),
    ], {
        0: "suspended (a new ledger is said with where it was made)",
        2: "bad input: an asset the DAL has not, a Communications Hub, a ledger that cannot be used",
    })
    suspend.set_defaults(func=cmd_lab_suspend)
    resume = lab.add_parser("resume", help="resume a suspended device once its fix is approved by the CRB")
    resume.add_argument("asset")
    resume.add_argument("--fix", required=True, metavar="REF", help="the change release board approval reference")
    resume.add_argument("--ledger", metavar="DSN")
    resume.epilog = notes([
        ("dit lab resume GSME-78-1-alder --fix CR-0042",
         "after the change release board approved the fix"),
    ], {
        0: "resumed",
        2: "bad input: no ledger, or no active suspension of that device",
    })
    resume.set_defaults(func=cmd_lab_resume)
    ledger_listing(lab, "suspensions", "list suspensions, active and resumed", cmd_lab_suspensions, notes([
        ("dit lab suspensions", "each suspension: the device, its condition, active or resumed with its fix"),
        ("dit lab suspensions --json", "as JSON"),
    ], {0: "listed", 2: "bad input: no phase ledger at the path, or a database that is not one"}))
    serve = lab.add_parser("serve", help="serve emulated test sets as the benches of a real lab (each a mutual TLS "
                                         "DCC, serial consoles, ZEP sniffers) and write its real-lab config")
    serve.add_argument("--lab", metavar="FILE", help="an emulated lab config (default lab_configs/emulated.yaml)")
    serve.add_argument("--test-set", action="append", help="a test set to serve (default the first); repeated, "
                       "each on a bench with a DCC of its own, one lab config naming them all (dcc.benches)")
    serve.add_argument("--out", default="reports/bench", help="where lab.yaml, tls/ and smki/ go")
    serve.add_argument("--time-scale", type=positive_number, default=20.0,
                       help="bench seconds per wall second (a finite number above 0)")
    serve.epilog = notes([
        ("dit lab serve --out /tmp/bench",
         "the first test set as a real bench; then dit run --lab /tmp/bench/lab.yaml"),
        ("dit lab serve --test-set DB11-core --time-scale 50",
         "another test set, its clock 50 times wall time"),
        ("dit lab serve --test-set SB11-core --test-set DB11-core",
         "two benches of one lab, e.g. for dit run --test-set SB11-core --test-set DB11-core -n 2"),
    ], {
        0: "served until Ctrl-C or SIGTERM",
        2: "bad input: a lab config, test set or --out that cannot be used",
    })
    serve.set_defaults(func=cmd_lab_serve)


def cmd_lab_check(args: argparse.Namespace) -> int:
    from harness.lab import config

    failed = False
    for path in args.files:
        problems = config.check(path, reachable=not args.offline)
        for line in problems:
            print(line)
        if problems:
            failed = True
        else:
            lab = config.load(path)
            assets = len(lab.asset_library.devices) + len(lab.asset_library.hubs) if lab.asset_library else 0
            bench = ""
            if lab.bench:
                reached = "" if args.offline else " open, DCC endpoint answers"
                bench = f", {len(lab.bench.serial_ports)} serial ports, {len(lab.bench.sniffers)} sniffers{reached}"
            print(f"{path}: ok ({len(lab.premises)} test sets, {assets} assets{bench})", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def cmd_lab_serve(args: argparse.Namespace) -> int:
    import signal

    from harness.duis import schema as duis_schema
    from harness.lab.served import ServedBench, ServedLab
    from harness.pki import SMKI, default_directory

    out = output_dir(Path(args.out), "--out")
    found = duis_schema.locate()
    smki, schema = SMKI.open(default_directory()), duis_schema.load(found) if found else None
    bench: ServedBench | ServedLab
    if len(args.test_set or ()) > 1:
        bench = ServedLab(args.lab, out, smki=smki, schema=schema, test_sets=args.test_set,
                          time_scale=args.time_scale).start()
        served = ", ".join(f"test set {name}, DCC {each.lab.dcc.url}" for name, each in bench.benches.items())
    else:
        bench = ServedBench(args.lab, out, smki=smki, schema=schema, test_set=(args.test_set or [None])[0],
                            time_scale=args.time_scale).start()
        served = f"test set {bench.site.name}, DCC {bench.lab.dcc.url}"
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    print(f"bench ready: {bench.config_file} ({served}, clock x{bench.time_scale:g}); Ctrl-C stops it", flush=True)
    stopped.wait()
    bench.stop()
    print(f"bench stopped after {bench.resets} resets", file=sys.stderr)
    return EXIT_OK


def cmd_lab_suspend(args: argparse.Namespace) -> int:
    from harness.lab import config

    lab = config.load(args.lab)
    asset = lab.asset_library.device(args.asset) if lab.asset_library else None
    if asset is None:
        hub = lab.asset_library.hub(args.asset) if lab.asset_library else None
        raise DitError(f"{args.asset} is a Communications Hub" if hub else f"no device {args.asset!r} in the "
                       "lab's Device Asset Library", where=lab.source,
                       fix="DIT suspends devices, never a CH" if hub else "give an asset name from the DAL")
    with open_ledger(args) as book:
        print(book.suspend(asset.name, asset.device_type.value, args.condition, args.reason).summary)
        if book.all_suspended(lab.meter_assets()):
            print("every meter of the lab is suspended: DIT is suspended until a fix is implemented (DIT.R.12)")
    return EXIT_OK


def cmd_lab_resume(args: argparse.Namespace) -> int:
    with open_ledger(args, create=False) as book:
        book.resume(args.asset, args.fix)
        print(f"{args.asset} resumed with fix {args.fix}")
    return EXIT_OK


def cmd_lab_suspensions(args: argparse.Namespace) -> int:
    with open_ledger(args, create=False) as book:
        rows = [{"asset": s.asset, "device_type": s.device_type, "condition": s.condition, "reason": s.reason,
                 "suspended_at": s.suspended_at, "resumed_at": s.resumed_at, "fix": s.fix_reference}
                for s in book.suspensions()]

    def line(r: Row) -> str:
        state = f"resumed {r['resumed_at']} ({r['fix']})" if r["resumed_at"] else "ACTIVE"
        return f"{r['asset']:22} condition {r['condition']}  {state}  {r['reason']}"

    emit(args, rows, line)
    return EXIT_OK


def cmd_lab_select(args: argparse.Namespace) -> int:
    from harness.lab import config, selection

    problems: list[str] = []       # selection judges the DAL; a bench's missing keys do not change it
    lab = config.load(args.file, problems=problems)
    if problems:
        print(f"{lab.source}: {len(problems)} problems besides selection: `dit lab check` lists them",
              file=sys.stderr)
    if lab.asset_library is None:
        raise DitError("the lab config has no device_asset_library", where=lab.source,
                       fix="device selection is evaluated against a Device Asset Library")
    results = selection.evaluate(lab.asset_library.selected())
    rows = [{"id": r.id, "status": r.status, "reason": r.evidence, "devices": r.devices, "text": r.text}
            for r in results]
    emit(args, rows, lambda r: f"{r['id']:7} {r['status']:14} {r['reason']}")
    return EXIT_OK if all(r.status != selection.NOT_MET for r in results) else EXIT_FAILED
