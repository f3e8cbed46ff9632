"""What the `dit` commands share: exit codes, the one-line usage error, --json or lines, the keystore, the phase
ledger, and the checks of what a flag may say and where a command may write."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

from harness.errors import DitError

if TYPE_CHECKING:
    from harness.ledger import Ledger
    from harness.pki import Keystore

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

Command: TypeAlias = Callable[[argparse.Namespace], int]
"""What a subcommand runs (`set_defaults(func=...)`): its exit code."""
Commands: TypeAlias = "argparse._SubParsersAction[CommandParser]"
"""The subcommands of `dit` or of one of its groups, which each module's `register` adds to."""
Row: TypeAlias = dict[str, Any]
"""One row a command prints: a line, or an object of its --json list."""


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's, but a command's notes (examples, exit codes) keep the lines `notes` gave them."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return text if text.startswith(_EXAMPLES) else super()._fill_text(text, width, indent)


class CommandParser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:   # one line, exit 2, like every other usage error
        # `dit` itself is not named again after the "dit: error:" the command line starts with
        raise DitError(message, where=None if self.prog == "dit" else self.prog, fix=f"see {self.prog} --help")


USAGE = "bad input: a flag, file or config that cannot be used, said in one line with how to fix it"
"""Exit code 2, the same for every command."""


_EXAMPLES = "examples:"
_NOTES_WIDTH = 78


def notes(examples: Sequence[tuple[str, str]], exits: Mapping[int, str]) -> str:
    """A command's --help epilog: examples (the command line, then what it does) and its exit codes; 2 is bad input
    unless the command says more."""
    lines = [_EXAMPLES]
    for command, what in examples:
        lines += [f"  {command}", *textwrap.wrap(what, _NOTES_WIDTH, initial_indent="      ",
                                                   subsequent_indent="      ")]
    lines += ["", "exit codes:"]
    for code, meaning in sorted({**exits, 2: exits.get(2, USAGE)}.items()):
        lines += textwrap.wrap(meaning, _NOTES_WIDTH, initial_indent=f"  {code}  ", subsequent_indent="     ")
    return "\n".join(lines)


def group(commands: Commands, name: str, help_text: str) -> Commands:
    """A command group (`dit lab`, `dit duis` ...): a subcommand is required, and misuse is one line."""
    return commands.add_parser(name, help=help_text).add_subparsers(dest=f"{name}_command", required=True,
                                                                     parser_class=CommandParser)


def target_options(parser: argparse.ArgumentParser, note: str = "") -> None:
    """--baseline, --test-set and --matrix: where scenarios run (harness.lab.targets), for dit run and dit
    scenarios --casts alike; note prefixes each help (e.g. "with --casts: ")."""
    parser.add_argument("--baseline", action="append", metavar="ID",
                        help=f"{note}release baseline of the DIT approach's Table 7 (B1-B6; default B6); repeat for "
                             "several")
    parser.add_argument("--test-set", action="append", metavar="NAME",
                        help=f"{note}test set of the lab (default: the first that fits the baseline); repeat for "
                             "several")
    parser.add_argument("--matrix", action="store_true",
                        help=f"{note}every release baseline of Table 7 on every test set that fits it")


def load_keystore(dirs: list[str] | None) -> Keystore:
    from harness.pki import SMKI, Keystore, default_directory

    if dirs:
        return Keystore.load(*dirs)
    return SMKI.open(default_directory()).keystore


def emit(args: argparse.Namespace, rows: list[Row], line: Callable[[Row], str]) -> None:
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for row in rows:
            print(line(row))


def open_ledger(args: argparse.Namespace, *, create: bool = True) -> Ledger:
    """The phase ledger: the commands that record may start one (create); those that read or change what is
    recorded only open an existing one, and never add tables to a database that is not a ledger."""
    return opened_ledger(args.ledger, create=create)


def opened_ledger(dsn: str | None, *, create: bool) -> Ledger:
    """The ledger at dsn, or (None) at the default path, reports/phase.db below where dit is run. A reader finds no
    ledger at the default path in one line naming it in full; a command that records says where it started a new
    SQLite file at the default path, so a ledger made outside the project's folder is never a surprise."""
    from harness.ledger import DEFAULT_DSN, Ledger
    from harness.ledger.database import SQLITE

    given, dsn = dsn is not None, dsn or DEFAULT_DSN
    path = Path(dsn.removeprefix(SQLITE)).absolute() if dsn.startswith(SQLITE) else None
    existed = path is None or path.exists()
    if not existed and not create and not given:
        raise DitError(f"no phase ledger at {path}", fix="run `dit run` first, or pass --ledger")
    book = Ledger(dsn, create=create)
    if not existed and not given:   # the default path, below wherever dit was run: on stderr, as stdout is data
        print(f"dit: started a new phase ledger at {path}", file=sys.stderr)
    return book


def ledger_listing(commands: Commands, name: str, help_text: str, func: Command, epilog: str | None = None) -> None:
    """A `dit ... list`-style command reading the phase ledger, as lines or --json."""
    listing = commands.add_parser(name, help=help_text, epilog=epilog)
    listing.add_argument("--ledger", metavar="DSN")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=func)


# -- what a flag may say, and where a command may write -------------------------------------------------

def positive_number(value: str) -> float:
    """A finite number above zero (a clock's speed-up): argparse turns the error into the usage line."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"{value!r} is not a finite number above 0")
    return number


def output_dir(path: Path, flag: str) -> Path:
    """A directory a command writes into, made and proved writable before any work starts: a file in its
    way or a read-only disk is one line up front, not a traceback (or a recorded run) half-way through."""
    if path.exists() and not path.is_dir():
        raise DitError(f"{flag} {path} is a file, not a directory", fix="give a directory, or a path that is free")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DitError(f"{flag} {path}: cannot make it: {exc.strerror}", fix="give a directory you can write to") \
            from None
    if reason := unwritable(path):
        raise DitError(f"{flag} {path}: cannot write there: {reason}", fix="give a directory you can write to")
    return path


def output_file(path: Path, flag: str) -> Path:
    """A file a command writes, checked like output_dir; its directory must exist (nothing is made for it)."""
    if path.is_dir():
        raise DitError(f"{flag} {path} is a directory", fix="give a file name")
    folder = path.parent
    reason = (unwritable(folder) if folder.is_dir() else
              f"{folder} is not a directory" if folder.exists() else f"no directory {folder}")
    if reason is None and path.exists() and not os.access(path, os.W_OK):
        reason = "the file is read-only"
    if reason:
        raise DitError(f"{flag} {path}: cannot write there: {reason}", fix="give a file you can write")
    return path


def write_out(path: Path, data: bytes, flag: str) -> None:
    """Write what a command made; a disk that fills up or a name taken by a folder is one line."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise DitError(f"{flag}: cannot write {path}: {exc.strerror}", fix="free some space, or give another place") \
            from None


def unwritable(directory: Path) -> str | None:
    """Why no file can be made in directory (the OS's words), or None: tried, not guessed from mode bits."""
    try:
        with tempfile.TemporaryFile(dir=directory):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)
