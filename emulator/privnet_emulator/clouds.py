"""The cloud the emulator poses as (`--cloud`): AzureCloud (default), AzureUSGovernment or AzureChinaCloud.

Whatever the cloud, everything is served at the emulator's own address (clients reach it as a custom cloud
through its metadata URL); what changes is what a cloud shows in names and documents:

* the metadata document (`/metadata/endpoints`): the cloud's name, its `suffixes` and its ARM token
  `authentication.audiences`;
* the registry DNS suffix: a registry's `loginServer` `<reg>.<suffix>`, its data endpoints
  `<reg>.<region>.data.<suffix>` (`dataEndpointHostNames`, the private endpoint NIC's fqdns), the private link
  resource's `requiredZoneNames` (`privatelink.<suffix>`) and the public CNAME chain of the per-VNet DNS listener;
* the regions the built-in scenarios use (see `scenario_regions`).

Sources, one per fact (facts only, no copied text):

* Suffixes and audiences: Azure/azure-cli `src/azure-cli-core/azure/cli/core/cloud.py` (AZURE_PUBLIC_CLOUD,
  AZURE_US_GOV_CLOUD, AZURE_CHINA_CLOUD: `acr_login_server_endpoint` .azurecr.io / .azurecr.us / .azurecr.cn,
  `storage_endpoint`, `keyvault_dns`, `sql_server_hostname`, `active_directory_resource_id` and
  `resource_manager`, which are the two ARM audiences) and the copy of ARM's own
  `metadata/endpoints?api-version=2019-05-01` answer in Azure/azure-sdk-for-python
  `sdk/core/azure-core/azure/core/clouds/__init__.py` (`name`, `suffixes.acrLoginServer` azurecr.us / azurecr.cn,
  `keyVaultDns`, `storage`, `sqlServerHostname`, `azureFrontDoorEndpointSuffix` empty outside AzureCloud,
  `authentication.audiences`).
* The database suffixes outside AzureCloud (`mysqlServerEndpoint`, `postgresqlServerEndpoint`,
  `mariadbServerEndpoint`): the public DNS zone forwarders of MicrosoftDocs/azure-docs
  `articles/private-link/private-endpoint-dns.md`, Government and China tables (mysql/postgres/mariadb
  `.database.usgovcloudapi.net` and `.database.chinacloudapi.cn`).
* Registry names: the login server is `<reg>.<acrLoginServer>` (azure-cli `acr_login_server_endpoint`); data
  endpoints are `<reg>.<region>.data.<acrLoginServer>` in every cloud: AzureCloud in
  `articles/container-registry/container-registry-private-link.md`; Azure Government in Azure/ARO-RP (the
  operator's allowed-registries tests for the US Government cloud expect `arosvc.eastus.data.azurecr.us`);
  Azure China in the Azure China docs (mc-docs.zh-cn `articles/container-registry/
  container-registry-firewall-access-rules.md`: data endpoints `<registry-name>.<region>.data.azurecr.cn`).
* The registry's Private DNS zone: `privatelink.azurecr.io` / `privatelink.azurecr.us` / `privatelink.azurecr.cn`
  (private-endpoint-dns.md, the Container Registry rows of the Commercial and Government tables, e.g. the version of
  10/11/2023; the China row is in the Azure China version of the article, mc-docs.zh-cn
  `articles/private-link/private-endpoint-dns.md` of 06/15/2020, public zone `azurecr.cn`). The Government row's
  regional zone `{regionName}.privatelink.azurecr.us` (public `{regionName}.azurecr.us`) names no registry host, so
  nothing here serves it (see README "Clouds", Not modelled).
* Regions: Azure Government `usgovvirginia`, `usgovtexas`, `usgovarizona` (regional pairs US Gov Virginia -
  US Gov Texas and US Gov Arizona - US Gov Texas: MicrosoftDocs/azure-docs
  `articles/best-practices-availability-paired-regions.md`); Azure China `chinanorth3`, `chinaeast2` (region
  names as `az account list-locations` lists them in AzureChinaCloud; no Chinese regional pairs are modelled).
"""

from dataclasses import dataclass, field

DEFAULT = "AzureCloud"


@dataclass(frozen=True)
class Cloud:
    name: str
    metadata_name: str            # `name` in the metadata document
    audiences: tuple              # ARM token audiences (authentication.audiences)
    login_host: str               # where Entra ID's error pages point (error_uri)
    suffixes: dict = field(default_factory=dict)   # metadata `suffixes`
    # Built-in scenarios are written with public-cloud regions; in this cloud each becomes the one named here.
    scenario_regions: dict = field(default_factory=dict)
    home_region: str = "westeurope"   # where a scenario item without a location goes
    # Regional pairs outside the public cloud (a subnet's service endpoint locations for Microsoft.Storage are the
    # region and its pair, providers/network.py).
    region_pairs: dict = field(default_factory=dict)

    @property
    def acr_suffix(self):
        """The registry DNS suffix, without a leading dot (azurecr.io)."""
        return self.suffixes["acrLoginServer"]

    @property
    def acr_zone(self):
        """The registry's Private DNS zone (private-endpoint-dns.md)."""
        return f"privatelink.{self.acr_suffix}"

    def login_server(self, registry):
        return f"{registry.lower()}.{self.acr_suffix}"

    def data_endpoint(self, registry, region):
        return f"{registry.lower()}.{region}.data.{self.acr_suffix}"


CLOUDS = {
    # The public cloud: what the emulator has always answered (its metadata keeps the custom cloud name
    # PrivnetEmulator that `az cloud register --name PrivnetEmulator` and the docs use).
    "AzureCloud": Cloud(
        name="AzureCloud", metadata_name="PrivnetEmulator",
        audiences=("https://management.core.windows.net/", "https://management.azure.com/"),
        login_host="login.microsoftonline.com",
        suffixes={
            "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
            "acrLoginServer": "azurecr.io",
            "sqlServerHostname": "database.windows.net",
            "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "keyVaultDns": "vault.azure.net",
            "storage": "core.windows.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "storageSyncEndpointSuffix": "afs.azure.net",
            "mhsmDns": "managedhsm.azure.net",
            "mysqlServerEndpoint": "mysql.database.azure.com",
            "postgresqlServerEndpoint": "postgres.database.azure.com",
            "mariadbServerEndpoint": "mariadb.database.azure.com",
            "synapseAnalytics": "dev.azuresynapse.net",
        },
        home_region="westeurope",   # its regional pairs are providers/network.py REGION_PAIRS
    ),
    "AzureUSGovernment": Cloud(
        name="AzureUSGovernment", metadata_name="AzureUSGovernment",
        audiences=("https://management.core.usgovcloudapi.net/", "https://management.usgovcloudapi.net/"),
        login_host="login.microsoftonline.us",
        suffixes={
            "acrLoginServer": "azurecr.us",
            "sqlServerHostname": "database.usgovcloudapi.net",
            "keyVaultDns": "vault.usgovcloudapi.net",
            "storage": "core.usgovcloudapi.net",
            "azureFrontDoorEndpointSuffix": "",
            "mysqlServerEndpoint": "mysql.database.usgovcloudapi.net",
            "postgresqlServerEndpoint": "postgres.database.usgovcloudapi.net",
            "mariadbServerEndpoint": "mariadb.database.usgovcloudapi.net",
        },
        scenario_regions={"westeurope": "usgovvirginia", "eastus": "usgovtexas", "northeurope": "usgovarizona"},
        home_region="usgovvirginia",
        region_pairs={"usgovvirginia": "usgovtexas", "usgovarizona": "usgovtexas", "usgovtexas": "usgovarizona"},
    ),
    "AzureChinaCloud": Cloud(
        name="AzureChinaCloud", metadata_name="AzureChinaCloud",
        audiences=("https://management.core.chinacloudapi.cn/", "https://management.chinacloudapi.cn/"),
        login_host="login.chinacloudapi.cn",
        suffixes={
            "acrLoginServer": "azurecr.cn",
            "sqlServerHostname": "database.chinacloudapi.cn",
            "keyVaultDns": "vault.azure.cn",
            "storage": "core.chinacloudapi.cn",
            "azureFrontDoorEndpointSuffix": "",
            "mysqlServerEndpoint": "mysql.database.chinacloudapi.cn",
            "postgresqlServerEndpoint": "postgres.database.chinacloudapi.cn",
            "mariadbServerEndpoint": "mariadb.database.chinacloudapi.cn",
        },
        scenario_regions={"westeurope": "chinanorth3", "eastus": "chinaeast2"},
        home_region="chinanorth3",
    ),
}
NAMES = tuple(CLOUDS)


def get(name):
    """The Cloud for a name (case-insensitive); ValueError naming the choices otherwise."""
    if isinstance(name, Cloud):
        return name
    for key, cloud in CLOUDS.items():
        if key.lower() == str(name or DEFAULT).strip().lower():
            return cloud
    raise ValueError(f"unknown cloud {name!r}; use one of {', '.join(NAMES)}")


def of(emu):
    """The cloud an emulator poses as (AzureCloud for one built without the option)."""
    return getattr(emu, "cloud", None) or CLOUDS[DEFAULT]
