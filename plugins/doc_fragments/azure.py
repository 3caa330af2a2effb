# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Authentication, cloud and TLS options shared by every module (see module_utils/_auth.py).
    DOCUMENTATION = r"""
options:
  auth_source:
    description:
      - Where the credentials come from.
      - V(auto) takes the first source that is complete, in this order. The module options
        O(client_id), O(tenant) and O(secret) or O(certificate_path), or O(ad_user) and O(password),
        whose defaults are the variables an AWX or Automation Controller "Microsoft Azure Resource
        Manager" credential injects. Then azure-identity's variables E(AZURE_CLIENT_ID), E(AZURE_TENANT_ID) and
        E(AZURE_CLIENT_SECRET) or E(AZURE_CLIENT_CERTIFICATE_PATH). Then workload identity
        (E(AZURE_FEDERATED_TOKEN_FILE)). Then a managed identity, and finally the Azure CLI login.
      - Part of a sign-in in the module options (for example O(client_id) and O(tenant) without
        O(secret), or O(ad_user) without O(password)) fails at once, naming what is missing,
        instead of trying the next source.
      - V(parameters), V(awx) and V(env) all force the service principal given by the module options
        and their environment defaults (E(AZURE_CLIENT_ID), E(AZURE_SECRET), E(AZURE_TENANT)).
      - V(identity_env) forces azure-identity's variables; V(workload_identity) forces workload
        identity; V(managed_identity) forces a managed identity (user-assigned when O(client_id) is
        set); V(cli) forces the Azure CLI login (C(az login)).
      - If not set, the environment variable E(ANSIBLE_AZURE_AUTH_SOURCE) is used.
    type: str
    default: auto
    choices: [auto, parameters, awx, env, identity_env, workload_identity, managed_identity, cli]
  subscription_id:
    description:
      - The Azure subscription to work in. Required for every module that calls Azure.
      - A resource id given to a module carries its own subscription, which then wins.
      - If not set, the environment variable E(AZURE_SUBSCRIPTION_ID) is used.
    type: str
  client_id:
    description:
      - Application (client) id of the service principal; with O(auth_source=managed_identity), the
        client id of a user-assigned identity.
      - If not set, the environment variable E(AZURE_CLIENT_ID) is used.
    type: str
  secret:
    description:
      - Client secret of the service principal.
      - If not set, the environment variable E(AZURE_SECRET) is used.
    type: str
  tenant:
    description:
      - Directory (tenant) id of the service principal; for O(auth_source=cli), the tenant to get
        tokens for.
      - If not set, the environment variable E(AZURE_TENANT) is used.
    type: str
  certificate_path:
    description:
      - Path of a PEM or PKCS12 file with the service principal's certificate and private key, used
        instead of O(secret).
    type: path
  certificate_password:
    description:
      - Password of the private key in O(certificate_path), if it has one.
    type: str
  ad_user:
    description:
      - User name (user principal name) to sign in with instead of a service principal, as AWX's
        Azure credential allows. Needs O(password). The sign-in goes through O(client_id) if set,
        else through the Azure CLI's public client application, in O(tenant) if set.
      - Entra ID refuses this sign-in for accounts with multifactor authentication; prefer a
        service principal or a managed identity.
      - If not set, the environment variable E(AZURE_AD_USER) is used.
    type: str
  password:
    description:
      - Password of O(ad_user).
      - If not set, the environment variable E(AZURE_PASSWORD) is used.
    type: str
  auxiliary_tenants:
    description:
      - Other Microsoft Entra tenants this task works across (at most three), for example a peering to a
        virtual network of another tenant.
      - The same identity gets a token for each (a service principal of a multi-tenant application registered in
        every tenant, or an Azure CLI login that can reach them; a managed identity cannot), and every request
        carries them in Azure Resource Manager's C(x-ms-authorization-auxiliary) header, as Microsoft documents
        for requests across tenants. Set O(tenant) too when a module signs into one of these tenants for a
        resource there.
    type: list
    elements: str
  cloud_environment:
    description:
      - The Azure cloud. V(AzureCloud), V(AzureChinaCloud) or V(AzureUSGovernment) by name, or the
        https URL of a cloud's metadata endpoint, such as
        C(https://management.example.com/metadata/endpoints?api-version=2022-09-01) (Azure Stack
        Hub and other private clouds).
      - The metadata is fetched with TLS verification (see O(ca_bundle)). Both the 2022-09-01 list
        format and the 2015-01-01 Azure Stack format are understood.
      - If not set, the environment variable E(AZURE_CLOUD_ENVIRONMENT) is used; without either,
        V(AzureCloud).
    type: str
  ca_bundle:
    description:
      - Path of a PEM bundle of CA certificates to trust for Azure Resource Manager, the sign-in
        endpoint and the cloud metadata, for clouds behind a private CA.
      - TLS certificates are always verified; there is no option to turn that off.
      - If not set, the environment variable E(REQUESTS_CA_BUNDLE) is used.
    type: path
requirements:
  - python >= 3.10
  - azure-core >= 1.32
  - azure-mgmt-core >= 1.4
  - azure-identity >= 1.19
notes:
  - All options can be set once for a play with C(module_defaults) and the action group
    C(group/privnet.azure.all).
  - Module runs on one controller share one sign-in per credential through an in-memory token broker
    (a daemon started by the first module run, reached over a Unix socket only the same user can use,
    gone after E(PRIVNET_AZURE_TOKEN_BROKER_IDLE) seconds idle, default 120). Nothing is written to disk
    but the socket. Set E(PRIVNET_AZURE_TOKEN_BROKER=off) to make every module run sign in itself.
"""
