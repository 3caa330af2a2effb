"""How the Private Link targets answer writes on the wire (raw requests through azure-mgmt-resource's pipeline), each as
its provider's OpenAPI file declares and its recorded traffic shows (sources in arm.py write_response and in each
provider's docstring). The operations run with realistic latency at a small time scale, so the running state shows."""

import time

from azure.core.rest import HttpRequest

from test_targets_keyvault import TENANT, vault_id
from test_targets_sql import server_id
from test_targets_storage import NET_RG, RG, account_id, make_pe, make_subnets

SCALE = 0.2          # an operation takes 3 s * SCALE


def send(clients, method, url, body=None, api=None):
    if api:
        url = f"{url}?api-version={api}"
    response = clients.resource.send_request(HttpRequest(method, url, json=body))
    return response.status_code, (response.json() if response.text() else None), response.headers


def slow(clients):
    clients.control.config(latency="realistic", time_scale=SCALE)
    clients.resource.resource_groups.create_or_update(RG, {"location": "westeurope"})


def settle():
    time.sleep(3 * SCALE + 0.3)


def test_storage_create_is_202_with_location_only(clients):
    slow(clients)
    body = {"location": "westeurope", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}
    status, answer, headers = send(clients, "PUT", account_id(clients), body, "2023-05-01")
    assert (status, answer) == (202, None)
    assert "Azure-AsyncOperation" not in headers
    location = headers["Location"]
    assert "/providers/Microsoft.Storage/locations/westeurope/asyncoperations/" in location
    assert "monitor=true" in location and "api-version=2023-05-01" in location
    status, answer, headers = send(clients, "GET", location)
    assert (status, answer) == (202, None) and headers["Location"] == location
    assert send(clients, "GET", account_id(clients), api="2023-05-01")[1]["properties"]["provisioningState"] == \
        "Creating"
    settle()
    status, answer, headers = send(clients, "GET", location)
    assert status == 200 and answer["name"] == "stprivnetdemo"
    assert answer["properties"]["provisioningState"] == "Succeeded" and "Location" not in headers
    # the same properties again: the spec's 200 with the account; PATCH and DELETE are not long-running
    status, answer, _ = send(clients, "PUT", account_id(clients), body, "2023-05-01")
    assert status == 200 and answer["properties"]["provisioningState"] == "Succeeded"
    status, answer, _ = send(clients, "PATCH", account_id(clients), {"tags": {"a": "b"}}, "2023-05-01")
    assert status == 200 and answer["tags"] == {"a": "b"}
    assert send(clients, "DELETE", account_id(clients), api="2023-05-01")[0] == 200


def test_key_vault_create_polls_the_vault_and_connection_writes(clients):
    slow(clients)
    body = {"location": "westeurope", "properties": {"tenantId": TENANT, "sku": {"family": "A", "name": "standard"},
                                                     "enableRbacAuthorization": True}}
    status, answer, headers = send(clients, "PUT", vault_id(clients), body, "2023-07-01")
    assert status == 200 and answer["properties"]["provisioningState"] == "RegisteringDns"
    assert "Azure-AsyncOperation" not in headers and "Location" not in headers
    assert send(clients, "GET", vault_id(clients), api="2023-07-01")[1]["properties"]["provisioningState"] == \
        "RegisteringDns"
    settle()
    assert send(clients, "GET", vault_id(clients), api="2023-07-01")[1]["properties"]["provisioningState"] == \
        "Succeeded"
    status, answer, _ = send(clients, "PUT", vault_id(clients), body, "2023-07-01")   # an update: at once
    assert status == 200 and answer["properties"]["provisioningState"] == "Succeeded"

    clients.control.config(latency="instant")
    _, subnets = make_subnets(clients)
    make_pe(clients, subnets["snet-pe"], vault_id(clients), group="vault", name="pe-kv", manual=True)
    clients.control.config(latency="realistic", time_scale=SCALE)
    conn = send(clients, "GET", vault_id(clients) + "/privateEndpointConnections", api="2023-07-01")[1]["value"][0]
    status, answer, headers = send(clients, "PUT", conn["id"], {"properties": {
        "privateLinkServiceConnectionState": {"status": "Approved", "description": "ok"}}}, "2023-07-01")
    assert status == 200 and answer["properties"]["provisioningState"] == "Updating"
    assert answer["properties"]["privateLinkServiceConnectionState"]["status"] == "Approved"
    poll = headers["Azure-AsyncOperation"]
    assert poll.split("://", 1)[1].split("/", 1)[1].startswith(
        f"{conn['id'][1:]}?api-version=2023-07-01&kv-operation=")
    assert send(clients, "GET", poll)[1] == {"status": "InProgress"}
    settle()
    assert send(clients, "GET", poll)[1] == {"status": "Succeeded"}
    assert send(clients, "GET", conn["id"], api="2023-07-01")[1]["properties"]["provisioningState"] == "Succeeded"
    status, answer, headers = send(clients, "DELETE", conn["id"], api="2023-07-01")
    assert (status, answer) == (202, None) and "kv-operation=" in headers["Location"]
    settle()
    assert send(clients, "GET", headers["Location"])[0] == 204
    assert send(clients, "GET", conn["id"], api="2023-07-01")[0] == 404


def test_sql_writes_are_202_with_both_operation_urls(clients):
    slow(clients)
    body = {"location": "westeurope", "properties": {"administratorLogin": "sqladmin",
                                                     "administratorLoginPassword": "S3cret-pass!"}}
    status, answer, headers = send(clients, "PUT", server_id(clients), body, "2023-08-01")
    assert status == 202 and answer["operation"] == "UpsertLogicalServer" and answer["startTime"]
    base = f"/resourceGroups/{RG}/providers/Microsoft.Sql/locations/westeurope/"
    assert base + "serverAzureAsyncOperation/" in headers["Azure-AsyncOperation"]
    assert base + "serverOperationResults/" in headers["Location"]
    status, answer, _ = send(clients, "GET", headers["Azure-AsyncOperation"])
    assert status == 200 and answer["status"] == "InProgress" and answer["name"] and answer["startTime"]
    assert send(clients, "GET", headers["Location"])[0] == 202
    settle()
    assert send(clients, "GET", headers["Azure-AsyncOperation"])[1]["status"] == "Succeeded"
    status, answer, _ = send(clients, "GET", headers["Location"])
    assert status == 200 and answer["properties"]["fullyQualifiedDomainName"].startswith("sql-privnet-demo.")
    # firewall rules are not long-running: 201 for a new rule
    status, answer, _ = send(clients, "PUT", server_id(clients) + "/firewallRules/office", {"properties": {
        "startIpAddress": "203.0.113.1", "endIpAddress": "203.0.113.20"}}, "2023-08-01")
    assert status == 201 and answer["properties"]["endIpAddress"] == "203.0.113.20"
    status, answer, headers = send(clients, "DELETE", server_id(clients), api="2023-08-01")
    assert status == 202 and answer["operation"] == "DropLogicalServer"
    settle()
    assert send(clients, "GET", headers["Location"])[0] == 200
    assert send(clients, "GET", server_id(clients), api="2023-08-01")[0] == 404


def test_storage_and_sql_connections_through_the_sdk_poller(clients):
    """The SDK's generic LRO poller completes the writes of each style (instant latency)."""
    _, subnets = make_subnets(clients)
    clients.resource.resource_groups.create_or_update(RG, {"location": "westeurope"})
    clients.resource.resources.begin_create_or_update_by_id(server_id(clients), {
        "location": "westeurope", "properties": {"administratorLogin": "sqladmin",
                                                 "administratorLoginPassword": "S3cret-pass!"}},
        api_version="2023-08-01").result()
    make_pe(clients, subnets["snet-pe"], server_id(clients), group="sqlServer", name="pe-sql", manual=True)
    conn = send(clients, "GET", server_id(clients) + "/privateEndpointConnections", api="2023-08-01")[1]["value"][0]
    done = clients.resource.resources.begin_create_or_update_by_id(conn["id"], {"properties": {
        "privateLinkServiceConnectionState": {"status": "Approved", "description": "ok"}}},
        api_version="2023-08-01").result()
    assert done.properties["privateLinkServiceConnectionState"]["status"] == "Approved"
    pe = clients.network.private_endpoints.get(NET_RG, "pe-sql")
    assert pe.manual_private_link_service_connections[0].private_link_service_connection_state.status == "Approved"
    clients.resource.resources.begin_delete_by_id(conn["id"], api_version="2023-08-01").result()
    assert send(clients, "GET", conn["id"], api="2023-08-01")[0] == 404
