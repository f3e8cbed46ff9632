"""Threshold Anomaly Detection in the emulated DSP (harness.dcc.anomaly): a User's own thresholds by SR type and
day; the excess quarantined and the User told with DCC alert AD1, a schema-valid DUIS alert naming the request."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from harness.catalogue import UserRole
from harness.clock import VirtualClock
from harness.dcc.anomaly import AnomalyDetection
from harness.dcc.base import DccUser, Outstanding
from harness.duis.request_id import RequestId
from harness.duis.responses import build_response, dcc_alert_message, parse_response
from harness.errors import DitError
from harness.eui import EntityId
from harness.lab import config as lab_config

SUPPLIER = DccUser("Supplier B", EntityId("90-B3-D5-1F-30-03-00-00"), frozenset({UserRole.IMPORT_SUPPLIER}),
                   anomaly_thresholds={"4.1.1": 2})
ESME = "00-DB-12-34-56-78-90-A0"


class _Dsp:
    """What AnomalyDetection uses of the DSP: its clock, and the DCC alerts it posts (kept here)."""

    def __init__(self):
        self.clock = VirtualClock()
        self.alerts: list[tuple[DccUser, str, object]] = []

    def dcc_alert(self, user, code, detail) -> None:
        self.alerts.append((user, code, detail))


def _command(counter: int, srv: str = "4.1.1") -> Outstanding:
    request_id = RequestId.parse(f"{SUPPLIER.eui.duis}:{ESME}:{counter}")
    return Outstanding(request_id, srv, SUPPLIER, None, "ECS17b", None, {})     # type: ignore[arg-type]


def test_the_command_beyond_the_users_threshold_is_quarantined_and_the_user_told(duis_schema):
    dsp = _Dsp()
    detection = AnomalyDetection(dsp)     # type: ignore[arg-type]
    assert [detection.admit(SUPPLIER, _command(n)) for n in (1, 2, 3)] == [True, True, False]
    assert [c.request_id.counter for c in detection.quarantined] == [3]
    user, code, detail = dsp.alerts[0]
    assert (user, code, len(dsp.alerts)) == (SUPPLIER, "AD1", 1)
    root = build_response(dcc_alert_message(code, detail), response_code="I0",
                          response_date_time=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    assert duis_schema.errors(root) == []
    parsed = parse_response(root)
    assert parsed.alert_body == "QuarantinedRequest" and parsed.referenced_request_id == _command(3).request_id


def test_other_sr_types_and_other_days_count_apart():
    dsp = _Dsp()
    detection = AnomalyDetection(dsp)     # type: ignore[arg-type]
    assert all(detection.admit(SUPPLIER, _command(n, "4.18")) for n in range(1, 10))     # no threshold for 4.18
    assert detection.admit(SUPPLIER, _command(10)) and detection.admit(SUPPLIER, _command(11))
    dsp.clock.advance(86400)
    assert detection.admit(SUPPLIER, _command(12)) and not dsp.alerts


@pytest.mark.parametrize("thresholds, says", [
    ('{"9.99": 2}', "'9.99' is not a Service Request"),
    ('{"4.1.1": 0}', "SR 4.1.1: 0 is not a number of commands"),
    ('{"4.1.1": "lots"}', "SR 4.1.1: 'lots' is not a number of commands"),
])
def test_a_threshold_the_dcc_could_not_apply_is_refused_naming_it(tmp_path: Path, thresholds, says):
    supplier_b = "{name: Supplier B, eui: 90-B3-D5-1F-30-03-00-00, roles: [IS, GS]"
    text = lab_config.DEFAULT.read_text()
    assert supplier_b in text
    text = text.replace(supplier_b, f"{supplier_b}, anomaly_detection_thresholds: {thresholds}")
    path = tmp_path / "lab.yaml"
    path.write_text(text.replace("dal/emulated.yaml", str(lab_config.DEFAULT.parent / "dal/emulated.yaml")))
    with pytest.raises(DitError, match="anomaly_detection_thresholds") as refused:
        lab_config.load(path)
    assert says in str(refused.value)
