"""The client address of a request: ``X-Forwarded-For`` is believed only from trusted proxies.

Each proxy appends the address it received the request from, so the header reads
``client-supplied…, what proxy 1 saw, what proxy 2 saw``. Walking from the right, every hop that is
a trusted proxy vouches for the entry to its left; the first entry that is not a trusted proxy is
the client. Anything further left was written by the client itself and is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_SUBJECT = 64  # a peer that is not an IP address (a test client, a unix socket) is cut here


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or CIDR networks; ValueError naming the entry that is neither."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"OPCERT_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            ) from None
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = text.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:443"
        value = value.split(":", 1)[0]
    try:
        found = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


def _trusted(address: str, proxies: Sequence[Network]) -> bool:
    parsed = _address(address)
    return parsed is not None and any(parsed in network for network in proxies)


def client_address(
    peer: str | None, forwarded_for: Sequence[str], proxies: Sequence[Network]
) -> str:
    """The address to count a request against.

    ``peer`` is the direct TCP peer; ``forwarded_for`` every ``X-Forwarded-For`` header value in
    order. The header is read only when ``peer`` is a trusted proxy. An entry that is not an
    address stops the walk: the last hop known to be trusted is used instead."""
    known = (peer or "unknown")[:MAX_SUBJECT]
    if not proxies or not _trusted(known, proxies):
        return _normalised(known)
    hops = [part.strip() for value in forwarded_for for part in value.split(",") if part.strip()]
    for hop in reversed(hops):
        if _address(hop) is None:
            return _normalised(known)
        known = hop
        if not _trusted(hop, proxies):
            return _normalised(hop)
    return _normalised(known)


def _normalised(text: str) -> str:
    parsed = _address(text)
    return str(parsed) if parsed is not None else text[:MAX_SUBJECT]


def counted_as(address: str) -> str:
    """The key an address is counted under: the address itself for IPv4, its /64 network for
    IPv6, because one subscriber usually holds a whole /64 and could rotate through it."""
    parsed = _address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed) if parsed is not None else address[:MAX_SUBJECT]
