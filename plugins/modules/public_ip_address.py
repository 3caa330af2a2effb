#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: public_ip_address
short_description: A public IP address, such as the ones a VPN gateway needs
version_added: 0.1.0
description:
  - Creates, updates or deletes an Azure public IP address (C(az network public-ip create/update/delete)).
  - Only the options given are compared and changed; an update sends back the address as read, so properties this
    module does not manage (DNS label, DDoS settings, IP tags...) are kept.
  - The SKU, the zones and the region of an existing address cannot be changed; a task asking for that fails before
    any write, naming the fix.
  - V(Standard) addresses are always V(Static). A VPN gateway other than the V(Basic) gateway SKU needs V(Standard)
    addresses (Microsoft Learn, "About gateway SKUs").
author:
  - privnet maintainers (!UNKNOWN)
options:
  name:
    description:
      - Name of the public IP address.
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the public IP address.
    type: str
    required: true
  location:
    description:
      - Region of the address. Required to create it; cannot be changed afterwards.
    type: str
  sku:
    description:
      - V(Standard) or V(Basic). A new address gets V(Standard) when not given.
      - Microsoft retired V(Basic) public IP addresses on 30 September 2025; use V(Standard).
    type: str
    choices: [Standard, Basic]
  allocation_method:
    description:
      - V(Static) or V(Dynamic). A new address gets V(Static) for V(Standard) and V(Dynamic) for V(Basic) when not
        given. V(Standard) addresses can only be V(Static).
    type: str
    choices: [Static, Dynamic]
  zones:
    description:
      - Availability zones of a V(Standard) address, for example V([1, 2, 3]) (zone-redundant) or V([1]) (zonal).
        Left out, a new address has no zone. Cannot be changed afterwards.
    type: list
    elements: str
  tags:
    description:
      - Tags of the address.
    type: dict
  purge_tags:
    description:
      - With V(true), tags not in O(tags) are removed; with V(false) they are kept. Only used with O(tags).
    type: bool
    default: true
  state:
    description:
      - V(present) creates or updates the address; V(absent) deletes it. An address still used by a gateway, a load
        balancer or a NIC is not deleted; the task fails naming what uses it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.wait
  - privnet.azure.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff shows the fields the task sets, before and after.
  idempotent:
    support: full
seealso:
  - module: privnet.azure.vpn_gateway
  - name: Public IP addresses
    description: SKUs, allocation methods and zones.
    link: https://learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses
"""

EXAMPLES = r"""
- name: A zone-redundant Standard address for the hub's VPN gateway
  privnet.azure.public_ip_address:
    name: pip-vpngw-hub-1
    resource_group: rg-hub
    location: westeurope
    sku: Standard
    zones: ["1", "2", "3"]
    tags:
      role: vpn-gateway

- name: Remove the address once the gateway is gone
  privnet.azure.public_ip_address:
    name: pip-vpngw-hub-1
    resource_group: rg-hub
    state: absent
"""

RETURN = r"""
public_ip_address:
  description:
    - The public IP address after the change; in check mode, as it would be. Empty after O(state=absent).
  returned: success
  type: dict
  contains:
    id:
      description: Resource id of the address.
      type: str
      returned: when present
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/publicIPAddresses/pip-vpngw-hub-1
    name:
      description: Name of the address.
      type: str
      returned: when present
      sample: pip-vpngw-hub-1
    resource_group:
      description: Resource group of the address.
      type: str
      returned: when present
    location:
      description: Region of the address.
      type: str
      returned: when present
      sample: westeurope
    sku:
      description: V(Standard) or V(Basic).
      type: str
      returned: when present
      sample: Standard
    allocation_method:
      description: V(Static) or V(Dynamic).
      type: str
      returned: when present
      sample: Static
    ip_address:
      description: The address itself; none yet for a new or V(Dynamic) address not in use.
      type: str
      returned: when present
      sample: 20.50.1.7
    zones:
      description: Availability zones of the address.
      type: list
      elements: str
      returned: when present
    ip_configuration_id:
      description: The IP configuration (of a gateway, NIC or load balancer) using the address, if any.
      type: str
      returned: when present
    tags:
      description: Tags of the address.
      type: dict
      returned: when present
    provisioning_state:
      description: Provisioning state of the address.
      type: str
      returned: when present
      sample: Succeeded
"""

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API, properties
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import ABSENT, Difference, ci, unordered
from ansible_collections.privnet.azure.plugins.module_utils._endpoint import location_key
from ansible_collections.privnet.azure.plugins.module_utils._ids import build_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name
from ansible_collections.privnet.azure.plugins.module_utils._vpn import (
    NETWORK,
    PUBLIC_IP_READ_ONLY_PROPERTIES,
    PUBLIC_IP_TYPE,
    check_name,
    public_ip_result,
    sendable,
    tags_wanted,
)

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    location=dict(type="str"),
    sku=dict(type="str", choices=["Standard", "Basic"]),
    allocation_method=dict(type="str", choices=["Static", "Dynamic"]),
    zones=dict(type="list", elements="str"),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
NORMALISERS = {"location": location_key, "sku": ci, "allocation_method": ci, "zones": unordered()}
IMMUTABLE = ("location", "sku", "zones")


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True)
    params = module.params

    # 1. Validate.
    module.validated(check_name, params["name"], "name", "public IP address")
    module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    module.validated(check_zones, params["zones"])
    ip_id = build_resource_id(module.subscription_id, params["resource_group"], NETWORK, PUBLIC_IP_TYPE,
                              params["name"])
    what = f"public IP address '{params['name']}' (resource group '{params['resource_group']}')"
    arm = module.arm()

    # 2. Read.
    current = arm.get(ip_id, NETWORK_API, what=f"reading {what}")
    if params["state"] == "absent":
        absent(module, arm, ip_id, current, what)

    # 3. Compare.
    now = fields(current) if current is not None else {}
    desired = module.validated(desired_fields, params, current, now)
    difference = Difference()
    if current is None:
        difference.add("state", "absent", "present")
    for key in sorted(desired):
        difference.add(key, now.get(key, ABSENT) if current is not None else ABSENT, desired[key],
                       NORMALISERS.get(key))
    if current is not None:
        fixed = [k for k in IMMUTABLE if difference.has_difference_for(k)]
        if fixed:
            module.fail_json(msg=f"{', '.join(fixed)}: {what} has {', '.join(f'{k} {now.get(k)!r}' for k in fixed)}; "
                                 f"{'this cannot' if len(fixed) == 1 else 'these cannot'} be changed on an existing "
                                 "address: delete it and create it again (or leave the option out). Nothing was "
                                 "changed.")

    # 4. Apply.
    result = current
    if difference.changed:
        body = body_of(current, desired)
        if module.check_mode:
            result = dict(body, id=ip_id, name=params["name"])
        else:
            verb = "creating" if current is None else "updating"
            result = arm.put(ip_id, NETWORK_API, body, what=f"{verb} {what}")
            if result is None:  # wait=false
                result = arm.get(ip_id, NETWORK_API, what=f"reading {what}") or dict(body, id=ip_id, name=params["name"])

    # 5. Return.
    module.exit(changed=difference.changed, diff=difference, public_ip_address=public_ip_result(result))


def absent(module, arm, ip_id, current, what):
    difference = Difference()
    if current is None:
        difference.add("state", "absent", "absent")
        module.exit(changed=False, diff=difference, public_ip_address={})
    user = properties(current).get("ipConfiguration")
    if isinstance(user, dict) and user.get("id"):
        module.fail_json(msg=f"state: {what} is used by {user['id']}; remove it from there first (delete the gateway, "
                             "or change the load balancer or NIC). Nothing was changed.")
    for key, value in fields(current).items():
        difference.add(key, value, ABSENT)
    difference.add("state", "present", "absent")
    if not module.check_mode:
        arm.delete(ip_id, NETWORK_API, what=f"deleting {what}")
    module.exit(changed=True, diff=difference, public_ip_address={})


def check_zones(zones):
    for index, zone in enumerate(zones or []):
        if str(zone).strip() not in ("1", "2", "3"):
            raise ValueError(f"zones[{index}]: {zone!r} is not an availability zone; use 1, 2 or 3")
    return zones


def fields(ip):
    """The comparable fields of an address as read."""
    view = public_ip_result(ip)
    return {"location": view["location"], "sku": view["sku"], "allocation_method": view["allocation_method"],
            "zones": view["zones"], "tags": view["tags"]}


def desired_fields(params, current, now):
    """What the task asks for; raises ValueError for a combination Azure refuses."""
    desired = {}
    if current is None and not params["location"]:
        raise ValueError(f"location: public IP address '{params['name']}' does not exist; give the region to create "
                         "it in (the region of the gateway or load balancer that will use it)")
    if params["location"]:
        desired["location"] = params["location"]
    sku = params["sku"] or (now.get("sku") if current is not None else "Standard")
    if params["sku"] or current is None:
        desired["sku"] = sku
    allocation = params["allocation_method"]
    if current is None and allocation is None:
        allocation = "Static" if str(sku).lower() == "standard" else "Dynamic"
    if allocation is not None:
        if str(sku).lower() == "standard" and allocation == "Dynamic":
            raise ValueError("allocation_method: a Standard public IP address is always Static; leave it out or set "
                             "Static (Dynamic exists only for Basic addresses)")
        desired["allocation_method"] = allocation
    if params["zones"] is not None:
        zones = sorted(dict.fromkeys(str(z).strip() for z in params["zones"]))
        if zones and str(sku).lower() == "basic":
            raise ValueError("zones: Basic public IP addresses have no availability zones; use sku: Standard")
        desired["zones"] = zones
    tags = tags_wanted(current, params["tags"], params["purge_tags"])
    if tags is not None:
        desired["tags"] = tags
    return desired


def body_of(current, desired):
    """The address to PUT: as read (without what Azure sets), with the fields the task sets."""
    body = sendable(current, PUBLIC_IP_READ_ONLY_PROPERTIES) if current is not None else {"properties": {}}
    props = body.setdefault("properties", {})
    if "location" in desired:
        body["location"] = desired["location"]
    if "sku" in desired:
        body["sku"] = {"name": desired["sku"], "tier": (body.get("sku") or {}).get("tier") or "Regional"}
    if "allocation_method" in desired:
        props["publicIPAllocationMethod"] = desired["allocation_method"]
    if current is None:
        props.setdefault("publicIPAddressVersion", "IPv4")
    if desired.get("zones"):
        body["zones"] = desired["zones"]
    if "tags" in desired:
        body["tags"] = desired["tags"]
    return body


if __name__ == "__main__":
    main()
