"""The ESME's supply (its load switch): 7.1 Enable Supply (ECS42), 7.2 Disable Supply (ECS43) and 7.3 Arm Supply
(ECS44). Read back with 7.4 Read Supply Status (ECS45, support_reads).

GBCS drives the Disconnect Control object through the ESME's script table 0-0:10.0.106.255: one action,
execute, whose parameter selects the script: 51 closes the load switch, 52 opens it, 54 arms it (so that the
consumer's press closes it). Matched against the public RTDS 4.5.0 pairs 7.1_ECS42, 7.2_ECS43 and 7.3_ECS44
(SmartDCCInnovation/gbcs-parser test/rtds): the commands' payloads byte for byte, the responses' one action result
(success; hardware-fault in the ERROR pairs) with no data.
"""

from __future__ import annotations

from lxml import etree

from harness.catalogue import DeviceType
from harness.gbcs import axdr
from harness.gbcs.axdr import PayloadError, Tag
from harness.gbcs.dlms import Descriptor, Obis
from harness.usecases import device
from harness.usecases.esme_config import ACTION, access_request
from harness.usecases.registry import (
    CommandContext,
    DeviceCommand,
    ResponseContext,
    accepts,
    answers,
    command,
    response,
)
from harness.usecases.request import DuisRequest

ESME = (DeviceType.ESME,)
SUPPLY_SCRIPTS = Descriptor(9, Obis.parse("0-0:10.0.106.255"), 1)      # Script Table execute
# use case -> (SR, script selector, the supply state the ESME is in after it: MMC SupplyStateType)
SUPPLY_COMMANDS = {"ECS42": ("7.1", 51, "Enabled"), "ECS43": ("7.2", 52, "Disabled"), "ECS44": ("7.3", 54, "Armed")}


def _register(use_case: str, srv: str, script: int) -> None:
    def build(request: DuisRequest, ctx: CommandContext) -> bytes:
        return access_request(ctx, (ACTION, SUPPLY_SCRIPTS, axdr.long_unsigned(script)))
    build.__name__ = f"supply_{use_case}"
    command(srv, use_case, devices=ESME)(build)


for _use_case, (_srv, _script, _) in SUPPLY_COMMANDS.items():
    _register(_use_case, _srv, _script)


@response(*SUPPLY_COMMANDS)
def supply_changed(ctx: ResponseContext, rsp: etree._Element) -> None:
    """EnableSupplyRsp, DisableSupplyRsp and ArmSupplyRsp carry only MessageSuccess: the action's result."""


# -- Device side ----------------------------------------------------------------------------------------

@accepts(*SUPPLY_COMMANDS)
def supply_command(command: DeviceCommand) -> dict:
    """One execute of the supply script the use case names, and nothing else: the state it asks for."""
    request = device.access_request(command)
    _, script, state = SUPPLY_COMMANDS[command.use_case]
    asked = [(s.kind, s.descriptor) for s in request.specs]
    if asked != [(ACTION, SUPPLY_SCRIPTS)]:
        raise PayloadError(f"{command.use_case}: the command must execute the supply script table "
                           f"{SUPPLY_SCRIPTS.instance} alone", 0)
    selector = request.data[0]
    if selector.tag is not Tag.LONG_UNSIGNED or selector.value != script:
        raise PayloadError(f"{command.use_case}: script {selector.value!r} is not {script} "
                           f"({state.lower()} supply)", 0)
    return {"SupplyState": state}


@answers(*SUPPLY_COMMANDS)
def supply_answer(command: DeviceCommand, outcome: dict) -> bytes:
    return device.dlms_answer(command, outcome)
