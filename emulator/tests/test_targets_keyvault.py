"""Microsoft.KeyVault vaults as a Private Link target, through azure-mgmt-resource's generic client (api 2023-07-01,
what the collection's key_vault_network sends; azure-mgmt-keyvault is not in the dev venv) and azure-mgmt-network."""

import pytest
from azure.core.exceptions import HttpResponseError

from test_dns_listener import ask, chain, port_of
from test_targets_storage import NET_RG, RG, call, make_pe, make_subnets

API = "2023-07-01"
VAULT = "kv-privnet-demo"
TENANT = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"   # any tenant id: the emulator does not check it against Entra ID


def vault_id(clients, name=VAULT):
    return f"/subscriptions/{clients.subscription}/resourceGroups/{RG}/providers/Microsoft.KeyVault/vaults/{name}"


def put_vault(clients, **props):
    clients.resource.resource_groups.create_or_update(RG, {"location": "westeurope"})
    body = {"location": "westeurope", "properties": dict({
        "tenantId": TENANT, "sku": {"family": "A", "name": "standard"},
        "enableRbacAuthorization": True}, **props)}
    return clients.resource.resources.begin_create_or_update_by_id(vault_id(clients), body, api_version=API).result()


def update(clients, props):
    return clients.resource.resources.begin_update_by_id(vault_id(clients), {"properties": props},
                                                         api_version=API).result()


def test_vault_shape_and_network_acls(clients):
    vault = put_vault(clients)
    assert vault.properties["vaultUri"] == f"https://{VAULT}.vault.azure.net/"
    assert vault.properties["publicNetworkAccess"] == "Enabled"
    assert vault.properties["sku"] == {"family": "A", "name": "standard"}
    assert vault.properties["privateEndpointConnections"] == []
    _, subnets = make_subnets(clients)
    rule = {"id": subnets["snet-se"]}
    with pytest.raises(HttpResponseError) as err:
        update(clients, {"networkAcls": {"defaultAction": "Deny", "virtualNetworkRules": [rule]}})
    assert err.value.error.code == "SubnetsHaveNoServiceEndpointsConfigured"
    assert "Microsoft.KeyVault" in err.value.error.message and "snet-se" in err.value.error.message
    assert "networkAcls" not in clients.resource.resources.get_by_id(vault_id(clients), api_version=API).properties
    done = update(clients, {"publicNetworkAccess": "Disabled", "networkAcls": {
        "defaultAction": "Deny", "bypass": "None", "ipRules": [{"value": "203.0.113.7"}],
        "virtualNetworkRules": [dict(rule, ignoreMissingVnetServiceEndpoint=True)]}})
    assert done.properties["publicNetworkAccess"] == "Disabled"
    assert done.properties["networkAcls"] == {
        "bypass": "None", "defaultAction": "Deny", "ipRules": [{"value": "203.0.113.7"}],
        "virtualNetworkRules": [{"id": subnets["snet-se"], "ignoreMissingVnetServiceEndpoint": True}]}
    _, subnets = make_subnets(clients, endpoints=["Microsoft.KeyVault"])
    done = update(clients, {"networkAcls": {"defaultAction": "Deny", "virtualNetworkRules": [rule]}})
    assert done.properties["networkAcls"]["virtualNetworkRules"] == [
        {"id": subnets["snet-se"], "ignoreMissingVnetServiceEndpoint": False}]


def test_vault_private_endpoint_and_dns(clients):
    vnet, subnets = make_subnets(clients)
    put_vault(clients)
    plrs = call(clients, "GET", vault_id(clients) + "/privateLinkResources", api=API)[1]["value"]
    assert [(p["name"], p["properties"]["groupId"], p["properties"]["requiredMembers"],
             p["properties"]["requiredZoneNames"]) for p in plrs] == [
        ("vault", "vault", ["default"], ["privatelink.vaultcore.azure.net"])]
    pe = make_pe(clients, subnets["snet-pe"], vault_id(clients), group="vault", manual=True)
    nic = clients.network.network_interfaces.get(NET_RG, pe.network_interfaces[0].id.split("/")[-1])
    cfg = nic.ip_configurations[0]
    assert cfg.private_link_connection_properties.required_member_name == "default"
    assert cfg.private_link_connection_properties.fqdns == [f"{VAULT}.vault.azure.net"]
    conn = call(clients, "GET", vault_id(clients) + "/privateEndpointConnections", api=API)[1]["value"][0]
    assert conn["properties"]["privateLinkServiceConnectionState"]["status"] == "Pending"
    assert "actionsRequired" in conn["properties"]["privateLinkServiceConnectionState"]
    # a Pending or Approved connection puts the privatelink CNAME in the public name, a Rejected one does not (the
    # dnsserver.py convention, as for registries)
    port = port_of(clients, vnet)
    assert chain(ask(port, f"{VAULT}.vault.azure.net"))[0][2] == [f"{VAULT}.privatelink.vaultcore.azure.net."]
    for status, cname in (("Approved", True), ("Rejected", False), ("Pending", True)):
        code, _ = call(clients, "PUT", conn["id"], {"properties": {"privateLinkServiceConnectionState": {
            "status": status, "description": "ok"}}}, api=API)
        assert code == 200
        assert ("privatelink" in chain(ask(port, f"{VAULT}.vault.azure.net"))[0][2][0]) is cname
    # a zone group writes the vault's record into privatelink.vaultcore.azure.net
    clients.resource.resource_groups.create_or_update("rg-dns", {"location": "westeurope"})
    zone = clients.privatedns.private_zones.begin_create_or_update("rg-dns", "privatelink.vaultcore.azure.net",
                                                                   {"location": "global"}).result()
    clients.privatedns.virtual_network_links.begin_create_or_update("rg-dns", zone.name, "link", {
        "location": "global", "properties": {"virtualNetwork": {"id": vnet.id}, "registrationEnabled": False}}).result()
    clients.network.private_dns_zone_groups.begin_create_or_update(NET_RG, "pe-st", "default", {
        "properties": {"privateDnsZoneConfigs": [{"name": "kv", "properties": {"privateDnsZoneId": zone.id}}]}}
    ).result()
    records = {r.name: [a.ipv4_address for a in r.a_records]
               for r in clients.privatedns.record_sets.list_by_type("rg-dns", zone.name, "A")}
    assert records == {VAULT: [cfg.private_ip_address]}
    assert chain(ask(port, f"{VAULT}.vault.azure.net"))[-1] == (
        f"{VAULT}.privatelink.vaultcore.azure.net.", "A", [cfg.private_ip_address])
    listed = clients.resource.resources.get_by_id(vault_id(clients), api_version=API)
    assert [c["id"] for c in listed.properties["privateEndpointConnections"]] == [conn["id"]]
