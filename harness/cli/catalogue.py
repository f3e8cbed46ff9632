"""`dit catalogue`: the DUIS Service Requests."""

from __future__ import annotations

import argparse

from harness import catalogue
from harness.cli.common import EXIT_OK, Commands, Row, emit, notes


def register(commands: Commands) -> None:
    cat = commands.add_parser("catalogue", help="list DUIS Service Requests")
    cat.add_argument("srv", nargs="*", metavar="SRV")
    cat.add_argument("--json", action="store_true")
    cat.epilog = notes([
        ("dit catalogue",
         "every DUIS Service Request"),
        ("dit catalogue 8.11 6.15.1 --json",
         "what the catalogue knows about two SRs"),
    ], {
        0: "listed",
        2: "bad input: an SR the catalogue has not",
    })
    cat.set_defaults(func=cmd_catalogue)


def cmd_catalogue(args: argparse.Namespace) -> int:
    wanted = [catalogue.service_request(s) for s in args.srv] if args.srv else catalogue.service_requests()
    rows = [{"srv": s.srv, "name": s.name, "critical": s.critical,
             "command_variants": sorted(int(v) for v in s.command_variants),
             "future_dated": s.future_dated.value, "non_device": s.non_device,
             "roles": sorted(r.value for r in s.roles), "targets": [t.value for t in s.targets],
             "use_cases": {u.name: [f"0x{c:04X}" for c in u.message_codes] for u in s.use_cases}}
            for s in wanted]

    def line(r: Row) -> str:
        crit = "critical" if r["critical"] else "        "
        cvs = ",".join(map(str, r["command_variants"]))
        return f"{r['srv']:7} {crit} CV {cvs:8} {'/'.join(r['roles']) or '-':18} {r['name']}"

    emit(args, rows, line)
    return EXIT_OK
