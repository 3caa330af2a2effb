# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.vpn_gateway_problems import vpn_gateway_problems

GOOD = {"name": "vgw-hub", "sku": "VpnGw2", "public_ip_addresses": ["pip-vgw-hub"]}
SUBNET = {"address_prefix": "10.0.255.0/27", "address_prefixes": []}


def test_a_good_gateway_has_no_problem():
    assert vpn_gateway_problems(GOOD, SUBNET, "vnet-hub") == []
    assert vpn_gateway_problems(dict(GOOD, sku="vpngw1", generation="Generation1", bgp_asn=65010), SUBNET) == []
    active = dict(GOOD, active_active=True, public_ip_addresses=["a", "b"])
    assert vpn_gateway_problems(active, {"address_prefix": None, "address_prefixes": ["10.0.255.0/29"]}) == []


def test_the_gateway_subnet_must_exist_and_be_29_or_larger():
    missing = vpn_gateway_problems(GOOD, None, "vnet-hub")
    assert len(missing) == 1 and "'vnet-hub' has no subnet named GatewaySubnet" in missing[0]
    assert vpn_gateway_problems(GOOD, {}, "vnet-hub") == missing
    small = vpn_gateway_problems(GOOD, {"address_prefix": "10.0.255.0/30"}, "vnet-hub", prefix="gw.")
    assert len(small) == 1 and small[0].startswith("gw.virtual_network: GatewaySubnet of 'vnet-hub' is 10.0.255.0/30")


def test_sku_generation_addresses_and_bgp():
    assert vpn_gateway_problems(dict(GOOD, sku="VpnGw9"), SUBNET)[0].startswith("sku: 'VpnGw9' is not a VPN gateway SKU")
    assert "not offered in Generation1" in vpn_gateway_problems(dict(GOOD, sku="VpnGw4", generation="Generation1"),
                                                                SUBNET)[0]
    assert "neither" in vpn_gateway_problems(dict(GOOD, generation="Gen3"), SUBNET)[0]
    two = vpn_gateway_problems(dict(GOOD, public_ip_addresses=["a", "b"]), SUBNET)
    assert two == ["public_ip_addresses: give one public IP address (given: 2); two are for active_active: true"]
    same = vpn_gateway_problems(dict(GOOD, active_active=True, public_ip_addresses=["a", "A"]), SUBNET)
    assert "two different public IP addresses" in same[0]
    assert "no BGP" in vpn_gateway_problems(dict(GOOD, sku="Basic", bgp_asn=65010), SUBNET)[0]
    assert "no active-active" in vpn_gateway_problems(dict(GOOD, sku="Basic", active_active=True,
                                                           public_ip_addresses=["a", "b"]), SUBNET)[0]
    assert "bgp_asn" in vpn_gateway_problems(dict(GOOD, bgp_asn=23456), SUBNET)[0]
    assert vpn_gateway_problems({"sku": "VpnGw1", "public_ip_addresses": "pip"}, SUBNET) == [
        "name: give the gateway's name"]


def test_bad_arguments():
    with pytest.raises(AnsibleFilterError):
        vpn_gateway_problems("vgw-hub")
    with pytest.raises(AnsibleFilterError):
        vpn_gateway_problems(GOOD, "10.0.255.0/27")
