"""The `dit` command.

Exit codes: 0 every requested check passed; 1 some check failed; 2 usage or I/O error.
Errors are one line (what, where, how to fix); --debug shows the traceback.

One module per command group; each adds its own subcommands (`register`) next to what they run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from harness.cli import catalogue, duis, gbcs, han, lab, phase, pki, run, scenarios, selfcheck, utrn
from harness.cli.common import EXIT_OK, CommandParser, Commands
from harness.errors import DitError

_GROUPS: tuple[Callable[[Commands], None], ...] = (
    run.register, scenarios.register, gbcs.register, duis.register, selfcheck.register, pki.register,
    lab.register, han.register, phase.register, utrn.register, catalogue.register)
"""Each module's subcommands, in the order `dit --help` lists them."""


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(prog="dit", description="Device Integration Testing for GB smart metering")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=CommandParser)
    for register in _GROUPS:
        register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        code: int = args.func(args)
        return code
    except DitError as exc:
        if debug:
            raise
        print(f"dit: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("dit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
