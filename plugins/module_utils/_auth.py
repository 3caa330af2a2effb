# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Common authentication options and the credential they select.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Optional

from ansible.module_utils.basic import env_fallback

# azure-identity's classes, each built (and azure-identity imported) on first use: see _identity.
from ansible_collections.privnet.azure.plugins.module_utils._identity import (
    AzureCliCredential,
    CertificateCredential,
    ChainedTokenCredential,
    ClientSecretCredential,
    ManagedIdentityCredential,
    UsernamePasswordCredential,
    WorkloadIdentityCredential,
)

if TYPE_CHECKING:
    from ansible_collections.privnet.azure.plugins.module_utils._cloud import Cloud

# (credential, what it is, for messages): what build_credential() and each source give.
Found = tuple[Any, str]

AUTH_SOURCES = ["auto", "parameters", "awx", "env", "identity_env", "workload_identity", "managed_identity", "cli"]

# The env fallbacks are exactly what AWX's "Microsoft Azure Resource Manager" credential
# injects, so a job template needs no extra variables: for the module, AWX and the options
# are the same thing.
AUTH_ARGUMENT_SPEC = dict(
    auth_source=dict(type="str", default="auto", choices=AUTH_SOURCES,
                     fallback=(env_fallback, ["ANSIBLE_AZURE_AUTH_SOURCE"])),
    subscription_id=dict(type="str", fallback=(env_fallback, ["AZURE_SUBSCRIPTION_ID"])),
    client_id=dict(type="str", fallback=(env_fallback, ["AZURE_CLIENT_ID"])),
    secret=dict(type="str", no_log=True, fallback=(env_fallback, ["AZURE_SECRET"])),
    tenant=dict(type="str", fallback=(env_fallback, ["AZURE_TENANT"])),
    certificate_path=dict(type="path"),
    certificate_password=dict(type="str", no_log=True),
    # AWX's Azure credential with a user name and password instead of a service principal.
    ad_user=dict(type="str", fallback=(env_fallback, ["AZURE_AD_USER"])),
    password=dict(type="str", no_log=True, fallback=(env_fallback, ["AZURE_PASSWORD"])),
    cloud_environment=dict(type="str", fallback=(env_fallback, ["AZURE_CLOUD_ENVIRONMENT"])),
    auxiliary_tenants=dict(type="list", elements="str"),
    ca_bundle=dict(type="path", fallback=(env_fallback, ["REQUESTS_CA_BUNDLE"])),
)

# The Azure CLI's public client application, which Entra ID lets sign users in to ARM in every
# tenant: what a user name and password sign in through when no client_id is given (as the Azure
# CLI and azure.azcollection do).
AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

WAIT_ARGUMENT_SPEC = dict(
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=600),
)


def build_credential(params: Mapping[str, Any], cloud: Cloud, connection_verify: str | bool,
                     environ: Optional[Mapping[str, str]] = None) -> Found:
    """Return ``(credential, description)`` for the configured ``auth_source``.

    ``auto`` takes the first complete source in this order: the module options (which
    include the AWX variables), azure-identity's variables (secret or certificate), workload
    identity, then managed identity falling back to the Azure CLI.
    Raises ValueError when a forced source lacks its inputs; the message says what to set.
    """
    environ = os.environ if environ is None else environ
    source = params.get("auth_source") or "auto"
    # authority= makes sovereign and private clouds work; clouds azure-identity does not know
    # also need instance discovery off, or MSAL asks the public cloud to validate the authority.
    sp_kwargs: dict[str, Any] = dict(authority=cloud.authority, connection_verify=connection_verify)
    if not cloud.public:
        sp_kwargs["disable_instance_discovery"] = True
    auxiliary = list(params.get("auxiliary_tenants") or [])
    if auxiliary:
        # The same identity gets tokens for the other tenants (a multi-tenant application registered in each).
        sp_kwargs["additionally_allowed_tenants"] = auxiliary
        if source == "managed_identity":
            raise ValueError("auxiliary_tenants: a managed identity gets tokens for its own tenant only; use a service "
                             "principal (a multi-tenant application) registered in every tenant")

    # A forced source whose inputs are incomplete fails, saying what it needs.
    from_options: tuple[Callable[[], Optional[Found]], str] = (
        lambda: _from_options(params, sp_kwargs),
        "client_id, tenant and secret or certificate_path (or the variables AZURE_CLIENT_ID, AZURE_TENANT and "
        "AZURE_SECRET), or ad_user and password (AZURE_AD_USER, AZURE_PASSWORD)")
    forced: dict[str, tuple[Callable[[], Optional[Found]], str]] = {
        "parameters": from_options, "awx": from_options, "env": from_options,
        "identity_env": (lambda: _identity_env(environ, sp_kwargs),
                         "AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH in "
                         "the environment"),
        "workload_identity": (lambda: _workload_identity(environ, sp_kwargs),
                              "AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID in the environment"),
    }
    if source in forced:
        find, needs = forced[source]
        found = find()
        if not found:
            raise ValueError(f"auth_source={source} needs {needs}")
        return found
    if source == "managed_identity":
        return _managed_identity(params, connection_verify), "managed identity"
    if source == "cli":
        return _cli(params, auxiliary), "the Azure CLI login"

    # auto
    found = _from_options(params, sp_kwargs)
    if not found:
        # Half a service principal or user sign-in is a mistake, not a request for the next source:
        # falling through to managed identity and the CLI would fail later, naming neither.
        missing = _incomplete_options(params)
        if missing and not _workload_identity(environ, sp_kwargs):
            raise ValueError(missing)
    found = (found
             or _identity_env(environ, sp_kwargs)
             or _workload_identity(environ, sp_kwargs))
    if found:
        return found
    # Inside a chain, ManagedIdentityCredential probes IMDS with a 1 s timeout instead of
    # retrying for a minute, so machines without a managed identity reach the CLI quickly.
    if auxiliary:
        return _cli(params, auxiliary), "the Azure CLI login (a managed identity cannot serve auxiliary_tenants)"
    chain = ChainedTokenCredential(_managed_identity(params, connection_verify), _cli(params, auxiliary))
    return chain, "managed identity or the Azure CLI login"


# What each source reads from the environment (azure-identity's variables, the Azure CLI's configuration,
# a managed identity's endpoints): a different value means a different credential.
_IDENTITY_VARIABLES = ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE",
                       "AZURE_AUTHORITY_HOST", "AZURE_CONFIG_DIR", "IDENTITY_ENDPOINT", "MSI_ENDPOINT", "HOME")
_SECRET_VARIABLES = ("AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD")


def credential_fingerprint(params: Mapping[str, Any], cloud: Cloud, connection_verify: str | bool,
                           environ: Optional[Mapping[str, str]] = None) -> tuple[bytes, bytes]:
    """``(identity, secret)``: everything build_credential() reads, split into what names the credential and
    what must stay secret (secrets, certificate contents). Two module runs with equal fingerprints build the
    same credential, so they may share its tokens (_token_broker)."""
    environ = os.environ if environ is None else environ
    identity = {
        "authority": cloud.authority, "public": cloud.public, "verify": connection_verify,
        "verify_file": _file_stamp(connection_verify) if isinstance(connection_verify, str) else None,
        "options": {k: params.get(k) for k in ("auth_source", "client_id", "tenant", "certificate_path", "ad_user",
                                               "auxiliary_tenants")},
        "environment": {k: environ.get(k) for k in _IDENTITY_VARIABLES},
    }
    certificates = [params.get("certificate_path"), environ.get("AZURE_CLIENT_CERTIFICATE_PATH")]
    secret = {
        "options": {k: params.get(k) for k in ("secret", "certificate_password", "password")},
        "environment": {k: environ.get(k) for k in _SECRET_VARIABLES},
        "certificates": [_file_digest(path) for path in certificates if path],
    }
    return (json.dumps(identity, sort_keys=True, default=str).encode(),
            json.dumps(secret, sort_keys=True, default=str).encode())


def _file_stamp(path: str) -> Optional[list[float]]:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_ino, info.st_size, info.st_mtime]


def _file_digest(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None


def _cli(params: Mapping[str, Any], auxiliary: list[str]) -> Any:
    kwargs = {"additionally_allowed_tenants": auxiliary} if auxiliary else {}
    return AzureCliCredential(tenant_id=params.get("tenant") or "", **kwargs)


class TenantCredential:
    """``credential``'s tokens for another ``tenant`` (one of its additionally allowed tenants): what a
    client for a subscription of that tenant, or an auxiliary token for it, needs."""

    def __init__(self, credential: Any, tenant: str) -> None:
        self.credential = credential
        self.tenant = tenant

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        kwargs["tenant_id"] = self.tenant
        return self.credential.get_token(*scopes, **kwargs)


def _from_options(params: Mapping[str, Any], sp_kwargs: dict[str, Any]) -> Optional[Found]:
    """A service principal (secret or certificate) or a user sign-in from the module options."""
    found = _service_principal(params.get("client_id"), params.get("tenant"), params.get("secret"),
                               params.get("certificate_path"), params.get("certificate_password"), sp_kwargs,
                               "the module options")
    if found or not (params.get("ad_user") and params.get("password")):
        return found
    kwargs = dict(sp_kwargs)
    if params.get("tenant"):
        kwargs["tenant_id"] = params["tenant"]
    return (UsernamePasswordCredential(params.get("client_id") or AZURE_CLI_CLIENT_ID, params["ad_user"],
                                       params["password"], **kwargs),
            "a user name and password from the module options")


def _incomplete_options(params: Mapping[str, Any]) -> Optional[str]:
    """What is missing when the module options hold part of a sign-in, else None. Alone, a
    client_id is complete (it selects a user-assigned managed identity), and so is a tenant (the
    Azure CLI login of that tenant)."""
    if params.get("ad_user") or params.get("password"):
        lacking = [n for n, v in (("ad_user (AZURE_AD_USER)", params.get("ad_user")),
                                  ("password (AZURE_PASSWORD)", params.get("password"))) if not v]
        return f"a user sign-in needs ad_user and password; {' and '.join(lacking)} is not set"
    secret_like = params.get("secret") or params.get("certificate_path")
    if not (secret_like or (params.get("client_id") and params.get("tenant"))):
        return None
    lacking = [n for n, v in (("client_id (AZURE_CLIENT_ID)", params.get("client_id")),
                              ("tenant (AZURE_TENANT)", params.get("tenant")),
                              ("secret (AZURE_SECRET) or certificate_path", secret_like)) if not v]
    return (f"a service principal sign-in needs client_id, tenant and secret or certificate_path; "
            f"{', '.join(lacking)} {'is' if len(lacking) == 1 else 'are'} not set (set "
            f"{'it' if len(lacking) == 1 else 'them'}, or pick another source with auth_source)")


def _service_principal(client_id: Optional[str], tenant: Optional[str], secret: Optional[str],
                       certificate_path: Optional[str], certificate_password: Optional[str],
                       sp_kwargs: dict[str, Any], origin: str) -> Optional[Found]:
    if not (client_id and tenant and (secret or certificate_path)):
        return None
    if secret:
        return ClientSecretCredential(tenant, client_id, secret, **sp_kwargs), f"a client secret from {origin}"
    cert_kwargs = dict(sp_kwargs)
    if certificate_password:
        cert_kwargs["password"] = certificate_password
    return (CertificateCredential(tenant, client_id, certificate_path, **cert_kwargs),
            f"a client certificate from {origin}")


def _identity_env(environ: Mapping[str, str], sp_kwargs: dict[str, Any]) -> Optional[Found]:
    return _service_principal(environ.get("AZURE_CLIENT_ID"), environ.get("AZURE_TENANT_ID"),
                              environ.get("AZURE_CLIENT_SECRET"), environ.get("AZURE_CLIENT_CERTIFICATE_PATH"),
                              environ.get("AZURE_CLIENT_CERTIFICATE_PASSWORD"), sp_kwargs,
                              "azure-identity's environment variables")


def _workload_identity(environ: Mapping[str, str], sp_kwargs: dict[str, Any]) -> Optional[Found]:
    token_file = environ.get("AZURE_FEDERATED_TOKEN_FILE")
    client_id, tenant = environ.get("AZURE_CLIENT_ID"), environ.get("AZURE_TENANT_ID")
    if not (token_file and client_id and tenant):
        return None
    return (WorkloadIdentityCredential(tenant_id=tenant, client_id=client_id, token_file_path=token_file,
                                       **sp_kwargs),
            "workload identity (AZURE_FEDERATED_TOKEN_FILE)")


def _managed_identity(params: Mapping[str, Any], connection_verify: str | bool) -> Any:
    # client_id, when given, selects a user-assigned identity.
    return ManagedIdentityCredential(client_id=params.get("client_id") or None, connection_verify=connection_verify)
