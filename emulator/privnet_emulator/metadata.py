"""Cloud metadata at /metadata/endpoints, in the two shapes clients read."""

AUDIENCES = ["https://management.core.windows.net/", "https://management.azure.com/"]
CLOUD_NAME = "PrivnetEmulator"


def endpoints(base, api_version):
    """2015-01-01: one object (what msrestazure and Azure Stack read); 2018-01-01 and later: a list of clouds.

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
