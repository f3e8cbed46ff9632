"""`dit pki init`: the test SMKI and its credentials."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.cli.common import EXIT_OK, Commands, emit, group, notes


def register(commands: Commands) -> None:
    pki = group(commands, "pki", "test SMKI")
    init = pki.add_parser("init", help="create (or load) the test SMKI and list its credentials")
    init.add_argument("directory", nargs="?", help="keystore directory (default $DIT_SMKI or .dit/smki)")
    init.add_argument("--json", action="store_true")
    init.epilog = notes([
        ("dit pki init",
         "create (or load) the test SMKI in $DIT_SMKI or .dit/smki and list its credentials"),
        ("dit pki init /tmp/smki --json",
         "in another directory, as JSON"),
    ], {
        0: "created or loaded",
        2: "bad input: a directory that cannot be written",
    })
    init.set_defaults(func=cmd_pki_init)


def cmd_pki_init(args: argparse.Namespace) -> int:
    from harness.pki import SMKI, default_directory

    directory = Path(args.directory) if args.directory else default_directory()
    smki = SMKI.open(directory)
    rows = []
    # The keystore holds a party's credential by its entity ID and usage: each has both.
    parties = [(c.eui, c.usage, c) for c in smki.keystore.credentials() if c.eui is not None and c.usage is not None]
    for eui, usage, cred in sorted(parties, key=lambda p: (bytes(p[0]), p[1].value)):
        subject = cred.certificate.subject.rfc4514_string() if cred.certificate else ""
        rows.append({"eui": eui.duis, "usage": usage.value, "private_key": cred.private_key is not None,
                     "subject": subject, "file": str(cred.path) if cred.path else None})
    emit(args, rows, lambda r: f"{r['eui']}  {r['usage']:6} {'key ' if r['private_key'] else 'cert'}  {r['subject']}")
    if not args.json:
        print(f"test SMKI in {directory}: {len(rows)} credentials", file=sys.stderr)
    return EXIT_OK
