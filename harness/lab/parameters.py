"""From a Gherkin step to Service Request parameters.

A scenario names things as a test engineer does -- "the ESME", "the Import Supplier", "from SMKI" --
in an optional two-column table of builder parameters (OSGP style: only what differs from the
defaults). This module turns those words into entity IDs, certificates and values, and fills in what
the lab already knows: the device's install code and MPxN for 8.11, the fuel of the target meter, the
premises' MPAN or MPRN for 6.20.1, the lab clock's time for 8.1.1.

Words a table value may use:
  the ESME / the ESME, the ESME 2      a device, or a list of devices (device_id_list)
  the Import Supplier                   (certificates) that party's organisation certificates; "the Import
                                        Supplier's renewed certificates" (or "renewed Digital Signature
                                        certificate") those it renewed with SMKI
  from SMKI                             the certificate retrieved after 6.17
  now / in 2 hours / 3 days ago         a date-time on the lab's clock
  the vended UTRN                       the UTRN the supplier vended in this scenario (2.2 sends its counter)
  the firmware image, its hash, its version   the image released in this scenario
  the response to SR 8.11 / device alert 0x8F12   what the hand-held terminal brought back (8.13)
  the DSP schedule                      the DSP Schedule ID 5.1 returned in this scenario
What "in this scenario" made is the scenario's memory (harness.lab.memory).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness import catalogue
from harness.catalogue import DeviceType, Fuel
from harness.errors import DitError
from harness.eui import EntityId
from harness.gbcs import local_delivery
from harness.lab.config import DeviceConfig, LabConfig, PremisesConfig
from harness.lab.contract import Lab
from harness.lab.memory import ScenarioMemory
from harness.pki import KeyUsage

_DEVICE_PARAMS = ("device_id", "other_device_id", "old_chf_id", "old_gpf_id", "associated_gpf_device_id")
# A target of no known type (None) gets the default every device has.
_DEFAULT_ALERTS: dict[DeviceType | None, str] = {
    DeviceType.ESME: "810E=Enable, 8183=Enable", DeviceType.GSME: "810E=Enable, 8183=Enable"}
CLOCK_TOLERANCE_S = 300                    # 8.1.1 / 6.11 TolerancePeriod by default, in wall seconds
MAX_TOLERANCE_S = 86400                    # DUIS sr:tolerancePeriod
_ORGANISATION_USAGES = (KeyUsage.DIGITAL_SIGNING, KeyUsage.KEY_AGREEMENT, KeyUsage.PREPAYMENT_KEY_AGREEMENT)


# "the Import Supplier", "the Import Supplier's renewed certificates", "... renewed Digital Signature certificate"
_CERTIFICATES = re.compile(r"^(?P<party>.+?)(?:'s (?P<renewed>renewed )?"
                           r"(?:certificates|(?P<usage>Digital Signature) certificate))?$")
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


def certificates(lab: Lab, party_words: str, target: DeviceType | None) -> dict[str, object]:
    """The replacement certificates of a party (6.21, 6.15.1, 6.23): DS, KA, and for a supplier the
    prepayment KA on a meter (the GPF and the HCALCS have no such cell), with the organisation CA as
    certification path. "the Import Supplier's renewed certificates" are the ones it renewed with SMKI but does
    not use yet; "... renewed Digital Signature certificate" is that one alone (DITAD: "Update Digital Signature
    in HCALCS using SR 6.15.1")."""
    named = _CERTIFICATES.match(party_words.strip())
    if named is None:
        raise DitError(f"certificates: {party_words!r} names no party's certificates",
                       fix="write e.g. the Import Supplier's renewed certificates, or the Import Supplier")
    renewed, only_ds = named["renewed"] is not None, named["usage"] is not None
    party = lab.config.party(named["party"])
    if renewed:
        found = lab.renewed_certificates(party.eui)
        if not found:
            raise DitError(f"{party.name} has renewed no certificates in this scenario",
                           fix="renew them with SMKI first")
    else:
        found = {usage: cert for usage in _ORGANISATION_USAGES
                 if (cert := lab.certificate_in_use(party.eui, usage)) is not None}
    out: dict[str, object] = {
        "digital_signing_certificate": found.get(KeyUsage.DIGITAL_SIGNING),
        "certification_path_certificates": [lab.organisation_ca_certificate()],
    }
    if only_ds:
        return out
    out["key_agreement_certificate"] = found.get(KeyUsage.KEY_AGREEMENT)
    top_up = found.get(KeyUsage.PREPAYMENT_KEY_AGREEMENT)
    if top_up is not None and target not in (DeviceType.GPF, DeviceType.HCALCS):
        out["key_agreement_top_up_certificate"] = top_up
    return out


def resolve(lab: Lab, srv: str, target: EntityId | None, table: dict[str, str],
            memory: ScenarioMemory | None = None) -> dict[str, Any]:
    """Builder parameters for an SR step: the table's values resolved from the lab and what the scenario made
    (`memory`), the lab's defaults added."""
    memory = ScenarioMemory() if memory is None else memory
    config = lab.config
    kind = device_type(config, target) if target is not None else None
    params: dict[str, Any] = {}           # builder parameters: a service user's SR keywords
    for raw_key, raw_value in table.items():
        key = raw_key.strip().lower().replace(" ", "_")
        value = raw_value.strip()
        if key in _DEVICE_PARAMS:
            params[key] = device(config, value)[1]
        elif key == "device_id_list":
            params[key] = [device(config, name)[1] for name in value.split(",") if name.strip()]
        elif value == "the vended UTRN":
            utrn = memory.vended_utrn()
            params[key], params["counter"] = utrn.code, utrn.counter
        elif value.startswith("the firmware image"):
            params[key] = _firmware(memory, value)
        elif key == "local_response":
            params["device_gbcs_response"] = _brought_back(lab, memory, value)
        elif value == "the DSP schedule":
            params[key] = memory.dsp_schedule()
        elif key == "certificates":
            params.update(certificates(lab, value, kind))
        elif value == "from SMKI":
            if memory.smki_certificate is None:
                raise DitError(f"{key}: no certificate has been retrieved from SMKI in this scenario",
                               fix="retrieve it after 6.17 first")
            params[key] = memory.smki_certificate
        elif value == "now":
            params[key] = lab.now()
        elif m := _RELATIVE.match(value):
            seconds = int(m["ahead"] or m["back"]) * _SECONDS[m["unit"]]
            params[key] = lab.now() + dt.timedelta(seconds=-seconds if m["ago"] else seconds)
        else:
            params[key] = value
    if (supply := _FROM_SCENARIO.get(srv)) is not None:
        supply(memory, params)
    _defaults(lab, srv, target, kind, params)
    return params


def _vended_utrn(memory: ScenarioMemory, params: dict[str, object]) -> None:
    """2.2: the UTRN vended in this scenario, with its counter."""
    if "utrn" not in params and memory.utrn is not None:
        params["utrn"], params["counter"] = memory.utrn.code, memory.utrn.counter


def _released_image(memory: ScenarioMemory, params: dict[str, object]) -> None:
    """11.1: the firmware image released in this scenario, and its version."""
    if memory.firmware is not None:
        params.setdefault("firmware_image", memory.firmware.image)
        params.setdefault("firmware_version", memory.firmware.version)


def _released_image_hash(memory: ScenarioMemory, params: dict[str, object]) -> None:
    """11.3: the hash of the firmware image released in this scenario."""
    if memory.firmware is not None:
        params.setdefault("firmware_hash", hashlib.sha256(memory.firmware.image).digest())


def _created_schedule(memory: ScenarioMemory, params: dict[str, object]) -> None:
    """5.2, 5.3: the DSP schedule 5.1 created in this scenario, unless the step names a device."""
    if memory.dsp_schedule_id is not None and "device_id" not in params:
        params.setdefault("dsp_schedule_id", memory.dsp_schedule_id)


# What the scenario has already made supplies an SR's main input unless the table says otherwise.
_FROM_SCENARIO: dict[str, Callable[[ScenarioMemory, dict[str, object]], None]] = {
    "2.2": _vended_utrn, "11.1": _released_image, "11.3": _released_image_hash, "5.2": _created_schedule,
    "5.3": _created_schedule}


def _firmware(memory: ScenarioMemory, value: str) -> bytes | str:
    firmware = memory.released_firmware()
    if value.endswith("hash"):
        return hashlib.sha256(firmware.image).digest()
    if value.endswith("version"):
        return firmware.version
    return firmware.image


def _brought_back(lab: Lab, memory: ScenarioMemory, value: str) -> bytes:
    """A response or alert the installer's hand-held terminal brought back from the CH."""
    if m := re.fullmatch(r"the response to SR (\S+) through the PPMID", value):
        found = local_delivery.response_to(memory.through_ppmid, memory.returned_for_local_delivery(m[1]))
        if found is None:
            raise DitError(f"no {value} came back")
        return found
    terminal = lab.terminal("HHT")
    if m := re.fullmatch(r"the response to SR (\S+)", value):
        found = terminal.response_to(memory.returned_for_local_delivery(m[1]))
    elif m := re.fullmatch(r"device alert (?:0x)?([0-9A-Fa-f]{4})", value):
        found = terminal.alert(int(m[1], 16))
    else:
        raise DitError(f"local_response {value!r}", fix="say 'the response to SR 8.11' or 'device alert 0x8F12'")
    if found is None:
        raise DitError(f"the hand-held terminal brought back no {value}")
    return found


@dataclass(frozen=True)
class _Defaulting:
    """What the lab's defaults for an SR's parameters are drawn from: the SR, the premises and type of its target;
    `params`, the table's resolved, is what they complete."""

    lab: Lab
    srv: str
    site: PremisesConfig
    kind: DeviceType | None
    params: dict[str, Any]

    @property
    def gas(self) -> bool:
        return Fuel.of(self.kind) is Fuel.GAS


def _defaults(lab: Lab, srv: str, target: EntityId | None, kind: DeviceType | None, params: dict) -> None:
    config = lab.config
    site = premises_of(config, target) if target is not None else config.premises[0]
    step = _Defaulting(lab, srv, site, kind, params)
    builder_params = _builder_parameters(srv)
    if "fuel" in builder_params and "fuel" not in params and kind is not None:
        params["fuel"] = Fuel.of(kind)
    if (default := _DEFAULTS.get(srv)) is not None:
        default(step)


def _device_log_entry(step: _Defaulting) -> None:
    """8.11 Add: the device's install code and, for a meter, its premises' MPxN, from the lab's assets."""
    params = step.params
    if params.get("request_type", "Add") != "Add" or "device_id" not in params:
        return
    subject = next((d for d in step.lab.config.devices() if d.eui == params["device_id"]), None)
    if subject is not None and subject.install_code is not None:
        params.setdefault("install_code", subject.install_code.hex().upper())
        mpxn = step.site.mprn if subject.type is DeviceType.GSME else step.site.mpan
        if mpxn and subject.type in (DeviceType.ESME, DeviceType.GSME):
            params.setdefault("import_mpxn", mpxn)


def _premises_mpxn(step: _Defaulting) -> None:
    """6.20.1: the premises' MPRN for gas, MPAN for electricity, unless the table gives either."""
    if {"import_mpan", "import_mprn"} & step.params.keys():
        return
    if step.gas:
        step.params["import_mprn"] = step.site.mprn
    else:
        step.params["import_mpan"] = step.site.mpan


def _clock_window(step: _Defaulting) -> None:
    """8.1.1, 6.11: the meter adopts the time only if its own clock lies in [CurrentDateTime, + TolerancePeriod]
    (GBCS ECS70, GCS28): the window is centred on the User's clock, so a meter (or a bench's clock) up to half
    the tolerance either side of it is synchronised. The window must cover the wall time the command takes to
    arrive, however loaded the machine: on a bench whose clock runs N times faster that is N times as many of
    its seconds (within DUIS's 86400)."""
    tolerance = int(step.params.setdefault("tolerance_period",
                                           min(MAX_TOLERANCE_S, round(CLOCK_TOLERANCE_S * step.lab.clock.scale))))
    step.params.setdefault("current_date_time", step.lab.now() - dt.timedelta(seconds=tolerance / 2))


def _alert_behaviour(step: _Defaulting) -> None:
    """6.22: the alerts a device of its type enables by default."""
    if "alerts" in step.params:
        return
    step.params["alerts"] = _DEFAULT_ALERTS.get(step.kind, "810E=Enable")
    if step.kind is DeviceType.GSME:      # a GSME event configuration sets WAN, HAN, log and alarm together (GCS20)
        step.params.setdefault("behaviour", "AlertEventSettings")


def _gas_profile_period(step: _Defaulting) -> None:
    """4.8.1 for gas: a gas profile is read from a start time for a number of half hours (GBCS GCS17: at most
    0xFFFF), so no open period: by default up to when the read is carried out, from the day before."""
    if step.gas:
        end = step.params.setdefault("end", step.params.get("execution_date_time") or step.lab.now())
        step.params.setdefault("start", end - dt.timedelta(days=1))


def _gas_billing_period_start(step: _Defaulting) -> None:
    """6.8 for gas: the first of next month."""
    if step.gas:
        now = step.lab.now()
        step.params.setdefault("billing_period_start", dt.datetime(now.year + now.month // 12, now.month % 12 + 1, 1,
                                                                   tzinfo=dt.UTC))


def _supply_mpxn(step: _Defaulting) -> None:
    """6.23: the premises' MPxN of the target's fuel."""
    step.params.setdefault("import_mpxn", step.site.mprn if step.gas else step.site.mpan)


def _hub_mpxn(step: _Defaulting) -> None:
    """8.14.x: the premises' MPAN, else its MPRN."""
    step.params.setdefault("mpxn", step.site.mpan or step.site.mprn)


def _schedule_device(step: _Defaulting) -> None:
    """5.2, 5.3: the step names the device or the DSP schedule."""
    if "device_id" not in step.params and "dsp_schedule_id" not in step.params:
        raise DitError(f"SR {step.srv} names the device whose schedules it is about", fix="say 'for the ESME'")


def _new_schedule(step: _Defaulting) -> None:
    """5.1: for a device the step names, starting today."""
    _schedule_device(step)
    step.params.setdefault("schedule_start_date", step.lab.now().date())


_DEFAULTS: dict[str, Callable[[_Defaulting], None]] = {
    "8.11": _device_log_entry, "6.20.1": _premises_mpxn, "8.1.1": _clock_window, "6.11": _clock_window,
    "6.22": _alert_behaviour, "4.8.1": _gas_profile_period, "6.8": _gas_billing_period_start, "6.23": _supply_mpxn,
    **dict.fromkeys(("8.14.1", "8.14.2", "8.14.3", "8.14.4"), _hub_mpxn),
    "5.1": _new_schedule, "5.2": _schedule_device, "5.3": _schedule_device}


def _builder_parameters(srv: str) -> frozenset[str]:
    """The SR's body builder's parameter names (each SR's worked out once a process: every SR a step or a
    prerequisite sends asks)."""
    from harness.duis import requests

    catalogue.service_request(srv)
    return requests.parameter_names(srv)
