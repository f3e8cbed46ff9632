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
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from lxml import etree

from harness.catalogue import DeviceType
from harness.gbcs import asn1
from harness.usecases.esme_config import CANCELLATION, choice
from harness.usecases.mmc import M
from harness.usecases.registry import CommandContext, Originator, ResponseContext, command, response
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


def execution_date_time(request: DuisRequest) -> dt.datetime | None:
    """sr:ExecutionDateTime as the ASN.1 executionDateTime (UTC, naive): 9999-12-31T23:59:59 cancels."""
    when = request.execution_date_time
    if when is None:
        return None
    if when == CANCELLATION:
        return ASN1_CANCELLATION
    return when.astimezone(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


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
    raw, view = value.value, value.fields()
    if not isinstance(raw, dict) or "executionOutcome" not in raw:
        return None
    return raw["executionOutcome"], view["executionOutcome"]  # type: ignore[index]


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
    built = mmc_execution_outcome("ExecutionOutcome", ctx.payload.value)  # type: ignore[attr-defined]
    if built is not None:
        rsp.append(built[0])
        rsp.set("MessageSuccess", "true" if built[1] else "false")


@response("FDA-CS02b", "FDA-CS02g")
def credentials_updated_when_due(ctx: ResponseContext, payload: etree._Element) -> None:
    built = mmc_execution_outcome("UpdateSecurityCredentialsExecutionOutcome", ctx.payload.value)  # type: ignore
    if built is not None:
        payload.append(M.FutureDatedCommandOutcomeDeviceAlert(M.UpdateSecurityCredentialsDeviceAlert(built[0])))


# -- 6.17 CS02c Issue Security Credentials, 6.15.2 CS02d Update Device Certificate ------------------------

@command("6.17", "CS02c", devices=(DeviceType.ESME, DeviceType.GSME, DeviceType.GPF))
def issue_security_credentials(request: DuisRequest, ctx: CommandContext) -> bytes:
    bit = choice(request, "CredentialType", {"Digital Signature": DIGITAL_SIGNATURE, "Key Agreement": KEY_AGREEMENT})
    return asn1.encode("IssueSecurityCredentialsCommand", {"keyUsage": key_usage(int(bit))})  # type: ignore[arg-type]


@response("CS02c")
def credentials_issued(ctx: ResponseContext, rsp: etree._Element) -> None:
    """The device's certification request for its new key pair, or why it made none."""
    name, value = ctx.payload.value.value  # type: ignore[attr-defined]
    if name == "certificationRequest":
        rsp.append(M.CertificationRequest(_b64(value)))
    else:
        view = ctx.payload.value.fields()["responseCode"]  # type: ignore[attr-defined]
        rsp.append(asn1_status("IssueCredentialsResponseCode", view, value))
        rsp.set("MessageSuccess", "false")


@command("6.15.2", "CS02d", devices=(DeviceType.ESME, DeviceType.GSME, DeviceType.GPF))
def update_device_certificate(request: DuisRequest, ctx: CommandContext) -> bytes:
    return asn1.encode("UpdateDeviceCertificateCommand", certificate(request, "DeviceCertificate"))


@response("CS02d")
def device_certificate_updated(ctx: ResponseContext, rsp: etree._Element) -> None:
    value = ctx.payload.value  # type: ignore[attr-defined]
    rsp.append(asn1_status("UpdateSecurityCredentialsResponseCode", value.fields(), value.value))
    rsp.set("MessageSuccess", "true" if value.value == 0 else "false")
