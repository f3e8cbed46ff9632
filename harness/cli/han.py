"""`dit han analyse`: HAN captures (DIT.8, DIT.11): frames, request/response timings, duty cycle and channel
changes per band."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from harness.cli.common import EXIT_FAILED, EXIT_OK, Commands, Row, emit, group, notes, positive_number
from harness.errors import DitError

if TYPE_CHECKING:
    from harness.han.duty_cycle import Thresholds


def register(commands: Commands) -> None:
    han = group(commands, "han", "HAN captures (DIT.8, DIT.11)")
    analyse = han.add_parser("analyse", help="frames, request/response timings, duty cycle and channel changes per "
                                             "band of pcap/pcapng captures (IEEE 802.15.4 link types 195, 230, 283)")
    analyse.add_argument("capture", nargs="+")
    analyse.add_argument("--limited", type=_percent, default=1.3, metavar="PERCENT",
                         help="Normal-Limited duty cycle threshold (SR 6.28; default 1.3)")
    analyse.add_argument("--critical", type=_percent, default=2.2, metavar="PERCENT",
                         help="Limited-Critical threshold (SR 6.28; default 2.2)")
    analyse.add_argument("--regulated", type=_percent, default=2.5, metavar="PERCENT",
                         help="Critical-Regulated threshold (not a DUIS field; default 2.5)")
    analyse.add_argument("--channel", type=int, help="the channel, for link types that do not record it (195, 230)")
    analyse.add_argument("--page", type=int, help="the channel page (0 = 2.4 GHz, 28-31 sub-GHz), likewise")
    analyse.add_argument("--json", action="store_true")
    analyse.add_argument("--all-changes", action="store_true",
                         help=f"list every channel change (default: the first {CHANGES_LISTED}, with the counts of "
                              f"all of them by band, how seen and trigger)")
    analyse.epilog = notes([
        ("dit han analyse reports/evidence/*/han.pcap",
         "per band: frames, latency p50/p95/max, duty cycle, channel changes"),
        ("dit han analyse sniffer.pcap --channel 15 --page 0",
         "link types 195/230 do not record the channel"),
        ("dit han analyse capture.pcapng --json",
         "as JSON"),
        ("dit han analyse sniffer.pcapng --json --all-changes",
         "with every channel change listed, not only the first"),
    ], {
        0: "every capture analysed",
        1: "a capture could not be read (its error is listed)",
        2: "bad input: a threshold or channel that cannot be used",
    })
    analyse.set_defaults(func=cmd_han_analyse)
    show = han.add_parser("show", help="one frame of a capture dissected layer by layer with scapy: 802.15.4 MAC, "
                                       "ZigBee NWK and APS, then ZDP, ZCL or the GBCS message it carries")
    show.add_argument("capture", help="a pcap or pcapng capture (IEEE 802.15.4 link types 195, 230, 283)")
    show.add_argument("--frame", type=_frame_number, required=True, metavar="N",
                      help="the frame's number, counting from 1 as Wireshark does")
    show.add_argument("--keystore", action="append", metavar="DIR",
                      help="keystore to check a GBCS message's signature and MAC with (a run's: REPORT_DIR/keystore)")
    show.add_argument("--channel", type=int, help="the channel, for link types that do not record it (195, 230)")
    show.add_argument("--page", type=int, help="the channel page (0 = 2.4 GHz, 28-31 sub-GHz), likewise")
    show.add_argument("--json", action="store_true", help="the layers as JSON: name, protocol, offset, fields")
    show.epilog = notes([
        ("dit han show reports/evidence/SCENARIO/han.pcap --frame 9 --keystore reports/keystore",
         "frame 9's layers; a block of a fragmented GBCS message is joined with the other blocks and decoded"),
        ("dit han show han.pcap --frame 2 --json", "the layers as JSON, each field by its scapy name"),
    ], {
        0: "the frame dissected",
        1: "a layer of the frame is cut short or malformed (named, with the byte it starts at), or the GBCS "
           "message it carries does not read or, with --keystore, does not verify",
        2: "bad input: no such file, not a capture, no such frame",
    })
    show.set_defaults(func=cmd_han_show)


# Channel changes listed by default. A busy capture can show a band hopping between channels on every other frame:
# listing each is megabytes of JSON and a screenful per thousand frames, where the counts say what DIT.8 needs.
CHANGES_LISTED = 100


def _percent(value: str) -> float:
    """A duty cycle threshold: a share of an hour, above 0 and at most 100 %."""
    number = positive_number(value)
    if number > 100:
        raise argparse.ArgumentTypeError(f"{value!r} is more than 100 %")
    return number


def _frame_number(value: str) -> int:
    """A frame number: 1 is the capture's first frame."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a frame number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: frames count from 1")
    return number


def _han_results(paths: list[str], thresholds: Thresholds, channel: int | None = None,
                 page: int | None = None, listed: int | None = CHANGES_LISTED) -> list[Row]:
    """One analysis per capture; a capture that breaks off is analysed up to the break and says where. Channel
    changes: the first `listed` (None: all), and the counts of all of them."""
    from harness.han import analysis, capture

    results = []
    for path in paths:
        study = analysis.Analysis(thresholds)
        error = None
        try:
            study.add_records(capture.records(path, channel=channel, page=page))
        except capture.CaptureError as exc:
            if not study.frames:
                raise
            error = str(exc)
        result = study.result()
        changes = result["channel_changes"]
        result["channel_change_counts"] = _change_counts(changes)
        result["channel_changes"] = changes if listed is None else changes[:listed]
        results.append({"capture": str(path), **result, "error": error})
    return results


def _change_counts(changes: list[Row]) -> Row:
    """All of a capture's channel changes counted: in total, per band, by how they were seen, by trigger."""
    from collections import Counter

    return {"total": len(changes),
            **{what: dict(sorted(Counter(c[key] for c in changes).items()))
               for what, key in (("by_band", "band"), ("by_how", "how"), ("by_trigger", "trigger"))}}


def _han_line(r: Row) -> str:
    lines = [f"{r['capture']}: {r['frames']} frames" + (f" (malformed {r['malformed']})" if r["malformed"] else "")
             + (f"; {r['error']}" if r["error"] else "")]
    for band, b in r["bands"].items():
        lat = b["latency"]["overall"]
        timing = (f"response p50 {lat['p50_s'] * 1000:.1f} ms, p95 {lat['p95_s'] * 1000:.1f} ms, max "
                  f"{lat['max_s'] * 1000:.1f} ms over {lat['count']} exchanges") if lat else "no request/response pairs"
        busiest = max(b["duty_cycle"]["devices"].items(), key=lambda i: i[1]["max_percent"], default=None)
        duty = (f"busiest {busiest[0]} {busiest[1]['max_percent']:.3f} % of an hour ({busiest[1]['max_state']})"
                if busiest else "no transmitters")
        channels = ", ".join(f"ch {c}: {n}" for c, n in b["channels"].items())
        lines.append(f"  {band}: {b['frames']} frames ({channels}); {b['messages']} messages; {timing}; {duty}")
    lines += [f"  channel change {c['band']} {c['from']} -> {c['to']} at {c['time']} ({c['how']}; trigger "
              f"{c['trigger']})" for c in r["channel_changes"]]
    more = r["channel_change_counts"]["total"] - len(r["channel_changes"])
    if more:
        lines.append(f"  and {more} more channel changes (" + ", ".join(
            f"{band} {n}" for band, n in r["channel_change_counts"]["by_band"].items()) + " in all; --all-changes "
            "lists them)")
    return "\n".join(lines)


def cmd_han_analyse(args: argparse.Namespace) -> int:
    from harness.han import capture
    from harness.han.duty_cycle import Thresholds

    if args.channel is not None or args.page is not None:
        try:                         # no page: the analysis takes the channel as 2.4 GHz, so it must be one
            capture.check_channel(0 if args.page is None else args.page, args.channel)
        except DitError as exc:
            raise DitError(exc.what, where="dit han analyse --channel/--page", fix=exc.fix) from None
    if not args.limited < args.critical < args.regulated:
        raise DitError("duty cycle thresholds must rise: --limited < --critical < --regulated",
                       fix="e.g. --limited 1.3 --critical 2.2 --regulated 2.5")
    results = _han_results(args.capture, Thresholds(args.limited, args.critical, args.regulated),
                           args.channel, args.page, None if args.all_changes else CHANGES_LISTED)
    emit(args, results, _han_line)
    return EXIT_FAILED if any(r["error"] for r in results) else EXIT_OK


def cmd_han_show(args: argparse.Namespace) -> int:
    import json
    import sys

    from harness.han import capture, dissect

    if args.channel is not None or args.page is not None:
        try:
            capture.check_channel(0 if args.page is None else args.page, args.channel)
        except DitError as exc:
            raise DitError(exc.what, where="dit han show --channel/--page", fix=exc.fix) from None
    keystore = None
    if args.keystore:
        from harness.pki import Keystore

        keystore = Keystore.load(*args.keystore)
    frame, neighbours = dissect.frame_of(args.capture, args.frame, channel=args.channel, page=args.page)
    try:
        found = dissect.dissect(frame, args.frame, capture_name=args.capture, neighbours=neighbours, keystore=keystore)
    except dissect.DissectionError as exc:
        raise dissect.DissectionError(exc.what, where=f"{args.capture} frame {args.frame}", fix=exc.fix) from None
    if args.json:
        json.dump(found.as_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print("\n".join(found.text()))
    for problem in found.problems:                  # dissected, but what it carries fails triage
        print(f"dit: {args.capture} frame {args.frame}: {problem}", file=sys.stderr)
    return EXIT_FAILED if found.problems else EXIT_OK
