"""DUIS: build, sign, parse and check the XML messages between a DCC User and the DCC."""

from harness.duis.request_id import RequestCounter, RequestId
from harness.duis.requests import build, build_signed_pre_command, buildable, parameters
from harness.duis.responses import DuisResponse, ResponseKind, parse_response
from harness.duis.xml import parse, serialize

__all__ = ["RequestCounter", "RequestId", "build", "build_signed_pre_command", "buildable",
           "parameters", "DuisResponse", "ResponseKind", "parse_response", "parse", "serialize"]
