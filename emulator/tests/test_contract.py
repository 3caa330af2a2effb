"""The published contract in the loop (privnet_emulator/contract): api-versions, the Azure Stack Hub API profile,
strict request bodies, and an audit of every response the suite's traffic gets against Microsoft's OpenAPI files.

Sources of the answers are in privnet_emulator/contract/__init__.py; the tables are generated from
Azure/azure-rest-api-specs by emulator/tools/gen_contract.py.
"""

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest

from privnet_emulator.contract import spec_tables
from privnet_emulator.contract.gaps import RESPONSE_ALLOWED
from privnet_emulator.contract.versions import PROFILES
from privnet_emulator.server import Emulator
from privnet_emulator.testing import EmulatorProcess

NET = "2026-03-01"
ACR = "2025-11-01"
STORAGE = "2023-05-01"     # tables_targets.py (Private Link targets, issue 15)
KEYVAULT = "2023-07-01"
SQL = "2023-08-01"
HUB = "2020-09-01-hybrid"


@pytest.fixture
def rg(clients):
    clients.resource.resource_groups.create_or_update("rg-contract", {"location": "westeurope"})
    return f"/subscriptions/{clients.subscription}/resourceGroups/rg-contract"


@pytest.fixture
def profile(emulator):
    """Serve as Azure Stack Hub's latest profile for one test."""
    emulator.control.config(api_profile=HUB)
    yield HUB
    emulator.control.config(api_profile="")


@pytest.fixture
def lenient(emulator):
    emulator.control.config(strict_contract=False)
    yield
    emulator.control.config(strict_contract=True)


def send(clients, method, url, body=None):
    request = HttpRequest(method, url, json=body) if body is not None else HttpRequest(method, url)
    return clients.network.send_request(request)


def error(resp):
    return resp.json()["error"]


# ---- api-versions -----------------------------------------------------------------------------------------
def test_unknown_api_version_gets_invalid_api_version_parameter(clients, rg):
    resp = send(clients, "GET", f"{rg}/providers/Microsoft.Network/virtualNetworks/v1?api-version=2099-01-01")
    assert resp.status_code == 400
    err = error(resp)
    assert err["code"] == "InvalidApiVersionParameter"
    assert err["message"].startswith("The api-version '2099-01-01' is invalid. The supported versions are '")
    supported = err["message"].split("'")[3].split(",")
    assert "2026-03-01" in supported and "2024-03-01" in supported     # the pinned and the floor SDK's
    assert supported == sorted(supported, reverse=True)


@pytest.mark.parametrize("namespace, path, version", [
    ("Microsoft.Network", "virtualNetworks/v1", "2024-03-01"),            # azure-mgmt-network 28.0.0 (floor)
    ("Microsoft.Network", "virtualNetworks/v1", "2024-05-01"),            # azure-mgmt-network 28.1.0
    ("Microsoft.Network", "privateDnsZones/z.example", "2024-06-01"),     # azure-mgmt-privatedns 1.2.0 and 2.0.0
    ("Microsoft.ContainerRegistry", "registries/reg1", "2023-07-01"),     # azure-mgmt-containerregistry 10.3.0
    ("Microsoft.ContainerRegistry", "registries/reg1", "2021-09-01"),     # a recording's
    ("Microsoft.ManagedIdentity", "userAssignedIdentities/id1", "2024-11-30"),
])
def test_the_floor_and_recorded_api_versions_are_served(clients, rg, namespace, path, version):
    resp = send(clients, "GET", f"{rg}/providers/{namespace}/{path}?api-version={version}")
    assert resp.status_code == 404, resp.text    # served: the resource is just not there


def test_every_advertised_version_is_served(emulator):
    """The provider listing (providers/resources.py) never advertises a version the contract check refuses."""
    from privnet_emulator.contract import served_versions
    from privnet_emulator.providers.resources import API_VERSIONS
    for namespace, versions in API_VERSIONS.items():
        if namespace == "microsoft.resources":
            continue
        for types in (("virtualNetworks",), ("privateDnsZones",)) if namespace == "microsoft.network" else (("x",),):
            served = served_versions("", namespace, types)
            assert set(versions) <= set(served), (namespace, types)


# ---- the Azure Stack Hub profile ------------------------------------------------------------------------------
def test_profile_hides_private_endpoints(clients, rg, profile):
    with pytest.raises(HttpResponseError) as exc:
        clients.network.private_endpoints.begin_create_or_update("rg-contract", "pe1", {
            "location": "westeurope", "properties": {"subnet": {"id": f"{rg}/providers/Microsoft.Network/"
                                                                      "virtualNetworks/v/subnets/s"}}}).result()
    assert exc.value.error.code == "InvalidResourceType"
    assert exc.value.error.message == ("The resource type 'privateEndpoints' could not be found in the namespace "
                                       f"'Microsoft.Network' for api version '{NET}'.")
    # at the profile's own api-version too: Microsoft.Network 2018-11-01 has no private endpoints
    resp = send(clients, "GET", f"{rg}/providers/Microsoft.Network/privateEndpoints/pe1?api-version=2018-11-01")
    assert resp.status_code == 400 and error(resp)["code"] == "InvalidResourceType"
    # and no Private DNS (the profile has no Private DNS client)
    resp = send(clients, "GET", f"{rg}/providers/Microsoft.Network/privateDnsZones/z.example?api-version=2024-06-01")
    assert error(resp)["code"] == "InvalidResourceType"


def test_profile_serves_its_own_versions_only(clients, rg, profile):
    resp = send(clients, "PUT", f"{rg}/providers/Microsoft.Network/virtualNetworks/v1?api-version=2018-11-01",
                {"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}})
    assert resp.status_code == 201, resp.text
    resp = send(clients, "GET", f"{rg}/providers/Microsoft.Network/virtualNetworks/v1?api-version={NET}")
    assert resp.status_code == 400
    err = error(resp)
    assert err["code"] == "NoRegisteredProviderFound"
    assert err["message"] == ("No registered resource provider found for location 'westeurope' and API version "
                              f"'{NET}' for type 'virtualNetworks'. The supported api-versions are '2018-11-01'. "
                              "The supported locations are 'westeurope'.")
    with pytest.raises(HttpResponseError) as exc:     # what the pinned SDK gets from such a cloud
        clients.network.virtual_networks.get("rg-contract", "v1")
    assert exc.value.error.code == "NoRegisteredProviderFound"


def test_profile_option_of_the_constructor_and_the_cli(tmp_path):
    emu = Emulator(str(tmp_path / "a"), api_profile=HUB)
    assert emu.config["api_profile"] == HUB and HUB in PROFILES
    with pytest.raises(ValueError):
        Emulator(str(tmp_path / "b"), api_profile="1999-01-01-nothing")
    proc = EmulatorProcess(str(tmp_path / "c"), "--api-profile", HUB, "--no-strict")
    try:
        config = proc.control.config()
        assert config["api_profile"] == HUB and config["strict_contract"] is False
    finally:
        proc.stop()


def test_strict_is_on_by_default_and_the_env_turns_it_off(tmp_path, monkeypatch):
    assert Emulator(str(tmp_path / "a")).config["strict_contract"] is True
    monkeypatch.setenv("PRIVNET_EMULATOR_STRICT", "0")
    assert Emulator(str(tmp_path / "b")).config["strict_contract"] is False


# ---- strict request bodies ---------------------------------------------------------------------------------
def vnet_body(**props):
    return {"location": "westeurope", "properties": dict({"addressSpace": {"addressPrefixes": ["10.8.0.0/16"]}},
                                                         **props)}


def test_wrong_type_is_nrp_invalid_request_format(clients, rg):
    resp = send(clients, "PUT", f"{rg}/providers/Microsoft.Network/virtualNetworks/v2?api-version={NET}",
                vnet_body(enableDdosProtection="yes"))
    assert resp.status_code == 400
    err = error(resp)
    assert (err["code"], err["message"]) == ("InvalidRequestFormat", "Cannot parse the request.")
    assert err["details"][0]["code"] == "InvalidJson"
    assert "Path 'properties.enableDdosProtection'" in err["details"][0]["message"]


def test_unknown_member_is_refused_by_nrp(clients, rg):
    resp = send(clients, "PUT", f"{rg}/providers/Microsoft.Network/virtualNetworks/v3?api-version={NET}",
                vnet_body(subnets=[{"name": "s", "properties": {"addressPrefix": "10.8.0.0/24", "colour": "red"}}]))
    assert resp.status_code == 400
    detail = error(resp)["details"][0]["message"]
    assert detail == ("Could not find member 'colour' on object of type 'SubnetPropertiesFormat'. "
                      "Path 'properties.subnets[0].properties.colour'.")


def test_missing_required_property_is_refused(clients, rg):
    nsg = f"{rg}/providers/Microsoft.Network/networkSecurityGroups/nsg1"
    assert send(clients, "PUT", f"{nsg}?api-version={NET}", {"location": "westeurope"}).status_code == 201
    resp = send(clients, "PUT", f"{nsg}/securityRules/r1?api-version={NET}", {"properties": {
        "protocol": "Tcp", "priority": 100, "direction": "Inbound", "sourceAddressPrefix": "*",
        "destinationAddressPrefix": "*", "sourcePortRange": "*", "destinationPortRange": "22"}})
    assert resp.status_code == 400
    assert "Required property 'access' not found in JSON. Path 'properties'." in error(resp)["details"][0]["message"]
    # ACR (ARM's envelope): a registry needs its sku
    resp = send(clients, "PUT", f"{rg}/providers/Microsoft.ContainerRegistry/registries/regcontract1?api-version={ACR}",
                {"location": "westeurope", "properties": {}})
    assert resp.status_code == 400
    assert error(resp)["code"] == "InvalidRequestContent"
    assert error(resp)["message"] == ("The request content was invalid and could not be deserialized: "
                                      "'Required property 'sku' not found in JSON. Path ''.'.")


def test_value_outside_a_closed_enum_is_refused(clients, rg):
    """ResourceIdentityType is a closed enum (x-ms-enum modelAsString false); SkuName is not."""
    url = f"{rg}/providers/Microsoft.ContainerRegistry/registries/regcontract2?api-version={ACR}"
    resp = send(clients, "PUT", url, {"location": "westeurope", "sku": {"name": "Premium"},
                                      "identity": {"type": "Everything"}})
    assert resp.status_code == 400
    assert error(resp)["code"] == "InvalidRequestContent"
    assert "Path 'identity.type'" in error(resp)["message"]


def test_read_only_properties_are_ignored(clients, rg):
    resp = send(clients, "PUT", f"{rg}/providers/Microsoft.Network/virtualNetworks/v4?api-version={NET}",
                vnet_body(resourceGuid="not-a-guid", provisioningState="Failed", flowLogs=[{"id": "x"}]))
    assert resp.status_code == 201, resp.text
    vnet = clients.network.virtual_networks.get("rg-contract", "v4")
    assert vnet.resource_guid != "not-a-guid" and vnet.provisioning_state == "Succeeded"


def test_strict_off_accepts_what_the_spec_refuses(clients, rg, lenient):
    resp = send(clients, "PUT", f"{rg}/providers/Microsoft.Network/virtualNetworks/v5?api-version={NET}",
                vnet_body(subnets=[{"name": "s", "properties": {"addressPrefix": "10.8.0.0/24", "colour": "red"}}]))
    assert resp.status_code == 201, resp.text


def test_bodies_at_versions_without_a_table_are_not_validated(clients, rg):
    resp = send(clients, "PUT", f"{rg}/providers/Microsoft.Network/virtualNetworks/v6?api-version=2024-03-01",
                vnet_body(somethingNewer={"a": 1}))
    assert resp.status_code == 201, resp.text


# ---- the Private Link targets' tables (tables_targets.py) ------------------------------------------------------
def storage_url(rg, name):
    return f"{rg}/providers/Microsoft.Storage/storageAccounts/{name}?api-version={STORAGE}"


def test_storage_body_breaking_the_spec_is_invalid_request_content(clients, rg):
    """NetworkRuleSet.defaultAction is a closed enum (storage.json 2023-05-01, modelAsString false) and a required
    member; StorageAccountCreateParameters requires sku and kind: ARM's InvalidRequestContent, not NRP's format."""
    base = {"location": "westeurope", "sku": {"name": "Standard_LRS"}, "kind": "StorageV2"}
    resp = send(clients, "PUT", storage_url(rg, "stcontract1"),
                dict(base, properties={"networkAcls": {"defaultAction": "Maybe"}}))
    assert resp.status_code == 400
    assert error(resp)["code"] == "InvalidRequestContent"
    assert "Path 'properties.networkAcls.defaultAction'" in error(resp)["message"]
    resp = send(clients, "PUT", storage_url(rg, "stcontract1"), dict(base, properties={"networkAcls": {"bypass": "None"}}))
    assert error(resp)["message"] == ("The request content was invalid and could not be deserialized: 'Required "
                                      "property 'defaultAction' not found in JSON. Path 'properties.networkAcls'.'.")
    resp = send(clients, "PUT", storage_url(rg, "stcontract1"), {"location": "westeurope", "kind": "StorageV2"})
    assert error(resp)["message"] == ("The request content was invalid and could not be deserialized: 'Required "
                                      "property 'sku' not found in JSON. Path ''.'.")
    # an unknown member is no error outside NRP; the account is created
    resp = send(clients, "PUT", storage_url(rg, "stcontract1"), dict(base, properties={"colour": "red"}))
    assert resp.status_code in (200, 202), resp.text


def test_storage_connection_state_with_a_wrong_type_is_refused(clients, rg):
    url = (f"{rg}/providers/Microsoft.Storage/storageAccounts/stcontract2/privateEndpointConnections/c1"
           f"?api-version={STORAGE}")
    resp = send(clients, "PUT", url, {"properties": {"privateLinkServiceConnectionState": {"status": 1}}})
    assert resp.status_code == 400 and error(resp)["code"] == "InvalidRequestContent"
    assert "privateLinkServiceConnectionState.status" in error(resp)["message"]


def vault_url(rg, name):
    return f"{rg}/providers/Microsoft.KeyVault/vaults/{name}?api-version={KEYVAULT}"


def test_keyvault_body_breaking_the_spec_is_invalid_request_content(clients, rg):
    """keyvault.json 2023-07-01: Sku.name is a closed enum (SkuName, modelAsString false), Sku requires name and
    family, VaultProperties requires tenantId and sku, IPRule requires value: ARM's InvalidRequestContent."""
    tenant = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
    props = {"tenantId": tenant, "sku": {"family": "A", "name": "standard"}, "accessPolicies": []}
    resp = send(clients, "PUT", vault_url(rg, "kv-contract1"),
                {"location": "westeurope", "properties": dict(props, sku={"family": "A", "name": "gold"})})
    assert resp.status_code == 400 and error(resp)["code"] == "InvalidRequestContent"
    assert "Path 'properties.sku.name'" in error(resp)["message"]
    resp = send(clients, "PUT", vault_url(rg, "kv-contract1"),
                {"location": "westeurope", "properties": {"tenantId": tenant, "accessPolicies": []}})
    assert error(resp)["message"] == ("The request content was invalid and could not be deserialized: 'Required "
                                      "property 'sku' not found in JSON. Path 'properties'.'.")
    resp = send(clients, "PATCH", vault_url(rg, "kv-contract1"),
                {"properties": {"networkAcls": {"defaultAction": "Deny", "ipRules": [{"addr": "203.0.113.7"}]}}})
    assert resp.status_code == 400 and error(resp)["code"] == "InvalidRequestContent"
    assert error(resp)["message"] == ("The request content was invalid and could not be deserialized: 'Required "
                                      "property 'value' not found in JSON. Path 'properties.networkAcls.ipRules[0]'.'.")
    # the body the spec accepts creates the vault
    resp = send(clients, "PUT", vault_url(rg, "kv-contract1"), {"location": "westeurope", "properties": props})
    assert resp.status_code in (200, 201), resp.text


def test_keyvault_connection_state_with_a_wrong_type_is_refused(clients, rg):
    url = (f"{rg}/providers/Microsoft.KeyVault/vaults/kv-contract2/privateEndpointConnections/c1"
           f"?api-version={KEYVAULT}")
    resp = send(clients, "PUT", url, {"properties": {"privateLinkServiceConnectionState": {"description": 5}}})
    assert resp.status_code == 400 and error(resp)["code"] == "InvalidRequestContent"
    assert "privateLinkServiceConnectionState.description" in error(resp)["message"]


def sql_url(rg, server, child=""):
    return f"{rg}/providers/Microsoft.Sql/servers/{server}{child}?api-version={SQL}"


def test_sql_body_breaking_the_spec_is_invalid_request_content(clients, rg):
    """The SQL files of 2023-08-01 have no closed enum (every x-ms-enum is modelAsString true); they require
    VirtualNetworkRuleProperties.virtualNetworkSubnetId (VirtualNetworkRules.json) and status and description of
    PrivateLinkServiceConnectionStateProperty (PrivateEndpointConnections.json), and type every member."""
    resp = send(clients, "PUT", sql_url(rg, "sql-contract1"), {"location": "westeurope", "properties": {
        "administratorLogin": "sqladmin", "administratorLoginPassword": "S3cret-pass!", "publicNetworkAccess": 0}})
    assert resp.status_code == 400 and error(resp)["code"] == "InvalidRequestContent"
    assert "Path 'properties.publicNetworkAccess'" in error(resp)["message"]
    resp = send(clients, "PUT", sql_url(rg, "sql-contract1"), {"location": "westeurope", "properties": {
        "administratorLogin": "sqladmin", "administratorLoginPassword": "S3cret-pass!"}})
    assert resp.status_code in (200, 201, 202), resp.text
    resp = send(clients, "PUT", sql_url(rg, "sql-contract1", "/virtualNetworkRules/r1"),
                {"properties": {"ignoreMissingVnetServiceEndpoint": True}})
    assert resp.status_code == 400 and error(resp)["code"] == "InvalidRequestContent"
    assert error(resp)["message"] == ("The request content was invalid and could not be deserialized: 'Required "
                                      "property 'virtualNetworkSubnetId' not found in JSON. Path 'properties'.'.")
    resp = send(clients, "PUT", sql_url(rg, "sql-contract1", "/firewallRules/fw1"),
                {"properties": {"startIpAddress": "203.0.113.1", "endIpAddress": ["203.0.113.9"]}})
    assert resp.status_code == 400 and "Path 'properties.endIpAddress'" in error(resp)["message"]
    resp = send(clients, "PUT", sql_url(rg, "sql-contract1", "/privateEndpointConnections/c1"),
                {"properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}})
    assert resp.status_code == 400 and error(resp)["code"] == "InvalidRequestContent"
    assert error(resp)["message"] == (
        "The request content was invalid and could not be deserialized: 'Required property 'description' not found "
        "in JSON. Path 'properties.privateLinkServiceConnectionState'.'.")


def test_the_audit_covers_the_targets(running):
    from privnet_emulator import contract
    from privnet_emulator.arm import Request, Response
    path = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/st1"
    req = Request("GET", path, {"api-version": STORAGE}, {}, None, "https://x", "127.0.0.1")
    checked, found = contract.audit(req, Response(200, {"id": path, "name": "st1", "location": "westeurope",
                                                        "properties": {"networkAcls": {"defaultAction": "Allow",
                                                                                       "colour": 1}}}))
    assert checked == 1 and [what for _, what in found] == ["unknown properties.networkAcls.colour"]
    put = Request("PUT", path, {"api-version": STORAGE}, {}, {}, "https://x", "127.0.0.1")
    assert contract.audit(put, Response(201, {}))[1][0][1] == "status 201 not declared (declared [200, 202])"
    vault = "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv1"
    req = Request("GET", vault, {"api-version": KEYVAULT}, {}, None, "https://x", "127.0.0.1")
    checked, found = contract.audit(req, Response(200, {"id": vault, "name": "kv1", "location": "westeurope",
                                                        "properties": {"tenantId": "t", "sku": {"family": "A",
                                                                                                "name": "standard"},
                                                                       "networkAcls": {"ipRules": [{}]}}}))
    assert checked == 1 and [what for _, what in found] == ["required properties.networkAcls.ipRules[0].value"]
    assert [what for _, what in contract.audit(req, Response(200, {"location": "westeurope"}))[1]] == [
        "required properties"]
    poll = Request("GET", vault + "/privateEndpointConnections/c1", {"api-version": KEYVAULT, "kv-operation": "op1"},
                   {}, None, "https://x", "127.0.0.1")
    assert contract.audit(poll, Response(200, {"status": "Succeeded"})) == (0, [])   # an operation status
    rule = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/sql1/virtualNetworkRules/r1"
    req = Request("GET", rule, {"api-version": SQL}, {}, None, "https://x", "127.0.0.1")
    checked, found = contract.audit(req, Response(200, {"id": rule, "name": "r1", "properties": {
        "virtualNetworkSubnetId": "/s", "state": "Ready", "colour": 1}, "location": "westeurope"}))
    assert checked == 1 and [what for _, what in found] == ["unknown properties.colour", "unknown location"]


# ---- load balancers and private link services (tables_linkservices.py, issue 18) ---------------------------------
def pls_network(clients, rg):
    """A VNet with a load balancer subnet and a NAT subnet (policies Disabled) and a Standard internal LB."""
    net = f"{rg}/providers/Microsoft.Network"
    resp = send(clients, "PUT", f"{net}/virtualNetworks/vnet-pls?api-version={NET}", {
        "location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.60.0.0/16"]}, "subnets": [
            {"name": "snet-lb", "properties": {"addressPrefix": "10.60.1.0/24"}},
            {"name": "snet-nat", "properties": {"addressPrefix": "10.60.2.0/24",
                                                "privateLinkServiceNetworkPolicies": "Disabled"}}]}})
    assert resp.status_code == 201, resp.text
    subnet = f"{net}/virtualNetworks/vnet-pls/subnets"
    resp = send(clients, "PUT", f"{net}/loadBalancers/lb1?api-version={NET}", {
        "location": "westeurope", "sku": {"name": "Standard"}, "properties": {"frontendIPConfigurations": [
            {"name": "fe", "properties": {"subnet": {"id": f"{subnet}/snet-lb"}}}]}})
    assert resp.status_code == 201, resp.text
    return {"net": net, "nat": f"{subnet}/snet-nat", "lb": f"{net}/loadBalancers/lb1",
            "frontend": f"{net}/loadBalancers/lb1/frontendIPConfigurations/fe"}


def pls_request(net, frontend, nat, **props):
    return {"location": "westeurope", "properties": dict({
        "loadBalancerFrontendIpConfigurations": [{"id": frontend}],
        "ipConfigurations": [{"name": "nat", "properties": {"subnet": {"id": nat}}}]}, **props)}


def test_load_balancer_body_breaking_the_spec_is_nrp_invalid_request_format(clients, rg):
    """loadBalancer.json 2026-03-01: ProbePropertiesFormat requires protocol and port, LoadBalancingRulePropertiesFormat
    protocol and frontendPort; members are typed and NRP refuses the ones it does not know."""
    net = pls_network(clients, rg)
    url = f"{net['lb']}?api-version={NET}"
    frontend = {"name": "fe", "properties": {"subnet": {"id": net["nat"].replace("snet-nat", "snet-lb")}}}

    def lb(**props):
        return {"location": "westeurope", "sku": {"name": "Standard"},
                "properties": dict({"frontendIPConfigurations": [frontend]}, **props)}
    for props, detail in (
            ({"probes": [{"name": "p", "properties": {"protocol": "Tcp"}}]},
             "Required property 'port' not found in JSON. Path 'properties.probes[0].properties'."),
            ({"loadBalancingRules": [{"name": "r", "properties": {"protocol": "Tcp", "frontendPort": "80"}}]},
             "Error converting value \"80\" to type 'integer'. Path 'properties.loadBalancingRules[0].properties"
             ".frontendPort'."),
            ({"frontendIPConfigurations": [dict(frontend, colour="red")]},
             "Could not find member 'colour' on object of type 'FrontendIPConfiguration'. "
             "Path 'properties.frontendIPConfigurations[0].colour'.")):
        resp = send(clients, "PUT", url, lb(**props))
        assert resp.status_code == 400, resp.text
        assert (error(resp)["code"], error(resp)["message"]) == ("InvalidRequestFormat", "Cannot parse the request.")
        assert error(resp)["details"][0]["message"] == detail
    # read-only members are ignored (the back references, the resourceGuid), and the spec's sku casing is open
    resp = send(clients, "PUT", url, lb(resourceGuid="mine", provisioningState="Failed"))
    assert resp.status_code == 200 and resp.json()["properties"]["resourceGuid"] != "mine"


def test_private_link_service_body_breaking_the_spec_is_refused(clients, rg):
    """virtualNetwork.json 2026-03-01 PrivateLinkServiceProperties: visibility / autoApproval are ResourceSets (a list
    of subscription strings), enableProxyProtocol a boolean, no member outside the model; alias, networkInterfaces and
    privateEndpointConnections are read-only (ignored)."""
    net = pls_network(clients, rg)
    url = f"{net['net']}/privateLinkServices/pls1?api-version={NET}"
    for props, path in (({"visibility": {"subscriptions": "*"}}, "properties.visibility.subscriptions"),
                        ({"enableProxyProtocol": "yes"}, "properties.enableProxyProtocol"),
                        ({"visibilty": {"subscriptions": ["*"]}}, "properties.visibilty")):
        resp = send(clients, "PUT", url, pls_request(net["net"], net["frontend"], net["nat"], **props))
        assert resp.status_code == 400 and error(resp)["code"] == "InvalidRequestFormat", resp.text
        assert f"Path '{path}'" in error(resp)["details"][0]["message"]
    resp = send(clients, "PUT", url, pls_request(net["net"], net["frontend"], net["nat"], alias="mine.alias",
                                                 networkInterfaces=[{"id": "x"}], privateEndpointConnections=[]))
    assert resp.status_code == 201, resp.text
    assert resp.json()["properties"]["alias"].startswith("pls1.")
    # a connection's state: strings (PrivateLinkServiceConnectionState)
    conn = f"{net['net']}/privateLinkServices/pls1/privateEndpointConnections/c1?api-version={NET}"
    resp = send(clients, "PUT", conn, {"properties": {"privateLinkServiceConnectionState": {"status": True}}})
    assert resp.status_code == 400 and "privateLinkServiceConnectionState.status" in \
        error(resp)["details"][0]["message"]


@pytest.mark.parametrize("scope", ["sub", "rg"])
def test_visibility_check_body_is_checked_at_both_scopes(clients, rg, scope):
    """CheckPrivateLinkServiceVisibilityRequest (virtualNetwork.json 2026-03-01): privateLinkServiceAlias is a
    string; the location actions get the strict check the resource paths get."""
    base = rg if scope == "rg" else rg.rsplit("/resourceGroups/", 1)[0]
    url = f"{base}/providers/Microsoft.Network/locations/westeurope/checkPrivateLinkServiceVisibility?api-version={NET}"
    resp = send(clients, "POST", url, {"privateLinkServiceAlias": ["a"]})
    assert resp.status_code == 400 and error(resp)["code"] == "InvalidRequestFormat", resp.text
    assert "Path 'privateLinkServiceAlias'" in error(resp)["details"][0]["message"]
    resp = send(clients, "POST", url, {"privateLinkServiceAlias": "none.00000000-0000-0000-0000-000000000000."
                                                                  "westeurope.azure.privatelinkservice"})
    assert resp.status_code == 200 and resp.json() == {"visible": False}


def test_the_audit_covers_load_balancers_and_private_link_services(running):
    from privnet_emulator import contract
    from privnet_emulator.arm import Request, Response
    base = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network"
    req = Request("GET", f"{base}/privateLinkServices/p", {"api-version": NET}, {}, None, "https://x", "127.0.0.1")
    checked, found = contract.audit(req, Response(200, {"id": "x", "name": "p", "location": "westeurope",
                                                        "properties": {"fqdns": "a", "colour": 1}}))
    assert checked == 1 and [what for _, what in found] == ["type properties.fqdns", "unknown properties.colour"]
    req = Request("GET", f"{base}/loadBalancers/lb/probes/p", {"api-version": NET}, {}, None, "https://x",
                  "127.0.0.1")
    checked, found = contract.audit(req, Response(200, {"id": "x", "name": "p", "properties": {"protocol": "Tcp"}}))
    assert checked == 1 and [what for _, what in found] == ["required properties.port"]
    sub = "/subscriptions/s/providers/Microsoft.Network/locations/westeurope/checkPrivateLinkServiceVisibility"
    req = Request("POST", sub, {"api-version": NET}, {}, {}, "https://x", "127.0.0.1")
    assert contract.audit(req, Response(200, {"visible": "yes"}))[1] == [
        ("POST PrivateLinkServices_CheckPrivateLinkServiceVisibility 2026-03-01", "type visible")]


# ---- the response audit ------------------------------------------------------------------------------------
def test_tables_are_facts_without_text():
    tables = spec_tables()
    assert {s["api_version"] for s in tables.SOURCES if s["namespace"]} == {"2026-03-01", "2024-06-01", "2025-11-01",
                                                                              "2024-11-30", STORAGE, KEYVAULT,
                                                                              SQL}
    vnet = tables.OPERATIONS[NET][("rg", "microsoft.network", ("virtualnetworks", "*"))]
    assert vnet["PUT"]["status"] == [200, 201] and vnet["PUT"]["lro"] == "azure-async-operation"
    assert vnet["DELETE"]["lro"] == "location"
    props = tables.SCHEMAS["network:SubnetPropertiesFormat"]["p"]
    assert props["privateEndpoints"]["ro"] and props["privateEndpointNetworkPolicies"]["enum"][:2] == [
        "Enabled", "Disabled"]
    texts = [v for v in repr(tables.SCHEMAS).split("'") if " " in v and len(v) > 40]
    assert not texts    # no descriptions: names, types and flags only


def test_the_audit_sees_a_deviation(running):
    from privnet_emulator import contract
    from privnet_emulator.arm import Request, Response
    req = Request("GET", "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v",
                  {"api-version": NET}, {}, None, "https://x", "127.0.0.1")
    checked, found = contract.audit(req, Response(202, {}))
    assert checked == 1 and found == [("GET VirtualNetworks_Get 2026-03-01", "status 202 not declared (declared [200])")]
    checked, found = contract.audit(req, Response(200, {"properties": {"addressSpace": {}, "colour": 1,
                                                                       "enableDdosProtection": "no"}}))
    assert [what for _, what in found] == ["unknown properties.colour", "type properties.enableDdosProtection"]


def test_spec_gaps_name_their_recording():
    for (schema, prop), source in RESPONSE_ALLOWED.items():
        assert ":" in schema and prop and ".yaml" in source or ".json" in source


def test_every_response_of_the_suite_follows_the_spec(running):
    """The final check (conftest runs it last): every ARM response the suite got is a declared status with a body
    the spec's schema accepts (property names known, types right, required present), spec gaps aside (gaps.py)."""
    if running.audited < 50:
        pytest.skip("run with the whole emulator suite: too little traffic was audited")
    print(f"{running.audited} responses audited against the spec")
    lines = sorted({f"{where}: {what}" for where, what, _ in running.deviations})
    assert not lines, "responses that break the published spec:\n" + "\n".join(lines)
