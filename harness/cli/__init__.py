"""The `dit` command.

Exit codes: 0 every requested check passed; 1 some check failed; 2 usage or I/O error. Each command's --help
gives its examples and what its exit codes mean for it (common.notes).
Errors are one line (what, where, how to fix); --debug shows the traceback.

One module per command group; each adds its own subcommands (`register`) next to what they run.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import sys
from collections.abc import Callable

from harness.cli import catalogue, duis, gbcs, han, lab, phase, pki, run, scenarios, selfcheck, utrn
from harness.cli.common import EXIT_OK, CommandParser, Commands, notes
from harness.errors import DitError

_GROUPS: tuple[Callable[[Commands], None], ...] = (
    run.register, scenarios.register, gbcs.register, duis.register, selfcheck.register, pki.register,
    lab.register, han.register, phase.register, utrn.register, catalogue.register)
"""Each module's subcommands, in the order `dit --help` lists them."""


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="dit", description="Device Integration Testing for GB smart metering: the DIT business scenarios on "
                                "an emulated or a real lab, the phase ledger, and the Test Phase Completion Report. "
                                "`python -m harness` is the same command.",
        epilog=notes([("dit run -n auto", "the business scenarios on the emulated lab, one worker per core"),
                      ("dit report", "the Test Phase Completion Report of the phase ledger (reports/phase.db)"),
                      ("dit issue raise --title TEXT --severity 2 --owner DSP --execution ID",
                       "a test issue linked to the execution a run named"),
                      ("dit run --help", "a command's options, examples and exit codes")],
                     {0: "the command did what was asked and every check it made passed",
                      1: "a check failed: a scenario, a criterion, a signature; what was recorded is kept",
                      2: "bad input: a flag, file, config or ledger that cannot be used, said in one line (what, "
                         "where, how to fix it)"}))
    parser.add_argument("--version", action="version", version=f"dit {_version()}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=CommandParser)
    for register in _GROUPS:
        register(commands)
    return parser


def _version() -> str:
    """This installation's release, as its package metadata has it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dit-harness")
    except PackageNotFoundError:        # a checkout on PYTHONPATH, never installed
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        # dit as the program (not called from Python with its arguments): what is left when it exits is freed by the
        # process's end, not walked by the cyclic collector first (dit report: 0.1 s over its 20,000 records)
        atexit.register(gc.freeze)
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
