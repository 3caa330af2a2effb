"""Which api-versions each resource type is served at, and the API profiles (hand-kept; sources beside each).

A version is served for a type when it is in the type's family below, in the generated spec tables
(tables.SOURCES), or in the list the emulator's provider listing advertises for the namespace
(providers/resources.py API_VERSIONS): the emulator never refuses a version it advertises.
"""

# family -> api-versions, each with where a client or a recording sends it.
FAMILIES = {
    # Microsoft.Network resource types other than Private DNS (NRP).
    "nrp": {
        "2026-03-01": "azure-mgmt-network 33.1.0 (the dev pin; every operation of its _operations.py)",
        "2026-01-01": "Azure CLI 2.91 aaz network commands (providers/resources.py)",
        "2025-07-01": "Azure CLI 2.91 / newest stable swagger folder before 2026 (providers/resources.py)",
        "2024-07-01": "Azure CLI 2.91 (providers/resources.py); emulator tests",
        "2024-05-01": "azure-mgmt-network 28.1.0 (pip download, operations/*.py)",
        "2024-03-01": "azure-mgmt-network 28.0.0, the requirements.txt floor and azure.azcollection's pin",
        "2023-11-01": "Azure CLI 2.91 `az network nic show` (aaz; emulator/tests/cli); azure-rest-api-specs "
                      "specification/network/resource-manager/Microsoft.Network/stable/2023-11-01/networkInterface.json",
        "2023-09-01": "Azure CLI 2.91 `az network private-link-service list-auto-approved` (aaz "
                      "network/private_link_service/_list_auto_approved.py); azure-rest-api-specs specification/"
                      "network/resource-manager/Microsoft.Network/stable/2023-09-01/privateLinkService.json",
        "2023-04-01": "Azure CLI 2.91 `az network lb create`: the load balancer of the template it deploys "
                      "(command_modules/network/_template_builder.py LB_VERSION; providers/deployments.py), and "
                      "`az network lb probe / rule / address-pool` (aaz network/lb/probe, rule, address_pool); "
                      "azure-rest-api-specs specification/network/resource-manager/Microsoft.Network/stable/"
                      "2023-04-01/loadBalancer.json",
        "2022-07-01": "azure-cli recording test_private_endpoint_connection_acr.yaml, ASO recordings",
        "2022-01-01": "Azure CLI 2.91 `az network private-link-service connection update` (aaz "
                      "network/private_link_service/connection/_update.py); azure-rest-api-specs "
                      "specification/network/resource-manager/Microsoft.Network/stable/2022-01-01 (a stable folder: "
                      "examples/AutoApprovedPrivateLinkServicesGet.json among its private link service examples)",
        "2021-08-01": "recordings (SOURCES.md)",
        "2021-05-01": "recordings (SOURCES.md)",
        "2021-03-01": "recordings (SOURCES.md)",
        "2020-11-01": "recordings (SOURCES.md)",
    },
    # Microsoft.Network/privateDnsZones and its children (Private DNS).
    "privatedns": {
        "2024-06-01": "azure-mgmt-privatedns 2.0.0 and 1.2.0 (the floor) both send it",
        "2020-06-01": "ASO recording Test_Networking_PrivateDnsZone_CRUD.yaml",
        "2018-09-01": "azure-cli recording test_CrudRecordSet_ARecord_ExpectCrudSuccessful.yaml",
    },
    # Microsoft.Network/dnsResolvers and dnsForwardingRulesets with their children, and the two listByVirtualNetwork
    # POST actions on a virtual network (DNS Private Resolver, issue 20; providers/dnsresolver.py): the spec's stable
    # versions only, never the NRP family's.
    "dnsresolver": {
        "2025-05-01": "azure-mgmt-dnsresolver 1.1.0 (the dev pin) default; azure-rest-api-specs specification/"
                      "dnsresolver/resource-manager/Microsoft.Network/DnsResolver/stable/2025-05-01/openapi.json",
        "2022-07-01": "azure-rest-api-specs specification/dnsresolver/resource-manager/Microsoft.Network/DnsResolver/"
                      "stable/2022-07-01/dnsresolver.json (the first stable version)",
    },
    "acr": {
        "2025-11-01": "azure-mgmt-containerregistry 15.0.0 (the dev pin)",
        "2023-07-01": "azure-mgmt-containerregistry 10.3.0 DEFAULT_API_VERSION (the requirements.txt floor)",
        "2021-09-01": "azure-cli recording test_acr_with_public_network_access.yaml",
        "2021-08-01-preview": "recordings (SOURCES.md)",
        "2020-11-01-preview": "recordings (SOURCES.md)",
        "2019-12-01-preview": "azure-cli recording test_private_endpoint_connection_acr.yaml",
    },
    "msi": {
        "2024-11-30": "azure-mgmt-msi 7.1.0 DEFAULT_API_VERSION",
        "2023-01-31": "azure-rest-api-specs msi stable/2023-01-31/ManagedIdentity.json (a GA version Azure serves); "
                      "sent by the peer suite's azure_rm_resource (tests/peer/playbooks/user_assigned_identity.yml)",
        "2022-01-31-preview": "azure-mgmt-msi 7.1.0 (multi-api package)",
        "2021-09-30-preview": "azure-mgmt-msi 7.1.0 (multi-api package)",
        "2018-11-30": "azure-mgmt-msi 7.1.0 (multi-api package); Azure Stack Hub profile 2020-09-01-hybrid",
    },
    # Private Link targets beyond ACR (issue 15). Storage 2023-05-01, Key Vault 2023-07-01 and SQL 2023-08-01 have spec
    # tables (tables_targets.py: bodies checked, responses audited); the others only their api-version checked so far
    # (CONTRACT.md, "Not generated yet").
    "storage": {
        "2025-08-01": "Azure CLI 2.91 `az storage account` (azure-mgmt-storage's default api_version in its venv)",
        "2023-05-01": "the collection's storage_account_network (azure-rest-api-specs "
                      "specification/storage/resource-manager/Microsoft.Storage/stable/2023-05-01)",
        "2019-06-01": "Azure CLI 2.91 `az network private-endpoint-connection` / `private-link-resource` (network "
                      "module private_link_resource_and_endpoint_connections/custom.py, Microsoft.Storage row)",
    },
    "keyvault": {
        "2026-02-01": "Azure CLI 2.91 `az keyvault` (azure-mgmt-keyvault's default api_version in its venv)",
        "2023-07-01": "the collection's key_vault_network (azure-rest-api-specs "
                      "specification/keyvault/resource-manager/Microsoft.KeyVault/stable/2023-07-01/keyvault.json)",
        "2019-09-01": "Azure CLI 2.91 `az network private-endpoint-connection` (custom.py, Microsoft.Keyvault row)",
    },
    "sql": {
        "2024-11-01-preview": "Azure CLI 2.91 `az sql` (azure-mgmt-sql's default api_version in its venv)",
        "2023-08-01": "the collection's sql_server_network (azure-rest-api-specs "
                      "specification/sql/resource-manager/Microsoft.Sql/stable/2023-08-01)",
        "2018-06-01-preview": "Azure CLI 2.91 `az network private-endpoint-connection` (custom.py, Microsoft.Sql row)",
    },
    "cosmosdb": {
        "2024-11-15": "the collection's private endpoint modules (azure-rest-api-specs "
                      "specification/cosmos-db/resource-manager/Microsoft.DocumentDB/stable/2024-11-15)",
    },
    "postgresql": {
        "2024-08-01": "the collection's private endpoint modules (azure-rest-api-specs specification/postgresql/"
                      "resource-manager/Microsoft.DBforPostgreSQL/stable/2024-08-01)",
    },
    "servicebus": {
        "2021-11-01": "the collection's private endpoint modules (azure-rest-api-specs "
                      "specification/servicebus/resource-manager/Microsoft.ServiceBus/stable/2021-11-01)",
    },
}

TARGET_FAMILIES = {"microsoft.storage": "storage", "microsoft.keyvault": "keyvault", "microsoft.sql": "sql",
                   "microsoft.documentdb": "cosmosdb", "microsoft.dbforpostgresql": "postgresql",
                   "microsoft.servicebus": "servicebus"}


# Families whose types are served at their own versions only, not at every version the provider listing advertises
# for the namespace (providers/resources.py API_VERSIONS is Microsoft.Network's NRP and Private DNS list).
UNADVERTISED = {"dnsresolver"}
DNSRESOLVER_TYPES = {"dnsresolvers", "dnsforwardingrulesets"}
DNSRESOLVER_ACTIONS = {"listdnsresolvers", "listdnsforwardingrulesets"}   # on virtualNetworks/{name}


def family(namespace, types):
    ns = namespace.lower()
    if ns == "microsoft.network":
        if types and (types[0].lower() in DNSRESOLVER_TYPES or
                      (len(types) == 2 and types[0].lower() == "virtualnetworks"
                       and types[-1].lower() in DNSRESOLVER_ACTIONS)):
            return "dnsresolver"
        return "privatedns" if types and types[0].lower() == "privatednszones" else "nrp"
    return dict({"microsoft.containerregistry": "acr", "microsoft.managedidentity": "msi"},
                **TARGET_FAMILIES).get(ns)


# API profiles: what a lagging cloud serves. Source of the versions: azure-cli
# src/azure-cli-core/azure/cli/core/profiles/_shared.py, AZURE_API_PROFILES['2020-09-01-hybrid'] (Azure Stack Hub's
# latest profile): MGMT_NETWORK 2018-11-01, MGMT_CONTAINERREGISTRY 2019-05-01, MGMT_MSI 2018-11-30,
# MGMT_RESOURCE_RESOURCES 2019-10-01, MGMT_NETWORK_DNS 2016-04-01 (public DNS); it has no Private DNS client.
# Microsoft.Network 2018-11-01 has no private endpoints: they came with 2019-02-01 (Azure/azure-cli #9474,
# "Minimum API Version Required 2019-02-01"); nor private link services: Azure/azure-rest-api-specs PR #5860 added
# PrivateLinkService (and PrivateEndpoint operations) in Microsoft.Network stable/2019-04-01.
PROFILES = {
    "2020-09-01-hybrid": {
        "versions": {"nrp": "2018-11-01", "acr": "2019-05-01", "msi": "2018-11-30"},
        # families absent from the profile, and types the profile's api-version does not have
        "hidden_families": {"privatedns"},
        "hidden_types": {("microsoft.network", "privateendpoints"), ("microsoft.network", "privatelinkservices")},
    },
}
