"""HAN capture reading and analysis: IEEE 802.15.4 MAC frames, capture files and what live sniffers send (the
sniffers themselves are in harness.adapters.sniffers)."""

from __future__ import annotations

from harness.han.capture import (
    LINKTYPE_IEEE802_15_4_NOFCS,
    LINKTYPE_IEEE802_15_4_TAP,
    LINKTYPE_IEEE802_15_4_WITHFCS,
    ZEP_PORT,
    CapturedFrame,
    CaptureError,
    nodetest_frame,
    page_channel_byte,
    read,
    ti_sniffer_frames,
    write_pcap,
    write_pcapng,
    zep_frame,
)
from harness.han.mac import (
    ACK,
    BEACON,
    BROADCAST,
    COMMAND,
    DATA,
    FrameError,
    MacHeader,
    address_text,
    crc16_kermit,
    decode,
    encode,
    with_fcs,
)

__all__ = ["ACK", "BEACON", "BROADCAST", "COMMAND", "DATA", "LINKTYPE_IEEE802_15_4_NOFCS", "LINKTYPE_IEEE802_15_4_TAP",
           "LINKTYPE_IEEE802_15_4_WITHFCS", "ZEP_PORT", "CaptureError", "CapturedFrame", "FrameError", "MacHeader",
           "address_text", "crc16_kermit", "decode", "encode", "nodetest_frame", "page_channel_byte", "read",
           "ti_sniffer_frames", "with_fcs", "write_pcap", "write_pcapng", "zep_frame"]
