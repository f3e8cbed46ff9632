"""What touches the outside of a lab: the DUIS client (service users and their response service)."""

from harness.adapters.duis_client import DccEndpoint, ResponseReceiver, accept_response
from harness.adapters.service_user import Exchange, ServiceUser

__all__ = ["DccEndpoint", "ResponseReceiver", "accept_response", "Exchange", "ServiceUser"]
