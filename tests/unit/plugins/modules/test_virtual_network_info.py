# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""virtual_network_info over the in-memory Microsoft.Network of vpn_fakes: one GET of the VNet, nothing written."""

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.modules import virtual_network_info as module_under_test
from ansible_collections.privnet.azure.tests.unit.helpers import arm_error, subnet_wire
from ansible_collections.privnet.azure.tests.unit.plugins.modules.vpn_fakes import (
    GW_SUBNET,
    OTHER_SUB,
    SUB,
    VNET_HUB,
    install_network,
    net,
)

ARGS = {"subscription_id": SUB, "resource_group": "rg-hub", "virtual_network": "vnet-hub"}
RESOLVER_SUBNET = f"{VNET_HUB}/subnets/snet-dns-inbound"


def full_vnet(servers=None, vid=VNET_HUB):
    resolver = {"id": RESOLVER_SUBNET, "name": "snet-dns-inbound",
                "properties": {"addressPrefix": "10.0.0.0/28", "provisioningState": "Succeeded",
                               "privateEndpointNetworkPolicies": "Disabled",
                               "delegations": [{"name": "dnsdel", "id": f"{RESOLVER_SUBNET}/delegations/dnsdel",
                                                "properties": {"serviceName": "Microsoft.Network/dnsResolvers"}}]}}
    gateway = {"id": GW_SUBNET, "name": "GatewaySubnet",
               "properties": {"addressPrefixes": ["10.0.255.0/27"], "provisioningState": "Succeeded"}}
    props = {"addressSpace": {"addressPrefixes": ["10.0.0.0/16", "10.5.0.0/16"]},
             "subnets": [subnet_wire(), resolver, gateway], "provisioningState": "Succeeded", "resourceGuid": "g1"}
    if servers is not None:
        props["dhcpOptions"] = {"dnsServers": servers}
    return {"id": vid, "name": vid.rsplit("/", 1)[1], "location": "westeurope", "etag": 'W/"5"',
            "tags": {"env": "prod"}, "type": "Microsoft.Network/virtualNetworks", "properties": props}


@pytest.fixture
def network(monkeypatch):
    fake = install_network(monkeypatch)
    fake.add(full_vnet(["10.0.0.4", "10.0.0.5"]))
    return fake


def test_one_read_returns_the_virtual_network(run_module, network):
    result, failed = run_module(module_under_test.main, dict(ARGS))
    assert not failed, result
    assert (result["changed"], result["exists"]) == (False, True)
    assert [(m, i) for m, i, _v in network.calls] == [("GET", VNET_HUB)]
    assert network.writes == []
    vnet = result["virtual_network"]
    assert vnet["id"] == VNET_HUB and vnet["name"] == "vnet-hub" and vnet["resource_group"] == "rg-hub"
    assert vnet["location"] == "westeurope" and vnet["tags"] == {"env": "prod"}
    assert vnet["address_prefixes"] == ["10.0.0.0/16", "10.5.0.0/16"]
    assert vnet["dns_servers"] == ["10.0.0.4", "10.0.0.5"] and vnet["azure_provided_dns"] is False
    assert vnet["provisioning_state"] == "Succeeded"
    assert [s["name"] for s in vnet["subnets"]] == ["snet-pe", "snet-dns-inbound", "GatewaySubnet"]
    pe, resolver, gateway = vnet["subnets"]
    assert pe["delegations"] == ["Microsoft.ContainerInstance/containerGroups"]
    assert pe["address_prefix"] == "10.0.1.0/24" and pe["private_endpoint_network_policies"] == "Enabled"
    assert pe["service_endpoints"] == [{"service": "Microsoft.Storage", "locations": ["westeurope", "northeurope"]}]
    assert pe["network_security_group_id"].endswith("/networkSecurityGroups/nsg-pe")
    assert resolver["delegations"] == ["Microsoft.Network/dnsResolvers"]
    assert resolver["private_endpoint_network_policies"] == "Disabled" and resolver["id"] == RESOLVER_SUBNET
    assert (resolver["resource_group"], resolver["virtual_network"]) == ("rg-hub", "vnet-hub")
    assert gateway["address_prefix"] is None and gateway["address_prefixes"] == ["10.0.255.0/27"]
    assert gateway["delegations"] == []


def test_azure_provided_dns(run_module, network):
    network.add(full_vnet())
    result, failed = run_module(module_under_test.main, dict(ARGS))
    assert not failed
    assert result["virtual_network"]["dns_servers"] == [] and result["virtual_network"]["azure_provided_dns"] is True


def test_check_mode_reads_the_same(run_module, network):
    result, failed = run_module(module_under_test.main, dict(ARGS, _ansible_check_mode=True))
    assert (failed, result["changed"], result["exists"]) == (False, False, True)
    assert result["virtual_network"]["dns_servers"] == ["10.0.0.4", "10.0.0.5"]
    assert [m for m, _i, _v in network.calls] == ["GET"] and network.writes == []


def test_absent_is_not_a_failure(run_module, network):
    result, failed = run_module(module_under_test.main, dict(ARGS, virtual_network="vnet-none"))
    assert not failed, result
    assert (result["changed"], result["exists"], result["virtual_network"]) == (False, False, None)
    assert [(m, i) for m, i, _v in network.calls] == [("GET", f"{net('rg-hub')}/virtualNetworks/vnet-none")]


def test_by_id_in_another_subscription(run_module, network):
    other = f"{net('rg-far', OTHER_SUB)}/virtualNetworks/vnet-far"
    network.add(full_vnet(["10.9.0.4"], vid=other))
    result, failed = run_module(module_under_test.main, {"subscription_id": SUB, "virtual_network": other})
    assert not failed, result
    assert result["virtual_network"]["id"] == other and result["virtual_network"]["resource_group"] == "rg-far"
    assert result["virtual_network"]["dns_servers"] == ["10.9.0.4"]
    assert [(m, i) for m, i, _v in network.calls] == [("GET", other)]


@pytest.mark.parametrize("args, message", [
    ({"virtual_network": ""}, "virtual_network: is empty"),
    ({"virtual_network": "vnet hub"}, "virtual_network: "),
    ({"resource_group": "rg/hub"}, "resource_group: "),
    ({"virtual_network": f"{VNET_HUB}/subnets/x"}, "virtual_network: '/subscriptions/"),
    ({"resource_group": None}, "resource_group"),
])
def test_bad_input_fails_before_any_call(run_module, network, args, message):
    result, failed = run_module(module_under_test.main, dict(ARGS, **args))
    assert failed, result
    assert message in result["msg"]
    assert network.calls == []


def test_azure_error_is_code_and_message(run_module, network):
    def refuse(resource_id):
        raise arm_error(403, "AuthorizationFailed", "No read access.")
    network.get_hooks.append(refuse)
    result, failed = run_module(module_under_test.main, dict(ARGS))
    assert failed
    assert result["msg"].startswith("reading virtual network 'vnet-hub' (resource group 'rg-hub'")
    assert result["msg"].endswith("AuthorizationFailed: No read access.")
    assert network.writes == []
