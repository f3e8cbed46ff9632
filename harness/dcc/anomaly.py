"""Threshold Anomaly Detection in the DSP's Access Control Broker, against each User's own thresholds.

SEC Section A ("Threshold Anomaly Detection") and G3: the DCC checks whether the number of communications of a
particular type it processes for a User ID exceeds the Anomaly Detection Threshold the User set, and quarantines
those in excess. The SEC Smart Change of Supplier guidance's glossary puts it in the DSP's Access Control Broker,
before it MACs a verified command for the device: so a quarantined command never reaches the device, and no
device response (nor E21) follows it.

What the User sees is the DCC alert DUIS names for it: DCCAlertCode AD1 with the DCCAlert body QuarantinedRequest /
ADUserThresholdBreach, which carries the quarantined request's RequestID and a QuarantineEventRef (DUIS XSD,
../shared/reference/conformance/xsd/duis.xsd: DCCAlertCode enumeration and complexTypes QuarantinedRequest,
ADBreach; ../shared/reference/alerts.md section 3 lists AD1 with that body).

A User's thresholds are per SR type and per day (the lab config's `anomaly_detection_thresholds`, e.g.
{"4.1.1": 20}): the count restarts at each midnight UTC of the lab's clock. SR types without a threshold are not
counted. A Transform (CV 4) is not a communication to the device and is not counted; its signed Pre-Command is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

from harness.dcc.base import DccUser, Outstanding
from harness.duis.xml import E

if TYPE_CHECKING:
    from harness.dcc.dsp import DataServicesProvider

QUARANTINE_ALERT = "AD1"


class AnomalyDetection:
    def __init__(self, dsp: DataServicesProvider):
        self.dsp = dsp
        self._counts: Counter[tuple[str, str, dt.date]] = Counter()      # (User EUI, SR, day) -> commands
        self.quarantined: list[Outstanding] = []                          # what the DCC holds back, in order

    def admit(self, user: DccUser, command: Outstanding) -> bool:
        """Count the command against the User's threshold for its SR type; one in excess is quarantined (kept,
        not sent) and the User told (AD1). False when quarantined."""
        threshold = user.anomaly_thresholds.get(command.srv)
        if threshold is None:
            return True
        key = (user.eui.duis, command.srv, self.dsp.clock.now().date())
        self._counts[key] += 1
        if self._counts[key] <= threshold:
            return True
        self.quarantined.append(command)
        self.dsp.dcc_alert(user, QUARANTINE_ALERT, E.QuarantinedRequest(E.ADUserThresholdBreach(
            E.RequestID(str(command.request_id)), E.QuarantineEventRef(str(len(self.quarantined))))))
        return False
