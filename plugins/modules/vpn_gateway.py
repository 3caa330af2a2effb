#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: vpn_gateway
short_description: A route-based VPN gateway in a virtual network's GatewaySubnet; resize, active-active, BGP
version_added: 0.1.0
description:
  - Creates, updates or deletes an Azure virtual network gateway of type VPN, route-based
    (C(az network vnet-gateway create/update/delete)).
  - Azure takes 30 to 45 minutes to create a gateway. With O(wait=false) the module returns as soon as Azure accepted
    the creation (C(provisioning_state) V(Updating)); a later task on the same gateway with O(wait=true) (the default)
    waits until Azure has finished, and makes no change when there is none to make. Build several gateways at once
    this way, then wait for each.
  - Before any write the module checks what Azure would otherwise refuse after a long wait. The virtual network must
    have a subnet named C(GatewaySubnet) of at least /29 (/27 or larger recommended; a smaller one than /27 gives a
    warning). The SKU must be offered in the generation. Active-active needs two public IP addresses, other gateways
    one. Each public IP address must exist in the gateway's region, be unused, and be V(Standard) unless the gateway
    SKU is V(Basic). The V(Basic) SKU has neither BGP nor active-active. Each failure names the option and the fix.
  - A SKU change of an existing gateway is a resize, done in place. Microsoft allows it within the generation, upwards,
    and from an availability zone (AZ) SKU only to another AZ SKU; a V(Basic) gateway cannot be resized. Other changes
    fail before any write and say to delete and create the gateway again.
  - Only the options given are compared and changed. An update sends back the gateway as read, so properties this
    module does not manage (point-to-site configuration, custom routes, NAT rules...) are kept.
author:
  - privnet maintainers (!UNKNOWN)
options:
  name:
    description:
      - Name of the gateway.
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the gateway. Also the default resource group of O(virtual_network) and
        O(public_ip_addresses) given by name.
    type: str
    required: true
  location:
    description:
      - Region of the gateway. Default, the region of O(virtual_network), which it must be in.
    type: str
  virtual_network:
    description:
      - The virtual network whose C(GatewaySubnet) the gateway goes into, by name (in O(resource_group)) or resource
        id. Required to create the gateway; cannot be changed afterwards.
    type: str
  sku:
    description:
      - The gateway SKU. Required to create the gateway.
      - Changing it resizes the gateway (see the description for what Microsoft allows).
    type: str
    choices: [Basic, VpnGw1, VpnGw2, VpnGw3, VpnGw4, VpnGw5, VpnGw1AZ, VpnGw2AZ, VpnGw3AZ, VpnGw4AZ, VpnGw5AZ]
  generation:
    description:
      - V(Generation1) or V(Generation2). Default for a new gateway, V(Generation2) when the SKU is offered there,
        else V(Generation1) (V(Basic), V(VpnGw1), V(VpnGw1AZ)). Cannot be changed afterwards.
    type: str
    choices: [Generation1, Generation2]
  public_ip_addresses:
    description:
      - The public IP addresses of the gateway, by name (in O(resource_group)) or resource id, in order. One, or two
        with O(active_active=true). Required to create the gateway.
      - On an existing gateway, the first one cannot be replaced; the second one is added or removed when
        O(active_active) changes.
    type: list
    elements: str
  active_active:
    description:
      - Whether both instances of the gateway carry tunnels, each with its own public IP address. A new gateway gets
        V(false) when not given (and V(true) when two public IP addresses are given).
    type: bool
  enable_bgp:
    description:
      - Whether the gateway speaks BGP with its peers. A new gateway gets V(false) when not given.
    type: bool
  bgp_asn:
    description:
      - The gateway's autonomous system number, with O(enable_bgp=true). Azure's default is 65515. Gateways connected
        to each other with BGP need different numbers.
    type: int
  tags:
    description:
      - Tags of the gateway.
    type: dict
  purge_tags:
    description:
      - With V(true), tags not in O(tags) are removed; with V(false) they are kept. Only used with O(tags).
    type: bool
    default: true
  state:
    description:
      - V(present) creates or updates the gateway; V(absent) deletes it (Azure refuses while connections use it).
    type: str
    choices: [present, absent]
    default: present
  wait_timeout:
    description:
      - How many seconds to wait in total. Azure takes 30 to 45 minutes to create or resize a gateway.
    type: int
    default: 3600
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.wait
  - privnet.azure.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads and checks as a real run does, writes nothing and returns the gateway as it would be; it does not wait
        for a gateway still being created.
  diff_mode:
    support: full
    details:
      - The diff shows the fields the task sets, before and after.
  idempotent:
    support: full
notes:
  - A second VPN gateway cannot go into the same virtual network; the module fails naming the existing one.
seealso:
  - module: privnet.azure.public_ip_address
  - module: privnet.azure.vpn_gateway_info
  - module: privnet.azure.vpn_connection
  - module: privnet.azure.vpn_client_configuration
  - name: About gateway SKUs
    description: SKUs by generation, features and the Basic SKU's limits.
    link: https://learn.microsoft.com/azure/vpn-gateway/about-gateway-skus
  - name: VPN Gateway configuration settings
    description: GatewaySubnet size, VPN type, resizing.
    link: https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings
"""

EXAMPLES = r"""
- name: Start the hub's gateway and the second region's at once (Azure takes 30-45 minutes each)
  privnet.azure.vpn_gateway:
    name: "{{ item.name }}"
    resource_group: "{{ item.resource_group }}"
    virtual_network: "{{ item.vnet }}"
    sku: VpnGw2AZ
    public_ip_addresses: ["{{ item.pip }}"]
    enable_bgp: true
    bgp_asn: "{{ item.asn }}"
    wait: false
  loop:
    - {name: vpngw-hub, resource_group: rg-hub, vnet: vnet-hub, pip: pip-vpngw-hub, asn: 65010}
    - {name: vpngw-dr, resource_group: rg-dr, vnet: vnet-dr, pip: pip-vpngw-dr, asn: 65020}

- name: Wait for both (no change, only the wait)
  privnet.azure.vpn_gateway:
    name: "{{ item.name }}"
    resource_group: "{{ item.resource_group }}"
  loop:
    - {name: vpngw-hub, resource_group: rg-hub}
    - {name: vpngw-dr, resource_group: rg-dr}

- name: Active-active with a second public IP address
  privnet.azure.vpn_gateway:
    name: vpngw-hub
    resource_group: rg-hub
    active_active: true
    public_ip_addresses: [pip-vpngw-hub, pip-vpngw-hub-2]

- name: Resize
  privnet.azure.vpn_gateway:
    name: vpngw-hub
    resource_group: rg-hub
    sku: VpnGw3AZ
"""

RETURN = r"""
vpn_gateway:
  description:
    - The gateway after the change; in check mode, as it would be. Empty after O(state=absent).
    - With O(wait=false), as Azure shows it while it works (C(provisioning_state) V(Updating)).
  returned: success
  type: dict
  contains:
    id:
      description: Resource id of the gateway.
      type: str
      returned: when present
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworkGateways/vpngw-hub
    name:
      description: Name of the gateway.
      type: str
      returned: when present
    resource_group:
      description: Resource group of the gateway.
      type: str
      returned: when present
    location:
      description: Region of the gateway.
      type: str
      returned: when present
    gateway_type:
      description: V(Vpn).
      type: str
      returned: when present
    vpn_type:
      description: V(RouteBased).
      type: str
      returned: when present
    sku:
      description: The gateway SKU.
      type: str
      returned: when present
      sample: VpnGw2AZ
    generation:
      description: V(Generation1) or V(Generation2).
      type: str
      returned: when present
    active_active:
      description: Whether the gateway is active-active.
      type: bool
      returned: when present
    enable_bgp:
      description: Whether BGP is on.
      type: bool
      returned: when present
    bgp_asn:
      description: The gateway's ASN.
      type: int
      returned: when present
      sample: 65515
    bgp_peering_addresses:
      description: The gateway's BGP peer addresses (one per instance), once Azure has assigned them.
      type: list
      elements: str
      returned: when present
    public_ip_address_ids:
      description: Resource ids of its public IP addresses, in order.
      type: list
      elements: str
      returned: when present
    gateway_subnet_id:
      description: Resource id of the GatewaySubnet it is in.
      type: str
      returned: when present
    vpn_client_configuration:
      description: The point-to-site configuration (see M(privnet.azure.vpn_client_configuration)), or null.
      type: dict
      returned: when present
    tags:
      description: Tags of the gateway.
      type: dict
      returned: when present
    provisioning_state:
      description: V(Succeeded) when ready; V(Updating) while Azure creates or changes it.
      type: str
      returned: when present
      sample: Succeeded
"""

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API, properties, ref
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import ABSENT, Difference, ci
from ansible_collections.privnet.azure.plugins.module_utils._endpoint import location_key
from ansible_collections.privnet.azure.plugins.module_utils._ids import build_resource_id, parse_resource_id, same_id
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name
from ansible_collections.privnet.azure.plugins.module_utils._vpn import (
    GATEWAY_SUBNET,
    GATEWAY_TYPE,
    NETWORK,
    PUBLIC_IP_TYPE,
    VPN_SKUS,
    canonical_sku,
    check_asn,
    check_gateway_subnet,
    check_name,
    check_resize,
    check_sku_generation,
    default_generation,
    gateway_result,
    gateway_sendable,
    gateway_subnet_id,
    in_progress,
    provisioning,
    tags_wanted,
)

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    location=dict(type="str"),
    virtual_network=dict(type="str"),
    sku=dict(type="str", choices=list(VPN_SKUS)),
    generation=dict(type="str", choices=["Generation1", "Generation2"]),
    public_ip_addresses=dict(type="list", elements="str"),
    active_active=dict(type="bool"),
    enable_bgp=dict(type="bool"),
    bgp_asn=dict(type="int"),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    wait_timeout=dict(type="int", default=3600),
)
NORMALISERS = {"location": location_key, "virtual_network": ci, "sku": ci, "generation": ci,
               "public_ip_address_ids": ci}


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True)
    params = module.params

    # 1. Validate what needs no call to Azure.
    module.validated(check_name, params["name"], "name", "virtual network gateway")
    module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    gateway_id = build_resource_id(module.subscription_id, params["resource_group"], NETWORK, GATEWAY_TYPE,
                                   params["name"])
    what = f"VPN gateway '{params['name']}' (resource group '{params['resource_group']}')"
    arm = module.arm()
    if params["state"] == "absent":
        absent(module, arm, gateway_id, what)
    vnet_id = (str(module.resolve_id(params["virtual_network"], "virtual_network", NETWORK, "virtualNetworks",
                                     name_kind="virtual_network"))
               if params["virtual_network"] else None)
    pip_ids = None
    if params["public_ip_addresses"] is not None:
        pip_ids = [str(module.resolve_id(p, f"public_ip_addresses[{i}]", NETWORK, PUBLIC_IP_TYPE))
                   for i, p in enumerate(params["public_ip_addresses"])]
        if len({p.lower() for p in pip_ids}) != len(pip_ids) or not 1 <= len(pip_ids) <= 2:
            module.fail_json(msg="public_ip_addresses: give one public IP address, or two different ones for an "
                                 "active-active gateway")
    sku = module.validated(canonical_sku, params["sku"]) if params["sku"] else None
    if params["bgp_asn"] is not None:
        module.validated(check_asn, params["bgp_asn"], "bgp_asn")

    # 2. Read the gateway; one still being created or changed is waited for first (not in check mode, not with
    #    wait=false).
    current = arm.get(gateway_id, NETWORK_API, what=f"reading {what}")
    if current is not None and in_progress(current) and module.wait and not module.check_mode:
        current = wait_done(module, arm, gateway_id, what)

    # 3. Compare, with every check made before any write.
    if current is None:
        desired, warnings = creation(module, arm, vnet_id, pip_ids, sku)
    else:
        desired, warnings = update(module, arm, current, vnet_id, pip_ids, sku, what)
    for warning in warnings:
        module.warn(warning)
    now = fields(current) if current is not None else {}
    difference = Difference()
    if current is None:
        difference.add("state", "absent", "present")
    for key in sorted(desired):
        difference.add(key, now.get(key, ABSENT) if current is not None else ABSENT, desired[key],
                       NORMALISERS.get(key))
    if current is not None and provisioning(current).lower() == "failed":
        difference.add("provisioning_state", "Failed", "Succeeded")  # sent again, so Azure retries it
    if current is not None and difference.changed and in_progress(current) and not module.check_mode:
        module.fail_json(msg=f"wait: {what} is still {provisioning(current)} (Azure takes 30-45 minutes); this change "
                             "must wait for it: run the task with wait: true, or later. Nothing was changed.")

    # 4. Apply.
    gateway = current
    if difference.changed:
        body = body_of(current, desired, params["name"])
        if module.check_mode:
            gateway = dict(body, id=gateway_id, name=params["name"])
        else:
            verb = "creating" if current is None else "updating"
            gateway = arm.put(gateway_id, NETWORK_API, body, what=f"{verb} {what}")
            if gateway is None:  # wait=false: as Azure shows it now
                gateway = (arm.get(gateway_id, NETWORK_API, what=f"reading {what}")
                           or dict(body, id=gateway_id, name=params["name"]))

    # 5. Return.
    module.exit(changed=difference.changed, diff=difference, vpn_gateway=gateway_result(gateway))


def wait_done(module, arm, gateway_id, what):
    """The gateway once Azure has finished with it; fails when that ends in Failed."""
    def read():
        return arm.get(gateway_id, NETWORK_API, what=f"reading {what}")

    def done(gateway):
        return gateway is None or not in_progress(gateway)

    gateway = module.wait_until(read, done, lambda g: f"{what} to be provisioned (last state: {provisioning(g)})")
    if gateway is not None and provisioning(gateway).lower() == "failed":
        module.fail_json(msg=f"{what} ended in provisioning state Failed; look at the activity log of the resource "
                             "group for the cause, fix it and run the task again (a new write retries)",
                         vpn_gateway=gateway_result(gateway))
    return gateway


def absent(module, arm, gateway_id, what):
    current = arm.get(gateway_id, NETWORK_API, what=f"reading {what}")
    difference = Difference()
    if current is None:
        difference.add("state", "absent", "absent")
        module.exit(changed=False, diff=difference, vpn_gateway={})
    for key, value in fields(current).items():
        difference.add(key, value, ABSENT)
    difference.add("state", "present", "absent")
    if not module.check_mode:
        arm.delete(gateway_id, NETWORK_API, what=f"deleting {what}")
    module.exit(changed=True, diff=difference, vpn_gateway={})


def fields(gateway):
    view = gateway_result(gateway)
    subnet = view["gateway_subnet_id"]
    return {"location": view["location"], "virtual_network": str(parse_resource_id(subnet).parent) if subnet else None,
            "sku": view["sku"], "generation": view["generation"], "active_active": view["active_active"],
            "enable_bgp": view["enable_bgp"], "bgp_asn": view["bgp_asn"],
            "public_ip_address_ids": view["public_ip_address_ids"], "tags": view["tags"]}


def creation(module, arm, vnet_id, pip_ids, sku):
    """What a new gateway gets, after the checks Azure would otherwise make after a long wait."""
    params = module.params
    missing = [o for o, v in (("virtual_network", vnet_id), ("sku", sku), ("public_ip_addresses", pip_ids)) if not v]
    if missing:
        module.fail_json(msg=f"{', '.join(missing)}: VPN gateway '{params['name']}' does not exist; give "
                             f"{' and '.join(missing)} to create it. Nothing was changed.")
    generation = params["generation"] or default_generation(sku)
    module.validated(check_sku_generation, sku, generation)
    active = params["active_active"] if params["active_active"] is not None else len(pip_ids) == 2
    check_features(module, sku, active, pip_ids, params["enable_bgp"], params["bgp_asn"], False)
    vnet_rid = parse_resource_id(vnet_id)
    vnet = arm.get(vnet_id, NETWORK_API, what=f"reading virtual network '{vnet_rid.name}'")
    if vnet is None:
        module.fail_json(msg=f"virtual_network: '{vnet_rid.name}' was not found in resource group "
                             f"'{vnet_rid.resource_group}' (subscription '{vnet_rid.subscription}'); create it with a "
                             f"{GATEWAY_SUBNET} first, or fix the name. Nothing was changed.")
    location = params["location"] or vnet.get("location")
    if location_key(location) != location_key(vnet.get("location")):
        module.fail_json(msg=f"location: the gateway must be in the region of its virtual network '{vnet_rid.name}' "
                             f"({vnet.get('location')}), not {location}; leave location out. Nothing was changed.")
    subnet_id = str(vnet_rid.child("subnets", GATEWAY_SUBNET))
    subnet = arm.get(subnet_id, NETWORK_API, what=f"reading {GATEWAY_SUBNET} of virtual network '{vnet_rid.name}'")
    warnings = module.validated(check_gateway_subnet, subnet, vnet_rid.name)
    others = [ref(c) for c in properties(subnet).get("ipConfigurations") or []
              if "/virtualnetworkgateways/" in str(ref(c)).lower()]
    if others:
        module.fail_json(msg=f"virtual_network: '{vnet_rid.name}' already has the gateway "
                             f"{str(others[0]).split('/ipConfigurations/', maxsplit=1)[0]}; a virtual network has one VPN gateway. "
                             "Nothing was changed.")
    check_public_ips(module, arm, pip_ids, sku, location)
    desired = {"location": location, "virtual_network": vnet_id, "sku": sku, "generation": generation,
               "active_active": active, "enable_bgp": bool(params["enable_bgp"]), "public_ip_address_ids": pip_ids}
    if params["bgp_asn"] is not None:
        desired["bgp_asn"] = params["bgp_asn"]
    tags = tags_wanted(None, params["tags"], params["purge_tags"])
    if tags is not None:
        desired["tags"] = tags
    return desired, warnings


def update(module, arm, current, vnet_id, pip_ids, sku, what):
    """What the task changes on an existing gateway; fails before any write for what Azure cannot change in place."""
    params = module.params
    now = fields(current)
    props = properties(current)
    if str(props.get("gatewayType")).lower() != "vpn" or str(props.get("vpnType")).lower() != "routebased":
        module.fail_json(msg=f"name: {what} is a {props.get('gatewayType')} gateway ({props.get('vpnType')}); this "
                             "module manages route-based VPN gateways. Nothing was changed.")
    fixed = []
    if params["location"] and location_key(params["location"]) != location_key(now["location"]):
        fixed.append(f"location (it is {now['location']})")
    if vnet_id and not same_id(vnet_id, now["virtual_network"]):
        fixed.append(f"virtual_network (it is {now['virtual_network']})")
    if params["generation"] and params["generation"].lower() != str(now["generation"]).lower():
        fixed.append(f"generation (it is {now['generation']})")
    if fixed:
        module.fail_json(msg=f"{'; '.join(fixed)}: cannot be changed on the existing {what}; delete the gateway and "
                             "create it again, or leave the option out. Nothing was changed.")
    desired = {}
    current_sku = canonical_sku(now["sku"]) if str(now["sku"] or "") in VPN_SKUS else now["sku"]
    if sku:
        if str(sku).lower() != str(now["sku"]).lower():
            module.validated(check_resize, current_sku, sku, now["generation"])
        desired["sku"] = sku
    active = params["active_active"] if params["active_active"] is not None else now["active_active"]
    if pip_ids is None and active != now["active_active"]:
        if active:
            module.fail_json(msg="public_ip_addresses: active_active: true needs a second public IP address; give "
                                 "both (the current one first). Nothing was changed.")
        pip_ids = now["public_ip_address_ids"][:1]
    if pip_ids is not None:
        have = now["public_ip_address_ids"]
        if not have or not same_id(pip_ids[0], have[0]):
            module.fail_json(msg=f"public_ip_addresses: the first public IP address of {what} is "
                                 f"{have[0] if have else None}; it cannot be replaced (delete the gateway and create it "
                                 "again), so give it first. Nothing was changed.")
        new = [p for p in pip_ids if not any(same_id(p, h) for h in have)]
        check_public_ips(module, arm, new, sku or current_sku, now["location"],
                         [p for p in pip_ids if p not in new] if new else ())
        desired["public_ip_address_ids"] = pip_ids
    if params["active_active"] is not None or pip_ids is not None:
        desired["active_active"] = active
    check_features(module, sku or current_sku, active, pip_ids or now["public_ip_address_ids"],
                   params["enable_bgp"] if params["enable_bgp"] is not None else now["enable_bgp"],
                   params["bgp_asn"], now["enable_bgp"])
    if params["enable_bgp"] is not None:
        desired["enable_bgp"] = params["enable_bgp"]
    if params["bgp_asn"] is not None:
        desired["bgp_asn"] = params["bgp_asn"]
    tags = tags_wanted(current, params["tags"], params["purge_tags"])
    if tags is not None:
        desired["tags"] = tags
    return desired, []


def check_features(module, sku, active, pip_ids, enable_bgp, asn, bgp_now):
    if active and len(pip_ids or []) != 2:
        module.fail_json(msg="public_ip_addresses: an active-active gateway needs two public IP addresses, one per "
                             "instance; give two (or set active_active: false). Nothing was changed.")
    if not active and len(pip_ids or []) == 2:
        module.fail_json(msg="active_active: two public IP addresses are for an active-active gateway; set "
                             "active_active: true, or give one address. Nothing was changed.")
    if sku == "Basic" and (active or enable_bgp):
        module.fail_json(msg=f"sku: the Basic SKU has no {'active-active' if active else 'BGP'}; pick VpnGw1 or larger "
                             "(Microsoft Learn, About gateway SKUs). Nothing was changed.")
    if asn is not None and not (enable_bgp or bgp_now):
        module.fail_json(msg="bgp_asn: is used with BGP; set enable_bgp: true as well. Nothing was changed.")


def check_public_ips(module, arm, pip_ids, sku, location, kept=()):
    """Each public IP address must exist, in the gateway's region, unused by anything else, and Standard unless the
    gateway SKU is Basic (Microsoft Learn, about-gateway-skus.md: new gateways need Standard public IP addresses;
    about-zone-redundant-vnet-gateways.md: AZ SKUs rely on Standard ones), with zones for an AZ SKU and without for the
    others (Azure's VmssVpnGatewayPublicIpsMustHaveZonesConfigured and
    RegionalVmssVpnGatewayPublicIpsMustNotHaveZonesConfigured, quoted in Azure/ResourceModules #2609 and
    Azure/Azure-Landing-Zones #2660); the two of an active-active gateway alike."""
    shapes = []
    for pip_id in kept:
        ip = arm.get(pip_id, NETWORK_API, what=f"reading public IP address '{parse_resource_id(pip_id).name}'") or {}
        shapes.append((str((ip.get("sku") or {}).get("name") or "Basic").lower(),
                       str(properties(ip).get("publicIPAllocationMethod")).lower(), sorted(ip.get("zones") or [])))
    for index, pip_id in enumerate(pip_ids or []):
        option = f"public_ip_addresses[{index}]"
        rid = parse_resource_id(pip_id)
        ip = arm.get(pip_id, NETWORK_API, what=f"reading public IP address '{rid.name}'")
        if ip is None:
            module.fail_json(msg=f"{option}: public IP address '{rid.name}' was not found in resource group "
                                 f"'{rid.resource_group}'; create it first (privnet.azure.public_ip_address, sku: "
                                 "Standard) or fix the name. Nothing was changed.")
        if location_key(ip.get("location")) != location_key(location):
            module.fail_json(msg=f"{option}: public IP address '{rid.name}' is in {ip.get('location')}, the gateway in "
                                 f"{location}; use an address of the gateway's region. Nothing was changed.")
        ip_sku = str((ip.get("sku") or {}).get("name") or "Basic")
        if sku != "Basic" and ip_sku.lower() != "standard":
            reason = "availability zone SKUs rely on Standard addresses" if sku.endswith("AZ") else \
                "Azure creates new gateways only with Standard addresses"
            module.fail_json(msg=f"{option}: public IP address '{rid.name}' is {ip_sku}; {reason}: use a Standard "
                                 "public IP address (privnet.azure.public_ip_address, sku: Standard). Nothing was "
                                 "changed.")
        zones = list(ip.get("zones") or [])
        if ip_sku.lower() == "standard" and sku.endswith("AZ") and not zones:
            module.fail_json(msg=f"{option}: public IP address '{rid.name}' has no availability zones; a gateway of an AZ "
                                 f"SKU ({sku}) needs Standard addresses with zones (zones: [1, 2, 3]). Create a zonal "
                                 "one, or pick the SKU without AZ. Nothing was changed.")
        if zones and not sku.endswith("AZ"):
            module.fail_json(msg=f"{option}: public IP address '{rid.name}' has availability zones {zones}; a gateway "
                                 f"of a non-AZ SKU ({sku}) needs a regional address (no zones). Use one without zones, "
                                 f"or the AZ SKU ({sku}AZ). Nothing was changed.")
        shapes.append((ip_sku.lower(), str(properties(ip).get("publicIPAllocationMethod")).lower(), sorted(zones)))
        user = ref(properties(ip).get("ipConfiguration"))
        if user:
            module.fail_json(msg=f"{option}: public IP address '{rid.name}' is already used by {user}; give an unused "
                                 "one. Nothing was changed.")
    if len(shapes) == 2 and shapes[0] != shapes[1]:
        module.fail_json(msg="public_ip_addresses: the two addresses of an active-active gateway must have the same "
                             "SKU, allocation method and zones; make them alike. Nothing was changed.")


def body_of(current, desired, name):
    """The gateway to PUT: as read (without what Azure sets) with the task's fields, or a new route-based VPN
    gateway."""
    if current is None:
        body = {"location": desired["location"], "properties": {
            "gatewayType": "Vpn", "vpnType": "RouteBased", "vpnGatewayGeneration": desired["generation"],
            "ipConfigurations": []}}
        subnet_id = str(parse_resource_id(desired["virtual_network"]).child("subnets", GATEWAY_SUBNET))
    else:
        body = gateway_sendable(current)
        subnet_id = gateway_subnet_id(current)
    props = body["properties"]
    if "sku" in desired:
        props["sku"] = {"name": desired["sku"], "tier": desired["sku"]}
    if "active_active" in desired:
        props["activeActive"] = desired["active_active"]
    if "enable_bgp" in desired:
        props["enableBgp"] = desired["enable_bgp"]
    if "bgp_asn" in desired:
        props["bgpSettings"] = dict(props.get("bgpSettings") or {}, asn=desired["bgp_asn"])
    if "public_ip_address_ids" in desired:
        configs = props.get("ipConfigurations") or []
        kept = [c for c in configs if any(same_id(ref(properties(c).get("publicIPAddress")), p)
                                          for p in desired["public_ip_address_ids"])]
        taken = {str(c.get("name")) for c in kept}
        for pip_id in desired["public_ip_address_ids"]:
            if not any(same_id(ref(properties(c).get("publicIPAddress")), pip_id) for c in kept):
                config_name = next(f"vnetGatewayConfig{i}" for i in range(len(configs) + 2)
                                   if f"vnetGatewayConfig{i}" not in taken)
                taken.add(config_name)
                kept.append({"name": config_name, "properties": {
                    "privateIPAllocationMethod": "Dynamic", "subnet": {"id": subnet_id},
                    "publicIPAddress": {"id": pip_id}}})
        props["ipConfigurations"] = kept
    if "tags" in desired:
        body["tags"] = desired["tags"]
    return body


if __name__ == "__main__":
    main()
