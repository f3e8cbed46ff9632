"""The device side of the use cases: what a device reads of a command and writes in its response.

A device knows a command by its message code and decodes the payload that code names (DLMS COSEM, GBZ
or ASN.1, harness.gbcs.payload). Each use case registers how its command is read (`@accepts`: the
payload becomes the dict a device's firmware model acts on) and how its response is written (`@answers`:
the firmware's outcome, in the names of the SR's MMC response, becomes the payload). So what a device
answers is what a User's Parse reads back: `mmc.values(parse(answer(command, outcome)))` gives the
outcome again, which the round-trip tests hold for every RTDS response.

Where use cases share a message code the device tells them apart as GBCS lets it: a signed command is
the Critical variant (CS03A2, CS03C, CS04AC), one the Access Control Broker originates is the handover
(CS02b ...Handover), the device type separates ECS21b from GCS61, and a clock set to a meter not yet
commissioned is the commissioning one (ECS70Commission, GCS28Commission).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from harness import catalogue
from harness.catalogue import DeviceType
from harness.eui import DCC_ACCESS_CONTROL_BROKER
from harness.gbcs import axdr, dlms, gbz, zcl
from harness.gbcs import payload as gbcs_payload
from harness.gbcs.axdr import Data, PayloadError
from harness.gbcs.frame import GeneralSigning
from harness.usecases import registry
from harness.usecases.registry import DeviceCommand

SUCCESS, FAILURE = "Success", "Failure"
GENERIC_CRITICAL_ALERT, GENERIC_NON_CRITICAL_ALERT = gbcs_payload.GENERIC_ALERTS
# Devices that speak ZigBee GBZ (alerts included); the others speak DLMS COSEM.
GBZ_DEVICES = frozenset({DeviceType.GSME, DeviceType.GPF, DeviceType.PPMID, DeviceType.IHD})
# Responses whose GBCS header carries the device's date-time, as the RTDS shows them: the commands a device
# may future-date (tariff, price, payment mode, prepayment, load limiting, credentials, firmware
# activation), top-ups, and the instantaneous reads (registers, prepayment values). The rest carry none.
DATED_RESPONSES = frozenset({
    "CS01a", "CS01b", "CS02bNOByNO", "CS02bNOByNOHandover", "CS02bSupplierBySupplier",
    "CS02bSupplierBySupplierHandover", "CS02bSupplierByTransCoS", "CS02gLoadControllerBySupplier", "CS06",
    "ECS01a", "ECS01b", "ECS02", "ECS03", "ECS08", "ECS08a", "ECS17b", "ECS17d", "ECS19", "ECS28a",
    "GCS01a", "GCS01b", "GCS02", "GCS03", "GCS05", "GCS13a", "GCS13c", "GCS14"})


def understood(use_case: str) -> bool:
    """Whether devices read this use case's commands and write its responses in real GBCS."""
    return registry.acceptor(use_case) is not None and registry.answerer(use_case) is not None


def use_case_of(apdu: GeneralSigning, device_type: DeviceType, *, commissioned: bool = True) -> str:
    """The use case a command's message code names for this device (see the module text for shared codes)."""
    names = [uc.name for uc in catalogue.use_cases_for_code(apdu.message_code)]
    if not names:
        raise PayloadError(f"unknown message code 0x{apdu.message_code:04X}", 0)
    if len(names) == 1:
        return names[0]
    fits = [n for n in names if any(device_type in c.devices for srv in _srvs(n) for c in registry.commands_for(srv)
                                    if c.use_case == n)] or names
    if len(fits) > 1:
        signed = apdu.signature is not None
        by_signature = [n for n in fits if ("NonCritical" not in n) == signed and (
            "Critical" in n or n == "CS04B")]
        if any("Critical" in n for n in fits):
            fits = [n for n in by_signature if "Critical" in n] or fits
        if any(n.endswith("Handover") for n in fits):
            handover = apdu.originator == DCC_ACCESS_CONTROL_BROKER
            fits = [n for n in fits if n.endswith("Handover") == handover] or fits
        if any(n.endswith("Commission") for n in fits):
            fits = [n for n in fits if n.endswith("Commission") != commissioned] or fits
    return fits[0]


def _srvs(use_case: str) -> list[str]:
    return [sr.srv for sr in catalogue.service_requests() if any(uc.name == use_case for uc in sr.use_cases)]


def read(apdu: GeneralSigning, device_type: DeviceType, *, now: dt.datetime, commissioned: bool = True,
         encrypt: Callable[[bytes], bytes] | None = None) -> tuple[DeviceCommand, dict]:
    """The command as the device reads it, and what its firmware acts on ("UseCase" plus the use case's
    fields). PayloadError when the payload is not what the message code says, or the use case is not
    one this model reads."""
    use_case = use_case_of(apdu, device_type, commissioned=commissioned)
    accept = registry.acceptor(use_case)
    if accept is None:
        raise PayloadError(f"{use_case}: not a use case this device reads", 0)
    command = DeviceCommand(use_case, apdu, gbcs_payload.decode(apdu), device_type, now, encrypt)
    return command, {"UseCase": use_case, **accept(command)}


def answer(command: DeviceCommand, outcome: dict) -> bytes:
    """The response payload for the firmware's outcome."""
    write = registry.answerer(command.use_case)
    if write is None:
        raise PayloadError(f"{command.use_case}: no response is built for it", 0)
    return write(command, outcome)


def succeeded(outcome: dict) -> bool:
    return outcome.get("Result", SUCCESS) == SUCCESS


# -- DLMS COSEM: one result per instruction ---------------------------------------------------------

def access_request(command: DeviceCommand) -> dlms.AccessRequest:
    value = command.payload.value
    if not isinstance(value, dlms.AccessRequest):
        raise PayloadError(f"{command.use_case}: expected a DLMS access-request", 0)
    return value


def set_values(command: DeviceCommand) -> dict[tuple[int, str, int], Data]:
    """What an access-request sets, by (class id, OBIS text, attribute)."""
    request = access_request(command)
    return {(spec.descriptor.class_id, str(spec.descriptor.instance), spec.descriptor.member): data
            for spec, data in zip(request.specs, request.data) if spec.kind is dlms.RequestKind.SET}


def action_values(command: DeviceCommand) -> list[tuple[dlms.Descriptor, Data]]:
    request = access_request(command)
    return [(spec.descriptor, data) for spec, data in zip(request.specs, request.data)
            if spec.kind is dlms.RequestKind.ACTION]


_RESPONSE_KIND = {dlms.RequestKind.GET_WITH_SELECTION: dlms.RequestKind.GET}


def dlms_answer(command: DeviceCommand, outcome: dict, gets: Sequence[Data] = (),
                failure: dlms.AccessResult = dlms.AccessResult.HARDWARE_FAULT) -> bytes:
    """The access-response to a command: a result per instruction, the gets' values in order (null for sets
    and actions). GBCS processes a command's instructions in order and stops at the first that fails
    ("Payload sequence and Break On Error"): those before it keep their results and values, it reports its
    failure, and those not attempted other-reason. A firmware model fails a command as a whole, so which
    instruction failed is taken from the RTDS ERROR responses: the last but one (the only one of a single
    instruction) reports hardware-fault, or the `failure` a use case names for it."""
    request = access_request(command)
    failed = len(request.specs) if succeeded(outcome) else max(len(request.specs) - 2, 0)
    values = iter(gets)
    data, results = [], []
    for position, spec in enumerate(request.specs):
        kind = _RESPONSE_KIND.get(spec.kind, spec.kind)
        value = next(values, axdr.NULL) if kind is dlms.RequestKind.GET else axdr.NULL
        data.append(value if position < failed else axdr.NULL)
        results.append(dlms.ResponseSpec(kind, dlms.AccessResult.SUCCESS if position < failed else
                                         failure if position == failed else
                                         dlms.AccessResult.OTHER_REASON))
    return dlms.AccessResponse(request.invoke_id, tuple(data), tuple(results)).encode()


# -- ZigBee GBZ: one component per command ----------------------------------------------------------

def gbz_command(command: DeviceCommand) -> gbz.GbzPayload:
    value = command.payload.value
    if not isinstance(value, gbz.GbzPayload):
        raise PayloadError(f"{command.use_case}: expected a GBZ payload", 0)
    return value


ZCL_SUCCESS, ZCL_FAILURE, ZCL_NOT_FOUND = 0x00, 0x01, 0x8B
ZCL_HARDWARE_FAILURE, UNSUPPORTED_ATTRIBUTE = 0xC0, 0x86
NOT_PROCESSED = 0xFF                 # Default Response command id for a command the device did not carry out
FAILED_INSTRUCTION, FAILED_ATTRIBUTES = "FailedInstruction", "FailedAttributes"
Attribute = tuple[str, object]          # (ZCL type name, value), e.g. ("map16", 0x0C97)

# A GBZ command is answered one component per ZCL command (more where a Get publishes several), in order,
# under the command's sequence number, as the RTDS shows. A failed command fails as the RTDS error responses
# show: the ZCL commands before the failing one are answered, that one reports HARDWARE_FAILURE (each
# attribute, for a Read Attributes) and each after it a Default Response to command 0xFF, FAILURE (not
# carried out). Which command failed MMC does not say: a firmware outcome may (FAILED_INSTRUCTION, 1 the
# first; FAILED_ATTRIBUTES, hex ids), else the use case's RTDS device's position (`failing`, from 0, negative
# from the end). What GBCS has a meter encrypt for the User is sealed with DeviceCommand.encrypt, each
# encrypted component counted by its GBZ frame counter.


@dataclass(frozen=True)
class Reply:
    """One component of a GBZ response before it is framed; an encrypted one is sealed for the User."""

    cluster: int
    frame: zcl.Frame
    encrypted: bool = False


def sealed(command: DeviceCommand, plaintext: bytes) -> bytes:
    """Content encrypted end to end for whoever the response is for (ciphertext || 12-byte tag)."""
    if command.encrypt is None:
        raise PayloadError(f"{command.use_case}: GBCS has the response's content encrypted for the User, and the "
                           f"device was given no key to encrypt it with (DeviceCommand.encrypt)", 0)
    return command.encrypt(plaintext)


def gbz_response(command: DeviceCommand, replies: Sequence[Reply]) -> bytes:
    components, counter = [], 0
    for i, reply in enumerate(replies):
        control = gbz.CONTROL_LAST if i == len(replies) - 1 else 0
        if reply.encrypted:
            data = sealed(command, reply.frame.encode_payload(reply.cluster))
            cut = len(data) - gbz.TAG_LENGTH
            components.append(gbz.Component(reply.cluster, reply.frame, control | gbz.CONTROL_ENCRYPTED,
                                            frame_counter=counter, ciphered=gbz.Ciphered(data[:cut], data[cut:])))
            counter += 1
        else:
            components.append(gbz.Component(reply.cluster, reply.frame, control))
    return gbz.GbzPayload(tuple(components)).encode()


def default_reply(component: gbz.Component, status: int = ZCL_SUCCESS, command_id: int | None = None) -> Reply:
    """A Default Response sent back the way the command came (server to client for a client's command)."""
    back = 0 if component.frame.server_to_client else zcl.FRAME_SERVER_TO_CLIENT
    return Reply(component.cluster, zcl.Frame(back, component.frame.sequence, zcl.DEFAULT_RESPONSE, {
        "command_id": component.frame.command if command_id is None else command_id, "status": status}))


def failed_instruction(outcome: Mapping[str, object], count: int, failing: int = 0) -> int | None:
    """The position (from 0) of the ZCL command that failed; None when the command succeeded."""
    if succeeded(dict(outcome)):
        return None
    if FAILED_INSTRUCTION in outcome:
        return min(max(int(str(outcome[FAILED_INSTRUCTION])) - 1, 0), count - 1)
    return max(failing if failing >= 0 else count + failing, 0)


def answer_each(command: DeviceCommand, outcome: Mapping[str, object],
                reply: Callable[[gbz.Component], Reply | list[Reply]],
                failure: Callable[[gbz.Component], Reply] | None = None, *, failing: int = 0) -> bytes:
    """The replies to each ZCL command, failing as above (`failure`: the failed command's reply, by default
    a Default Response HARDWARE_FAILURE)."""
    components = gbz_command(command).components
    failed = failed_instruction(outcome, len(components), failing)
    replies: list[Reply] = []
    for i, component in enumerate(components):
        if failed is None or i < failed:
            answered = reply(component)
            replies += answered if isinstance(answered, list) else [answered]
        elif i == failed:
            replies.append(failure(component) if failure else default_reply(component, ZCL_HARDWARE_FAILURE))
        else:
            replies.append(default_reply(component, ZCL_FAILURE, NOT_PROCESSED))
    return gbz_response(command, replies)


def set_answer(command: DeviceCommand, outcome: dict) -> bytes:
    """A Default Response SUCCESS to each command (they set or publish something)."""
    return answer_each(command, outcome, default_reply)


def read_attributes_answer(command: DeviceCommand, outcome: Mapping[str, object],
                           values: Mapping[tuple[int, int], Attribute], *,
                           frame_control: int = zcl.FRAME_SERVER_TO_CLIENT, encrypted: Collection[int] = ()) -> bytes:
    """A Read Attributes Response to each Read Attributes: each attribute asked for, from `values` by
    (cluster, attribute), else UNSUPPORTED_ATTRIBUTE; those of `encrypted` clusters sealed for the User."""
    listed = str(outcome.get(FAILED_ATTRIBUTES, "")).split()

    def reply(component: gbz.Component, failing: Collection[int] = ()) -> Reply:
        frame = component.frame
        if frame.cluster_specific or frame.command != zcl.READ_ATTRIBUTES:
            return default_reply(component)
        records = []
        for attribute in (frame.values or {}).get("attributes", ()):
            found = values.get((component.cluster, attribute))
            if attribute in failing:
                records.append({"attribute": attribute, "status": ZCL_HARDWARE_FAILURE})
            elif found is None:
                records.append({"attribute": attribute, "status": UNSUPPORTED_ATTRIBUTE})
            else:
                records.append({"attribute": attribute, "status": ZCL_SUCCESS, "type": found[0], "value": found[1]})
        return Reply(component.cluster, zcl.Frame(frame_control, frame.sequence, zcl.READ_ATTRIBUTES_RESPONSE,
                                                  {"records": records}), component.cluster in encrypted)

    def failure(component: gbz.Component) -> Reply:
        if component.frame.cluster_specific or component.frame.command != zcl.READ_ATTRIBUTES:
            return default_reply(component, ZCL_HARDWARE_FAILURE)
        asked = (component.frame.values or {}).get("attributes", ())
        return reply(component, {int(a, 16) for a in listed} if listed else set(asked))

    return answer_each(command, outcome, reply, failure)


def component_values(command: DeviceCommand, cluster: int, zcl_command: int) -> dict:
    """The values of the first cluster-specific command of that cluster and id in a GBZ command."""
    for component in gbz_command(command).components:
        frame = component.frame
        if component.cluster == cluster and frame.cluster_specific and frame.command == zcl_command:
            return dict(frame.values or {})
    raise PayloadError(f"{command.use_case}: no command 0x{zcl_command:02X} for cluster 0x{cluster:04X}", 0)


def only_commands(command: DeviceCommand, expected: Sequence[gbz.ZclCommand]) -> None:
    """A GBZ command must be these ZCL commands, in order, and nothing else: each one's cluster, direction, command
    id and values are compared (its sequence number and whether it asks for a Default Response are the sender's)."""
    def kind(cluster: int, frame_control: int, zcl_command: int, values: dict | None) -> tuple:
        return (cluster, bool(frame_control & zcl.FRAME_CLUSTER_SPECIFIC),
                bool(frame_control & zcl.FRAME_SERVER_TO_CLIENT), zcl_command, values)
    found = [kind(c.cluster, c.frame.frame_control, c.frame.command, c.frame.values)
             for c in gbz_command(command).components]
    if found != [kind(c.cluster, c.frame_control, c.command, c.values) for c in expected]:
        wanted = ", ".join(f"0x{c.command:02X} to cluster 0x{c.cluster:04X} {c.values}" for c in expected)
        raise PayloadError(f"{command.use_case}: the command must be {wanted} and nothing else", 0)


def truth(outcome: dict, name: str, default: bool = False) -> bool:
    """An MMC boolean of the outcome ('true'/'false', or a Python bool from a firmware model)."""
    value = outcome.get(name, default)
    return value if isinstance(value, bool) else str(value).lower() == "true"


# -- alerts -------------------------------------------------------------------------------------------

def alert_date_time(when: dt.datetime) -> bytes:
    """A DLMS alert's 12-byte date-time as the RTDS alerts carry it: UTC, deviation and status unspecified."""
    v = when.astimezone(dt.UTC)
    return v.year.to_bytes(2, "big") + bytes((v.month, v.day, 0xFF, v.hour, v.minute, v.second, 0)) + b"\x80\x00\xff"


def generic_alert(device_type: DeviceType, code: int, when: dt.datetime, counter: int) -> bytes:
    """A Generic (Non) Critical Alert payload (message codes 0x1000 / 0x1001): the alert code and when it was
    raised, as a GBZ alert (profile 01 09, no components) or a DLMS data-notification, as the RTDS
    GCA/GNCA samples show them."""
    if device_type in GBZ_DEVICES:
        return gbz.GbzPayload((), code, gbz.gbz_seconds(when)).encode()
    body = axdr.structure(axdr.long_unsigned(code), axdr.octet_string(alert_date_time(when)))
    return dlms.DataNotification(dlms.invoke_id(counter), body).encode()


# -- future-dated outcomes (0x8F66 success, 0x8F67 failure) ------------------------------------------------

FD_DLMS, FD_GBZ = 0x00CC, 0x00CD
# GBZ calendar commands that go with the Publish Calendar before them (day, week and season profiles):
# the RTDS has one outcome alert for the calendar, not one per profile.
_CALENDAR_CLUSTER, _CALENDAR_PARTS = 0x0707, frozenset({1, 2, 3})

AlertPayload = Callable[[int, dt.datetime], bytes]        # (the alert's originator counter, when) -> payload


def future_dated_outcomes(command: GeneralSigning, code: int) -> list[tuple[int, AlertPayload]]:
    """The outcome alerts of a future-dated DLMS or GBZ command when its time comes, as the RTDS shows them:
    one per activation instruction (DLMS: each set of an activation date-time; GBZ: each ZCL command, a
    calendar's profiles counted with it), in the command's order, naming the command by message code and
    originator counter. (message code, payload builder) pairs; none for other payloads."""
    value = gbcs_payload.decode(command).value
    if isinstance(value, dlms.AccessRequest):
        instructions = [spec.descriptor for spec, data in zip(value.specs, value.data)
                        if spec.kind is dlms.RequestKind.SET and data.tag is axdr.Tag.OCTET_STRING
                        and len(data.octets) == 12]
        return [(FD_DLMS, _dlms_outcome(code, dlms.FutureDatedOutcome(command.message_code,
                                                                       command.originator_counter, d)))
                for d in instructions]
    if isinstance(value, gbz.GbzPayload):
        found = []
        # The RTDS alerts name every instruction with the frame control of the command's first one.
        frame_control = value.components[0].frame.frame_control if value.components else 0
        for component in value.components:
            frame = component.frame
            if component.cluster == _CALENDAR_CLUSTER and frame.command in _CALENDAR_PARTS:
                continue
            outcome = gbz.FutureDatedOutcome(command.message_code, command.originator_counter, component.cluster,
                                             frame_control, frame.command)
            found.append((FD_GBZ, _gbz_outcome(code, outcome)))
        return found
    return []


def _dlms_outcome(code: int, outcome: dlms.FutureDatedOutcome) -> AlertPayload:
    def build(counter: int, when: dt.datetime) -> bytes:
        body = axdr.structure(axdr.long_unsigned(code), axdr.octet_string(alert_date_time(when)),
                              axdr.octet_string(outcome.encode()))
        return dlms.DataNotification(dlms.invoke_id(counter), body).encode()
    return build


def _gbz_outcome(code: int, outcome: gbz.FutureDatedOutcome) -> AlertPayload:
    def build(counter: int, when: dt.datetime) -> bytes:
        return gbz.GbzPayload((), code, gbz.gbz_seconds(when), outcome, component_count=1).encode()
    return build
