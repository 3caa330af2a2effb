#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: local_network_gateway
short_description: A local network gateway, Azure's record of an on-premises VPN device and its networks
version_added: 0.1.0
description:
  - Creates, updates or deletes an Azure local network gateway (C(az network local-gateway create/update/delete)) - the
    public IP address or FQDN of an on-premises VPN device, the address prefixes behind it, and its BGP settings. A
    site-to-site connection (M(privnet.azure.vpn_connection)) links it to a VPN gateway.
  - Only the options given are compared and changed; an update sends back the gateway as read, so properties this
    module does not manage are kept.
author:
  - privnet maintainers (!UNKNOWN)
options:
  name:
    description:
      - Name of the local network gateway.
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the local network gateway.
    type: str
    required: true
  location:
    description:
      - Region of the local network gateway (usually the region of the VPN gateway it connects to). Required to create
        it; cannot be changed afterwards.
    type: str
  gateway_ip_address:
    description:
      - Public IP address of the on-premises VPN device. Mutually exclusive with O(fqdn); one of them is needed to
        create the gateway. Giving one on an existing gateway that has the other replaces it.
    type: str
  fqdn:
    description:
      - Fully qualified domain name of the on-premises VPN device, for a device whose address changes.
    type: str
  address_prefixes:
    description:
      - The on-premises address prefixes Azure routes to the device, in CIDR form. The complete list (order ignored).
      - With BGP, only the device's BGP peer address (a /32) is needed.
    type: list
    elements: str
  bgp:
    description:
      - BGP settings of the on-premises device.
    type: dict
    suboptions:
      asn:
        description:
          - The device's ASN. It must differ from the VPN gateway's and cannot be one Azure reserves (8074, 8075,
            12076, 65515, 65517-65520) or IANA reserves (23456, 64496-64511, 65535-65551).
        type: int
        required: true
      peering_address:
        description:
          - The device's BGP peer IP address.
        type: str
        required: true
      peer_weight:
        description:
          - Weight of routes learned from this peer.
        type: int
  tags:
    description:
      - Tags of the local network gateway.
    type: dict
  purge_tags:
    description:
      - With V(true), tags not in O(tags) are removed; with V(false) they are kept. Only used with O(tags).
    type: bool
    default: true
  state:
    description:
      - V(present) creates or updates the gateway; V(absent) deletes it (Azure refuses while a connection uses it).
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
  - module: privnet.azure.vpn_connection
  - name: VPN Gateway configuration settings
    description: Local network gateways.
    link: https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings#lng
"""

EXAMPLES = r"""
- name: The head office's VPN device and networks
  privnet.azure.local_network_gateway:
    name: lng-head-office
    resource_group: rg-hub
    location: westeurope
    gateway_ip_address: 203.0.113.10
    address_prefixes: [192.168.0.0/16, 172.20.0.0/20]

- name: A device reached by name, with BGP
  privnet.azure.local_network_gateway:
    name: lng-branch
    resource_group: rg-hub
    location: westeurope
    fqdn: vpn.branch.example.com
    address_prefixes: [10.200.0.1/32]
    bgp:
      asn: 65050
      peering_address: 10.200.0.1
"""

RETURN = r"""
local_network_gateway:
  description:
    - The local network gateway after the change; in check mode, as it would be. Empty after O(state=absent).
  returned: success
  type: dict
  contains:
    id:
      description: Resource id of the local network gateway.
      type: str
      returned: when present
    name:
      description: Its name.
      type: str
      returned: when present
    resource_group:
      description: Its resource group.
      type: str
      returned: when present
    location:
      description: Its region.
      type: str
      returned: when present
    gateway_ip_address:
      description: Public IP address of the device, if given that way.
      type: str
      returned: when present
      sample: 203.0.113.10
    fqdn:
      description: FQDN of the device, if given that way.
      type: str
      returned: when present
    address_prefixes:
      description: The on-premises address prefixes.
      type: list
      elements: str
      returned: when present
    bgp:
      description: BGP settings (asn, peering_address, peer_weight), or null.
      type: dict
      returned: when present
    tags:
      description: Tags.
      type: dict
      returned: when present
    provisioning_state:
      description: Provisioning state.
      type: str
      returned: when present
      sample: Succeeded
"""

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._diff import ABSENT, Difference, ci, unordered
from ansible_collections.privnet.azure.plugins.module_utils._endpoint import location_key
from ansible_collections.privnet.azure.plugins.module_utils._ids import build_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name
from ansible_collections.privnet.azure.plugins.module_utils._vpn import (
    LOCAL_GATEWAY_READ_ONLY_PROPERTIES,
    LOCAL_GATEWAY_TYPE,
    NETWORK,
    check_asn,
    check_fqdn,
    check_ip,
    check_name,
    check_prefixes,
    local_gateway_result,
    sendable,
    tags_wanted,
)

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    location=dict(type="str"),
    gateway_ip_address=dict(type="str"),
    fqdn=dict(type="str"),
    address_prefixes=dict(type="list", elements="str"),
    bgp=dict(type="dict", options=dict(
        asn=dict(type="int", required=True),
        peering_address=dict(type="str", required=True),
        peer_weight=dict(type="int"),
    )),
    tags=dict(type="dict"),
    purge_tags=dict(type="bool", default=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)
NORMALISERS = {"location": location_key, "fqdn": ci, "address_prefixes": unordered()}


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True,
                         mutually_exclusive=[("gateway_ip_address", "fqdn")])
    params = module.params

    # 1. Validate.
    module.validated(check_name, params["name"], "name", "local network gateway")
    module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    gateway_id = build_resource_id(module.subscription_id, params["resource_group"], NETWORK, LOCAL_GATEWAY_TYPE,
                                   params["name"])
    what = f"local network gateway '{params['name']}' (resource group '{params['resource_group']}')"
    arm = module.arm()
    wanted = {}
    if params["gateway_ip_address"] is not None:
        wanted["gateway_ip_address"] = module.validated(check_ip, params["gateway_ip_address"], "gateway_ip_address")
    if params["fqdn"] is not None:
        wanted["fqdn"] = module.validated(check_fqdn, params["fqdn"], "fqdn")
    if params["address_prefixes"] is not None:
        wanted["address_prefixes"] = module.validated(check_prefixes, params["address_prefixes"], "address_prefixes")
    if params["bgp"] is not None:
        bgp = params["bgp"]
        wanted["bgp"] = {"asn": module.validated(check_asn, bgp["asn"], "bgp.asn", True),
                         "peering_address": module.validated(check_ip, bgp["peering_address"], "bgp.peering_address"),
                         "peer_weight": bgp["peer_weight"]}

    # 2. Read.
    current = arm.get(gateway_id, NETWORK_API, what=f"reading {what}")
    if params["state"] == "absent":
        absent(module, arm, gateway_id, current, what)
    now = local_gateway_result(current)
    if current is None:
        if not params["location"]:
            module.fail_json(msg=f"location: {what} does not exist; give the region to create it in (the VPN "
                                 "gateway's). Nothing was changed.")
        if not (params["gateway_ip_address"] or params["fqdn"]):
            module.fail_json(msg=f"gateway_ip_address: {what} does not exist; give the on-premises device's public IP "
                                 "address (gateway_ip_address) or its fqdn to create it. Nothing was changed.")
    elif params["location"] and location_key(params["location"]) != location_key(now["location"]):
        module.fail_json(msg=f"location: {what} is in {now['location']}; its region cannot be changed (delete it and "
                             "create it again, or leave location out). Nothing was changed.")

    # 3. Compare.
    if "bgp" in wanted and wanted["bgp"]["peer_weight"] is None:  # left out: kept as it is (0 for a new one)
        wanted["bgp"]["peer_weight"] = (now.get("bgp") or {}).get("peer_weight") or 0
    if params["location"] or current is None:
        wanted["location"] = params["location"]
    tags = tags_wanted(current, params["tags"], params["purge_tags"])
    if tags is not None:
        wanted["tags"] = tags
    if current is not None and "gateway_ip_address" in wanted and now["fqdn"]:
        wanted["fqdn"] = None  # the address replaces the name
    if current is not None and "fqdn" in wanted and wanted["fqdn"] and now["gateway_ip_address"]:
        wanted["gateway_ip_address"] = None
    difference = Difference()
    if current is None:
        difference.add("state", "absent", "present")
    for key in sorted(wanted):
        difference.add(key, now.get(key, ABSENT) if current is not None else ABSENT, wanted[key], NORMALISERS.get(key))

    # 4. Apply.
    result = current
    if difference.changed:
        body = body_of(current, wanted)
        if module.check_mode:
            result = dict(body, id=gateway_id, name=params["name"])
        else:
            verb = "creating" if current is None else "updating"
            result = arm.put(gateway_id, NETWORK_API, body, what=f"{verb} {what}")
            if result is None:  # wait=false
                result = (arm.get(gateway_id, NETWORK_API, what=f"reading {what}")
                          or dict(body, id=gateway_id, name=params["name"]))

    # 5. Return.
    module.exit(changed=difference.changed, diff=difference, local_network_gateway=local_gateway_result(result))


def absent(module, arm, gateway_id, current, what):
    difference = Difference()
    if current is None:
        difference.add("state", "absent", "absent")
        module.exit(changed=False, diff=difference, local_network_gateway={})
    view = local_gateway_result(current)
    for key in ("location", "gateway_ip_address", "fqdn", "address_prefixes", "bgp", "tags"):
        difference.add(key, view[key], ABSENT)
    difference.add("state", "present", "absent")
    if not module.check_mode:
        arm.delete(gateway_id, NETWORK_API, what=f"deleting {what}")
    module.exit(changed=True, diff=difference, local_network_gateway={})


def body_of(current, wanted):
    body = sendable(current, LOCAL_GATEWAY_READ_ONLY_PROPERTIES) if current is not None else {"properties": {}}
    props = body.setdefault("properties", {})
    if wanted.get("location"):
        body["location"] = wanted["location"]
    for option, wire in (("gateway_ip_address", "gatewayIpAddress"), ("fqdn", "fqdn")):
        if option in wanted:
            if wanted[option] is None:
                props.pop(wire, None)
            else:
                props[wire] = wanted[option]
    if "address_prefixes" in wanted:
        props["localNetworkAddressSpace"] = dict(props.get("localNetworkAddressSpace") or {},
                                                 addressPrefixes=wanted["address_prefixes"])
    if "bgp" in wanted:
        props["bgpSettings"] = {"asn": wanted["bgp"]["asn"], "bgpPeeringAddress": wanted["bgp"]["peering_address"],
                                "peerWeight": wanted["bgp"]["peer_weight"]}
    if "tags" in wanted:
        body["tags"] = wanted["tags"]
    return body


if __name__ == "__main__":
    main()
