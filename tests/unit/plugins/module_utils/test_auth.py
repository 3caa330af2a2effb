# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.module_utils import _auth
from ansible_collections.privnet.azure.plugins.module_utils._cloud import Cloud, resolve_cloud

PUBLIC = resolve_cloud("AzureCloud")
PRIVATE = Cloud(name="Private", resource_manager="https://127.0.0.1:8443", login_endpoint="https://127.0.0.1:8443/",
                audiences=("https://management.core.windows.net/",))


class Recorder:
    """Replaces an azure-identity credential class; remembers how it was built."""

    def __init__(self, kind, *args, **kwargs):
        self.kind, self.args, self.kwargs = kind, args, kwargs


@pytest.fixture(autouse=True)
def fake_identity(monkeypatch):
    for name in ("ClientSecretCredential", "CertificateCredential", "WorkloadIdentityCredential",
                 "ManagedIdentityCredential", "AzureCliCredential"):
        monkeypatch.setattr(_auth, name, lambda *a, _n=name, **k: Recorder(_n, *a, **k))
    monkeypatch.setattr(_auth, "ChainedTokenCredential", lambda *creds: Recorder("Chain", *creds))


def params(**kwargs):
    base = dict(auth_source="auto", client_id=None, secret=None, tenant=None, certificate_path=None,
                certificate_password=None, ad_user=None, password=None, auxiliary_tenants=None)
    base.update(kwargs)
    return base


SP = dict(client_id="app", secret="s3cret", tenant="tenant-1")


def test_auto_prefers_the_module_options():
    cred, origin = _auth.build_credential(params(**SP), PUBLIC, True, environ={"AZURE_CLIENT_SECRET": "other"})
    assert cred.kind == "ClientSecretCredential"
    assert cred.args == ("tenant-1", "app", "s3cret")
    assert cred.kwargs == {"authority": "https://login.microsoftonline.com", "connection_verify": True}
    assert origin == "a client secret from the module options"


def test_private_cloud_disables_instance_discovery_and_passes_the_ca_bundle():
    cred, _origin = _auth.build_credential(params(**SP), PRIVATE, "/tmp/ca.pem", environ={})
    assert cred.kwargs == {"authority": "https://127.0.0.1:8443", "connection_verify": "/tmp/ca.pem",
                           "disable_instance_discovery": True}


def test_certificate_instead_of_secret():
    cred, _origin = _auth.build_credential(params(client_id="app", tenant="t", certificate_path="/c.pem"),
                                           PUBLIC, True, environ={})
    assert cred.kind == "CertificateCredential"
    assert cred.args == ("t", "app", "/c.pem")


def test_auto_falls_back_to_azure_identity_variables():
    env = {"AZURE_CLIENT_ID": "app2", "AZURE_TENANT_ID": "t2", "AZURE_CLIENT_SECRET": "x"}
    # client_id alone (e.g. AZURE_CLIENT_ID through the option's fallback) is not a complete source
    cred, origin = _auth.build_credential(params(client_id="app2"), PUBLIC, True, environ=env)
    assert (cred.kind, cred.args) == ("ClientSecretCredential", ("t2", "app2", "x"))
    assert "azure-identity" in origin


def test_auto_falls_back_to_workload_identity():
    env = {"AZURE_CLIENT_ID": "app", "AZURE_TENANT_ID": "t", "AZURE_FEDERATED_TOKEN_FILE": "/var/run/token"}
    cred, _origin = _auth.build_credential(params(), PRIVATE, True, environ=env)
    assert cred.kind == "WorkloadIdentityCredential"
    assert cred.kwargs["token_file_path"] == "/var/run/token"
    assert cred.kwargs["authority"] == "https://127.0.0.1:8443"
    assert cred.kwargs["disable_instance_discovery"] is True


def test_auto_ends_with_managed_identity_then_cli():
    cred, _origin = _auth.build_credential(params(tenant="t"), PUBLIC, True, environ={})
    assert cred.kind == "Chain"
    assert [c.kind for c in cred.args] == ["ManagedIdentityCredential", "AzureCliCredential"]
    assert cred.args[1].kwargs == {"tenant_id": "t"}


@pytest.mark.parametrize("source", ["parameters", "awx", "env"])
def test_forced_service_principal_needs_its_inputs(source):
    with pytest.raises(ValueError, match=f"auth_source={source} needs client_id, tenant and secret"):
        _auth.build_credential(params(auth_source=source, client_id="app"), PUBLIC, True,
                               environ={"AZURE_CLIENT_SECRET": "x", "AZURE_TENANT_ID": "t"})


def test_forced_sources_ignore_the_module_options():
    env = {"AZURE_CLIENT_ID": "envapp", "AZURE_TENANT_ID": "t", "AZURE_CLIENT_SECRET": "x"}
    cred, _origin = _auth.build_credential(params(auth_source="identity_env", **SP), PUBLIC, True, environ=env)
    assert cred.args == ("t", "envapp", "x")
    cred, _origin = _auth.build_credential(params(auth_source="managed_identity", client_id="uami"),
                                           PUBLIC, True, environ=env)
    assert (cred.kind, cred.kwargs["client_id"]) == ("ManagedIdentityCredential", "uami")
    cred, _origin = _auth.build_credential(params(auth_source="cli", **SP), PUBLIC, True, environ=env)
    assert cred.kind == "AzureCliCredential"


def test_forced_identity_sources_say_what_is_missing():
    with pytest.raises(ValueError, match="identity_env needs AZURE_CLIENT_ID"):
        _auth.build_credential(params(auth_source="identity_env"), PUBLIC, True, environ={})
    with pytest.raises(ValueError, match="workload_identity needs AZURE_FEDERATED_TOKEN_FILE"):
        _auth.build_credential(params(auth_source="workload_identity"), PUBLIC, True, environ={})


def test_secret_option_is_no_log_and_options_fall_back_to_awx_variables():
    spec = _auth.AUTH_ARGUMENT_SPEC
    assert spec["secret"]["no_log"] is True
    assert spec["client_id"]["fallback"][1] == ["AZURE_CLIENT_ID"]
    assert spec["secret"]["fallback"][1] == ["AZURE_SECRET"]
    assert spec["tenant"]["fallback"][1] == ["AZURE_TENANT"]
    assert spec["subscription_id"]["fallback"][1] == ["AZURE_SUBSCRIPTION_ID"]
    assert spec["cloud_environment"]["fallback"][1] == ["AZURE_CLOUD_ENVIRONMENT"]
    assert spec["ca_bundle"]["fallback"][1] == ["REQUESTS_CA_BUNDLE"]


# ---- half a sign-in is named at once; AWX's user name and password ------------------------------

@pytest.mark.parametrize("given, missing", [
    (dict(client_id="app", tenant="t"), "secret (AZURE_SECRET) or certificate_path is not set"),
    (dict(secret="s"), "client_id (AZURE_CLIENT_ID), tenant (AZURE_TENANT) are not set"),
    (dict(client_id="app", certificate_path="/c.pem"), "tenant (AZURE_TENANT) is not set"),
    (dict(ad_user="ops@contoso.com"), "password (AZURE_PASSWORD) is not set"),
    (dict(password="pw"), "ad_user (AZURE_AD_USER) is not set"),
])
def test_auto_names_the_missing_piece_instead_of_falling_through(given, missing):
    with pytest.raises(ValueError) as err:
        _auth.build_credential(params(**given), PUBLIC, True, environ={"AZURE_CLIENT_SECRET": "x"})
    assert missing in str(err.value)


@pytest.mark.parametrize("given", [dict(client_id="uai-client-id"), dict(tenant="t")])
def test_a_client_id_or_a_tenant_alone_still_reach_managed_identity_and_cli(given):
    cred, origin = _auth.build_credential(params(**given), PUBLIC, True, environ={})
    assert cred.kind == "Chain"
    assert origin == "managed identity or the Azure CLI login"


def test_half_a_sign_in_beside_workload_identity_uses_workload_identity():
    environ = {"AZURE_FEDERATED_TOKEN_FILE": "/var/run/token", "AZURE_CLIENT_ID": "wi", "AZURE_TENANT_ID": "t"}
    cred, _origin = _auth.build_credential(params(client_id="wi", tenant="t"), PUBLIC, True, environ=environ)
    assert cred.kind == "WorkloadIdentityCredential"


def test_awx_user_name_and_password(monkeypatch):
    monkeypatch.setattr(_auth, "UsernamePasswordCredential", lambda *a, **k: Recorder("UsernamePassword", *a, **k))
    cred, origin = _auth.build_credential(params(ad_user="ops@contoso.com", password="pw", tenant="t"),
                                          PUBLIC, True, environ={})
    assert cred.args == (_auth.AZURE_CLI_CLIENT_ID, "ops@contoso.com", "pw")
    assert cred.kwargs["tenant_id"] == "t"
    assert origin == "a user name and password from the module options"
    cred, _origin = _auth.build_credential(params(ad_user="u", password="p", client_id="app"), PRIVATE, True,
                                           environ={}, )
    assert cred.args[0] == "app" and cred.kwargs["disable_instance_discovery"] is True


def test_certificate_password_reaches_the_credential():
    cred, _origin = _auth.build_credential(params(client_id="app", tenant="t", certificate_path="/c.pfx",
                                                  certificate_password="pfx-pw"), PUBLIC, True, environ={})
    assert cred.kwargs["password"] == "pfx-pw"


def test_new_secret_options_are_no_log_and_user_sign_in_falls_back_to_awx_variables():
    spec = _auth.AUTH_ARGUMENT_SPEC
    assert spec["password"]["no_log"] and spec["certificate_password"]["no_log"]
    assert spec["ad_user"]["fallback"][1] == ["AZURE_AD_USER"]
    assert spec["password"]["fallback"][1] == ["AZURE_PASSWORD"]


# ---- auxiliary tenants ------------------------------------------------------------------------------

def test_auxiliary_tenants_are_allowed_on_the_credential():
    cred, _origin = _auth.build_credential(params(auxiliary_tenants=["tenant-b"], **SP), PUBLIC, True, environ={})
    assert cred.kwargs["additionally_allowed_tenants"] == ["tenant-b"]
    cred, _origin = _auth.build_credential(params(auxiliary_tenants=["tenant-b"], auth_source="cli"), PUBLIC, True,
                                           environ={})
    assert cred.kind == "AzureCliCredential" and cred.kwargs["additionally_allowed_tenants"] == ["tenant-b"]


def test_a_managed_identity_cannot_serve_auxiliary_tenants():
    with pytest.raises(ValueError, match="^auxiliary_tenants: a managed identity"):
        _auth.build_credential(params(auxiliary_tenants=["tenant-b"], auth_source="managed_identity"), PUBLIC, True,
                               environ={})
    # auto without a service principal: the CLI alone, not a chain that would try the managed identity
    cred, origin = _auth.build_credential(params(auxiliary_tenants=["tenant-b"]), PUBLIC, True, environ={})
    assert cred.kind == "AzureCliCredential" and "cannot serve auxiliary_tenants" in origin


def test_tenant_credential_asks_for_the_other_tenant():
    calls = []

    class Main:
        def get_token(self, *scopes, **kwargs):
            calls.append((scopes, kwargs))
            return "token"

    assert _auth.TenantCredential(Main(), "tenant-b").get_token("s/.default") == "token"
    assert calls == [(("s/.default",), {"tenant_id": "tenant-b"})]
