"""Generic ARM surfaces real clients use: Resources_List / Resources_ListByResourceGroup with $filter, $expand,
$top and paging; resource providers list and show; a resource read by id; the cloud metadata shapes.

Sources: azure-rest-api-specs Microsoft.Resources/stable/2021-04-01/resources.json (Resources_List,
Resources_ListByResourceGroup, Providers_List, Providers_Get, Resources_GetById); azure-cli
command_modules/cloud/custom.py and core/cloud.py for the metadata shapes (see privnet_emulator/metadata.py).
"""

import importlib.util
import os
import sys

import pytest
import requests
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from privnet_emulator import DEFAULT_SUBSCRIPTION

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def estate(clients):
    clients.control.scenario("acr")
    vnet = clients.network.virtual_networks.get("rg-network", "vnet-app")
    clients.network.virtual_networks.update_tags("rg-network", "vnet-app", {"tags": {"env": "prod", "team": "net"}})
    return clients, vnet


def _names(items):
    return sorted(r.name for r in items)


def test_list_is_every_top_level_resource_in_generic_shape(estate):
    clients, _ = estate
    items = list(clients.resource.resources.list())
    assert _names(items) == ["acrbasicdemo", "acrprivnetdemo", "vnet-app"]   # no subnets, no replications
    registry = next(r for r in items if r.name == "acrprivnetdemo")
    assert registry.type == "Microsoft.ContainerRegistry/registries"
    assert registry.id == (f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/rg-acr/providers/"
                           "Microsoft.ContainerRegistry/registries/acrprivnetdemo")
    assert registry.location == "westeurope" and registry.sku.name == "Premium"
    vnet = next(r for r in items if r.name == "vnet-app")
    assert vnet.tags == {"env": "prod", "team": "net"}
    assert _names(clients.resource.resources.list_by_resource_group("rg-acr")) == ["acrbasicdemo", "acrprivnetdemo"]
    # Other subscription: nothing of this one.
    assert list(clients.resource2.resources.list()) == []


def test_list_includes_global_and_later_resources(estate):
    clients, _ = estate
    clients.privatedns.private_zones.begin_create_or_update("rg-network", "privatelink.azurecr.io",
                                                            {"location": "global"}).result()
    zones = list(clients.resource.resources.list(filter="resourceType eq 'Microsoft.Network/privateDnsZones'"))
    assert [(z.name, z.location) for z in zones] == [("privatelink.azurecr.io", "global")]


@pytest.mark.parametrize("odata, expected", [
    ("resourceType eq 'Microsoft.ContainerRegistry/registries'", ["acrbasicdemo", "acrprivnetdemo"]),
    ("resourcetype eq 'microsoft.containerregistry/REGISTRIES'", ["acrbasicdemo", "acrprivnetdemo"]),
    ("name eq 'acrprivnetdemo'", ["acrprivnetdemo"]),
    ("resourceType eq 'Microsoft.ContainerRegistry/registries' and name eq 'acrbasicdemo'", ["acrbasicdemo"]),
    ("resourceGroup eq 'rg-network'", ["vnet-app"]),
    ("location eq 'westeurope' and resourceType ne 'Microsoft.Network/virtualNetworks'",
     ["acrbasicdemo", "acrprivnetdemo"]),
    ("substringof('demo', name)", ["acrbasicdemo", "acrprivnetdemo"]),
    ("substringof('basic', name) or substringof('network', resourceGroup)", ["acrbasicdemo", "vnet-app"]),
    ("substringof('privnet', name) and resourceType eq 'Microsoft.ContainerRegistry/registries'", ["acrprivnetdemo"]),
    ("(name eq 'vnet-app' or name eq 'acrbasicdemo') and location eq 'westeurope'", ["acrbasicdemo", "vnet-app"]),
    ("name eq 'nothing'", []),
])
def test_filter(estate, odata, expected):
    clients, _ = estate
    assert _names(clients.resource.resources.list(filter=odata)) == expected


def test_tag_filters(estate):
    clients, _ = estate
    by_pair = list(clients.resource.resources.list(filter="tagName eq 'env' and tagValue eq 'prod'"))
    assert _names(by_pair) == ["vnet-app"]
    # resources.json: "when you filter by a tag name and value, the tags for each resource are not returned".
    assert not by_pair[0].tags
    assert list(clients.resource.resources.list(filter="tagName eq 'env' and tagValue eq 'dev'")) == []
    by_name = list(clients.resource.resources.list(filter="tagname eq 'team'"))   # the Azure CLI's lower case
    assert _names(by_name) == ["vnet-app"] and by_name[0].tags == {"env": "prod", "team": "net"}
    assert _names(clients.resource.resources.list(filter="startswith(tagname, 'te')")) == ["vnet-app"]


@pytest.mark.parametrize("odata", [
    "tagName eq 'env' and tagValue eq 'prod' and resourceType eq 'Microsoft.Network/virtualNetworks'",
    "provisioningState eq 'Succeeded'",
    "name eq acrbasicdemo",
    "substringof('demo', location)",
    "name eq 'x' and",
])
def test_invalid_filter(estate, odata):
    clients, _ = estate
    with pytest.raises(HttpResponseError) as caught:
        list(clients.resource.resources.list(filter=odata))
    assert caught.value.status_code == 400
    assert caught.value.error.code == "InvalidFilterInQueryString"
    assert caught.value.error.message == f"Invalid $filter '{odata}' specified in the query string."


def test_paging_top_and_expand(estate):
    clients, _ = estate
    clients.control.config(page_size=2)
    pages = list(clients.resource.resources.list().by_page())
    assert [len(list(p)) for p in pages] == [2, 1]
    # The nextLink carries the filter: the second page is still filtered.
    filtered = list(clients.resource.resources.list(filter="substringof('a', name)").by_page())
    assert sum(len(list(p)) for p in filtered) == 3
    assert _names(clients.resource.resources.list(top=2)) == _names(list(clients.resource.resources.list())[:2])
    expanded = list(clients.resource.resources.list(expand="createdTime,changedTime,provisioningState"))
    assert all(r.provisioning_state == "Succeeded" and r.created_time is not None for r in expanded)
    assert all(r.created_time is None for r in clients.resource.resources.list())


def test_list_by_missing_group(clients):
    with pytest.raises(ResourceNotFoundError) as caught:
        list(clients.resource.resources.list_by_resource_group("rg-nowhere"))
    assert caught.value.error.code == "ResourceGroupNotFound"


def test_get_by_id(estate):
    clients, vnet = estate
    got = clients.resource.resources.get_by_id(vnet.id, api_version="2024-07-01")
    assert got.id == vnet.id and got.type == "Microsoft.Network/virtualNetworks"
    assert got.properties["addressSpace"]["addressPrefixes"] == ["10.20.0.0/16"]
    with pytest.raises(ResourceNotFoundError):
        clients.resource.resources.get_by_id(vnet.id + "-missing", api_version="2024-07-01")


def test_providers_list_and_show(estate):
    clients, _ = estate
    namespaces = {p.namespace: p for p in clients.resource.providers.list()}
    assert {"Microsoft.Network", "Microsoft.ContainerRegistry", "Microsoft.Resources",
            "Microsoft.ManagedIdentity"} <= set(namespaces)
    assert [t.resource_type for t in namespaces["Microsoft.ManagedIdentity"].resource_types] == \
        ["userAssignedIdentities"]
    network = clients.resource.providers.get("microsoft.network")
    assert network.namespace == "Microsoft.Network" and network.registration_state == "Registered"
    types = {t.resource_type: t for t in network.resource_types}
    assert {"virtualNetworks", "privateEndpoints", "networkInterfaces", "privateDnsZones"} <= set(types)
    assert types["privateDnsZones"].locations == ["global"]
    assert types["virtualNetworks"].locations == ["eastus", "westeurope"]   # the regions in use (registry replica)
    versions = types["virtualNetworks"].api_versions
    assert versions == sorted(versions, reverse=True) and "2024-07-01" in versions
    acr = clients.resource.providers.get("Microsoft.ContainerRegistry")
    assert [t.resource_type for t in acr.resource_types] == ["registries"]


def test_metadata_shapes(emulator):
    url = emulator.url

    def get(version):
        resp = requests.get(f"{url}/metadata/endpoints?api-version={version}", verify=emulator.ca_path, timeout=10)
        assert resp.status_code == 200
        return resp.json()

    custom = get("2022-09-01")        # what `az cloud register --endpoint-resource-manager` reads: one object
    assert isinstance(custom, dict) and custom["resourceManager"] == url + "/" and custom["name"]
    public = get("2019-05-01")        # the public-cloud way (ARM_CLOUD_METADATA_URL): a list of clouds
    assert isinstance(public, list) and public[0]["resourceManager"] == url + "/"
    stack = get("2015-01-01")         # Azure Stack Hub / msrestazure
    assert isinstance(stack, dict) and "resourceManager" not in stack

    # The collection's own reader takes every shape the emulator serves (loaded from its file: no install).
    path = os.path.join(REPO, "plugins", "module_utils", "_cloud.py")
    spec = importlib.util.spec_from_file_location("privnet_cloud_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    for version, doc in (("2022-09-01", custom), ("2019-05-01", public), ("2015-01-01", stack)):
        cloud = module.cloud_from_metadata(f"{url}/metadata/endpoints?api-version={version}", doc)
        assert cloud.resource_manager.rstrip("/") == url
        assert cloud.audiences[0] == "https://management.core.windows.net/"
