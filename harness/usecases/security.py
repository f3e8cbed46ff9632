"""Security credentials (ASN.1 DER, GBCS 13.3-13.5, 13.10): replacing a remote party's trust anchors on a
device (CS02b Update Security Credentials: supplier by supplier and network operator by network operator,
SR 6.15.1; the same by the DCC's Access Control Broker on handover of a DCC controlled device, 6.21; the
new supplier's by the Transitional CoS party on Change of Supplier, 6.23; CS02g the load controller's by
the supplier, 6.15.1), a new device key pair (CS02c Issue Security Credentials, 6.17) and its certificate
(CS02d Update Device Certificate, 6.15.2), and the future-dated outcome alerts of CS02b/CS02g (0x00CB,
0x0124).

A CS02b/CS02g response or alert says, per trust anchor cell replaced, whose certificate sat there and whose
sits there now (subject entity id and subject key identifier): `replacement_outcomes` reads that, and MMC's
ReplacementOutcome carries it (the key identifiers, GBCS's 64-bit SHA-1 based key hashes, as base64).

Device side: a device reads these commands and answers them byte for byte as the RTDS devices do (a CS02b
outcome with every length over 127 in two bytes; the 6.17 answer a PKCS#10 request signed with the new key).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from lxml import etree

from harness.catalogue import DeviceType
from harness.eui import EntityId
from harness.gbcs import asn1
from harness.gbcs.axdr import PayloadError
from harness.gbcs.payload import Payload, PayloadKind
from harness.usecases import device, mmc
from harness.usecases.esme_config import CANCELLATION, choice
from harness.usecases.mmc import M, utc_text
from harness.usecases.registry import (
    CommandContext,
    DeviceCommand,
    Originator,
    ResponseContext,
    accepts,
    answers,
    asn1_payload,
    command,
    response,
    response_parser,
)
from harness.usecases.request import DuisRequest, TransformError

DEVICES = (DeviceType.ESME, DeviceType.GSME, DeviceType.GPF, DeviceType.HCALCS)
ASN1_CANCELLATION = dt.datetime(9999, 12, 31, 23, 59, 59)     # GBCS: cancel a pending future-dated command

# GBCS RemotePartyRole of the DUIS names, and MMC's names of GBCS's.
ROLES = {"Root": 0, "Recovery": 1, "Supplier": 2, "NetworkOperator": 3, "ACB": 4, "TransCoS": 5,
         "LoadController": 8}
MMC_ROLES = {"root": "Root", "recovery": "Recovery", "supplier": "Supplier", "networkOperator": "NetworkOperator",
             "accessControlBroker": "ACB", "transitionalCoS": "TransCoS", "loadController": "LoadController"}
SUPPLIER, NETWORK_OPERATOR, TRANSITIONAL_COS, LOAD_CONTROLLER = 2, 3, 5, 8
# CredentialsReplacementMode
SUPPLIER_BY_SUPPLIER, NO_BY_NO, SUPPLIER_BY_TRANSCOS, LOAD_CONTROLLER_BY_SUPPLIER = 2, 3, 7, 11
MMC_MODES = {"supplierBySupplier": "SupplierBySupplier", "networkOperatorByNetworkOperator":
             "NetworkOperatorByNetworkOperator", "loadControllerBySupplier": "LoadControllerBySupplier",
             "supplierByTransCoS": "SupplierByTransCoS", "accessControlBrokerByACB": "ACBByACB"}
DIGITAL_SIGNATURE, KEY_AGREEMENT = 0, 4          # KeyUsage bits
MANAGEMENT, PREPAYMENT_TOP_UP = 0, 1             # CellUsage
APPLY, DISAPPLY = 0, 1                           # applyTimeBasedCPVChecks

# The MMC StatusASN1 names (mmc.xsd); GBCS names MMC spells otherwise.
MMC_STATUSES = frozenset((
    "success notKnown badCertificate noTrustAnchor insufficientMemory resourcesBusy other invalidCertificate "
    "wrongDeviceIdentity invalidKeyUsage noCorrespondingKeyPairGenerated wrongPublicKey certificateStorageFailed "
    "privateKeyChangeFailed keyPairGenerationFailed cRProductionFailed trustAnchorNotFound noCertificateHeld "
    "certificateRetrievalFailure invalidMessageCodeForJoinMethodAndRole invalidJoinMethodAndRole "
    "incompatibleWithExistingEntry deviceLogFull writeFailure keyAgreementNoResources keyAgreementUnknownIssuer "
    "keyAgreementUnsupportedSuite keyAgreementBadMessage keyAgreementBadKeyConfirm invalidOrMissingCertificate "
    "noPartnerLinkKeyReceived noCBKEResponse otherDeviceNotInDeviceLog otherFailure readFailure noImageHeld "
    "hashMismatch activationFailure reliable invalid unreliable").split())
MMC_STATUS_NAMES = {"crProductionFailed": "cRProductionFailed", "notInDeviceLog": "otherDeviceNotInDeviceLog"}


def key_usage(bit: int) -> tuple[bytes, int]:
    """A KeyUsage BIT STRING with one bit set, as DER writes it (no trailing zero bits)."""
    size = bit // 8 + 1
    return (1 << (8 * size - 1 - bit)).to_bytes(size, "big"), bit + 1


def cell(role: int, usage_bit: int, cell_usage: int = MANAGEMENT) -> dict:
    """A TrustAnchorCellIdentifier."""
    return {"trustAnchorCellRemotePartyRole": role, "trustAnchorCellKeyUsage": key_usage(usage_bit),
            "trustAnchorCellUsage": cell_usage}


def asn1_status(tag: str, view: object, raw: object) -> etree._Element:
    """An MMC StatusASN1 element: the GBCS code's name where MMC knows it, else notKnown, and its number."""
    name = MMC_STATUS_NAMES.get(view, view) if isinstance(view, str) else None
    if isinstance(raw, int):
        number = raw
    else:       # an ENUMERATED (StatusCode) comes by name: its number is the last byte of its DER
        number = asn1.encode("StatusCode", raw)[-1]
    return getattr(M, tag)(M.ASN1Status(name if name in MMC_STATUSES else "notKnown"), ResponseCode=str(number))


# asn1tools decodes a SEQUENCE as a dict and a CHOICE as (alternative, value); Asn1Payload.fields() gives both
# as a dict ({alternative: value} for a CHOICE). The schema fixes the shape: these narrow to it for the type
# checker (the leaves stay dynamic) and name the payload if a value is not what its type says.
def asn1_record(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError(f"{what} must be an ASN.1 SEQUENCE, found {type(value).__name__}", 0)
    return value


def asn1_list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise PayloadError(f"{what} must be an ASN.1 SEQUENCE OF, found {type(value).__name__}", 0)
    return value


def asn1_octets(value: object, what: str) -> bytes:
    if not isinstance(value, bytes):
        raise PayloadError(f"{what} must be an ASN.1 OCTET STRING, found {type(value).__name__}", 0)
    return value


def asn1_choice(value: object, what: str) -> tuple[str, Any]:
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)):
        raise PayloadError(f"{what} must be an ASN.1 CHOICE, found {type(value).__name__}", 0)
    return value[0], value[1]


def execution_date_time(request: DuisRequest) -> dt.datetime | None:
    """sr:ExecutionDateTime as the ASN.1 executionDateTime (UTC, naive): 9999-12-31T23:59:59 cancels."""
    when = request.execution_date_time
    if when is None:
        return None
    if when == CANCELLATION:
        return ASN1_CANCELLATION
    return when.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)


def certificate(request: DuisRequest, path: str, *, required: bool = True) -> bytes | None:
    """A base64 DER certificate of the request, checked to be one."""
    text = request.require(path) if required else request.text(path)
    if text is None:
        return None
    try:
        der = base64.b64decode(text, validate=True)
        x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError):
        raise TransformError(f"{request.srv} sr:{path}: not a base64 DER X.509 certificate",
                             where=request.where) from None
    return der


def _floors(request: DuisRequest, floor: str, top_up: str) -> tuple[int | None, list[dict] | None]:
    """A remote party's floor sequence number and its prepayment top-up floor (specialist) when given."""
    base = request.int(floor) if request.has(floor) else None
    special = [{"seqNumberUsage": 0, "seqNumber": request.int(top_up)}] if request.has(top_up) else None
    return base, special


# -- 6.15.1 / 6.21 / 6.23: CS02b, CS02g -----------------------------------------------------------------

@dataclass(frozen=True)
class Credentials:
    """What a CS02b/CS02g command says: who authorises it, whose trust anchors it replaces, and how."""

    mode: int
    authorising_role: int
    target_role: int
    certificates: str                 # the element holding Digital Signing / Key Agreement [/ Top Up]
    floor: str
    top_up_floor: str
    floor_as_other: bool              # the new party's floors as otherRemotePartySeqNumberChanges


def update_security_credentials(request: DuisRequest, ctx: CommandContext, what: Credentials) -> bytes:
    base, special = _floors(request, what.floor, what.top_up_floor)
    control: dict = {"credentialsReplacementMode": what.mode}
    if request.require("ApplyTimeBasedCPVChecks") in ("false", "0"):
        control["applyTimeBasedCPVChecks"] = DISAPPLY        # apply is the default: not written
    control["authorisingRemotePartyTACellIdentifier"] = cell(what.authorising_role, DIGITAL_SIGNATURE)
    control["authorisingRemotePartySeqNumber"] = ctx.counter
    if what.floor_as_other:
        if base is not None:
            change: dict = {"remotePartyRole": what.target_role, "floorSeqNumber": base}
            if special:
                change["specialistFloorSeqNumbers"] = special
            control["otherRemotePartySeqNumberChanges"] = [change]
    else:
        if base is not None:
            control["newRemotePartyFloorSeqNumber"] = base
        if special:
            control["newRemotePartySpecialistFloorSeqNumbers"] = special
    cells = (("DigitalSigningCertificate", DIGITAL_SIGNATURE, MANAGEMENT),
             ("KeyAgreementCertificate", KEY_AGREEMENT, MANAGEMENT),
             ("KeyAgreementTopUpCertificate", KEY_AGREEMENT, PREPAYMENT_TOP_UP))
    replacements = []
    for name, usage, cell_usage in cells:
        der = certificate(request, f"{what.certificates}/{name}", required=usage == DIGITAL_SIGNATURE)
        if der is not None:
            replacements.append({"replacementCertificate": der,
                                 "targetTrustAnchorCell": cell(what.target_role, usage, cell_usage)})
    path = [certificate(request, f"CertificationPathCertificates/Certificate[{i}]")
            for i in range(1, len(request.all("CertificationPathCertificates/Certificate")) + 1)]
    if not path:
        request.require("CertificationPathCertificates/Certificate")
    value: dict = {"authorisingRemotePartyControl": control, "replacements": replacements,
                   "certificationPathCertificates": path}
    when = execution_date_time(request)
    if when is not None:
        value["executionDateTime"] = when
    return asn1.encode("UpdateSecurityCredentialsCommand", value)


def _role(name: str):
    return lambda request: request.text("RemotePartyRole") == name


KRP = "ReplacementCertificates/SupplierOrNetworkOperatorCertificates"
FLOORS = ("RemotePartyFloorSeqNumber", "RemotePartyPrepaymentTopUpFloorSeqNumber")


@command("6.15.1", "CS02bSupplierBySupplier", devices=DEVICES, applies=_role("Supplier"))
def supplier_by_supplier(request: DuisRequest, ctx: CommandContext) -> bytes:
    return update_security_credentials(request, ctx, Credentials(SUPPLIER_BY_SUPPLIER, SUPPLIER, SUPPLIER, KRP,
                                                                 *FLOORS, False))


@command("6.15.1", "CS02bNOByNO", devices=DEVICES, applies=_role("NetworkOperator"))
def network_operator_by_network_operator(request: DuisRequest, ctx: CommandContext) -> bytes:
    return update_security_credentials(request, ctx, Credentials(NO_BY_NO, NETWORK_OPERATOR, NETWORK_OPERATOR, KRP,
                                                                 *FLOORS, False))


@command("6.15.1", "CS02gLoadControllerBySupplier", devices=DEVICES, applies=_role("LoadController"))
def load_controller_by_supplier(request: DuisRequest, ctx: CommandContext) -> bytes:
    # The supplier authorises; the load controller's floor is another party's sequence number change.
    return update_security_credentials(request, ctx, Credentials(LOAD_CONTROLLER_BY_SUPPLIER, SUPPLIER,
                                                                 LOAD_CONTROLLER, KRP, *FLOORS, True))


# 6.21: a DCC controlled device holds the ACB's certificates in the supplier (or network operator) cells;
# the ACB hands them over to the User in the same replacement mode, with its own counter.
@command("6.21", "CS02bSupplierBySupplierHandover", devices=DEVICES, originator=Originator.ACB_ALONE,
         applies=_role("Supplier"))
def supplier_handover(request: DuisRequest, ctx: CommandContext) -> bytes:
    return update_security_credentials(request, ctx, Credentials(SUPPLIER_BY_SUPPLIER, SUPPLIER, SUPPLIER,
                                                                 "ReplacementCertificates", *FLOORS, False))


@command("6.21", "CS02bNOByNOHandover", devices=DEVICES, originator=Originator.ACB_ALONE,
         applies=_role("NetworkOperator"))
def network_operator_handover(request: DuisRequest, ctx: CommandContext) -> bytes:
    return update_security_credentials(request, ctx, Credentials(NO_BY_NO, NETWORK_OPERATOR, NETWORK_OPERATOR,
                                                                 "ReplacementCertificates", *FLOORS, False))


@command("6.23", "CS02bSupplierByTransCoS", devices=DEVICES, originator=Originator.TRANSCOS)
def supplier_by_transitional_cos(request: DuisRequest, ctx: CommandContext) -> bytes:
    # ImportMPxN is for the DCC's check of the registration: it does not reach the device.
    return update_security_credentials(request, ctx, Credentials(
        SUPPLIER_BY_TRANSCOS, TRANSITIONAL_COS, SUPPLIER, "SupplierReplacementCertificates",
        "SupplierFloorSeqNumber", "SupplierPrepaymentTopUpFloorSeqNumber", True))


# -- the outcome: responses and future-dated alerts -------------------------------------------------------

@dataclass(frozen=True)
class ReplacementOutcome:
    """One trust anchor cell a CS02b/CS02g replaced (or did not): whose certificate was, and now is, in it."""

    role: str                       # GBCS RemotePartyRole name of the cell
    certificate_type: str           # MMC: DigitalSigning, KeyAgreement, KeyAgreementTopUp, KeyCertSign
    status: str                     # GBCS StatusCode name
    existing_entity_id: str
    existing_key_identifier: bytes
    new_entity_id: str
    new_key_identifier: bytes


def certificate_type(view: dict) -> str:
    usage = view["trustAnchorCellKeyUsage"]
    if "keyCertSign" in usage:
        return "KeyCertSign"
    if "keyAgreement" in usage:
        return "KeyAgreementTopUp" if view.get("trustAnchorCellUsage") == "prePaymentTopUp" else "KeyAgreement"
    return "DigitalSigning"


def execution_outcome(value: asn1.Asn1Payload) -> tuple[dict, dict] | None:
    """The (raw, view) of a CS02b/CS02g response's or alert's execution outcome; None when the command
    was accepted for future-dated execution."""
    raw = value.value
    if not isinstance(raw, dict) or "executionOutcome" not in raw:
        return None
    return raw["executionOutcome"], asn1_record(value.fields(), value.type_name)["executionOutcome"]


def replacement_outcomes(value: asn1.Asn1Payload) -> list[ReplacementOutcome]:
    """The trust anchor cells a CS02b/CS02g response or alert reports: what a DIT step reads back."""
    outcome = execution_outcome(value)
    if outcome is None:
        return []
    raw, view = outcome
    return [ReplacementOutcome(v["affectedTrustAnchorCell"]["trustAnchorCellRemotePartyRole"],
                               certificate_type(v["affectedTrustAnchorCell"]), v["statusCode"],
                               v["existingSubjectUniqueID"], r["existingSubjectKeyIdentifier"],
                               v["replacingSubjectUniqueID"], r["replacingSubjectKeyIdentifier"])
            for r, v in zip(raw["replacementOutcomes"], view["replacementOutcomes"], strict=True)]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def mmc_execution_outcome(tag: str, value: asn1.Asn1Payload) -> tuple[etree._Element, bool] | None:
    """MMC ExecutionOutcome (under `tag`) and whether every replacement succeeded."""
    outcome = execution_outcome(value)
    if outcome is None:
        return None
    raw, view = outcome
    element = getattr(M, tag)(M.AuthorisingRemotePartyOriginatorCounter(str(raw["authorisingRemotePartySeqNumber"])))
    if view["credentialsReplacementMode"] in MMC_MODES:
        element.append(M.CredentialsReplacementMode(MMC_MODES[view["credentialsReplacementMode"]]))
    for change in view["remotePartySeqNumberChanges"][:1]:       # MMC has room for one
        seq = M.RemotePartySeqNumberChange()
        if change["remotePartyRole"] in MMC_ROLES:
            seq.append(M.RemotePartyRole(MMC_ROLES[change["remotePartyRole"]]))
        seq.append(M.RemotePartyFloorSeqNumber(str(change["floorSeqNumber"])))
        for special in change.get("specialistFloorSeqNumbers", ()):
            if special["seqNumberUsage"] == "prePaymentTopUp":
                seq.append(M.RemotePartyPrepaymentTopUpFloorSeqNumber(str(special["seqNumber"])))
        element.append(seq)
    ok = True
    for cell_outcome, raw_outcome in zip(replacement_outcomes(value), raw["replacementOutcomes"][:3]):
        ok &= cell_outcome.status == "success"
        replaced = M.ReplacementOutcome(asn1_status("StatusCode", cell_outcome.status, raw_outcome["statusCode"]),
                                        M.CertificateType(cell_outcome.certificate_type))
        if cell_outcome.role in MMC_ROLES:
            replaced.append(M.RemotePartyRole(MMC_ROLES[cell_outcome.role]))
        replaced.extend((M.ExistingRemotePartyID(cell_outcome.existing_entity_id),
                         M.NewRemotePartyID(cell_outcome.new_entity_id),
                         M.ExistingCertificateHash(_b64(cell_outcome.existing_key_identifier)),
                         M.NewCertificateHash(_b64(cell_outcome.new_key_identifier))))
        element.append(replaced)
    return element, ok


@response("CS02bSupplierBySupplier", "CS02bNOByNO", "CS02gLoadControllerBySupplier", "CS02bSupplierBySupplierHandover",
          "CS02bNOByNOHandover", "CS02bSupplierByTransCoS")
def credentials_updated(ctx: ResponseContext, rsp: etree._Element) -> None:
    """Nothing beyond MessageSuccess when accepted for future-dated execution, else the outcome per cell."""
    built = mmc_execution_outcome("ExecutionOutcome", asn1_payload(ctx.payload, ctx.use_case))
    if built is not None:
        rsp.append(built[0])
        rsp.set("MessageSuccess", "true" if built[1] else "false")


@response("FDA-CS02b", "FDA-CS02g")
def credentials_updated_when_due(ctx: ResponseContext, payload: etree._Element) -> None:
    built = mmc_execution_outcome("UpdateSecurityCredentialsExecutionOutcome",
                                  asn1_payload(ctx.payload, ctx.use_case))
    if built is not None:
        payload.append(M.FutureDatedCommandOutcomeDeviceAlert(M.UpdateSecurityCredentialsDeviceAlert(built[0])))


# -- 6.17 CS02c Issue Security Credentials, 6.15.2 CS02d Update Device Certificate ------------------------

@command("6.17", "CS02c", devices=(DeviceType.ESME, DeviceType.GSME, DeviceType.GPF))
def issue_security_credentials(request: DuisRequest, ctx: CommandContext) -> bytes:
    bit = choice(request, "CredentialType", {"Digital Signature": DIGITAL_SIGNATURE, "Key Agreement": KEY_AGREEMENT})
    return asn1.encode("IssueSecurityCredentialsCommand", {"keyUsage": key_usage(bit)})


@response("CS02c")
def credentials_issued(ctx: ResponseContext, rsp: etree._Element) -> None:
    """The device's certification request for its new key pair, or why it made none."""
    payload = asn1_payload(ctx.payload, ctx.use_case)
    name, value = asn1_choice(payload.value, payload.type_name)
    if name == "certificationRequest":
        rsp.append(M.CertificationRequest(_b64(value)))
    else:
        view = asn1_record(payload.fields(), payload.type_name)["responseCode"]
        rsp.append(asn1_status("IssueCredentialsResponseCode", view, value))
        rsp.set("MessageSuccess", "false")


@command("6.15.2", "CS02d", devices=(DeviceType.ESME, DeviceType.GSME, DeviceType.GPF))
def update_device_certificate(request: DuisRequest, ctx: CommandContext) -> bytes:
    return asn1.encode("UpdateDeviceCertificateCommand", certificate(request, "DeviceCertificate"))


@response("CS02d")
def device_certificate_updated(ctx: ResponseContext, rsp: etree._Element) -> None:
    value = asn1_payload(ctx.payload, ctx.use_case)
    rsp.append(asn1_status("UpdateSecurityCredentialsResponseCode", value.fields(), value.value))
    rsp.set("MessageSuccess", "true" if value.value == 0 else "false")


# -- Device side ----------------------------------------------------------------------------------------
# A device states what it did in the names of the SR's MMC response. For these nested ASN.1 outcomes the
# model gives the ASN.1 value and `parsed_values` reads it as the User's Parse does, so the names cannot
# drift from the Parse; the answers write the value back from those names.

ROLE_NAMES = {number: name for name, number in asn1.named_numbers("RemotePartyRole").items()}
STATUS_NAMES = {number: name for name, number in asn1.named_numbers("StatusCode").items()}
MODE_NAMES = {number: name for name, number in asn1.named_numbers("CredentialsReplacementMode").items()}
KEY_CERT_SIGN = 5
PREPAYMENT_TOP_UP_SEQ = 0                        # SeqNumberUsage prePaymentTopUp
# MMC CertificateType (and CertificateUsage) of a trust anchor cell: (KeyUsage bit, CellUsage)
CELL_KINDS = {"DigitalSigning": (DIGITAL_SIGNATURE, MANAGEMENT), "KeyAgreement": (KEY_AGREEMENT, MANAGEMENT),
              "KeyAgreementTopUp": (KEY_AGREEMENT, PREPAYMENT_TOP_UP), "KeyCertSign": (KEY_CERT_SIGN, MANAGEMENT)}
# The DUIS names of the certificates a CS02b/CS02g places, by the cell they target
REPLACEMENT_SLOTS = {"DigitalSigning": "DigitalSigningCertificate", "KeyAgreement": "KeyAgreementCertificate",
                     "KeyAgreementTopUp": "KeyAgreementTopUpCertificate"}
CS02B = ("CS02bSupplierBySupplier", "CS02bNOByNO", "CS02gLoadControllerBySupplier", "CS02bSupplierBySupplierHandover",
         "CS02bNOByNOHandover", "CS02bSupplierByTransCoS")
UNKNOWN_PARTY = bytes(8)       # what a device reports of a cell it does not have: no entity, no key


def parsed_values(use_case: str, value: asn1.Asn1Payload) -> dict[str, str]:
    """What a User's Parse reads off a response payload of this use case (the names `mmc.values` gives)."""
    rsp = etree.Element(mmc.ra("Rsp"))
    parse = response_parser(use_case)
    if parse is not None:
        parse(ResponseContext(None, Payload(PayloadKind.ASN1, value), None, use_case), rsp)
    if rsp.get("MessageSuccess") is None:
        rsp.set("MessageSuccess", "true")
    return mmc.values(M.GBCSResponse(M.Body(M.ResponseMessage(M.SMETSData(rsp)))))


def mmc_entries(values: dict[str, str], path: str) -> list[dict[str, str]]:
    """The occurrences of a repeatable MMC element at `path` among `mmc.values` names, in order, each keyed
    by the names below it ("StatusCode/ASN1Status", "StatusCode@ResponseCode"); one occurrence is unnumbered."""
    found: dict[int, dict[str, str]] = {}
    pattern = re.compile(re.escape(path) + r"(?:\[(\d+)\])?(@.+|/.+)$")
    for name, value in values.items():
        match = pattern.match(name)
        if match:
            found.setdefault(int(match[1] or 1), {})[match[2].removeprefix("/")] = value
    return [found[i] for i in sorted(found)]


def response_code(values: dict[str, str], tag: str, default: int) -> int:
    """The number of an MMC ASN.1 status (`tag@ResponseCode`), else `default`."""
    text = values.get(f"{tag}@ResponseCode")
    return int(text) if text and text.lstrip("-").isdigit() else default


def asn1_command(command: DeviceCommand, type_name: str) -> object:
    """The asn1tools value of a command's ASN.1 payload, checked to be of `type_name`."""
    value = command.payload.value
    if not isinstance(value, asn1.Asn1Payload) or value.type_name != type_name:
        raise PayloadError(f"{command.use_case}: expected an ASN.1 {type_name}", 0)
    return value.value


def asn1_command_record(command: DeviceCommand, type_name: str) -> dict[str, Any]:
    """The asn1tools value of a command whose ASN.1 type is a SEQUENCE."""
    return asn1_record(asn1_command(command, type_name), type_name)


def usage_bits(value: tuple[bytes, int]) -> frozenset[int]:
    """The bits a KeyUsage BIT STRING sets."""
    data, size = value
    return frozenset(i for i in range(size) if data[i // 8] & (0x80 >> (i % 8)))


def cell_kind(cell_identifier: dict) -> str | None:
    """The MMC CertificateType of a TrustAnchorCellIdentifier (or TrustAnchorCellContents)."""
    bits = usage_bits(cell_identifier["trustAnchorCellKeyUsage"])
    usage = cell_identifier.get("trustAnchorCellUsage", MANAGEMENT)
    return next((kind for kind, (bit, cell_usage) in CELL_KINDS.items()
                 if bits == {bit} and usage == cell_usage), None)


def _kind_cell(role: int, kind: str) -> dict:
    bit, cell_usage = CELL_KINDS[kind]
    return cell(role, bit, cell_usage)


def _utc(value: dt.datetime) -> str:
    return utc_text(value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value)


# -- CS02b / CS02g: what the device reads, what it answers --------------------------------------------------

@accepts(*CS02B)
def update_security_credentials_command(command: DeviceCommand) -> dict:
    """The certificates by DUIS name (ReplacementCertificates/DigitalSigningCertificate ...), base64 DER, the
    certification path, the replaced role, the new party's floors, the mode, the authorising counter and
    the execution time (ISO 8601; the far-future one cancels)."""
    value = asn1_command_record(command, "UpdateSecurityCredentialsCommand")
    control = value["authorisingRemotePartyControl"]
    mode = MODE_NAMES.get(control["credentialsReplacementMode"], str(control["credentialsReplacementMode"]))
    fields: dict = {"CredentialsReplacementMode": MMC_MODES.get(mode, mode),
                    "AuthorisingRemotePartySeqNumber": str(control["authorisingRemotePartySeqNumber"])}
    roles = set()
    for replacement in value["replacements"]:
        target = replacement["targetTrustAnchorCell"]
        slot = REPLACEMENT_SLOTS.get(cell_kind(target) or "")
        if slot is None:
            raise PayloadError(f"{command.use_case}: a replacement for a cell that is not a Digital Signing, Key "
                               "Agreement or Prepayment Key Agreement cell", 0)
        roles.add(target["trustAnchorCellRemotePartyRole"])
        fields[f"ReplacementCertificates/{slot}"] = _b64(replacement["replacementCertificate"])
    if len(roles) != 1:
        raise PayloadError(f"{command.use_case}: replacements for {len(roles)} remote party roles, expected one", 0)
    (role,) = roles
    fields["RemotePartyRole"] = MMC_ROLES.get(ROLE_NAMES.get(role, ""), str(role))
    for i, path in enumerate(value["certificationPathCertificates"], 1):
        fields[f"CertificationPathCertificates/Certificate[{i}]"] = _b64(path)
    floor, special = control.get("newRemotePartyFloorSeqNumber"), control.get("newRemotePartySpecialistFloorSeqNumbers")
    for change in control.get("otherRemotePartySeqNumberChanges") or ():
        if change["remotePartyRole"] == role:
            floor, special = change["floorSeqNumber"], change.get("specialistFloorSeqNumbers")
    if floor is not None:
        fields["RemotePartyFloorSeqNumber"] = str(floor)
    for seq in special or ():
        if seq["seqNumberUsage"] == PREPAYMENT_TOP_UP_SEQ:
            fields["RemotePartyPrepaymentTopUpFloorSeqNumber"] = str(seq["seqNumber"])
    if value.get("executionDateTime") is not None:
        fields["ExecutionDateTime"] = _utc(value["executionDateTime"])
    return fields


def credentials_outcome(use_case: str, *, counter: int, mode: str, role: int, floor: int | None,
                        top_up_floor: int | None, outcomes: list[ReplacementOutcome]) -> dict[str, str]:
    """A device's outcome of a CS02b/CS02g it carried out (mode: the MMC CredentialsReplacementMode), in
    MMC names; the response fails where a cell was not replaced."""
    changes = []
    if floor is not None:
        change: dict = {"remotePartyRole": role, "floorSeqNumber": floor}
        if top_up_floor is not None:
            change["specialistFloorSeqNumbers"] = [{"seqNumberUsage": PREPAYMENT_TOP_UP_SEQ, "seqNumber": top_up_floor}]
        changes.append(change)
    roles = asn1.named_numbers("RemotePartyRole")
    execution = {"authorisingRemotePartySeqNumber": counter, "credentialsReplacementMode": _mode_number(mode),
                 "remotePartySeqNumberChanges": changes,
                 "replacementOutcomes": [{
                     "affectedTrustAnchorCell": _kind_cell(roles[o.role], o.certificate_type), "statusCode": o.status,
                     "existingSubjectUniqueID": bytes(EntityId(o.existing_entity_id)),
                     "existingSubjectKeyIdentifier": o.existing_key_identifier,
                     "replacingSubjectUniqueID": bytes(EntityId(o.new_entity_id)),
                     "replacingSubjectKeyIdentifier": o.new_key_identifier} for o in outcomes]}
    return parsed_values(use_case, asn1.Asn1Payload(
        "UpdateSecurityCredentialsResponse", {"commandAccepted": None, "executionOutcome": execution}, True))


def _mode_number(mode: str) -> int:
    """A CredentialsReplacementMode by its MMC (or GBCS) name, or its number."""
    gbcs = next((name for name, mmc_name in MMC_MODES.items() if mmc_name == mode), mode)
    numbers = asn1.named_numbers("CredentialsReplacementMode")
    return numbers[gbcs] if gbcs in numbers else int(mode)


@answers(*CS02B)
def credentials_updated_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """Accepted alone for a future-dated (or cancelling) command; else the outcome per cell, every length over
    127 in two bytes as the RTDS devices write it."""
    value: dict = {"commandAccepted": None}
    if _carried_out(outcome) or not device.succeeded(outcome):
        value["executionOutcome"] = _outcome_of(command, outcome)
    return asn1.encode("UpdateSecurityCredentialsResponse", value, long_lengths="executionOutcome" in value)


def credentials_updated_alert(command: DeviceCommand, code: int, outcome: dict) -> bytes:
    """FDA-CS02b / FDA-CS02g (0x00CB / 0x0124): a future-dated CS02b/CS02g's outcome when its time came, as the
    RTDS devices send it: the alert code (0x8F66 / 0x8F67), the command's execution time and the outcome cell
    by cell as the response to an immediate command carries it (the same names), lengths over 127 in two bytes."""
    when = asn1_command_record(command, "UpdateSecurityCredentialsCommand").get("executionDateTime")
    if when is None:
        raise PayloadError(f"{command.use_case}: not a future-dated command, so no outcome alert", 0)
    return asn1.encode("UpdateSecurityCredentialsAlert", {
        "alertCode": code, "executionDateTime": when, "executionOutcome": _outcome_of(command, outcome)},
        long_lengths=True)


def _carried_out(outcome: dict) -> bool:
    return any(name.startswith("ExecutionOutcome/") for name in outcome)


def _outcome_of(command: DeviceCommand, outcome: dict) -> dict:
    """The UpdateSecurityCredentialsExecutionOutcome of a command carried out, or of one that failed as a whole."""
    return _execution_outcome(command, outcome, "ExecutionOutcome") if _carried_out(outcome) \
        else _not_carried_out(command)


def _execution_outcome(command: DeviceCommand, values: dict, path: str) -> dict:
    """An UpdateSecurityCredentialsExecutionOutcome from its MMC names; what MMC has no name for (a mode or a
    role it does not list) comes from the command."""
    update = asn1_command_record(command, "UpdateSecurityCredentialsCommand")
    control, targets = update["authorisingRemotePartyControl"], update["replacements"]
    target_role = targets[0]["targetTrustAnchorCell"]["trustAnchorCellRemotePartyRole"] if targets else SUPPLIER
    mode = values.get(f"{path}/CredentialsReplacementMode")
    changes = []
    for entry in mmc_entries(values, f"{path}/RemotePartySeqNumberChange"):
        change: dict = {"remotePartyRole": ROLES.get(entry.get("RemotePartyRole", ""), target_role),
                        "floorSeqNumber": int(entry["RemotePartyFloorSeqNumber"])}
        top_up = entry.get("RemotePartyPrepaymentTopUpFloorSeqNumber")
        if top_up is not None:
            change["specialistFloorSeqNumbers"] = [{"seqNumberUsage": PREPAYMENT_TOP_UP_SEQ, "seqNumber": int(top_up)}]
        changes.append(change)
    outcomes = [{"affectedTrustAnchorCell": _kind_cell(ROLES.get(entry.get("RemotePartyRole", ""), target_role),
                                                       entry["CertificateType"]),
                 "statusCode": STATUS_NAMES[response_code(entry, "StatusCode", 127)],
                 "existingSubjectUniqueID": bytes(EntityId(entry["ExistingRemotePartyID"])),
                 "existingSubjectKeyIdentifier": base64.b64decode(entry["ExistingCertificateHash"]),
                 "replacingSubjectUniqueID": bytes(EntityId(entry["NewRemotePartyID"])),
                 "replacingSubjectKeyIdentifier": base64.b64decode(entry["NewCertificateHash"])}
                for entry in mmc_entries(values, f"{path}/ReplacementOutcome")]
    return {"authorisingRemotePartySeqNumber": int(values.get(f"{path}/AuthorisingRemotePartyOriginatorCounter",
                                                              control["authorisingRemotePartySeqNumber"])),
            "credentialsReplacementMode": _mode_number(mode) if mode else control["credentialsReplacementMode"],
            "remotePartySeqNumberChanges": changes, "replacementOutcomes": outcomes}


def _not_carried_out(command: DeviceCommand) -> dict:
    """The outcome of a command the model failed without saying why cell by cell: every cell 'other',
    with no entity or key known (the RTDS has no such case)."""
    value = asn1_command_record(command, "UpdateSecurityCredentialsCommand")
    control = value["authorisingRemotePartyControl"]
    return {"authorisingRemotePartySeqNumber": control["authorisingRemotePartySeqNumber"],
            "credentialsReplacementMode": control["credentialsReplacementMode"], "remotePartySeqNumberChanges": [],
            "replacementOutcomes": [{"affectedTrustAnchorCell": r["targetTrustAnchorCell"], "statusCode": "other",
                                     "existingSubjectUniqueID": UNKNOWN_PARTY,
                                     "existingSubjectKeyIdentifier": UNKNOWN_PARTY,
                                     "replacingSubjectUniqueID": UNKNOWN_PARTY,
                                     "replacingSubjectKeyIdentifier": UNKNOWN_PARTY} for r in value["replacements"]]}


# -- CS02c Issue Security Credentials, CS02d Update Device Certificate --------------------------------------

CREDENTIAL_TYPES = {frozenset({DIGITAL_SIGNATURE}): "Digital Signature", frozenset({KEY_AGREEMENT}): "Key Agreement"}
CR_PRODUCTION_FAILED = asn1.named_numbers("IssueSecurityCredentialsResponseCode")["crProductionFailed"]
CERTIFICATE_STORAGE_FAILED = asn1.named_numbers("UpdateDeviceCertificateResponse")["certificateStorageFailed"]


def credential_type(command: DeviceCommand, type_name: str) -> dict:
    """The DUIS CredentialType a command's keyUsage names ("" when it names neither key)."""
    value = asn1_command_record(command, type_name)
    return {"CredentialType": CREDENTIAL_TYPES.get(usage_bits(value["keyUsage"]), "")}


@accepts("CS02c")
def issue_security_credentials_command(command: DeviceCommand) -> dict:
    return credential_type(command, "IssueSecurityCredentialsCommand")


def credentials_issued_outcome(request: bytes) -> dict[str, str]:
    """A device's outcome of 6.17: its certification request (DER) for the new key, in MMC names."""
    value = ("certificationRequest", request)
    return parsed_values("CS02c", asn1.Asn1Payload("IssueSecurityCredentialsResponse", value))


def credentials_not_issued_outcome(reason: str) -> dict[str, str]:
    """invalidKeyUsage, keyPairGenerationFailed or crProductionFailed, in MMC names."""
    code = asn1.named_numbers("IssueSecurityCredentialsResponseCode")[reason]
    return parsed_values("CS02c", asn1.Asn1Payload("IssueSecurityCredentialsResponse", ("responseCode", code)))


@answers("CS02c")
def credentials_issued_answer(command: DeviceCommand, outcome: dict) -> bytes:
    request = outcome.get("CertificationRequest")
    if device.succeeded(outcome) and request:
        return asn1.encode("IssueSecurityCredentialsResponse", ("certificationRequest", base64.b64decode(request)))
    code = response_code(outcome, "IssueCredentialsResponseCode", CR_PRODUCTION_FAILED)
    return asn1.encode("IssueSecurityCredentialsResponse", ("responseCode", code))


@accepts("CS02d")
def update_device_certificate_command(command: DeviceCommand) -> dict:
    certificate = asn1_octets(asn1_command(command, "UpdateDeviceCertificateCommand"), "UpdateDeviceCertificateCommand")
    return {"DeviceCertificate": _b64(certificate)}


def certificate_updated_outcome(status: str) -> dict[str, str]:
    """A device's outcome of 6.15.2 (success, wrongDeviceIdentity, wrongPublicKey ...), in MMC names."""
    code = asn1.named_numbers("UpdateDeviceCertificateResponse")[status]
    return parsed_values("CS02d", asn1.Asn1Payload("UpdateDeviceCertificateResponse", code))


@answers("CS02d")
def certificate_updated_answer(command: DeviceCommand, outcome: dict) -> bytes:
    default = 0 if device.succeeded(outcome) else CERTIFICATE_STORAGE_FAILED
    return asn1.encode("UpdateDeviceCertificateResponse",
                       response_code(outcome, "UpdateSecurityCredentialsResponseCode", default))
