"""Cloud metadata at /metadata/endpoints, in the shapes clients read (see `endpoints`)."""

AUDIENCES = ["https://management.core.windows.net/", "https://management.azure.com/"]
CLOUD_NAME = "PrivnetEmulator"


def endpoints(base, api_version):
    """The emulator answers as a custom cloud (an Azure Stack Hub) does, in the shape each client reads:

    * before 2018-01-01 (2015-01-01): the Azure Stack object (galleryEndpoint, graphEndpoint,
      authentication). Source: azure-cli 2.0.x `command_modules/cloud/custom.py`
      `_populate_from_metadata_endpoint` (api-version 2015-01-01, reads `metadata['authentication']`)
      and msrestazure `get_cloud_from_metadata_endpoint`.
    * 2022-09-01 and later: ONE cloud object. Source: Azure/azure-cli
      `src/azure-cli/azure/cli/command_modules/cloud/custom.py` `_populate_from_metadata_endpoint`
      (what `az cloud register --endpoint-resource-manager` calls) GETs
      `{arm}/metadata/endpoints?api-version=2022-09-01` and hands the body straight to
      `azure/cli/core/cloud.py` `_arm_to_cli_mapper`, which indexes `arm_dict['name']`: a list breaks it.
    * 2018-01-01 up to 2022-09-01 (e.g. 2019-05-01): a list of clouds, the public-cloud way. Source:
      azure-cli `core/cloud.py` `get_known_clouds` / `_convert_arm_to_cli`, which iterate the document an
      `ARM_CLOUD_METADATA_URL` names (its comment names management.azure.com's `api-version=2019-05-01`).

    The collection's own reader (plugins/module_utils/_cloud.py `cloud_from_metadata`) takes all three.
    Emulator convention: before 2022-09-01 each cloud also carries `gallery`, which older copies of
    azure-cli's `_arm_to_cli_mapper` index directly.
    """
    if not api_version or api_version < "2018-01-01":
        return {
            "galleryEndpoint": f"{base}/",
            "graphEndpoint": f"{base}/",
            "portalEndpoint": f"{base}/",
            "authentication": {"loginEndpoint": f"{base}/", "audiences": AUDIENCES},
        }
    cloud = {
        "portal": f"{base}/",
        "authentication": {"loginEndpoint": f"{base}/", "audiences": AUDIENCES, "tenant": "common",
                           "identityProvider": "AAD"},
        "media": f"{base}/",
        "graphAudience": f"{base}/",
        "graph": f"{base}/",
        "name": CLOUD_NAME,
        "suffixes": {
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
        "batch": f"{base}/",
        "resourceManager": f"{base}/",
        "vmImageAliasDoc": f"{base}/",
        "activeDirectoryDataLake": f"{base}/",
        "sqlManagement": f"{base}/",
        "microsoftGraphResourceId": f"{base}/",
        "appInsightsResourceId": f"{base}/",
        "appInsightsTelemetryChannelResourceId": f"{base}/",
        "attestationResourceId": f"{base}/",
        "synapseAnalyticsResourceId": f"{base}/",
        "logAnalyticsResourceId": f"{base}/",
        "ossrDbmsResourceId": f"{base}/",
    }
    if api_version < "2022-09-01":
        cloud["gallery"] = f"{base}/"
        return [cloud]
    return cloud
