"""The client's address when QRTrace runs behind reverse proxies (a TLS terminator, a load balancer).

Every per-address limit and every audit record reads `REMOTE_ADDR`. Behind a proxy that is the proxy's
own address, so the whole province would share one bucket (one citizen's flood would lock everyone out)
and the audit log would name the proxy. `X-Forwarded-For` fixes that only when it is taken from the
proxies we run: anyone can send the header, so it is read only when the connection comes from an
address in QRTRACE_TRUSTED_PROXIES, and then from the right, skipping our own proxies, because each
proxy appends the address it saw and only the right-most entries were written by machines we trust.
"""

import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(values: Sequence[str]) -> tuple[Network, ...]:
    """The trusted proxies' addresses or networks ("10.0.0.5", "10.0.0.0/8", "::1"); ValueError names
    the first that is neither."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address or network") from None
    return tuple(networks)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client seen by a dual-stack proxy arrives as ::ffff:a.b.c.d: one client, one bucket.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(peer: str, forwarded_for: str, trusted: Sequence[Network]) -> str:
    """The address of the client: `peer` itself unless it is a trusted proxy; otherwise the right-most
    entry of `forwarded_for` that is not a trusted proxy. A malformed entry ends the walk at the last
    hop we can vouch for (it was written by someone we do not trust)."""

    def is_trusted(address) -> bool:
        return any(address in network for network in trusted if network.version == address.version)

    current = _address(peer)
    if current is None or not is_trusted(current):
        return peer
    for entry in reversed(forwarded_for.split(",")):
        hop = _address(entry)
        if hop is None:
            break
        current = hop
        if not is_trusted(hop):
            break
    return str(current)


class ClientAddressMiddleware:
    """Put the client's address in `REMOTE_ADDR` for everything after it (limits, audit, sign-in)."""

    def __init__(self, get_response):
        if not settings.QRTRACE_TRUSTED_PROXIES:
            raise MiddlewareNotUsed  # no proxy configured: nothing to do on any request
        self.get_response = get_response
        self.trusted = trusted_networks(settings.QRTRACE_TRUSTED_PROXIES)

    def __call__(self, request):
        meta = request.META
        meta["REMOTE_ADDR"] = client_address(
            meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", ""), self.trusted
        )
        return self.get_response(request)
