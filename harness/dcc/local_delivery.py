"""Local Command Delivery: commands handed to the User for a hand-held terminal, and 8.13 returns.

CV 2 (non-critical) and CV 6 (critical, after CV 4 and the User's signature) come back to the User as a
LocalCommand: the GBCS command exactly as it would have gone over the SM WAN, MAC'd by the ACB. CV 3 and
CV 7 also send it over the SM WAN; whichever response reaches the DCC first completes it. A locally
delivered command has no E21 timer: nobody knows when the installer will deliver it.

8.13 Return Local Command Response hands the DCC what the terminal brought back: a device response
(the DSP completes the command as if it had come over the SM WAN, e.g. N24 after an 8.11) or a device
alert (e.g. the CHF's 0x8F12 with its device log backup, the GPF's 0x8071).
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from lxml import etree

from harness.dcc.base import DccUser, DuisRejection, Outstanding
from harness.duis.request_id import RequestId
from harness.duis.responses import build_response, response_message
from harness.duis.xml import E

if TYPE_CHECKING:
    from harness.dcc.dsp import DataServicesProvider


class LocalCommandDelivery:
    def __init__(self, dsp: DataServicesProvider):
        self.dsp = dsp

    def handlers(self) -> dict:
        return {"8.13": self.return_response}

    def deliver(self, command: Outstanding, *, also_over_wan: bool) -> etree._Element:
        frame = self.dsp.seal(command)
        if also_over_wan:
            self.dsp.send(command)
        else:
            command.local = True
            self.dsp.expect_response(command)
        content = E.LocalCommand(E.GBCSPayload(base64.b64encode(frame).decode()))
        return build_response(response_message(command.srv, content), response_code="I0",
                              response_date_time=self.dsp.clock.now(), request_id=command.request_id)

    def return_response(self, fields: dict, user: DccUser, request_id: RequestId):
        try:
            data = base64.b64decode(fields["DeviceGBCSResponse"], validate=True)
        except (KeyError, binascii.Error):
            raise DuisRejection("E081301", "DeviceGBCSResponse is not base64") from None
        outcome = self.dsp.from_device(data, returned_by=user)
        if outcome == "malformed":
            raise DuisRejection("E081301", "DeviceGBCSResponse is not a GBCS message")
        if outcome == "unmatched":
            raise DuisRejection("E081302", "no locally delivered command of the DCC's is answered by this response")
        return None
