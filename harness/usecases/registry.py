"""Which code turns which DUIS request into which GBCS use case, and which parses its responses.

Family modules (tariff.py, readings.py, security.py ...) register with the two decorators:

    @command("4.1.1", "ECS17b", devices=(ESME,))
    def read_import_registers(request: DuisRequest, ctx: CommandContext) -> bytes: ...   # the payload

    @response("ECS17b")
    def import_registers(ctx: ResponseContext, rsp: etree._Element) -> None: ...         # MMC children

Where an SR has several use cases for one device type (1.6 to prepayment or credit, 6.13's logs,
8.7.1's join methods), `applies` looks at the request to choose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from lxml import etree

from harness import catalogue
from harness.catalogue import DeviceType
from harness.eui import EntityId
from harness.gbcs import asn1, gbz
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import GbcsMessage, GeneralSigning
from harness.gbcs.payload import Payload
from harness.pki import Keystore
from harness.usecases.records import DspRecords
from harness.usecases.request import DuisRequest


class Originator(Enum):
    """Who originates the GBCS command: the User itself, or the DCC on its behalf."""

    USER = "user"                   # the RequestID's originator, with its own counter
    ACB = "acb"                     # the Access Control Broker, the User as supplementary remote party
    ACB_ALONE = "acb_alone"         # the Access Control Broker with no supplementary party (6.21, 8.12.2)
    TRANSCOS = "transcos"           # the Transitional CoS party (6.23)


@dataclass(frozen=True)
class CommandContext:
    """What the DSP knows when it builds a command beyond the request: its clock, the counter and
    the two parties of the GBCS header, and its records of the target and the User."""

    now: dt.datetime
    counter: int
    originator: EntityId
    recipient: EntityId
    device_type: DeviceType | None
    user_counter: int
    records: DspRecords = DspRecords()


Build = Callable[[DuisRequest, CommandContext], bytes]
Applies = Callable[[DuisRequest], bool]
Requires = Callable[[DspRecords], bool]


@dataclass(frozen=True)
class CommandCodec:
    srv: str
    use_case: str
    devices: tuple[DeviceType, ...]
    build: Build
    applies: Applies
    originator: Originator
    message_code: int
    requires: Requires


@dataclass
class ResponseContext:
    """What a User's Parse has for one response or alert: the message, its decoded payload, the SR it
    answers (when known) and what decryption found."""

    message: GbcsMessage | None       # None where a Parse reads a payload alone (an alert's nested outcome)
    payload: Payload
    srv: str | None
    use_case: str
    keystore: Keystore | None = None
    request: DuisRequest | None = None
    notes: list[str] = field(default_factory=list)
    gbcs_data: list[etree._Element] = field(default_factory=list)

    @property
    def apdu(self) -> GeneralSigning:
        if self.message is None:
            raise PayloadError(f"{self.use_case}: a payload read alone has no message header", 0)
        return self.message.apdu


ParseRsp = Callable[[ResponseContext, etree._Element], None]


# A use case's payload family follows from its message code, so a Parse or reader registered for an ASN.1
# (GBZ) use case gets an ASN.1 (GBZ) payload: these say so to the type checker, and name the use case if not.
def asn1_payload(payload: Payload, use_case: str) -> asn1.Asn1Payload:
    if not isinstance(payload.value, asn1.Asn1Payload):
        raise PayloadError(f"{use_case}: expected an ASN.1 payload, found {payload.kind.value}", 0)
    return payload.value


def gbz_payload(payload: Payload, use_case: str) -> gbz.GbzPayload:
    if not isinstance(payload.value, gbz.GbzPayload):
        raise PayloadError(f"{use_case}: expected a GBZ payload, found {payload.kind.value}", 0)
    return payload.value


@dataclass(frozen=True)
class DeviceCommand:
    """A command as the device it reaches reads it: the use case its message code names (resolved by
    signature, originator and device type where codes are shared), the header and the decoded payload.
    `encrypt` seals content end to end for whoever the response is for (ciphertext || tag), where the
    device holds that party's KA key."""

    use_case: str
    apdu: GeneralSigning
    payload: Payload
    device_type: DeviceType
    now: dt.datetime
    encrypt: Callable[[bytes], bytes] | None = None


# What a device's firmware model acts on (a dict), and its response payload from the outcome (a dict of
# MMC names: "Result" Success/Failure and the leaves of the SR's MMC response, see mmc.values).
Accept = Callable[[DeviceCommand], dict]
Answer = Callable[[DeviceCommand, dict], bytes]

_COMMANDS: dict[str, list[CommandCodec]] = {}
_RESPONSES: dict[str, ParseRsp] = {}
_ACCEPTS: dict[str, Accept] = {}
_ANSWERS: dict[str, Answer] = {}


def _always(_) -> bool:
    return True


def command(srv: str, use_case: str, *, devices: tuple[DeviceType, ...], originator: Originator = Originator.USER,
            applies: Applies = _always, requires: Requires = _always,
            message_code: int | None = None) -> Callable[[Build], Build]:
    """Register a Transform; `applies` chooses by the request, `requires` by the DSP's records."""
    def register(build: Build) -> Build:
        code = message_code if message_code is not None else catalogue.use_case(use_case).message_codes[0]
        _COMMANDS.setdefault(srv, []).append(
            CommandCodec(srv, use_case, tuple(devices), build, applies, originator, code, requires))
        return build
    return register


def response(*use_cases: str) -> Callable[[ParseRsp], ParseRsp]:
    def register(parse: ParseRsp) -> ParseRsp:
        for name in use_cases:
            _RESPONSES[name] = parse
        return parse
    return register


def accepts(*use_cases: str) -> Callable[[Accept], Accept]:
    """Register how a device reads these use cases' commands."""
    def register(accept: Accept) -> Accept:
        for name in use_cases:
            _ACCEPTS[name] = accept
        return accept
    return register


def answers(*use_cases: str) -> Callable[[Answer], Answer]:
    """Register how a device writes these use cases' responses."""
    def register(answer: Answer) -> Answer:
        for name in use_cases:
            _ANSWERS[name] = answer
        return answer
    return register


def acceptor(use_case: str) -> Accept | None:
    return _ACCEPTS.get(use_case)


def answerer(use_case: str) -> Answer | None:
    return _ANSWERS.get(use_case)


def commands_for(srv: str) -> list[CommandCodec]:
    return list(_COMMANDS.get(srv, ()))


def response_parser(use_case: str) -> ParseRsp | None:
    return _RESPONSES.get(use_case)
