# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest

from ansible_collections.privnet.azure.plugins.module_utils import _azure
from ansible_collections.privnet.azure.plugins.modules import vpn_connection
from ansible_collections.privnet.azure.tests.unit.helpers import warnings_of
from ansible_collections.privnet.azure.tests.unit.plugins.modules.vpn_fakes import (
    HUB,
    OTHER_SUB,
    SUB,
    gateway,
    install_network,
    net,
    written,
)

KEY = "s3cr3t-Shared-Key!"
DR = net("rg-dr", OTHER_SUB)
DR_GW = f"{DR}/virtualNetworkGateways/vpngw-dr"
HUB_GW = f"{HUB}/virtualNetworkGateways/vpngw-hub"
LOCAL_ID = f"{HUB}/connections/hub-to-dr"
REMOTE_ID = f"{DR}/connections/vpngw-dr-to-vpngw-hub"
ARGS = {"subscription_id": SUB, "name": "hub-to-dr", "resource_group": "rg-hub", "virtual_network_gateway": "vpngw-hub",
        "remote_virtual_network_gateway": DR_GW}
POLICY = {"sa_lifetime_seconds": 27000, "sa_data_size_kilobytes": 102400000, "ipsec_encryption": "GCMAES256",
          "ipsec_integrity": "GCMAES256", "ike_encryption": "AES256", "ike_integrity": "SHA384",
          "dh_group": "DHGroup24", "pfs_group": "PFS24"}


@pytest.fixture
def network(monkeypatch):
    fake = install_network(monkeypatch)
    fake.add(gateway(enable_bgp=True, asn=65010))
    fake.add(gateway("vpngw-dr", "rg-dr", sub=OTHER_SUB, enable_bgp=True, asn=65020, location="northeurope"))
    fake.add({"id": f"{HUB}/localNetworkGateways/lng-office", "name": "lng-office", "location": "westeurope",
              "properties": {"gatewayIpAddress": "203.0.113.10", "provisioningState": "Succeeded"}})
    monkeypatch.setattr(_azure.time, "sleep", lambda s: None)
    return fake


def assert_no_key(result, key):
    """The key is not in the result, and not masked out of it either: Ansible's no_log masking turns a leaked key into
    '********', so the mask showing up means the module returned the key."""
    text = json.dumps(result)
    assert key not in text
    assert "********" not in text


def connect(network, key_in_get=True):
    """Both ends as a first run leaves them; the GET of a connection answers its key or not (``key_in_get``), the
    sharedkey operation always does."""
    for rid, gw1, gw2, location in ((LOCAL_ID, HUB_GW, DR_GW, "westeurope"), (REMOTE_ID, DR_GW, HUB_GW, "northeurope")):
        network.add({"id": rid, "name": rid.rsplit("/", 1)[1], "location": location, "tags": {"keep": "me"},
                     "properties": {"connectionType": "Vnet2Vnet", "virtualNetworkGateway1": {"id": gw1},
                                    "virtualNetworkGateway2": {"id": gw2}, "connectionProtocol": "IKEv2",
                                    "enableBgp": False, "ipsecPolicies": [], "routingWeight": 7,
                                    "connectionStatus": "Connected", "provisioningState": "Succeeded"}})
        if key_in_get:
            network.store[rid.lower()]["properties"]["sharedKey"] = KEY
        network.keys[rid.lower()] = KEY


def test_vnet_to_vnet_creates_both_ends_with_the_same_key(run_module, network):
    result, failed = run_module(vpn_connection.main, dict(ARGS, shared_key=KEY, enable_bgp=True, ipsec_policy=POLICY,
                                                          _ansible_diff=True))
    assert not failed, result.get("msg")
    assert result["changed"] is True
    [(_m1, first, body1), (_m2, second, body2)] = written(network)
    assert (first, second) == (LOCAL_ID, REMOTE_ID)
    assert body1["properties"]["virtualNetworkGateway1"] == {"id": HUB_GW}
    assert body1["properties"]["virtualNetworkGateway2"] == {"id": DR_GW}
    assert body2["properties"]["virtualNetworkGateway1"] == {"id": DR_GW}
    assert body2["properties"]["virtualNetworkGateway2"] == {"id": HUB_GW}
    assert body1["properties"]["sharedKey"] == body2["properties"]["sharedKey"] == KEY
    assert body1["properties"]["ipsecPolicies"] == body2["properties"]["ipsecPolicies"]
    assert body1["properties"]["ipsecPolicies"][0]["ipsecEncryption"] == "GCMAES256"
    assert (body1["location"], body2["location"]) == ("westeurope", "northeurope")
    assert body1["properties"]["enableBgp"] is True and body1["properties"]["connectionType"] == "Vnet2Vnet"
    assert {s for _m, rid, _a in network.calls if rid.startswith(DR) for s in [OTHER_SUB]} == {OTHER_SUB}
    assert result["connection"]["connection_status"] == "Connected"
    assert result["remote_connection"]["name"] == "vpngw-dr-to-vpngw-hub"
    assert result["diff"]["after"]["connection"]["ipsec_policy"]["dh_group"] == "DHGroup24"
    assert_no_key(result, KEY)


def test_second_run_compares_the_key_and_writes_nothing(run_module, network):
    connect(network)
    result, failed = run_module(vpn_connection.main, dict(ARGS, shared_key=KEY, connection_protocol="IKEv2"))
    assert (failed, result["changed"]) == (False, False)
    assert network.writes == []
    assert sum(1 for _m, rid, _a in network.calls if rid.endswith("/sharedkey")) == 2


def test_a_new_key_is_written_to_both_ends_and_never_shown(run_module, network):
    connect(network)
    result, failed = run_module(vpn_connection.main, dict(ARGS, shared_key="another-key", _ansible_diff=True))
    assert not failed and result["changed"]
    [(_m1, _i1, body1), (_m2, _i2, body2)] = written(network)
    assert body1["properties"]["sharedKey"] == body2["properties"]["sharedKey"] == "another-key"
    assert body1["properties"]["routingWeight"] == 7 and body1["tags"] == {"keep": "me"}
    assert "connectionStatus" not in body1["properties"]
    assert result["diff"]["before"]["connection"] == {"shared_key": "(differs; not shown)"}
    assert_no_key(result, "another-key")
    assert_no_key(result, KEY)


@pytest.mark.parametrize("key_in_get", [True, False])
def test_an_update_without_a_key_sends_back_the_current_one(run_module, network, key_in_get):
    connect(network, key_in_get)
    result, failed = run_module(vpn_connection.main, dict(ARGS, tags={"env": "prod"}))
    assert not failed and result["changed"]
    [(_m1, _i1, body1), (_m2, _i2, body2)] = written(network)
    assert body1["properties"]["sharedKey"] == KEY and body2["properties"]["sharedKey"] == KEY
    assert body1["tags"] == {"env": "prod"}
    assert_no_key(result, KEY)


def test_check_mode_writes_nothing(run_module, network):
    result, failed = run_module(vpn_connection.main, dict(ARGS, shared_key=KEY, _ansible_check_mode=True,
                                                          _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    assert network.writes == []
    assert result["diff"]["before"] == {"connection": {"state": "absent"}, "remote_connection": {"state": "absent"}}
    assert result["connection"]["virtual_network_gateway_id"] == HUB_GW


def test_site_to_site(run_module, network):
    args = {"subscription_id": SUB, "name": "hub-to-office", "resource_group": "rg-hub",
            "virtual_network_gateway": "vpngw-hub", "local_network_gateway": "lng-office", "shared_key": KEY}
    result, failed = run_module(vpn_connection.main, args)
    assert not failed and result["changed"]
    [(_m, rid, body)] = written(network)
    assert rid == f"{HUB}/connections/hub-to-office"
    assert body["properties"]["connectionType"] == "IPsec"
    assert body["properties"]["localNetworkGateway2"] == {"id": f"{HUB}/localNetworkGateways/lng-office"}
    assert result["remote_connection"] == {}
    network.writes.clear()
    result, failed = run_module(vpn_connection.main, args)
    assert (failed, result["changed"]) == (False, False) and network.writes == []


def test_wait_connected_reports_the_last_status(run_module, network):
    def connecting(resource_id, stored):
        stored["properties"]["connectionStatus"] = "Connecting"
    network.put_hooks.append(connecting)
    result, failed = run_module(vpn_connection.main, dict(ARGS, shared_key=KEY, wait_connected=True, wait_timeout=1))
    assert failed
    assert "last status: hub-to-dr Connecting, vpngw-dr-to-vpngw-hub Connecting" in result["msg"]


def test_wait_connected_returns_once_both_are_connected(run_module, network):
    reads = []

    def later(resource_id):
        if resource_id.lower() == REMOTE_ID.lower():
            reads.append(resource_id)
            if len(reads) == 3:
                network.store[REMOTE_ID.lower()]["properties"]["connectionStatus"] = "Connected"

    def connecting(resource_id, stored):
        stored["properties"]["connectionStatus"] = "Connecting" if "vpngw-dr-to" in resource_id else "Connected"
    network.put_hooks.append(connecting)
    network.get_hooks.append(later)
    result, failed = run_module(vpn_connection.main, dict(ARGS, shared_key=KEY, wait_connected=True))
    assert not failed, result.get("msg")
    assert result["remote_connection"]["connection_status"] == "Connected"
    assert len(reads) >= 3


@pytest.mark.parametrize("args, message", [
    ({}, "shared_key: connection 'hub-to-dr' (resource group 'rg-hub') does not exist"),
    ({"shared_key": "has space"}, "shared_key: must be 1 to 128 printable ASCII characters"),
    ({"shared_key": KEY, "ipsec_policy": dict(POLICY, ipsec_integrity="SHA256")},
     "ipsec_policy.ipsec_integrity: with ipsec_encryption GCMAES256"),
    ({"shared_key": KEY, "ipsec_policy": dict(POLICY, sa_lifetime_seconds=60)}, "under Azure's minimum of 300"),
    ({"shared_key": KEY, "remote_virtual_network_gateway": "vpngw-missing"},
     "remote_virtual_network_gateway: gateway 'vpngw-missing' was not found"),
    ({"shared_key": KEY, "remote_virtual_network_gateway": "vpngw-hub"}, "is virtual_network_gateway itself"),
])
def test_bad_input_fails_before_any_write(run_module, network, args, message):
    result, failed = run_module(vpn_connection.main, dict(ARGS, **args))
    assert failed
    assert message in result["msg"]
    assert network.writes == []


def test_bgp_needs_it_on_both_gateways_with_different_asns(run_module, network):
    network.add(gateway("vpngw-dr", "rg-dr", sub=OTHER_SUB, enable_bgp=True, asn=65010, location="northeurope"))
    result, failed = run_module(vpn_connection.main, dict(ARGS, shared_key=KEY, enable_bgp=True))
    assert failed and "both gateways have ASN 65010" in result["msg"]
    network.add(gateway("vpngw-dr", "rg-dr", sub=OTHER_SUB, enable_bgp=False, location="northeurope"))
    result, failed = run_module(vpn_connection.main, dict(ARGS, shared_key=KEY, enable_bgp=True))
    assert failed and result["msg"].startswith("enable_bgp: gateway 'vpngw-dr' has BGP off")
    assert network.writes == []


def test_a_gateway_still_provisioning_fails_before_writing(run_module, network):
    network.add(gateway("vpngw-dr", "rg-dr", sub=OTHER_SUB, state="Updating", location="northeurope"))
    result, failed = run_module(vpn_connection.main, dict(ARGS, shared_key=KEY))
    assert failed and "gateway 'vpngw-dr' is still Updating" in result["msg"]
    assert network.writes == []


def test_a_connection_of_that_name_between_other_gateways_is_refused(run_module, network):
    connect(network)
    network.store[LOCAL_ID.lower()]["properties"]["virtualNetworkGateway2"] = {"id": f"{HUB}/virtualNetworkGateways/x"}
    result, failed = run_module(vpn_connection.main, dict(ARGS, shared_key=KEY))
    assert failed and result["msg"].startswith("name: connection 'hub-to-dr'") and "cannot change" in result["msg"]
    assert network.writes == []


def test_absent_deletes_both_ends(run_module, network):
    connect(network)
    result, failed = run_module(vpn_connection.main, dict(ARGS, state="absent"))
    assert not failed and result["changed"]
    assert [i for _m, i, _b in written(network, "DELETE")] == [LOCAL_ID, REMOTE_ID]
    result, failed = run_module(vpn_connection.main, dict(ARGS, state="absent"))
    assert (failed, result["changed"]) == (False, False)


@pytest.mark.parametrize("args", [
    dict(ARGS, remote_virtual_network_gateway="vpngw-missing"),
    {"subscription_id": SUB, "name": "hub-to-office", "resource_group": "rg-hub",
     "virtual_network_gateway": "vpngw-hub", "local_network_gateway": "lng-missing"},
])
def test_check_mode_predicts_a_connection_whose_gateway_an_earlier_task_would_create(run_module, network, args):
    result, failed = run_module(vpn_connection.main, dict(args, shared_key=KEY, _ansible_check_mode=True))
    assert not failed, result.get("msg")
    assert result["changed"] is True
    assert network.writes == []
    assert any("was not found" in w and "a real run fails unless it exists by then" in w for w in warnings_of(result))
    assert_no_key(result, KEY)
