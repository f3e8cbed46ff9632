"""Building DUIS Service Requests: the sr:Request envelope and its SR-specific body.

    root = build("8.11", request_id, device_id="00-DB-12-34-56-78-90-A0", install_code="...")
    root = build_signed_pre_command("1.1.1", request_id, signed_gbcs)      # CV 5 after a Transform
    xmldsig.sign(root, key, certificate); data = xml.serialize(root)

Bodies come from builders registered per Service Reference Variant (harness.duis.bodies); each takes
keyword arguments with DIT-friendly defaults, so a Gherkin table of key/value pairs maps onto them.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from functools import cache, lru_cache
from inspect import signature

from lxml import etree

from harness import catalogue
from harness.catalogue import CommandVariant
from harness.clock import utc_text
from harness.duis.request_id import RequestId
from harness.duis.xml import NSMAP, SCHEMA_VERSION, E, Skeletons, add_fields, copy_tree, sr
from harness.errors import DitError

BodyBuilder = Callable[..., etree._Element]
BODY_BUILDERS: dict[str, BodyBuilder] = {}


def body(srv: str) -> Callable[[BodyBuilder], BodyBuilder]:
    """Register the body builder of one Service Reference Variant."""
    catalogue.service_request(srv)   # fail at import time on a typo

    def register(fn: BodyBuilder) -> BodyBuilder:
        BODY_BUILDERS[srv] = fn
        return fn
    return register


def builder(srv: str) -> BodyBuilder:
    _load_bodies()
    try:
        return BODY_BUILDERS[srv]
    except KeyError:
        sr_ = catalogue.service_request(srv)
        raise DitError(f"no body builder for {sr_}", fix="pass a ready-made body element") from None


def buildable() -> list[str]:
    """Service Reference Variants this framework can build, in catalogue order."""
    _load_bodies()
    return [s.srv for s in catalogue.service_requests() if s.srv in BODY_BUILDERS]


def parameters(srv: str) -> dict[str, object]:
    """The keyword parameters of an SR's body builder and their defaults (for docs and Gherkin tables)."""
    return {name: p.default for name, p in signature(builder(srv)).parameters.items()}


@cache
def parameter_names(srv: str) -> frozenset[str]:
    """The names of parameters(srv), worked out once per SR: a service user asks on every request it sends."""
    return frozenset(parameters(srv))


def _load_bodies() -> None:
    import harness.duis.bodies  # noqa: F401  (registers every builder)


def envelope(request_id: RequestId, command_variant: CommandVariant, service: catalogue.ServiceRequest,
             body_element: etree._Element, *, first_in_sequence: bool | None = None,
             preceding_request_id: RequestId | None = None) -> etree._Element:
    preceding = preceding_request_id is not None
    root = _ENVELOPES.copy((int(command_variant), service.srv, first_in_sequence, preceding),  # fixed fields in place
                           lambda: _envelope_skeleton(command_variant, service, first_in_sequence, preceding))
    header, body = root
    header[0].text = str(request_id)
    if preceding_request_id is not None:
        header[1 if first_in_sequence is None else 2].text = str(preceding_request_id)
    body.append(body_element)
    return root


def _envelope_skeleton(command_variant: CommandVariant, service: catalogue.ServiceRequest,
                       first_in_sequence: bool | None, preceding: bool) -> etree._Element:
    """An sr:Request with its Header (RequestID and PrecedingServiceRequestID empty) and an empty Body."""
    root = etree.Element(sr("Request"), nsmap=NSMAP)
    root.set("schemaVersion", SCHEMA_VERSION)
    add_fields(root, "Header", (
        ("RequestID", ""),
        ("FirstInSequence", None if first_in_sequence is None else "true" if first_in_sequence else "false"),
        ("PrecedingServiceRequestID", "" if preceding else None),
        ("CommandVariant", str(int(command_variant))), ("ServiceReference", service.service_reference),
        ("ServiceReferenceVariant", service.srv)))
    etree.SubElement(root, sr("Body"))
    return root


# envelope's requests by (CV, SR, FirstInSequence, whether a PrecedingServiceRequestID), copied and filled in
_ENVELOPES: Skeletons[tuple[int, str, bool | None, bool]] = Skeletons()


def build(srv: str, request_id: RequestId, *, command_variant: CommandVariant | int | None = None,
          body_element: etree._Element | None = None, first_in_sequence: bool | None = None,
          preceding_request_id: RequestId | None = None, **params) -> etree._Element:
    """An unsigned sr:Request for any catalogue SR; the body from its builder unless given."""
    service = catalogue.service_request(srv)
    cv = service.default_command_variant if command_variant is None else CommandVariant(command_variant)
    if cv.carries_signed_pre_command:
        raise DitError(f"{service}: CV {int(cv)} carries a signed Pre-Command",
                       fix="use build_signed_pre_command after the CV 4 Transform")
    if not service.allows(cv):
        allowed = ", ".join(str(int(v)) for v in sorted(service.command_variants))
        raise DitError(f"{service} does not allow command variant {int(cv)}", fix=f"use one of {allowed}")
    if body_element is None:
        make = builder(srv)
        try:
            body_element = make(**params)
        except TypeError as exc:
            raise DitError(f"{service}: {exc}", fix=f"parameters are {', '.join(parameters(srv))}") from None
    elif params:
        raise DitError("give either a body element or builder parameters, not both")
    return envelope(request_id, cv, service, body_element, first_in_sequence=first_in_sequence,
                    preceding_request_id=preceding_request_id)


def build_signed_pre_command(srv: str, request_id: RequestId, gbcs_payload: bytes, *,
                             command_variant: CommandVariant | int = CommandVariant.SIGNED_WAN,
                             execution_date_time: dt.datetime | None = None) -> etree._Element:
    """The second request of the critical flow: the User-signed Pre-Command (CV 5, or 6/7 for LCD),
    with the same RequestID as the Transform (the counter is preserved)."""
    service = catalogue.service_request(srv)
    cv = CommandVariant(command_variant)
    if not (service.critical and cv.carries_signed_pre_command and service.allows(cv)):
        raise DitError(f"{service} cannot carry a signed Pre-Command with CV {int(cv)}",
                       fix="signed Pre-Commands are for critical SRs with CV 5, 6 or 7")
    payload = base64.b64encode(gbcs_payload).decode()
    if execution_date_time is None:
        signed = copy_tree(_SIGNED_PRE_COMMAND)       # a copy costs less than building its two elements
        signed[0].text = payload
    else:
        signed = E.SignedPreCommand(E.ExecutionDateTime(xs_datetime(execution_date_time)), E.GBCSPayload(payload))
    return envelope(request_id, cv, service, signed)


_SIGNED_PRE_COMMAND = E.SignedPreCommand(E.GBCSPayload())     # build_signed_pre_command's, its payload empty


def xs_datetime(value: dt.datetime) -> str:
    """xs:dateTime in UTC with a Z, as DUIS samples write it."""
    if value.tzinfo is None:
        raise DitError(f"date-time {value.isoformat()} has no time zone", fix="use an aware datetime (UTC)")
    return _xs_datetime(value)


@lru_cache(maxsize=64)
def _xs_datetime(value: dt.datetime) -> str:
    """Remembered: the lab's clock stands still while an SR's documents are built, each stamped with the same time."""
    return utc_text(value, "microseconds")[:-5] + "Z"             # centiseconds, as DUIS samples write them
