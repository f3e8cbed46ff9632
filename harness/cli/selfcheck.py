"""`dit selfcheck`: build, sign and check every DIT SR with this installation's keys."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.cli.common import Commands, notes, output_dir


def register(commands: Commands) -> None:
    selfcheck = commands.add_parser("selfcheck",
                                    help="build, sign and check every DIT SR with this installation's keys")
    selfcheck.add_argument("--report-dir", default="reports")
    selfcheck.add_argument("--schema", metavar="XSD", help="DUIS schema (default: $DIT_DUIS_XSD or ../shared)")
    selfcheck.epilog = notes([
        ("dit selfcheck",
         "build, sign and check every DIT SR with this installation's keys"),
        ("dit selfcheck --schema duis.xsd --report-dir /tmp/selfcheck",
         "against a given DUIS schema"),
    ], {
        0: "every check passed",
        1: "a check failed (listed)",
        2: "bad input: a schema or --report-dir that cannot be used",
    })
    selfcheck.set_defaults(func=cmd_selfcheck)


def cmd_selfcheck(args: argparse.Namespace) -> int:
    from harness.selfcheck import run_selfcheck

    return run_selfcheck(report_dir=output_dir(Path(args.report_dir), "--report-dir"), schema_path=args.schema)
