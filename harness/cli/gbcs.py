"""`dit gbcs`: GBCS triage: decode messages and check their signatures and MACs, and a device's response or
alert as MMC XML, as a DCC User's Parse makes it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.cli.common import EXIT_FAILED, EXIT_OK, Commands, Row, emit, group, notes, output_dir, write_out
from harness.errors import DitError


def register(commands: Commands) -> None:
    gbcs = group(commands, "gbcs", "GBCS triage tools")
    dec = gbcs.add_parser("decode", help="decode GBCS messages and check signatures and MACs")
    dec.add_argument("files", nargs="*", metavar="FILE", help="hex, base64 or binary GBCS message files")
    dec.add_argument("--hex", action="append", metavar="HEX", help="a message given on the command line")
    dec.add_argument("--keystore", action="append", metavar="DIR", help="keystore directory (repeatable)")
    dec.add_argument("--acb", default="90-B3-D5-1F-30-00-00-02", metavar="EUI",
                     help="the Access Control Broker that MACs commands (default the DCC)")
    dec.add_argument("--json", action="store_true")
    dec.epilog = notes([
        ("dit gbcs decode message.hex",
         "frame, use case, parties, counter and the payload's fields"),
        ("dit gbcs decode --keystore reports/keystore reports/evidence/*/*.gbcs",
         "signatures and MACs checked too"),
        ("dit gbcs decode --hex 'DD 00 00 00 00 00 00 81 91 ...' --json",
         "a message from the command line, as JSON"),
    ], {
        0: "every message decoded and no signature or MAC is invalid",
        1: "a message did not decode, or a signature or MAC is invalid",
        2: "bad input: no message given, a file that cannot be read",
    })
    dec.set_defaults(func=cmd_gbcs_decode)
    prs = gbcs.add_parser("parse", help="a GBCS response or alert as MMC XML, as a DCC User's Parse makes it")
    prs.add_argument("files", nargs="+", metavar="FILE",
                     help="GBCS message files (hex, base64, binary) or DUIS responses carrying sr:GBCSPayload")
    prs.add_argument("--keystore", action="append", metavar="DIR",
                     help="keystore to decrypt encrypted content with (the recipient's KA private key)")
    prs.add_argument("--srv", metavar="SRV", help="the SR the response answers, where its message code is shared")
    prs.add_argument("--out-dir", metavar="DIR", help="write <file>.mmc.xml here instead of printing")
    prs.epilog = notes([
        ("dit gbcs parse response.hex --keystore keys/",
         "MMC XML; encrypted reads decrypted with the User's KA key"),
        ("dit gbcs parse dcc-boxed-response.xml --out-dir mmc/",
         "a DUIS response carrying sr:GBCSPayload, written to mmc/"),
    ], {
        0: "parsed",
        1: "a message is not what a device sends, or its payload does not decode",
        2: "bad input: a file that cannot be read, --out-dir not writable",
    })
    prs.set_defaults(func=cmd_gbcs_parse)


def cmd_gbcs_decode(args: argparse.Namespace) -> int:
    from harness.eui import EntityId
    from harness.gbcs.decode import DecodedMessage, decode
    from harness.pki import Keystore

    if not args.files and not args.hex:
        raise DitError("nothing to decode", where="dit gbcs decode", fix="give FILE... or --hex HEX")
    keystore = Keystore.load(*args.keystore) if args.keystore else None
    acb = EntityId(args.acb)
    results = []
    for name in args.files:
        path = Path(name)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DitError(f"cannot read: {exc.strerror}", where=name) from None
        results.append(decode(data, keystore=keystore, file=name, access_control_broker=acb))
    for value in args.hex or ():
        results.append(decode(value, keystore=keystore, file=None, access_control_broker=acb))

    def line(row: Row) -> str:
        name = row["file"] or "--hex"
        if row["error"] and row["message_code"] is None:      # not even the framing could be read
            return f"FAIL {name}: {row['error']}"
        srs = ",".join(row["service_requests"]) or "-"
        alert = f" alert {row['alert_code']}" if row["alert_code"] else ""
        status = "PASS" if DecodedMessage(**row).ok else "FAIL"
        text = (f"{status} {name}: {row['cra_flag']} {row['message_code']} {row['use_case'] or '?'} (SR {srs}){alert} "
                f"{row['originator']} -> {row['recipient']} counter {row['originator_counter']} "
                f"signature {row['signature']} mac {row['mac']}")
        return f"{text}; {row['error']}" if row["error"] else text

    rows = [r.as_dict() for r in results]
    if args.json:
        emit(args, rows, line)
    else:
        from harness.gbcs.decode import tree

        for row in rows:
            print(line(row))
            if row["payload"]:
                payload = row["payload"]
                print(f"  payload {payload['kind']} (undecoded bytes: {payload['undecoded_bytes']})")
                print("\n".join(tree(payload["fields"], "    ")))
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED


def gbcs_inputs(name: str) -> list[tuple[str, bytes]]:
    """The GBCS messages in a file: hex, base64 or binary GBCS, or a DUIS response or alert XML whose
    sr:GBCSPayload elements carry them (as DCC Boxed delivers device responses)."""
    from harness.duis import xml
    from harness.gbcs.decode import parse_text
    from harness.usecases.request import value_of

    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        raise DitError(f"cannot read: {exc.strerror}", where=name) from None
    if data.lstrip()[:1] == b"<":
        root = xml.parse(data, name)
        payloads = [node for node in root.iter(xml.sr("GBCSPayload"))]
        if not payloads:
            raise DitError("no sr:GBCSPayload in this DUIS document", where=name,
                           fix="give a DUIS response or alert that carries a device's GBCS message")
        return [(f"{name}#{i + 1}" if len(payloads) > 1 else name, parse_text(value_of(node)))
                for i, node in enumerate(payloads)]
    return [(name, parse_text(data))]


def cmd_gbcs_parse(args: argparse.Namespace) -> int:
    from lxml import etree

    from harness.gbcs.axdr import PayloadError
    from harness.gbcs.frame import GbcsMessage, MalformedMessage
    from harness.pki import Keystore
    from harness.usecases import parse

    keystore = Keystore.load(*args.keystore) if args.keystore else None
    if args.out_dir:
        output_dir(Path(args.out_dir), "--out-dir")
    status = EXIT_OK
    for name in args.files:
        for label, data in gbcs_inputs(name):
            try:
                message = GbcsMessage.decode(data)
                if message.apdu.cra_flag.name == "COMMAND":
                    raise DitError("a command, not a response or alert: Parse reads what devices send",
                                   where=label, fix="give a RESPONSE or ALERT message")
                document, notes = parse(message, keystore=keystore, srv=args.srv)
            except (MalformedMessage, PayloadError) as exc:
                print(f"dit: error: {label}: {exc}", file=sys.stderr)
                status = EXIT_FAILED
                continue
            for note in notes:
                print(f"dit: note: {label}: {note}", file=sys.stderr)
            text = etree.tostring(document, pretty_print=True, xml_declaration=True, encoding="UTF-8")
            if args.out_dir:
                write_out(Path(args.out_dir) / (Path(label.split("#")[0]).stem + ".mmc.xml"), text, "--out-dir")
            else:
                sys.stdout.write(text.decode("utf-8"))
    return status
