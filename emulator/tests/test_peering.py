"""Virtual network peerings through the real network SDK: the two-sided state machine, re-sync after an
address-space change, gateway transit, and every validation error (see providers/peering.py)."""

import pytest
from azure.core.exceptions import HttpResponseError

from privnet_emulator import SECOND_SUBSCRIPTION

LOC = "westeurope"


def make_rg(resource_client, name):
    resource_client.resource_groups.create_or_update(name, {"location": LOC})


def make_vnet(net, rg, name, prefixes, subnets=()):
    return net.virtual_networks.begin_create_or_update(rg, name, {
        "location": LOC,
        "properties": {"addressSpace": {"addressPrefixes": list(prefixes)},
                       "subnets": [{"name": n, "properties": {"addressPrefix": p}} for n, p in subnets]},
    }).result()


def peer(net, rg, vnet, name, remote, **props):
    """Create or update a peering; `remote` is the remote VNet (model) or its id."""
    remote_id = remote if isinstance(remote, str) else remote.id
    sync = props.pop("sync", None)
    body = {"properties": dict({"remoteVirtualNetwork": {"id": remote_id}}, **props)}
    kwargs = {"sync_remote_address_space": "true"} if sync else {}
    return net.virtual_network_peerings.begin_create_or_update(rg, vnet, name, body, **kwargs).result()


def get_peering(net, rg, vnet, name):
    return net.virtual_network_peerings.get(rg, vnet, name)


def error_of(excinfo):
    return excinfo.value.status_code, excinfo.value.error.code


def prefixes(space):
    return space.address_prefixes if space is not None else None


@pytest.fixture
def pair(clients):
    """Two VNets in rg1: a 10.0.0.0/16 and b 10.1.0.0/16."""
    make_rg(clients.resource, "rg1")
    a = make_vnet(clients.network, "rg1", "a", ["10.0.0.0/16"], [("s1", "10.0.1.0/24")])
    b = make_vnet(clients.network, "rg1", "b", ["10.1.0.0/16"])
    return a, b


def test_one_side_is_initiated_then_both_connected(clients, pair):
    net = clients.network
    a, b = pair
    ab = peer(net, "rg1", "a", "a-to-b", b)
    assert ab.peering_state == "Initiated"
    assert ab.peering_sync_level == "RemoteNotInSync"
    assert ab.provisioning_state == "Succeeded"
    assert ab.type == "Microsoft.Network/virtualNetworks/virtualNetworkPeerings"
    # Azure's defaults for what the client did not send.
    assert (ab.allow_virtual_network_access, ab.allow_forwarded_traffic, ab.allow_gateway_transit,
            ab.use_remote_gateways, ab.do_not_verify_remote_gateways) == (True, False, False, False, False)
    assert ab.peer_complete_vnets is True
    assert ab.enable_only_i_pv6_peering is False
    assert ab["properties"]["routeServiceVips"] == {}
    assert "remoteGateways" not in ab["properties"]
    assert prefixes(ab.remote_address_space) == ["10.1.0.0/16"]
    assert prefixes(ab.remote_virtual_network_address_space) == ["10.1.0.0/16"]
    assert prefixes(ab.local_address_space) == ["10.0.0.0/16"]
    assert prefixes(ab.local_virtual_network_address_space) == ["10.0.0.0/16"]
    # A child of the VNet: same etag as its VNet, and listed in the VNet.
    vnet_a = net.virtual_networks.get("rg1", "a")
    assert ab.etag == vnet_a.etag
    assert [p.name for p in vnet_a.virtual_network_peerings] == ["a-to-b"]

    # An update of a one-sided peering stays Initiated (ASO recording).
    ab = peer(net, "rg1", "a", "a-to-b", b, allowForwardedTraffic=True)
    assert (ab.peering_state, ab.allow_forwarded_traffic) == ("Initiated", True)

    ba = peer(net, "rg1", "b", "b-to-a", a)
    assert (ba.peering_state, ba.peering_sync_level) == ("Connected", "FullyInSync")
    ab = get_peering(net, "rg1", "a", "a-to-b")
    assert (ab.peering_state, ab.peering_sync_level) == ("Connected", "FullyInSync")
    assert ab.resource_guid == ba.resource_guid  # both sides share one guid, as in the azure-cli recording
    assert [p.peering_state for p in net.virtual_network_peerings.list("rg1", "b")] == ["Connected"]


def test_deleting_one_side_disconnects_the_other(clients, pair):
    net = clients.network
    a, b = pair
    peer(net, "rg1", "a", "a-to-b", b)
    peer(net, "rg1", "b", "b-to-a", a)
    net.virtual_network_peerings.begin_delete("rg1", "a", "a-to-b").result()
    assert list(net.virtual_network_peerings.list("rg1", "a")) == []
    ba = get_peering(net, "rg1", "b", "b-to-a")
    assert ba.peering_state == "Disconnected"

    # Re-creating the deleted side against a Disconnected remote peering is refused...
    with pytest.raises(HttpResponseError) as err:
        peer(net, "rg1", "a", "a-to-b", b)
    assert error_of(err) == (400, "RemotePeeringIsDisconnected")
    assert "/virtualNetworks/b/virtualNetworkPeerings/b-to-a" in err.value.error.message
    assert "Disconnected state" in err.value.error.message
    # ...until the Disconnected side is updated, which puts it back to Initiated.
    assert peer(net, "rg1", "b", "b-to-a", a).peering_state == "Initiated"
    assert peer(net, "rg1", "a", "a-to-b", b).peering_state == "Connected"
    assert get_peering(net, "rg1", "b", "b-to-a").peering_state == "Connected"


def test_deleting_the_remote_vnet_disconnects_and_a_missing_remote_is_refused(clients, pair):
    net = clients.network
    a, b = pair
    peer(net, "rg1", "a", "a-to-b", b)
    peer(net, "rg1", "b", "b-to-a", a)
    net.virtual_networks.begin_delete("rg1", "b").result()
    assert get_peering(net, "rg1", "a", "a-to-b").peering_state == "Disconnected"
    with pytest.raises(HttpResponseError) as err:
        peer(net, "rg1", "a", "a-to-b", b)
    assert error_of(err) == (400, "InvalidResourceReference")
    assert b.id in err.value.error.message

    with pytest.raises(HttpResponseError) as err:
        peer(net, "rg1", "a", "a-to-nowhere", b.id.replace("/b", "/nowhere"))
    assert error_of(err) == (400, "InvalidResourceReference")


def test_cross_resource_group_and_cross_subscription(clients):
    make_rg(clients.resource, "rg-a")
    make_rg(clients.resource, "rg-b")
    make_rg(clients.resource2, "rg-c")
    a = make_vnet(clients.network, "rg-a", "a", ["10.0.0.0/16"])
    b = make_vnet(clients.network, "rg-b", "b", ["10.1.0.0/16"])
    c = make_vnet(clients.network2, "rg-c", "c", ["10.2.0.0/16"])
    assert SECOND_SUBSCRIPTION in c.id
    assert peer(clients.network, "rg-a", "a", "a-to-b", b).peering_state == "Initiated"
    assert peer(clients.network, "rg-b", "b", "b-to-a", a).peering_state == "Connected"
    assert peer(clients.network, "rg-a", "a", "a-to-c", c).peering_state == "Initiated"
    ca = peer(clients.network2, "rg-c", "c", "c-to-a", a)
    assert (ca.peering_state, ca.peering_sync_level) == ("Connected", "FullyInSync")
    assert ca.remote_virtual_network.id == a.id
    ac = get_peering(clients.network, "rg-a", "a", "a-to-c")
    assert (ac.peering_state, prefixes(ac.remote_address_space)) == ("Connected", ["10.2.0.0/16"])
    assert get_peering(clients.network, "rg-a", "a", "a-to-b").peering_state == "Connected"


def test_overlapping_address_spaces_are_refused(clients, pair):
    net = clients.network
    a, _ = pair
    c = make_vnet(net, "rg1", "c", ["10.0.128.0/17", "192.168.0.0/24"])
    with pytest.raises(HttpResponseError) as err:
        peer(net, "rg1", "a", "a-to-c", c)
    assert error_of(err) == (400, "VnetAddressSpacesOverlap")
    message = err.value.error.message
    assert message.startswith(f"Cannot create or update peering {a.id}/virtualNetworkPeerings/a-to-c. ")
    assert f"Virtual networks {a.id} and {c.id} cannot be peered because their address spaces overlap." in message
    assert "Overlapping address prefixes: 10.0.128.0/17." in message
    assert list(net.virtual_network_peerings.list("rg1", "a")) == []


def test_overlap_with_a_vnet_already_peered_with_the_remote(clients, pair):
    net = clients.network
    a, b = pair
    peer(net, "rg1", "a", "a-to-b", b)
    peer(net, "rg1", "b", "b-to-a", a)
    d = make_vnet(net, "rg1", "d", ["10.0.5.0/24"])  # inside a's space, not b's
    with pytest.raises(HttpResponseError) as err:
        peer(net, "rg1", "d", "d-to-b", b)
    assert error_of(err) == (400, "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet")
    message = err.value.error.message
    assert f"overlaps with address space of virtual network {a.id} already peered with the second" in message
    assert "Overlapping address prefixes: 10.0.5.0/24." in message


def test_another_peering_to_the_same_remote_is_refused(clients, pair):
    net = clients.network
    _, b = pair
    peer(net, "rg1", "a", "a-to-b", b)
    with pytest.raises(HttpResponseError) as err:
        peer(net, "rg1", "a", "a-to-b-again", b)
    assert error_of(err) == (400, "AnotherPeeringAlreadyReferencesRemoteVnet")
    assert [p.name for p in net.virtual_network_peerings.list("rg1", "a")] == ["a-to-b"]


def test_remote_virtual_network_cannot_change(clients, pair):
    net = clients.network
    _, b = pair
    c = make_vnet(net, "rg1", "c", ["10.2.0.0/16"])
    peer(net, "rg1", "a", "a-to-b", b)
    with pytest.raises(HttpResponseError) as err:
        peer(net, "rg1", "a", "a-to-b", c)
    assert error_of(err) == (400, "PeeringRemoteVirtualNetworkCannotBeChanged")


def test_resync_after_an_address_space_change(clients, pair):
    net = clients.network
    a, b = pair
    peer(net, "rg1", "a", "a-to-b", b)
    peer(net, "rg1", "b", "b-to-a", a)
    etag_b = net.virtual_networks.get("rg1", "b").etag
    # Grow a's address space; a VNet PUT must carry its subnets.
    net.virtual_networks.begin_create_or_update("rg1", "a", {
        "location": LOC,
        "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16", "10.5.0.0/16"]},
                       "subnets": [{"name": "s1", "properties": {"addressPrefix": "10.0.1.0/24"}}]},
    }).result()
    assert net.virtual_networks.get("rg1", "b").etag != etag_b  # b's peering changed state

    ab = get_peering(net, "rg1", "a", "a-to-b")
    ba = get_peering(net, "rg1", "b", "b-to-a")
    assert (ab.peering_state, ab.peering_sync_level) == ("Connected", "LocalNotInSync")
    assert prefixes(ab.local_address_space) == ["10.0.0.0/16"]
    assert prefixes(ab.local_virtual_network_address_space) == ["10.0.0.0/16", "10.5.0.0/16"]
    assert (ba.peering_state, ba.peering_sync_level) == ("Connected", "RemoteNotInSync")
    assert prefixes(ba.remote_address_space) == ["10.0.0.0/16"]
    assert prefixes(ba.remote_virtual_network_address_space) == ["10.0.0.0/16", "10.5.0.0/16"]

    # A plain update re-syncs nothing.
    assert peer(net, "rg1", "b", "b-to-a", a).peering_sync_level == "RemoteNotInSync"
    # A sync PUT on the RemoteNotInSync side re-reads the remote space; a's side still has to sync.
    ba = peer(net, "rg1", "b", "b-to-a", a, sync=True)
    assert prefixes(ba.remote_address_space) == ["10.0.0.0/16", "10.5.0.0/16"]
    assert ba.peering_sync_level == "RemoteNotInSync"
    assert get_peering(net, "rg1", "a", "a-to-b").peering_sync_level == "LocalNotInSync"
    ab = peer(net, "rg1", "a", "a-to-b", b, sync=True)
    assert (ab.peering_state, ab.peering_sync_level) == ("Connected", "FullyInSync")
    assert prefixes(ab.local_address_space) == ["10.0.0.0/16", "10.5.0.0/16"]
    assert get_peering(net, "rg1", "b", "b-to-a").peering_sync_level == "FullyInSync"


def test_address_space_change_overlapping_a_peered_vnet_is_refused(clients, pair):
    net = clients.network
    a, b = pair
    peer(net, "rg1", "a", "a-to-b", b)
    with pytest.raises(HttpResponseError) as err:
        net.virtual_networks.begin_create_or_update("rg1", "a", {
            "location": LOC,
            "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16", "10.1.2.0/24"]},
                           "subnets": [{"name": "s1", "properties": {"addressPrefix": "10.0.1.0/24"}}]},
        }).result()
    assert error_of(err) == (400, "VnetAddressSpacesOverlap")
    assert "Overlapping address prefixes: 10.1.2.0/24." in err.value.error.message
    assert net.virtual_networks.get("rg1", "a").address_space.address_prefixes == ["10.0.0.0/16"]


# ---- gateway transit -------------------------------------------------------------------------
HUB = ("rg-hub", "vnet-hub")
SPOKES = [("rg-spokes", f"vnet-spoke{i}") for i in (1, 2, 3)]


def test_gateway_transit_hub_and_three_spokes(clients):
    net = clients.network
    clients.control.scenario("hub_spoke")
    hub = net.virtual_networks.get(*HUB)
    gateway = net.virtual_network_gateways.get("rg-hub", "vgw-hub")
    for rg, name in SPOKES:
        spoke = net.virtual_networks.get(rg, name)
        # Spoke side first: useRemoteGateways is accepted while the hub side does not exist yet.
        to_hub = peer(net, rg, name, f"{name}-to-hub", hub, useRemoteGateways=True, allowForwardedTraffic=True)
        assert to_hub.peering_state == "Initiated"
        from_hub = peer(net, *HUB, f"hub-to-{name}", spoke, allowGatewayTransit=True)
        assert (from_hub.peering_state, from_hub.peering_sync_level) == ("Connected", "FullyInSync")
        assert "remoteGateways" not in from_hub["properties"]
    for rg, name in SPOKES:
        to_hub = get_peering(net, rg, name, f"{name}-to-hub")
        assert (to_hub.peering_state, to_hub.use_remote_gateways) == ("Connected", True)
        assert to_hub["properties"]["remoteGateways"] == [{"id": gateway.id}]
    hub_side = list(net.virtual_network_peerings.list(*HUB))
    assert sorted(p.name for p in hub_side) == [f"hub-to-vnet-spoke{i}" for i in (1, 2, 3)]
    assert {(p.peering_state, p.allow_gateway_transit) for p in hub_side} == {("Connected", True)}

    # The gateway serves the spokes: it cannot be deleted while they use it.
    with pytest.raises(HttpResponseError) as err:
        net.virtual_network_gateways.begin_delete("rg-hub", "vgw-hub").result()
    assert error_of(err) == (400, "VirtualNetworkGatewayInUseByPeerings")
    assert "vnet-spoke1-to-hub" in err.value.error.message


def test_use_remote_gateways_errors(clients):
    net = clients.network
    clients.control.scenario("hub_spoke")
    hub = net.virtual_networks.get(*HUB)
    spoke1 = net.virtual_networks.get("rg-spokes", "vnet-spoke1")
    spoke2 = net.virtual_networks.get("rg-spokes", "vnet-spoke2")

    with pytest.raises(HttpResponseError) as err:
        peer(net, "rg-spokes", "vnet-spoke1", "s1-to-s2", spoke2, useRemoteGateways=True)
    assert error_of(err) == (400, "RemoteVnetHasNoGateways")
    assert err.value.error.message == (
        f"Peering {spoke1.id}/virtualNetworkPeerings/s1-to-s2 cannot have UseRemoteGateway flag set to true because "
        f"remote virtual network {spoke2.id} referenced by the peering does not have any gateways.")

    with pytest.raises(HttpResponseError) as err:
        peer(net, *HUB, "hub-to-s1", spoke1, useRemoteGateways=True)
    assert error_of(err) == (400, "VirtualNetworkHasGatewayCannotUseRemoteGateways")

    # The remote side exists without allowGatewayTransit: refused.
    peer(net, *HUB, "hub-to-s2", spoke2)
    with pytest.raises(HttpResponseError) as err:
        peer(net, "rg-spokes", "vnet-spoke2", "s2-to-hub", hub, useRemoteGateways=True)
    assert error_of(err) == (400, "RemotePeeringDoesNotAllowGatewayTransit")
    assert "AllowGatewayTransit flag set to false" in err.value.error.message
    peer(net, *HUB, "hub-to-s2", spoke2, allowGatewayTransit=True)
    assert peer(net, "rg-spokes", "vnet-spoke2", "s2-to-hub", hub, useRemoteGateways=True).peering_state == "Connected"

    # Only one peering per VNet may use remote gateways: a second hub with its own gateway.
    hub2 = make_vnet(net, "rg-hub", "vnet-hub2", ["10.50.0.0/16"], [("GatewaySubnet", "10.50.255.0/27")])
    net.virtual_network_gateways.begin_create_or_update("rg-hub", "vgw-hub2", {
        "location": LOC,
        "properties": {"gatewayType": "Vpn", "vpnType": "RouteBased", "sku": {"name": "VpnGw1", "tier": "VpnGw1"},
                       "ipConfigurations": [{"name": "default", "properties": {"subnet": {
                           "id": f"{hub2.id}/subnets/GatewaySubnet"}}}]},
    }).result()
    with pytest.raises(HttpResponseError) as err:
        peer(net, "rg-spokes", "vnet-spoke2", "s2-to-hub2", hub2, useRemoteGateways=True)
    assert error_of(err) == (400, "VnetCanOnlyHaveOnePeeringUsingRemoteGateways")
    assert peer(net, "rg-spokes", "vnet-spoke2", "s2-to-hub2", hub2).use_remote_gateways is False


def test_peering_write_waits_for_the_vnet(clients, pair):
    """A peering locks its VNet: a write while the VNet's own LRO runs is AnotherOperationInProgress."""
    net = clients.network
    _, b = pair
    clients.control.config(latency="realistic", time_scale=0.05)
    poller = net.virtual_networks.begin_create_or_update("rg1", "a", {
        "location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                                        "subnets": [{"name": "s1", "properties": {"addressPrefix": "10.0.1.0/24"}}]}})
    with pytest.raises(HttpResponseError) as err:
        peer(net, "rg1", "a", "a-to-b", b)
    assert error_of(err) == (409, "AnotherOperationInProgress")
    poller.result()
    assert peer(net, "rg1", "a", "a-to-b", b).peering_state == "Initiated"
