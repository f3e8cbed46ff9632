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
from collections.abc import Callable, Sequence

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
    value = command.payload.value  # type: ignore[attr-defined]
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


def dlms_answer(command: DeviceCommand, outcome: dict, gets: Sequence[Data] = (), *,
                failure: dlms.AccessResult = dlms.AccessResult.HARDWARE_FAULT) -> bytes:
    """An access-response to the command: the gets' values in order, null for sets and actions; on
    failure every instruction reports `failure` (the RTDS error responses use hardware-fault)."""
    request = access_request(command)
    ok = succeeded(outcome)
    values = iter(gets)
    data, results = [], []
    for spec in request.specs:
        kind = _RESPONSE_KIND.get(spec.kind, spec.kind)
        if ok and kind is dlms.RequestKind.GET:
            data.append(next(values, axdr.NULL))
        else:
            data.append(axdr.NULL)
        results.append(dlms.ResponseSpec(kind, dlms.AccessResult.SUCCESS if ok else failure))
    return dlms.AccessResponse(request.invoke_id, tuple(data), tuple(results)).encode()


# -- ZigBee GBZ: one component per command ----------------------------------------------------------

def gbz_command(command: DeviceCommand) -> gbz.GbzPayload:
    value = command.payload.value  # type: ignore[attr-defined]
    if not isinstance(value, gbz.GbzPayload):
        raise PayloadError(f"{command.use_case}: expected a GBZ payload", 0)
    return value


ZCL_SUCCESS, ZCL_HARDWARE_FAILURE, UNSUPPORTED_ATTRIBUTE = 0x00, 0xC0, 0x86


def default_responses(command: DeviceCommand, outcome: dict) -> bytes:
    """A ZCL Default Response to each component: SUCCESS, or when the command failed HARDWARE_FAILURE
    (as the RTDS error responses report it)."""
    status = ZCL_SUCCESS if succeeded(outcome) else ZCL_HARDWARE_FAILURE
    components = []
    commands = gbz_command(command).components
    for i, component in enumerate(commands):
        # As the RTDS shows them: a general command, frame control 00, the command's sequence number.
        frame = zcl.Frame(0x00, component.frame.sequence, zcl.DEFAULT_RESPONSE,
                          {"command_id": component.frame.command, "status": status})
        components.append(gbz.Component(component.cluster, frame,
                                        control=gbz.CONTROL_LAST if i == len(commands) - 1 else 0))
    return gbz.GbzPayload(tuple(components)).encode()


Attribute = tuple[str, object]          # (ZCL type name, value), e.g. ("map16", 0x0C97)


def read_attributes_responses(command: DeviceCommand, outcome: dict,
                              values: dict[tuple[int, int], Attribute]) -> bytes:
    """A Read Attributes Response to each Read Attributes component: each attribute asked for, from
    `values` by (cluster, attribute id), else UNSUPPORTED_ATTRIBUTE; other components get a Default
    Response. A failed command reports HARDWARE_FAILURE for every attribute and command."""
    ok = succeeded(outcome)
    components = []
    commands = gbz_command(command).components
    for i, component in enumerate(commands):
        control = gbz.CONTROL_LAST if i == len(commands) - 1 else 0
        frame = component.frame
        if frame.cluster_specific or frame.command != zcl.READ_ATTRIBUTES:
            components.append(gbz.Component(component.cluster, zcl.Frame(
                0x00, frame.sequence, zcl.DEFAULT_RESPONSE,
                {"command_id": frame.command, "status": ZCL_SUCCESS if ok else ZCL_HARDWARE_FAILURE}), control))
            continue
        records = []
        for attribute in (frame.values or {}).get("attributes", ()):
            found = values.get((component.cluster, attribute))
            if not ok:
                records.append({"attribute": attribute, "status": ZCL_HARDWARE_FAILURE})
            elif found is None:
                records.append({"attribute": attribute, "status": UNSUPPORTED_ATTRIBUTE})
            else:
                records.append({"attribute": attribute, "status": ZCL_SUCCESS, "type": found[0], "value": found[1]})
        components.append(gbz.Component(component.cluster, zcl.Frame(
            zcl.FRAME_SERVER_TO_CLIENT, frame.sequence, zcl.READ_ATTRIBUTES_RESPONSE, {"records": records}), control))
    return gbz.GbzPayload(tuple(components)).encode()


def component_values(command: DeviceCommand, cluster: int, zcl_command: int) -> dict:
    """The values of the first cluster-specific command of that cluster and id in a GBZ command."""
    for component in gbz_command(command).components:
        frame = component.frame
        if component.cluster == cluster and frame.cluster_specific and frame.command == zcl_command:
            return dict(frame.values or {})
    raise PayloadError(f"{command.use_case}: no command 0x{zcl_command:02X} for cluster 0x{cluster:04X}", 0)


def truth(outcome: dict, name: str, default: bool = False) -> bool:
    """An MMC boolean of the outcome ('true'/'false', or a Python bool from a firmware model)."""
    value = outcome.get(name, default)
    return value if isinstance(value, bool) else str(value).lower() == "true"
