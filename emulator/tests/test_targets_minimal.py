"""Cosmos DB accounts, PostgreSQL flexible servers and Service Bus namespaces as Private Link targets (minimal CRUD),
through azure-mgmt-resource's generic client and azure-mgmt-network."""

import pytest

from test_targets_storage import NET_RG, RG, call, make_pe, make_subnets

CASES = {
    "cosmos": ("Microsoft.DocumentDB/databaseAccounts", "cosmos-privnet", "2024-11-15",
               {"kind": "GlobalDocumentDB", "properties": {"databaseAccountOfferType": "Standard", "locations": [
                   {"locationName": "West Europe", "failoverPriority": 0},
                   {"locationName": "northeurope", "failoverPriority": 1}]}},
               "Sql", ["cosmos-privnet", "cosmos-privnet-westeurope", "cosmos-privnet-northeurope"],
               "privatelink.documents.azure.com"),
    "postgres": ("Microsoft.DBforPostgreSQL/flexibleServers", "pg-privnet", "2024-08-01",
                 {"sku": {"name": "Standard_B1ms", "tier": "Burstable"},
                  "properties": {"administratorLogin": "pgadmin", "administratorLoginPassword": "S3cret-pass!"}},
                 "postgresqlServer", ["postgresqlServer"], "privatelink.postgres.database.azure.com"),
    "servicebus": ("Microsoft.ServiceBus/namespaces", "sb-privnet", "2021-11-01",
                   {"sku": {"name": "Premium"}, "properties": {}},
                   "namespace", ["namespace"], "privatelink.servicebus.windows.net"),
}


def target_id(clients, rtype, name):
    return f"/subscriptions/{clients.subscription}/resourceGroups/{RG}/providers/{rtype}/{name}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_minimal_target_private_endpoint(clients, case):
    rtype, name, api, body, group, members, zone = CASES[case]
    clients.resource.resource_groups.create_or_update(RG, {"location": "westeurope"})
    rid = target_id(clients, rtype, name)
    res = clients.resource.resources.begin_create_or_update_by_id(rid, dict(body, location="westeurope"),
                                                                  api_version=api).result()
    public = res.properties.get("publicNetworkAccess") or res.properties["network"]["publicNetworkAccess"]
    assert public == "Enabled"
    assert "administratorLoginPassword" not in res.properties
    plrs = call(clients, "GET", rid + "/privateLinkResources", api=api)[1]["value"]
    assert [(p["properties"]["groupId"], p["properties"]["requiredMembers"], p["properties"]["requiredZoneNames"])
            for p in plrs] == [(group, members, [zone])]
    _, subnets = make_subnets(clients)
    pe = make_pe(clients, subnets["snet-pe"], rid, group=group, manual=True)
    nic = clients.network.network_interfaces.get(NET_RG, pe.network_interfaces[0].id.split("/")[-1])
    assert [c.private_link_connection_properties.required_member_name for c in nic.ip_configurations] == members
    conn = call(clients, "GET", rid + "/privateEndpointConnections", api=api)[1]["value"][0]
    assert conn["properties"]["privateLinkServiceConnectionState"]["status"] == "Pending"
    status, _ = call(clients, "PUT", conn["id"], {"properties": {"privateLinkServiceConnectionState": {
        "status": "Rejected", "description": "no"}}}, api=api)
    assert status == 200
    status, body = call(clients, "PUT", conn["id"], {"properties": {"privateLinkServiceConnectionState": {
        "status": "Approved", "description": "yes"}}}, api=api)
    # manage-private-endpoint.md: connections previously denied can't be approved (Cosmos DB's answer: azure-docs
    # PR #86823)
    assert status == 400 and body["error"]["code"] == "BadRequest"
    patched = clients.resource.resources.begin_update_by_id(rid, {"tags": {"env": "test"}}, api_version=api).result()
    assert patched.tags == {"env": "test"}
    clients.resource.resources.begin_delete_by_id(rid, api_version=api).result()
    assert clients.network.private_endpoints.get(NET_RG, "pe-st").manual_private_link_service_connections[0] \
        .private_link_service_connection_state.status == "Disconnected"
