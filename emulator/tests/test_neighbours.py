"""The neighbours of what the collection manages, through the real SDKs: network security groups (rules, default
rules, back-references), route tables, application security groups, user-assigned managed identities
(azure-mgmt-msi), Azure Route Server as a remote gateway, and the subnet's reference checks."""

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest

from privnet_emulator import DEFAULT_TENANT, SECOND_SUBSCRIPTION

LOC = "westeurope"
NET_API = "2026-03-01"


def error_of(excinfo):
    return excinfo.value.status_code, excinfo.value.error.code


def make_vnet(net, name, prefixes, subnets=(), rg="rg1", location=LOC):
    return net.virtual_networks.begin_create_or_update(rg, name, {
        "location": location,
        "properties": {"addressSpace": {"addressPrefixes": list(prefixes)},
                       "subnets": [{"name": n, "properties": {"addressPrefix": p}} for n, p in subnets]},
    }).result()


def rule(priority, direction="Inbound", port="443", access="Allow"):
    return {"properties": {"protocol": "Tcp", "access": access, "direction": direction, "priority": priority,
                           "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*",
                           "destinationPortRange": port}}


@pytest.fixture
def rg(clients):
    clients.resource.resource_groups.create_or_update("rg1", {"location": LOC})
    return "rg1"


# ---- network security groups ---------------------------------------------------------------------------
def test_nsg_crud_with_rules_and_default_rules(clients, rg):
    net = clients.network
    nsg = net.network_security_groups.begin_create_or_update(rg, "nsg1", {
        "location": LOC, "properties": {"securityRules": [dict(rule(100), name="https")]}}).result()
    assert nsg.provisioning_state == "Succeeded" and nsg.flush_connection is False
    assert nsg.etag.startswith('W/"') and nsg.resource_guid
    assert [(r.name, r.priority, r.direction) for r in nsg.default_security_rules] == [
        ("AllowVnetInBound", 65000, "Inbound"), ("AllowAzureLoadBalancerInBound", 65001, "Inbound"),
        ("DenyAllInBound", 65500, "Inbound"), ("AllowVnetOutBound", 65000, "Outbound"),
        ("AllowInternetOutBound", 65001, "Outbound"), ("DenyAllOutBound", 65500, "Outbound")]
    assert nsg.default_security_rules[4].destination_address_prefix == "Internet"
    (https,) = nsg.security_rules
    assert (https.name, https.id, https.etag) == ("https", f"{nsg.id}/securityRules/https", nsg.etag)
    assert https.type == "Microsoft.Network/networkSecurityGroups/securityRules"
    assert https.source_port_ranges == [] and https.destination_port_range == "443"
    assert nsg.subnets is None and nsg.network_interfaces is None

    # the child type: rules written alone, listed, read; default rules read-only
    net.security_rules.begin_create_or_update(rg, "nsg1", "ssh", rule(110, port="22", access="deny")).result()
    assert [r.name for r in net.security_rules.list(rg, "nsg1")] == ["https", "ssh"]
    assert net.security_rules.get(rg, "nsg1", "ssh").access == "Deny"   # enums answered in NRP's casing
    assert [r.name for r in net.network_security_groups.get(rg, "nsg1").security_rules] == ["https", "ssh"]
    assert len(list(net.default_security_rules.list(rg, "nsg1"))) == 6
    assert net.default_security_rules.get(rg, "nsg1", "DenyAllInBound").access == "Deny"
    resp = net.send_request(HttpRequest("PUT", f"{nsg.id}/defaultSecurityRules/DenyAllInBound?api-version={NET_API}",
                                        json=rule(4000)))
    assert resp.status_code == 405

    # a PUT of the NSG replaces the rule list; tags update keeps it
    net.network_security_groups.begin_create_or_update(rg, "nsg1", {
        "location": LOC, "properties": {"securityRules": [dict(rule(120), name="web")]}}).result()
    assert [r.name for r in net.security_rules.list(rg, "nsg1")] == ["web"]
    tagged = net.network_security_groups.update_tags(rg, "nsg1", {"tags": {"env": "t"}})
    assert tagged.tags == {"env": "t"} and [r.name for r in tagged.security_rules] == ["web"]
    net.security_rules.begin_delete(rg, "nsg1", "web").result()
    assert list(net.security_rules.list(rg, "nsg1")) == []
    assert [n.name for n in net.network_security_groups.list(rg)] == ["nsg1"]
    assert [n.name for n in net.network_security_groups.list_all()] == ["nsg1"]
    net.network_security_groups.begin_delete(rg, "nsg1").result()
    assert list(net.network_security_groups.list(rg)) == []


def test_security_rule_conflict(clients, rg):
    net = clients.network
    with pytest.raises(HttpResponseError) as err:
        net.network_security_groups.begin_create_or_update(rg, "nsg1", {"location": LOC, "properties": {
            "securityRules": [dict(rule(100), name="a"), dict(rule(100, port="80"), name="b")]}}).result()
    assert error_of(err) == (400, "SecurityRuleConflict")
    assert err.value.error.message == ("Security rule a conflicts with rule b. Rules cannot have the same Priority "
                                       "and Direction. To learn more, see aka.ms/nsgrules.")
    net.network_security_groups.begin_create_or_update(rg, "nsg1", {"location": LOC, "properties": {
        "securityRules": [dict(rule(100), name="a"), dict(rule(100, "Outbound"), name="out")]}}).result()
    with pytest.raises(HttpResponseError) as err:
        net.security_rules.begin_create_or_update(rg, "nsg1", "c", rule(100, port="8080")).result()
    assert error_of(err) == (400, "SecurityRuleConflict")
    assert err.value.error.message.startswith("Security rule a conflicts with rule c.")
    net.security_rules.begin_create_or_update(rg, "nsg1", "a", rule(100, port="8443")).result()  # itself: fine


def test_nsg_and_route_table_back_references_and_in_use_delete(clients, rg):
    net = clients.network
    nsg = net.network_security_groups.begin_create_or_update(rg, "nsg1", {"location": LOC}).result()
    table = net.route_tables.begin_create_or_update(rg, "rt1", {"location": LOC}).result()
    make_vnet(net, "v1", ["10.0.0.0/16"])
    subnet = net.subnets.begin_create_or_update(rg, "v1", "s1", {"properties": {
        "addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": nsg.id.upper()},
        "routeTable": {"id": table.id}}}).result()
    assert subnet.network_security_group.id == nsg.id   # kept in the resource's own casing
    assert [s.id for s in net.network_security_groups.get(rg, "nsg1").subnets] == [subnet.id]
    assert [s.id for s in net.route_tables.get(rg, "rt1").subnets] == [subnet.id]
    with pytest.raises(HttpResponseError) as err:
        net.network_security_groups.begin_delete(rg, "nsg1").result()
    assert error_of(err) == (400, "InUseNetworkSecurityGroupCannotBeDeleted")
    assert err.value.error.message == (
        f"Network security group {nsg.id} cannot be deleted because it is in use by the following resources: "
        f"{subnet.id}. In order to delete the Network security group, remove the association with the resource(s).")
    subnet.network_security_group = None
    net.subnets.begin_create_or_update(rg, "v1", "s1", subnet).result()
    assert net.network_security_groups.get(rg, "nsg1").subnets is None
    net.network_security_groups.begin_delete(rg, "nsg1").result()


# ---- reference checks on a subnet ------------------------------------------------------------------------
def test_subnet_referencing_a_missing_nsg_or_route_table(clients, rg):
    net = clients.network
    make_vnet(net, "v1", ["10.0.0.0/16"])
    base = f"/subscriptions/{clients.subscription}/resourceGroups/rg1/providers/Microsoft.Network"
    subnet_id = f"{base}/virtualNetworks/v1/subnets/s1"
    for key, ref in (("networkSecurityGroup", f"{base}/networkSecurityGroups/nope"),
                     ("routeTable", f"{base}/routeTables/nope")):
        with pytest.raises(HttpResponseError) as err:
            net.subnets.begin_create_or_update(rg, "v1", "s1", {"properties": {
                "addressPrefix": "10.0.1.0/24", key: {"id": ref}}}).result()
        assert error_of(err) == (400, "InvalidResourceReference")
        assert err.value.error.message == (
            f"Resource {ref} referenced by resource {subnet_id} was not found. Please make sure that the referenced "
            "resource exists, and that both resources are in the same region.")
        assert [(d.code, d.message) for d in err.value.error.details] == [("NotFound", f"Resource {ref} not found.")]
    # the same check when the subnet comes inside a VNet PUT
    embedded = {"addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": f"{base}/networkSecurityGroups/x"}}
    with pytest.raises(HttpResponseError) as err:
        net.virtual_networks.begin_create_or_update(rg, "v1", {"location": LOC, "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "s1", "properties": embedded}]}}).result()
    assert error_of(err) == (400, "InvalidResourceReference")
    # an NSG in another region than the VNet: the same answer
    other = net.network_security_groups.begin_create_or_update(rg, "nsg-ne", {"location": "northeurope"}).result()
    with pytest.raises(HttpResponseError) as err:
        net.subnets.begin_create_or_update(rg, "v1", "s1", {"properties": {
            "addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": other.id}}}).result()
    assert error_of(err) == (400, "InvalidResourceReference")
    assert list(net.subnets.list(rg, "v1")) == []


def test_subnet_service_endpoint_policy_from_another_region_or_subscription(clients, rg):
    net = clients.network
    make_vnet(net, "v1", ["10.0.0.0/16"])
    definitions = {"serviceEndpointPolicyDefinitions": [{"name": "d", "properties": {
        "service": "Microsoft.Storage", "serviceResources": [f"/subscriptions/{clients.subscription}"]}}]}
    here = net.service_endpoint_policies.begin_create_or_update(
        rg, "sep-we", {"location": LOC, "properties": definitions}).result()
    elsewhere = net.service_endpoint_policies.begin_create_or_update(
        rg, "sep-ne", {"location": "northeurope", "properties": definitions}).result()
    clients.resource2.resource_groups.create_or_update("rg2", {"location": LOC})
    other_sub = clients.network2.service_endpoint_policies.begin_create_or_update(
        "rg2", "sep-sub2", {"location": LOC, "properties": definitions}).result()
    subnet = {"addressPrefix": "10.0.1.0/24", "serviceEndpoints": [{"service": "Microsoft.Storage"}]}
    for policy in (elsewhere, other_sub):
        with pytest.raises(HttpResponseError) as err:
            net.subnets.begin_create_or_update(rg, "v1", "s1", {"properties": dict(
                subnet, serviceEndpointPolicies=[{"id": policy.id}])}).result()
        assert error_of(err) == (400, "InvalidResourceReference")
        assert err.value.error.message.startswith(f"Resource {policy.id} referenced by resource ")
    ok = net.subnets.begin_create_or_update(rg, "v1", "s1", {"properties": dict(
        subnet, serviceEndpointPolicies=[{"id": here.id}])}).result()
    assert [p.id for p in ok.service_endpoint_policies] == [here.id]
    assert SECOND_SUBSCRIPTION in other_sub.id


# ---- route tables ---------------------------------------------------------------------------------------
def test_route_table_crud(clients, rg):
    net = clients.network
    table = net.route_tables.begin_create_or_update(rg, "rt1", {"location": LOC, "properties": {
        "disableBgpRoutePropagation": True,
        "routes": [{"name": "r1", "properties": {"addressPrefix": "10.0.3.0/24",
                                                  "nextHopType": "virtualnetworkgateway"}}]}}).result()
    assert table.disable_bgp_route_propagation is True and table.resource_guid
    (r1,) = table.routes
    assert (r1.id, r1.next_hop_type, r1.etag, r1.provisioning_state) == (
        f"{table.id}/routes/r1", "VirtualNetworkGateway", table.etag, "Succeeded")
    net.routes.begin_create_or_update(rg, "rt1", "default", {"properties": {
        "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}}).result()
    assert [(r.name, r.next_hop_ip_address) for r in net.routes.list(rg, "rt1")] == [("r1", None),
                                                                                   ("default", "10.0.0.4")]
    net.routes.begin_delete(rg, "rt1", "r1").result()
    assert [r.name for r in net.route_tables.get(rg, "rt1").routes] == ["default"]
    plain = net.route_tables.begin_create_or_update(rg, "rt2", {"location": LOC}).result()
    assert (plain.disable_bgp_route_propagation, plain.routes) == (False, [])
    assert sorted(t.name for t in net.route_tables.list_all()) == ["rt1", "rt2"]
    net.route_tables.begin_delete(rg, "rt2").result()
    assert [t.name for t in net.route_tables.list(rg)] == ["rt1"]


# ---- application security groups -----------------------------------------------------------------------
def test_application_security_groups(clients, rg):
    net = clients.network
    asg = net.application_security_groups.begin_create_or_update(rg, "asg1", {"location": LOC}).result()
    assert (asg.type, asg.provisioning_state) == ("Microsoft.Network/applicationSecurityGroups", "Succeeded")
    assert asg.resource_guid and asg.etag.startswith('W/"')
    assert net.application_security_groups.update_tags(rg, "asg1", {"tags": {"a": "b"}}).tags == {"a": "b"}
    assert [a.name for a in net.application_security_groups.list(rg)] == ["asg1"]
    # a rule that names it, and one that names a missing one
    with_asg = dict(rule(100), name="r")
    with_asg["properties"]["destinationApplicationSecurityGroups"] = [{"id": asg.id}]
    nsg = net.network_security_groups.begin_create_or_update(rg, "nsg1", {
        "location": LOC, "properties": {"securityRules": [with_asg]}}).result()
    assert [a.id for a in nsg.security_rules[0].destination_application_security_groups] == [asg.id]
    missing = asg.id + "x"
    with pytest.raises(HttpResponseError) as err:
        bad = rule(110)
        bad["properties"]["sourceApplicationSecurityGroups"] = [{"id": missing}]
        net.security_rules.begin_create_or_update(rg, "nsg1", "bad", bad).result()
    assert error_of(err) == (400, "InvalidResourceReference")
    assert err.value.error.message.startswith(f"Resource {missing} referenced by resource {nsg.id}/securityRules/bad")
    net.application_security_groups.begin_delete(rg, "asg1").result()


# ---- user-assigned managed identities -------------------------------------------------------------------
def test_user_assigned_identity(clients, rg, make_client, emulator):
    from azure.mgmt.msi import ManagedServiceIdentityClient
    msi = make_client(ManagedServiceIdentityClient)
    created = msi.user_assigned_identities.create_or_update(rg, "id1", {"location": LOC, "tags": {"k": "v"}})
    assert created.type == "Microsoft.ManagedIdentity/userAssignedIdentities"
    assert created.id.lower() == (f"/subscriptions/{clients.subscription}/resourcegroups/rg1/providers/"
                                  "microsoft.managedidentity/userassignedidentities/id1")
    assert created.tenant_id == DEFAULT_TENANT
    assert created.principal_id and created.client_id and created.principal_id != created.client_id
    assert created.isolation_scope == "None" and created.tags == {"k": "v"}
    again = msi.user_assigned_identities.create_or_update(rg, "id1", {"location": LOC})
    assert (again.principal_id, again.client_id) == (created.principal_id, created.client_id)
    updated = msi.user_assigned_identities.update(rg, "id1", {"properties": {"isolationScope": "Regional"}})
    assert updated.isolation_scope == "Regional" and updated.client_id == created.client_id
    assert msi.user_assigned_identities.get(rg, "id1").isolation_scope == "Regional"
    assert [i.name for i in msi.user_assigned_identities.list_by_resource_group(rg)] == ["id1"]
    assert [i.name for i in msi.user_assigned_identities.list_by_subscription()] == ["id1"]
    # the wire: synchronous, no operation headers, no etag
    url = (f"{emulator.url}/subscriptions/{clients.subscription}/resourceGroups/rg1/providers/"
           "Microsoft.ManagedIdentity/userAssignedIdentities/id2?api-version=2024-11-30")
    resp = msi._client.send_request(HttpRequest("PUT", url, json={"location": LOC}))
    assert resp.status_code == 201 and "Azure-AsyncOperation" not in resp.headers and "ETag" not in resp.headers
    assert "etag" not in resp.json() and "provisioningState" not in resp.json()["properties"]
    msi.user_assigned_identities.delete(rg, "id1")
    with pytest.raises(HttpResponseError) as err:
        msi.user_assigned_identities.get(rg, "id1")
    assert err.value.status_code == 404


# ---- Route Server ------------------------------------------------------------------------------------------
def test_route_server_is_a_remote_gateway_for_peerings(clients, rg):
    net = clients.network
    hub = make_vnet(net, "hub", ["10.0.0.0/16"], [("RouteServerSubnet", "10.0.1.0/26")])
    spoke = make_vnet(net, "spoke", ["10.1.0.0/16"])
    net.virtual_network_peerings.begin_create_or_update(rg, "hub", "hub-to-spoke", {"properties": {
        "remoteVirtualNetwork": {"id": spoke.id}, "allowGatewayTransit": True}}).result()
    use_remote = {"properties": {"remoteVirtualNetwork": {"id": hub.id}, "useRemoteGateways": True}}
    with pytest.raises(HttpResponseError) as err:
        net.virtual_network_peerings.begin_create_or_update(rg, "spoke", "spoke-to-hub", use_remote).result()
    assert error_of(err) == (400, "RemoteVnetHasNoGateways")

    # az network routeserver create: the hub, then its IP configuration in RouteServerSubnet
    router = net.virtual_hubs.begin_create_or_update(rg, "rs1", {"location": LOC, "properties": {
        "sku": "Standard"}}).result()
    assert (router.kind, router.sku, router.routing_state, router.virtual_router_ips) == (
        "RouteServer", "Standard", "None", [])
    subnet_id = f"{hub.id}/subnets/RouteServerSubnet"
    cfg = net.virtual_hub_ip_configuration.begin_create_or_update(rg, "rs1", "ipconfig1", {
        "properties": {"subnet": {"id": subnet_id}}}).result()
    assert (cfg.subnet.id, cfg.private_ip_address, cfg.provisioning_state) == (subnet_id, "10.0.1.4", "Succeeded")
    router = net.virtual_hubs.get(rg, "rs1")
    assert (router.routing_state, router.virtual_router_asn, router.virtual_router_ips) == (
        "Provisioned", 65515, ["10.0.1.4", "10.0.1.5"])
    assert (router.hub_routing_preference, router.allow_branch_to_branch_traffic) == ("ExpressRoute", False)
    assert [c.name for c in net.virtual_hub_ip_configuration.list(rg, "rs1")] == ["ipconfig1"]

    peering = net.virtual_network_peerings.begin_create_or_update(rg, "spoke", "spoke-to-hub", use_remote).result()
    assert peering.use_remote_gateways is True and peering.peering_state == "Connected"

    # a missing subnet is an unresolvable reference
    with pytest.raises(HttpResponseError) as err:
        net.virtual_hub_ip_configuration.begin_create_or_update(rg, "rs1", "ipconfig2", {
            "properties": {"subnet": {"id": f"{hub.id}/subnets/nope"}}}).result()
    assert error_of(err) == (400, "InvalidResourceReference")


# ---- private endpoints naming application security groups -----------------------------------------------
def test_private_endpoint_application_security_groups_must_exist(clients, rg):
    net = clients.network
    vnet = make_vnet(net, "v1", ["10.20.0.0/16"], [("snet-pe", "10.20.1.0/24")])
    clients.resource.resource_groups.create_or_update("rg-acr", {"location": LOC})
    registry = clients.acr.registries.begin_create("rg-acr", "acrneighbours", {
        "location": LOC, "sku": {"name": "Premium"}, "properties": {"adminUserEnabled": False}}).result()
    asg = net.application_security_groups.begin_create_or_update(rg, "asg-pe", {"location": LOC}).result()

    def pe(asg_id):
        return net.private_endpoints.begin_create_or_update(rg, "pe1", {"location": LOC, "properties": {
            "subnet": {"id": vnet.subnets[0].id}, "applicationSecurityGroups": [{"id": asg_id}],
            "privateLinkServiceConnections": [{"name": "c", "properties": {
                "privateLinkServiceId": registry.id, "groupIds": ["registry"]}}]}}).result()

    missing = asg.id.replace("asg-pe", "asg-missing")
    with pytest.raises(HttpResponseError) as err:
        pe(missing)
    assert error_of(err) == (400, "InvalidResourceReference")
    assert err.value.error.message.startswith(f"Resource {missing} referenced by resource /subscriptions/")
    assert [a.id for a in pe(asg.id.lower()).application_security_groups] == [asg.id]
