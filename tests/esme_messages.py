"""Supplier A's messages to and from the example ESME, as the tests of ESME use cases make them: a DUIS request by
the lab's own builder, the DCC's command as the ESME reads it, the ESME's response as the User's Parse reads it."""

from __future__ import annotations

from harness import catalogue
from harness.catalogue import DeviceType
from harness.duis import requests, xml
from harness.duis.examples import DEVICES, SUPPLIER_A
from harness.duis.request_id import RequestId
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning
from harness.usecases import DuisRequest

ESME = DEVICES[DeviceType.ESME]


def request(srv: str, counter: int = 1000, **params) -> DuisRequest:
    return DuisRequest.parse(xml.serialize(requests.build(srv, RequestId(SUPPLIER_A, ESME, counter), **params)), srv)


def command(use_case: str, payload: bytes, counter: int = 1000) -> GeneralSigning:
    code = catalogue.use_case(use_case).message_codes[0]
    return GeneralSigning(CraFlag.COMMAND, counter, SUPPLIER_A, ESME, code, payload)


def respond(use_case: str, payload: bytes, counter: int = 1000) -> GbcsMessage:
    code = catalogue.use_case(use_case).message_codes[0]
    return GbcsMessage(GeneralSigning(CraFlag.RESPONSE, counter, ESME, SUPPLIER_A, code, payload), None)
