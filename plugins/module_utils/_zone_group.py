# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A private endpoint's private DNS zone group: Azure writes and removes the endpoint's A records in the
zones it names (Microsoft Learn, private-link/private-endpoint-dns-integration.md). An endpoint has at most one.

Helpers raise ValueError for what the task must fix; the module fails with it. Zone groups are Azure's JSON, read
and written through AzureModule.arm() at _armjson.NETWORK_API (the zones at _armjson.PRIVATE_DNS_API).

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

from typing import Any, Optional

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API, PRIVATE_DNS_API, properties
from ansible_collections.privnet.azure.plugins.module_utils._diff import Difference, ci
from ansible_collections.privnet.azure.plugins.module_utils._endpoint import NETWORK, describe, endpoint_id
from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id, resolve_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._validate import dns_zone_name

OPTION = "dns_zone_group"
GROUPS = "privateDnsZoneGroups"


def zone_group_spec(spec: Optional[dict], subscription: str, resource_group: str) -> Optional[dict]:
    """``{name, state, zones: [zone ids]}`` from the dns_zone_group option (zone names completed with
    ``zone_resource_group``, default the endpoint's resource group), or None when it was not given."""
    if spec is None:
        return None
    if not spec["name"] or len(spec["name"]) > 80:
        raise ValueError(f"{OPTION}.name: give a name of 1 to 80 characters, e.g. default")
    group = {"name": spec["name"], "state": spec["state"], "zones": []}
    if spec["state"] == "absent":
        return group
    if not spec["zones"]:
        raise ValueError(f"{OPTION}.zones: give at least one private DNS zone, e.g. privatelink.azurecr.io")
    for zone in spec["zones"]:
        rid = resolve_resource_id(zone, option=f"{OPTION}.zones", subscription=subscription,
                                  resource_group=spec["zone_resource_group"] or resource_group,
                                  provider=NETWORK, type_="privateDnsZones")
        dns_zone_name(rid.name, f"{OPTION}.zones")
        group["zones"].append(str(rid))
    if len({z.lower() for z in group["zones"]}) != len(group["zones"]):
        raise ValueError(f"{OPTION}.zones: a zone is listed twice")
    return group


def list_zone_groups(module: Any, endpoint: Any) -> list:
    if endpoint is None:
        return []
    rid = parse_resource_id(endpoint["id"])
    return module.arm().list(f"{rid}/{GROUPS}", NETWORK_API,
                             what=f"listing the DNS zone groups of {describe(rid.resource_group, rid.name)}")


def named(groups: list, name: str) -> Any:
    return next((g for g in groups if (g.get("name") or "").lower() == name.lower()), None)


def zone_ids(group: Any) -> list:
    return [properties(c).get("privateDnsZoneId") for c in properties(group).get("privateDnsZoneConfigs") or []]


def zone_group_difference(group: dict, current_groups: list) -> Difference:
    """The ``dns_zone_group`` field's difference. Raises, before any write, when the endpoint already has
    another zone group (Azure allows one per endpoint)."""
    mine = named(current_groups, group["name"])
    others = [g.get("name") for g in current_groups if g is not mine]
    if group["state"] == "present" and others:
        raise ValueError(f"{OPTION}.name: the endpoint already has the DNS zone group '{others[0]}' and Azure "
                         f"allows one per endpoint; set {OPTION}.name to '{others[0]}' to manage it, or leave "
                         f"{OPTION} out to leave it alone")
    before = {"name": mine.get("name"), "zones": zone_ids(mine)} if mine is not None else None
    after = {"name": group["name"], "zones": group["zones"]} if group["state"] == "present" else None
    difference = Difference()
    difference.add(OPTION, before, after,
                   lambda side: None if side is None else sorted(ci(side["zones"])))
    return difference


def missing_zones(module: Any, zone_ids: list) -> None:
    """Raises naming the first zone that does not exist (one read per zone)."""
    for zone_id in zone_ids:
        rid = parse_resource_id(zone_id)
        zone = module.arm(rid.subscription).get(str(rid), PRIVATE_DNS_API, what=f"reading private DNS zone '{rid.name}'")
        if zone is None:
            raise ValueError(f"{OPTION}.zones: private DNS zone '{rid.name}' (resource group '{rid.resource_group}', "
                             f"subscription '{rid.subscription}') was not found; create it first "
                             "(privnet.azure.private_dns_zone) or fix the name")


def body(group: dict) -> dict:
    return {"properties": {"privateDnsZoneConfigs": [
        # Each config needs a name; the portal and the CLI use the zone name with dashes.
        {"name": parse_resource_id(z).name.replace(".", "-"), "properties": {"privateDnsZoneId": z}}
        for z in group["zones"]
    ]}}


def group_id(module: Any, resource_group: str, endpoint: str, name: str) -> str:
    return f"{endpoint_id(module.subscription_id, resource_group, endpoint)}/{GROUPS}/{name}"


def apply(module: Any, resource_group: str, endpoint: str, group: dict) -> None:
    """Write (state present) or delete (state absent) the zone group; nothing in check mode."""
    if module.check_mode:
        return
    what = f"DNS zone group '{group['name']}' of {describe(resource_group, endpoint)}"
    resource_id = group_id(module, resource_group, endpoint, group["name"])
    if group["state"] == "present":
        module.arm().put(resource_id, NETWORK_API, body(group), what=f"writing {what}")
    else:
        module.arm().delete(resource_id, NETWORK_API, what=f"deleting {what}")


def reported(module: Any, resource_group: str, endpoint: str, group: Optional[dict], current_groups: list,
             written: bool) -> Any:
    """The zone group to return: as listed when unchanged, predicted in check mode, re-read (with the records
    Azure wrote) after a write; None when none was asked for."""
    if group is None or group["state"] == "absent":
        return None
    if not written:
        return named(current_groups, group["name"])
    if module.check_mode:
        return dict(body(group), name=group["name"])
    return module.arm().get(group_id(module, resource_group, endpoint, group["name"]), NETWORK_API,
                            what=f"reading DNS zone group '{group['name']}'")
