# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: vpn_gateway_problems
short_description: What Azure would refuse in a VPN gateway a role is asked to create, before any write
version_added: 0.2.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - Roles create a gateway's public IP addresses before the gateway, and M(privnet.azure.vpn_gateway) checks its input
    only when it runs. This filter makes the same checks (SKU, SKU in the generation, one public IP address or two for
    active-active, no BGP nor active-active on V(Basic), the ASN, and the C(GatewaySubnet) of at least /29) first,
    so that bad input fails before anything is written. The rules are the module's own (module_utils C(_vpn)).
  - Returns the problems found, each naming the option and the fix; an empty list when there is none.
positional: _input, subnet, virtual_network
options:
  _input:
    description:
      - The gateway as a role takes it - C(name), C(sku), C(generation), C(public_ip_addresses), C(active_active),
        C(bgp_asn).
    type: dict
    required: true
  subnet:
    description:
      - The virtual network's C(GatewaySubnet) as M(privnet.azure.subnet_network_policies) returns it, or as one of
        the RV(privnet.azure.virtual_network_info#module:virtual_network.subnets) (C(address_prefix),
        C(address_prefixes)); V(none) or an empty dict when the virtual network has none.
    type: raw
  virtual_network:
    description: Name of the virtual network, for the messages.
    type: str
    default: the virtual network
  prefix:
    description: Put before each option named in a message (the role's input variable, for example).
    type: str
    default: ''
"""

EXAMPLES = r"""
- name: Refuse bad input before any write
  ansible.builtin.assert:
    that: my_problems == []
    fail_msg: "{{ my_problems | join('; ') }}. Nothing was changed."
  vars:
    my_problems: "{{ my_gateway | privnet.azure.vpn_gateway_problems(my_subnet.subnet, 'vnet-hub', prefix='my_gateway.') }}"
"""

RETURN = r"""
_value:
  description: The problems found, in the order of the checks; empty when there is none.
  type: list
  elements: str
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.module_utils._vpn import (
    canonical_sku, check_asn, check_gateway_subnet, check_sku_generation, default_generation)


def vpn_gateway_problems(gateway, subnet=None, virtual_network="the virtual network", prefix=""):
    if not isinstance(gateway, Mapping):
        raise AnsibleFilterError("vpn_gateway_problems: the input must be the gateway as a dict")
    problems = []

    def check(func, *args):
        try:
            return func(*args)
        except ValueError as err:
            problems.append(prefix + str(err))
            return None

    if not gateway.get("name"):
        problems.append(f"{prefix}name: give the gateway's name")
    sku = check(canonical_sku, gateway.get("sku"))
    generation = gateway.get("generation")
    if sku:
        if generation and generation not in ("Generation1", "Generation2"):
            problems.append(f"{prefix}generation: {generation!r} is neither Generation1 nor Generation2")
        else:
            check(check_sku_generation, sku, generation or default_generation(sku))
    addresses = gateway.get("public_ip_addresses") or []
    if isinstance(addresses, str):
        addresses = [addresses]
    active = bool(gateway.get("active_active"))
    wanted = 2 if active else 1
    if len(addresses) != wanted or len({str(a).lower() for a in addresses}) != len(addresses):
        need = "an active-active gateway needs two different public IP addresses" if active else \
            "give one public IP address"
        extra = "" if active else "; two are for active_active: true"
        problems.append(f"{prefix}public_ip_addresses: {need} (given: {len(addresses)}){extra}")
    asn = gateway.get("bgp_asn")
    if sku == "Basic" and (active or asn is not None):
        problems.append(f"{prefix}sku: the Basic SKU has no {'active-active' if active else 'BGP'}; pick VpnGw1 or "
                        "larger")
    if asn is not None:
        check(check_asn, asn, "bgp_asn")
    if isinstance(subnet, Mapping) and not subnet:
        subnet = None
    if subnet is not None:
        if not isinstance(subnet, Mapping):
            raise AnsibleFilterError("vpn_gateway_problems: subnet must be the subnet as subnet_network_policies "
                                     "returns it, or none")
        wire = {"properties": {"addressPrefix": subnet.get("address_prefix"),
                               "addressPrefixes": list(subnet.get("address_prefixes") or [])}}
        check(check_gateway_subnet, wire, virtual_network)
    else:
        check(check_gateway_subnet, None, virtual_network)
    return problems


class FilterModule:
    """privnet.azure filters."""

    def filters(self):
        return {"vpn_gateway_problems": vpn_gateway_problems}
