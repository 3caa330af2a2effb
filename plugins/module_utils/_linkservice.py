# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private link services (a customer's own service behind a Standard load balancer, offered through Private Link):
checks of what a task asks for, the documented form of a service, and the comparable view of its fields. The wire
shapes are azure-rest-api-specs network ``stable/2024-05-01/privateLinkService.json`` (PrivateLinkService,
PrivateLinkServiceIpConfiguration, ResourceSet) and ``loadBalancer.json`` (LoadBalancerSku,
FrontendIPConfiguration); read and written as ARM JSON through ``_arm.ArmResources``
(privnet.azure.private_link_service, privnet.azure.private_link_service_info).

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Optional

from ansible_collections.privnet.azure.plugins.module_utils._connections import connection_result
from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._targets import PRIVATE_LINK_SERVICE_API_VERSION
from ansible_collections.privnet.azure.plugins.module_utils._validate import subscription_id

API_VERSION = PRIVATE_LINK_SERVICE_API_VERSION
NETWORK = "Microsoft.Network"
SERVICE_TYPE = "privateLinkServices"
LOAD_BALANCER_TYPE = "loadBalancers"
FRONTEND_TYPE = "frontendIPConfigurations"
# "Private Link service supports up to eight NAT IP addresses per service" (Microsoft Learn,
# private-link/private-link-service-overview.md, "Details").
MAX_NAT_IPS = 8
# Properties Azure sets and a PUT does not take; everything else read is sent back (read-modify-write).
READ_ONLY = ("provisioningState", "alias", "networkInterfaces", "privateEndpointConnections")
# Naming rules (Microsoft Learn, azure-resource-manager/management/resource-name-rules.md, Microsoft.Network
# privateLinkServices and loadBalancers: 1-80 characters, alphanumerics, underscores, periods and hyphens; start
# with an alphanumeric, end with an alphanumeric or underscore).
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$")


def check_name(value: Any, option: str, kind: str = "private link service") -> str:
    """A private link service, load balancer, frontend or IP configuration name; raises ValueError naming
    ``option``."""
    text = str(value or "")
    if not _NAME.match(text):
        raise ValueError(f"{option}: {text!r} is not a valid {kind} name; use 1 to 80 letters, digits, underscores, "
                         "periods and hyphens, starting with a letter or digit and ending with a letter, digit or "
                         "underscore")
    return text


def check_subscriptions(values: Optional[list], option: str, allow_any: bool) -> Optional[list]:
    """A list of subscription ids (``*``, anyone with the alias, only where ``allow_any``); None stays None."""
    if values is None:
        return None
    result: list = []
    for index, value in enumerate(values):
        text = str(value or "").strip()
        if text == "*" and allow_any:
            result.append("*")
            continue
        where = f"{option}[{index}]"
        if text == "*":
            raise ValueError(f"{where}: '*' is not accepted here; list the subscription ids whose private endpoints "
                             "are approved at once (visibility takes '*')")
        try:
            result.append(subscription_id(text, where).lower())
        except ValueError:
            hint = " or '*' (anyone who has the alias)" if allow_any else ""
            raise ValueError(f"{where}: {value!r} is not a subscription id; give the subscription's GUID{hint}") \
                from None
    if "*" in result and len(result) > 1:
        raise ValueError(f"{option}: '*' already makes the service visible to every subscription; give it alone, "
                         "or list subscription ids without it")
    return list(dict.fromkeys(result))


def merged(current: list, given: Optional[list], purge: bool) -> Optional[list]:
    """The list a task asks for: ``given`` alone with ``purge``, else the current one plus ``given``; None when
    nothing is given (the current list is kept)."""
    if given is None:
        return None
    if purge:
        return list(given)
    return list(dict.fromkeys([str(v).lower() for v in current] + list(given)))


def subscriptions_of(props: dict, key: str) -> list:
    return [str(s) for s in ((props.get(key) or {}).get("subscriptions") or [])]


def ip_configuration_view(wire: dict) -> dict:
    """One NAT IP configuration as the module documents and compares it."""
    props = wire.get("properties") or {}
    return {
        "name": wire.get("name"),
        "subnet_id": (props.get("subnet") or {}).get("id"),
        "private_ip_allocation_method": props.get("privateIPAllocationMethod") or "Dynamic",
        "private_ip_address": props.get("privateIPAddress"),
        "primary": bool(props.get("primary")),
    }


def comparable_ip_configurations(configs: Any) -> list:
    """NAT IP configurations compared: case-insensitive, a Dynamic one's address (Azure's choice) left out, the
    first one primary when none says so (Azure's default), order ignored."""
    items = [dict(c) for c in (configs or [])]
    if items and not any(c.get("primary") for c in items):
        items[0]["primary"] = True
    out = []
    for item in items:
        method = str(item.get("private_ip_allocation_method") or "Dynamic").lower()
        out.append({
            "name": str(item.get("name") or "").lower(),
            "subnet_id": str(item.get("subnet_id") or "").rstrip("/").lower(),
            "private_ip_allocation_method": method,
            "private_ip_address": item.get("private_ip_address") if method == "static" else None,
            "primary": bool(item.get("primary")),
        })
    return sorted(out, key=lambda c: c["name"])


def fields(wire: dict) -> dict:
    """The fields a task can set, from a service's wire JSON (compared with what the task asks for)."""
    props = wire.get("properties") or {}
    return {
        "location": wire.get("location"),
        "load_balancer_frontend_ids": [f.get("id") for f in props.get("loadBalancerFrontendIpConfigurations") or []],
        "ip_configurations": [ip_configuration_view(c) for c in props.get("ipConfigurations") or []],
        "visibility": subscriptions_of(props, "visibility"),
        "auto_approval": subscriptions_of(props, "autoApproval"),
        "fqdns": list(props.get("fqdns") or []),
        "enable_proxy_protocol": bool(props.get("enableProxyProtocol")),
        "tags": dict(wire.get("tags") or {}),
    }


def service_result(wire: dict) -> dict:
    """The documented form of a private link service."""
    props = wire.get("properties") or {}
    rid = parse_resource_id(wire["id"]) if wire.get("id") else None
    result = fields(wire)
    result.update(
        id=wire.get("id"),
        name=wire.get("name"),
        resource_group=rid.resource_group if rid else None,
        alias=props.get("alias"),
        network_interface_ids=[n.get("id") for n in props.get("networkInterfaces") or []],
        provisioning_state=props.get("provisioningState"),
        connections=[connection_result(c) for c in props.get("privateEndpointConnections") or []],
    )
    return result


def body_of(current: Optional[dict], location: str, desired: dict) -> dict:
    """The PUT body: the service as read (every property this collection does not manage kept, the read-only ones
    left out), with the fields of ``desired`` (wire values) set; a new service is built from ``desired``."""
    body: dict = {"location": location}
    props: dict = {}
    if current is not None:
        for key in ("extendedLocation", "tags"):
            if current.get(key) is not None:
                body[key] = copy.deepcopy(current[key])
        props = {k: copy.deepcopy(v) for k, v in (current.get("properties") or {}).items() if k not in READ_ONLY}
    if "tags" in desired:
        body["tags"] = desired["tags"]
    if "load_balancer_frontend_ids" in desired:
        props["loadBalancerFrontendIpConfigurations"] = [{"id": i} for i in desired["load_balancer_frontend_ids"]]
    if "ip_configurations" in desired:
        props["ipConfigurations"] = ip_configurations_wire(props.get("ipConfigurations") or [],
                                                           desired["ip_configurations"])
    for option, key in (("visibility", "visibility"), ("auto_approval", "autoApproval")):
        if option in desired:
            props[key] = dict(props.get(key) or {}, subscriptions=list(desired[option]))
    if "fqdns" in desired:
        props["fqdns"] = list(desired["fqdns"])
    if "enable_proxy_protocol" in desired:
        props["enableProxyProtocol"] = desired["enable_proxy_protocol"]
    body["properties"] = props
    return body


def ip_configurations_wire(current: list, wanted: list) -> list:
    """The NAT IP configurations to send: each one that exists by name sent back as read with the fields asked
    for (a Dynamic address kept while the subnet stays, so an update elsewhere does not move it)."""
    by_name = {str(c.get("name") or "").lower(): c for c in current}
    out = []
    for config in wanted:
        old = by_name.get(config["name"].lower())
        wire = copy.deepcopy(old) if old is not None else {"name": config["name"]}
        props = dict(wire.get("properties") or {})
        for key in ("provisioningState",):
            props.pop(key, None)
        same_subnet = str((props.get("subnet") or {}).get("id") or "").lower() == config["subnet_id"].lower()
        props["subnet"] = {"id": config["subnet_id"]}
        props["privateIPAllocationMethod"] = config["private_ip_allocation_method"]
        props["primary"] = bool(config["primary"])
        if config["private_ip_allocation_method"] == "Static":
            props["privateIPAddress"] = config["private_ip_address"]
        elif not (same_subnet and str(old and (old.get("properties") or {}).get("privateIPAllocationMethod")
                                      or "").lower() == "dynamic"):
            props.pop("privateIPAddress", None)
        wire["name"] = config["name"]
        wire["properties"] = props
        out.append(wire)
    return out


def frontend_of(load_balancer: dict, name: Optional[str], option: str) -> dict:
    """The frontend ``name`` of a load balancer (its only one when no name is given); raises ValueError listing the
    frontends, naming ``option``."""
    frontends = (load_balancer.get("properties") or {}).get("frontendIPConfigurations") or []
    names = ", ".join(str(f.get("name")) for f in frontends) or "none"
    label = f"load balancer '{load_balancer.get('name')}'"
    if name is None:
        if len(frontends) == 1:
            return dict(frontends[0])
        raise ValueError(f"{option}.name: {label} has {len(frontends)} frontends ({names}); name the one the service "
                         "is offered on")
    for frontend in frontends:
        if str(frontend.get("name") or "").lower() == name.lower():
            return dict(frontend)
    raise ValueError(f"{option}.name: {label} has no frontend '{name}'; its frontends: {names}")


def check_standard(load_balancer: dict, option: str) -> None:
    """A private link service needs a Standard load balancer ("Azure Private Link Service is only supported on
    Standard Load Balancer", private-link-service-overview.md, Limitations); raises ValueError naming the fix."""
    sku = str(((load_balancer.get("sku") or {}).get("name")) or "Basic")
    if sku.lower() != "standard":
        raise ValueError(f"{option}: load balancer '{load_balancer.get('name')}' is a {sku} load balancer; a private "
                         "link service can only be offered on a frontend of a Standard load balancer (upgrade it to "
                         "Standard, or name a frontend of a Standard one). Nothing was changed.")
