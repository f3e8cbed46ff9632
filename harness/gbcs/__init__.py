"""GBCS: framing, signatures, MACs and triage decoding of the messages between DCC and devices."""

from harness.gbcs.decode import DecodedMessage, decode
from harness.gbcs.frame import CraFlag, GbcsMessage, GeneralSigning, MalformedMessage

__all__ = ["CraFlag", "GbcsMessage", "GeneralSigning", "MalformedMessage", "DecodedMessage", "decode"]
