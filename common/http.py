"""The client's address, as the health detail, the door cards' help page limits, the login
lockout and the audit log all read it: one function, so that they cannot disagree.

A header naming the client (CLIENT_IP_HEADER) is anybody's to write: it is believed only
when the connection comes from our proxy (REMOTE_ADDR within TRUSTED_PROXY_NETWORKS).
Anyone else, reaching the app's port straight, is taken at the connection's own address,
so that sending ``X-Real-IP: 127.0.0.1`` makes nobody an insider.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _is_trusted_proxy(remote: str) -> bool:
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    # A server listening on both families sees an IPv4 proxy as ::ffff:a.b.c.d.
    address = getattr(address, "ipv4_mapped", None) or address
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXY_NETWORKS)))


def client_address(request) -> str:
    """The client's address, "" when it cannot be told.

    Behind our proxy (REMOTE_ADDR in TRUSTED_PROXY_NETWORKS, CLIENT_IP_HEADER set): the
    header's last address, the one the proxy saw (those before it in X-Forwarded-For are
    whatever the client claimed); "" if that is not an address. A request from the proxy's
    machine without the header did not come through the proxy (a container's healthcheck):
    the connection's address. Anyone else: the connection's address, whatever they send.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    header = settings.CLIENT_IP_HEADER
    if not header or header == "REMOTE_ADDR" or not _is_trusted_proxy(remote):
        return remote
    value = request.META.get(header, "").split(",")[-1].strip()
    if not value:
        return remote
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""
