# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import copy

import pytest

from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.network import models

from ansible_collections.privnet.azure.plugins.module_utils import _azure, _peering
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.modules import vnet_peering
from ansible_collections.privnet.azure.tests.unit.helpers import FakePoller, arm_error, not_found, warnings_of


def vnet_id(sub, rg, name):
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"


class FakeArm:
    """Just enough of NRP for peerings: VNets (prefixes, gateway), peerings with the state machine
    (Initiated / Connected / Disconnected) and address-space sync, and a log of writes."""

    def __init__(self):
        self.vnets = {}      # id.lower() -> {"id", "prefixes", "gateway"}
        self.peerings = {}   # (vnet id.lower(), name.lower()) -> {"name", "props", "local", "remote", "disconnected"}
        self.writes = []     # (method, vnet name, peering name, sync)
        self.clients = []
        self.forbidden = set()
        self.unknown_subscriptions = set()  # a VNet read there answers 404 SubscriptionNotFound
        self.vnet_reads = []
        self.connect = True  # False: a second side never connects (to test the wait)
        self.put_error = None
        self.listed_gateways = {}  # rg -> gateways as the list call returns them
        self.gateway_lists = []

    def add_vnet(self, sub, rg, name, prefixes, gateway=False):
        vid = vnet_id(sub, rg, name)
        self.vnets[vid.lower()] = {"id": vid, "prefixes": list(prefixes), "gateway": gateway}
        return vid

    # ---- rendering ------------------------------------------------------------------------------
    def back(self, key):
        entry = self.peerings[key]
        remote = entry["props"]["remoteVirtualNetwork"]["id"].lower()
        for (vkey, _name), other in self.peerings.items():
            if vkey == remote and other["props"]["remoteVirtualNetwork"]["id"].lower() == key[0]:
                return other
        return None

    def state(self, key):
        entry = self.peerings[key]
        if entry["disconnected"]:
            return "Disconnected"
        back = self.back(key)
        return "Connected" if back is not None and not back["disconnected"] and self.connect else "Initiated"

    def render(self, key):
        entry = self.peerings[key]
        vnet = self.vnets[key[0]]
        remote = self.vnets[entry["props"]["remoteVirtualNetwork"]["id"].lower()]
        state = self.state(key)
        local_ok = sorted(entry["local"]) == sorted(vnet["prefixes"])
        remote_ok = sorted(entry["remote"]) == sorted(remote["prefixes"])
        level = "FullyInSync" if local_ok and remote_ok else (
            "RemoteNotInSync" if local_ok else "LocalNotInSync" if remote_ok else "LocalAndRemoteNotInSync")
        if state != "Connected":
            level = "RemoteNotInSync"
        props = dict(copy.deepcopy(entry["props"]), peeringState=state, peeringSyncLevel=level,
                     provisioningState="Succeeded",
                     localAddressSpace={"addressPrefixes": entry["local"]},
                     localVirtualNetworkAddressSpace={"addressPrefixes": vnet["prefixes"]},
                     remoteAddressSpace={"addressPrefixes": entry["remote"]},
                     remoteVirtualNetworkAddressSpace={"addressPrefixes": remote["prefixes"]})
        if props.get("useRemoteGateways") and remote["gateway"]:
            props["remoteGateways"] = [{"id": self.gateway_id(remote)}]
        return {"id": f"{vnet['id']}/virtualNetworkPeerings/{entry['name']}", "name": entry["name"],
                "properties": props}

    @staticmethod
    def gateway_id(vnet):
        return vnet["id"].split("/providers/")[0] + "/providers/Microsoft.Network/virtualNetworkGateways/vgw"

    def vnet_model(self, vid):
        vnet = self.vnets[vid.lower()]
        subnets = [{"name": "default", "id": f"{vnet['id']}/subnets/default", "properties": {}}]
        if vnet["gateway"] == "route_server":  # a Route Server (virtualHubs) in its RouteServerSubnet
            hub_id = vnet["id"].split("/providers/")[0] + "/providers/Microsoft.Network/virtualHubs/rs"
            subnets.append({"name": "RouteServerSubnet", "id": f"{vnet['id']}/subnets/RouteServerSubnet",
                            "properties": {"ipConfigurations": [{"id": hub_id + "/ipConfigurations/ipconfig1"}]}})
        elif vnet["gateway"] == "listed":  # a GatewaySubnet whose ipConfigurations the read leaves out
            subnets.append({"name": "GatewaySubnet", "id": f"{vnet['id']}/subnets/GatewaySubnet", "properties": {}})
        elif vnet["gateway"]:
            subnets.append({"name": "GatewaySubnet", "id": f"{vnet['id']}/subnets/GatewaySubnet", "properties": {
                "ipConfigurations": [{"id": self.gateway_id(vnet) + "/ipConfigurations/default"}]}})
        peerings = [self.render(k) for k in self.peerings if k[0] == vid.lower()]
        return models.VirtualNetwork({"id": vnet["id"], "name": vid.rsplit("/", 1)[1], "location": "westeurope",
                                      "properties": {"addressSpace": {"addressPrefixes": vnet["prefixes"]},
                                                     "subnets": subnets, "virtualNetworkPeerings": peerings}})

    # ---- the SDK surface ---------------------------------------------------------------------------
    def client(self, subscription):
        arm = self

        class VirtualNetworks:
            def get(self, rg, name):
                vid = vnet_id(subscription, rg, name)
                arm.vnet_reads.append(name)
                if subscription in arm.unknown_subscriptions:
                    raise arm_error(404, "SubscriptionNotFound", f"The subscription '{subscription}' could not be "
                                    "found.", cls=ResourceNotFoundError)
                if vid.lower() in arm.forbidden:
                    raise arm_error(403, "AuthorizationFailed", "no read")
                if vid.lower() not in arm.vnets:
                    raise not_found()
                return arm.vnet_model(vid)

        class Peerings:
            def get(self, rg, vnet, name):
                key = (vnet_id(subscription, rg, vnet).lower(), name.lower())
                if key not in arm.peerings:
                    raise not_found()
                return models.VirtualNetworkPeering(arm.render(key))

            def begin_create_or_update(self, rg, vnet, name, body, sync_remote_address_space=None):
                if arm.put_error is not None:
                    raise arm.put_error
                vid = vnet_id(subscription, rg, vnet)
                key = (vid.lower(), name.lower())
                arm.writes.append(("PUT", vnet, name, sync_remote_address_space))
                remote = arm.vnets[body["properties"]["remoteVirtualNetwork"]["id"].lower()]
                existing = arm.peerings.get(key)
                entry = {"name": name, "props": copy.deepcopy(body["properties"]), "disconnected": False,
                         "local": list(arm.vnets[vid.lower()]["prefixes"]), "remote": list(remote["prefixes"])}
                if existing is not None and sync_remote_address_space != "true":
                    entry["local"], entry["remote"] = existing["local"], existing["remote"]
                arm.peerings[key] = entry
                return FakePoller(result=models.VirtualNetworkPeering(arm.render(key)))

            def begin_delete(self, rg, vnet, name):
                key = (vnet_id(subscription, rg, vnet).lower(), name.lower())
                arm.writes.append(("DELETE", vnet, name, None))
                back = arm.back(key)
                del arm.peerings[key]
                if back is not None:
                    back["disconnected"] = True
                return FakePoller()

        class Gateways:
            def list(self, rg):
                arm.gateway_lists.append((subscription, rg))
                return [models.VirtualNetworkGateway(g) for g in arm.listed_gateways.get(rg.lower(), [])]

        class Client:
            virtual_networks = VirtualNetworks()
            virtual_network_peerings = Peerings()
            virtual_network_gateways = Gateways()

        return Client()

    def peer(self, vid, name, remote_vid, **props):
        """Create a peering directly (the estate before the task)."""
        body = {"remoteVirtualNetwork": {"id": remote_vid}, "allowVirtualNetworkAccess": True}
        body.update(props)
        self.peerings[(vid.lower(), name.lower())] = {
            "name": name, "props": body, "disconnected": False,
            "local": list(self.vnets[vid.lower()]["prefixes"]), "remote": list(self.vnets[remote_vid.lower()]["prefixes"])}


@pytest.fixture
def arm(monkeypatch):
    fake = FakeArm()
    fake.spoke = fake.add_vnet("11111111-1111-4111-8111-111111111111", "rg-spokes", "vnet-spoke1", ["10.1.0.0/16"])
    fake.hub = fake.add_vnet("11111111-1111-4111-8111-111111111111", "rg-hub", "vnet-hub", ["10.0.0.0/16"], gateway=True)

    def fake_client(self, name, subscription_id=None, tenant_id=None):
        subscription = subscription_id or self.params["subscription_id"]
        fake.clients.append((name, subscription) if tenant_id is None else (name, subscription, tenant_id))
        return fake.client(subscription)

    monkeypatch.setattr(AzureModule, "client", fake_client)
    monkeypatch.setattr(_azure.time, "sleep", lambda s: None)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    return fake


SPOKE_HUB = {"subscription_id": "11111111-1111-4111-8111-111111111111", "resource_group": "rg-spokes", "virtual_network": "vnet-spoke1",
             "remote_virtual_network": {"name": "vnet-hub", "resource_group": "rg-hub"}}
GATEWAY = dict(SPOKE_HUB, use_remote_gateways=True, remote={"allow_gateway_transit": True})


def test_creates_both_sides_transit_side_first(run_module, arm):
    result, failed = run_module(vnet_peering.main, GATEWAY)
    assert not failed, result
    assert result["changed"] is True
    assert [w[:3] for w in arm.writes] == [("PUT", "vnet-hub", "vnet-hub-to-vnet-spoke1"),
                                           ("PUT", "vnet-spoke1", "vnet-spoke1-to-vnet-hub")]
    assert result["peering_state"] == "Connected"
    local, remote = result["local"], result["remote"]
    assert (local["name"], remote["name"]) == ("vnet-spoke1-to-vnet-hub", "vnet-hub-to-vnet-spoke1")
    assert local["use_remote_gateways"] and local["allow_virtual_network_access"] and not local["allow_forwarded_traffic"]
    assert remote["allow_gateway_transit"] and not remote["use_remote_gateways"]
    assert remote["peering_state"] == "Connected" and remote["peering_sync_level"] == "FullyInSync"
    assert local["remote_gateways"] == [FakeArm.gateway_id(arm.vnets[arm.hub.lower()])]
    assert local["address_space"] == ["10.1.0.0/16"] and local["remote_address_space"] == ["10.0.0.0/16"]
    assert remote["resource_group"] == "rg-hub" and remote["virtual_network"] == "vnet-hub"


def test_second_run_changes_nothing_and_writes_nothing(run_module, arm):
    run_module(vnet_peering.main, GATEWAY)
    arm.writes.clear()
    result, failed = run_module(vnet_peering.main, GATEWAY)
    assert (failed, result["changed"]) == (False, False)
    assert arm.writes == []
    assert result["local"]["peering_state"] == "Connected"


def test_check_mode_predicts_without_writing(run_module, arm):
    result, failed = run_module(vnet_peering.main, dict(GATEWAY, _ansible_check_mode=True, _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    assert arm.writes == []
    assert result["peering_state"] == "Connected"
    assert result["local"]["use_remote_gateways"] is True
    assert result["remote"]["allow_gateway_transit"] is True
    assert result["diff"] == {
        "before": {"local": {"name": "vnet-spoke1-to-vnet-hub", "exists": False, "use_remote_gateways": None},
                   "remote": {"name": "vnet-hub-to-vnet-spoke1", "exists": False, "allow_gateway_transit": None}},
        "after": {"local": {"name": "vnet-spoke1-to-vnet-hub", "exists": True, "use_remote_gateways": True},
                  "remote": {"name": "vnet-hub-to-vnet-spoke1", "exists": True, "allow_gateway_transit": True}},
    }


def test_flags_left_out_are_kept_on_an_existing_peering(run_module, arm):
    arm.peer(arm.spoke, "spoke-hub", arm.hub, allowForwardedTraffic=True, allowVirtualNetworkAccess=False)
    arm.peer(arm.hub, "hub-spoke", arm.spoke)
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, remote={"allow_forwarded_traffic": True}))
    assert not failed
    # existing names adopted, spoke side untouched (access stays false), only the hub side written
    assert [w[:3] for w in arm.writes] == [("PUT", "vnet-hub", "hub-spoke")]
    assert result["local"]["name"] == "spoke-hub" and result["local"]["allow_virtual_network_access"] is False
    assert result["remote"]["allow_forwarded_traffic"] is True


def test_unmanaged_properties_are_sent_back(run_module, arm):
    arm.peer(arm.spoke, "vnet-spoke1-to-vnet-hub", arm.hub, doNotVerifyRemoteGateways=True, peerCompleteVnets=False,
             localSubnetNames=["default"], remoteSubnetNames=["snet-shared"])
    arm.peer(arm.hub, "vnet-hub-to-vnet-spoke1", arm.spoke)
    _result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, allow_forwarded_traffic=True))
    assert not failed
    props = arm.peerings[(arm.spoke.lower(), "vnet-spoke1-to-vnet-hub")]["props"]
    assert props["doNotVerifyRemoteGateways"] is True and props["peerCompleteVnets"] is False
    assert props["localSubnetNames"] == ["default"] and props["remoteSubnetNames"] == ["snet-shared"]
    assert props["allowForwardedTraffic"] is True and props["allowVirtualNetworkAccess"] is True
    assert "peeringState" not in props and "remoteAddressSpace" not in props


def test_manage_remote_false_writes_the_local_side_only(run_module, arm):
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, manage_remote=False))
    assert not failed
    assert [w[:3] for w in arm.writes] == [("PUT", "vnet-spoke1", "vnet-spoke1-to-vnet-hub")]
    assert result["peering_state"] == "Initiated"
    assert result["remote"]["exists"] is False and result["remote"]["managed"] is False
    assert any("Initiated" in w for w in warnings_of(result))


def test_manage_remote_false_without_read_rights_on_the_remote(run_module, arm):
    arm.forbidden.add(arm.hub.lower())
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, manage_remote=False))
    assert not failed, result
    assert result["remote"]["exists"] is None
    assert any("no permission to read" in w for w in warnings_of(result))
    assert [w[:3] for w in arm.writes] == [("PUT", "vnet-spoke1", "vnet-spoke1-to-vnet-hub")]


def test_forbidden_remote_fails_when_managed(run_module, arm):
    arm.forbidden.add(arm.hub.lower())
    result, failed = run_module(vnet_peering.main, SPOKE_HUB)
    assert failed
    assert "AuthorizationFailed" in result["msg"] and "vnet-hub" in result["msg"]
    assert arm.writes == []


def test_remote_in_another_subscription(run_module, arm):
    other = arm.add_vnet("22222222-2222-4222-8222-222222222222", "rg-shared", "vnet-shared", ["10.50.0.0/16"])
    result, failed = run_module(vnet_peering.main, dict(
        SPOKE_HUB, remote_virtual_network={"name": "vnet-shared", "resource_group": "rg-shared",
                                           "subscription_id": "22222222-2222-4222-8222-222222222222"}))
    assert not failed, result
    assert ("network", "22222222-2222-4222-8222-222222222222") in arm.clients
    assert result["remote"]["subscription_id"] == "22222222-2222-4222-8222-222222222222"
    assert result["local"]["remote_virtual_network_id"] == other
    assert result["peering_state"] == "Connected"


def test_remote_in_an_unknown_subscription_fails_with_the_azure_code(run_module, arm):
    # A 404 SubscriptionNotFound says the read went to the wrong place, not that the VNet is missing.
    arm.unknown_subscriptions.add("33333333-3333-4333-8333-333333333333")
    result, failed = run_module(vnet_peering.main, dict(
        SPOKE_HUB, remote_virtual_network={"name": "vnet-shared", "resource_group": "rg-shared",
                                           "subscription_id": "33333333-3333-4333-8333-333333333333"}))
    assert failed
    assert result["msg"] == (
        "reading virtual network 'vnet-shared' (resource group 'rg-shared', subscription "
        "'33333333-3333-4333-8333-333333333333'): SubscriptionNotFound: The subscription "
        "'33333333-3333-4333-8333-333333333333' could not be found.")
    assert arm.writes == []
    assert arm.vnet_reads == ["vnet-spoke1", "vnet-shared"]  # read once, not retried


def test_remote_given_as_id_and_names_chosen(run_module, arm):
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, remote_virtual_network=arm.hub,
                                                        name="to-hub", remote_name="to-spoke1"))
    assert not failed
    assert {w[2] for w in arm.writes} == {"to-hub", "to-spoke1"}
    assert result["local"]["name"] == "to-hub"


def test_resync_after_an_address_space_change(run_module, arm):
    run_module(vnet_peering.main, GATEWAY)
    arm.vnets[arm.spoke.lower()]["prefixes"].append("10.11.0.0/16")
    arm.writes.clear()
    check, _failed = run_module(vnet_peering.main, dict(GATEWAY, _ansible_check_mode=True, _ansible_diff=True))
    assert check["changed"] and arm.writes == []
    assert check["diff"]["before"]["local"]["peering_sync_level"] == "LocalNotInSync"
    assert check["diff"]["after"]["local"]["peering_sync_level"] == "FullyInSync"
    result, failed = run_module(vnet_peering.main, GATEWAY)
    assert not failed and result["changed"]
    assert sorted(w[1:] for w in arm.writes) == [("vnet-hub", "vnet-hub-to-vnet-spoke1", "true"),
                                                 ("vnet-spoke1", "vnet-spoke1-to-vnet-hub", "true")]
    assert result["local"]["peering_sync_level"] == "FullyInSync"
    assert result["remote"]["remote_address_space"] == ["10.1.0.0/16", "10.11.0.0/16"]
    arm.writes.clear()
    again, _failed = run_module(vnet_peering.main, GATEWAY)
    assert again["changed"] is False and arm.writes == []


def test_overlapping_address_spaces_fail_before_any_write(run_module, arm):
    arm.add_vnet("11111111-1111-4111-8111-111111111111", "rg-spokes", "vnet-overlap", ["10.1.128.0/17"])
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, remote_virtual_network="vnet-overlap"))
    assert failed
    assert "remote_virtual_network" in result["msg"]
    assert "10.1.0.0/16 overlaps 10.1.128.0/17" in result["msg"]
    assert result["overlapping_prefixes"] == [["10.1.0.0/16", "10.1.128.0/17"]]
    assert arm.writes == []


def test_overlap_with_a_vnet_already_peered_with_the_remote(run_module, arm):
    spoke2 = arm.add_vnet("11111111-1111-4111-8111-111111111111", "rg-spokes", "vnet-spoke2", ["10.1.128.0/17"])
    arm.peer(arm.hub, "hub-spoke2", spoke2)
    arm.peer(spoke2, "spoke2-hub", arm.hub)
    result, failed = run_module(vnet_peering.main, SPOKE_HUB)
    assert failed
    assert "vnet-spoke2, already peered with vnet-hub" in result["msg"]
    assert arm.writes == []


@pytest.mark.parametrize("setup,args,message", [
    (lambda a: None, dict(SPOKE_HUB, remote_virtual_network="vnet-spoke9", use_remote_gateways=True,
                          remote={"allow_gateway_transit": True}), "has no virtual network gateway"),
    (lambda a: None, dict(SPOKE_HUB, use_remote_gateways=True), "set remote.allow_gateway_transit: true"),
    (lambda a: None, dict(SPOKE_HUB, use_remote_gateways=True, remote={"allow_gateway_transit": False}),
     "set remote.allow_gateway_transit: true"),
    (lambda a: a.vnets[a.spoke.lower()].update(gateway=True), GATEWAY, "has its own gateway"),
    (lambda a: a.peer(a.spoke, "spoke-hub2", a.add_vnet("11111111-1111-4111-8111-111111111111", "rg-hub2", "vnet-hub2", ["10.100.0.0/16"], True),
                      useRemoteGateways=True), GATEWAY, "already uses remote gateways through peering 'spoke-hub2'"),
])
def test_gateway_checks_fail_before_any_write(run_module, arm, setup, args, message):
    arm.add_vnet("11111111-1111-4111-8111-111111111111", "rg-spokes", "vnet-spoke9", ["10.9.0.0/16"])
    setup(arm)
    result, failed = run_module(vnet_peering.main, args)
    assert failed
    assert result["msg"].startswith("use_remote_gateways: ")
    assert message in result["msg"]
    assert arm.writes == []


def test_check_mode_predicts_a_peering_to_a_gateway_an_earlier_task_would_create(run_module, arm):
    arm.add_vnet("11111111-1111-4111-8111-111111111111", "rg-spokes", "vnet-spoke9", ["10.9.0.0/16"])
    args = dict(SPOKE_HUB, remote_virtual_network="vnet-spoke9", use_remote_gateways=True,
                remote={"allow_gateway_transit": True}, _ansible_check_mode=True)
    result, failed = run_module(vnet_peering.main, args)
    assert not failed, result.get("msg")
    assert result["changed"] is True
    assert any("has no virtual network gateway" in w and "a real run fails unless it exists by then" in w
               for w in warnings_of(result))
    assert arm.writes == []


def test_a_route_server_in_the_hub_serves_as_its_remote_gateway(run_module, arm):
    # Microsoft Learn, Route Server FAQ: a spoke peered with a hub that has a Route Server and no VPN or
    # ExpressRoute gateway may use remote gateways.
    arm.vnets[arm.hub.lower()]["gateway"] = "route_server"
    result, failed = run_module(vnet_peering.main, GATEWAY)
    assert not failed, result
    assert any(w for w in arm.writes)


def test_a_remote_tenant_signs_the_remote_side_in_there_and_rides_along_as_auxiliary(run_module, arm):
    other = "22222222-2222-4222-8222-222222222222"
    remote = arm.add_vnet(other, "rg-b", "vnet-b", ["10.60.0.0/16"])
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, tenant="tenant-a", remote_virtual_network={
        "name": "vnet-b", "resource_group": "rg-b", "subscription_id": other, "tenant": "tenant-b"}))
    assert not failed, result
    assert ("network", other, "tenant-b") in arm.clients
    assert ("network", "11111111-1111-4111-8111-111111111111") in arm.clients
    assert remote


def test_gateway_found_by_listing_the_resource_group(run_module, arm):
    hub = arm.vnets[arm.hub.lower()]
    hub["gateway"] = "listed"
    arm.listed_gateways["rg-hub"] = [{"id": FakeArm.gateway_id(hub), "properties": {"ipConfigurations": [
        {"properties": {"subnet": {"id": arm.hub + "/subnets/GatewaySubnet"}}}]}}]
    result, failed = run_module(vnet_peering.main, GATEWAY)
    assert not failed, result
    assert ("11111111-1111-4111-8111-111111111111", "rg-hub") in arm.gateway_lists
    arm.listed_gateways["rg-hub"] = []
    arm.writes.clear()
    result, failed = run_module(vnet_peering.main, dict(GATEWAY, use_remote_gateways=True,
                                                        allow_forwarded_traffic=True))
    assert failed and "has no virtual network gateway" in result["msg"]
    assert arm.writes == []


def test_unmanaged_remote_without_transit_fails(run_module, arm):
    arm.peer(arm.hub, "vnet-hub-to-vnet-spoke1", arm.spoke, allowGatewayTransit=False)
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, manage_remote=False, use_remote_gateways=True))
    assert failed
    assert "does not allow gateway transit" in result["msg"] and "vnet-hub-to-vnet-spoke1" in result["msg"]
    assert arm.writes == []


def test_turning_transit_off_while_used_names_the_way_out(run_module, arm):
    run_module(vnet_peering.main, GATEWAY)
    arm.writes.clear()
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, remote={"allow_gateway_transit": False}))
    assert failed
    assert result["msg"].startswith("remote.allow_gateway_transit: vnet-spoke1 uses the gateway of vnet-hub")
    assert "Set use_remote_gateways: false" in result["msg"]
    assert arm.writes == []
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, use_remote_gateways=False,
                                                        remote={"allow_gateway_transit": False}))
    assert not failed
    assert [w[1] for w in arm.writes] == ["vnet-spoke1", "vnet-hub"]  # gateway use dropped first


def test_disconnected_side_is_brought_back_before_its_partner_is_created(run_module, arm):
    run_module(vnet_peering.main, GATEWAY)
    arm.peerings.pop((arm.hub.lower(), "vnet-hub-to-vnet-spoke1"))
    arm.peerings[(arm.spoke.lower(), "vnet-spoke1-to-vnet-hub")]["disconnected"] = True
    arm.writes.clear()
    result, failed = run_module(vnet_peering.main, dict(GATEWAY, _ansible_diff=True))
    assert not failed, result
    assert [(w[1], w[2]) for w in arm.writes] == [
        ("vnet-spoke1", "vnet-spoke1-to-vnet-hub"),
        ("vnet-hub", "vnet-hub-to-vnet-spoke1"),
        ("vnet-spoke1", "vnet-spoke1-to-vnet-hub"),
    ]
    assert result["diff"]["before"]["local"]["peering_state"] == "Disconnected"
    assert result["local"]["peering_state"] == "Connected" and result["local"]["use_remote_gateways"]


def test_disconnected_unmanaged_remote_is_reported_before_any_write(run_module, arm):
    arm.peer(arm.hub, "vnet-hub-to-vnet-spoke1", arm.spoke)
    arm.peerings[(arm.hub.lower(), "vnet-hub-to-vnet-spoke1")]["disconnected"] = True
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, manage_remote=False))
    assert failed
    assert result["msg"].startswith("manage_remote: peering 'vnet-hub-to-vnet-spoke1'") and "Disconnected" in result["msg"]
    assert arm.writes == []


def test_absent_removes_both_sides_then_nothing(run_module, arm):
    run_module(vnet_peering.main, GATEWAY)
    arm.writes.clear()
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, state="absent", _ansible_diff=True))
    assert not failed and result["changed"]
    assert [w[:3] for w in arm.writes] == [("DELETE", "vnet-spoke1", "vnet-spoke1-to-vnet-hub"),
                                           ("DELETE", "vnet-hub", "vnet-hub-to-vnet-spoke1")]
    assert result["diff"]["after"] == {"local": {"name": "vnet-spoke1-to-vnet-hub", "exists": False},
                                       "remote": {"name": "vnet-hub-to-vnet-spoke1", "exists": False}}
    arm.writes.clear()
    again, _failed = run_module(vnet_peering.main, dict(SPOKE_HUB, state="absent"))
    assert again["changed"] is False and arm.writes == []


def test_absent_in_check_mode_writes_nothing(run_module, arm):
    run_module(vnet_peering.main, GATEWAY)
    arm.writes.clear()
    result, _failed = run_module(vnet_peering.main, dict(SPOKE_HUB, state="absent", _ansible_check_mode=True))
    assert result["changed"] is True and arm.writes == []


def test_absent_local_only_leaves_the_remote_disconnected(run_module, arm):
    run_module(vnet_peering.main, SPOKE_HUB)
    arm.writes.clear()
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, state="absent", manage_remote=False))
    assert not failed
    assert [w[:3] for w in arm.writes] == [("DELETE", "vnet-spoke1", "vnet-spoke1-to-vnet-hub")]
    assert result["remote"]["peering_state"] == "Disconnected"
    assert any("Disconnected" in w for w in warnings_of(result))


def test_waiting_for_connected_times_out(run_module, arm):
    arm.connect = False
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, wait_timeout=1))
    assert failed
    assert "waiting for both sides of the peering to be Connected" in result["msg"]
    assert "Initiated" in result["msg"]


def test_wait_false_returns_after_the_writes(run_module, arm):
    arm.connect = False
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, wait=False))
    assert not failed and result["changed"]
    assert len(arm.writes) == 2


def test_azure_error_is_reported_with_its_code(run_module, arm):
    arm.put_error = arm_error(400, "VnetAddressSpacesOverlap", "Cannot create or update peering")
    result, failed = run_module(vnet_peering.main, SPOKE_HUB)
    assert failed
    assert "VnetAddressSpacesOverlap: Cannot create or update peering" in result["msg"]
    assert result["azure_error"]["code"] == "VnetAddressSpacesOverlap"


def test_missing_local_vnet(run_module, arm):
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, virtual_network="vnet-nowhere"))
    assert failed
    assert result["msg"].startswith("virtual_network: virtual network 'vnet-nowhere'") and "not found" in result["msg"]


def test_other_name_for_an_existing_peering_is_refused(run_module, arm):
    arm.peer(arm.spoke, "spoke-hub", arm.hub)
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, name="another"))
    assert failed
    assert "Set name: spoke-hub" in result["msg"]
    assert arm.writes == []


def test_a_name_used_towards_another_vnet_is_refused(run_module, arm):
    other = arm.add_vnet("11111111-1111-4111-8111-111111111111", "rg-spokes", "vnet-spoke2", ["10.2.0.0/16"])
    arm.peer(arm.spoke, "mine", other)
    result, failed = run_module(vnet_peering.main, dict(SPOKE_HUB, name="mine"))
    assert failed
    assert "cannot be changed" in result["msg"] and result["msg"].startswith("name: ")


@pytest.mark.parametrize("args,message", [
    (dict(SPOKE_HUB, remote={"allow_forwarded_traffic": True}, manage_remote=False), "remote: "),
    (dict(SPOKE_HUB, state="absent", allow_forwarded_traffic=True), "state: absent removes"),
    (dict(SPOKE_HUB, remote_virtual_network={"name": "vnet-hub", "group": "rg-hub"}),
     "remote_virtual_network: unknown key(s) group"),
    (dict(SPOKE_HUB, remote_virtual_network={"resource_group": "rg-hub"}), "remote_virtual_network: the dict form"),
    (dict(SPOKE_HUB, remote_virtual_network="vnet-spoke1"), "cannot be peered with itself"),
    (dict(SPOKE_HUB, remote_virtual_network=["vnet-hub"]), "remote_virtual_network: give"),
    (dict(SPOKE_HUB, name="to hub"), "name: 'to hub' is not a valid virtual network peering name"),
    (dict(SPOKE_HUB, remote_virtual_network="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/"
                                            "virtualNetworks/v/subnets/x"), "remote_virtual_network: "),
    (dict(SPOKE_HUB, virtual_network="-bad"), "virtual_network: '-bad'"),
])
def test_invalid_input_fails_before_calling_azure(run_module, arm, args, message):
    result, failed = run_module(vnet_peering.main, args)
    assert failed
    assert message in result["msg"]
    assert arm.clients == []


# ---- the pure helpers -------------------------------------------------------------------------

def test_overlaps_pairs_same_version_only():
    assert _peering.overlaps(["10.0.0.0/16", "fd00::/64"], ["10.0.128.0/17", "10.1.0.0/16"]) == [
        ("10.0.0.0/16", "10.0.128.0/17")]
    assert _peering.overlaps(["10.0.0.0/16"], ["fd00::/8"]) == []


def test_gateway_ids_from_the_gateway_subnet():
    vnet = models.VirtualNetwork({"properties": {"subnets": [
        {"name": "gatewaysubnet", "properties": {"ipConfigurations": [
            {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/g/"
                   "ipConfigurations/a"},
            {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/g/"
                   "ipConfigurations/b"}]}},
        {"name": "default", "properties": {"ipConfigurations": [
            {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n/"
                   "ipConfigurations/c"}]}}]}})
    assert _peering.gateway_ids(vnet) == [
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworkGateways/g"]
    assert _peering.has_gateway_subnet(vnet)


def test_route_server_ids_from_the_route_server_subnet():
    hub = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualHubs/rs-hub"
    vnet = models.VirtualNetwork({"properties": {"subnets": [
        {"name": "RouteServerSubnet", "properties": {"ipConfigurations": [{"id": f"{hub}/ipConfigurations/ipconfig1"}]}},
        {"name": "GatewaySubnet", "properties": {}}]}})
    assert _peering.route_server_ids(vnet) == [hub]
    assert _peering.gateway_ids(vnet) == []


def test_gateway_uses_vnet():
    gateway = models.VirtualNetworkGateway({"properties": {"ipConfigurations": [{"properties": {"subnet": {
        "id": vnet_id("s", "rg", "v") + "/subnets/GatewaySubnet"}}}]}})
    assert _peering.gateway_uses_vnet(gateway, vnet_id("S", "RG", "V"))
    assert not _peering.gateway_uses_vnet(gateway, vnet_id("s", "rg", "other"))


@pytest.mark.parametrize("props,expected", [
    ({"peeringState": "Connected", "localAddressSpace": {"addressPrefixes": ["a"]},
      "localVirtualNetworkAddressSpace": {"addressPrefixes": ["a"]}, "remoteAddressSpace": {"addressPrefixes": ["b"]},
      "remoteVirtualNetworkAddressSpace": {"addressPrefixes": ["b"]}, "peeringSyncLevel": "LocalNotInSync"}, False),
    ({"peeringState": "Connected", "remoteAddressSpace": {"addressPrefixes": ["b"]},
      "remoteVirtualNetworkAddressSpace": {"addressPrefixes": ["b", "c"]}}, True),
    ({"peeringState": "Connected", "peeringSyncLevel": "RemoteNotInSync"}, True),
    ({"peeringState": "Connected", "peeringSyncLevel": "FullyInSync"}, False),
    ({"peeringState": "Initiated", "peeringSyncLevel": "RemoteNotInSync"}, False),
])
def test_needs_sync(props, expected):
    assert _peering.needs_sync(models.VirtualNetworkPeering({"properties": props})) is expected


def test_peering_body_keeps_only_writable_properties():
    current = models.VirtualNetworkPeering({"id": "/p", "name": "p", "etag": "W/x", "properties": {
        "remoteVirtualNetwork": {"id": "/remote"}, "peeringState": "Connected", "doNotVerifyRemoteGateways": True,
        "remoteAddressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "allowForwardedTraffic": True}})
    body = _peering.peering_body(current, dict(_peering.CREATE_DEFAULTS, use_remote_gateways=True), "/other")
    assert body == {"properties": {"remoteVirtualNetwork": {"id": "/remote"}, "doNotVerifyRemoteGateways": True,
                                   "allowVirtualNetworkAccess": True, "allowForwardedTraffic": False,
                                   "allowGatewayTransit": False, "useRemoteGateways": True}}
