# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""virtual_network_dns_servers over the in-memory Microsoft.Network of vpn_fakes: read-modify-write of the VNet."""

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.modules import virtual_network_dns_servers as module_under_test
from ansible_collections.privnet.azure.tests.unit.helpers import arm_error, subnet_wire
from ansible_collections.privnet.azure.tests.unit.plugins.modules.vpn_fakes import HUB, SUB, VNET_HUB, install_network, written

ARGS = {"subscription_id": SUB, "resource_group": "rg-hub", "virtual_network": "vnet-hub"}
PEERING = {"id": f"{VNET_HUB}/virtualNetworkPeerings/hub-to-spoke", "name": "hub-to-spoke", "etag": 'W/"1"',
           "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
           "properties": {"remoteVirtualNetwork": {"id": f"{HUB}/virtualNetworks/vnet-spoke"},
                          "allowVirtualNetworkAccess": True, "allowForwardedTraffic": True,
                          "peeringState": "Connected", "peeringSyncLevel": "FullyInSync",
                          "provisioningState": "Succeeded", "resourceGuid": "g2",
                          "remoteAddressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}}


def full_vnet(servers=None):
    props = {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [subnet_wire()],
             "virtualNetworkPeerings": [PEERING], "enableDdosProtection": False,
             "encryption": {"enabled": True, "enforcement": "AllowUnencrypted"},
             "provisioningState": "Succeeded", "resourceGuid": "g1", "flowLogs": []}
    if servers is not None:
        props["dhcpOptions"] = {"dnsServers": servers}
    return {"id": VNET_HUB, "name": "vnet-hub", "location": "westeurope", "etag": 'W/"5"', "tags": {"env": "prod"},
            "type": "Microsoft.Network/virtualNetworks", "properties": props}


@pytest.fixture
def network(monkeypatch):
    fake = install_network(monkeypatch)
    fake.add(full_vnet())
    return fake


def test_sets_the_servers_keeping_everything_else(run_module, network):
    result, failed = run_module(module_under_test.main, dict(ARGS, dns_servers=["10.0.0.4", "10.0.0.5"],
                                                             _ansible_diff=True))
    assert not failed and result["changed"]
    [(_m, vnet_id, body)] = written(network)
    assert vnet_id == VNET_HUB
    props = body["properties"]
    assert props["dhcpOptions"] == {"dnsServers": ["10.0.0.4", "10.0.0.5"]}
    assert props["addressSpace"] == {"addressPrefixes": ["10.0.0.0/16"]}
    assert body["tags"] == {"env": "prod"} and props["encryption"]["enabled"] is True
    # Subnets and peerings are sent back whole, without what Azure sets.
    [subnet] = props["subnets"]
    assert subnet["properties"]["networkSecurityGroup"] and subnet["properties"]["delegations"][0]["name"] == "aci"
    assert "ipConfigurations" not in subnet["properties"] and "provisioningState" not in subnet["properties"]
    [peering] = props["virtualNetworkPeerings"]
    assert peering["properties"]["allowForwardedTraffic"] is True
    assert "provisioningState" not in peering["properties"] and "etag" not in peering
    assert not {"etag", "type"} & set(body) and not {"resourceGuid", "provisioningState", "flowLogs"} & set(props)
    assert result["virtual_network"]["dns_servers"] == ["10.0.0.4", "10.0.0.5"]
    assert result["virtual_network"]["azure_provided_dns"] is False
    assert result["diff"] == {"before": {"dns_servers": []}, "after": {"dns_servers": ["10.0.0.4", "10.0.0.5"]}}


def test_second_run_writes_nothing(run_module, network):
    network.add(full_vnet(["10.0.0.4"]))
    result, failed = run_module(module_under_test.main, dict(ARGS, dns_servers=["10.0.0.4"]))
    assert (failed, result["changed"]) == (False, False) and network.writes == []


def test_the_order_matters(run_module, network):
    network.add(full_vnet(["10.0.0.4", "10.0.0.5"]))
    result, failed = run_module(module_under_test.main, dict(ARGS, dns_servers=["10.0.0.5", "10.0.0.4"],
                                                             _ansible_check_mode=True))
    assert (failed, result["changed"]) == (False, True) and network.writes == []
    assert result["virtual_network"]["dns_servers"] == ["10.0.0.5", "10.0.0.4"]


def test_empty_list_means_azure_provided_dns(run_module, network):
    network.add(full_vnet(["10.0.0.4"]))
    result, failed = run_module(module_under_test.main, dict(ARGS, dns_servers=[], _ansible_diff=True))
    assert not failed and result["changed"]
    assert written(network)[0][2]["properties"]["dhcpOptions"] == {"dnsServers": []}
    assert result["virtual_network"]["azure_provided_dns"] is True
    network.writes.clear()
    result, failed = run_module(module_under_test.main, dict(ARGS, dns_servers=[]))
    assert (failed, result["changed"]) == (False, False) and network.writes == []


def test_check_mode_writes_nothing(run_module, network):
    result, failed = run_module(module_under_test.main, dict(ARGS, dns_servers=["10.0.0.4"], _ansible_check_mode=True,
                                                             _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True) and network.writes == []
    assert result["diff"]["after"] == {"dns_servers": ["10.0.0.4"]}
    assert result["virtual_network"]["dns_servers"] == ["10.0.0.4"]


@pytest.mark.parametrize("args, message", [
    ({"dns_servers": ["10.0.0.300"]}, "dns_servers[0]: '10.0.0.300' is not an IP address"),
    ({"dns_servers": ["10.0.0.4", "10.0.0.4"]}, "dns_servers[1]: 10.0.0.4 is given twice"),
    ({"dns_servers": [""]}, "dns_servers: holds an empty or null item"),
    ({"dns_servers": [None]}, "dns_servers: holds an empty or null item"),
    ({"dns_servers": None}, "argument 'dns_servers' is of type NoneType"),  # Ansible's own check
    ({"dns_servers": ["10.0.0.4"], "virtual_network": ""}, "virtual_network: is empty"),
    ({"dns_servers": ["10.0.0.4"], "virtual_network": "vnet-none"},
     "virtual_network: virtual network 'vnet-none' (resource group 'rg-hub'"),
    ({"dns_servers": ["10.0.0.4"], "virtual_network": f"{VNET_HUB}/subnets/x"}, "virtual_network: '/subscriptions/"),
])
def test_bad_input_fails_before_any_write(run_module, network, args, message):
    result, failed = run_module(module_under_test.main, dict(ARGS, **args))
    assert failed, result
    assert message in result["msg"]
    assert network.writes == []


def test_azure_error_is_code_and_message(run_module, network):
    def refuse(resource_id, stored):
        raise arm_error(400, "InvalidRequestFormat", "Cannot parse the request.")
    network.put_hooks.append(refuse)
    result, failed = run_module(module_under_test.main, dict(ARGS, dns_servers=["10.0.0.4"]))
    assert failed
    assert result["msg"].endswith("InvalidRequestFormat: Cannot parse the request.")
    assert result["msg"].startswith("setting the DNS servers of virtual network 'vnet-hub'")
