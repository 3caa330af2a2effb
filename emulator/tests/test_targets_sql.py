"""Microsoft.Sql servers as a Private Link target, through azure-mgmt-resource's generic client (api 2023-08-01, what
the collection's sql_server_network sends; azure-mgmt-sql is not in the dev venv) and azure-mgmt-network."""

import pytest
from azure.core.exceptions import HttpResponseError

from test_targets_storage import NET_RG, RG, call, make_pe, make_subnets

API = "2023-08-01"
SERVER = "sql-privnet-demo"


def server_id(clients, name=SERVER):
    return f"/subscriptions/{clients.subscription}/resourceGroups/{RG}/providers/Microsoft.Sql/servers/{name}"


def put_server(clients, **props):
    clients.resource.resource_groups.create_or_update(RG, {"location": "westeurope"})
    body = {"location": "westeurope", "properties": dict({"administratorLogin": "sqladmin",
                                                          "administratorLoginPassword": "S3cret-pass!"}, **props)}
    return clients.resource.resources.begin_create_or_update_by_id(server_id(clients), body, api_version=API).result()


def test_server_shape_and_password_is_write_only(clients):
    server = put_server(clients)
    props = server.properties
    assert props["fullyQualifiedDomainName"] == f"{SERVER}.database.windows.net"
    assert props["administratorLogin"] == "sqladmin" and "administratorLoginPassword" not in props
    assert props["publicNetworkAccess"] == "Enabled" and props["state"] == "Ready"
    assert "provisioningState" not in props    # not in ServerProperties (Servers.json 2023-08-01)
    done = clients.resource.resources.begin_update_by_id(server_id(clients), {"properties": {
        "publicNetworkAccess": "Disabled"}}, api_version=API).result()
    assert done.properties["publicNetworkAccess"] == "Disabled" and done.properties["administratorLogin"] == "sqladmin"
    with pytest.raises(HttpResponseError) as err:
        clients.resource.resources.begin_create_or_update_by_id(
            server_id(clients, "sql-nologin"), {"location": "westeurope", "properties": {}}, api_version=API).result()
    assert err.value.response.status_code == 400


def test_firewall_and_vnet_rules(clients):
    put_server(clients)
    _, subnets = make_subnets(clients)
    status, rule = call(clients, "PUT", server_id(clients) + "/firewallRules/office", {
        "properties": {"startIpAddress": "203.0.113.1", "endIpAddress": "203.0.113.20"}}, api=API)
    assert status in (200, 201) and rule["properties"] == {"startIpAddress": "203.0.113.1",
                                                           "endIpAddress": "203.0.113.20"}
    assert call(clients, "PUT", server_id(clients) + "/firewallRules/bad", {
        "properties": {"startIpAddress": "203.0.113.9", "endIpAddress": "203.0.113.1"}}, api=API)[0] == 400
    listed = call(clients, "GET", server_id(clients) + "/firewallRules", api=API)[1]["value"]
    assert [r["name"] for r in listed] == ["office"]
    vnet_rule = {"properties": {"virtualNetworkSubnetId": subnets["snet-se"]}}
    status, body = call(clients, "PUT", server_id(clients) + "/virtualNetworkRules/app", vnet_rule, api=API)
    assert status == 400 and body["error"]["code"] == "VirtualNetworkRuleBadRequest"
    assert "Microsoft.Sql" in body["error"]["message"]
    assert call(clients, "GET", server_id(clients) + "/virtualNetworkRules", api=API)[1]["value"] == []
    # VirtualNetworkRules_CreateOrUpdate / _Delete are long-running (test_targets_lro.py checks the wire shape)
    rules = clients.resource.resources
    body = rules.begin_create_or_update_by_id(server_id(clients) + "/virtualNetworkRules/app", {"properties": {
        "virtualNetworkSubnetId": subnets["snet-se"], "ignoreMissingVnetServiceEndpoint": True}},
        api_version=API).result()
    assert body.properties["ignoreMissingVnetServiceEndpoint"] is True
    _, subnets = make_subnets(clients, endpoints=["Microsoft.Sql"])
    body = rules.begin_create_or_update_by_id(server_id(clients) + "/virtualNetworkRules/app2", vnet_rule,
                                              api_version=API).result()
    assert body.properties["state"] == "Ready"
    rules.begin_delete_by_id(server_id(clients) + "/virtualNetworkRules/app", api_version=API).result()
    assert [r["name"] for r in call(clients, "GET", server_id(clients) + "/virtualNetworkRules", api=API)[1][
        "value"]] == ["app2"]


def test_sql_private_endpoint(clients):
    _, subnets = make_subnets(clients)
    put_server(clients)
    plrs = call(clients, "GET", server_id(clients) + "/privateLinkResources", api=API)[1]["value"]
    assert [(p["properties"]["groupId"], p["properties"]["requiredMembers"], p["properties"]["requiredZoneNames"])
            for p in plrs] == [("sqlServer", ["sqlServer"], ["privatelink.database.windows.net"])]
    pe = make_pe(clients, subnets["snet-pe"], server_id(clients), group="sqlServer")
    nic = clients.network.network_interfaces.get(NET_RG, pe.network_interfaces[0].id.split("/")[-1])
    assert nic.ip_configurations[0].private_link_connection_properties.fqdns == [f"{SERVER}.database.windows.net"]
    conns = call(clients, "GET", server_id(clients) + "/privateEndpointConnections", api=API)[1]["value"]
    assert conns[0]["properties"]["groupIds"] == ["sqlServer"]
    assert conns[0]["properties"]["privateLinkServiceConnectionState"]["status"] == "Approved"
    server = clients.resource.resources.get_by_id(server_id(clients), api_version=API)
    assert server.properties["privateEndpointConnections"][0]["id"] == conns[0]["id"]
