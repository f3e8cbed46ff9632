"""`dit scenarios`: the business scenario variants and their SR sequences; with --casts, the tests a run plans
of each: its targets and the casts (which device plays each role it names, harness.lab.casts) on each."""

from __future__ import annotations

import argparse
import json
import sys

from harness.cli.common import EXIT_OK, Commands, notes, target_options


def register(commands: Commands) -> None:
    scen = commands.add_parser("scenarios", help="list the business scenario variants and their SR sequences")
    scen.add_argument("--json", action="store_true")
    scen.add_argument("--casts", action="store_true",
                      help="the tests `dit run` with the same --lab/--baseline/--test-set/--matrix plans of each "
                           "variant: its targets and, on each, its casts (which device plays each role it names)")
    scen.add_argument("--lab", metavar="FILE", help="with --casts: lab config (default lab_configs/emulated.yaml)")
    target_options(scen, "with --casts: ")
    scen.epilog = notes([
        ("dit scenarios",
         "the scenario variants and their SR sequences"),
        ("dit scenarios --json",
         "the same as JSON, with the alerts each variant waits for and those it asserts absent"),
        ("dit scenarios --casts --matrix",
         "each variant's tests: targets, casts, who plays each role"),
    ], {
        0: "listed",
        2: "bad input: a feature file, lab config, baseline or test set that cannot be used",
    })
    scen.set_defaults(func=cmd_scenarios)


def cmd_scenarios(args: argparse.Namespace) -> int:
    from harness import scenarios
    from harness.errors import DitError

    if not args.casts and (args.lab or args.baseline or args.test_set or args.matrix):
        raise DitError("--lab, --baseline, --test-set and --matrix choose the targets of --casts",
                       where="dit scenarios", fix="add --casts")
    if args.casts:
        return _casts(args)
    variants = scenarios.discover()
    if args.json:
        json.dump([v.as_dict() for v in variants], sys.stdout, indent=2)
        sys.stdout.write("\n")
        _alert_coverage(variants)
        return EXIT_OK
    for v in variants:
        srs = " ".join(s["sr"] for s in v.steps if "sr" in s)
        print(f"{v.id}  [{v.priority or '-'}{', business critical' if v.business_critical else ''}]  {srs}")
    print(f"{len(variants)} scenario variants in {len({v.family for v in variants})} families", file=sys.stderr)
    _alert_coverage(variants)
    return EXIT_OK


def _alert_coverage(variants) -> None:
    """To stderr: how many of the plan's 27 alerts the variants wait for (or assert absent), and which none does."""
    from harness import scenarios

    coverage = scenarios.alert_coverage(variants)
    missing = [code for code, ids in coverage.items() if not ids]
    print(f"{len(coverage) - len(missing)} of the plan's {len(coverage)} alerts waited for (or asserted absent)"
          + (f"; none waits for {', '.join(missing)}" if missing else ""), file=sys.stderr)


def _casts(args: argparse.Namespace) -> int:
    """Per variant, each test a run plans: target and cast (as its node id shows them), and who plays its roles."""
    from harness import scenarios
    from harness.lab import config, targets

    lab = config.load(args.lab)
    run_targets = targets.targets(lab, args.baseline, args.test_set, args.matrix)
    planned = scenarios.plan(lab, run_targets)
    by_variant: dict[str, list[scenarios.CastTest]] = {}
    for test in planned:
        by_variant.setdefault(test.variant.id, []).append(test)
    if args.json:
        json.dump([{"id": tests[0].variant.id, "family": tests[0].variant.family, "title": tests[0].variant.title,
                    "tests": [t.as_dict() for t in tests]} for tests in by_variant.values()], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for variant_id, tests in by_variant.items():
            print(variant_id)
            width = max(len(t.target.id) for t in tests)
            for t in tests:
                players = ", ".join(f"{role}: {asset}" for role, asset in t.devices.items()) or "no device named"
                print(f"  {t.target.id:<{width}}  {t.target.cast.label:<24}  {players}")
    rotated = sum(1 for t in planned if t.target.cast)
    print(f"{len(planned)} tests of {len(by_variant)} scenario variants on {len(run_targets)} targets "
          f"({len(planned) - rotated} as named, {rotated} in another cast)", file=sys.stderr)
    return EXIT_OK
