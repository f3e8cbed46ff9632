"""What a service user makes of what the DCC sends back: each asynchronous response goes to the request it answers
(by its RequestID, or by a ResponseID alone, the parties reversed), and an alert waited for is the named device's
and is handed out once. The DCC here acknowledges every request and posts only what a test tells it to."""

from __future__ import annotations

import pytest
from lxml import etree

from harness.adapters.duis_client import ResponseReceiver
from harness.adapters.service_user import ServiceUser
from harness.clock import LAB_EPOCH, VirtualClock
from harness.duis import xml, xmldsig
from harness.duis.request_id import RequestCounter, RequestId
from harness.duis.responses import build_response, device_alert_message, response_message
from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
from harness.gbcs.frame import CraFlag, GeneralSigning
from harness.pki import KeyUsage

SUPPLIER = EntityId("90-B3-D5-1F-30-01-00-00")
ESME = EntityId("00-DB-12-34-56-78-90-A0")
GSME = EntityId("00-DB-12-34-56-78-90-A1")


class AcknowledgingDcc:
    """A DCC endpoint that answers every request I99 and posts to the User's receiver only when asked."""

    def __init__(self, keystore, receiver: ResponseReceiver):
        self.keystore, self.receiver = keystore, receiver

    def signed(self, root: etree._Element) -> bytes:
        cred = self.keystore.credential(DCC_ACCESS_CONTROL_BROKER, KeyUsage.XML_SIGNING, private=True)
        xmldsig.sign(root, cred.private_key, cred.certificate)
        return xml.serialize(root)

    def post(self, web_service: str, data: bytes) -> tuple[int, bytes]:
        root = xml.parse(data)
        rid = RequestId.parse(xml.text(root, "sr:Header/sr:RequestID"))
        srv = xml.text(root, "sr:Header/sr:ServiceReferenceVariant") or ""
        return 200, self.signed(build_response(response_message(srv), response_code="I99",
                                               response_date_time=LAB_EPOCH, request_id=rid))

    def deliver(self, root: etree._Element) -> None:
        status, _, reason = self.receiver._on_post(self.receiver.path, self.signed(root))
        assert status == 204, reason


@pytest.fixture
def supplier_and_dcc(smki):
    clock = VirtualClock()
    receiver = ResponseReceiver(clock=clock, keystore=smki.keystore, schema=None)
    dcc = AcknowledgingDcc(smki.keystore, receiver)
    user = ServiceUser("Supplier A", SUPPLIER, endpoint=dcc, receiver=receiver,  # type: ignore[arg-type]
                       keystore=smki.keystore, clock=clock, counter=RequestCounter(clock.millis),
                       dcc=DCC_ACCESS_CONTROL_BROKER, schema=None, response_timeout_s=60)
    yield user, dcc
    receiver.server.server_close()


def _answer(code: str, *, request_id: RequestId | None = None, response_id: RequestId | None = None):
    return build_response(response_message("11.2"), response_code=code, response_date_time=LAB_EPOCH,
                          request_id=request_id, response_id=response_id)


def test_a_response_carrying_only_a_response_id_answers_the_request_it_reverses(supplier_and_dcc):
    """A device response may name its request only by a ResponseID (device : User : counter)."""
    user, dcc = supplier_and_dcc
    exchange = user.send("11.2", ESME, wait=False)
    assert exchange.synchronous is not None and exchange.synchronous.acknowledged and exchange.response is None
    dcc.deliver(_answer("I0", response_id=exchange.request_id.response_id()))
    assert user.wait_for_response(exchange, timeout=60).success and exchange.succeeded


def test_each_request_gets_its_own_response_whatever_order_they_come_in(supplier_and_dcc):
    user, dcc = supplier_and_dcc
    first, second = user.send("11.2", ESME, wait=False), user.send("11.2", GSME, wait=False)
    dcc.deliver(_answer("E21", request_id=second.request_id))         # the second request's answer comes first
    dcc.deliver(_answer("I0", request_id=first.request_id))
    assert user.wait_for_response(first, timeout=60).request_id == first.request_id and first.succeeded
    assert user.wait_for_response(second, timeout=60).response_code == "E21" and not second.succeeded


def _device_alert(device: EntityId, counter: int) -> etree._Element:
    alert = GeneralSigning(CraFlag.ALERT, counter, device, SUPPLIER, 0x0002, b"")
    return build_response(device_alert_message(0x8F12, alert.encode()), response_code="I0",
                          response_date_time=LAB_EPOCH, response_id=RequestId(device, SUPPLIER, counter))


def test_an_alert_waited_for_is_the_named_devices_and_is_handed_out_once(supplier_and_dcc):
    user, dcc = supplier_and_dcc
    mark = user.mark()
    dcc.deliver(_device_alert(ESME, 7))
    assert user.wait_for_alert("8F12", since=mark, device=GSME, timeout=60) is None      # another device's alert
    found = user.wait_for_alert("0x8f12", since=mark, device=ESME, timeout=60)
    assert found is not None and found.response.response_id == RequestId(ESME, SUPPLIER, 7)
    assert user.wait_for_alert("8F12", since=mark, timeout=60) is None                   # already taken
    assert user.awaited == [found]
