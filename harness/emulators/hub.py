"""The Communications Hub: a CHF and its GPF, the HAN they run, and the devices that have joined it. The hub
routes between the SM WAN and the HAN, manages a dual band hub's sub-GHz radio, listens on Inter-PAN for a
hand-held terminal, and distributes firmware over the HAN.

Local Command Delivery (DIT no-WAN pack, GBCS 10.5.3.3): for 60 minutes from power-on the CH listens on
Inter-PAN. A hand-held terminal that hands it a CCS01 adding itself is logged as an HHT; from then on
the terminal may hand it commands, which the CH routes as if they came over the SM WAN, and while the
tunnel is open what the CH would send up the SM WAN goes to the terminal when there is no SM WAN.
Closing the tunnel or power-cycling the CH ends the session.

Firmware: an image the DSP distributes (11.1) reaches the CH over the SM WAN and goes over the HAN to
each target that has joined; the CH reports each transfer to the DCC with CCS08 (0x8F8A, or 0x8F89 and
the reason).

The PPMID route (SECMP0038 proposal, intermittent WAN): a PPMID with an internet interface hands the CH a
command the DCC prepared for Local Command Delivery (MAC'd by the ACB, signed by the User where critical). The CH
cannot verify a MAC made for another device (only the device holds that key), so it checks what it can: the
sender is a PPMID on its HAN and in its device log, it has not routed more than PPMID_ROUTE_LIMIT commands in
PPMID_ROUTE_WINDOW_S (else 0x8F3E to the DCC and in its Security Log, once
a window), the message is a well-formed GBCS command with the
ACB's MAC frame (a bare DF frame never came from the DCC) for a device on this HAN. The device then checks MAC,
counter and signature exactly as over the WAN. The device's answer to a routed command goes back to that PPMID;
while the SM WAN is down, so do its alerts for PPMID_ROUTE_OPEN_S after it (e.g. a refusal).

Variants: both CHTS versions take ZigBee 1.2a and 1.4 devices. A sub-GHz capable device joins a Dual Band
hub there (at the lower sub-GHz bit rate). The CSP can upgrade a v1.0 hub to v1.1 (DIT.9): the hub restarts
on ZigBee 1.4 with its device log, and the devices rejoin it with the keys they have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from harness.catalogue import DeviceType
from harness.emulators.chf import MAX_CHANNEL_CHANGES_PER_WEEK, SUB_GHZ_CHANNELS, CommunicationsHubFunction
from harness.emulators.firmware import FirmwareHost
from harness.emulators.gpf import GasProxyFunction
from harness.emulators.han import BAND_24GHZ, SUB_GHZ, SUB_GHZ_CLUSTER, HanNetwork
from harness.emulators.han_device import HanDevice
from harness.eui import EntityId
from harness.gbcs.axdr import PayloadError
from harness.gbcs.firmware_image import MalformedImage, parse_image
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning, MalformedMessage
from harness.han.duty_cycle import STATES as DUTY_STATES
from harness.usecases import device as device_side
from harness.usecases import device_log, sub_ghz_alerts
from harness.usecases import firmware as firmware_alerts

INTER_PAN_WINDOW_S = 3600       # Inter-PAN listens for 60 minutes from CH power-on
CCS08_FIRMWARE_TRANSFER = 0x0128
TRANSFER_FAILED, TRANSFER_SUCCEEDED = 0x8F89, 0x8F8A
# Sub-GHz duty cycle management: the suspend period is Silicon Labs' default (GB does not publish one); the
# alerts for falling back below a threshold, by the state left.
SUSPEND_PERIOD_S = 300
DUTY_FALLEN = {"Limited": 0x8F21, "Critical": 0x8F23, "Regulated": 0x8F25}
WEEK_S = 7 * 86400              # the window of the weekly limit on sub-GHz channel changes
HAN_FIRMWARE_BYTES_PER_S = 2_500    # OTA block transfer over the HAN, a few kbit/s of payload
# The PPMID route: a model choice (no specification sets one). Six commands in ten minutes covers a supplier's
# outage work on one premises (a configuration change, an emergency credit, their read-backs) and bounds what a
# compromised PPMID can push at the HAN's devices and their batteries.
PPMID_ROUTE_LIMIT = 6
PPMID_ROUTE_WINDOW_S = 600
PPMID_ROUTE_OPEN_S = 300            # how long a routed command's device answers go back to the PPMID
ALERT_UNAUTHORISED_ACCESS = 0x8F3E  # "Unauthorised Communication Access attempted" (catalogue alerts.yaml)
# A GSME's idle polls are done at most an hour's at once: a wait with no end (another thread to make its condition
# true) must still get the clock's lock between them now and then.
IDLE_POLLS_AT_ONCE_S = 3600


class RouteRefusal(Enum):
    """Why the CH did not forward what a PPMID handed it."""

    NOT_A_PPMID = "the sender is not a PPMID on this HAN in the device log"
    THROTTLED = f"more than {PPMID_ROUTE_LIMIT} commands in {PPMID_ROUTE_WINDOW_S} s from this PPMID"
    MALFORMED = "not a GBCS message"
    NOT_A_COMMAND = "not a GBCS command (a response or alert)"
    NO_MAC = "no ACB MAC frame: not prepared by the DCC"
    NO_SUCH_DEVICE = "the recipient is not on this HAN"


class RouteBack(Protocol):
    """What the CH needs of a PPMID with an internet interface (harness.emulators.displays)."""

    eui: EntityId

    def routed_back(self, data: bytes) -> None: ...


@dataclass
class OpenRoute:
    """Commands a PPMID routed to one device: their answers go back to it, until (clock seconds)."""

    ppmid: RouteBack
    counters: set[int]
    until: float = 0.0


class LocalTerminal(Protocol):
    """What the CH needs of a hand-held terminal (harness.emulators.hht.HandHeldTerminal)."""

    eui: EntityId

    def collect(self, data: bytes) -> None: ...


class CommunicationsHub:
    """A CHF and its GPF, the HAN they run, and the devices that have joined it."""

    # Sub-GHz devices one hub serves (GBCS 10.6.2.4 has a limit; its value is not public: a model choice, above
    # the six sub-GHz devices of the emulated lab's dual band test sets).
    sub_ghz_capacity = 8

    def __init__(self, chf: CommunicationsHubFunction, gpf: GasProxyFunction, han: HanNetwork):
        self.chf, self.gpf, self.han = chf, gpf, han
        chf.hub = gpf.hub = self
        self.members: dict[EntityId, HanDevice] = {}
        self._gsme_queue: dict[EntityId, list[bytes]] = {}
        self._poll_label: dict[EntityId, str] = {}
        self._down_label: dict[EntityId, str] = {}
        self.wan_uplink: Callable[[bytes], None] | None = None
        self.powered_on_at = chf.clock.now()
        self.terminal: LocalTerminal | None = None
        self.bands: dict[EntityId, str] = {}
        self.suspended: dict[EntityId, object] = {}         # sub-GHz devices told to stop, and their resume events
        self.duty_state = "Normal"
        self.channel_changes: list[float] = []             # when the sub-GHz channel changed (weekly limit)
        self.routed: dict[EntityId, list[float]] = {}       # PPMID -> when it routed commands (rate limit)
        self.throttle_alerted: dict[EntityId, float] = {}   # PPMID -> when the CH last alerted its flood
        self.routes_back: dict[EntityId, OpenRoute] = {}    # device -> the PPMID its answers go back to
        self.han_radio_failed = False                      # a fault: nothing reaches its HAN devices any more
        han.on_duty_cycle = self._duty_cycle_changed
        han.on_link_problems = self._link_problems
        han.channels[SUB_GHZ] = chf.sub_ghz_channel
        chf.uplink = gpf.uplink = self.to_wan

    # -- power --------------------------------------------------------------------------------------------

    def power_cycle(self) -> None:
        """Off and on again: the HHT and its tunnel go, Inter-PAN listens for another hour."""
        self.powered_on_at = self.chf.clock.now()
        self.terminal = None
        for entry in [e for e in self.chf.device_log.values() if e.hht]:
            del self.chf.device_log[entry.device_id]

    def remove(self) -> list[HanDevice]:
        """The installer takes this CH off the meter: every device loses its HAN."""
        gone = list(self.members.values())
        for device in gone:
            self.detach(device.eui)
        return gone

    def upgrade(self, chts_version: str = "CHTS v1.1", firmware_version: str | None = None) -> None:
        """The CSP's firmware upgrade (DIT.9: v1.0 to v1.1; SECMP0024's releases): the hub restarts on the new
        firmware with its device log; the HAN devices lose it for the restart and rejoin with the link keys they
        hold."""
        self.chf.chts_version = chts_version
        if firmware_version is not None:
            self.chf.firmware_version = firmware_version
        self.chf.note(f"upgraded to {chts_version}, firmware {self.chf.firmware_version} "
                      f"(ZigBee {self.chf.zigbee_version})")
        for device in self.remove():
            device.move_to(self)

    # -- HAN membership ------------------------------------------------------------------------------

    def join(self, device: HanDevice, presented_key: bytes) -> bool:
        if not self.chf.accept_join(device.eui, presented_key):
            return False
        # A sub-GHz capable device uses the sub-GHz radio of a dual band hub; everything else is 2.4 GHz.
        band = SUB_GHZ if self.chf.dual_band and SUB_GHZ in device.bands else BAND_24GHZ
        if band == SUB_GHZ and sum(b == SUB_GHZ for b in self.bands.values()) >= self.sub_ghz_capacity:
            self.chf.sub_ghz_alert(sub_ghz_alerts.NO_CAPACITY, sub_ghz_alerts.no_capacity(device.eui))
            if BAND_24GHZ not in device.bands:
                return False                # a sub-GHz-only device has nowhere to go
            band = BAND_24GHZ
        self.members[device.eui] = device
        self.bands[device.eui] = band
        # What DIT.9 triage looks for: a ZigBee 1.2a device on a ZigBee 1.4 hub, and the band it uses.
        self.chf.note(f"{device} (ZigBee {device.zigbee_version}) joined on {band}, hub on ZigBee "
                      f"{self.chf.zigbee_version}")
        up = f"HAN {device} -> CHF"                 # the events' labels, made once a join rather than a message
        self._down_label[device.eui] = f"HAN CHF -> {device}"
        device.uplink = lambda data, d=device: self.han.transmit(data, lambda x: self._from_han(d, x), up, band,
                                                                 source=d.eui)
        if device.sleepy:
            self._gsme_queue.setdefault(device.eui, [])
            self._poll_label[device.eui] = f"{device} poll"     # every 30 s while it is joined: named once
            self.chf.clock.call_later(self.han.timing.gsme_poll_interval_s, lambda: self._poll(device),
                                      self._poll_label[device.eui])
        return True

    def detach(self, device: EntityId) -> None:
        member = self.members.pop(device, None)
        if member is not None:
            member.joined_to = None
            member.uplink = None

    def _poll(self, device: HanDevice) -> None:
        if self.members.get(device.eui) is not device:
            return
        band = self.bands.get(device.eui, BAND_24GHZ)
        held = self._gsme_queue.get(device.eui, [])
        self.han.poll(device.eui, band, pending=bool(held))
        for data in held[:]:
            held.remove(data)
            self.han.transmit(data, device.receive, self._down_label[device.eui], band, destination=device.eui)
        clock, interval = self.chf.clock, self.han.timing.gsme_poll_interval_s
        at = clock.elapsed + interval
        if band == BAND_24GHZ:
            # The polls that find nothing before anything else is due (what this one sent is delivered by an event)
            # are done now, each at its own time: the same frames, backoffs and sequence numbers as an event each,
            # 30 s apart over the days a scenario lets pass. Not on sub-GHz, where the CH's ACKs count to a duty
            # cycle whose changes are events.
            quiet, idle = min(clock.quiet_until(), at + IDLE_POLLS_AT_ONCE_S), []
            while at < quiet:
                idle.append(clock.stamp(at))
                at += interval
            self.han.idle_polls(device.eui, band, idle)
        clock.call_at_elapsed(at, lambda: self._poll(device), self._poll_label[device.eui])

    # -- sub-GHz duty cycle management (GBCS 10.6.2.2; the Silicon Labs sub-GHz server as reference) --------

    def _duty_cycle_changed(self, before: str, after: str, percent: float) -> None:
        """The CH's own sub-GHz duty cycle crossed a threshold: act as the state says and tell the DCC."""
        self.duty_state = after
        rising = DUTY_STATES.index(after) > DUTY_STATES.index(before)
        on_sub_ghz = [self.members[e] for e, band in self.bands.items() if band == SUB_GHZ and e in self.members]
        if rising and after == "Limited":
            quiet = [d for d in on_sub_ghz if d.eui not in self.suspended]
            if quiet:           # the most talkative device not already suspended
                device = max(quiet, key=lambda d: (self.han.duty_cycle(d.eui), d.eui))
                self._suspend(device)
                self.chf.sub_ghz_alert(sub_ghz_alerts.LIMITED_DUTY_CYCLE_ACTION,
                                       sub_ghz_alerts.limited_duty_cycle_action(device.eui))
        elif rising and after == "Critical":
            for device in on_sub_ghz:
                if device.eui not in self.suspended:
                    self._suspend(device)
            self.chf.raise_alert(0x8F22, {"DutyCycle": f"{percent:.2f}"}, to=self.chf._dcc_entity())
        elif rising:
            self.chf.raise_alert(0x8F24, {"DutyCycle": f"{percent:.2f}"}, to=self.chf._dcc_entity())
        else:
            self.chf.raise_alert(DUTY_FALLEN[before], {"DutyCycle": f"{percent:.2f}"}, to=self.chf._dcc_entity())

    def _suspend(self, device: HanDevice) -> None:
        """SuspendZCLMessages (ZCL Sub-GHz cluster) for the suspend period; then the device may talk again."""
        self.han.transmit(bytes([0x01, 0x00, 0x00, SUSPEND_PERIOD_S // 60]), lambda _: None,
                          f"HAN CHF -> {device} SuspendZCLMessages", SUB_GHZ, destination=device.eui,
                          cluster=SUB_GHZ_CLUSTER)
        self.suspended[device.eui] = self.chf.clock.call_later(
            SUSPEND_PERIOD_S, lambda: self._resume(device.eui), f"{device} suspension ends")

    def _resume(self, device: EntityId) -> None:
        self.suspended.pop(device, None)

    def _discarded(self, message: GeneralSigning) -> bool:
        """A message for a suspended sub-GHz device (or any, when Regulated) is discarded and the DCC told."""
        recipient = message.recipient
        if recipient not in self.suspended and not (self.duty_state == "Regulated"
                                                    and self.bands.get(recipient) == SUB_GHZ):
            return False
        self.chf.sub_ghz_alert(sub_ghz_alerts.MESSAGE_DISCARDED, sub_ghz_alerts.message_discarded(message))
        return True

    # -- sub-GHz frequency agility (GBCS 10.6.2.6) ------------------------------------------------------

    def _link_problems(self, device: EntityId | None) -> None:
        """Unicasts failing on the sub-GHz channel: seen by the CH itself, or reported by a device."""
        if not self.chf.dual_band:
            return
        if device is None:
            self.frequency_agility("CHDetectedMessageFailureProblems")
            return
        if self.bands.get(device) != SUB_GHZ:
            return
        self.han.notify_link_problems(device, failures=3)
        member = self.members.get(device)
        gsme = member is not None and member.device_type is DeviceType.GSME
        self.frequency_agility("GSMERequest" if gsme else "SubGHzNon-GSMEDeviceRequest")

    def frequency_agility(self, trigger: str) -> None:
        """Scan the sub-GHz channels (energy detect) and move the HAN off a noisy one, within the week's allowance
        of channel changes (SR 6.28's MaximumSubGHzChannelChangesPerWeek)."""
        current = self.han.channels[SUB_GHZ]
        if trigger == "RemotePartyCommand":             # 6.29's request assessed: this model always takes it
            self.chf.sub_ghz_alert(sub_ghz_alerts.SCAN_ASSESSED,
                                   sub_ghz_alerts.scan_assessed("ScanRequestAccepted", trigger))
        self.chf.raise_alert(0x8F27, {"ScanTrigger": trigger}, to=self.chf._dcc_entity())
        if current not in self.han.interference:
            return                                      # the channel is good: nothing to change
        # the page 28 channels 6.28 allows (all of them while it names none)
        allowed = sorted(int(k.rsplit("Channel", 1)[1]) for k in self.chf.sub_ghz_configuration
                         if k.startswith("LowerBandSubGHzChannels0To26/Channel")) or range(SUB_GHZ_CHANNELS)
        quiet = [c for c in allowed if c not in self.han.interference and c != current]
        now = self.chf.clock.now().timestamp()
        self.channel_changes = [t for t in self.channel_changes if t > now - WEEK_S]
        weekly_limit = int(next((v for k, v in self.chf.sub_ghz_configuration.items()
                                 if k.endswith("MaximumSubGHzChannelChangesPerWeek")), MAX_CHANNEL_CHANGES_PER_WEEK))
        if not quiet or len(self.channel_changes) >= weekly_limit:
            self.chf.raise_alert(0x8F2B, {"ScanTrigger": trigger}, to=self.chf._dcc_entity())
            return
        self.channel_changes.append(now)
        self.han.change_channel(quiet[0], update_id=len(self.channel_changes))
        self.chf.sub_ghz_channel = quiet[0]
        when = self.chf.clock.now()
        self.chf.channel_log.append((when, device_log.channel_log_row(when, device_log.CHANNEL_CHANGED, "Lower",
                                                                      quiet[0], trigger)))
        self.chf.sub_ghz_alert(sub_ghz_alerts.CHANNEL_CHANGED, sub_ghz_alerts.channel_changed(quiet[0], trigger))

    # -- routing -------------------------------------------------------------------------------------

    def from_wan(self, data: bytes) -> None:
        """A message from the DCC over the SM WAN (or a terminal): for the CHF, the GPF, or a HAN device."""
        try:
            apdu = GbcsMessage.decode(data).apdu
        except MalformedMessage:
            self.chf.receive(data)           # the CHF reports the malformed message
            return
        recipient = apdu.recipient
        if recipient == self.chf.eui:
            self.chf.receive(data)
        elif recipient == self.gpf.eui:
            self.gpf.receive(data)
        elif recipient in self.members and self._discarded(apdu):
            return
        elif recipient in self.members and self.han_radio_failed:
            self.chf.note(f"HAN radio failed: nothing sent to {recipient}")
        elif recipient in self.members:
            member = self.members[recipient]
            entry = self.chf.device_log.get(recipient)
            if entry is not None:
                entry.last_communication = self.chf.clock.now()
            if member.sleepy:
                self._gsme_queue[recipient].append(data)
            else:
                self.han.transmit(data, member.receive, self._down_label[recipient], self.bands[recipient],
                                  destination=recipient)
        else:
            self.chf.note(f"no route to {recipient}: not joined to this HAN")

    def _from_han(self, device: HanDevice, data: bytes) -> None:
        entry = self.chf.device_log.get(device.eui)
        if entry is not None:
            entry.last_communication = self.chf.clock.now()
        ppmid = self._route_back(device.eui, data)
        if ppmid is not None:
            self.han.transmit(data, ppmid.routed_back, f"HAN CHF -> {ppmid.eui} (PPMID route)",
                              self.bands.get(ppmid.eui, BAND_24GHZ), destination=ppmid.eui)
            return
        self.to_wan(data)

    def _route_back(self, device: EntityId, data: bytes) -> RouteBack | None:
        """The PPMID a device's message goes back to: the answer to a command it routed, or, while the SM WAN is
        down, the device's alerts for PPMID_ROUTE_OPEN_S after it (the only way out)."""
        route = self.routes_back.get(device)
        if route is None or route.until < self.chf.clock.elapsed or route.ppmid.eui not in self.members:
            return None
        try:
            apdu = GbcsMessage.decode(data).apdu
        except MalformedMessage:
            return None
        if apdu.cra_flag is CraFlag.RESPONSE and apdu.originator_counter in route.counters:
            route.counters.discard(apdu.originator_counter)
            return route.ppmid
        if apdu.cra_flag is CraFlag.ALERT and self.wan_uplink is None and self.terminal is None:
            return route.ppmid
        return None

    # -- the PPMID route (SECMP0038) ------------------------------------------------------------------

    def from_ppmid(self, ppmid: RouteBack, data: bytes) -> RouteRefusal | None:
        """A PPMID hands the CH a command over the HAN to forward: None if forwarded, else why not."""
        member = self.members.get(ppmid.eui)
        if member is None or member.device_type is not DeviceType.PPMID or ppmid.eui not in self.chf.device_log:
            return self._refuse(ppmid.eui, RouteRefusal.NOT_A_PPMID)
        now = self.chf.clock.elapsed
        recent = [t for t in self.routed.get(ppmid.eui, []) if t > now - PPMID_ROUTE_WINDOW_S]
        self.routed[ppmid.eui] = recent
        if len(recent) >= PPMID_ROUTE_LIMIT:
            if self.throttle_alerted.get(ppmid.eui, -PPMID_ROUTE_WINDOW_S) <= now - PPMID_ROUTE_WINDOW_S:
                self.throttle_alerted[ppmid.eui] = now
                self.chf.log_security(ALERT_UNAUTHORISED_ACCESS, f"PPMID {ppmid.eui} flooding the PPMID route")
                self.chf.raise_alert(ALERT_UNAUTHORISED_ACCESS, {"PPMID": ppmid.eui.duis, "Reason": "flood"},
                                     critical=True, to=self.chf._dcc_entity())
            return self._refuse(ppmid.eui, RouteRefusal.THROTTLED)
        recent.append(now)          # every attempt counts: a flood of junk is a flood
        try:
            message = GbcsMessage.decode(data)
        except MalformedMessage:
            return self._refuse(ppmid.eui, RouteRefusal.MALFORMED)
        if message.apdu.cra_flag is not CraFlag.COMMAND:
            return self._refuse(ppmid.eui, RouteRefusal.NOT_A_COMMAND)
        if message.mac is None:
            return self._refuse(ppmid.eui, RouteRefusal.NO_MAC)
        recipient = message.apdu.recipient
        if recipient not in self.members:           # the CHF and GPF answer up the WAN: not routable back
            return self._refuse(ppmid.eui, RouteRefusal.NO_SUCH_DEVICE)
        route = self.routes_back.get(recipient)
        if route is None or route.ppmid is not ppmid or route.until < now:
            route = self.routes_back[recipient] = OpenRoute(ppmid, set())
        route.until = now + PPMID_ROUTE_OPEN_S
        route.counters.add(message.apdu.originator_counter)
        self.chf.note(f"PPMID route: {ppmid.eui} -> {recipient}, message code 0x{message.apdu.message_code:04X}")
        self.from_wan(data)
        return None

    def _refuse(self, ppmid: EntityId, reason: RouteRefusal) -> RouteRefusal:
        self.chf.note(f"PPMID route refused from {ppmid}: {reason.value}")
        return reason

    def to_wan(self, data: bytes) -> None:
        if self.wan_uplink is not None:
            self.wan_uplink(data)
        elif self.terminal is not None:
            self.terminal.collect(data)
        else:
            self.chf.note("no SM WAN connection: message dropped")

    # -- Local Command Delivery -----------------------------------------------------------------------

    def inter_pan(self, terminal: LocalTerminal, data: bytes) -> bool:
        """A terminal hands the CH a command over Inter-PAN; False if the CH will not take it."""
        now = self.chf.clock.now()
        if (now - self.powered_on_at).total_seconds() > INTER_PAN_WINDOW_S:
            self.chf.note(f"Inter-PAN refused from {terminal.eui}: more than 60 minutes since power-on")
            return False
        entry = self.chf.device_log.get(terminal.eui)
        if not (entry is not None and entry.hht) and not self._registers(terminal.eui, data):
            self.chf.note(f"Inter-PAN refused from {terminal.eui}: not an HHT in the device log")
            return False
        self.terminal = terminal
        self.chf.registering_hht = None if entry is not None and entry.hht else terminal.eui
        try:
            self.from_wan(data)                  # the CHF takes it synchronously
        finally:
            self.chf.registering_hht = None
        return True

    def close_tunnel(self, terminal: LocalTerminal) -> None:
        """The terminal's CloseTunnel: the Inter-PAN session ends and the CHF takes the HHT off its device log (one
        of the three ways the DIT approach names, with a CH power cycle and the 65535 s expiry)."""
        if self.terminal is terminal:
            self.terminal = None
        self.chf.forget_hht(terminal.eui)

    def _registers(self, terminal: EntityId, data: bytes) -> bool:
        """GBCS 10.5.3.3: a device that provides its own ID and install code in a CCS01 is an HHT."""
        try:
            apdu = GbcsMessage.decode(data).apdu
            fields = device_side.read(apdu, DeviceType.CHF, now=self.chf.clock.now())[1]
        except (MalformedMessage, PayloadError):
            return False
        return apdu.cra_flag is CraFlag.COMMAND and fields.get("UseCase") == "CCS01" and \
            fields.get("DeviceID") == terminal.duis

    # -- firmware distribution ------------------------------------------------------------------------

    def receive_firmware(self, image: bytes, devices: list[EntityId], reference: str) -> None:
        """An 11.1 image from the DSP: pass it over the HAN to each target that has joined. The CCS08 reports name
        the image by its OTA header's version (the DSP's `reference` does not travel in GBCS); an image that is no
        OTA upgrade file the CH discards."""
        try:
            version = parse_image(image).version
        except MalformedImage:
            for device in devices:
                self._transfer_report(device, "00000000", "FirmwareImageDiscarded")
            return
        targets: list[FirmwareHost] = []
        for device in devices:
            member = self.members.get(device)
            if not isinstance(member, FirmwareHost):
                self._transfer_report(device, version, "FileTransferFailure")
                continue
            targets.append(member)
        # The image reaches every target at the same time, in list order: one event for all of them (50,000
        # events of one time cost the clock's heap a Python comparison per level for each).
        if targets:
            self.chf.clock.call_later(len(image) / HAN_FIRMWARE_BYTES_PER_S,
                                      lambda: self._deliver_firmware(targets, image, version),
                                      f"HAN image -> {len(targets)} device(s)")

    def _deliver_firmware(self, targets: list[FirmwareHost], image: bytes, version: str) -> None:
        for member in targets:
            current: object = self.members.get(member.eui)         # a FirmwareHost is a HanDevice too
            if current is not member:                           # it left the HAN while the image travelled
                self._transfer_report(member.eui, version, "FileTransferFailure")
                continue
            member.receive_firmware(image)
            self._transfer_report(member.eui, version, "FileTransferSuccess")

    def _transfer_report(self, device: EntityId, version: str, response: str) -> None:
        """CCS08 to the DCC, signed as the RTDS NA_CCS08 sample is."""
        code = TRANSFER_SUCCEEDED if response == "FileTransferSuccess" else TRANSFER_FAILED
        self.chf.raise_alert(code, critical=True, message_code=CCS08_FIRMWARE_TRANSFER, to=self.chf._dcc_entity(),
                             payload=firmware_alerts.transfer_alert(code, device, version, response))
