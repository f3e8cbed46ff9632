"""Firmware versions as devices report them: the ESME's answer to 11.2 Read Firmware Version (ECS52,
a DLMS get of the active firmware identifier, a 4-byte octet-string DCC tools show as hex)."""

from __future__ import annotations

from lxml import etree

from harness.gbcs import dlms
from harness.gbcs.axdr import Tag
from harness.usecases.mmc import M
from harness.usecases.registry import ResponseContext, response


@response("ECS52")
def firmware_version(ctx: ResponseContext, rsp: etree._Element) -> None:
    value = ctx.payload.value  # type: ignore[attr-defined]
    if isinstance(value, dlms.AccessResponse) and value.succeeded and value.data \
            and value.data[0].tag is Tag.OCTET_STRING:
        rsp.append(M.FirmwareVersion(value.data[0].octets.hex().upper()))
