"""Cloud metadata at /metadata/endpoints, in the shapes clients read (see `endpoints`)."""

from . import clouds

AUDIENCES = list(clouds.CLOUDS[clouds.DEFAULT].audiences)
CLOUD_NAME = clouds.CLOUDS[clouds.DEFAULT].metadata_name


def endpoints(base, api_version, cloud=None):
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
    `cloud` (clouds.py, the `--cloud` option) sets the name, the audiences and the suffixes, as that cloud's
    own metadata shows them (sources in clouds.py); every endpoint stays the emulator's own address.
    Emulator convention: before 2022-09-01 each cloud also carries `gallery`, which older copies of
    azure-cli's `_arm_to_cli_mapper` index directly.
    """
    cloud = clouds.get(cloud or clouds.DEFAULT)
    audiences = list(cloud.audiences)
    if not api_version or api_version < "2018-01-01":
        return {
            "galleryEndpoint": f"{base}/",
            "graphEndpoint": f"{base}/",
            "portalEndpoint": f"{base}/",
            "authentication": {"loginEndpoint": f"{base}/", "audiences": audiences},
        }
    doc = {
        "portal": f"{base}/",
        "authentication": {"loginEndpoint": f"{base}/", "audiences": audiences, "tenant": "common",
                           "identityProvider": "AAD"},
        "media": f"{base}/",
        "graphAudience": f"{base}/",
        "graph": f"{base}/",
        "name": cloud.metadata_name,
        "suffixes": dict(cloud.suffixes),
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
        doc["gallery"] = f"{base}/"
        return [doc]
    return doc
