"""Tenants: subscriptions of two tenants, tokens per tenant, and ARM's cross-tenant checks
(privnet_emulator/tenants.py), driven by the real SDK: azure-identity's ClientSecretCredential
(additionally_allowed_tenants) and azure-mgmt-network with azure-mgmt-core's AuxiliaryAuthenticationPolicy sending
x-ms-authorization-auxiliary.

Sources are named in tenants.py and identity.py; the README's "Tenants" section lists them with these tests.
"""

import base64
import json
import time

import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.identity import ClientSecretCredential
from azure.mgmt.containerregistry import ContainerRegistryManagementClient
from azure.mgmt.core.policies import AuxiliaryAuthenticationPolicy
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from privnet_emulator import DEFAULT_SUBSCRIPTION, DEFAULT_TENANT
from privnet_emulator.tenants import SUBSCRIPTION_2, TENANT_2

ARM_SCOPE = "https://management.azure.com/.default"
AUX_SCOPE = "https://management.core.windows.net//.default"
HUB = f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/" \
    "vnet-hub"
SPOKE = f"/subscriptions/{SUBSCRIPTION_2}/resourceGroups/rg-spoke/providers/Microsoft.Network/virtualNetworks/" \
    "vnet-spoke"


class TenantToken:
    """The main credential's tokens for one other tenant (what the collection's auxiliary credential does)."""

    def __init__(self, credential, tenant):
        self.credential, self.tenant = credential, tenant

    def get_token(self, *scopes, **kwargs):
        kwargs["tenant_id"] = self.tenant
        return self.credential.get_token(*scopes, **kwargs)


@pytest.fixture
def estate(emulator):
    emulator.control.scenario("cross_tenant")
    return emulator


@pytest.fixture
def multi(estate):
    """One service principal, signed into tenant A, allowed to get tokens for tenant B."""
    env = estate.env
    return ClientSecretCredential(env["AZURE_TENANT"], env["AZURE_CLIENT_ID"], env["AZURE_SECRET"],
                                  authority=env["AZURE_AUTHORITY_HOST"], connection_verify=estate.ca_path,
                                  disable_instance_discovery=True, additionally_allowed_tenants=[TENANT_2])


def _network(emulator, credential, subscription, **kwargs):
    return NetworkManagementClient(credential, subscription, base_url=emulator.url, credential_scopes=[ARM_SCOPE],
                                   connection_verify=emulator.ca_path, polling_interval=0, **kwargs)


def _aux_policy(credential, tenant=TENANT_2):
    return AuxiliaryAuthenticationPolicy([TenantToken(credential, tenant)], AUX_SCOPE)


def _claims(token):
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def _peering(remote_id):
    return {"properties": {"remoteVirtualNetwork": {"id": remote_id}, "allowVirtualNetworkAccess": True}}


def _raw(emulator, method, path, token, aux=None, body=None):
    headers = {"Authorization": f"Bearer {token}"}
    if aux is not None:
        headers["x-ms-authorization-auxiliary"] = aux
    return requests.request(method, f"{emulator.url}{path}", headers=headers, json=body, verify=emulator.ca_path,
                            timeout=10)


# ---- the estate and the env file -------------------------------------------------------------------------------------

def test_env_names_the_second_tenant_and_subscription(estate):
    assert estate.env["PRIVNET_EMULATOR_TENANT_2"] == TENANT_2
    assert estate.env["PRIVNET_EMULATOR_SUBSCRIPTION_2"] == SUBSCRIPTION_2
    assert estate.env["AZURE_TENANT"] == DEFAULT_TENANT


def test_subscriptions_listed_per_tenant_with_their_tenant(estate, multi):
    def listed(tenant):
        token = multi.get_token(ARM_SCOPE, tenant_id=tenant).token
        answer = _raw(estate, "GET", "/subscriptions?api-version=2022-12-01", token)
        return {s["subscriptionId"]: s["tenantId"] for s in answer.json()["value"]}

    home = listed(DEFAULT_TENANT)
    assert home[DEFAULT_SUBSCRIPTION] == DEFAULT_TENANT and SUBSCRIPTION_2 not in home
    assert listed(TENANT_2) == {SUBSCRIPTION_2: TENANT_2}


# ---- tokens per tenant -----------------------------------------------------------------------------------------------

def test_token_carries_the_tenant_it_was_issued_for(estate, multi):
    home, other = multi.get_token(ARM_SCOPE), multi.get_token(ARM_SCOPE, tenant_id=TENANT_2)
    assert _claims(home.token)["tid"] == DEFAULT_TENANT
    assert _claims(other.token)["tid"] == TENANT_2
    assert _claims(other.token)["iss"].rstrip("/").endswith(TENANT_2)
    paths = [e["path"] for e in estate.control.log(kind="token")]
    assert f"/{TENANT_2}/oauth2/v2.0/token" in paths


def test_client_absent_from_a_tenant_gets_aadsts700016(emulator):
    """Without the scenario, tenant B does not exist (AADSTS90002); with it but without the client, AADSTS700016."""
    env = emulator.env
    tenant_b = {"id": TENANT_2, "subscriptions": [{"id": SUBSCRIPTION_2}]}

    def credential():
        # A new credential each time: MSAL keeps answering an identical failed request from its own cache for a while.
        return ClientSecretCredential(TENANT_2, env["AZURE_CLIENT_ID"], env["AZURE_SECRET"],
                                      authority=env["AZURE_AUTHORITY_HOST"], connection_verify=emulator.ca_path,
                                      disable_instance_discovery=True)

    with pytest.raises(ClientAuthenticationError) as caught:
        credential().get_token(ARM_SCOPE)
    assert "AADSTS90002" in caught.value.message
    emulator.control.scenario({"tenants": [tenant_b]})   # client: false is the default for a new tenant
    with pytest.raises(ClientAuthenticationError) as caught:
        credential().get_token(ARM_SCOPE)
    assert "AADSTS700016" in caught.value.message and TENANT_2 in caught.value.message
    statuses = [(e["status"], e["path"]) for e in emulator.control.log(kind="token")]
    assert statuses == [(400, f"/{TENANT_2}/oauth2/v2.0/token")] * 2
    emulator.control.scenario({"tenants": [dict(tenant_b, client=True)]})
    assert _claims(credential().get_token(ARM_SCOPE).token)["tid"] == TENANT_2


def test_credential_refuses_a_tenant_not_additionally_allowed(estate):
    """azure-identity's own rule (additionally_allowed_tenants): the emulator is never asked."""
    env = estate.env
    credential = ClientSecretCredential(env["AZURE_TENANT"], env["AZURE_CLIENT_ID"], env["AZURE_SECRET"],
                                        authority=env["AZURE_AUTHORITY_HOST"], connection_verify=estate.ca_path,
                                        disable_instance_discovery=True)
    with pytest.raises(ClientAuthenticationError):
        credential.get_token(ARM_SCOPE, tenant_id=TENANT_2)


# ---- the primary token and the subscription's tenant -----------------------------------------------------------------

def test_wrong_tenant_token_on_a_subscription_is_401_invalid_authentication_token_tenant(estate, multi):
    network = _network(estate, multi, SUBSCRIPTION_2)   # primary token of tenant A on tenant B's subscription
    with pytest.raises(HttpResponseError) as caught:
        network.virtual_networks.get("rg-spoke", "vnet-spoke")
    err = caught.value
    assert err.status_code == 401 and err.error.code == "InvalidAuthenticationTokenTenant"
    assert "The access token is from the wrong issuer" in err.error.message
    assert f"/{DEFAULT_TENANT}/" in err.error.message and f"/{TENANT_2}/" in err.error.message
    assert "associated with this subscription" in err.error.message
    # The challenge names the subscription's tenant: how a client finds it.
    raw = _raw(estate, "GET", f"/subscriptions/{SUBSCRIPTION_2}?api-version=2022-12-01",
               multi.get_token(ARM_SCOPE).token)
    assert raw.status_code == 401
    assert f'authorization_uri="{estate.url}/{TENANT_2}"' in raw.headers["WWW-Authenticate"]
    # The same principal, signed into tenant B, reads it.
    spoke = _network(estate, TenantToken(multi, TENANT_2), SUBSCRIPTION_2).virtual_networks.get("rg-spoke",
                                                                                                 "vnet-spoke")
    assert spoke.id == SPOKE
    # ... and a tenant B token is the wrong one on tenant A's subscription.
    with pytest.raises(HttpResponseError) as caught:
        _network(estate, TenantToken(multi, TENANT_2), DEFAULT_SUBSCRIPTION).virtual_networks.get("rg-hub", "vnet-hub")
    assert caught.value.status_code == 401 and caught.value.error.code == "InvalidAuthenticationTokenTenant"


# ---- peering across tenants ------------------------------------------------------------------------------------------

def test_peering_across_tenants_needs_an_auxiliary_token(estate, multi):
    plain = _network(estate, multi, DEFAULT_SUBSCRIPTION)
    with pytest.raises(HttpResponseError) as caught:
        plain.virtual_network_peerings.begin_create_or_update("rg-hub", "vnet-hub", "hub-to-spoke",
                                                              _peering(SPOKE)).result()
    err = caught.value
    assert err.status_code == 403 and err.error.code == "LinkedAuthorizationFailed"
    assert err.error.message == (
        "The client has permission to perform action 'Microsoft.Network/virtualNetworks/peer/action' on scope "
        f"'{HUB}/virtualNetworkPeerings/hub-to-spoke', however the current tenant '{DEFAULT_TENANT}' is not authorized "
        f"to access linked subscription '{SUBSCRIPTION_2}'.")
    assert list(plain.virtual_network_peerings.list("rg-hub", "vnet-hub")) == []

    # With the auxiliary token for tenant B (what the collection's auxiliary_tenants sends on every request).
    hub_side = _network(estate, multi, DEFAULT_SUBSCRIPTION, custom_hook_policy=_aux_policy(multi))
    created = hub_side.virtual_network_peerings.begin_create_or_update(
        "rg-hub", "vnet-hub", "hub-to-spoke", _peering(SPOKE)).result()
    assert created.peering_state == "Initiated" and created.remote_virtual_network.id == SPOKE
    puts = [e for e in estate.control.log(method="PUT") if e["path"].endswith("hub-to-spoke")]
    assert [e["status"] for e in puts] == [403, 201]

    # The spoke side: a client signed into tenant B, with an auxiliary token for tenant A.
    spoke_side = _network(estate, TenantToken(multi, TENANT_2), SUBSCRIPTION_2,
                          custom_hook_policy=_aux_policy(multi, DEFAULT_TENANT))
    back = spoke_side.virtual_network_peerings.begin_create_or_update(
        "rg-spoke", "vnet-spoke", "spoke-to-hub", _peering(HUB)).result()
    assert back.peering_state == "Connected"
    assert hub_side.virtual_network_peerings.get("rg-hub", "vnet-hub", "hub-to-spoke").peering_state == "Connected"


def test_auxiliary_token_for_another_tenant_does_not_help(estate, multi):
    """An auxiliary token of the token's own tenant is valid but links nothing: still 403."""
    network = _network(estate, multi, DEFAULT_SUBSCRIPTION, custom_hook_policy=_aux_policy(multi, DEFAULT_TENANT))
    with pytest.raises(HttpResponseError) as caught:
        network.virtual_network_peerings.begin_create_or_update("rg-hub", "vnet-hub", "p", _peering(SPOKE)).result()
    assert caught.value.status_code == 403 and caught.value.error.code == "LinkedAuthorizationFailed"


def test_auxiliary_header_is_validated(estate, multi):
    primary = multi.get_token(ARM_SCOPE).token
    aux = multi.get_token(AUX_SCOPE, tenant_id=TENANT_2).token
    path = f"{HUB}/virtualNetworkPeerings/p?api-version=2024-05-01"
    body = {"properties": {"remoteVirtualNetwork": {"id": SPOKE}}}

    def put(header):
        return _raw(estate, "PUT", path, primary, header, body)

    too_many = ", ".join([f"Bearer {aux}"] * 4)
    for header in (too_many, f"Basic {aux}", "Bearer not-a-jwt", f"EncryptedBearer {aux}"):
        answer = put(header)
        assert answer.status_code == 401, header
        assert answer.json()["error"]["code"] == "AuthenticationFailed"
    # A token the emulator did not sign names its client and tenant.
    head, payload, _ = aux.split(".")
    forged = put(f"Bearer {head}.{payload}.{base64.urlsafe_b64encode(b'x' * 32).rstrip(b'=').decode()}")
    assert forged.status_code == 401 and forged.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert TENANT_2 in forged.json()["error"]["message"] and estate.env["AZURE_CLIENT_ID"] in forged.json()["error"][
        "message"]
    # Three valid tokens are accepted (the first two link nothing).
    home_aux = multi.get_token(AUX_SCOPE).token
    assert put(f"Bearer {home_aux}, Bearer {home_aux}, Bearer {aux}").status_code == 201


def test_expired_auxiliary_token_is_401_naming_client_and_tenant(estate, multi):
    estate.control.config(token_lifetime=1)
    aux = multi.get_token(AUX_SCOPE, tenant_id=TENANT_2).token
    estate.control.config(token_lifetime=3599)
    primary = multi.get_token(ARM_SCOPE).token
    time.sleep(1.1)
    answer = _raw(estate, "PUT", f"{HUB}/virtualNetworkPeerings/p?api-version=2024-05-01", primary,
                  f"Bearer {aux}", {"properties": {"remoteVirtualNetwork": {"id": SPOKE}}})
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "ExpiredAuthenticationToken"
    message = answer.json()["error"]["message"]
    assert TENANT_2 in message and estate.env["AZURE_CLIENT_ID"] in message


def test_auxiliary_header_is_read_only_for_a_cross_tenant_link(estate, multi):
    """A malformed or expired auxiliary header on a request that references nothing in another tenant is ignored."""
    primary = multi.get_token(ARM_SCOPE).token
    answer = _raw(estate, "GET", f"{HUB}?api-version=2024-05-01", primary, "Bearer not-a-jwt")
    assert answer.status_code == 200


# ---- private endpoints across tenants --------------------------------------------------------------------------------

def _registry_in_tenant_b(estate, multi):
    cred_b = TenantToken(multi, TENANT_2)
    resource_b = ResourceManagementClient(cred_b, SUBSCRIPTION_2, base_url=estate.url, credential_scopes=[ARM_SCOPE],
                                          connection_verify=estate.ca_path)
    resource_b.resource_groups.create_or_update("rg-acr", {"location": "westeurope"})
    acr_b = ContainerRegistryManagementClient(cred_b, SUBSCRIPTION_2, base_url=estate.url,
                                              credential_scopes=[ARM_SCOPE], connection_verify=estate.ca_path,
                                              polling_interval=0)
    registry = acr_b.registries.begin_create("rg-acr", "acrpartner", {
        "location": "westeurope", "sku": {"name": "Premium"}}).result()
    return acr_b, registry


def _endpoint(registry_id, manual):
    key = "manualPrivateLinkServiceConnections" if manual else "privateLinkServiceConnections"
    return {"location": "westeurope", "properties": {
        "subnet": {"id": f"{HUB}/subnets/snet-endpoints"},
        key: [{"name": "acr", "properties": {"privateLinkServiceId": registry_id, "groupIds": ["registry"]}}]}}


def test_private_endpoint_across_tenants_manual_needs_no_auxiliary_token(estate, multi):
    acr_b, registry = _registry_in_tenant_b(estate, multi)
    plain = _network(estate, multi, DEFAULT_SUBSCRIPTION)
    # Automatic approval links to the registry's tenant: refused without an auxiliary token.
    with pytest.raises(HttpResponseError) as caught:
        plain.private_endpoints.begin_create_or_update("rg-hub", "pe-auto", _endpoint(registry.id, False)).result()
    assert caught.value.status_code == 403 and caught.value.error.code == "LinkedAuthorizationFailed"
    assert "'PrivateEndpointConnectionsApproval/action'" in caught.value.error.message
    assert f"linked subscription '{SUBSCRIPTION_2}'" in caught.value.error.message
    # A manual connection does not ask for approval rights on the target: created, Pending.
    pe = plain.private_endpoints.begin_create_or_update("rg-hub", "pe-manual", _endpoint(registry.id, True)).result()
    assert pe.manual_private_link_service_connections[0].private_link_service_connection_state.status == "Pending"
    # The approval is a write on tenant B's subscription: a primary token of tenant A is refused there ...
    acr_a = ContainerRegistryManagementClient(multi, SUBSCRIPTION_2, base_url=estate.url,
                                              credential_scopes=[ARM_SCOPE], connection_verify=estate.ca_path)
    with pytest.raises(HttpResponseError) as caught:
        list(acr_a.private_endpoint_connections.list("rg-acr", "acrpartner"))
    assert caught.value.status_code == 401 and caught.value.error.code == "InvalidAuthenticationTokenTenant"
    # ... and the registry's owner, signed into tenant B, approves it.
    (conn,) = list(acr_b.private_endpoint_connections.list("rg-acr", "acrpartner"))
    conn.private_link_service_connection_state.status = "Approved"
    conn.private_link_service_connection_state.description = "approved by the partner"
    acr_b.private_endpoint_connections.begin_create_or_update("rg-acr", "acrpartner", conn.name, conn).result()
    shown = plain.private_endpoints.get("rg-hub", "pe-manual")
    assert shown.manual_private_link_service_connections[0].private_link_service_connection_state.status == "Approved"


def test_private_endpoint_across_tenants_automatic_with_auxiliary_token(estate, multi):
    _, registry = _registry_in_tenant_b(estate, multi)
    network = _network(estate, multi, DEFAULT_SUBSCRIPTION, custom_hook_policy=_aux_policy(multi))
    pe = network.private_endpoints.begin_create_or_update("rg-hub", "pe-auto", _endpoint(registry.id, False)).result()
    assert pe.private_link_service_connections[0].private_link_service_connection_state.status == "Approved"
