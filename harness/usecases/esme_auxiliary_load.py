"""The ESME's auxiliary load control switches (ALCS or HCALCS, 1-5): 6.14.1 their descriptions (ECS46a), 7.5
Activate (ECS47Activate), 7.6 Deactivate (ECS47Deactivate) and 7.8 Reset (ECS47Reset) Auxiliary Load. Read back
with 7.7 Read Auxiliary Load Switch Data (ECS61a, support_reads).

6.14.1 sets each described switch's visible-string 0-0:94.44.0.[10+n], in the request's order (RTDS 4.5.0
6.14.1_ECS46a, both variants).

GBCS drives the switches through the ESME's auxiliary load control script table 0-0:10.0.103.255: one execute,
whose selector's high byte is the switch and low byte the action. 7.5 and 7.6 first set how many minutes the switch
is held on (0-0:94.44.[116+n].1) or off (0-0:94.44.[116+n].2), then execute 0x11 (on for that time) or 0x12 (off for
it); 7.8 executes 0x20 (back to the switch's calendar). Read off the public RTDS 4.5.0 pairs 7.5_ECS47Activate
(switch 1, 30 min), 7.6_ECS47Deactivate (switch 3, 60 min) and 7.8_ECS47Reset (switch 5)
(SmartDCCInnovation/gbcs-parser test/rtds), whose scheduler entries in 7.7_ECS61a use 0x[n]01 and 0x[n]02 on the
same table: the commands' payloads byte for byte, the responses' results (hardware-fault then other-reason in the
ERROR pairs).
"""

from __future__ import annotations

from lxml import etree

from harness.catalogue import DeviceType
from harness.duis import xml
from harness.gbcs import axdr
from harness.gbcs.axdr import PayloadError, Tag
from harness.gbcs.dlms import Descriptor, Obis
from harness.usecases import device
from harness.usecases.esme_config import ACTION, SET, access_request
from harness.usecases.registry import (
    CommandContext,
    DeviceCommand,
    ResponseContext,
    accepts,
    answers,
    command,
    response,
)
from harness.usecases.request import DuisRequest, TransformError, value_of

ESME = (DeviceType.ESME,)
SWITCHES = range(1, 6)
AUXILIARY_LOAD_SCRIPTS = Descriptor(9, Obis.parse("0-0:10.0.103.255"), 1)      # Script Table execute
# use case -> (SR, the DUIS element naming the switch, the script action, the switch state it holds: on/off/None)
AUXILIARY_LOAD_COMMANDS = {"ECS47Activate": ("7.5", "ActivateALCSHCALCS", 0x11, True),
                           "ECS47Deactivate": ("7.6", "DeactivateALCSHCALCS", 0x12, False),
                           "ECS47Reset": ("7.8", "ResetALCSHCALCS", 0x20, None)}


def hold_time(switch: int, on: bool) -> Descriptor:
    """The data object holding the minutes switch `switch` stays on (or off) for."""
    return Descriptor(1, Obis.parse(f"0-0:94.44.{116 + switch}.{1 if on else 2}"), 2)


def _switch(request: DuisRequest, element: str) -> int:
    return _switch_of(request.element(element), request)


def _switch_of(node: etree._Element, request: DuisRequest) -> int:
    raw = str(node.get("index", ""))
    if not raw.isdigit() or int(raw) not in SWITCHES:
        raise TransformError(f"{request.srv} sr:{xml.local_name(node)}/@index: {raw!r} is not a switch of 1-5",
                             where=request.where)
    return int(raw)


def _register(use_case: str, srv: str, element: str, action: int, held: bool | None) -> None:
    def build(request: DuisRequest, ctx: CommandContext) -> bytes:
        switch = _switch(request, element)
        run = (ACTION, AUXILIARY_LOAD_SCRIPTS, axdr.long_unsigned(switch << 8 | action))
        if held is None:
            return access_request(ctx, run)
        minutes = axdr.long_unsigned(request.int(f"{element}/Duration"))
        return access_request(ctx, (SET, hold_time(switch, held), minutes), run)
    build.__name__ = f"auxiliary_load_{use_case}"
    command(srv, use_case, devices=ESME)(build)


for _use_case, (_srv, _element, _action, _held) in AUXILIARY_LOAD_COMMANDS.items():
    _register(_use_case, _srv, _element, _action, _held)


@response(*AUXILIARY_LOAD_COMMANDS)
def auxiliary_load_changed(ctx: ResponseContext, rsp: etree._Element) -> None:
    """Activate/Deactivate/ResetAuxiliaryLoadRsp carry only MessageSuccess."""


def description(switch: int) -> Descriptor:
    return Descriptor(1, Obis.parse(f"0-0:94.44.0.{10 + switch}"), 2)


@command("6.14.1", "ECS46a", devices=ESME)
def auxiliary_load_descriptions(request: DuisRequest, ctx: CommandContext) -> bytes:
    described = [(_switch_of(node, request), value_of(text)) for node in request.all("ALCSHCALCSDescription")
                 if (text := node.find("sr:SwitchDescription", xml.NSMAP)) is not None]
    return access_request(ctx, *((SET, description(n), axdr.visible_string(text)) for n, text in described))


@response("ECS46a")
def auxiliary_load_described(ctx: ResponseContext, rsp: etree._Element) -> None:
    """UpdateDeviceConfigurationALCDescriptionsRsp carries only MessageSuccess."""


# -- Device side ----------------------------------------------------------------------------------------

@accepts(*AUXILIARY_LOAD_COMMANDS)
def auxiliary_load_command(command: DeviceCommand) -> dict:
    """The switch and what is done to it: held on or off for the minutes set first (7.5, 7.6), or back to its
    calendar (7.8). The three share message code 0x0055, so the ESME tells them apart as GBCS has it, by the
    script's action, and names the use case it read. Refused unless the set and the selector name one switch."""
    request = device.access_request(command)
    *sets, run = request.specs or (None,)
    selector = request.data[-1] if request.data else axdr.NULL
    if run is None or (run.kind, run.descriptor) != (ACTION, AUXILIARY_LOAD_SCRIPTS) \
            or selector.tag is not Tag.LONG_UNSIGNED:
        raise PayloadError(f"{command.use_case}: the command must end by executing the auxiliary load control script "
                           f"table {AUXILIARY_LOAD_SCRIPTS.instance}", 0)
    switch, action = divmod(selector.int, 0x100)
    use_case = next((name for name, (*_, done, _held) in AUXILIARY_LOAD_COMMANDS.items() if done == action), None)
    if use_case is None or switch not in SWITCHES:
        raise PayloadError(f"{command.use_case}: script 0x{selector.value:04X} is not 0x0n11, 0x0n12 or 0x0n20 for a "
                           "switch n of 1-5", 0)
    held = AUXILIARY_LOAD_COMMANDS[use_case][3]
    if held is None:
        if sets:
            raise PayloadError(f"{use_case}: the command must execute the script alone", 0)
        return {"UseCase": use_case, "AuxiliaryLoad": switch}
    minutes = request.data[0]
    if len(sets) != 1 or (sets[0].kind, sets[0].descriptor) != (SET, hold_time(switch, held)) \
            or minutes.tag is not Tag.LONG_UNSIGNED:
        raise PayloadError(f"{use_case}: the command must first set switch {switch}'s hold time "
                           f"{hold_time(switch, held).instance}, a long-unsigned", 0)
    return {"UseCase": use_case, "AuxiliaryLoad": switch, "AuxiliaryLoadOn": held, "Duration": minutes.value}


@accepts("ECS46a")
def auxiliary_load_descriptions_command(command: DeviceCommand) -> dict:
    """Each switch's new description: sets of the description objects alone, each a visible-string."""
    request = device.access_request(command)
    described: dict[int, str] = {}
    for spec, text in zip(request.specs, request.data, strict=True):
        switch = next((n for n in SWITCHES if (SET, description(n)) == (spec.kind, spec.descriptor)), None)
        if switch is None or text.tag is not Tag.VISIBLE_STRING or not isinstance(text.value, str):
            raise PayloadError(f"ECS46a: {spec.descriptor.instance} is not a switch description 0-0:94.44.0.11-15 set "
                               "to a visible-string", 0)
        described[switch] = text.value
    if not described:
        raise PayloadError("ECS46a: the command describes no switch", 0)
    return {"AuxiliaryLoadDescriptions": described}


@answers(*AUXILIARY_LOAD_COMMANDS, "ECS46a")
def auxiliary_load_answer(command: DeviceCommand, outcome: dict) -> bytes:
    return device.dlms_answer(command, outcome)
