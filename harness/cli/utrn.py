"""`dit utrn`: vend a UTRN (prepayment top-up code) as a supplier would."""

from __future__ import annotations

import argparse
import json
import sys

from harness.cli.common import EXIT_OK, Commands, load_keystore, notes
from harness.errors import DitError


def register(commands: Commands) -> None:
    utrn = commands.add_parser("utrn", help="vend a UTRN (prepayment top-up code) as a supplier would")
    utrn.add_argument("--supplier", required=True, metavar="EUI",
                      help="the vending supplier (its Prepayment KA key makes the tag)")
    utrn.add_argument("--device", required=True, metavar="EUI", help="the meter the UTRN is for")
    counter = utrn.add_mutually_exclusive_group(required=True)
    counter.add_argument("--counter", type=int, metavar="N", help="UTRN counter, a multiple of 2^32")
    counter.add_argument("--counter-from-time", action="store_true",
                         help="counter = seconds since the epoch << 32 (a first UTRN, or one sent by SR 2.2)")
    utrn.add_argument("--amount", required=True, metavar="POUNDS", help="top-up in pounds, e.g. 10.00")
    utrn.add_argument("--value-class", choices=("pennies", "pounds"),
                      help="force the PTUT value class (default: pennies when the amount fits, else pounds)")
    utrn.add_argument("--keystore", action="append", metavar="DIR",
                      help="keystore with the supplier's pp-ka key and the device's ka certificate "
                           "(default: the test SMKI, created on first use)")
    utrn.add_argument("--json", action="store_true")
    utrn.epilog = notes([
        ("dit utrn --supplier 90-B3-D5-1F-30-01-00-00 --device 00-DB-12-34-56-78-90-A0 --counter 12884901888 "
         "--amount 10.00",
         "a UTRN as GBCS makes it"),
        ("dit utrn --supplier 90-B3-D5-1F-30-01-00-00 --device 00-DB-12-34-56-78-90-A0 --counter-from-time --amount "
         "5 --json",
         "a first UTRN, as JSON"),
    ], {
        0: "vended",
        2: "bad input: an EUI, counter or amount that cannot be used, a key the keystore has not",
    })
    utrn.set_defaults(func=cmd_utrn)


def cmd_utrn(args: argparse.Namespace) -> int:
    import datetime as dt

    from harness.eui import EntityId
    from harness.gbcs import utrn
    from harness.pki import KeyUsage

    supplier, device = EntityId(args.supplier), EntityId(args.device)
    pence = utrn.parse_amount(args.amount)
    if args.value_class == "pounds":
        if pence % 100:
            raise DitError(f"{args.amount} is not whole pounds", where="dit utrn", fix="drop --value-class pounds")
        amount = {"pounds": pence // 100}
    else:
        if args.value_class == "pennies" and pence > utrn.MAX_VALUE:
            raise DitError(f"{args.amount} is more than {utrn.MAX_VALUE} pennies", where="dit utrn",
                           fix="drop --value-class pennies")
        amount = {"amount_pence": pence}
    if args.counter_from_time:
        counter = utrn.next_utrn_counter(None, dt.datetime.now(dt.UTC))
    else:
        counter = args.counter
    keystore = load_keystore(args.keystore)
    private = keystore.private_key(supplier, KeyUsage.PREPAYMENT_KEY_AGREEMENT)
    public = keystore.public_key(device, KeyUsage.KEY_AGREEMENT)
    code = utrn.generate_utrn(supplier=supplier, device=device, counter=counter, supplier_pp_ka_private=private,
                              device_ka_public=public, **amount)
    if args.json:
        ptut = utrn.parse_utrn(code)
        json.dump({"utrn": code, "ptut": int(ptut), "counter": counter, "value_class": ptut.value_class.name.lower(),
                   "value": ptut.value}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(code)
    return EXIT_OK
