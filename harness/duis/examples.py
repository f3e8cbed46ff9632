"""A complete, valid example of every Service Request the DIT plan sends, from the test SMKI's parties.

Engineers start from these (`dit duis example 8.11`), the self-check builds and signs all of them,
and a test holds every one against the DUIS schema. Devices are the template numbering of the test
SMKI (A0 ESME, A1 GSME, A2 CHF, A3 GPF, A4 PPMID, A5 HCALCS); the originator is supplier A.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from lxml import etree

from harness import catalogue
from harness.catalogue import DeviceType
from harness.duis import requests, xml
from harness.duis.request_id import RequestId
from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
from harness.pki import DEFAULT_DEVICES, SMKI, KeyUsage

SUPPLIER_A = EntityId("90-B3-D5-1F-30-01-00-00")
SUPPLIER_B = EntityId("90-B3-D5-1F-30-03-00-00")
DEVICES: dict[DeviceType, EntityId] = {}
for _eui, _type in DEFAULT_DEVICES:
    DEVICES.setdefault(_type, _eui)          # the first device of each type; later ones are replacements
REPLACEMENT_CHF = EntityId("00-DB-12-34-56-78-90-B2")
REPLACEMENT_GPF = EntityId("00-DB-12-34-56-78-90-B3")
IHD = EntityId("00-DB-12-34-56-78-90-A6")
MPAN, MPRN = "1312345678111", "7512345678"
FIRMWARE_IMAGE = b"DIT example OTA image " * 64


# SRs whose example goes to another device than the first type the catalogue says they target: 8.7.2 joins the GSME
# to the GPF (I&C gas); 8.12.1 and 8.12.2 go to the new Communications Hub.
_OTHER_TARGETS = {"8.7.2": (DEVICES[DeviceType.GPF], DeviceType.GPF), "8.12.1": (REPLACEMENT_CHF, DeviceType.CHF),
                  "8.12.2": (REPLACEMENT_GPF, DeviceType.GPF)}


@dataclass(frozen=True)
class Example:
    srv: str
    target: EntityId
    target_type: DeviceType | None        # None for non-device SRs (the DCC answers)
    params: dict


def _supplier_certificates(smki: SMKI, supplier: EntityId) -> dict:
    ks = smki.keystore
    return {
        "digital_signing_certificate": ks.credential(supplier, KeyUsage.DIGITAL_SIGNING).certificate,
        "key_agreement_certificate": ks.credential(supplier, KeyUsage.KEY_AGREEMENT).certificate,
        "key_agreement_top_up_certificate": ks.credential(supplier, KeyUsage.PREPAYMENT_KEY_AGREEMENT).certificate,
        "certification_path_certificates": [smki.organisation_ca_certificate],
    }


def example(srv: str, smki: SMKI, now: dt.datetime) -> Example:
    """Target and builder parameters for one SR; defaults fill in everything not named here."""
    service = catalogue.service_request(srv)
    target = DCC_ACCESS_CONTROL_BROKER if service.non_device else DEVICES[service.targets[0]]
    esme, gsme, chf, gpf = (DEVICES[t] for t in (DeviceType.ESME, DeviceType.GSME, DeviceType.CHF, DeviceType.GPF))
    ppmid = DEVICES[DeviceType.PPMID]
    by_srv: dict[str, dict[str, object]] = {
        "2.2": {"utrn": "73946144332040217315"},
        "3.2": {"restriction_date_time": now},
        "5.1": {"device_id": esme, "schedule_start_date": now.date()},
        "5.2": {"device_id": esme},
        "5.3": {"device_id": esme},
        "6.11": {"current_date_time": now},
        "8.1.1": {"current_date_time": now},
        "6.15.1": _supplier_certificates(smki, SUPPLIER_A),
        "6.15.2": {"device_certificate": smki.keystore.credential(esme, KeyUsage.DIGITAL_SIGNING).certificate},
        "6.21": _supplier_certificates(smki, SUPPLIER_A),
        "6.20.1": {"import_mpan": MPAN},
        "6.22": {"alerts": "810E=Enable, 8183=Enable"},     # credit added locally, device joined SMHAN
        "6.23": {**_supplier_certificates(smki, SUPPLIER_B), "import_mpxn": MPAN},
        "6.32": {"start_date_time": now - dt.timedelta(days=7), "end_date_time": now},
        "8.2": {"device_id": esme},
        "8.3": {"device_id": esme},
        "8.7.1": {"other_device_id": ppmid},
        "8.7.2": {"other_device_id": gsme},
        "8.8.1": {"other_device_id": ppmid},
        "8.8.2": {"other_device_id": IHD},
        "8.11": {"device_id": esme, "install_code": "30313233343536373839414243444546", "import_mpxn": MPAN},
        "8.12.1": {"old_chf_id": chf},
        "8.12.2": {"old_gpf_id": gpf},
        "8.13": {"device_gbcs_response": bytes.fromhex("DF09020000000000000001"),
                 "original_request_id": RequestId(SUPPLIER_A, esme, 1000)},
        "8.14.1": {"device_id": chf, "mpxn": MPAN},
        "8.14.2": {"device_id": chf, "mpxn": MPAN},
        "11.1": {"firmware_image": FIRMWARE_IMAGE, "firmware_version": "00020001", "device_id_list": [esme]},
        "11.3": {"firmware_hash": hashlib.sha256(FIRMWARE_IMAGE).digest()},
        "11.4": {"firmware_image": FIRMWARE_IMAGE, "firmware_version": "00020001", "device_id_list": [ppmid]},
        "12.1": {"uprn": 123456789012},
        "12.2": {"device_id": esme, "device_type": DeviceType.ESME, "smets_chts_version": "SMETS2 V3.0",
                 "firmware_version": "00020001", "esme_variant": "A"},
    }
    params = by_srv.get(srv, {})
    target_type = None if service.non_device else service.targets[0]
    target, target_type = _OTHER_TARGETS.get(srv, (target, target_type))
    return Example(srv, target, target_type, params)


def build_example(srv: str, smki: SMKI, now: dt.datetime, counter: int,
                  originator: EntityId = SUPPLIER_A) -> etree._Element:
    ex = example(srv, smki, now)
    return requests.build(srv, RequestId(originator, ex.target, counter), **ex.params)


def dit_examples() -> list[str]:
    """The SRs with examples: every DIT plan and support SR, in catalogue order."""
    return [s.srv for s in catalogue.dit_service_requests()]


def two_rate_tariff(fields: dict) -> dict:
    """Flattened 1.1.1 tariff fields turned into two rates: rate 2 from 00:00, rate 1 from 07:00, each priced as
    1.2.1 sets them (24,500 and 12,000). The time-of-use tests and the metering benchmark price against it."""
    two = {k: v for k, v in fields.items() if "ProfileSchedule" not in k and "TOUPrice" not in k}
    day = "ElecTariffElements/SwitchingTable/DayProfiles/DayProfile"
    two.update({f"{day}/ProfileSchedule[1]/StartTime": "00:00:00.00Z",
                f"{day}/ProfileSchedule[1]/TOUTariffAction": "2",
                f"{day}/ProfileSchedule[2]/StartTime": "07:00:00.00Z",
                f"{day}/ProfileSchedule[2]/TOUTariffAction": "1"})
    two.update({k: v for k, v in xml.flatten(requests.builder("1.2.1")(unit_rates=[24500, 12000])).items()
                if "TOUPrice" in k})
    return two
