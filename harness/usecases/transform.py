"""The DSP's Transform: a DUIS request becomes the GBCS command a device receives (DUIS section 3,
GBCS section 4.3).

The GBCS header comes from the request and the DSP's records: the originator is the User (its RequestID
counter becomes the originator counter) or, for SRs the DCC carries out on a User's behalf, the Access
Control Broker with the User as supplementary remote party; the recipient is the target device; the
message code is the use case's. A critical SR's Transform is returned to the User as a Pre-Command
(CV 4) to sign; the rest the DCC MACs and sends.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, replace

from harness import catalogue
from harness.catalogue import DeviceType
from harness.eui import DCC_ACCESS_CONTROL_BROKER, EntityId
from harness.gbcs.frame import CraFlag, GeneralSigning
from harness.usecases import registry
from harness.usecases.records import DspRecords
from harness.usecases.registry import CommandCodec, CommandContext, Originator
from harness.usecases.request import DuisRequest, TransformError

DCC_TRANSITIONAL_COS = EntityId("90-B3-D5-1F-30-00-00-04")


@dataclass(frozen=True)
class Transformed:
    use_case: str
    apdu: GeneralSigning

    @property
    def message_code(self) -> int:
        return self.apdu.message_code

    @property
    def pre_command(self) -> bytes:
        """The General-Signing APDU as the DCC returns it for signing: signature length byte 00."""
        return self.apdu.encode()


def _device_types(request: DuisRequest, device_type: DeviceType | None) -> tuple[DeviceType, ...] | None:
    if device_type is not None:
        return (device_type,)
    hint = request.device_type_hint
    return None if hint is None else (hint,)


_NO_RECORDS = DspRecords()      # choose's default: the DSP holds nothing beyond the request (frozen, so shared)


def choose(request: DuisRequest, device_type: DeviceType | None = None,
           records: DspRecords = _NO_RECORDS, use_case: str | None = None) -> CommandCodec:
    """The use case a request becomes for its target's device type and the DSP's records (or, given
    `use_case`, that one of the SR's use cases)."""
    codecs = registry.commands_for(request.srv)
    if not codecs:
        sr = _known_sr(request)
        why = "it is served by the DCC and reaches no device" if sr and sr.non_device else \
            "no Transform is built for it yet"
        raise TransformError(f"{request.srv} {request.body_name}: {why}", where=request.where)
    types = _device_types(request, device_type)
    candidates = [c for c in codecs if types is None or set(types) & set(c.devices)]
    if use_case is not None:
        candidates = [c for c in candidates if c.use_case == use_case]
    else:
        candidates = [c for c in candidates if c.applies(request) and c.requires(records)]
    if len({c.use_case for c in candidates}) > 1 and types is None:
        kinds = sorted({d.value for c in candidates for d in c.devices})
        raise TransformError(f"{request.srv} reaches {', '.join(kinds)} with different use cases: say which "
                             f"device type the target is", where=request.where,
                             fix="give --device-type (ESME, GSME, GPF, CHF ...)")
    if not candidates:
        kinds = sorted({d.value for c in codecs for d in c.devices})
        wanted = "/".join(t.value for t in types) if types else "this request"
        raise TransformError(f"{request.srv} has no use case for {wanted} (it reaches {', '.join(kinds)})",
                             where=request.where)
    return candidates[0]


def _known_sr(request: DuisRequest):
    try:
        return catalogue.service_request(request.srv)
    except catalogue.UnknownEntry:
        return None


def transform(request: DuisRequest, records: DspRecords | None = None, *, now: dt.datetime | None = None,
              dsp_counter: int | None = None, access_control_broker: EntityId = DCC_ACCESS_CONTROL_BROKER,
              transitional_cos: EntityId = DCC_TRANSITIONAL_COS, use_case: str | None = None,
              **facts) -> Transformed:
    """The GBCS command (unsigned, unMAC'd) the DSP makes of `request`.

    `records` is what the DSP holds of the target, the User and old devices (`DspRecords`; its fields may
    also be given as keywords: `device_type=DeviceType.ESME`, `twin_element=True` ...); `now` is the DSP's
    clock (GBZ issuer event ids carry it); `dsp_counter` the DCC's own originator counter for commands the
    DCC originates (by default the User's counter)."""
    records = replace(records or _NO_RECORDS, **facts) if facts else records or _NO_RECORDS     # frozen: shared
    codec = choose(request, records.device_type, records, use_case)
    now = now or dt.datetime.now(dt.UTC)
    user_counter = request.request_id.counter
    if codec.originator is Originator.USER:
        originator, counter = request.originator, user_counter
    else:
        originator = transitional_cos if codec.originator is Originator.TRANSCOS else access_control_broker
        counter = user_counter if dsp_counter is None else dsp_counter
    if records.device_type is None:
        hint = request.device_type_hint or (codec.devices[0] if len(codec.devices) == 1 else None)
        records = replace(records, device_type=hint)
    ctx = CommandContext(now, counter, originator, request.target, records.device_type, user_counter, records)
    payload = codec.build(request, ctx)
    on_behalf = codec.originator is Originator.ACB
    apdu = GeneralSigning(
        cra_flag=CraFlag.COMMAND, originator_counter=counter, originator=originator, recipient=request.target,
        message_code=codec.message_code, payload=payload,
        supplementary_remote_party=request.originator if on_behalf else None,
        supplementary_remote_party_counter=user_counter if on_behalf else None,
        supplementary_remote_party_ka_certificate=urp_certificate(request) if on_behalf else None)
    return Transformed(codec.use_case, apdu)


def urp_certificate(request: DuisRequest) -> bytes | None:
    """An Unknown Remote Party's KA certificate (DUIS KAPublicSecurityCredentials, 4.14 and 4.17): the
    DCC passes it in the header's other information so that the device can encrypt the response for it."""
    raw = request.text("KAPublicSecurityCredentials")
    if raw is None:
        return None
    try:
        return base64.b64decode(raw, validate=True)
    except binascii.Error:
        raise TransformError(f"{request.srv} sr:KAPublicSecurityCredentials: not base64", where=request.where) from None
