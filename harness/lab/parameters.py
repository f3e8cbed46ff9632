"""From a Gherkin step to Service Request parameters.

A scenario names things as a test engineer does -- "the ESME", "the Import Supplier", "from SMKI" --
in an optional two-column table of builder parameters (OSGP style: only what differs from the
defaults). This module turns those words into entity IDs, certificates and values, and fills in what
the lab already knows: the device's install code and MPxN for 8.11, the fuel of the target meter, the
premises' MPAN or MPRN for 6.20.1, the lab clock's time for 8.1.1.

Words a table value may use:
  the ESME / the ESME, the ESME 2      a device, or a list of devices (device_id_list)
  the Import Supplier                   (certificates) that party's organisation certificates
  from SMKI                             the certificate retrieved after 6.17
  now / in 2 hours / 3 days ago         a date-time on the lab's clock
  the vended UTRN                       the UTRN the supplier vended in this scenario (2.2 sends its counter)
  the firmware image, its hash, its version   the image released in this scenario
  the response to SR 8.11 / device alert 0x8F12   what the hand-held terminal brought back (8.13)
  the DSP schedule                      the DSP Schedule ID 5.1 returned in this scenario
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Protocol

from cryptography import x509

from harness import catalogue
from harness.catalogue import DeviceType
from harness.errors import DitError
from harness.eui import EntityId
from harness.lab.config import DeviceConfig, LabConfig, PremisesConfig
from harness.pki import KeyUsage
from harness.pki.repository import SmkiRepository

_DEVICE_PARAMS = ("device_id", "other_device_id", "old_chf_id", "old_gpf_id", "associated_gpf_device_id")
_DEFAULT_ALERTS = {DeviceType.ESME: "810E=Enable, 8183=Enable", DeviceType.GSME: "810E=Enable, 8183=Enable"}
CLOCK_TOLERANCE_S = 300                    # 8.1.1 / 6.11 TolerancePeriod by default


class LabView(Protocol):
    config: LabConfig
    repository: SmkiRepository

    def now(self) -> dt.datetime: ...

    def device(self, name: str): ...

    def terminal(self, name: str): ...


_RELATIVE = re.compile(r"^(?:in (?P<ahead>\d+)|(?P<back>\d+)) (?P<unit>second|minute|hour|day)s?(?P<ago> ago)?$")
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}

def words(text: str) -> str:
    return text.strip().removeprefix("the ").strip()


def device(config: LabConfig, name: str) -> tuple[DeviceConfig | None, EntityId]:
    """A device by name ('the ESME', 'the CHF', 'the GPF') or an EUI given literally."""
    key = words(name)
    for site in config.premises:
        if key in ("CHF", "new CHF", f"{site.name} CHF"):
            return None, site.hub.chf
        if key in ("GPF", "new GPF", f"{site.name} GPF"):
            return None, site.hub.gpf
        if key in ("old CHF", "old GPF") and site.replaced_hub is not None:
            return None, site.replaced_hub.chf if key == "old CHF" else site.replaced_hub.gpf
        for cfg in site.devices:
            if cfg.name == key:
                return cfg, cfg.eui
    try:
        return None, EntityId(key)
    except DitError:
        names = [d.name for d in config.devices()] + ["CHF", "GPF"]
        raise DitError(f"no device {name!r} in lab {config.name}", fix=f"devices are {', '.join(names)}") from None


def _hubs(site: PremisesConfig):
    return [h for h in (site.hub, site.replaced_hub, site.spare_hub) if h is not None]


def premises_of(config: LabConfig, eui: EntityId) -> PremisesConfig:
    for site in config.premises:
        if any(eui in (h.chf, h.gpf) for h in _hubs(site)) or any(d.eui == eui for d in site.devices):
            return site
    return config.premises[0]


def device_type(config: LabConfig, eui: EntityId) -> DeviceType | None:
    for site in config.premises:
        if any(eui == h.chf for h in _hubs(site)):
            return DeviceType.CHF
        if any(eui == h.gpf for h in _hubs(site)):
            return DeviceType.GPF
        for cfg in site.devices:
            if cfg.eui == eui:
                return cfg.type
    return None


def certificates(lab: LabView, party_words: str, target: DeviceType | None) -> dict[str, object]:
    """The replacement certificates of a party (6.21, 6.15.1, 6.23): DS, KA, and for a supplier the
    prepayment KA except on a GPF, with the organisation CA as certification path. "the Import
    Supplier's renewed certificates" are the ones it renewed with SMKI but does not use yet."""
    renewed = party_words.endswith("'s renewed certificates")
    party = lab.config.party(party_words.removesuffix("'s renewed certificates"))
    if renewed:
        found = lab.repository.pending.get(party.eui)
        if not found:
            raise DitError(f"{party.name} has renewed no certificates in this scenario",
                           fix="renew them with SMKI first")

        def cert(usage):
            return found[usage] if usage in found else None
    else:
        def cert(usage):
            return lab.repository.keystore.find(party.eui, usage)
    out: dict[str, object] = {
        "digital_signing_certificate": cert(KeyUsage.DIGITAL_SIGNING).certificate,
        "key_agreement_certificate": cert(KeyUsage.KEY_AGREEMENT).certificate,
        "certification_path_certificates": [lab.repository.organisation_ca_certificate],
    }
    top_up = cert(KeyUsage.PREPAYMENT_KEY_AGREEMENT)
    if top_up is not None and target is not DeviceType.GPF:
        out["key_agreement_top_up_certificate"] = top_up.certificate
    return out


def resolve(lab: LabView, srv: str, target: EntityId | None, table: dict[str, str],
            context: dict[str, object]) -> dict[str, object]:
    """Builder parameters for an SR step: the table's values resolved, the lab's defaults added."""
    config = lab.config
    kind = device_type(config, target) if target is not None else None
    params: dict[str, object] = {}
    for raw_key, raw_value in table.items():
        key = raw_key.strip().lower().replace(" ", "_")
        value = raw_value.strip()
        if key in _DEVICE_PARAMS:
            params[key] = device(config, value)[1]
        elif key == "device_id_list":
            params[key] = [device(config, name)[1] for name in value.split(",") if name.strip()]
        elif value == "the vended UTRN":
            params[key], params["counter"] = _value(context, "utrn", "vend a UTRN first")
        elif value.startswith("the firmware image"):
            params[key] = _firmware(context, value)
        elif key == "local_response":
            params["device_gbcs_response"] = _brought_back(lab, context, value)
        elif value == "the DSP schedule":
            params[key] = _value(context, "dsp_schedule_id", "create a DSP schedule (5.1) first")
        elif key == "certificates":
            params.update(certificates(lab, value, kind))
        elif value == "from SMKI":
            params[key] = context.get("smki_certificate")
            if not isinstance(params[key], x509.Certificate):
                raise DitError(f"{key}: no certificate has been retrieved from SMKI in this scenario",
                               fix="retrieve it after 6.17 first")
        elif value == "now":
            params[key] = lab.now()
        elif m := _RELATIVE.match(value):
            seconds = int(m["ahead"] or m["back"]) * _SECONDS[m["unit"]]
            params[key] = lab.now() + dt.timedelta(seconds=-seconds if m["ago"] else seconds)
        else:
            params[key] = value
    _from_scenario(srv, context, params)
    _defaults(lab, srv, target, kind, params)
    return params


def _from_scenario(srv: str, context: dict, params: dict) -> None:
    """What the scenario has already made supplies an SR's main input unless the table says otherwise."""
    if srv == "2.2" and "utrn" not in params and "utrn" in context:
        params["utrn"], params["counter"] = context["utrn"]
    elif srv == "11.1" and "firmware_image" in context:
        params.setdefault("firmware_image", context["firmware_image"])
        params.setdefault("firmware_version", context["firmware_version"])
    elif srv == "11.3" and "firmware_image" in context:
        params.setdefault("firmware_hash", hashlib.sha256(context["firmware_image"]).digest())
    elif srv in ("5.2", "5.3") and "dsp_schedule_id" in context and "device_id" not in params:
        params.setdefault("dsp_schedule_id", context["dsp_schedule_id"])


def _value(context: dict, name: str, fix: str):
    if name not in context:
        raise DitError(f"nothing called {name} in this scenario yet", fix=fix)
    return context[name]


def _firmware(context: dict, value: str):
    image = _value(context, "firmware_image", "release a firmware image first")
    if value.endswith("hash"):
        return hashlib.sha256(image).digest()
    if value.endswith("version"):
        return context["firmware_version"]
    return image


def _brought_back(lab: LabView, context: dict, value: str) -> bytes:
    """A response or alert the installer's hand-held terminal brought back from the CH."""
    terminal = lab.terminal("HHT")
    if m := re.fullmatch(r"the response to SR (\S+)", value):
        command = _value(context, f"local command {m[1]}", f"deliver an SR {m[1]} locally first")
        found = terminal.response_to(command)
    elif m := re.fullmatch(r"device alert (?:0x)?([0-9A-Fa-f]{4})", value):
        found = terminal.alert(int(m[1], 16))
    else:
        raise DitError(f"local_response {value!r}", fix="say 'the response to SR 8.11' or 'device alert 0x8F12'")
    if found is None:
        raise DitError(f"the hand-held terminal brought back no {value}")
    return found


def _defaults(lab: LabView, srv: str, target: EntityId | None, kind: DeviceType | None, params: dict) -> None:
    config = lab.config
    site = premises_of(config, target) if target is not None else config.premises[0]
    gas = kind in (DeviceType.GSME, DeviceType.GPF)
    builder_params = set(_builder_parameters(srv))
    if "fuel" in builder_params and "fuel" not in params and kind is not None:
        params["fuel"] = "gas" if gas else "electricity"
    if srv == "8.11" and params.get("request_type", "Add") == "Add" and "device_id" in params:
        subject = next((d for d in config.devices() if d.eui == params["device_id"]), None)
        if subject is not None and subject.install_code is not None:
            params.setdefault("install_code", subject.install_code.hex().upper())
            mpxn = site.mprn if subject.type is DeviceType.GSME else site.mpan
            if mpxn and subject.type in (DeviceType.ESME, DeviceType.GSME):
                params.setdefault("import_mpxn", mpxn)
    elif srv == "6.20.1" and not ({"import_mpan", "import_mprn"} & params.keys()):
        if gas:
            params["import_mprn"] = site.mprn
        else:
            params["import_mpan"] = site.mpan
    elif srv in ("8.1.1", "6.11"):
        # The meter adopts the time only if its own clock lies in [CurrentDateTime, + TolerancePeriod] (GBCS
        # ECS70, GCS28): the window is centred on the User's clock, so a meter (or a bench's clock) up to half
        # the tolerance either side of it is synchronised.
        tolerance = int(params.setdefault("tolerance_period", CLOCK_TOLERANCE_S))
        params.setdefault("current_date_time", lab.now() - dt.timedelta(seconds=tolerance / 2))
    elif srv == "6.22" and "alerts" not in params:
        params["alerts"] = _DEFAULT_ALERTS.get(kind, "810E=Enable")
        if kind is DeviceType.GSME:      # a GSME event configuration sets WAN, HAN, log and alarm together (GCS20)
            params.setdefault("behaviour", "AlertEventSettings")
    elif srv == "4.8.1" and gas:
        # A gas profile is read from a start time for a number of half hours (GBCS GCS17: at most 0xFFFF), so
        # no open period: by default up to when the read is carried out, from the day before.
        params.setdefault("end", params.get("execution_date_time") or lab.now())
        params.setdefault("start", params["end"] - dt.timedelta(days=1))
    elif srv == "6.8" and gas:
        now = lab.now()
        params.setdefault("billing_period_start", dt.datetime(now.year + now.month // 12, now.month % 12 + 1, 1,
                                                              tzinfo=dt.timezone.utc))
    elif srv == "6.23":
        params.setdefault("import_mpxn", site.mprn if gas else site.mpan)
    elif srv.startswith("8.14."):
        params.setdefault("mpxn", site.mpan or site.mprn)
    elif srv in ("5.1", "5.2", "5.3") and "device_id" not in params and "dsp_schedule_id" not in params:
        raise DitError(f"SR {srv} names the device whose schedules it is about", fix="say 'for the ESME'")
    if srv == "5.1":
        params.setdefault("schedule_start_date", lab.now().date())


def _builder_parameters(srv: str) -> list[str]:
    from harness.duis import requests

    catalogue.service_request(srv)
    return list(requests.parameters(srv))
