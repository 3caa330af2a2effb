"""VPN gateways (issue 19) through the real network SDK over HTTPS: public IPs, gateway rules (GatewaySubnet, SKUs and
generations, public IP SKUs and zones, active-active, BGP ASNs), resize, point-to-site settings, local network
gateways, connections and their status (Vnet2Vnet, site-to-site with the device fixture), the shared key operation
and the delete rules. README "VPN gateways (issue 19)" names each behaviour's source."""

import time

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest

LOC, LOC2 = "westeurope", "northeurope"
NET_API = "2026-03-01"


def error_of(excinfo):
    return excinfo.value.status_code, excinfo.value.error.code


def net_id(clients, rg, kind, name):
    return f"/subscriptions/{clients.subscription}/resourceGroups/{rg}/providers/Microsoft.Network/{kind}/{name}"


def make_vnet(net, rg, name, prefix, gateway_subnet, location=LOC):
    return net.virtual_networks.begin_create_or_update(rg, name, {
        "location": location, "properties": {"addressSpace": {"addressPrefixes": [prefix]}, "subnets": [
            {"name": "GatewaySubnet", "properties": {"addressPrefix": gateway_subnet}}]}}).result()


def make_pip(net, rg, name, sku="Standard", method="Static", zones=None, location=LOC):
    body = {"location": location, "sku": {"name": sku}, "properties": {"publicIPAllocationMethod": method}}
    if zones:
        body["zones"] = zones
    return net.public_ip_addresses.begin_create_or_update(rg, name, body).result()


def gateway_body(vnet, pips, sku="VpnGw1", location=LOC, **props):
    configs = [{"name": f"ipconfig{i}", "properties": {
        "privateIPAllocationMethod": "Dynamic", "subnet": {"id": f"{vnet.id}/subnets/GatewaySubnet"},
        "publicIPAddress": {"id": pip.id}}} for i, pip in enumerate(pips)]
    body = {"gatewayType": "Vpn", "vpnType": "RouteBased", "sku": {"name": sku, "tier": sku},
            "ipConfigurations": configs}
    body.update(props)
    return {"location": location, "properties": body}


def make_gateway(net, rg, name, vnet, pips, **kw):
    return net.virtual_network_gateways.begin_create_or_update(rg, name, gateway_body(vnet, pips, **kw)).result()


@pytest.fixture
def rg(clients):
    clients.resource.resource_groups.create_or_update("rg-vpn", {"location": LOC})
    return "rg-vpn"


@pytest.fixture
def hub(clients, rg):
    """A hub VNet with a /27 GatewaySubnet and a Standard public IP."""
    net = clients.network
    return make_vnet(net, rg, "vnet-hub", "10.0.0.0/16", "10.0.255.0/27"), make_pip(net, rg, "pip-hub")


# ---- public IP addresses ---------------------------------------------------------------------------------------------
def test_public_ip_defaults_and_standard_must_be_static(clients, rg):
    net = clients.network
    basic = net.public_ip_addresses.begin_create_or_update(rg, "pip-basic", {"location": LOC}).result()
    assert (basic.sku.name, basic.sku.tier, basic.public_ip_allocation_method, basic.public_ip_address_version,
            basic.idle_timeout_in_minutes, basic.ip_address) == ("Basic", "Regional", "Dynamic", "IPv4", 4, None)
    with pytest.raises(HttpResponseError) as err:
        make_pip(net, rg, "pip-bad", sku="Standard", method="Dynamic")
    assert error_of(err) == (400, "StandardSkuPublicIPAddressesMustBeStatic")
    std = make_pip(net, rg, "pip-std", zones=["1", "2", "3"])
    assert std.ip_address.startswith("198.51.100.") and std.zones == ["1", "2", "3"]
    assert net.public_ip_addresses.get(rg, "pip-std").ip_address == std.ip_address


# ---- gateways: creation and the rules ---------------------------------------------------------------------------------
def test_gateway_with_a_public_ip_and_its_in_use_rules(clients, rg, hub):
    net = clients.network
    vnet, pip = hub
    gw = make_gateway(net, rg, "vgw-hub", vnet, [pip])
    assert (gw.provisioning_state, gw.sku.name, gw.vpn_gateway_generation, gw.bgp_settings.asn) == (
        "Succeeded", "VpnGw1", "Generation1", 65515)
    assert gw.ip_configurations[0].public_ip_address.id == pip.id
    assert gw.bgp_settings.bgp_peering_addresses[0].tunnel_ip_addresses == [pip.ip_address]
    shown = net.public_ip_addresses.get(rg, "pip-hub")
    assert shown.ip_configuration.id == f"{gw.id}/ipConfigurations/ipconfig0"
    with pytest.raises(HttpResponseError) as err:
        net.public_ip_addresses.begin_delete(rg, "pip-hub").result()
    assert error_of(err) == (400, "PublicIPAddressCannotBeDeleted")
    net.virtual_network_gateways.begin_delete(rg, "vgw-hub").result()
    net.public_ip_addresses.begin_delete(rg, "pip-hub").result()


def test_a_basic_ip_gets_its_address_once_a_basic_gateway_uses_it(clients, rg):
    net = clients.network
    vnet = make_vnet(net, rg, "vnet-b", "10.5.0.0/16", "10.5.255.0/29")
    pip = make_pip(net, rg, "pip-basic", sku="Basic", method="Dynamic")
    assert pip.ip_address is None
    make_gateway(net, rg, "vgw-basic", vnet, [pip], sku="Basic")
    assert net.public_ip_addresses.get(rg, "pip-basic").ip_address.startswith("198.51.100.")


def test_gateway_subnet_rules(clients, rg):
    net = clients.network
    pip = make_pip(net, rg, "pip")
    small = make_vnet(net, rg, "vnet-small", "10.1.0.0/16", "10.1.255.0/30")
    with pytest.raises(HttpResponseError) as err:
        make_gateway(net, rg, "vgw", small, [pip])
    assert error_of(err) == (400, "SubnetIsFull")
    smallest = make_vnet(net, rg, "vnet-29", "10.2.0.0/16", "10.2.255.0/29")
    assert make_gateway(net, rg, "vgw", smallest, [pip]).provisioning_state == "Succeeded"
    assert net.virtual_network_gateways.get(rg, "vgw").ip_configurations[0].private_ip_address == "10.2.255.4"


@pytest.mark.parametrize("sku, props, code", [
    ("VpnGw1", {"vpnGatewayGeneration": "Generation2"}, "VirtualNetworkGatewaySkuCannotBeCreatedForSpecifiedVmGeneration"),
    ("VpnGw5", {"vpnGatewayGeneration": "Generation1"}, "VirtualNetworkGatewaySkuCannotBeCreatedForSpecifiedVmGeneration"),
    ("VpnGw1", {"vpnType": "PolicyBased"}, "PolicyBasedVpnRequiresBasicSku"),
    ("VpnGw1AZ", {}, "VmssVpnGatewayPublicIpsMustHaveZonesConfigured"),
    ("VpnGw1", {"activeActive": True}, "ActiveActiveGatewayMustHaveExactlyTwoIpConfigurations"),
    ("VpnGw1", {"enableBgp": True, "bgpSettings": {"asn": 64500}}, "InvalidBgpAsn"),
    ("VpnGw9", {}, "InvalidRequestFormat"),
])
def test_gateway_sku_rules(clients, rg, hub, sku, props, code):
    net = clients.network
    vnet, pip = hub
    with pytest.raises(HttpResponseError) as err:
        make_gateway(net, rg, "vgw", vnet, [pip], sku=sku, **props)
    assert error_of(err) == (400, code)
    assert [g.name for g in net.virtual_network_gateways.list(rg)] == []


def test_public_ip_sku_and_zones_against_the_gateway_sku(clients, rg, hub):
    net = clients.network
    vnet, _ = hub
    basic = make_pip(net, rg, "pip-basic", sku="Basic", method="Dynamic")
    with pytest.raises(HttpResponseError) as err:
        make_gateway(net, rg, "vgw", vnet, [basic])
    assert error_of(err) == (400, "PublicIpWithBasicSkuNotAllowedOnVPNGateways")
    zonal = make_pip(net, rg, "pip-zonal", zones=["1", "2", "3"])
    with pytest.raises(HttpResponseError) as err:
        make_gateway(net, rg, "vgw", vnet, [zonal], sku="VpnGw1")
    assert error_of(err) == (400, "RegionalVmssVpnGatewayPublicIpsMustNotHaveZonesConfigured")
    gw = make_gateway(net, rg, "vgw", vnet, [zonal], sku="VpnGw2AZ", vpnGatewayGeneration="Generation2")
    assert (gw.sku.name, gw.vpn_gateway_generation) == ("VpnGw2AZ", "Generation2")


def test_active_active_gateway(clients, rg, hub):
    net = clients.network
    vnet, pip = hub
    second = make_pip(net, rg, "pip-hub-2")
    gw = make_gateway(net, rg, "vgw", vnet, [pip, second], activeActive=True)
    assert gw.active_active is True
    assert [c.private_ip_address for c in gw.ip_configurations] == ["10.0.255.4", "10.0.255.5"]
    assert len(gw.bgp_settings.bgp_peering_addresses) == 2


def test_gateway_creation_takes_azure_time_with_the_lro_shape(clients, rg, hub):
    net = clients.network
    vnet, pip = hub
    clients.control.config(latency="realistic", time_scale=0.0002)   # 2700 s -> 0.54 s
    path = net_id(clients, rg, "virtualNetworkGateways", "vgw")
    put = net.send_request(HttpRequest("PUT", f"{path}?api-version={NET_API}", json=gateway_body(vnet, [pip])))
    assert put.status_code == 201 and "Azure-AsyncOperation" in put.headers
    assert put.json()["properties"]["provisioningState"] == "Updating"
    start = time.monotonic()
    while net.virtual_network_gateways.get(rg, "vgw").provisioning_state != "Succeeded":
        assert time.monotonic() - start < 10
        time.sleep(0.05)
    assert time.monotonic() - start >= 0.3


# ---- resize, BGP, point-to-site ----------------------------------------------------------------------------------------
def test_resize_within_the_generation_only_upwards(clients, rg, hub):
    net = clients.network
    vnet, pip = hub
    make_gateway(net, rg, "vgw", vnet, [pip], sku="VpnGw1")
    resized = make_gateway(net, rg, "vgw", vnet, [pip], sku="VpnGw2")
    assert (resized.sku.name, resized.sku.tier, resized.ip_configurations[0].private_ip_address) == (
        "VpnGw2", "VpnGw2", "10.0.255.4")
    with pytest.raises(HttpResponseError) as err:
        make_gateway(net, rg, "vgw", vnet, [pip], sku="VpnGw1")
    assert error_of(err) == (400, "VirtualNetworkGatewaySkuCannotBeResized")
    with pytest.raises(HttpResponseError) as err:
        make_gateway(net, rg, "vgw", vnet, [pip], sku="VpnGw3", vpnGatewayGeneration="Generation2")
    assert error_of(err) == (400, "VirtualNetworkGatewaySkuCannotBeCreatedForSpecifiedVmGeneration")
    assert net.virtual_network_gateways.get(rg, "vgw").sku.name == "VpnGw2"


def test_basic_gateway_cannot_be_resized_nor_use_bgp(clients, rg):
    net = clients.network
    vnet = make_vnet(net, rg, "vnet-b", "10.5.0.0/16", "10.5.255.0/27")
    pip = make_pip(net, rg, "pip-basic", sku="Basic", method="Dynamic")
    with pytest.raises(HttpResponseError) as err:
        make_gateway(net, rg, "vgw", vnet, [pip], sku="Basic", enableBgp=True)
    assert error_of(err) == (400, "BgpNotSupportedForGatewaySku")
    policy = make_gateway(net, rg, "vgw", vnet, [pip], sku="Basic", vpnType="PolicyBased")
    assert policy.vpn_type == "PolicyBased"
    with pytest.raises(HttpResponseError) as err:
        make_gateway(net, rg, "vgw", vnet, [pip], sku="Basic", vpnType="RouteBased")
    assert error_of(err) == (400, "VpnTypeCannotBeChanged")


def test_bgp_settings(clients, rg, hub):
    net = clients.network
    vnet, pip = hub
    gw = make_gateway(net, rg, "vgw", vnet, [pip], enableBgp=True, bgpSettings={"asn": 65010})
    assert (gw.enable_bgp, gw.bgp_settings.asn, gw.bgp_settings.bgp_peering_address) == (True, 65010, "10.0.255.4")
    with pytest.raises(HttpResponseError) as err:   # Azure's reserved ASNs are refused for on-premises devices
        net.local_network_gateways.begin_create_or_update(rg, "lng", {"location": LOC, "properties": {
            "gatewayIpAddress": "203.0.113.10", "bgpSettings": {"asn": 65515, "bgpPeeringAddress": "192.168.0.1"},
            "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.1/32"]}}}).result()
    assert error_of(err) == (400, "InvalidBgpAsn")
    lng = net.local_network_gateways.begin_create_or_update(rg, "lng", {"location": LOC, "properties": {
        "gatewayIpAddress": "203.0.113.10", "bgpSettings": {"asn": 65050, "bgpPeeringAddress": "192.168.0.1"},
        "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.1/32"]}}}).result()
    assert (lng.bgp_settings.asn, lng.bgp_settings.bgp_peering_address, lng.bgp_settings.peer_weight) == (
        65050, "192.168.0.1", 0)


CERT = "MIIC5zCCAc+gAwIBAgIQFSwsLuUrCIdHwI3hzJbdBjANBgkqhkiG9w0BAQsFADAW"


def test_point_to_site_configuration(clients, rg, hub):
    net = clients.network
    vnet, pip = hub
    client = {"vpnClientAddressPool": {"addressPrefixes": ["172.16.201.0/24"]},
              "vpnClientProtocols": ["openvpn", "IkeV2"], "vpnAuthenticationTypes": ["Certificate", "AAD"],
              "vpnClientRootCertificates": [{"name": "P2SRootCert", "properties": {"publicCertData": CERT}}],
              "aadTenant": "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/",
              "aadAudience": "c632b3df-fb67-4d84-bdcf-b95ad541b5c8",
              "aadIssuer": "https://sts.windows.net/00000000-0000-0000-0000-000000000001/"}
    gw = make_gateway(net, rg, "vgw", vnet, [pip], vpnClientConfiguration=client)
    shown = net.virtual_network_gateways.get(rg, "vgw").vpn_client_configuration
    assert shown.vpn_client_address_pool.address_prefixes == ["172.16.201.0/24"]
    assert shown.vpn_client_protocols == ["OpenVPN", "IkeV2"]
    assert shown.vpn_authentication_types == ["Certificate", "AAD"]
    assert (shown.aad_tenant, shown.aad_audience) == (client["aadTenant"], client["aadAudience"])
    cert = shown.vpn_client_root_certificates[0]
    assert (cert.name, cert.public_cert_data, cert.id) == ("P2SRootCert", CERT,
                                                          f"{gw.id}/vpnClientRootCertificates/P2SRootCert")
    with pytest.raises(HttpResponseError) as err:
        make_gateway(net, rg, "vgw", vnet, [pip], vpnClientConfiguration=dict(
            client, vpnClientAddressPool={"addressPrefixes": ["172.16.201.1/24"]}))
    assert error_of(err) == (400, "InvalidCIDRNotation")


# ---- connections ------------------------------------------------------------------------------------------------------
@pytest.fixture
def two_regions(clients, rg, hub):
    """A gateway in each region."""
    net = clients.network
    vnet, pip = hub
    gw1 = make_gateway(net, rg, "vgw-hub", vnet, [pip])
    vnet2 = make_vnet(net, rg, "vnet-dr", "10.10.0.0/16", "10.10.255.0/27", location=LOC2)
    gw2 = make_gateway(net, rg, "vgw-dr", vnet2, [make_pip(net, rg, "pip-dr", location=LOC2)], location=LOC2)
    return gw1, gw2


def v2v(net, rg, name, local, remote, key, **props):
    body = {"connectionType": "Vnet2Vnet", "virtualNetworkGateway1": {"id": local.id},
            "virtualNetworkGateway2": {"id": remote.id}, "sharedKey": key}
    body.update(props)
    return net.virtual_network_gateway_connections.begin_create_or_update(
        rg, name, {"location": local.location, "properties": body}).result()


def status(net, rg, name):
    return net.virtual_network_gateway_connections.get(rg, name).connection_status


def test_vnet_to_vnet_reaches_connected_when_both_sides_match(clients, rg, two_regions):
    net = clients.network
    gw1, gw2 = two_regions
    one = v2v(net, rg, "hub-to-dr", gw1, gw2, "s3cret-Key")
    assert (one.connection_type, one.connection_protocol, one.shared_key, one.enable_bgp) == (
        "Vnet2Vnet", "IKEv2", "s3cret-Key", False)
    assert one.virtual_network_gateway1.id == gw1.id and one.virtual_network_gateway2.id == gw2.id
    assert status(net, rg, "hub-to-dr") == "NotConnected"          # the other side does not exist yet
    v2v(net, rg, "dr-to-hub", gw2, gw1, "s3cret-Key")
    assert {status(net, rg, "hub-to-dr"), status(net, rg, "dr-to-hub")} == {"Connected"}
    listed = clients.network.virtual_network_gateways.list_connections(rg, "vgw-hub")
    assert sorted(c.name for c in listed) == ["dr-to-hub", "hub-to-dr"]


def test_vnet_to_vnet_is_connecting_for_a_while_in_realistic_latency(clients, rg, two_regions):
    net = clients.network
    gw1, gw2 = two_regions
    clients.control.config(latency="realistic", time_scale=0.005)   # connection 120 s -> 0.6 s, tunnel 60 s -> 0.3 s
    v2v(net, rg, "hub-to-dr", gw1, gw2, "k")
    v2v(net, rg, "dr-to-hub", gw2, gw1, "k")
    seen = set()
    start = time.monotonic()
    while status(net, rg, "hub-to-dr") != "Connected":
        seen.add(status(net, rg, "hub-to-dr"))
        assert time.monotonic() - start < 10
        time.sleep(0.02)
    assert "Connecting" in seen


def test_key_mismatch_never_connects_until_the_key_is_set(clients, rg, two_regions):
    net = clients.network
    gw1, gw2 = two_regions
    v2v(net, rg, "hub-to-dr", gw1, gw2, "one-key")
    v2v(net, rg, "dr-to-hub", gw2, gw1, "another-key")
    assert {status(net, rg, "hub-to-dr"), status(net, rg, "dr-to-hub")} == {"NotConnected"}
    assert net.virtual_network_gateway_connections.get_shared_key(rg, "dr-to-hub").value == "another-key"
    result = net.virtual_network_gateway_connections.begin_set_shared_key(rg, "dr-to-hub", {"value": "one-key"}).result()
    assert result.value == "one-key"
    assert {status(net, rg, "hub-to-dr"), status(net, rg, "dr-to-hub")} == {"Connected"}


def test_incompatible_ipsec_policies_never_connect(clients, rg, two_regions):
    net = clients.network
    gw1, gw2 = two_regions
    policy = {"saLifeTimeSeconds": 27000, "saDataSizeKilobytes": 102400000, "ipsecEncryption": "AES256",
              "ipsecIntegrity": "SHA256", "ikeEncryption": "AES256", "ikeIntegrity": "SHA384", "dhGroup": "DHGroup24",
              "pfsGroup": "PFS24"}
    one = v2v(net, rg, "hub-to-dr", gw1, gw2, "k", ipsecPolicies=[policy])
    assert one.ipsec_policies[0].dh_group == "DHGroup24"
    v2v(net, rg, "dr-to-hub", gw2, gw1, "k", ipsecPolicies=[dict(policy, ipsecEncryption="GCMAES256",
                                                                 ipsecIntegrity="GCMAES256")])
    assert status(net, rg, "hub-to-dr") == "NotConnected"
    with pytest.raises(HttpResponseError) as err:
        v2v(net, rg, "bad", gw1, gw2, "k", ipsecPolicies=[dict(policy, dhGroup="DHGroup99")])
    assert error_of(err) == (400, "InvalidRequestFormat")


def test_site_to_site_with_the_device_fixture(clients, rg, hub):
    net = clients.network
    vnet, pip = hub
    gw = make_gateway(net, rg, "vgw-hub", vnet, [pip])
    lng = net.local_network_gateways.begin_create_or_update(rg, "lng-onprem", {"location": LOC, "properties": {
        "gatewayIpAddress": "203.0.113.10", "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.0/16"]}}}
    ).result()
    assert (lng.gateway_ip_address, lng.local_network_address_space.address_prefixes) == (
        "203.0.113.10", ["192.168.0.0/16"])
    conn = net.virtual_network_gateway_connections.begin_create_or_update(rg, "hub-to-onprem", {
        "location": LOC, "properties": {"connectionType": "IPsec", "virtualNetworkGateway1": {"id": gw.id},
                                        "localNetworkGateway2": {"id": lng.id}, "sharedKey": "onprem-key"}}).result()
    assert conn.local_network_gateway2.id == lng.id and conn.virtual_network_gateway2 is None
    assert status(net, rg, "hub-to-onprem") == "NotConnected"      # no device declared
    clients.control.vpn_device(ip_address="203.0.113.10", shared_key="wrong-key")
    assert status(net, rg, "hub-to-onprem") == "NotConnected"
    clients.control.vpn_device(ip_address="203.0.113.10", shared_key="onprem-key",
                               address_prefixes=["192.168.0.0/16"])
    assert status(net, rg, "hub-to-onprem") == "Connected"
    assert clients.control.vpn_devices() == [{"address": "203.0.113.10", "address_prefixes": ["192.168.0.0/16"],
                                              "bgp": None}]


def test_delete_rules_of_gateways_and_local_gateways(clients, rg, two_regions):
    net = clients.network
    gw1, gw2 = two_regions
    v2v(net, rg, "hub-to-dr", gw1, gw2, "k")
    lng = net.local_network_gateways.begin_create_or_update(rg, "lng", {"location": LOC, "properties": {
        "fqdn": "vpn.onprem.example", "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.0/16"]}}}).result()
    net.virtual_network_gateway_connections.begin_create_or_update(rg, "s2s", {"location": LOC, "properties": {
        "connectionType": "IPsec", "virtualNetworkGateway1": {"id": gw1.id}, "localNetworkGateway2": {"id": lng.id},
        "sharedKey": "k"}}).result()
    for gateway in ("vgw-hub", "vgw-dr"):          # the far end of a connection is in use as well
        with pytest.raises(HttpResponseError) as err:
            net.virtual_network_gateways.begin_delete(rg, gateway).result()
        assert error_of(err) == (400, "InUseVirtualNetworkGatewayCannotBeDeleted")
    with pytest.raises(HttpResponseError) as err:
        net.local_network_gateways.begin_delete(rg, "lng").result()
    assert error_of(err) == (400, "InUseLocalNetworkGatewayCannotBeDeleted")
    net.virtual_network_gateway_connections.begin_delete(rg, "s2s").result()
    net.local_network_gateways.begin_delete(rg, "lng").result()
    net.virtual_network_gateway_connections.begin_delete(rg, "hub-to-dr").result()
    net.virtual_network_gateways.begin_delete(rg, "vgw-dr").result()


def test_connection_references_are_checked(clients, rg, two_regions):
    net = clients.network
    gw1, gw2 = two_regions
    with pytest.raises(HttpResponseError) as err:
        v2v(net, rg, "x", gw1, type("Gw", (), {"id": gw2.id.replace("vgw-dr", "vgw-none")})(), "k")
    assert error_of(err) == (400, "InvalidResourceReference")
    with pytest.raises(HttpResponseError) as err:   # the connection lives in its first gateway's region
        net.virtual_network_gateway_connections.begin_create_or_update(rg, "x", {"location": LOC2, "properties": {
            "connectionType": "Vnet2Vnet", "virtualNetworkGateway1": {"id": gw1.id},
            "virtualNetworkGateway2": {"id": gw2.id}, "sharedKey": "k"}}).result()
    assert error_of(err) == (400, "InvalidResourceReference")


# ---- the scenario -------------------------------------------------------------------------------------------------------
def test_vpn_scenario_builds_both_regions_and_a_site_to_site_link(clients):
    loaded = clients.control.scenario("vpn")["loaded"]
    assert len(loaded) == 10   # 3 groups, 3 public IPs, 4 VNets
    net = clients.network
    assert {v.name: v.location for v in net.virtual_networks.list_all()} == {
        "vnet-hub": LOC, "vnet-region2": LOC2, "vnet-spoke1": LOC, "vnet-spoke2": LOC}
    assert net.subnets.get("rg-region2", "vnet-region2", "GatewaySubnet").address_prefix == "10.20.255.0/27"
    hub_vnet = net.virtual_networks.get("rg-hub", "vnet-hub")
    gw = make_gateway(net, "rg-hub", "vgw-hub", hub_vnet, [net.public_ip_addresses.get("rg-hub", "pip-vgw-hub")])
    lng = net.local_network_gateways.begin_create_or_update("rg-hub", "lng-onprem", {"location": LOC, "properties": {
        "gatewayIpAddress": "203.0.113.10", "localNetworkAddressSpace": {"addressPrefixes": ["192.168.0.0/16"]}}}
    ).result()
    net.virtual_network_gateway_connections.begin_create_or_update("rg-hub", "hub-to-onprem", {
        "location": LOC, "properties": {"connectionType": "IPsec", "virtualNetworkGateway1": {"id": gw.id},
                                        "localNetworkGateway2": {"id": lng.id}, "sharedKey": "onprem-shared-key"}}
    ).result()
    assert status(net, "rg-hub", "hub-to-onprem") == "Connected"


def test_a_template_deployment_writes_the_connection(clients, rg, two_regions):
    """`az network vpn-connection create` deploys an ARM template (deployments.py): the subset it uses."""
    gw1, gw2 = two_regions
    template = {"$schema": "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#",
                "contentVersion": "1.0.0.0", "parameters": {"sharedKey": {"type": "securestring"}}, "variables": {},
                "resources": [{"type": "Microsoft.Network/connections", "name": "hub-to-dr", "location": LOC,
                               "apiVersion": "2025-01-01", "dependsOn": [], "tags": {}, "properties": {
                                   "virtualNetworkGateway1": {"id": gw1.id}, "virtualNetworkGateway2": {"id": gw2.id},
                                   "connectionType": "Vnet2Vnet", "routingWeight": 10,
                                   "sharedKey": "[parameters('sharedKey')]"}}],
                "outputs": {"resource": {"type": "object", "value": "[reference('hub-to-dr')]"}}}
    path = (f"/subscriptions/{clients.subscription}/resourcegroups/{rg}/providers/Microsoft.Resources/deployments/"
            "vpn_connection_deploy_x?api-version=2024-11-01")
    net = clients.network
    put = net.send_request(HttpRequest("PUT", path, json={"properties": {
        "template": template, "parameters": {"sharedKey": {"value": "k"}}, "mode": "Incremental"}}))
    assert put.status_code == 201 and "/operationStatuses/" in put.headers["Azure-AsyncOperation"]
    assert net.send_request(HttpRequest("GET", put.headers["Azure-AsyncOperation"])).json()["status"] == "Succeeded"
    done = net.send_request(HttpRequest("GET", path)).json()["properties"]
    assert done["provisioningState"] == "Succeeded"
    assert done["parameters"] == {"sharedKey": {"type": "SecureString"}}
    assert done["outputs"]["resource"]["value"]["sharedKey"] == "k"
    assert done["outputResources"] == [{"id": net_id(clients, rg, "connections", "hub-to-dr")}]
    assert clients.network.virtual_network_gateway_connections.get(rg, "hub-to-dr").routing_weight == 10
    assert "Microsoft.Resources/deployments" not in {
        r.type for r in clients.resource.resources.list_by_resource_group(rg)}
