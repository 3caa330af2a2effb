"""VNets, subnets, gateways and service endpoint policies through the real network SDK: ARM's validation
errors, "a PUT replaces the whole VNet", read-modify-write of subnets, busy VNets, list pagination."""

import threading
import time

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.network import NetworkManagementClient

LOC = "westeurope"
SUB_ID = "/subscriptions/{sub}/resourceGroups/rg1/providers/Microsoft.Network"
NET_API, DNS_API = "2026-03-01", "2024-06-01"


def make_rg(clients, name="rg1"):
    clients.resource.resource_groups.create_or_update(name, {"location": LOC})


def vnet_body(prefixes, subnets=(), location=LOC):
    return {"location": location,
            "properties": {"addressSpace": {"addressPrefixes": list(prefixes)},
                           "subnets": [{"name": n, "properties": {"addressPrefix": p}} for n, p in subnets]}}


def make_vnet(net, name, prefixes, subnets=(), rg="rg1", location=LOC):
    return net.virtual_networks.begin_create_or_update(rg, name, vnet_body(prefixes, subnets, location)).result()


def make_gateway(net, name, subnet_id, rg="rg1", location=LOC):
    return net.virtual_network_gateways.begin_create_or_update(rg, name, {
        "location": location,
        "properties": {"gatewayType": "Vpn", "vpnType": "RouteBased", "sku": {"name": "VpnGw1", "tier": "VpnGw1"},
                       "ipConfigurations": [{"name": "default", "properties": {
                           "privateIPAllocationMethod": "Dynamic", "subnet": {"id": subnet_id}}}]},
    }).result()


def raw(client, method, path, body=None, api=NET_API):
    """One request through the SDK's pipeline, to see the wire: status, headers, body keys."""
    url = path if "api-version=" in path else f"{path}?api-version={api}"
    return client.send_request(HttpRequest(method, url, json=body))


def error_of(excinfo):
    return excinfo.value.status_code, excinfo.value.error.code


@pytest.fixture
def rg(clients):
    make_rg(clients)
    return "rg1"


# ---- address validation ------------------------------------------------------------------------
def test_invalid_cidr_notation(clients, rg):
    net = clients.network
    with pytest.raises(HttpResponseError) as err:
        make_vnet(net, "v1", ["10.0.0.1/16"])
    assert error_of(err) == (400, "InvalidCIDRNotation")
    assert "For the given prefix length, the address prefix should be 10.0.0.0/16." in err.value.error.message
    make_vnet(net, "v1", ["10.0.0.0/16"])
    with pytest.raises(HttpResponseError) as err:
        net.subnets.begin_create_or_update(rg, "v1", "s1", {"properties": {"addressPrefix": "10.0.1.5/24"}}).result()
    assert error_of(err) == (400, "InvalidCIDRNotation")
    assert list(net.subnets.list(rg, "v1")) == []


def test_subnet_outside_the_vnet(clients, rg):
    net = clients.network
    with pytest.raises(HttpResponseError) as err:
        make_vnet(net, "v1", ["10.0.0.0/16"], [("s1", "10.1.0.0/24")])
    assert error_of(err) == (400, "NetcfgSubnetRangeOutsideVnet")
    assert err.value.error.message == ("Subnet 's1' is not valid because its IP address range is outside the IP "
                                       "address range of virtual network 'v1'.")
    make_vnet(net, "v1", ["10.0.0.0/16"])
    with pytest.raises(HttpResponseError) as err:
        net.subnets.begin_create_or_update(rg, "v1", "s2", {"properties": {"addressPrefix": "10.9.0.0/24"}}).result()
    assert error_of(err) == (400, "NetcfgSubnetRangeOutsideVnet")


def test_overlapping_subnets(clients, rg):
    net = clients.network
    with pytest.raises(HttpResponseError) as err:
        make_vnet(net, "v1", ["10.0.0.0/16"], [("s1", "10.0.0.0/24"), ("s2", "10.0.0.128/25")])
    assert error_of(err) == (400, "NetcfgSubnetRangesOverlap")
    make_vnet(net, "v1", ["10.0.0.0/16"], [("s1", "10.0.0.0/24")])
    with pytest.raises(HttpResponseError) as err:
        net.subnets.begin_create_or_update(rg, "v1", "s2", {"properties": {"addressPrefix": "10.0.0.0/23"}}).result()
    assert error_of(err) == (400, "NetcfgSubnetRangesOverlap")
    assert err.value.error.message == ("Subnet 's2' is not valid because its IP address range overlaps with that "
                                       "of an existing subnet in virtual network 'v1'.")


# ---- PUT semantics -----------------------------------------------------------------------------------
def test_a_vnet_put_replaces_its_subnets(clients, rg):
    net = clients.network
    make_vnet(net, "v1", ["10.0.0.0/16"], [("s1", "10.0.1.0/24"), ("s2", "10.0.2.0/24")])
    vnet = make_vnet(net, "v1", ["10.0.0.0/16"], [("s2", "10.0.2.0/24"), ("s3", "10.0.3.0/24")])
    assert [s.name for s in vnet.subnets] == ["s2", "s3"]
    assert sorted(s.name for s in net.subnets.list(rg, "v1")) == ["s2", "s3"]
    with pytest.raises(HttpResponseError) as err:
        net.subnets.get(rg, "v1", "s1")
    assert error_of(err) == (404, "NotFound")
    # Omitting `subnets` removes them all.
    vnet = net.virtual_networks.begin_create_or_update(rg, "v1", {
        "location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}).result()
    assert vnet.subnets == []


def test_vnet_tag_update_keeps_subnets(clients, rg):
    net = clients.network
    make_vnet(net, "v1", ["10.0.0.0/16"], [("s1", "10.0.1.0/24")])
    vnet = net.virtual_networks.update_tags(rg, "v1", {"tags": {"env": "test"}})
    assert (vnet.tags, [s.name for s in vnet.subnets]) == ({"env": "test"}, ["s1"])
    assert [s.name for s in net.subnets.list(rg, "v1")] == ["s1"]


def test_subnet_read_modify_write_keeps_every_other_property(clients, rg):
    net = clients.network
    make_vnet(net, "v1", ["10.0.0.0/16"])
    nsg_id = SUB_ID.format(sub=clients.subscription) + "/networkSecurityGroups/nsg1"
    net.network_security_groups.begin_create_or_update(rg, "nsg1", {"location": LOC}).result()  # must exist
    net.subnets.begin_create_or_update(rg, "v1", "s1", {"properties": {
        "addressPrefix": "10.0.1.0/24",
        "networkSecurityGroup": {"id": nsg_id},
        "serviceEndpoints": [{"service": "Microsoft.Storage"}],
        "delegations": [{"name": "aci", "properties": {"serviceName": "Microsoft.ContainerInstance/containerGroups"}}],
        "privateEndpointNetworkPolicies": "Enabled",
    }}).result()
    subnet = net.subnets.get(rg, "v1", "s1")
    subnet.private_endpoint_network_policies = "Disabled"  # the ACR procedure's step 1
    updated = net.subnets.begin_create_or_update(rg, "v1", "s1", subnet).result()
    assert updated.private_endpoint_network_policies == "Disabled"
    assert updated.network_security_group.id == nsg_id
    assert [(e.service, e.locations) for e in updated.service_endpoints] == [
        ("Microsoft.Storage", ["westeurope", "northeurope"])]
    assert [(d.name, d.service_name) for d in updated.delegations] == [
        ("aci", "Microsoft.ContainerInstance/containerGroups")]
    assert updated.delegations[0].id == f"{updated.id}/delegations/aci"
    assert updated.address_prefix == "10.0.1.0/24"


def test_service_endpoint_locations_are_filled_by_the_server(clients, rg):
    net = clients.network
    make_vnet(net, "v1", ["10.0.0.0/16"])
    subnet = net.subnets.begin_create_or_update(rg, "v1", "s1", {"properties": {
        "addressPrefix": "10.0.1.0/24",
        "serviceEndpoints": [{"service": "Microsoft.Storage"}, {"service": "Microsoft.Sql"},
                             {"service": "Microsoft.KeyVault"}, {"service": "Microsoft.ServiceBus",
                                                                 "locations": ["westeurope"]}]}}).result()
    assert [(e.service, e.locations, e.provisioning_state) for e in subnet.service_endpoints] == [
        ("Microsoft.Storage", ["westeurope", "northeurope"], "Succeeded"),
        ("Microsoft.Sql", ["westeurope"], "Succeeded"),
        ("Microsoft.KeyVault", ["*"], "Succeeded"),
        ("Microsoft.ServiceBus", ["westeurope"], "Succeeded"),
    ]


def test_unknown_service_endpoint_is_rejected(clients, rg):
    net = clients.network
    make_vnet(net, "v1", ["10.0.0.0/16"])
    with pytest.raises(HttpResponseError) as err:
        net.subnets.begin_create_or_update(rg, "v1", "s1", {"properties": {
            "addressPrefix": "10.0.1.0/24", "serviceEndpoints": [{"service": "Microsoft.Nope"}]}}).result()
    assert error_of(err) == (400, "InvalidServiceNameOnSubnet")
    assert "Microsoft.Nope" in err.value.error.message


def test_list_pagination_follows_next_link(clients, rg):
    net = clients.network
    for i in range(5):
        make_vnet(net, f"v{i}", [f"10.{i}.0.0/16"])
    clients.control.config(page_size=2)
    clients.control.clear_log()
    assert [v.name for v in net.virtual_networks.list(rg)] == ["v0", "v1", "v2", "v3", "v4"]
    gets = clients.control.log(kind="arm", method="GET")
    assert len(gets) == 3
    assert all(g["path"].endswith("/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks") for g in gets)
    assert [g["status"] for g in gets] == [200, 200, 200]
    # Subscription-wide listing pages the same way.
    assert len(list(net.virtual_networks.list_all())) == 5


# ---- wire shape, as the recordings show it -------------------------------------------------------------------
def test_vnet_and_subnet_wire_shape(clients, rg):
    net = clients.network
    vnet = SUB_ID.format(sub=clients.subscription) + "/virtualNetworks/v1"
    put = raw(net, "PUT", vnet, vnet_body(["10.0.0.0/16"]))
    assert put.status_code == 201 and "ETag" not in put.headers     # NRP sends ETag on GETs only
    assert "tags" not in put.json() and "dhcpOptions" not in put.json()["properties"]   # only when sent
    got = raw(net, "GET", vnet)
    assert got.headers["ETag"] == got.json()["etag"]
    # Enum values are read case-insensitively and echoed in NRP's casing; delegations are always listed.
    subnet = raw(net, "PUT", f"{vnet}/subnets/s1", {"properties": {
        "addressPrefix": "10.0.1.0/24", "privateEndpointNetworkPolicies": "disabled",
        "privateLinkServiceNetworkPolicies": "DISABLED"}})
    assert subnet.status_code == 201 and "ETag" not in subnet.headers
    props = subnet.json()["properties"]
    assert (props["privateEndpointNetworkPolicies"], props["privateLinkServiceNetworkPolicies"],
            props["delegations"]) == ("Disabled", "Disabled", [])
    bad = raw(net, "PUT", f"{vnet}/subnets/s2", {"properties": {"addressPrefix": "10.0.2.0/24",
                                                                 "privateEndpointNetworkPolicies": "Sometimes"}})
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "InvalidRequestFormat")
    # A DELETE's Location poll answers with both operation URLs again, also once done.
    deleted = raw(net, "DELETE", f"{vnet}/subnets/s1")
    assert deleted.status_code == 202
    result = raw(net, "GET", deleted.headers["Location"])
    assert result.status_code == 204
    assert (result.headers["Azure-AsyncOperation"], result.headers["Location"]) == (
        deleted.headers["Azure-AsyncOperation"], deleted.headers["Location"])


def test_missing_parent_and_missing_group(clients, rg):
    net = clients.network
    vnet = SUB_ID.format(sub=clients.subscription) + "/virtualNetworks/v1"
    make_vnet(net, "v1", ["10.0.0.0/16"], [("s1", "10.0.1.0/24")])
    net.virtual_networks.begin_delete(rg, "v1").result()
    # A DELETE of something gone is 204, its parent gone too; a PUT needs the parent.
    assert raw(net, "DELETE", f"{vnet}/subnets/s1").status_code == 204
    put = raw(net, "PUT", f"{vnet}/subnets/s1", {"properties": {"addressPrefix": "10.0.1.0/24"}})
    assert (put.status_code, put.json()["error"]["code"]) == (404, "ResourceNotFound")
    # With the group gone, ARM names the (regional) parent of a child, and the group otherwise.
    clients.resource.resource_groups.begin_delete(rg).result()
    child = raw(net, "DELETE", f"{vnet}/subnets/s1")
    assert (child.status_code, child.json()["error"]["code"]) == (404, "ResourceNotFound")
    assert "'Microsoft.Network/virtualNetworks/v1'" in child.json()["error"]["message"]
    top = raw(net, "DELETE", vnet)
    assert (top.status_code, top.json()["error"]["code"]) == (404, "ResourceGroupNotFound")
    link = raw(clients.privatedns, "DELETE", vnet.replace("virtualNetworks/v1", "privateDnsZones/z.example/"
                                                          "virtualNetworkLinks/l1"), api=DNS_API)
    assert (link.status_code, link.json()["error"]["code"]) == (404, "ResourceGroupNotFound")


# ---- busy VNets ------------------------------------------------------------------------------------
# The operation that makes the VNet busy runs with time_scale 100 (minutes), so the next write surely meets it, and
# control.advance() ends it: no race with the clock. The refused writes' Retry-After is scaled by 0.05.
SLOW, QUICK = {"latency": "realistic", "time_scale": 100.0}, {"time_scale": 0.05}


def subnet_lro(net, name, prefix, **kwargs):
    """Start a subnet write and return as soon as the initial response is in."""
    return net.subnets.begin_create_or_update("rg1", "v1", name, {"properties": {"addressPrefix": prefix}}, **kwargs)


def start_busy(clients, name, prefix):
    """Start a subnet write whose operation lasts until control.advance() (no SDK polling thread)."""
    clients.control.config(**SLOW)
    subnet_lro(clients.network, name, prefix, polling=False)
    assert clients.network.subnets.get("rg1", "v1", name).provisioning_state == "Updating"
    clients.control.config(**QUICK)


def advance_once_refused(control, path):
    """End the pending operation as soon as the log shows a write to `path` refused with 429."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if any(e["status"] == 429 for e in control.log(method="PUT", path=path)):
            control.advance()
            return
        time.sleep(0.01)


def test_another_operation_in_progress(clients, rg):
    net = clients.network
    make_vnet(net, "v1", ["10.0.0.0/16"])
    start_busy(clients, "s1", "10.0.1.0/24")
    with pytest.raises(HttpResponseError) as err:
        subnet_lro(net, "s2", "10.0.2.0/24")
    assert error_of(err) == (409, "AnotherOperationInProgress")
    assert "Another operation on this or dependent resource is in progress." in err.value.error.message
    clients.control.advance()
    assert net.subnets.get("rg1", "v1", "s1").provisioning_state == "Succeeded"
    assert subnet_lro(net, "s2", "10.0.2.0/24").result().name == "s2"


def test_busy_vnet_answers_retryable_error(clients, rg, make_client):
    net = clients.network
    make_vnet(net, "v1", ["10.0.0.0/16"])
    clients.control.config(busy_response="retryable")
    strict = make_client(NetworkManagementClient, retry_total=0)
    start_busy(clients, "s1", "10.0.1.0/24")
    with pytest.raises(HttpResponseError) as err:
        subnet_lro(strict, "s2", "10.0.2.0/24")
    assert error_of(err) == (429, "RetryableError")
    assert err.value.error.details[0].code == "RetryableErrorDueToAnotherOperation"
    # A scaled sub-second hint travels in retry-after-ms (the SDKs read Retry-After as an integer).
    assert err.value.response.headers.get("retry-after-ms") == "250"
    clients.control.advance()
    # With the default retry policy the 429 is absorbed: the SDK waits Retry-After and retries, and meanwhile the
    # operation that made the VNet busy ends.
    start_busy(clients, "s2", "10.0.2.0/24")
    clients.control.clear_log()
    ender = threading.Thread(target=advance_once_refused, args=(clients.control, "/subnets/s3"))
    ender.start()
    try:
        assert subnet_lro(net, "s3", "10.0.3.0/24").result().name == "s3"
    finally:
        ender.join()
    puts = [e["status"] for e in clients.control.log(method="PUT", path="/subnets/s3")]
    assert puts[0] == 429 and puts[-1] == 201
    assert net.subnets.get("rg1", "v1", "s2").provisioning_state == "Succeeded"


# ---- gateways -------------------------------------------------------------------------------------
def test_gateway_needs_gateway_subnet_and_makes_it_in_use(clients, rg):
    net = clients.network
    vnet = make_vnet(net, "v1", ["10.0.0.0/16"], [("GatewaySubnet", "10.0.255.0/27"), ("app", "10.0.1.0/24")])
    with pytest.raises(HttpResponseError) as err:
        make_gateway(net, "gw", f"{vnet.id}/subnets/app")
    assert error_of(err) == (400, "GatewaySubnetNotFound")
    with pytest.raises(HttpResponseError) as err:
        make_gateway(net, "gw", vnet.id.replace("/v1", "/missing") + "/subnets/GatewaySubnet")
    assert error_of(err) == (400, "InvalidResourceReference")
    with pytest.raises(HttpResponseError) as err:
        make_gateway(net, "gw", f"{vnet.id}/subnets/GatewaySubnet", location="eastus")
    assert error_of(err) == (400, "InvalidResourceReference")

    gw = make_gateway(net, "gw", f"{vnet.id}/subnets/GatewaySubnet")
    assert (gw.provisioning_state, gw.gateway_type, gw.vpn_type, gw.sku.name) == (
        "Succeeded", "Vpn", "RouteBased", "VpnGw1")
    cfg = gw.ip_configurations[0]
    assert (cfg.id, cfg.private_ip_address) == (f"{gw.id}/ipConfigurations/default", "10.0.255.4")
    subnet = net.subnets.get(rg, "v1", "GatewaySubnet")
    assert [c.id for c in subnet.ip_configurations] == [cfg.id]

    with pytest.raises(HttpResponseError) as err:
        net.subnets.begin_delete(rg, "v1", "GatewaySubnet").result()
    assert error_of(err) == (400, "InUseSubnetCannotBeDeleted")
    with pytest.raises(HttpResponseError) as err:  # a VNet PUT without the subnet would delete it
        make_vnet(net, "v1", ["10.0.0.0/16"], [("app", "10.0.1.0/24")])
    assert error_of(err) == (400, "InUseSubnetCannotBeDeleted")
    with pytest.raises(HttpResponseError) as err:
        net.virtual_networks.begin_delete(rg, "v1").result()
    assert error_of(err) == (400, "InUseSubnetCannotBeDeleted")

    net.virtual_network_gateways.begin_delete(rg, "gw").result()
    net.subnets.begin_delete(rg, "v1", "GatewaySubnet").result()
    assert [s.name for s in net.subnets.list(rg, "v1")] == ["app"]


def test_gateway_wire_shape(clients, rg):
    net = clients.network
    vnet = make_vnet(net, "v1", ["10.0.0.0/16"], [("GatewaySubnet", "10.0.255.0/27")])
    path = SUB_ID.format(sub=clients.subscription) + "/virtualNetworkGateways/gw"
    put = raw(net, "PUT", path, {"location": LOC, "properties": {"sku": {"name": "Basic"}, "ipConfigurations": [
        {"name": "default", "properties": {"subnet": {"id": f"{vnet.id}/subnets/GatewaySubnet"}}}]}})
    assert put.status_code == 201
    assert put.json()["properties"]["vpnClientConfiguration"]["vpnClientProtocols"] == ["SSTP"]
    got = raw(net, "GET", path)
    assert "vpnClientConfiguration" not in got.json()["properties"]
    assert "ETag" not in got.headers and got.json()["etag"].startswith('W/"')


def test_gateway_is_a_long_operation(clients, rg):
    net = clients.network
    vnet = make_vnet(net, "v1", ["10.0.0.0/16"], [("GatewaySubnet", "10.0.255.0/27")])
    clients.control.config(latency="realistic", time_scale=0.0002)  # 1800 s -> 0.36 s
    poller = net.virtual_network_gateways.begin_create_or_update(rg, "gw", {
        "location": LOC, "properties": {"gatewayType": "Vpn", "sku": {"name": "VpnGw1"}, "ipConfigurations": [
            {"name": "default", "properties": {"subnet": {"id": f"{vnet.id}/subnets/GatewaySubnet"}}}]}})
    assert net.virtual_network_gateways.get(rg, "gw").provisioning_state == "Updating"
    assert poller.result().provisioning_state == "Succeeded"
    polls = clients.control.log(path="/operations/", method="GET")
    assert len(polls) >= 2 and polls[-1]["status"] == 200


def test_hub_spoke_scenario_loads(clients):
    result = clients.control.scenario("hub_spoke")
    assert len(result["loaded"]) == 7
    gw = clients.network.virtual_network_gateways.get("rg-hub", "vgw-hub")
    assert gw.ip_configurations[0].subnet.id.endswith("/virtualNetworks/vnet-hub/subnets/GatewaySubnet")
    assert [v.name for v in clients.network.virtual_networks.list("rg-spokes")] == [
        "vnet-spoke1", "vnet-spoke2", "vnet-spoke3"]


# ---- service endpoint policies --------------------------------------------------------------------------
def test_service_endpoint_policies(clients, rg):
    net = clients.network
    make_vnet(net, "v1", ["10.0.0.0/16"])
    storage = SUB_ID.format(sub=clients.subscription).replace("Microsoft.Network", "Microsoft.Storage")
    policy = net.service_endpoint_policies.begin_create_or_update(rg, "sep1", {
        "location": LOC,
        "properties": {"serviceEndpointPolicyDefinitions": [{"name": "allow-one", "properties": {
            "service": "Microsoft.Storage", "serviceResources": [f"{storage}/storageAccounts/sa1"]}}]},
    }).result()
    assert policy.provisioning_state == "Succeeded"
    definition = policy.service_endpoint_policy_definitions[0]
    assert (definition.id, definition.service, definition.service_resources) == (
        f"{policy.id}/serviceEndpointPolicyDefinitions/allow-one", "Microsoft.Storage",
        [f"{storage}/storageAccounts/sa1"])

    with pytest.raises(HttpResponseError) as err:
        net.subnets.begin_create_or_update(rg, "v1", "s1", {"properties": {
            "addressPrefix": "10.0.1.0/24", "serviceEndpoints": [{"service": "Microsoft.Storage"}],
            "serviceEndpointPolicies": [{"id": policy.id + "-missing"}]}}).result()
    assert error_of(err) == (400, "InvalidResourceReference")
    with pytest.raises(HttpResponseError) as err:  # the same reference inside a VNet PUT
        net.virtual_networks.begin_create_or_update(rg, "v1", {"location": LOC, "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "s1", "properties": {"addressPrefix": "10.0.1.0/24", "serviceEndpointPolicies": [
                {"id": policy.id + "-missing"}]}}]}}).result()
    assert error_of(err) == (400, "InvalidResourceReference")

    subnet = net.subnets.begin_create_or_update(rg, "v1", "s1", {"properties": {
        "addressPrefix": "10.0.1.0/24", "serviceEndpoints": [{"service": "Microsoft.Storage"}],
        "serviceEndpointPolicies": [{"id": policy.id}]}}).result()
    assert subnet["properties"]["serviceEndpointPolicies"] == [{"id": policy.id}]
    assert [s.id for s in net.service_endpoint_policies.get(rg, "sep1").subnets] == [subnet.id]

    with pytest.raises(HttpResponseError) as err:
        net.service_endpoint_policies.begin_delete(rg, "sep1").result()
    assert error_of(err) == (400, "InUseServiceEndpointPolicyCannotBeDeleted")

    subnet.service_endpoint_policies = []
    net.subnets.begin_create_or_update(rg, "v1", "s1", subnet).result()
    net.service_endpoint_policies.begin_delete(rg, "sep1").result()
    assert list(net.service_endpoint_policies.list_by_resource_group(rg)) == []


def test_service_endpoint_policy_definitions_as_child_type(clients, rg):
    """ServiceEndpointPolicyDefinitions_* (spec serviceEndpointPolicy.json): the child type beside the property
    list, as azure.azcollection's azure_rm_serviceendpointpolicydefinition writes it (tests/peer)."""
    net = clients.network
    policy = net.service_endpoint_policies.begin_create_or_update(rg, "sep2", {"location": LOC}).result()
    assert policy.service_endpoint_policy_definitions == []
    scope = f"/subscriptions/{clients.subscription}/resourceGroups/{rg}"
    made = net.service_endpoint_policy_definitions.begin_create_or_update(rg, "sep2", "d1", {"properties": {
        "service": "Microsoft.Storage", "serviceResources": [scope], "description": "one"}}).result()
    assert (made.id, made.service, made.service_resources, made.provisioning_state) == (
        f"{policy.id}/serviceEndpointPolicyDefinitions/d1", "Microsoft.Storage", [scope], "Succeeded")
    assert net.service_endpoint_policy_definitions.get(rg, "sep2", "d1").description == "one"
    assert [d.name for d in net.service_endpoint_policies.get(rg, "sep2").service_endpoint_policy_definitions] \
        == ["d1"]
    assert [d.name for d in net.service_endpoint_policy_definitions.list_by_resource_group(rg, "sep2")] == ["d1"]
    net.service_endpoint_policy_definitions.begin_delete(rg, "sep2", "d1").result()
    assert net.service_endpoint_policies.get(rg, "sep2").service_endpoint_policy_definitions == []
