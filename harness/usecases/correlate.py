"""A User's Correlate: before signing a Pre-Command, check that it is substantively the command the
User's own Service Request asks for (DUIS section 3.3: the User correlates the Pre-Command the DCC
returned with the request before signing it).

The User runs the same Transform itself, with what it knows of its device, and compares:
  the header  originator, recipient, originator counter (the DCC's, where the DCC originates the command, is
              taken from the Pre-Command), CRA flag, message code and date-time;
  the payload every field of the decoded payload (harness.gbcs.payload field tree), by path.
Values the DSP sets from its own clock (GBZ issuer event ids, DLMS command date-times) cannot be known
in advance; they are found by transforming the request at two instants a day apart, and only those
paths are left out of the comparison. Anything else that differs (a price, a credit amount, a target,
a certificate) is a Mismatch naming the field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from harness.eui import EntityId
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import GeneralSigning, MalformedMessage
from harness.usecases import registry
from harness.usecases.records import DspRecords
from harness.usecases.request import DuisRequest, TransformError
from harness.usecases.transform import transform

_HEADER = ("cra_flag", "originator", "recipient", "originator_counter", "message_code", "date_time",
           "supplementary_remote_party", "supplementary_remote_party_counter")


@dataclass(frozen=True)
class Mismatch:
    """Where the Pre-Command departs from the request: the field, what the request gives, what came."""

    field: str
    expected: object
    found: object

    def __str__(self) -> str:
        return f"{self.field} is {_show(self.found)}, the request asks for {_show(self.expected)}"


def correlate(request: DuisRequest, pre_command: bytes, records: DspRecords, *, now: dt.datetime) -> Mismatch | None:
    """None when the Pre-Command is the request's command; else the first field that differs."""
    try:
        found = GeneralSigning.decode(pre_command)
    except MalformedMessage as exc:
        return Mismatch("Pre-Command", "a GBCS General-Signing APDU", f"malformed ({exc})")
    # The use cases the request itself allows for this device; where the DSP's records choose among
    # them (the device's GBCS version, the User's role), the message code says which it chose.
    candidates = [c for c in registry.commands_for(request.srv) if c.applies(request)
                  and (records.device_type is None or records.device_type in c.devices)]
    codes = {c.message_code for c in candidates}
    if found.message_code not in codes:
        return Mismatch("message code", " or ".join(f"0x{c:04X}" for c in sorted(codes)) or "none",
                        f"0x{found.message_code:04X}")
    # one use case may be the User's own command or the DCC's for it (CS06: the ACB's to a CHF): the header says which
    coded = [c for c in candidates if c.message_code == found.message_code]
    own = found.originator == request.originator
    codec = next((c for c in coded if (c.originator is registry.Originator.USER) == own), coded[0])
    # A command the DCC originates for the User (11.3 to a CHF) counts by the DCC's counter, which only the
    # Pre-Command can tell the User; its own counter is the supplementary remote party's.
    dsp_counter = None if codec.originator is registry.Originator.USER else found.originator_counter
    try:
        mine = _transform(request, records, codec, now, dsp_counter)
    except TransformError as exc:
        return Mismatch("request", "a request this User can transform", str(exc))
    for name in _HEADER:
        if getattr(found, name) != getattr(mine, name):
            return Mismatch(f"header {name.replace('_', ' ')}", getattr(mine, name), getattr(found, name))
    if found.payload == mine.payload:
        return None                          # byte for byte what the User made of its own request
    later = _transform(request, records, codec, now + dt.timedelta(days=1), dsp_counter)
    try:
        theirs = _paths(gbcs_payload.decode(found).fields())
    except PayloadError as exc:
        return Mismatch("payload", "what the message code says", f"malformed ({exc.reason})")
    expected = _paths(gbcs_payload.decode(mine).fields())
    clock = {p for p, v in _paths(gbcs_payload.decode(later).fields()).items() if expected.get(p) != v}
    for path in sorted(expected.keys() | theirs.keys()):
        if path not in clock and expected.get(path) != theirs.get(path):
            return Mismatch(f"payload {path}", expected.get(path, "nothing"), theirs.get(path, "nothing"))
    return None


def _transform(request: DuisRequest, records: DspRecords, codec: registry.CommandCodec,
               now: dt.datetime, dsp_counter: int | None) -> GeneralSigning:
    pinned = records if records.device_type else replace(records, device_type=codec.devices[0])
    return transform(request, pinned, now=now, dsp_counter=dsp_counter, use_case=codec.use_case).apdu


def _paths(tree, prefix: str = "") -> dict[str, object]:
    """A field tree as {path: leaf}: dict keys joined by '.', list items as [i]."""
    if isinstance(tree, dict):
        out: dict[str, object] = {}
        for key, value in tree.items():
            out.update(_paths(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(tree, list):
        out = {}
        for i, value in enumerate(tree):
            out.update(_paths(value, f"{prefix}[{i}]"))
        return out
    return {prefix: tree}


def _show(value: object) -> str:
    if isinstance(value, EntityId):
        return value.duis
    if isinstance(value, bytes):
        return value.hex().upper()
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."
