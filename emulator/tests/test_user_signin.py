"""A user's sign-in with a user name and password (the ROPC grant, identity.py), driven by the real azure-identity
UsernamePasswordCredential and MSAL, and ARM taking the user's token.

Like every credential aimed at the emulator, these disable instance discovery (test_identity.py's docstring); MSAL
still asks the host's user realm discovery endpoint first (msal/authority.py), which the emulator serves.
"""

import base64
import json
import warnings

import msal
import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import UsernamePasswordCredential
from azure.mgmt.network import NetworkManagementClient

from privnet_emulator import DEFAULT_TENANT
from privnet_emulator.identity import AZURE_CLI_CLIENT_ID
from privnet_emulator.testing import RunningEmulator

ARM_SCOPE = "https://management.azure.com/.default"
PARTNER = "6a1e9c3b-2f4d-4b8e-a5c7-1d0e9f8a7b62"


@pytest.fixture(scope="module")
def running443(tmp_path_factory):
    try:
        emu = RunningEmulator.on_port_443(str(tmp_path_factory.mktemp("emulator443")))
    except OSError as err:
        pytest.skip(f"MSAL's user realm discovery needs the emulator on port 443, which cannot be bound: {err}")
    yield emu
    emu.stop()


@pytest.fixture
def emulator(running443):
    """This module's emulator (port 443 of its own loopback address), reset before each test."""
    running443.control.reset()
    yield running443
    running443.control.clear_faults()


def _credential(emulator, username=None, password=None, client_id=AZURE_CLI_CLIENT_ID, **kwargs):
    env = emulator.env
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)   # azure-identity deprecates the credential (no MFA)
        return UsernamePasswordCredential(client_id, username or env["PRIVNET_EMULATOR_USER"],
                                          password or env["PRIVNET_EMULATOR_USER_PASSWORD"],
                                          authority=env["AZURE_AUTHORITY_HOST"], connection_verify=emulator.ca_path,
                                          disable_instance_discovery=True, **kwargs)


def _claims(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _token_bodies(emulator):
    return [(e["status"], e["path"].split("/", 2)[-1]) for e in emulator.control.log() if e["kind"] != "arm"]


def _failure(credential):
    with pytest.raises(ClientAuthenticationError) as caught:
        credential.get_token(ARM_SCOPE)
    return caught.value.message


def test_env_file_names_the_default_user(emulator):
    env = emulator.env
    assert env["PRIVNET_EMULATOR_USER"] == "ops@privnet.example"
    assert len(env["PRIVNET_EMULATOR_USER_PASSWORD"]) >= 16


def test_user_signs_in_and_arm_takes_the_token(emulator):
    emulator.control.scenario("acr")
    credential = _credential(emulator)   # no tenant: `organizations`, the user's own tenant
    token = credential.get_token(ARM_SCOPE)
    claims = _claims(token.token)
    assert claims["upn"] == "ops@privnet.example"
    assert claims["tid"] == DEFAULT_TENANT
    assert claims["appid"] == AZURE_CLI_CLIENT_ID
    assert claims["idtyp"] == "user" and claims["oid"] and claims["scp"]
    # MSAL: tenant discovery, user realm discovery, then the password grant.
    assert _token_bodies(emulator) == [(200, "v2.0/.well-known/openid-configuration"),
                                       (200, "userrealm/ops@privnet.example"), (200, "oauth2/v2.0/token")]
    client = NetworkManagementClient(credential, emulator.env["AZURE_SUBSCRIPTION_ID"], base_url=emulator.url,
                                     credential_scopes=[ARM_SCOPE], connection_verify=emulator.ca_path,
                                     polling_interval=0)
    subnet = client.subnets.get("rg-network", "vnet-app", "snet-workload")
    subnet.private_endpoint_network_policies = "Disabled"
    done = client.subnets.begin_create_or_update("rg-network", "vnet-app", "snet-workload", subnet).result()
    assert done.private_endpoint_network_policies == "Disabled"
    # The cached token serves the second call: one password grant in all.
    assert len(emulator.control.log(kind="token")) == 1


def test_user_realm_discovery_answer(emulator):
    env = emulator.env
    realm = requests.get(f"{env['AZURE_AUTHORITY_HOST']}/common/userrealm/ops@privnet.example?api-version=1.0",
                         verify=emulator.ca_path, timeout=10).json()
    assert realm["account_type"] == "Managed" and realm["domain_name"] == "privnet.example"
    unknown = requests.get(f"{env['AZURE_AUTHORITY_HOST']}/common/userrealm/x@nowhere.example?api-version=1.0",
                           verify=emulator.ca_path, timeout=10).json()
    assert unknown["account_type"] == "Unknown"


def test_tenant_by_id_and_by_domain(emulator):
    for tenant in (DEFAULT_TENANT, "privnet.example"):
        token = _credential(emulator, tenant_id=tenant).get_token(ARM_SCOPE)
        assert _claims(token.token)["tid"] == DEFAULT_TENANT


def test_wrong_password_is_aadsts50126(emulator):
    message = _failure(_credential(emulator, password="not-the-password"))
    assert "AADSTS50126" in message
    assert "not-the-password" not in message
    # MSAL's own result shows the OAuth error.
    app = msal.PublicClientApplication(AZURE_CLI_CLIENT_ID, authority=f"{emulator.env['AZURE_AUTHORITY_HOST']}/"
                                       "organizations", instance_discovery=False, http_client=_http(emulator))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result = app.acquire_token_by_username_password("ops@privnet.example", "nope", [ARM_SCOPE])
    assert result["error"] == "invalid_grant" and result["error_codes"] == [50126]


def test_unknown_user_is_aadsts50034(emulator):
    message = _failure(_credential(emulator, username="nobody@privnet.example", tenant_id=DEFAULT_TENANT))
    assert "AADSTS50034" in message and "nobody@privnet.example" in message


def test_user_of_another_tenant_is_unknown_there(emulator):
    emulator.control.scenario({"tenants": [{"id": PARTNER, "default_domain": "partner.privnet.example"}],
                               "users": [{"upn": "dev@partner.privnet.example", "password": "Partner-pass-1",
                                          "tenant": PARTNER}]})
    token = _credential(emulator, "dev@partner.privnet.example", "Partner-pass-1").get_token(ARM_SCOPE)
    assert _claims(token.token)["tid"] == PARTNER   # `organizations`: the user's home tenant
    message = _failure(_credential(emulator, "dev@partner.privnet.example", "Partner-pass-1",
                                   tenant_id=DEFAULT_TENANT))
    assert "AADSTS50034" in message


def test_mfa_required_user(emulator):
    emulator.control.scenario({"users": [{"upn": "admin@privnet.example", "password": "Admin-pass-1",
                                          "mfa_required": True},
                                         {"upn": "new@privnet.example", "password": "New-pass-1",
                                          "mfa_required": "register"}]})
    assert "AADSTS50076" in _failure(_credential(emulator, "admin@privnet.example", "Admin-pass-1"))
    # the wrong password still comes first
    assert "AADSTS50126" in _failure(_credential(emulator, "admin@privnet.example", "wrong"))
    assert "AADSTS50079" in _failure(_credential(emulator, "new@privnet.example", "New-pass-1"))
    body = requests.post(f"{emulator.url}/organizations/oauth2/v2.0/token", verify=emulator.ca_path, timeout=10,
                         data={"grant_type": "password", "client_id": AZURE_CLI_CLIENT_ID, "scope": ARM_SCOPE,
                               "username": "admin@privnet.example", "password": "Admin-pass-1"}).json()
    assert body["error"] == "invalid_grant" and body["suberror"] == "basic_action"


def test_confidential_client_needs_its_secret(emulator):
    env = emulator.env
    message = _failure(_credential(emulator, client_id=env["AZURE_CLIENT_ID"]))
    assert "AADSTS7000218" in message
    message = _failure(_credential(emulator, client_id="11111111-2222-3333-4444-555555555555"))
    assert "AADSTS700016" in message


def test_refresh_token_grant_and_not_for_arm(emulator):
    url = f"{emulator.url}/organizations/oauth2/v2.0/token"
    env = emulator.env
    first = requests.post(url, verify=emulator.ca_path, timeout=10, data={
        "grant_type": "password", "client_id": AZURE_CLI_CLIENT_ID, "username": env["PRIVNET_EMULATOR_USER"],
        "password": env["PRIVNET_EMULATOR_USER_PASSWORD"], "scope": f"{ARM_SCOPE} openid offline_access"}).json()
    assert {"access_token", "refresh_token", "id_token"} <= set(first)
    again = requests.post(url, verify=emulator.ca_path, timeout=10, data={
        "grant_type": "refresh_token", "client_id": AZURE_CLI_CLIENT_ID, "refresh_token": first["refresh_token"],
        "scope": ARM_SCOPE}).json()
    assert _claims(again["access_token"])["upn"] == env["PRIVNET_EMULATOR_USER"]
    other = requests.post(url, verify=emulator.ca_path, timeout=10, data={
        "grant_type": "refresh_token", "client_id": AZURE_CLI_CLIENT_ID, "refresh_token": first["access_token"],
        "scope": ARM_SCOPE}).json()
    assert other["error"] == "invalid_grant"
    for token in (first["refresh_token"], first["id_token"]):   # ARM takes access tokens only
        resp = requests.get(f"{emulator.url}/subscriptions?api-version=2022-12-01", verify=emulator.ca_path,
                            timeout=10, headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 401


def _http(emulator):
    session = requests.Session()
    session.trust_env = False
    session.verify = emulator.ca_path
    return session
