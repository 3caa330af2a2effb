# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.modules import local_network_gateway
from ansible_collections.privnet.azure.tests.unit.plugins.modules.vpn_fakes import HUB, SUB, install_network, written

ARGS = {"subscription_id": SUB, "name": "lng-office", "resource_group": "rg-hub"}
LNG_ID = f"{HUB}/localNetworkGateways/lng-office"


def existing(**props):
    base = {"gatewayIpAddress": "203.0.113.10", "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.0/16"]},
            "bgpSettings": {"asn": 65050, "bgpPeeringAddress": "192.168.0.1", "peerWeight": 5},
            "provisioningState": "Succeeded", "resourceGuid": "g"}
    base.update(props)
    return {"id": LNG_ID, "name": "lng-office", "location": "westeurope", "etag": 'W/"1"', "tags": {"site": "hq"},
            "properties": base}


@pytest.fixture
def network(monkeypatch):
    return install_network(monkeypatch)


def test_creates_with_address_prefixes_and_bgp(run_module, network):
    result, failed = run_module(local_network_gateway.main, dict(
        ARGS, location="westeurope", gateway_ip_address="203.0.113.10",
        address_prefixes=["192.168.0.0/16", "172.20.0.0/20"], bgp={"asn": 65050, "peering_address": "192.168.0.1"},
        _ansible_diff=True))
    assert not failed and result["changed"]
    [(_m, resource_id, body)] = written(network)
    assert resource_id == LNG_ID
    props = body["properties"]
    assert props["gatewayIpAddress"] == "203.0.113.10"
    assert props["localNetworkAddressSpace"] == {"addressPrefixes": ["192.168.0.0/16", "172.20.0.0/20"]}
    assert props["bgpSettings"] == {"asn": 65050, "bgpPeeringAddress": "192.168.0.1", "peerWeight": 0}
    assert result["local_network_gateway"]["bgp"]["asn"] == 65050
    assert result["diff"]["before"] == {"state": "absent"}


def test_second_run_writes_nothing(run_module, network):
    network.add(existing())
    result, failed = run_module(local_network_gateway.main, dict(
        ARGS, location="West Europe", gateway_ip_address="203.0.113.10", address_prefixes=["192.168.0.0/16"],
        bgp={"asn": 65050, "peering_address": "192.168.0.1"}))
    assert (failed, result["changed"]) == (False, False)
    assert network.writes == []


def test_check_mode_and_diff_of_an_update(run_module, network):
    network.add(existing())
    result, failed = run_module(local_network_gateway.main, dict(
        ARGS, address_prefixes=["192.168.0.0/16", "10.50.0.0/16"], _ansible_check_mode=True, _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    assert network.writes == []
    assert result["diff"] == {"before": {"address_prefixes": ["192.168.0.0/16"]},
                              "after": {"address_prefixes": ["192.168.0.0/16", "10.50.0.0/16"]}}


def test_fqdn_replaces_the_address_and_keeps_the_rest(run_module, network):
    network.add(existing())
    result, failed = run_module(local_network_gateway.main, dict(ARGS, fqdn="vpn.office.example.com"))
    assert not failed and result["changed"]
    [(_m, _i, body)] = written(network)
    props = body["properties"]
    assert props["fqdn"] == "vpn.office.example.com" and "gatewayIpAddress" not in props
    assert props["bgpSettings"]["peerWeight"] == 5 and body["tags"] == {"site": "hq"}
    assert "provisioningState" not in props and "etag" not in body


@pytest.mark.parametrize("args, message", [
    ({"gateway_ip_address": "203.0.113.300"}, "gateway_ip_address: '203.0.113.300' is not an IP address"),
    ({"gateway_ip_address": "203.0.113.1", "address_prefixes": ["10.0.0.1/16"]},
     "address_prefixes[0]: '10.0.0.1/16' has host bits set"),
    ({"fqdn": "localhost"}, "fqdn: 'localhost' is not a fully qualified domain name"),
    ({"gateway_ip_address": "203.0.113.1", "bgp": {"asn": 65515, "peering_address": "10.0.0.1"}},
     "bgp.asn: 65515 is reserved by Azure"),
    ({"address_prefixes": ["10.0.0.0/16"]}, "gateway_ip_address: local network gateway 'lng-office'"),
])
def test_bad_input_fails_before_any_write(run_module, network, args, message):
    result, failed = run_module(local_network_gateway.main, dict(ARGS, location="westeurope", **args))
    assert failed
    assert message in result["msg"]
    assert network.writes == []


def test_absent(run_module, network):
    network.add(existing())
    result, failed = run_module(local_network_gateway.main, dict(ARGS, state="absent", _ansible_check_mode=True))
    assert (failed, result["changed"]) == (False, True) and network.writes == []
    result, failed = run_module(local_network_gateway.main, dict(ARGS, state="absent"))
    assert result["changed"] and written(network, "DELETE") == [("DELETE", LNG_ID, None)]
    result, failed = run_module(local_network_gateway.main, dict(ARGS, state="absent"))
    assert (failed, result["changed"]) == (False, False)
