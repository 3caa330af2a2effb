# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import http.server
import json

import pytest

from azure.core.exceptions import ServiceRequestError

from ansible_collections.privnet.azure.plugins.module_utils._cloud import (
    cloud_from_metadata,
    fetch_metadata,
    resolve_cloud,
)
from ansible_collections.privnet.azure.tests.unit.helpers import TLSServer

# Shape of https://management.azure.com/metadata/endpoints?api-version=2022-09-01 (trimmed).
LIST_SHAPE = [
    {
        "name": "AzureCloud",
        "resourceManager": "https://management.azure.com/",
        "authentication": {"loginEndpoint": "https://login.microsoftonline.com",
                           "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"]},
    },
    {
        "name": "Private",
        "resourceManager": "https://arm.example.test:8443/",
        "authentication": {"loginEndpoint": "https://login.example.test/",
                           "audiences": ["https://management.example.test/"]},
    },
]

# Azure Stack Hub, api-version=2015-01-01.
STACK_SHAPE = {
    "galleryEndpoint": "https://portal.local.azurestack.external:30015/",
    "graphEndpoint": "https://graph.windows.net/",
    "portalEndpoint": "https://portal.local.azurestack.external/",
    "authentication": {"loginEndpoint": "https://adfs.local.azurestack.external/adfs/",
                       "audiences": ["https://management.adfs.azurestack.local/4de154de"]},
}


def test_public_clouds_by_name_any_case():
    assert resolve_cloud(None).resource_manager == "https://management.azure.com"
    china = resolve_cloud("azurechinacloud")
    assert china.name == "AzureChinaCloud"
    assert china.authority == "https://login.chinacloudapi.cn"
    assert china.public
    assert resolve_cloud("AzureUSGovernment").resource_manager == "https://management.usgovcloudapi.net"


def test_public_scope_is_first_audience_plus_default():
    assert resolve_cloud("AzureCloud").credential_scopes == ["https://management.core.windows.net//.default"]


def test_unknown_name_and_plain_http_are_refused_without_fetching():
    def fetch(url, verify):
        raise AssertionError("must not fetch")
    with pytest.raises(ValueError, match="cloud_environment: use AzureCloud"):
        resolve_cloud("AzureMoon", fetch=fetch)
    with pytest.raises(ValueError, match="plain http"):
        resolve_cloud("http://arm.example.test/metadata/endpoints", fetch=fetch)


def test_list_shape_picks_entry_matching_the_url_host():
    url = "https://arm.example.test:8443/metadata/endpoints?api-version=2022-09-01"
    seen = []
    cloud = resolve_cloud(url, "/ca.pem", fetch=lambda u, verify: seen.append((u, verify)) or LIST_SHAPE)
    assert seen == [(url, "/ca.pem")]
    assert cloud.name == "Private"
    assert cloud.resource_manager == "https://arm.example.test:8443"
    assert cloud.authority == "https://login.example.test"
    assert cloud.credential_scopes == ["https://management.example.test//.default"]
    assert not cloud.public


def test_list_shape_falls_back_to_first_entry():
    cloud = cloud_from_metadata("https://elsewhere.test/metadata/endpoints", LIST_SHAPE)
    assert cloud.name == "AzureCloud"
    assert cloud.public


def test_azure_stack_shape_uses_the_metadata_host_as_arm():
    cloud = cloud_from_metadata("https://management.local.azurestack.external/metadata/endpoints?api-version=2015-01-01",
                                STACK_SHAPE)
    assert cloud.resource_manager == "https://management.local.azurestack.external"
    assert cloud.authority == "https://adfs.local.azurestack.external"
    assert cloud.credential_scopes == ["https://management.adfs.azurestack.local/4de154de/.default"]
    assert not cloud.public


@pytest.mark.parametrize("bad", [[], [{"name": "x"}], {"authentication": {}},
                                 [{"resourceManager": "https://a/", "authentication": {"loginEndpoint": "http://l/",
                                                                                       "audiences": ["x"]}}]])
def test_incomplete_or_insecure_metadata_is_refused(bad):
    with pytest.raises(ValueError, match="^cloud_environment: "):
        cloud_from_metadata("https://a/metadata/endpoints", bad)


# ---- the real fetch, over TLS, against a local server with its own CA ----------------------

class MetadataHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # pylint: disable=invalid-name
        port = self.server.server_address[1]
        body = json.dumps([{
            "name": "Emulated",
            "resourceManager": f"https://127.0.0.1:{port}/",
            "authentication": {"loginEndpoint": f"https://127.0.0.1:{port}/",
                               "audiences": ["https://management.core.windows.net/"]},
        }]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


@pytest.fixture
def metadata_server(tmp_path, monkeypatch):
    # Only the CA given explicitly may be trusted in these tests.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with TLSServer(tmp_path, MetadataHandler) as server:
        yield f"{server.url}/metadata/endpoints?api-version=2022-09-01", server.ca_pem


def test_fetch_trusts_the_given_ca_bundle(metadata_server):
    url, ca_pem = metadata_server
    cloud = resolve_cloud(url, ca_pem)
    assert cloud.resource_manager == url.split("/metadata")[0]
    assert cloud.name == "Emulated"


def test_fetch_verifies_tls_by_default(metadata_server):
    url, _ca_pem = metadata_server
    with pytest.raises(ServiceRequestError):
        fetch_metadata(url, True)


# ---- an ARM base URL, as azure.azcollection reads AZURE_CLOUD_ENVIRONMENT -----------------------

@pytest.mark.parametrize("value", ["https://management.local.azurestack.external",
                                   "https://management.local.azurestack.external/",
                                   " https://management.local.azurestack.external/ "])
def test_an_arm_url_is_completed_with_the_metadata_path(value):
    fetched = []

    def fetch(url, verify):
        fetched.append(url)
        return {"galleryEndpoint": "https://x/", "authentication": {
            "loginEndpoint": "https://adfs.local.azurestack.external/adfs/",
            "audiences": ["https://management.adfs.azurestack.local/abc"]}}

    cloud = resolve_cloud(value, True, fetch=fetch)
    assert fetched == ["https://management.local.azurestack.external/metadata/endpoints?api-version=2022-09-01"]
    assert cloud.resource_manager == "https://management.local.azurestack.external"


@pytest.mark.parametrize("value", ["https://arm.example/metadata/endpoints?api-version=2015-01-01",
                                   "https://arm.example/metadata/endpoints"])
def test_a_metadata_url_is_fetched_as_given(value):
    fetched = []
    resolve_cloud(value, True, fetch=lambda url, verify: fetched.append(url) or [
        {"name": "X", "resourceManager": "https://arm.example/",
         "authentication": {"loginEndpoint": "https://login.example/", "audiences": ["https://arm.example/"]}}])
    assert fetched == [value]


def test_the_arm_url_form_works_against_a_real_tls_server(metadata_server):
    url, ca_pem = metadata_server
    base = url.split("/metadata")[0] + "/"
    cloud = resolve_cloud(base, ca_pem)
    assert cloud.name == "Emulated"
    assert cloud.resource_manager == base.rstrip("/")
