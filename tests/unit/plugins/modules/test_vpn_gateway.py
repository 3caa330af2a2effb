# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.module_utils import _azure
from ansible_collections.privnet.azure.plugins.modules import vpn_gateway
from ansible_collections.privnet.azure.tests.unit.helpers import FakePoller, warnings_of
from ansible_collections.privnet.azure.tests.unit.plugins.modules.vpn_fakes import (
    GW_SUBNET,
    HUB,
    SUB,
    VNET_HUB,
    gateway,
    install_network,
    public_ip,
    subnet,
    vnet,
    written,
)

ARGS = {"subscription_id": SUB, "name": "vpngw-hub", "resource_group": "rg-hub"}
CREATE = dict(ARGS, virtual_network="vnet-hub", sku="VpnGw2AZ", public_ip_addresses=["pip-vpngw-hub-1"])
GW_ID = f"{HUB}/virtualNetworkGateways/vpngw-hub"


@pytest.fixture
def network(monkeypatch):
    fake = install_network(monkeypatch)
    fake.add(vnet())
    fake.add(subnet())
    fake.add(public_ip("pip-vpngw-hub-1"))
    fake.add(public_ip("pip-vpngw-hub-2"))
    monkeypatch.setattr(_azure.time, "sleep", lambda s: None)
    return fake


def test_creates_a_route_based_gateway_in_the_gateway_subnet(run_module, network):
    result, failed = run_module(vpn_gateway.main, dict(CREATE, enable_bgp=True, bgp_asn=65010, tags={"a": "b"},
                                                       _ansible_diff=True))
    assert not failed, result["msg"]
    assert result["changed"] is True
    [(_m, resource_id, body)] = written(network)
    assert resource_id == GW_ID
    props = body["properties"]
    assert props["gatewayType"] == "Vpn" and props["vpnType"] == "RouteBased"
    assert props["vpnGatewayGeneration"] == "Generation2"
    assert props["sku"] == {"name": "VpnGw2AZ", "tier": "VpnGw2AZ"}
    assert props["activeActive"] is False and props["enableBgp"] is True and props["bgpSettings"] == {"asn": 65010}
    [config] = props["ipConfigurations"]
    assert config["properties"]["subnet"]["id"] == GW_SUBNET
    assert config["properties"]["publicIPAddress"]["id"] == public_ip("pip-vpngw-hub-1")["id"]
    assert body["location"] == "westeurope" and body["tags"] == {"a": "b"}
    assert result["vpn_gateway"]["provisioning_state"] == "Succeeded"
    assert result["vpn_gateway"]["bgp_peering_addresses"] == ["10.0.255.30"]
    assert result["diff"]["after"]["sku"] == "VpnGw2AZ" and result["diff"]["before"] == {"state": "absent"}


def test_second_run_writes_nothing(run_module, network):
    network.add(gateway())
    result, failed = run_module(vpn_gateway.main, dict(CREATE, generation="Generation2", active_active=False))
    assert (failed, result["changed"]) == (False, False)
    assert network.writes == []


def test_check_mode_predicts_the_gateway_without_writing(run_module, network):
    result, failed = run_module(vpn_gateway.main, dict(CREATE, _ansible_check_mode=True))
    assert (failed, result["changed"]) == (False, True)
    assert network.writes == []
    assert result["vpn_gateway"]["sku"] == "VpnGw2AZ"
    assert result["vpn_gateway"]["gateway_subnet_id"] == GW_SUBNET


def test_wait_false_returns_once_azure_accepted(run_module, network, monkeypatch):
    def slow(resource_id, stored):
        stored["properties"]["provisioningState"] = "Updating"
    network.put_hooks.append(slow)
    result, failed = run_module(vpn_gateway.main, dict(CREATE, wait=False))
    assert not failed and result["changed"]
    assert result["vpn_gateway"]["provisioning_state"] == "Updating"


def test_a_later_run_waits_for_the_gateway_and_changes_nothing(run_module, network):
    network.add(gateway(state="Updating"))
    reads = []

    def finishing(resource_id):
        if resource_id.lower() == GW_ID.lower():
            reads.append(resource_id)
            if len(reads) == 3:
                network.store[GW_ID.lower()]["properties"]["provisioningState"] = "Succeeded"
    network.get_hooks.append(finishing)
    result, failed = run_module(vpn_gateway.main, dict(ARGS))
    assert (failed, result["changed"]) == (False, False)
    assert len(reads) == 3
    assert result["vpn_gateway"]["provisioning_state"] == "Succeeded"
    assert network.writes == []


def test_waiting_for_a_gateway_that_fails_reports_it(run_module, network):
    network.add(gateway(state="Updating"))

    reads = []

    def failing(resource_id):
        reads.append(resource_id)
        if len(reads) == 2:
            network.store[GW_ID.lower()]["properties"]["provisioningState"] = "Failed"
    network.get_hooks.append(failing)
    result, failed = run_module(vpn_gateway.main, dict(ARGS))
    assert failed and "ended in provisioning state Failed" in result["msg"]
    assert network.writes == []


def test_a_change_while_azure_works_fails_with_wait_false(run_module, network):
    network.add(gateway(state="Updating"))
    result, failed = run_module(vpn_gateway.main, dict(ARGS, sku="VpnGw3AZ", wait=False))
    assert failed and result["msg"].startswith("wait: ") and "still Updating" in result["msg"]
    assert network.writes == []


def test_resize_within_the_family_keeps_everything_else(run_module, network):
    network.add(gateway(vpnClientConfiguration={"vpnClientAddressPool": {"addressPrefixes": ["172.16.0.0/24"]}}))
    result, failed = run_module(vpn_gateway.main, dict(ARGS, sku="VpnGw3AZ", _ansible_diff=True))
    assert not failed and result["changed"]
    [(_m, _i, body)] = written(network)
    props = body["properties"]
    assert props["sku"] == {"name": "VpnGw3AZ", "tier": "VpnGw3AZ"}
    assert props["customRoutes"] == {"addressPrefixes": ["10.99.0.0/16"]}
    assert props["vpnClientConfiguration"]["vpnClientAddressPool"]["addressPrefixes"] == ["172.16.0.0/24"]
    assert body["tags"] == {"keep": "me"}
    assert "provisioningState" not in props and "resourceGuid" not in props and "etag" not in body
    assert "privateIPAddress" not in props["ipConfigurations"][0]["properties"]
    assert result["diff"] == {"before": {"sku": "VpnGw2AZ"}, "after": {"sku": "VpnGw3AZ"}}


@pytest.mark.parametrize("current, wanted, message", [
    ("VpnGw2AZ", "VpnGw2", "sku: VpnGw2AZ is an availability zone SKU"),
    ("VpnGw3AZ", "VpnGw2AZ", "cannot be downgraded"),
    ("Basic", "VpnGw1", "a Basic gateway cannot be resized"),
])
def test_resize_outside_what_azure_allows_fails_before_writing(run_module, network, current, wanted, message):
    network.add(gateway(sku=current, generation="Generation1"))
    result, failed = run_module(vpn_gateway.main, dict(ARGS, sku=wanted))
    assert failed and message in result["msg"]
    assert network.writes == []


def test_active_active_adds_the_second_ip_configuration(run_module, network):
    network.add(gateway())
    result, failed = run_module(vpn_gateway.main, dict(ARGS, active_active=True,
                                                       public_ip_addresses=["pip-vpngw-hub-1", "pip-vpngw-hub-2"]))
    assert not failed and result["changed"]
    [(_m, _i, body)] = written(network)
    configs = body["properties"]["ipConfigurations"]
    assert [c["name"] for c in configs] == ["vnetGatewayConfig0", "vnetGatewayConfig1"]
    assert configs[1]["properties"]["publicIPAddress"]["id"].endswith("/pip-vpngw-hub-2")
    assert configs[1]["properties"]["subnet"]["id"] == GW_SUBNET
    assert body["properties"]["activeActive"] is True


@pytest.mark.parametrize("subnet_prefix, args, message", [
    (None, {}, "virtual_network: 'vnet-hub' has no subnet named GatewaySubnet"),
    ("10.0.255.0/30", {}, "GatewaySubnet of 'vnet-hub' is 10.0.255.0/30 (/30); a VPN gateway needs /29 at least"),
    ("10.0.255.0/27", {"sku": "VpnGw5", "generation": "Generation1"},
     "sku: VpnGw5 is not offered in Generation1"),
    ("10.0.255.0/27", {"sku": "Basic", "generation": "Generation2"}, "sku: Basic is not offered in Generation2"),
    ("10.0.255.0/27", {"public_ip_addresses": ["pip-basic"]}, "public_ip_addresses[0]: public IP address 'pip-basic' "
                                                              "is Basic; availability zone SKUs rely on Standard"),
    ("10.0.255.0/27", {"public_ip_addresses": ["pip-missing"]}, "public_ip_addresses[0]: public IP address "
                                                                "'pip-missing' was not found"),
    ("10.0.255.0/27", {"active_active": True}, "public_ip_addresses: an active-active gateway needs two"),
    ("10.0.255.0/27", {"sku": "Basic", "enable_bgp": True}, "sku: the Basic SKU has no BGP"),
    ("10.0.255.0/27", {"bgp_asn": 23456, "enable_bgp": True}, "bgp_asn: 23456 is reserved by IANA"),
    ("10.0.255.0/27", {"public_ip_addresses": ["pip-regional"]}, "public_ip_addresses[0]: public IP address "
                                                                 "'pip-regional' has no availability zones"),
    ("10.0.255.0/27", {"sku": "VpnGw2"}, "public_ip_addresses[0]: public IP address 'pip-vpngw-hub-1' has "
                                         "availability zones ['1', '2', '3']; a gateway of a non-AZ SKU"),
    ("10.0.255.0/27", {"active_active": True, "public_ip_addresses": ["pip-vpngw-hub-1", "pip-zone1"]},
     "the two addresses of an active-active gateway must have the same"),
    ("10.0.255.0/27", {"public_ip_addresses": ["pip-used"]}, "public IP address 'pip-used' is already used by /x"),
    ("10.0.255.0/27", {"location": "northeurope"}, "location: the gateway must be in the region"),
])
def test_bad_input_fails_before_any_write(run_module, network, subnet_prefix, args, message):
    network.store.pop(GW_SUBNET.lower())
    if subnet_prefix:
        network.add(subnet(prefix=subnet_prefix))
    network.add(public_ip("pip-basic", sku="Basic"))
    network.add(public_ip("pip-regional", zones=[]))
    network.add(public_ip("pip-zone1", zones=["1"]))
    network.add(public_ip("pip-used", used_by="/x"))
    result, failed = run_module(vpn_gateway.main, dict(CREATE, **args))
    assert failed
    assert message in result["msg"]
    assert network.writes == []


def test_a_small_gateway_subnet_warns(run_module, network):
    network.add(subnet(prefix="10.0.255.0/28"))
    result, failed = run_module(vpn_gateway.main, dict(CREATE))
    assert not failed
    assert any("recommends /27" in w for w in warnings_of(result))


def test_a_second_gateway_in_the_vnet_is_refused(run_module, network):
    taken = subnet()
    taken["properties"]["ipConfigurations"] = [{"id": f"{HUB}/virtualNetworkGateways/other/ipConfigurations/c0"}]
    network.add(taken)
    result, failed = run_module(vpn_gateway.main, dict(CREATE))
    assert failed and "already has the gateway" in result["msg"] and "/virtualNetworkGateways/other" in result["msg"]
    assert network.writes == []


def test_immutable_fields_fail_before_writing(run_module, network):
    network.add(gateway())
    result, failed = run_module(vpn_gateway.main, dict(ARGS, generation="Generation1"))
    assert failed and result["msg"].startswith("generation (it is Generation2)")
    assert network.writes == []


def test_absent_deletes_and_waits(run_module, network):
    network.add(gateway())
    result, failed = run_module(vpn_gateway.main, dict(ARGS, state="absent"))
    assert not failed and result["changed"]
    assert written(network, "DELETE") == [("DELETE", GW_ID, None)]
    result, failed = run_module(vpn_gateway.main, dict(ARGS, state="absent"))
    assert (failed, result["changed"]) == (False, False)


def test_wait_false_does_not_wait_for_the_create(run_module, network):
    network.poller = FakePoller(result=None, finishes=False)

    def accepted(resource_id, stored):
        stored["properties"]["provisioningState"] = "Updating"
    network.put_hooks.append(accepted)
    result, failed = run_module(vpn_gateway.main, dict(CREATE, wait=False))
    assert not failed and result["changed"]
    assert network.poller.waited == []
    assert result["vpn_gateway"]["provisioning_state"] == "Updating"
    network.poller = FakePoller(result=None, finishes=False)
    network.store.pop(GW_ID.lower())
    result, failed = run_module(vpn_gateway.main, dict(CREATE, wait_timeout=5))
    assert failed and "timed out after 5 s" in result["msg"]
    assert network.poller.waited != []


def test_vnet_in_another_subscription_by_id(run_module, network):
    other = VNET_HUB.replace(SUB, "22222222-2222-4222-8222-222222222222")
    network.add(vnet(other))
    network.add(subnet(f"{other}/subnets/GatewaySubnet"))
    result, failed = run_module(vpn_gateway.main, dict(CREATE, virtual_network=other))
    assert not failed
    [(_m, _i, body)] = written(network)
    assert body["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"] == f"{other}/subnets/GatewaySubnet"


def test_info_by_name_and_by_resource_group(run_module, network):
    from ansible_collections.privnet.azure.plugins.modules import vpn_gateway_info
    network.add(gateway())
    result, failed = run_module(vpn_gateway_info.main, dict(ARGS))
    assert not failed and result["changed"] is False
    [found] = result["vpn_gateways"]
    assert (found["sku"], found["generation"], found["bgp_asn"]) == ("VpnGw2AZ", "Generation2", 65515)
    result, failed = run_module(vpn_gateway_info.main, {"subscription_id": SUB, "resource_group": "rg-hub"})
    assert [g["name"] for g in result["vpn_gateways"]] == ["vpngw-hub"]
    result, failed = run_module(vpn_gateway_info.main, dict(ARGS, name="nope"))
    assert (failed, result["vpn_gateways"]) == (False, [])
    assert network.writes == []
