"""`dit scenarios`: the business scenario variants and their SR sequences."""

from __future__ import annotations

import argparse
import json
import sys

from harness.cli.common import EXIT_OK, Commands


def register(commands: Commands) -> None:
    scen = commands.add_parser("scenarios", help="list the business scenario variants and their SR sequences")
    scen.add_argument("--json", action="store_true")
    scen.set_defaults(func=cmd_scenarios)


def cmd_scenarios(args: argparse.Namespace) -> int:
    from harness import scenarios

    variants = scenarios.discover()
    if args.json:
        json.dump([v.as_dict() for v in variants], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    for v in variants:
        srs = " ".join(s["sr"] for s in v.steps if "sr" in s)
        print(f"{v.id}  [{v.priority or '-'}{', business critical' if v.business_critical else ''}]  {srs}")
    print(f"{len(variants)} scenario variants in {len({v.family for v in variants})} families", file=sys.stderr)
    return EXIT_OK
