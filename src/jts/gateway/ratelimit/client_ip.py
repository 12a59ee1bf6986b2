"""The bucket of a caller who has not signed in: its IP address, or its IPv6 /64 network.

An IPv6 host usually holds a whole /64 and can pick a new address per request, so a bucket per
address would limit nothing. Behind a reverse proxy the socket peer is the proxy; with
`trust_proxy` the last X-Forwarded-For entry is used, the address our proxy saw. Earlier
entries are written by the client and would let it choose its own bucket.
"""

from __future__ import annotations

import ipaddress

from starlette.types import Scope

__all__ = ["anonymous_key"]

_UNKNOWN = "unknown"


def anonymous_key(scope: Scope, *, trust_proxy: bool) -> str:
    """`ip:<address>` (IPv4) or `ip:<network>/64` (IPv6) of the caller of `scope`."""
    host = _forwarded_for(scope) if trust_proxy else None
    if host is None:
        client = scope.get("client")
        host = client[0] if client else _UNKNOWN
    return f"ip:{_bucket_of(host)}"


def _forwarded_for(scope: Scope) -> str | None:
    """The last X-Forwarded-For entry (a repeated header counts as one list), if any."""
    entries: list[str] = []
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-for":
            entries.extend(part.strip() for part in value.decode("latin-1").split(","))
    entries = [entry for entry in entries if entry]
    return entries[-1] if entries else None


def _bucket_of(host: str) -> str:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host  # a test client's name or a unix socket: still one bucket per peer
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
