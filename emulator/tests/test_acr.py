"""Microsoft.ContainerRegistry through the real SDK: registries, replications, private link resources,
private endpoint connections' wire shape, name availability and the second subscription."""

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.core.rest import HttpRequest

from privnet_emulator import SECOND_SUBSCRIPTION

RG = "rg-acr"
REG = "acrprivnetdemo"
API = "2025-11-01"


def error_code(err):
    return err.value.error.code


def create(clients, name=REG, sku="Premium", rg=RG, location="westeurope", client=None, **props):
    clients.resource.resource_groups.create_or_update(rg, {"location": location})
    return (client or clients.acr).registries.begin_create(rg, name, {
        "location": location, "sku": {"name": sku}, "properties": props}).result()


def refused(clients, name=REG, sku="Basic", **props):
    with pytest.raises(HttpResponseError) as err:
        create(clients, name=name, sku=sku, **props)
    return err


def registry_path(clients, name=REG, rg=RG):
    return (f"/subscriptions/{clients.subscription}/resourceGroups/{rg}/providers/Microsoft.ContainerRegistry/"
            f"registries/{name}")


def send(clients, method, path, body=None, api=API):
    request = HttpRequest(method, path if "api-version=" in path else f"{path}?api-version={api}", json=body)
    return clients.acr.send_request(request)


# ---- registries -------------------------------------------------------------------------------------------------
def test_premium_registry_defaults(clients):
    reg = create(clients, adminUserEnabled=False)
    assert reg.id == registry_path(clients)
    assert reg.type == "Microsoft.ContainerRegistry/registries"
    assert (reg.sku.name, reg.sku.tier) == ("Premium", "Premium")
    assert reg.location == "westeurope" and reg.tags == {}
    assert reg.login_server == f"{REG}.azurecr.io"
    assert reg.provisioning_state == "Succeeded"
    assert reg.creation_date is not None
    assert reg.admin_user_enabled is False
    assert reg.public_network_access == "Enabled"
    assert reg.network_rule_bypass_options == "AzureServices"
    assert reg.zone_redundancy == "Disabled"
    assert reg.anonymous_pull_enabled is False
    assert reg.data_endpoint_enabled is False and reg.data_endpoint_host_names == []
    assert reg.private_endpoint_connections == []
    assert reg.network_rule_set.default_action == "Allow" and reg.network_rule_set.ip_rules == []
    assert reg.policies.retention_policy.days == 7 and reg.policies.export_policy.status == "enabled"
    assert reg.encryption.status == "disabled"
    assert reg.system_data.created_by_type == "Application"
    assert reg.status is None
    assert [r.name for r in clients.acr.registries.list_by_resource_group(RG)] == [REG]
    assert [r.name for r in clients.acr.registries.list()] == [REG]


def test_create_answers_201_creating_with_async_operation(clients):
    clients.resource.resource_groups.create_or_update(RG, {"location": "westeurope"})
    resp = send(clients, "PUT", registry_path(clients), {"location": "westeurope", "sku": {"name": "Basic"}})
    assert resp.status_code == 201
    assert resp.json()["properties"]["provisioningState"] == "Creating"
    assert "etag" not in resp.json() and "ETag" not in resp.headers
    assert f"{registry_path(clients)}/operationStatuses/registries-" in resp.headers["Azure-AsyncOperation"]
    # Every status poll, the last one too, repeats the operation's URL (recordings).
    poll = send(clients, "GET", resp.headers["Azure-AsyncOperation"])
    assert poll.json() == {"status": "Succeeded"}
    assert poll.headers["Azure-AsyncOperation"] == resp.headers["Azure-AsyncOperation"]
    # A PUT on an existing registry answers 201 too (the recordings), with Updating.
    again = send(clients, "PUT", registry_path(clients), {"location": "westeurope", "sku": {"name": "Basic"}})
    assert again.status_code == 201 and again.json()["properties"]["provisioningState"] == "Updating"


def test_patch_is_synchronous(clients):
    # Every recorded registry PATCH (2019-05-01 up to 2023-11-01-preview) answers 200 at once, no operation.
    create(clients, sku="Basic")
    resp = send(clients, "PATCH", registry_path(clients), {"properties": {"adminUserEnabled": True}})
    assert resp.status_code == 200 and "Azure-AsyncOperation" not in resp.headers
    assert resp.json()["properties"]["provisioningState"] == "Succeeded"
    assert resp.json()["properties"]["adminUserEnabled"] is True


@pytest.mark.parametrize("api", ["2019-05-01", "2020-11-01-preview", "2021-09-01"])
def test_older_api_versions_write_synchronously(clients, api):
    clients.resource.resource_groups.create_or_update(RG, {"location": "westeurope"})
    body = {"location": "westeurope", "sku": {"name": "Basic"}}
    created = send(clients, "PUT", registry_path(clients), body, api=api)
    assert created.status_code == 200 and "Azure-AsyncOperation" not in created.headers
    assert created.json()["properties"]["provisioningState"] == "Succeeded"
    updated = send(clients, "PUT", registry_path(clients), dict(body, tags={"a": "b"}), api=api)
    assert updated.status_code == 200 and updated.json()["tags"] == {"a": "b"}
    deleted = send(clients, "DELETE", registry_path(clients), api=api)
    assert (deleted.status_code, deleted.content, "Location" in deleted.headers) == (200, b"", False)
    assert send(clients, "GET", registry_path(clients)).status_code == 404


def test_basic_registry_has_no_network_rule_set(clients):
    reg = create(clients, sku="Basic")
    assert (reg.sku.name, reg.sku.tier) == ("Basic", "Basic")
    assert reg.network_rule_set is None


def test_premium_only_features_refused_on_basic_and_standard(clients):
    err = refused(clients, publicNetworkAccess="Disabled")
    assert err.value.status_code == 400 and error_code(err) == "DisablingPublicNetworkAccessNotSupported"
    assert "SKU Basic" in err.value.error.message
    err = refused(clients, sku="Standard", networkRuleSet={"defaultAction": "Deny"})
    assert error_code(err) == "NetworkRuleNotSupported"
    assert err.value.error.message == \
        "The requested feature virtual network rule is not supported for the SKU Standard."
    err = refused(clients, networkRuleSet={"defaultAction": "Allow", "ipRules": [{"action": "Allow",
                                                                                 "value": "1.2.3.4"}]})
    assert error_code(err) == "NetworkRuleNotSupported"
    assert error_code(refused(clients, dataEndpointEnabled=True)) == "DataEndpointNotSupported"
    create(clients, sku="Standard")
    with pytest.raises(HttpResponseError) as err:
        clients.acr.replications.begin_create(RG, REG, "eastus", {"location": "eastus"}).result()
    assert err.value.status_code == 400 and error_code(err) == "ReplicationNotSupported"


def test_premium_network_rules_and_data_endpoints(clients):
    reg = create(clients, publicNetworkAccess="Disabled", dataEndpointEnabled=True, networkRuleBypassOptions="None",
                 networkRuleSet={"defaultAction": "Deny", "ipRules": [{"value": "203.0.113.0/24"}]})
    assert reg.public_network_access == "Disabled" and reg.network_rule_bypass_options == "None"
    assert reg.network_rule_set.default_action == "Deny"
    assert [(r.action, r.ip_address_or_range) for r in reg.network_rule_set.ip_rules] == [("Allow", "203.0.113.0/24")]
    assert reg.data_endpoint_host_names == [f"{REG}.westeurope.data.azurecr.io"]
    clients.acr.replications.begin_create(RG, REG, "eastus", {"location": "eastus"}).result()
    assert clients.acr.registries.get(RG, REG).data_endpoint_host_names == [
        f"{REG}.westeurope.data.azurecr.io", f"{REG}.eastus.data.azurecr.io"]


def test_bad_values(clients):
    assert error_code(refused(clients, sku="Gold")) == "InvalidSku"
    assert error_code(refused(clients, sku="Premium", publicNetworkAccess="Sometimes")) == "BadRequest"
    err = refused(clients, sku="Premium", networkRuleSet={"defaultAction": "Deny", "ipRules": [{"value": "1.2.3"}]})
    assert error_code(err) == "BadRequest" and "1.2.3" in err.value.error.message


@pytest.mark.parametrize("name", ["acr", "acr-demo1", "a" * 51])
def test_invalid_names(clients, name):
    err = refused(clients, name=name, sku="Premium")
    assert err.value.status_code == 400 and error_code(err) == "InvalidRegistryName"
    result = clients.acr.registries.check_name_availability(
        {"name": name, "type": "Microsoft.ContainerRegistry/registries"})
    assert (result.name_available, result.reason) == (False, "Invalid")


def test_names_are_global(clients):
    create(clients)
    # Another resource group, or another subscription: the login server name is taken.
    with pytest.raises(ResourceExistsError) as err:
        create(clients, rg="rg-other", name=REG.upper())
    assert error_code(err) == "AlreadyInUse"
    assert f"{REG}.azurecr.io is already in use" in err.value.error.message
    taken = clients.acr.registries.check_name_availability({"name": REG,
                                                            "type": "Microsoft.ContainerRegistry/registries"})
    assert (taken.name_available, taken.reason, taken.message) == (False, "AlreadyExists",
                                                                   f"The registry {REG} is already in use.")
    free = clients.acr.registries.check_name_availability({"name": "acrfree123",
                                                           "type": "Microsoft.ContainerRegistry/registries"})
    assert free.name_available is True and free.reason is None


def test_update_merges_and_checks_the_sku(clients):
    create(clients, sku="Basic", adminUserEnabled=True)
    with pytest.raises(HttpResponseError) as err:
        clients.acr.registries.begin_update(RG, REG, {"properties": {"publicNetworkAccess": "Disabled"}}).result()
    assert error_code(err) == "DisablingPublicNetworkAccessNotSupported"
    reg = clients.acr.registries.begin_update(RG, REG, {"sku": {"name": "Premium"}, "tags": {"env": "test"},
                                                        "properties": {"publicNetworkAccess": "Disabled"}}).result()
    assert (reg.sku.name, reg.tags, reg.public_network_access, reg.admin_user_enabled) == (
        "Premium", {"env": "test"}, "Disabled", True)
    clients.acr.replications.begin_create(RG, REG, "eastus", {"location": "eastus"}).result()
    with pytest.raises(HttpResponseError) as err:
        clients.acr.registries.begin_update(RG, REG, {"sku": {"name": "Standard"},
                                                      "properties": {"publicNetworkAccess": "Enabled"}}).result()
    assert error_code(err) == "ReplicationNotSupported"
    assert clients.acr.registries.get(RG, REG).sku.name == "Premium"


def test_location_cannot_change(clients):
    create(clients)
    with pytest.raises(ResourceExistsError) as err:
        clients.acr.registries.begin_create(RG, REG, {"location": "northeurope", "sku": {"name": "Premium"}}).result()
    assert error_code(err) == "InvalidResourceLocation"


def test_delete_answers_202_with_location_and_deleting_body(clients):
    create(clients)
    clients.acr.replications.begin_create(RG, REG, "eastus", {"location": "eastus"}).result()
    resp = send(clients, "DELETE", registry_path(clients))
    assert resp.status_code == 202
    assert "/providers/Microsoft.ContainerRegistry/locations/westeurope/operationResults/registries-" in \
        resp.headers["Location"]
    assert resp.json()["properties"]["provisioningState"] == "Deleting"
    with pytest.raises(ResourceNotFoundError) as err:
        clients.acr.registries.get(RG, REG)
    assert error_code(err) == "ResourceNotFound"
    assert list(clients.acr.registries.list()) == []
    # Its children went with it.
    assert [r["id"] for r in clients.control.state()["resources"] if "ContainerRegistry" in r["id"]] == []


def test_sdk_delete(clients):
    create(clients)
    clients.acr.registries.begin_delete(RG, REG).result()
    assert list(clients.acr.registries.list_by_resource_group(RG)) == []


# ---- replications --------------------------------------------------------------------------------------------------
def test_replications(clients):
    create(clients)
    rep = clients.acr.replications.begin_create(RG, REG, "eastus", {"location": "eastus",
                                                                    "tags": {"a": "b"}}).result()
    assert rep.id == f"{registry_path(clients)}/replications/eastus"
    assert rep.type == "Microsoft.ContainerRegistry/registries/replications"
    assert (rep.location, rep.tags, rep.provisioning_state) == ("eastus", {"a": "b"}, "Succeeded")
    assert rep.status.display_status == "Ready"
    assert rep.region_endpoint_enabled is True and rep.zone_redundancy == "Disabled"
    assert [r.name for r in clients.acr.replications.list(RG, REG)] == ["eastus"]

    for name, region in (("westeurope", "westeurope"), ("copy", "eastus")):
        with pytest.raises(HttpResponseError) as err:
            clients.acr.replications.begin_create(RG, REG, name, {"location": region}).result()
        assert err.value.status_code == 400 and error_code(err) == "InvalidReplicationLocation"

    resp = send(clients, "DELETE", f"{registry_path(clients)}/replications/eastus")
    assert resp.status_code == 202 and "operationResults/replications-" in resp.headers["Location"]
    assert resp.text() == ""
    assert list(clients.acr.replications.list(RG, REG)) == []
    with pytest.raises(ResourceNotFoundError):
        clients.acr.replications.get(RG, REG, "eastus")


def test_replication_needs_its_registry(clients):
    clients.resource.resource_groups.create_or_update(RG, {"location": "westeurope"})
    with pytest.raises(ResourceNotFoundError):
        clients.acr.replications.begin_create(RG, "acrnothere", "eastus", {"location": "eastus"}).result()


# ---- private link resources and connections ----------------------------------------------------------------------
def test_private_link_resources(clients):
    create(clients)
    clients.acr.replications.begin_create(RG, REG, "eastus", {"location": "eastus"}).result()
    [plr] = list(clients.acr.registries.list_private_link_resources(RG, REG))
    assert plr.id == f"{registry_path(clients)}/privateLinkResources/registry"
    assert plr.type == "Microsoft.ContainerRegistry/registries/privateLinkResources"
    assert plr.name == "registry" and plr.properties.group_id == "registry"
    assert plr.properties.required_members == ["registry", "registry_data_westeurope", "registry_data_eastus"]
    assert plr.properties.required_zone_names == ["privatelink.azurecr.io"]
    got = clients.acr.registries.get_private_link_resource(RG, REG, "registry")
    assert got.properties.required_members == plr.properties.required_members
    with pytest.raises(ResourceNotFoundError):
        clients.acr.registries.get_private_link_resource(RG, REG, "vault")


def test_connection_wire_shape(clients):
    create(clients)
    clients.resource.resource_groups.create_or_update("rg-net", {"location": "westeurope"})
    vnet = clients.network.virtual_networks.begin_create_or_update("rg-net", "vnet", {
        "location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}, "subnets": [
            {"name": "pe", "properties": {"addressPrefix": "10.1.1.0/24"}}]}}).result()
    pe = clients.network.private_endpoints.begin_create_or_update("rg-net", "pe", {
        "location": "westeurope", "properties": {"subnet": {"id": vnet.subnets[0].id},
                                                 "manualPrivateLinkServiceConnections": [{"name": "c", "properties": {
                                                     "privateLinkServiceId": registry_path(clients),
                                                     "groupIds": ["registry"]}}]}}).result()
    [pec] = list(clients.acr.private_endpoint_connections.list(RG, REG))
    path = f"{registry_path(clients)}/privateEndpointConnections/{pec.name}"
    put = send(clients, "PUT", path, {"properties": {"privateEndpoint": {"id": pe.id},
                                                     "privateLinkServiceConnectionState": {"status": "Approved"}}})
    assert put.status_code == 201
    assert f"{path}/operationStatuses/privateendpointconnections-" in put.headers["Azure-AsyncOperation"]
    assert put.json()["properties"]["provisioningState"] == "Updating"
    assert put.json()["properties"]["privateLinkServiceConnectionState"]["status"] == "Pending"
    got = send(clients, "GET", path).json()
    assert "systemData" in put.json() and "systemData" not in got   # the recording's PUT answer has it, GETs not
    assert got["properties"]["privateLinkServiceConnectionState"]["status"] == "Approved"
    assert got["type"] == "Microsoft.ContainerRegistry/registries/privateEndpointConnections"
    deleted = send(clients, "DELETE", path)
    assert deleted.status_code == 202
    assert "/locations/westeurope/operationResults/privateendpointconnections-" in deleted.headers["Location"]
    assert list(clients.acr.private_endpoint_connections.list(RG, REG)) == []


# ---- the second subscription -------------------------------------------------------------------------------------
def test_registry_in_second_subscription_needs_the_provider_registered(clients):
    clients.resource2.resource_groups.create_or_update(RG, {"location": "westeurope"})
    body = {"location": "westeurope", "sku": {"name": "Premium"}}
    # Microsoft.ContainerRegistry starts unregistered there. The SDK's auto-registration policy reads the 409 body,
    # which an LRO's first call streams: it cannot, so the create fails and nothing registers the provider.
    with pytest.raises(ResourceExistsError) as err:
        clients.acr2.registries.begin_create(RG, "acrsecondsub", body).result()
    assert error_code(err) == "MissingSubscriptionRegistration"
    assert [e for e in clients.control.log(method="POST") if e["path"].endswith("/register")] == []

    provider = clients.resource2.providers.register("Microsoft.ContainerRegistry")
    assert provider.registration_state == "Registered"
    reg = clients.acr2.registries.begin_create(RG, "acrsecondsub", body).result()
    assert reg.id.startswith(f"/subscriptions/{SECOND_SUBSCRIPTION}/")
    assert [e["path"] for e in clients.control.log(method="POST") if e["path"].endswith("/register")] == [
        f"/subscriptions/{SECOND_SUBSCRIPTION}/providers/Microsoft.ContainerRegistry/register"]
    assert [r.name for r in clients.acr2.registries.list()] == ["acrsecondsub"]
    assert list(clients.acr.registries.list()) == []
