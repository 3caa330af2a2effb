"""The Entra ID stand-in, driven by the real azure-identity / MSAL clients, and ARM's token checks.

About instance discovery: for an authority host it does not know, MSAL validates the authority
against https://login.microsoftonline.com/common/discovery/instance (hard-coded in
msal/authority.py, whatever the authority's own host). No local server can answer for that host,
so every azure-identity credential aimed at the emulator needs `disable_instance_discovery=True`,
exactly as for any private cloud (the collection's module_utils/_auth.py does the same). The
emulator still serves /common/discovery/instance, so MSAL pointed at it explicitly
(`instance_discovery=<url>`) validates the authority there; see test_msal_instance_discovery_served.
"""

import base64
import json
import time

import msal
import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import (ClientAssertionCredential, ClientSecretCredential, DefaultAzureCredential,
                            WorkloadIdentityCredential)
from azure.mgmt.resource.resources import ResourceManagementClient

ARM_SCOPE = "https://management.azure.com/.default"


def _secret_credential(env, ca_path, client_id=None, secret=None, **kwargs):
    return ClientSecretCredential(env["AZURE_TENANT_ID"], client_id or env["AZURE_CLIENT_ID"],
                                  secret or env["AZURE_CLIENT_SECRET"], authority=env["AZURE_AUTHORITY_HOST"],
                                  connection_verify=ca_path, disable_instance_discovery=True, **kwargs)


def _token_log(emulator):
    return [(e["status"], e["fault"]) for e in emulator.control.log(kind="token")]


def _b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def _unsigned_jwt(aud="api://AzureADTokenExchange", lifetime=600):
    now = int(time.time())
    claims = {"aud": aud, "iss": "https://oidc.example/issuer", "sub": "system:serviceaccount:ci:deployer",
              "iat": now, "nbf": now, "exp": now + lifetime}
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def _msal_http(ca_path):
    # trust_env off: a REQUESTS_CA_BUNDLE in the environment would override `verify`.
    session = requests.Session()
    session.trust_env = False
    session.verify = ca_path
    return session


def _arm_get(emulator, token=None, authorization=None):
    headers = {}
    if authorization is not None:
        headers["Authorization"] = authorization
    elif token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.get(f"{emulator.url}/subscriptions?api-version=2022-12-01", headers=headers,
                        verify=emulator.ca_path, timeout=10)


# ---- getting a token -----------------------------------------------------------

def test_client_secret_credential_gets_a_token(emulator):
    credential = _secret_credential(emulator.env, emulator.ca_path)
    token = credential.get_token(ARM_SCOPE)
    assert token.token.count(".") == 2
    assert 3500 < token.expires_on - time.time() <= 3600
    paths = [(e["method"], e["path"].split("/", 2)[-1]) for e in emulator.control.log()]
    assert paths == [("GET", "v2.0/.well-known/openid-configuration"), ("POST", "oauth2/v2.0/token")]
    # The token opens ARM.
    assert _arm_get(emulator, token.token).status_code == 200


def test_default_azure_credential_from_the_env_file_only(emulator, monkeypatch):
    env = emulator.env
    for name in ("AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_USERNAME", "AZURE_PASSWORD",
                 "IDENTITY_ENDPOINT", "MSI_ENDPOINT", "AZURE_TOKEN_CREDENTIALS", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # The cloud comes from AZURE_CLOUD_ENVIRONMENT (TLS verified through REQUESTS_CA_BUNDLE alone).
    cloud = requests.get(env["AZURE_CLOUD_ENVIRONMENT"], timeout=10).json()
    credential = DefaultAzureCredential(exclude_interactive_browser_credential=True, exclude_cli_credential=True,
                                        exclude_powershell_credential=True, exclude_developer_cli_credential=True,
                                        exclude_visual_studio_code_credential=True,
                                        exclude_shared_token_cache_credential=True,
                                        exclude_managed_identity_credential=True,
                                        disable_instance_discovery=True)
    client = ResourceManagementClient(credential, env["AZURE_SUBSCRIPTION_ID"],
                                      base_url=cloud["resourceManager"].rstrip("/"),
                                      credential_scopes=[cloud["authentication"]["audiences"][0] + ".default"])
    group = client.resource_groups.create_or_update("rg-dac", {"location": "westeurope"})
    assert group.id == f"/subscriptions/{env['AZURE_SUBSCRIPTION_ID']}/resourceGroups/rg-dac"
    assert [e["status"] for e in emulator.control.log(kind="token")] == [200]


def test_msal_instance_discovery_served(emulator):
    """MSAL told to validate the authority at the emulator's own discovery route gets through."""
    env = emulator.env
    app = msal.ConfidentialClientApplication(
        env["AZURE_CLIENT_ID"], client_credential=env["AZURE_CLIENT_SECRET"],
        authority=f"{env['AZURE_AUTHORITY_HOST']}/{env['AZURE_TENANT_ID']}",
        instance_discovery=f"{env['AZURE_AUTHORITY_HOST']}/common/discovery/instance",
        http_client=_msal_http(emulator.ca_path))
    result = app.acquire_token_for_client([ARM_SCOPE])
    assert "access_token" in result, result
    paths = [e["path"].split("/", 2)[-1] for e in emulator.control.log()]
    assert paths == ["discovery/instance", "v2.0/.well-known/openid-configuration", "oauth2/v2.0/token"]


# ---- token endpoint errors ----------------------------------------------------------

def test_wrong_secret(emulator):
    credential = _secret_credential(emulator.env, emulator.ca_path, secret="not-the-secret")
    with pytest.raises(ClientAuthenticationError) as caught:
        credential.get_token(ARM_SCOPE)
    assert "AADSTS7000215" in caught.value.message
    # azure-identity keeps only error_description; MSAL's result shows the OAuth error itself.
    env = emulator.env
    app = msal.ConfidentialClientApplication(
        env["AZURE_CLIENT_ID"], client_credential="not-the-secret",
        authority=f"{env['AZURE_AUTHORITY_HOST']}/{env['AZURE_TENANT_ID']}", instance_discovery=False,
        http_client=_msal_http(emulator.ca_path))
    result = app.acquire_token_for_client([ARM_SCOPE])
    assert result["error"] == "invalid_client"
    assert result["error_codes"] == [7000215]
    assert [e["status"] for e in emulator.control.log(kind="token")] == [401, 401]


def test_unknown_client_id(emulator):
    credential = _secret_credential(emulator.env, emulator.ca_path, client_id="11111111-2222-3333-4444-555555555555")
    with pytest.raises(ClientAuthenticationError) as caught:
        credential.get_token(ARM_SCOPE)
    assert "AADSTS700016" in caught.value.message
    assert "11111111-2222-3333-4444-555555555555" in caught.value.message
    assert [e["status"] for e in emulator.control.log(kind="token")] == [400]


def test_token_error_fault_is_retried(emulator):
    emulator.control.fault(kind="token_error", count=1, retry_after=0)
    token = _secret_credential(emulator.env, emulator.ca_path).get_token(ARM_SCOPE)
    assert token.token
    assert _token_log(emulator) == [(503, "token_error"), (200, None)]


def test_token_error_fault_exhausts_retries(emulator):
    emulator.control.fault(kind="token_error", count=5, retry_after=0.01)
    credential = _secret_credential(emulator.env, emulator.ca_path, retry_total=2)
    with pytest.raises(ClientAuthenticationError) as caught:
        credential.get_token(ARM_SCOPE)
    # azure-identity reports a 5xx from the token endpoint by its status alone.
    assert "503" in caught.value.message
    assert _token_log(emulator) == [(503, "token_error")] * 3


# ---- ARM's checks of the bearer token ------------------------------------------------

def test_arm_without_token(emulator):
    resp = _arm_get(emulator)
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "AuthenticationFailed"
    assert resp.headers["WWW-Authenticate"].startswith('Bearer authorization_uri="')


def test_arm_garbage_token(emulator):
    resp = _arm_get(emulator, "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjk5OTk5OTk5OTl9.c2lnbmF0dXJl")
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "InvalidAuthenticationToken"
    resp = _arm_get(emulator, authorization="Basic dXNlcjpwYXNz")
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "AuthenticationFailed"


def test_arm_expired_token(emulator):
    emulator.control.config(token_lifetime=1)
    token = _secret_credential(emulator.env, emulator.ca_path).get_token(ARM_SCOPE)
    assert _arm_get(emulator, token.token).status_code == 200
    time.sleep(max(0.0, token.expires_on - time.time()) + 0.05)
    resp = _arm_get(emulator, token.token)
    assert resp.status_code == 401
    assert resp.json()["error"]["code"] == "ExpiredAuthenticationToken"


def test_sdk_call_with_no_token_is_client_authentication_error(emulator):
    class NoToken:
        def get_token(self, *scopes, **kwargs):
            from azure.core.credentials import AccessToken
            return AccessToken("", int(time.time()) + 3600)

    client = ResourceManagementClient(NoToken(), emulator.env["AZURE_SUBSCRIPTION_ID"], base_url=emulator.url,
                                      connection_verify=emulator.ca_path)
    with pytest.raises(ClientAuthenticationError) as caught:
        client.resource_groups.get("anything")
    assert caught.value.status_code == 401
    assert caught.value.error.code == "AuthenticationFailed"


# ---- workload identity ----------------------------------------------------------------

def test_workload_identity_credential(emulator, tmp_path):
    env = emulator.env
    token_file = tmp_path / "federated-token"
    token_file.write_text(_unsigned_jwt())
    credential = WorkloadIdentityCredential(tenant_id=env["AZURE_TENANT_ID"], client_id=env["AZURE_CLIENT_ID"],
                                            token_file_path=str(token_file), authority=env["AZURE_AUTHORITY_HOST"],
                                            connection_verify=emulator.ca_path, disable_instance_discovery=True)
    token = credential.get_token(ARM_SCOPE)
    assert _arm_get(emulator, token.token).status_code == 200


def test_client_assertion_wrong_audience_and_expired(emulator):
    env = emulator.env

    def attempt(assertion):
        credential = ClientAssertionCredential(env["AZURE_TENANT_ID"], env["AZURE_CLIENT_ID"], lambda: assertion,
                                               authority=env["AZURE_AUTHORITY_HOST"],
                                               connection_verify=emulator.ca_path, disable_instance_discovery=True)
        with pytest.raises(ClientAuthenticationError) as caught:
            credential.get_token(ARM_SCOPE)
        return caught.value.message

    assert "AADSTS700212" in attempt(_unsigned_jwt(aud="api://SomethingElse"))
    assert "AADSTS700024" in attempt(_unsigned_jwt(lifetime=-60))
    assert [e["status"] for e in emulator.control.log(kind="token")] == [401, 401]
