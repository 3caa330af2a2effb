"""Microsoft.Storage storage accounts as a Private Link target, through the real SDKs: azure-mgmt-resource's generic
client (resources.*_by_id at api-version 2023-05-01, what the collection's modules send; azure-mgmt-storage is not in
the dev venv) for the account, azure-mgmt-network / -privatedns for the endpoint, its NIC and zone group, and DNS
queries to the per-VNet listener."""

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.core.rest import HttpRequest

from test_dns_listener import ask, chain, port_of

API = "2023-05-01"
RG, NET_RG = "rg-targets", "rg-net"
ACCT = "stprivnetdemo"


def account_id(clients, name=ACCT, rg=RG):
    return (f"/subscriptions/{clients.subscription}/resourceGroups/{rg}/providers/Microsoft.Storage/"
            f"storageAccounts/{name}")


def put_account(clients, name=ACCT, sku="Standard_LRS", kind="StorageV2", rg=RG, **props):
    clients.resource.resource_groups.create_or_update(rg, {"location": "westeurope"})
    body = {"location": "westeurope", "sku": {"name": sku}, "kind": kind, "properties": props}
    return clients.resource.resources.begin_create_or_update_by_id(account_id(clients, name, rg), body,
                                                                   api_version=API).result()


def get(clients, resource_id, api=API):
    return clients.resource.resources.get_by_id(resource_id, api_version=api)


def call(clients, method, path, body=None, api=API):
    response = clients.resource.send_request(HttpRequest(method, f"{path}?api-version={api}", json=body))
    return response.status_code, (response.json() if response.text() else None)


def make_subnets(clients, endpoints=()):
    clients.resource.resource_groups.create_or_update(NET_RG, {"location": "westeurope"})
    vnet = clients.network.virtual_networks.begin_create_or_update(NET_RG, "vnet-app", {
        "location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.20.0.0/16"]}, "subnets": [
            {"name": "snet-pe", "properties": {"addressPrefix": "10.20.1.0/24"}},
            {"name": "snet-se", "properties": {"addressPrefix": "10.20.2.0/24",
                                               "serviceEndpoints": [{"service": s} for s in endpoints]}}]}}).result()
    return vnet, {s.name: s.id for s in vnet.subnets}


def make_pe(clients, subnet_id, target_id, group="blob", name="pe-st", manual=False):
    kind = "manualPrivateLinkServiceConnections" if manual else "privateLinkServiceConnections"
    conn = {"name": "conn", "properties": {"privateLinkServiceId": target_id, "groupIds": [group]}}
    return clients.network.private_endpoints.begin_create_or_update(NET_RG, name, {
        "location": "westeurope", "properties": {"subnet": {"id": subnet_id}, kind: [conn]}}).result()


def test_account_crud_shape_and_names(clients):
    acct = put_account(clients)
    assert acct.kind == "StorageV2" and acct.sku.name == "Standard_LRS" and acct.sku.tier == "Standard"
    props = acct.properties
    assert props["primaryEndpoints"]["blob"] == f"https://{ACCT}.blob.core.windows.net/"
    assert props["primaryEndpoints"]["dfs"] == f"https://{ACCT}.dfs.core.windows.net/"
    assert props["networkAcls"] == {"bypass": "AzureServices", "virtualNetworkRules": [], "ipRules": [],
                                    "defaultAction": "Allow"}
    assert props["publicNetworkAccess"] == "Enabled" and props["provisioningState"] == "Succeeded"
    assert props["privateEndpointConnections"] == []
    listed = call(clients, "GET", f"/subscriptions/{clients.subscription}/resourceGroups/{RG}/providers/"
                                  "Microsoft.Storage/storageAccounts")[1]["value"]
    assert [a["name"] for a in listed] == [ACCT]
    # PATCH replaces networkAcls as a whole and keeps what it does not name
    patched = clients.resource.resources.begin_update_by_id(account_id(clients), api_version=API, parameters={
        "properties": {"publicNetworkAccess": "Disabled", "networkAcls": {
            "defaultAction": "Deny", "bypass": "Logging, Metrics", "ipRules": [{"value": "203.0.113.0/24"}]}}}).result()
    assert patched.properties["publicNetworkAccess"] == "Disabled"
    assert patched.properties["networkAcls"] == {"bypass": "Logging, Metrics", "virtualNetworkRules": [],
                                                 "ipRules": [{"value": "203.0.113.0/24", "action": "Allow"}],
                                                 "defaultAction": "Deny"}
    assert patched.properties["minimumTlsVersion"] == "TLS1_2"
    clients.resource.resources.begin_delete_by_id(account_id(clients), api_version=API).result()
    with pytest.raises(ResourceNotFoundError):
        get(clients, account_id(clients))


def test_account_name_rules(clients):
    with pytest.raises(HttpResponseError) as err:
        put_account(clients, name="Bad_Name")
    assert err.value.error.code == "AccountNameInvalid"
    put_account(clients)
    with pytest.raises(HttpResponseError) as err:
        put_account(clients, rg="rg-other")
    assert err.value.error.code == "StorageAccountInAnotherResourceGroup"
    status, body = call(clients, "POST", f"/subscriptions/{clients.subscription}/providers/Microsoft.Storage/"
                                         "checkNameAvailability",
                        {"name": ACCT, "type": "Microsoft.Storage/storageAccounts"})
    assert status == 200 and body["nameAvailable"] is False and body["reason"] == "AlreadyExists"


def test_vnet_rule_needs_the_storage_service_endpoint(clients):
    _, subnets = make_subnets(clients)
    put_account(clients)
    acls = {"defaultAction": "Deny", "virtualNetworkRules": [{"id": subnets["snet-se"], "action": "Allow"}]}
    with pytest.raises(HttpResponseError) as err:
        clients.resource.resources.begin_update_by_id(account_id(clients), {"properties": {"networkAcls": acls}},
                                                      api_version=API).result()
    assert err.value.error.code == "NetworkAclsValidationFailure"
    assert "SubnetsHaveNoServiceEndpointsConfigured" in err.value.error.message
    assert "snet-se" in err.value.error.message
    # nothing was written
    assert get(clients, account_id(clients)).properties["networkAcls"]["defaultAction"] == "Allow"
    for service in ("Microsoft.Storage", "Microsoft.Storage.Global"):
        _, subnets = make_subnets(clients, endpoints=[service])
        done = clients.resource.resources.begin_update_by_id(
            account_id(clients), {"properties": {"networkAcls": acls}}, api_version=API).result()
        assert done.properties["networkAcls"]["virtualNetworkRules"] == [
            {"id": subnets["snet-se"], "action": "Allow", "state": "Succeeded"}]


def test_private_link_resources_follow_the_sku(clients):
    put_account(clients)
    plrs = call(clients, "GET", account_id(clients) + "/privateLinkResources")[1]["value"]
    assert [p["properties"]["groupId"] for p in plrs] == ["blob", "table", "queue", "file", "web", "dfs"]
    blob = plrs[0]
    assert blob["type"] == "Microsoft.Storage/storageAccounts/privateLinkResources"
    assert blob["properties"]["requiredMembers"] == ["blob"]
    assert blob["properties"]["requiredZoneNames"] == ["privatelink.blob.core.windows.net"]
    put_account(clients, sku="Standard_RAGRS")
    plrs = call(clients, "GET", account_id(clients) + "/privateLinkResources")[1]["value"]
    groups = [p["properties"]["groupId"] for p in plrs]
    assert "blob_secondary" in groups and "dfs_secondary" in groups and len(groups) == 12


def test_private_endpoint_per_group_connection_approval_and_dns(clients):
    vnet, subnets = make_subnets(clients)
    put_account(clients)
    target = account_id(clients)
    pe = make_pe(clients, subnets["snet-pe"], target, group="blob")
    nic = clients.network.network_interfaces.get(NET_RG, pe.network_interfaces[0].id.split("/")[-1])
    links = [c.private_link_connection_properties for c in nic.ip_configurations]
    members = [(p.group_id, p.required_member_name, p.fqdns) for p in links]
    assert members == [("blob", "blob", [f"{ACCT}.blob.core.windows.net"])]
    assert pe.private_link_service_connections[0].private_link_service_connection_state.status == "Approved"
    # an unknown group
    with pytest.raises(HttpResponseError) as err:
        make_pe(clients, subnets["snet-pe"], target, group="blob_secondary", name="pe-sec")
    assert err.value.error.code == "PrivateLinkServiceGroupIdNotFound"
    # a manual one waits; the owner approves it on the account
    manual = make_pe(clients, subnets["snet-pe"], target, group="file", name="pe-file", manual=True)
    assert manual.manual_private_link_service_connections[0].private_link_service_connection_state.status == "Pending"
    conns = call(clients, "GET", target + "/privateEndpointConnections")[1]["value"]
    assert len(conns) == 2
    pending = next(c for c in conns if c["properties"]["privateEndpoint"]["id"].lower() == manual.id.lower())
    assert pending["properties"]["privateLinkServiceConnectionState"] == {
        "status": "Pending", "description": "Awaiting Approval", "actionRequired": "None"}
    status, body = call(clients, "PUT", pending["id"], {"properties": {"privateLinkServiceConnectionState": {
        "status": "Approved", "description": "ok"}}})
    assert status == 200 and body["properties"]["privateLinkServiceConnectionState"]["status"] == "Approved"
    assert clients.network.private_endpoints.get(NET_RG, "pe-file").manual_private_link_service_connections[0] \
        .private_link_service_connection_state.status == "Approved"
    assert len(get(clients, target).properties["privateEndpointConnections"]) == 2
    # DNS: the blob name is a CNAME to the privatelink name, which the linked zone answers with the NIC's address
    port = port_of(clients, vnet)
    answer = chain(ask(port, f"{ACCT}.blob.core.windows.net"))
    assert answer[0] == (f"{ACCT}.blob.core.windows.net.", "CNAME", [f"{ACCT}.privatelink.blob.core.windows.net."])
    assert answer[-1][1] == "A" and answer[-1][2][0].startswith("203.0.113.")   # no zone linked: public
    clients.resource.resource_groups.create_or_update("rg-dns", {"location": "westeurope"})
    zone = clients.privatedns.private_zones.begin_create_or_update("rg-dns", "privatelink.blob.core.windows.net",
                                                                   {"location": "global"}).result()
    clients.privatedns.virtual_network_links.begin_create_or_update(
        "rg-dns", zone.name, "link", {"location": "global", "properties": {
            "virtualNetwork": {"id": vnet.id}, "registrationEnabled": False}}).result()
    clients.network.private_dns_zone_groups.begin_create_or_update(NET_RG, "pe-st", "default", {
        "properties": {"privateDnsZoneConfigs": [{"name": "blob", "properties": {"privateDnsZoneId": zone.id}}]}}
    ).result()
    records = {r.name: [a.ipv4_address for a in r.a_records]
               for r in clients.privatedns.record_sets.list_by_type("rg-dns", zone.name, "A")}
    ip = nic.ip_configurations[0].private_ip_address
    assert records == {ACCT: [ip]}
    answer = chain(ask(port, f"{ACCT}.blob.core.windows.net"))
    assert answer[-1] == (f"{ACCT}.privatelink.blob.core.windows.net.", "A", [ip])
    # the queue name has no connection: no privatelink CNAME
    queue = chain(ask(port, f"{ACCT}.queue.core.windows.net"))
    assert "privatelink" not in queue[0][2][0]
    # removing the connection on the account leaves the endpoint Disconnected
    blob_conn = next(c for c in conns if c["properties"]["privateEndpoint"]["id"].lower() == pe.id.lower())
    assert call(clients, "DELETE", blob_conn["id"])[0] in (200, 204)
    assert clients.network.private_endpoints.get(NET_RG, "pe-st").private_link_service_connections[0] \
        .private_link_service_connection_state.status == "Disconnected"


def test_rejected_storage_connection_cannot_be_approved_again(clients):
    """manage-private-endpoint.md: connections previously denied can't be approved (linktargets.py)."""
    _, subnets = make_subnets(clients)
    put_account(clients)
    make_pe(clients, subnets["snet-pe"], account_id(clients), manual=True)
    conn = call(clients, "GET", account_id(clients) + "/privateEndpointConnections")[1]["value"][0]
    code, body = call(clients, "PUT", conn["id"], {"properties": {"privateLinkServiceConnectionState": {
        "status": "Rejected"}}})
    assert code == 200 and body["properties"]["privateLinkServiceConnectionState"]["status"] == "Rejected"
    code, body = call(clients, "PUT", conn["id"], {"properties": {"privateLinkServiceConnectionState": {
        "status": "Approved"}}})
    assert code == 400 and body["error"]["code"] == "BadRequest"
    code, body = call(clients, "GET", conn["id"])
    assert body["properties"]["privateLinkServiceConnectionState"]["status"] == "Rejected"


def test_sovereign_cloud_names(tmp_path):
    from privnet_emulator.testing import RunningEmulator
    emu = RunningEmulator(str(tmp_path), cloud="AzureUSGovernment")
    try:
        from privnet_emulator.scenarios import apply
        rg = "/subscriptions/" + emu.env["AZURE_SUBSCRIPTION_ID"] + "/resourceGroups/rg-gov"
        apply(emu.emulator, "PUT", rg, {"location": "usgovvirginia"})
        body = apply(emu.emulator, "PUT", rg + "/providers/Microsoft.Storage/storageAccounts/stgov",
                     {"location": "usgovvirginia", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"})
        assert body["properties"]["primaryEndpoints"]["blob"] == "https://stgov.blob.core.usgovcloudapi.net/"
        with emu.emulator.store.lock:
            res = emu.emulator.store.get((rg + "/providers/Microsoft.Storage/storageAccounts/stgov").lower())
            link = emu.emulator.engine.private_link_targets["microsoft.storage/storageaccounts"]
            assert link.groups(emu.emulator, res)[0]["zones"] == ["privatelink.blob.core.usgovcloudapi.net"]
    finally:
        emu.stop()


def test_targets_scenario(clients):
    """The `targets` scenario: the acr estate plus a storage account, a key vault and a SQL server in rg-targets, and
    a subnet with their service endpoints."""
    clients.control.scenario("targets")
    sub = clients.subscription
    base = f"/subscriptions/{sub}/resourceGroups/rg-targets/providers"
    acct = get(clients, f"{base}/Microsoft.Storage/storageAccounts/stprivnetdemo")
    vault = get(clients, f"{base}/Microsoft.KeyVault/vaults/kv-privnet-demo", api="2023-07-01")
    server = get(clients, f"{base}/Microsoft.Sql/servers/sql-privnet-demo", api="2023-08-01")
    assert acct.properties["primaryEndpoints"]["blob"] == "https://stprivnetdemo.blob.core.windows.net/"
    assert vault.properties["vaultUri"] == "https://kv-privnet-demo.vault.azure.net/"
    assert server.properties["fullyQualifiedDomainName"] == "sql-privnet-demo.database.windows.net"
    subnet = clients.network.subnets.get("rg-network", "vnet-app", "snet-endpoints")
    assert sorted(e.service for e in subnet.service_endpoints) == ["Microsoft.KeyVault", "Microsoft.Sql",
                                                                   "Microsoft.Storage"]
    assert clients.acr.registries.get("rg-acr", "acrprivnetdemo").sku.name == "Premium"
