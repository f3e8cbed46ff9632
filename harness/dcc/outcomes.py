"""What the DCC does once a device has answered: inventory, registration of joins, and the DCC alerts.

Per SR (only on success unless said otherwise):
  8.11    Add: the device is Whitelisted at the CH; N24 (N25 on failure, to the sender either way).
          Remove: the device leaves the CH; a PPMID still joined to a meter is removed from under that
          meter's supplier: N43 to them (a dual-fuel PPMID serves both suppliers).
  8.1.1   Commissioned.                          6.20.1  the MPxN the device now holds.
  6.21, 6.15.1  N42 to the party whose certificates were placed; a supplier handover records who is in
          the device's supplier trust anchor.
  6.23    Change of Supplier: the gaining supplier is now in the trust anchor; N27 to the losing
          supplier, whose DSP schedules for the device go (N17 each).
  6.15.2  the new device certificate is In Use in the SMKI repository.
  8.7.x / 8.8.x  the DSP's record of joins; a GPF, PPMID or HCALCS joined for the first time is Commissioned.
  8.12.1 / 8.12.2  N30 / N31; the devices of the old CH now belong to the new one.
  3.2     Change of Tenancy: Other Users lose what they set up on the device: their DSP future-dated
          requests are cancelled (N3) and their DSP schedules removed (N4).
  11.3    a future-dated activation the device accepted is kept by (device, counter) until its outcome.
Device alerts the DCC reads on their way: a successful future-dated firmware activation (FDA-CS06 0x00CA,
0x8F66) updates the firmware version in the inventory: the alert quotes the 11.3 command's counter, the 11.3
names the image by its hash, and the DSP's distribution of that image gives its version.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from harness.catalogue import DeviceStatus, DeviceType, UserRole
from harness.dcc.base import FAILED, Outstanding
from harness.dcc.inventory import InventoryDevice
from harness.duis.xml import E
from harness.eui import EntityId
from harness.gbcs import payload as payload_codec
from harness.gbcs.axdr import PayloadError
from harness.gbcs.frame import GeneralSigning
from harness.pki import entity_id_of, role_of
from harness.usecases.firmware_activation import FDA_CS06
from harness.usecases.records import DeviceLogBackup

if TYPE_CHECKING:
    from harness.dcc.dsp import DataServicesProvider

S = DeviceStatus
FD_SUCCESS = 0x8F66
_CERTIFICATE_TYPES = {"DigitalSigningCertificate": "DigitalSigning", "KeyAgreementCertificate": "KeyAgreement",
                      "KeyAgreementTopUpCertificate": "KeyAgreementTopUp"}


class DeviceOutcomes:
    def __init__(self, dsp: DataServicesProvider):
        self.dsp = dsp
        self.joins: set[tuple[EntityId, EntityId]] = set()          # (target, other) of successful 8.7.x
        # 11.3s a device holds for later, by (device, command counter): its outcome alert names the counter
        self.activations: dict[tuple[EntityId, int], Outstanding] = {}
        self._after = {"8.1.1": self._commissioned, "6.20.1": self._mpxn, "6.21": self._credentials_placed,
                       "6.15.1": self._credentials_placed, "6.23": self._change_of_supplier,
                       "6.15.2": self._device_certificate_in_use, "8.7.1": self._joined, "8.7.2": self._joined,
                       "8.8.1": self._unjoined, "8.8.2": self._unjoined, "8.12.1": self._chf_log_restored,
                       "8.12.2": self._gpf_log_restored, "3.2": self._change_of_tenancy,
                       "11.3": self._activation_accepted}

    def reads_result(self, srv: str) -> bool:
        """Whether after() looks at a device's answer to this SR: the DSP parses the answer only then."""
        return srv == "8.11" or srv in self._after

    def after(self, command: Outstanding, result: dict) -> None:
        ok = result.get("Result") != FAILED
        if command.srv == "8.11":
            self._han_device_log(command, ok)
        elif ok and command.srv in self._after:
            self._after[command.srv](command, result)

    # -- HAN device log -------------------------------------------------------------------------------

    def _han_device_log(self, command: Outstanding, ok: bool) -> None:
        dsp, now = self.dsp, self.dsp.clock.now()
        subject = dsp.inventory.get(EntityId(command.fields["DeviceID"]))
        if ok and subject is not None and command.use_case == "CCS01":
            subject.chf = command.device.device_id
            subject.mpxn = command.fields.get("AddDeviceToCHFWhitelist/ImportMPxN") or subject.mpxn
            if subject.status is S.PENDING:
                dsp.inventory.set_status(subject.device_id, S.WHITELISTED, now)
        elif ok and subject is not None:
            self._removed_from_han(subject, command)
        detail = E.UpdateHANDeviceLogResult(E.UpdateHANDeviceLogServiceRequestID(str(command.request_id)))
        dsp.dcc_alert(command.user, "N24" if ok else "N25", detail)

    def _removed_from_han(self, subject: InventoryDevice, command: Outstanding) -> None:
        partners = {other for target, other in self.joins if target == subject.device_id} | \
                   {target for target, other in self.joins if other == subject.device_id}
        self.joins = {j for j in self.joins if subject.device_id not in j}
        if subject.device_type is not DeviceType.PPMID:
            return
        meters = [d for d in map(self.dsp.inventory.get, partners) if d is not None and d.device_type.is_meter]
        told = set()
        for meter in meters:
            for supplier in self.dsp.suppliers_of(meter):
                if supplier.eui not in told:
                    told.add(supplier.eui)
                    self.dsp.dcc_alert(supplier, "N43", E.PPMIDRemoval(E.PPMIDDeviceID(subject.device_id.duis),
                                                                       E.CHFDeviceID(command.device.device_id.duis)))

    def device_log_changed(self, backup: DeviceLogBackup) -> None:
        """A device the CHF reports with a link key has joined: Installed Not Commissioned."""
        for eui in (entry.device_id for entry in backup.entries if entry.hashed_link_key):
            record = self.dsp.inventory.get(eui)
            if record is not None and record.status is S.WHITELISTED:
                self.dsp.inventory.set_status(eui, S.INSTALLED_NOT_COMMISSIONED, self.dsp.clock.now())

    # -- commissioning, identity, credentials ----------------------------------------------------------

    def _commissioned(self, command: Outstanding, result: dict) -> None:
        self.dsp.inventory.set_status(command.device.device_id, S.COMMISSIONED, self.dsp.clock.now())

    def _mpxn(self, command: Outstanding, result: dict) -> None:
        fields = command.fields
        command.device.mpxn = fields.get("ImportMPANs/ImportMPAN") or fields.get("ImportMPRN")

    def _credentials_placed(self, command: Outstanding, result: dict) -> None:
        """N42 to the Remote Party whose certificate was placed on the device."""
        certs = {k.rsplit("/", 1)[-1]: x509.load_der_x509_certificate(base64.b64decode(v))
                 for k, v in command.fields.items() if k.rsplit("/", 1)[-1] in _CERTIFICATE_TYPES}
        if not certs:
            return
        first = next(iter(certs.values()))
        role = role_of(first)
        if role is not None and role.duis_name == "Supplier":
            command.device.supplier_in_trust_anchor = entity_id_of(first)
        elif role is not None and role.duis_name == "NetworkOperator":
            command.device.network_operator_in_trust_anchor = entity_id_of(first)
        owner = entity_id_of(first)
        party = self.dsp.users.get(owner) if owner is not None else None
        if party is None:
            return
        entries = [E.Certificates(E.CertificateType(_CERTIFICATE_TYPES[slot]),
                                  E.CertificateHash(cert.fingerprint(hashes.SHA1()).hex().upper()))
                   for slot, cert in certs.items()]
        detail = E.SecurityCredentialsUpdated(E.DeviceID(command.device.device_id.duis),
                                              E.RemotePartyRole(role.duis_name if role else "Supplier"), *entries)
        self.dsp.dcc_alert(party, "N42", detail)

    def _change_of_supplier(self, command: Outstanding, result: dict) -> None:
        device, gaining = command.device, command.user
        losing = self.dsp.users.get(device.supplier_in_trust_anchor) if device.supplier_in_trust_anchor else None
        device.supplier_in_trust_anchor = gaining.eui
        if losing is None or losing.eui == gaining.eui:
            return
        self.dsp.dcc_alert(losing, "N27", E.ChangeOfSupplier(E.DeviceChangeOfSupplier(
            E.DeviceID(device.device_id.duis), E.DeviceType(device.device_type.duis_type),
            E.MPxNs(E.ImportMPxN(device.mpxn or "0")))))
        self.dsp.schedules.remove(lambda s: s.owner.eui == losing.eui and s.device_id == device.device_id, "N17")

    def _device_certificate_in_use(self, command: Outstanding, result: dict) -> None:
        self.dsp.repository.put_in_use(x509.load_der_x509_certificate(
            base64.b64decode(command.fields["DeviceCertificate"])))

    # -- joins and CH replacement ---------------------------------------------------------------------------

    def _joined(self, command: Outstanding, result: dict) -> None:
        device = command.device
        self.joins.add((device.device_id, EntityId(command.fields["OtherDeviceID"])))
        if device.device_type in (DeviceType.GPF, DeviceType.PPMID, DeviceType.HCALCS) \
                and device.status is S.INSTALLED_NOT_COMMISSIONED:
            self.dsp.inventory.set_status(device.device_id, S.COMMISSIONED, self.dsp.clock.now())

    def _unjoined(self, command: Outstanding, result: dict) -> None:
        other = EntityId(command.fields["OtherDeviceID"])
        self.joins -= {(command.device.device_id, other), (other, command.device.device_id)}

    def _chf_log_restored(self, command: Outstanding, result: dict) -> None:
        dsp, new_chf = self.dsp, command.device
        old_chf = dsp.inventory.get(EntityId(command.fields["OldCHFID"]))
        if old_chf is None:
            return
        for device in dsp.inventory.devices.values():
            if device.chf == old_chf.device_id and device.device_type not in (DeviceType.CHF, DeviceType.GPF):
                device.chf = new_chf.device_id
        self._restored("N30", "CHFDeviceLog", command, old_chf)

    def _gpf_log_restored(self, command: Outstanding, result: dict) -> None:
        old_gpf = self.dsp.inventory.get(EntityId(command.fields["OldGPFID"]))
        old_chf = self.dsp.inventory.get(old_gpf.chf) if old_gpf and old_gpf.chf else None
        if command.device.status is S.INSTALLED_NOT_COMMISSIONED:
            self.dsp.inventory.set_status(command.device.device_id, S.COMMISSIONED, self.dsp.clock.now())
        if old_chf is not None:
            self._restored("N31", "GPFDeviceLog", command, old_chf)

    def _restored(self, code: str, which: str, command: Outstanding, old_chf: InventoryDevice) -> None:
        inventory = self.dsp.inventory
        new_chf_id = command.device.chf or command.device.device_id
        old_gpf, new_gpf = inventory.gpf_of(old_chf.device_id), inventory.gpf_of(new_chf_id)
        ids = E(which, E.OldCHFDeviceID(old_chf.device_id.duis), E.NewCHFDeviceID(new_chf_id.duis),
                E.OldGPFDeviceID(old_gpf.device_id.duis if old_gpf else old_chf.device_id.duis),
                E.NewGPFDeviceID(new_gpf.device_id.duis if new_gpf else new_chf_id.duis))
        detail = E.DeviceLogRestored(E.RestoredDate(self.dsp.clock.now().date().isoformat()), ids)
        self.dsp.dcc_alert(command.user, code, detail)

    # -- change of tenancy ---------------------------------------------------------------------------------

    def _change_of_tenancy(self, command: Outstanding, result: dict) -> None:
        """For gas, 3.2 goes to the GPF, but the tenancy is the gas meter's too."""
        device = command.device
        affected = {device.device_id}
        if device.device_type is DeviceType.GPF:
            affected |= {d.device_id for d in self.dsp.inventory.devices.values()
                         if d.device_type is DeviceType.GSME and d.chf == device.chf}
        for eui in affected:
            self.dsp.inventory.devices[eui].restricted_from = command.fields.get("RestrictionDateTime")

        def other_user(user) -> bool:
            return UserRole.OTHER_USER in user.roles and not (user.roles - {UserRole.OTHER_USER})

        self.dsp.cancel_held(lambda c: c.device.device_id in affected and other_user(c.user), "N3")
        self.dsp.schedules.remove(lambda s: s.device_id in affected and other_user(s.owner), "N4")

    # -- device alerts -------------------------------------------------------------------------------------

    def _activation_accepted(self, command: Outstanding, result: dict) -> None:
        if command.fields.get("ExecutionDateTime"):
            self.activations[(command.device.device_id, command.apdu.originator_counter)] = command

    def device_alert(self, alert: GeneralSigning, code: int) -> Outstanding | None:
        """FDA-CS06: the outcome of a future-dated 11.3; on success the device runs the image that 11.3 named.
        The 11.3 it answers, if it is one the DCC sent."""
        if alert.message_code != FDA_CS06:
            return None
        try:
            counter = payload_codec.decode(alert).value.value["originatorCounter"]  # type: ignore[attr-defined]
        except (PayloadError, TypeError, KeyError):
            return None
        activation = self.activations.pop((alert.originator, counter), None)
        record = self.dsp.inventory.get(alert.originator)
        if activation is None or record is None or code != FD_SUCCESS:
            return activation
        version = self.dsp.firmware.version_of(bytes.fromhex(activation.fields["FirmwareHash"]), alert.originator)
        if version is not None:
            self.dsp.firmware.running(alert.originator, version)
        return activation
