# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private DNS: zone addressing, record set names and values, the ownership marker, etags.

Record values travel as plain strings in the modules' options and results (``10.0.0.4``,
``10 mail.contoso.com`` for MX, ``0 5 443 host`` for SRV) and as REST-shaped dicts on the wire
(``{"aRecords": [{"ipv4Address": ...}]}``); this file converts between the two, checks them before
any write and compares them the way DNS does (order-insensitive, host names case-insensitive).
Zones, links and record sets are Azure's JSON, read and written through AzureModule.arm() at
_armjson.PRIVATE_DNS_API.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from typing import Any, Optional

from ansible_collections.privnet.azure.plugins.module_utils._armjson import properties
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureError
from ansible_collections.privnet.azure.plugins.module_utils._ids import ResourceId
from ansible_collections.privnet.azure.plugins.module_utils._privatelink import KNOWN_AFTER_APPLY

NETWORK = "Microsoft.Network"

# Record sets this collection writes carry this key in their metadata; purge removes only those.
OWNER_KEY = "managed_by"
OWNER_VALUE = "privnet.azure"
OWNER_NAME_KEY = "owner"   # who the set belongs to (private_dns_records owner=), scopes purge

MIN_TTL = 1
MAX_TTL = 2147483647
MAX_TXT = 1024  # characters per TXT record value (Private DNS limit)
# A DNS character-string holds at most 255 octets (RFC 1035, 3.3); Azure's own DNS tooling sends a longer TXT
# value as strings of 255 (Az.Dns DnsRecordBase.TxtRecordChunkSize, Microsoft Learn .NET reference).
TXT_CHUNK = 255

# Types the records module manages. SOA is the zone's own (one per zone, never created or deleted by
# a user); Private DNS has no NS record sets.
RECORD_TYPES = ("A", "AAAA", "CNAME", "MX", "PTR", "SRV", "TXT")

_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,63}$")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")


def describe_zone(resource_group: str, zone: str) -> str:
    return f"private DNS zone '{zone}' (resource group '{resource_group}')"


def zone_id(subscription: str, resource_group: str, zone: str) -> ResourceId:
    return ResourceId(subscription, resource_group, NETWORK, "privateDnsZones", zone)


def record_set_id(zone_rid: ResourceId, record_type: str, name: str) -> str:
    """The id of a record set: ``{zone id}/{type}/{name}`` (``@`` for the apex, sent as is)."""
    return f"{zone_rid}/{record_type}/{name}"


def is_precondition_failure(exc: BaseException) -> bool:
    """A 412: the If-Match / If-None-Match condition did not hold (someone else wrote first); the status
    code is what tells it apart from a 404 or 409."""
    return isinstance(exc, AzureError) and getattr(exc, "status_code", None) == 412


# ---- record set names ---------------------------------------------------------------------------

def record_name(value: Any, zone: str, option: str) -> str:
    """A record set name relative to ``zone`` (``@`` for the apex); returned as given."""
    name = str(value or "").strip()
    if not name:
        raise ValueError(f"{option}: a record name is required; use '@' for the zone apex ({zone})")
    if name == "@":
        return name
    if name.endswith("."):
        raise ValueError(f"{option}: {value!r} ends with a dot; give the name relative to the zone {zone}, "
                         "without the zone and without a trailing dot")
    lower = name.lower()
    if lower == zone:
        raise ValueError(f"{option}: {value!r} is the zone name itself; use '@' for the zone apex")
    if lower.endswith("." + zone):
        relative = name[:-(len(zone) + 1)]
        raise ValueError(f"{option}: {value!r} ends with the zone name {zone}; record names are relative to "
                         f"the zone, so write {relative!r} (it becomes {relative}.{zone})")
    labels = name.split(".")
    for index, label in enumerate(labels):
        if label == "*" and index == 0:
            continue
        if not _LABEL.match(label):
            raise ValueError(f"{option}: {value!r} is not a valid record name; each dot-separated label is 1 to 63 "
                             "letters, digits, hyphens or underscores ('*' only as the first label)")
    if len(name) + 1 + len(zone) > 253:
        raise ValueError(f"{option}: {value!r} makes the name {name}.{zone} longer than 253 characters")
    return name


def fqdn(name: str, zone: str) -> str:
    """The record set's fully qualified name as Azure returns it (with the trailing dot)."""
    return f"{zone}." if name == "@" else f"{name}.{zone}."


# ---- record values ------------------------------------------------------------------------------

def _host(value: Any, option: str) -> str:
    host = str(value or "").strip()
    bare = host[:-1] if host.endswith(".") else host
    if not bare or len(bare) > 253 or not all(_HOST_LABEL.match(label) for label in bare.split(".")):
        raise ValueError(f"{option}: {value!r} is not a valid host name; give a DNS name such as "
                         "myregistry.privatelink.azurecr.io")
    return host


def _integer(text_value: Any, option: str, what: str, low: int, high: int) -> int:
    try:
        number = int(text_value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise ValueError(f"{option}: {what} {text_value!r} must be a whole number from {low} to {high}")
    return number


def _fields(value: Any, count: int, option: str, layout: str) -> list[str]:
    parts = str(value or "").split()
    if len(parts) != count:
        raise ValueError(f"{option}: {value!r} must be written as '{layout}'")
    return parts


def _address(value: Any, option: str, record: str, example: str) -> str:
    """An address of an A (IPv4) or AAAA (IPv6) record, in canonical form."""
    version, kind = (4, ipaddress.IPv4Address) if record == "A" else (6, ipaddress.IPv6Address)
    try:
        return str(kind(str(value).strip()))
    except ValueError:
        raise ValueError(f"{option}: {value!r} is not an IPv{version} address (an {record} record holds addresses "
                         f"such as {example})") from None


def _parse_a(value: Any, option: str) -> str:
    if value == KNOWN_AFTER_APPLY:
        return value  # a check-mode prediction; the records module refuses it outside check mode
    return _address(value, option, "A", "10.20.1.4")


def _parse_aaaa(value: Any, option: str) -> str:
    return _address(value, option, "AAAA", "fd00::4")


def _parse_mx(value: Any, option: str) -> str:
    preference, exchange = _fields(value, 2, option, "<preference> <mail server>, e.g. 10 mail.contoso.com")
    return f"{_integer(preference, option, 'preference', 0, 65535)} {_host(exchange, option)}"


def _parse_srv(value: Any, option: str) -> str:
    priority, weight, port, target = _fields(value, 4, option,
                                             "<priority> <weight> <port> <target>, e.g. 0 5 443 sip.contoso.com")
    numbers = [_integer(v, option, what, 0, 65535)
               for v, what in ((priority, "priority"), (weight, "weight"), (port, "port"))]
    return " ".join(str(n) for n in numbers) + " " + _host(target, option)


def _parse_txt(value: Any, option: str) -> str:
    value = str(value)
    if len(value) > MAX_TXT:
        raise ValueError(f"{option}: a TXT value has {len(value)} characters; the limit is {MAX_TXT}")
    return value


_PARSERS: dict[str, Callable[[Any, str], str]] = {
    "A": _parse_a,
    "AAAA": _parse_aaaa,
    "CNAME": _host,
    "MX": _parse_mx,
    "PTR": _host,
    "SRV": _parse_srv,
    "TXT": _parse_txt,
}

# Host names compare case-insensitively and with or without the trailing dot.
_HOSTLIKE = ("CNAME", "MX", "PTR", "SRV")


def record_values(record_type: str, values: Optional[Iterable[Any]], option: str) -> list[str]:
    """Check and normalise the values of one record set; raise ValueError naming ``option``."""
    values = list(values or [])
    if not values:
        raise ValueError(f"{option}: at least one value is required for a {record_type} record set")
    if record_type == "CNAME" and len(values) != 1:
        raise ValueError(f"{option}: a CNAME record set holds exactly one host name, got {len(values)}; "
                         "use A records for several addresses")
    parsed = [_PARSERS[record_type](value, f"{option}[{index}]") for index, value in enumerate(values)]
    seen: dict = {}
    for index, value in enumerate(parsed):
        key = value_key(record_type, value)
        if key in seen:
            raise ValueError(f"{option}: {values[index]!r} is listed twice (items {seen[key]} and {index})")
        seen[key] = index
    return parsed


def value_key(record_type: str, value: str) -> str:
    """What a value compares as: host names lower-cased without the trailing dot, addresses in
    their canonical form (Azure may answer fd00:0:0:0:0:0:0:4 for fd00::4)."""
    if record_type in _HOSTLIKE:
        value = value.lower()
        return value[:-1] if value.endswith(".") else value
    if record_type in ("A", "AAAA"):
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return value
    return value


def same_values(record_type: str, one: Optional[Iterable[str]], other: Optional[Iterable[str]]) -> bool:
    """Whether two value lists hold the same records (order does not matter in DNS)."""
    return (sorted(value_key(record_type, v) for v in one or [])
            == sorted(value_key(record_type, v) for v in other or []))


def record_type_of(record_set: Any) -> str:
    """A record set's type (A, AAAA, ...) from its ARM type Microsoft.Network/privateDnsZones/A."""
    return str(record_set.get("type") or "").rsplit("/", 1)[-1].upper()


def values_of(record_set: Any) -> list[str]:
    """The values of a record set (Azure's JSON) as the strings the records module uses."""
    kind = record_type_of(record_set)
    props = properties(record_set)
    if kind == "A":
        return [r.get("ipv4Address") for r in props.get("aRecords") or []]
    if kind == "AAAA":
        return [r.get("ipv6Address") for r in props.get("aaaaRecords") or []]
    if kind == "CNAME":
        cname = props.get("cnameRecord") or {}
        return [cname["cname"]] if cname.get("cname") else []
    if kind == "MX":
        return [f"{r.get('preference')} {r.get('exchange')}" for r in props.get("mxRecords") or []]
    if kind == "PTR":
        return [r.get("ptrdname") for r in props.get("ptrRecords") or []]
    if kind == "SRV":
        return [f"{r.get('priority')} {r.get('weight')} {r.get('port')} {r.get('target')}"
                for r in props.get("srvRecords") or []]
    if kind == "TXT":
        return ["".join(r.get("value") or []) for r in props.get("txtRecords") or []]
    if kind == "SOA":
        soa = props.get("soaRecord")
        return [f"{soa.get('host')} {soa.get('email')} {soa.get('serialNumber')}"] if soa else []
    return []


def ttl_of(record_set: Any) -> Any:
    return properties(record_set).get("ttl")


def metadata_of(record_set: Any) -> dict:
    return dict(properties(record_set).get("metadata") or {})


def records_wire(record_type: str, values: list[str]) -> dict[str, Any]:
    """The record-set ``properties`` entries holding ``values`` (REST-shaped, sent verbatim)."""
    if record_type == "A":
        return {"aRecords": [{"ipv4Address": v} for v in values]}
    if record_type == "AAAA":
        return {"aaaaRecords": [{"ipv6Address": v} for v in values]}
    if record_type == "CNAME":
        return {"cnameRecord": {"cname": values[0]}}
    if record_type == "MX":
        out = []
        for value in values:
            preference, exchange = value.split()
            out.append({"preference": int(preference), "exchange": exchange})
        return {"mxRecords": out}
    if record_type == "PTR":
        return {"ptrRecords": [{"ptrdname": v} for v in values]}
    if record_type == "SRV":
        out = []
        for value in values:
            priority, weight, port, target = value.split()
            out.append({"priority": int(priority), "weight": int(weight), "port": int(port), "target": target})
        return {"srvRecords": out}
    if record_type == "TXT":
        return {"txtRecords": [{"value": [v[i:i + TXT_CHUNK] for i in range(0, len(v), TXT_CHUNK)] or [""]}
                               for v in values]}
    raise ValueError(f"record type {record_type} is not managed by this collection")


def owner_of(record_set: Any) -> Optional[str]:
    """The owner written with private_dns_records owner=, or None."""
    return next((v for k, v in metadata_of(record_set).items() if k.lower() == OWNER_NAME_KEY), None)


def is_owned(record_set: Any) -> bool:
    """Whether this collection wrote the record set (its metadata carries the marker)."""
    return any(k.lower() == OWNER_KEY and str(v).lower() == OWNER_VALUE for k, v in metadata_of(record_set).items())


def etag_condition(etag: Optional[str]) -> dict[str, str]:
    """The headers of a conditional write: If-Match on the etag read, or If-None-Match: * to create. The etag
    goes quoted, as an HTTP entity tag (what azure-mgmt-privatedns 2.x sent: its quote_etag)."""
    if not etag:
        return {"If-None-Match": "*"}
    quoted = (etag == "*" or etag.startswith("W/") or (etag.startswith('"') and etag.endswith('"'))
              or (etag.startswith("'") and etag.endswith("'")))
    return {"If-Match": etag if quoted else f'"{etag}"'}
