"""The DUIS Service Request catalogue, GBCS use cases, alerts, device types, SMI statuses, payment modes and fuels.

The facts live in two data files next to this module (service_requests.yaml, alerts.yaml); this
module gives typed, read-only access to them. Everything above this package asks the catalogue
rather than repeating a fact: whether an SR is critical, which command variants it allows, which
roles may send it, which GBCS message code a device answers with.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum, StrEnum
from functools import cache
from pathlib import Path
from typing import Self

import yaml

from harness import parse_cache
from harness.errors import DitError


class CommandVariant(IntEnum):
    """DUIS command variants (XSD CommandVariant comment table)."""

    NON_CRITICAL_WAN = 1
    NON_CRITICAL_LOCAL = 2
    NON_CRITICAL_WAN_AND_LOCAL = 3
    TRANSFORM = 4
    SIGNED_WAN = 5
    SIGNED_LOCAL = 6
    SIGNED_WAN_AND_LOCAL = 7
    NON_DEVICE = 8

    @property
    def carries_signed_pre_command(self) -> bool:
        return self in _SIGNED_PRE_COMMAND

    @property
    def for_critical_sr(self) -> bool:
        return self is _TRANSFORM or self in _SIGNED_PRE_COMMAND

    @property
    def local_delivery(self) -> bool:
        """The command comes back to the User for Local Command Delivery (hand-held terminal)."""
        return self in _LOCAL_DELIVERY

    @property
    def via_wan(self) -> bool:
        return self in _VIA_WAN

    @property
    def web_service(self) -> str:
        """DCC Boxed endpoint name: serviceS (send), serviceT (transform), serviceD (DCC only)."""
        if self is _TRANSFORM:
            return "serviceT"
        return "serviceS" if self in _VIA_WAN else "serviceD"


# The variants the properties above name, bound once: a member read off its class goes through EnumType's
# __getattr__ hook (about 0.1 us a read in Python 3.11), and they are asked on every request sent and received.
# Tuples, not sets: `in` finds a member by identity, where a set would hash it with Enum's Python __hash__.
_TRANSFORM = CommandVariant.TRANSFORM
_SIGNED_PRE_COMMAND = (CommandVariant.SIGNED_WAN, CommandVariant.SIGNED_LOCAL, CommandVariant.SIGNED_WAN_AND_LOCAL)
_LOCAL_DELIVERY = (CommandVariant.NON_CRITICAL_LOCAL, CommandVariant.NON_CRITICAL_WAN_AND_LOCAL,
                   CommandVariant.SIGNED_LOCAL, CommandVariant.SIGNED_WAN_AND_LOCAL)
_VIA_WAN = (CommandVariant.NON_CRITICAL_WAN, CommandVariant.NON_CRITICAL_WAN_AND_LOCAL, CommandVariant.SIGNED_WAN,
            CommandVariant.SIGNED_WAN_AND_LOCAL)


class FutureDatedPattern(str, Enum):
    NONE = "none"
    DEVICE = "device"          # the device holds the command and reports 0x8F66 / 0x8F67
    DSP = "dsp"                # the DSP holds the request until its execution time
    DSP_AND_DEVICE = "dsp_and_device"


class UserRole(str, Enum):
    """DCC User roles eligible to send SRs (DUIS request matrix)."""

    IMPORT_SUPPLIER = "IS"
    EXPORT_SUPPLIER = "ES"
    GAS_SUPPLIER = "GS"
    REGISTERED_SUPPLIER_AGENT = "RSA"
    ELECTRICITY_DISTRIBUTOR = "ED"
    GAS_TRANSPORTER = "GT"
    OTHER_USER = "OU"


class DeviceType(str, Enum):
    """DUIS device types, plus the hand-held terminal that the SMI knows as an IHD."""

    ESME = "ESME"
    GSME = "GSME"
    GPF = "GPF"
    CHF = "CHF"
    HCALCS = "HCALCS"
    PPMID = "PPMID"
    IHD = "IHD"
    CAD = "CAD"
    HHT = "HHT"

    @property
    def duis_type(self) -> str:
        """The DeviceType a DUIS message carries: an HHT is pre-notified as an IHD."""
        return "IHD" if self is DeviceType.HHT else self.value

    @property
    def can_be_decommissioned(self) -> bool:
        return self not in (DeviceType.GPF, DeviceType.IHD, DeviceType.CAD, DeviceType.HHT)

    @property
    def is_meter(self) -> bool:
        return self in (DeviceType.ESME, DeviceType.GSME)

    @property
    def holds_certificates(self) -> bool:
        """IHDs (and CADs, HHTs) have neither device certificates nor trust anchor cells."""
        return self in (DeviceType.ESME, DeviceType.GSME, DeviceType.GPF, DeviceType.CHF,
                        DeviceType.HCALCS, DeviceType.PPMID)


class DeviceStatus(str, Enum):
    """SMI device statuses (DUIS DeviceStatus)."""

    PENDING = "Pending"
    WHITELISTED = "Whitelisted"
    INSTALLED_NOT_COMMISSIONED = "InstalledNotCommissioned"
    COMMISSIONED = "Commissioned"
    DECOMMISSIONED = "Decommissioned"
    WITHDRAWN = "Withdrawn"
    SUSPENDED = "Suspended"
    RECOVERY = "Recovery"
    RECOVERED = "Recovered"


class _StepValue(StrEnum):
    """Values a Gherkin step or table gives by name, in any case ("credit", "Prepayment")."""

    @classmethod
    def parse(cls, text: str, what: str) -> Self:
        for member in cls:
            if str(text).strip().lower() == member.value.lower():
                return member
        raise DitError(f"{what} must be one of {', '.join(m.value.lower() for m in cls)}, not {text!r}")


class PaymentMode(_StepValue):
    """A meter's payment mode, spelt as DUIS and the MMC responses carry it."""

    CREDIT = "Credit"
    PREPAYMENT = "Prepayment"


class Fuel(_StepValue):
    """What a meter measures: a DUIS body's structure and a meter's consumption differ between the two."""

    ELECTRICITY = "electricity"
    GAS = "gas"

    @classmethod
    def of(cls, device_type: DeviceType | None) -> Fuel:
        """A GSME's and a GPF's fuel is gas; every other device's electricity."""
        return cls.GAS if device_type in (DeviceType.GSME, DeviceType.GPF) else cls.ELECTRICITY


class RemotePartyRole(IntEnum):
    """GBCS remote party roles and SMKI certificate role codes (the OU of organisation certificates)."""

    ROOT = 0
    RECOVERY = 1
    SUPPLIER = 2
    NETWORK_OPERATOR = 3
    ACCESS_CONTROL_BROKER = 4
    TRANSITIONAL_COS = 5
    WAN_PROVIDER = 6
    ISSUING_AUTHORITY = 7
    LOAD_CONTROLLER = 8
    OTHER = 127
    XML_SIGN = 135
    DSP_XML_SIGN = 137

    @property
    def ou(self) -> str:
        """Subject OU of an organisation certificate: the role as two hex digits (02, 04, 87, 89)."""
        return f"{self.value:02X}"

    @property
    def duis_name(self) -> str | None:
        """The DUIS RemotePartyRole value, for roles DUIS names."""
        return _DUIS_REMOTE_PARTY_ROLE.get(self)


_DUIS_REMOTE_PARTY_ROLE = {
    RemotePartyRole.ACCESS_CONTROL_BROKER: "ACB",
    RemotePartyRole.NETWORK_OPERATOR: "NetworkOperator",
    RemotePartyRole.RECOVERY: "Recovery",
    RemotePartyRole.ROOT: "Root",
    RemotePartyRole.SUPPLIER: "Supplier",
    RemotePartyRole.TRANSITIONAL_COS: "TransCoS",
    RemotePartyRole.LOAD_CONTROLLER: "LoadController",
}

# The GBCS use-case prefix names the device type that executes it.
_USE_CASE_PREFIX_DEVICES = (
    ("ECS", (DeviceType.ESME,)),
    ("GCS", (DeviceType.GSME, DeviceType.GPF)),
    ("CCS", (DeviceType.CHF,)),
    ("DBCH", (DeviceType.CHF,)),
)


@dataclass(frozen=True)
class UseCase:
    """A GBCS use case and the message codes that carry it."""

    name: str
    message_codes: tuple[int, ...]
    title: str = ""
    executed_by: tuple[DeviceType, ...] = ()

    @property
    def devices(self) -> tuple[DeviceType, ...]:
        """Device types that execute this use case; empty for common (CS) use cases."""
        if self.executed_by:
            return self.executed_by
        for prefix, devices in _USE_CASE_PREFIX_DEVICES:
            if self.name.startswith(prefix):
                return devices
        return ()


@dataclass(frozen=True)
class ServiceRequest:
    """One DUIS Service Reference Variant as the catalogue describes it."""

    srv: str
    name: str
    critical: bool
    command_variants: frozenset[CommandVariant]
    future_dated: FutureDatedPattern
    dsp_schedulable: bool
    non_device: bool
    roles: frozenset[UserRole]
    body: str
    use_cases: tuple[UseCase, ...]
    fd_alert_codes: tuple[int, ...]
    targets: tuple[DeviceType, ...]

    @property
    def service_reference(self) -> str:
        """The DUIS ServiceReference: the first two parts of the variant (6.15.1 -> 6.15)."""
        return ".".join(self.srv.split(".")[:2])

    @property
    def default_command_variant(self) -> CommandVariant:
        if self.non_device:
            return CommandVariant.NON_DEVICE
        return CommandVariant.TRANSFORM if self.critical else CommandVariant.NON_CRITICAL_WAN

    def allows(self, cv: CommandVariant | int) -> bool:
        return CommandVariant(cv) in self.command_variants

    def permits(self, role: UserRole | str) -> bool:
        return UserRole(role) in self.roles

    def use_case_for(self, device: DeviceType | str) -> UseCase | None:
        """The use case this SR becomes on a device of the given type (first match wins)."""
        device = DeviceType(device)
        common = None
        for uc in self.use_cases:
            if device in uc.devices:
                return uc
            if not uc.devices and common is None:
                common = uc
        return common

    def __str__(self) -> str:
        return f"SR {self.srv} {self.name}"


@dataclass(frozen=True)
class DeviceAlert:
    code: int
    name: str
    carried_by: tuple[int, ...]
    meaning: str
    dit: bool

    @property
    def label(self) -> str:
        return f"0x{self.code:04X}"


@dataclass(frozen=True)
class DccAlert:
    code: str
    meaning: str
    body: str | None
    recipient: str | None
    dit: bool


class UnknownEntry(DitError):
    """A code that is not in the catalogue."""


# libyaml's safe loader where PyYAML has it: the same data from these files (test_catalogue holds it to the
# pure-Python loader's), about 0.1 s less at every start of dit, pytest and each xdist worker.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(name: str) -> dict:
    """A catalogue file's data: libyaml still leaves PyYAML's resolver and constructor in Python (about 0.13 s for
    both files, in every process that asks), so the data is kept beside the package's bytecode (parse_cache)."""
    result = parse_cache.parsed(Path(__file__).with_name(name), lambda text: yaml.load(text, Loader=_LOADER),
                                key=f"pyyaml{yaml.__version__}")
    assert isinstance(result, dict)
    return result


@dataclass(frozen=True)
class Catalogue:
    service_requests: dict[str, ServiceRequest]
    use_cases: dict[str, UseCase]
    device_alerts: dict[int, DeviceAlert]
    dcc_alerts: dict[str, DccAlert]
    dit_plan: tuple[str, ...]
    dit_support: tuple[str, ...]


@cache
def catalogue() -> Catalogue:
    srs: dict[str, ServiceRequest] = {}
    use_cases: dict[str, UseCase] = {}
    data = _load("service_requests.yaml")
    executed_by = {name: tuple(DeviceType(d) for d in devices)
                   for name, devices in data["use_case_devices"].items()}
    for row in data["service_requests"]:
        ucs = []
        for uc_name, codes in {**row.get("use_cases", {}), **row.get("alert_use_cases", {})}.items():
            uc = use_cases.setdefault(uc_name, UseCase(uc_name, tuple(codes), "", executed_by.get(uc_name, ())))
            ucs.append(uc)
        srs[row["srv"]] = ServiceRequest(
            srv=row["srv"],
            name=row["name"],
            critical=row["critical"],
            command_variants=frozenset(CommandVariant(v) for v in row["command_variants"]),
            future_dated=FutureDatedPattern(row["future_dated"]),
            dsp_schedulable=row["dsp_schedulable"],
            non_device=row["non_device"],
            roles=frozenset(UserRole(r) for r in row["roles"]),
            body=row["body"],
            use_cases=tuple(ucs),
            fd_alert_codes=tuple(row.get("fd_alert_codes", ())),
            targets=tuple(DeviceType(t) for t in row["targets"]),
        )
    alerts = _load("alerts.yaml")
    for row in alerts["alert_use_cases"]:
        use_cases[row["name"]] = UseCase(row["name"], tuple(row["message_codes"]), row["title"])
    device_alerts = {
        row["code"]: DeviceAlert(row["code"], row["name"], tuple(row["carried_by"]), row["meaning"], row["dit"])
        for row in alerts["device_alerts"]
    }
    dcc_alerts = {
        row["code"]: DccAlert(row["code"], row["meaning"], row.get("body"), row.get("recipient"),
                              row.get("dit", False))
        for row in alerts["dcc_alerts"]
    }
    return Catalogue(srs, use_cases, device_alerts, dcc_alerts, tuple(data["dit_plan"]), tuple(data["dit_support"]))


def service_request(srv: str) -> ServiceRequest:
    try:
        return catalogue().service_requests[srv]
    except KeyError:
        raise UnknownEntry(f"unknown Service Reference Variant {srv!r}",
                           fix="use a DUIS 5.4 variant such as 8.11 or 6.15.1") from None


def service_requests() -> list[ServiceRequest]:
    return list(catalogue().service_requests.values())


def use_case(name: str) -> UseCase:
    try:
        return catalogue().use_cases[name]
    except KeyError:
        raise UnknownEntry(f"unknown GBCS use case {name!r}") from None


def use_cases_for_code(message_code: int) -> list[UseCase]:
    """Every use case carried by a message code (0x0062 serves ECS70 and ECS70Commission)."""
    return list(_use_cases_by_code().get(message_code, ()))


def service_requests_for_code(message_code: int) -> list[ServiceRequest]:
    """SRs whose command, or whose future-dated outcome alert, uses this message code."""
    return list(_service_requests_by_code().get(message_code, ()))


@cache
def _use_cases_by_code() -> dict[int, tuple[UseCase, ...]]:
    """Every message decoded or built asks this: one index rather than a scan of the catalogue each time."""
    found: dict[int, list[UseCase]] = {}
    for uc in catalogue().use_cases.values():
        for code in uc.message_codes:
            found.setdefault(code, []).append(uc)
    return {code: tuple(ucs) for code, ucs in found.items()}


@cache
def _service_requests_by_code() -> dict[int, tuple[ServiceRequest, ...]]:
    found: dict[int, list[ServiceRequest]] = {}
    for sr in catalogue().service_requests.values():
        codes = {*sr.fd_alert_codes, *(code for uc in sr.use_cases for code in uc.message_codes)}
        for code in sorted(codes):
            found.setdefault(code, []).append(sr)
    return {code: tuple(srs) for code, srs in found.items()}


def dit_service_requests(*, support: bool = True) -> list[ServiceRequest]:
    """SRs of the DIT plan (seed SR sequences and prerequisites), and with support=True also the
    read-backs and configuration SRs the framework sends around them; catalogue order."""
    wanted = set(catalogue().dit_plan) | (set(catalogue().dit_support) if support else set())
    return [sr for sr in service_requests() if sr.srv in wanted]


def device_alert(code: int | str) -> DeviceAlert:
    key = int(code, 16) if isinstance(code, str) else code
    try:
        return catalogue().device_alerts[key]
    except KeyError:
        raise UnknownEntry(f"unknown device alert code {code!r}") from None


def dcc_alert(code: str) -> DccAlert:
    try:
        return catalogue().dcc_alerts[code]
    except KeyError:
        raise UnknownEntry(f"unknown DCC alert code {code!r}", fix="DCC alert codes are AD1, N1-N65 or N999") from None


def dit_alerts() -> list[str]:
    """The 27 alerts of the DIT test plan, with N18-N23 as one entry as the plan counts them."""
    labels = [a.label for a in catalogue().device_alerts.values() if a.dit]
    labels += [a.code for a in catalogue().dcc_alerts.values() if a.dit and a.code not in _FIRMWARE_ALERTS]
    return labels + ["N18-N23"]


def dit_alert_entry(code: str) -> str:
    """The plan's entry an alert code belongs to: '0x8F1C', 'N24', 'N20' -> 'N18-N23'."""
    return "N18-N23" if code in _FIRMWARE_ALERTS else code


_FIRMWARE_ALERTS = {f"N{n}" for n in range(18, 24)}
