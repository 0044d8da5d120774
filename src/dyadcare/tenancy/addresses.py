"""The address a request came from, for the audit log and every throttle.

Behind a reverse proxy (a TLS terminator, a load balancer) every request arrives from the
proxy's address, and the client's is in ``X-Forwarded-For``, a header anyone can send. It is
read only when the request comes from a proxy listed in ``DYADCARE_TRUSTED_PROXIES``, from
the right (the hop nearest this server) leftwards, skipping the trusted proxies: the first
other address is the client. A header that cannot be read is ignored; the client is then the
proxy itself, which is never an address an outsider chooses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:51000
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    return address


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address in network for network in proxies)


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or through trusted proxies the nearest address
    in X-Forwarded-For that is not one of them."""
    remote_text = request.META.get("REMOTE_ADDR") or ""
    remote = _address(remote_text)
    if remote is None:
        return remote_text or None
    proxies: Sequence[Network] = settings.TRUSTED_PROXIES
    if not proxies or not _trusted(remote, proxies):
        return str(remote)
    hops = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    client = remote
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        client = address
        if not _trusted(address, proxies):
            break
    return str(client)
