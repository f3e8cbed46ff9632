"""Prerequisites the business scenarios take for granted, done the way a service user does them: real
Service Requests through the DCC, and the installer's actions on site.

"Given the ESME is installed and commissioned in prepayment mode by the Import Supplier" is the
short Install & Commission (pre-notify, whitelist, join, supplier handover, commission, MPxN, tariff,
payment mode, network operator handover); "Given the PPMID is joined to the ESME" the PPMID's half of
an I&C. Every exchange is handed to `record`, so a prerequisite leaves the same evidence as a step.
Any failure stops the scenario with the exchange that failed: a prerequisite that did not happen is
not a test result. What the prerequisites did (which devices are on the HAN, whose certificates a
handover placed) is kept in the scenario's memory (harness.lab.memory), as a service user's back office would.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping

from harness.adapters.service_user import Exchange
from harness.catalogue import CommandVariant, DeviceType, PaymentMode
from harness.errors import CheckFailed
from harness.lab import parameters
from harness.lab.contract import Lab
from harness.lab.memory import ScenarioMemory
from harness.pki import KeyUsage

JOIN_POLL_INTERVAL_S = 30.0
JOIN_POLLS = 120          # an hour: the longest join period 8.11 allows
Record = Callable[[Exchange], Exchange]


class Procedures:
    def __init__(self, lab: Lab, record: Record, memory: ScenarioMemory | None = None):
        self.lab = lab
        self._record = record
        self.memory = ScenarioMemory() if memory is None else memory

    def send(self, party: str, srv: str, target: str | None = None, *, expect_success: bool = True,
             wait: bool = True, **table: object) -> Exchange:
        """One SR with the lab's defaults, as a step would send it (table values in step words)."""
        return self.send_table(party, srv, target, table, expect_success=expect_success, wait=wait)

    def send_table(self, party: str, srv: str, target: str | None, table: Mapping[str, object], *,
                   expect_success: bool = True, wait: bool = True) -> Exchange:
        """send() with the table built beforehand (its keys may be any SR parameter's)."""
        user = self.lab.user(party)
        eui = None if target is None else parameters.device(self.lab.config, target)[1]
        params = parameters.resolve(self.lab, srv, eui, {k: str(v) for k, v in table.items()})
        exchange = self._record(user.send(srv, eui, wait=wait, **params))
        if expect_success and not exchange.succeeded:
            raise CheckFailed(f"prerequisite failed: {exchange.summary}")
        return exchange

    def read_locally(self, party: str, srv: str, device: str, **table: object) -> Exchange:
        """A read SR where there is no SM WAN: the DCC returns it for local delivery (CV 2), the installer's
        hand-held terminal carries it to the CH and brings back the device's answer, which the User hands back
        to the DCC with 8.13 and parses itself."""
        user = self.lab.user(party)
        eui = parameters.device(self.lab.config, device)[1]
        params = parameters.resolve(self.lab, srv, eui, {k: str(v) for k, v in table.items()})
        read = self._record(user.send(srv, eui, command_variant=CommandVariant.NON_CRITICAL_LOCAL, **params))
        if read.local_command is None:
            raise CheckFailed(f"SR {srv} was not returned for local delivery: {read.summary}")
        if not self.lab.deliver_locally(read.local_command):
            raise CheckFailed(f"the Communications Hub did not take SR {srv} from the hand-held terminal")
        self.lab.let_time_pass(60)        # the command crosses the HAN, its answer comes back to the terminal
        answer = self.lab.terminal().response_to(read.local_command)
        if answer is None:
            raise CheckFailed(f"the hand-held terminal brought back no response to SR {srv}")
        returned = self._record(user.send("8.13", None, device_gbcs_response=answer))
        if not returned.succeeded:
            raise CheckFailed(f"8.13 with the response to SR {srv}: {returned.summary}")
        user.read_returned_response(read, answer)
        return read

    # -- devices ---------------------------------------------------------------------------------------

    def prenotify(self, party: str, device: str) -> Exchange:
        cfg = self.lab.device_config(device)
        table = {"device_id": f"the {device}", "device_type": cfg.type.duis_type,
                 "device_manufacturer": cfg.manufacturer, "device_model": cfg.model}
        if cfg.smets_chts_version:
            table["smets_chts_version"] = cfg.smets_chts_version
        if cfg.firmware_version:
            table["firmware_version"] = cfg.firmware_version
        return self.send_table(party, "12.2", None, table)

    def whitelist(self, party: str, device: str) -> Exchange:
        """8.11 Add at the premises' CHF, and the N24 that says it happened."""
        user = self.lab.user(party)
        exchange = self.send(party, "8.11", "CHF", device_id=f"the {device}")
        if user.wait_for_alert("N24") is None:
            raise CheckFailed(f"prerequisite failed: no N24 after whitelisting the {device}")
        return exchange

    def join_han(self, party: str, device: str) -> None:
        """The installer powers the device on; the SMI shows it installed once its CH reports the join."""
        self.lab.power_on(device)
        self.wait_for_status(party, device, ("InstalledNotCommissioned", "Commissioned"))

    def wait_for_status(self, party: str, device: str, statuses: tuple[str, ...]) -> str:
        eui = parameters.device(self.lab.config, device)[1]
        status = None
        for _ in range(JOIN_POLLS):
            exchange = self.send(party, "8.2", None, device_id=f"the {device}")
            assert exchange.response is not None, "send() expects success: a response came"
            status = next((d["DeviceStatus"] for d in exchange.response.inventory if d["DeviceID"] == eui.duis), None)
            if status in statuses:
                return status
            self.lab.let_time_pass(JOIN_POLL_INTERVAL_S)
        raise CheckFailed(f"the {device} did not become {' or '.join(statuses)}: the SMI shows it {status}")

    def install_and_commission(self, party: str, device: str, payment_mode: PaymentMode = PaymentMode.CREDIT, *,
                               join_gpf: bool = True) -> None:
        """A meter brought to Commissioned with the consumer's product on it."""
        kind = self.lab.device_config(device).type
        gas = kind is DeviceType.GSME
        operator = "the Gas Network Operator" if gas else "the Electricity Network Operator"
        self.prenotify(party, device)
        self.whitelist(party, device)
        self.join_han(party, device)
        self.handover(party, device, party)
        if gas:
            self.handover(party, "GPF", party)
        self.send(party, "8.1.1", device)
        self.send(party, "6.20.1", device)
        self.send(party, "1.1.1", device)
        if payment_mode is PaymentMode.PREPAYMENT:
            self.send(party, "2.1", device)
        self.send(party, "1.6", device, payment_mode=payment_mode)
        if payment_mode is PaymentMode.PREPAYMENT:
            self.send(party, "1.5", device, payment_mode=payment_mode, adjustment=500000)
        if gas and join_gpf:
            self.send(party, "8.7.2", "GPF", other_device_id=f"the {device}")
        self.handover(party, "GPF" if gas else device, operator)

    def join_display(self, party: str, display: str, meter: str) -> None:
        """A PPMID, IHD or HCALCS whitelisted, on the HAN and joined to a meter (and, for gas, to the GPF). Both
        ends of a Type 1 join hear of it: the meter with 8.7.1, the PPMID with 8.7.2 and the HCALCS, whose join is
        critical (it switches a load), with 8.7.1 too."""
        kind = self.lab.device_config(display).type
        gas = self.lab.device_config(meter).type is DeviceType.GSME
        if display not in self.memory.on_the_han:
            self.memory.on_the_han.add(display)
            self.prenotify(party, display)
            self.whitelist(party, display)
            self.join_han(party, display)
        if kind is DeviceType.PPMID:
            self.send(party, "8.7.1", meter, other_device_id=f"the {display}")
            self.send(party, "8.7.2", display, other_device_id=f"the {meter}")
            if gas:
                self.send(party, "8.7.2", "GPF", other_device_id=f"the {display}")
        elif kind is DeviceType.HCALCS:
            self.send(party, "8.7.1", meter, other_device_id=f"the {display}")
            self.send(party, "8.7.1", display, other_device_id=f"the {meter}")
            # the DSP commissions an HCALCS when it answers its own join: what the supplier's back office checks
            self.wait_for_status(party, display, ("Commissioned",))
        else:
            self.send(party, "8.7.2", "GPF" if gas else meter, other_device_id=f"the {display}")
        self.memory.joined_to[display] = meter

    def critical_command(self, party: str, device: str) -> Exchange:
        """A critical SR the device carries out only for the party in its supplier Digital Signing cell, signed
        with the key that party uses now, that changes nothing: 6.24.2 (the device's certificate) on a meter or
        GPF; on an HCALCS, which takes no 6.24.2, 8.7.1 joining it again to the meter it is joined to (the
        entry is already in its device log, so the join only confirms it)."""
        config = self.lab.config
        if parameters.device_type(config, parameters.device(config, device)[1]) is DeviceType.HCALCS:
            meter = self.memory.joined_to.get(device)
            if meter is None:
                raise CheckFailed(f"the {device} has not been joined to a meter in this scenario: nothing to confirm")
            return self.send(party, "8.7.1", device, expect_success=False, other_device_id=f"the {meter}")
        return self.send(party, "6.24.2", device, expect_success=False)

    def handover(self, party: str, device: str, certificates: str) -> None:
        """6.21, once per device and party: it works only while the ACB is still in the cell."""
        if (device, certificates) not in self.memory.handed_over:
            self.send(party, "6.21", device, certificates=certificates)
            self.memory.handed_over.add((device, certificates))

    def rekey(self, party: str, device: str) -> None:
        """6.17, the certificate from SMKI, 6.15.2 -- for the Digital Signing and then the Key Agreement key."""
        eui = parameters.device(self.lab.config, device)[1]
        for credential, usage in (("Digital Signature", KeyUsage.DIGITAL_SIGNING),
                                  ("Key Agreement", KeyUsage.KEY_AGREEMENT)):
            issued = self.send(party, "6.17", device, credential_type=credential)
            request = base64.b64decode(issued.device_fields["CertificationRequest"])   # the device's PKCS#10
            certificate = self.lab.certificate_from_smki(eui, usage, request)
            user = self.lab.user(party)
            self._record_ok(user.send("6.15.2", eui, device_certificate=certificate))

    def _record_ok(self, exchange: Exchange) -> Exchange:
        self._record(exchange)
        if not exchange.succeeded:
            raise CheckFailed(f"prerequisite failed: {exchange.summary}")
        return exchange

    def billing_calendar(self, party: str, device: str, periodicity: str) -> Exchange:
        table = {"periodicity": periodicity}
        if self.lab.device_config(device).type is DeviceType.GSME:
            table["billing_period_start"] = "now"
        return self.send_table(party, "6.8", device, table)

    def distribute_firmware(self, party: str, device: str) -> None:
        """11.1 with the image the scenario released, and the device's verdict (0x8F72) at the supplier."""
        user = self.lab.user(party)
        eui = parameters.device(self.lab.config, device)[1]
        firmware = self.memory.released_firmware()
        self._record_ok(user.send("11.1", device_id_list=[eui], firmware_image=firmware.image,
                                  firmware_version=firmware.version))
        if user.wait_for_alert("8F72", device=eui, timeout=6 * 3600) is None:
            raise CheckFailed(f"prerequisite failed: the {device} did not report the image verified (0x8F72)")

    # -- schedules, future dating ---------------------------------------------------------------------------

    def create_schedule(self, party: str, device: str, srv: str) -> int:
        exchange = self.send(party, "5.1", None, device_id=f"the {device}", scheduled_srv=srv)
        assert exchange.response is not None, "send() expects success: a response came"
        return int(exchange.response.alert_fields["DSPScheduleID"])

    # -- change of supplier -------------------------------------------------------------------------------------

    def change_of_supplier(self, role: str, gaining: str, device: str) -> None:
        """Registration moves the supply; the gaining supplier takes over the device's supplier trust
        anchors (6.23), and for gas the GPF's too."""
        self.lab.register(role, gaining)
        self.send(gaining, "6.23", device, certificates=gaining)
        if self.lab.device_config(device).type is DeviceType.GSME:
            self.send(gaining, "6.23", "GPF", certificates=gaining)

