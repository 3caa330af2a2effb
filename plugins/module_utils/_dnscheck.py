# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Asking a DNS server what it answers for a name, as a client that uses it would (private_link_check): the address
the controller reaches a server at (``address`` or ``address:port``, optionally through a map from the server's own
IP, for a server the controller cannot route to directly), and one recursive A query whose outcome tells an answer
(addresses, NXDOMAIN, NODATA, SERVFAIL, REFUSED, ...) from no answer at all (timeout, network error), which the
check reports differently: a wrong answer is what clients get, no answer means nothing was verified.

dnspython (>= 2.6) is imported only when a server is asked.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Optional

ADDRESS_HINT = "give address or address:port, e.g. 10.20.0.4 or 127.0.0.1:5353"


def parse_server_address(value: Any, option: str) -> tuple[str, int]:
    """'10.0.0.4' or '127.0.0.1:5353' or '[::1]:53' -> (address, port); the address must be an IP (a client's
    resolver is an address, and dnspython takes nothing else)."""
    value = str(value)
    if value.startswith("["):
        address, _bracket, port = value[1:].partition("]")
        port = port.lstrip(":")
    elif value.count(":") == 1:
        address, port = value.split(":")
    else:
        address, port = value, ""
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise ValueError(f"{option}: {value!r} does not start with an IP address; {ADDRESS_HINT}") from None
    if port and not (port.isdigit() and 1 <= int(port) <= 65535):
        raise ValueError(f"{option}: {value!r} has a port that is not a number from 1 to 65535; {ADDRESS_HINT}")
    return address, int(port or 53)


def server_ip(value: Any, option: str) -> str:
    """A DNS server's own IP address (as a virtual network or a DNS Private Resolver lists it), normalised."""
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        raise ValueError(f"{option}: {value!r} is not an IP address; give the DNS server's IP address, as the "
                         "virtual network's DNS servers or the resolver's inbound_ip_addresses list it") from None


def address_map(value: Optional[dict], option: str) -> dict[str, tuple[str, int]]:
    """{server IP: (address, port) the controller reaches it at} of a map option; {} for none."""
    mapped: dict[str, tuple[str, int]] = {}
    for key, target in (value or {}).items():
        ip = server_ip(key, f"{option} key")
        where = f"{option}.{key}"
        if target is None or not str(target).strip():
            raise ValueError(f"{where}: is empty or null; give the address (and port) the controller reaches DNS "
                             f"server {ip} at, e.g. 127.0.0.1:5353, or leave {ip} out to ask it at {ip}:53")
        if ip in mapped:
            raise ValueError(f"{where}: DNS server {ip} is listed twice; list each server once")
        mapped[ip] = parse_server_address(str(target).strip(), where)
    return mapped


def reached_at(ip: str, mapped: dict[str, tuple[str, int]]) -> tuple[str, int]:
    """Where the controller asks server ``ip``: its mapped address, else the IP itself on port 53."""
    return mapped.get(ip, (ip, 53))


def show(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def dnspython() -> Any:
    """The dnspython package (message, query, rcode, exception), imported only when a server is asked; raises
    ImportError when it is not installed."""
    import dns.exception
    import dns.message
    import dns.query
    import dns.rcode
    import dns.rdatatype
    import dns.resolver
    return dns


def ask(address: str, port: int, name: str, timeout: float) -> dict[str, Any]:
    """One recursive A query for ``name`` to the server at ``address``:``port`` (UDP, TCP when truncated).

    Returns ``{"answered": bool, "resolves_to": [addresses, sorted], "error": str or None}``: answered with the
    addresses at the end of the CNAME chain ([] for NXDOMAIN or NODATA, with the rcode in ``error`` for an answer
    other than NOERROR and NXDOMAIN), or not answered (timeout, unreachable, a reply that is no DNS answer) with the
    reason in ``error``."""
    dns = dnspython()
    query = dns.message.make_query(name, "A")  # recursion desired, as a stub resolver asks
    try:
        response, _tcp = dns.query.udp_with_fallback(query, address, timeout=timeout, port=port)
    except dns.exception.Timeout:
        return {"answered": False, "resolves_to": [], "error": f"no answer within {timeout:g} s"}
    except OSError as exc:
        return {"answered": False, "resolves_to": [], "error": exc.strerror or str(exc)}
    except dns.exception.DNSException as exc:
        return {"answered": False, "resolves_to": [], "error": f"no valid DNS answer ({exc})"}
    rcode = response.rcode()
    if rcode == dns.rcode.NXDOMAIN:
        return {"answered": True, "resolves_to": [], "error": "NXDOMAIN"}
    if rcode != dns.rcode.NOERROR:
        return {"answered": True, "resolves_to": [], "error": dns.rcode.to_text(rcode)}
    try:
        final = response.resolve_chaining().answer
    except dns.exception.DNSException as exc:  # a CNAME loop or chain too long
        return {"answered": True, "resolves_to": [], "error": str(exc)}
    addresses = sorted(str(r) for r in final) if final is not None and final.rdtype == dns.rdatatype.A else []
    return {"answered": True, "resolves_to": addresses, "error": None}
