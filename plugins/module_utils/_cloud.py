# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Azure cloud endpoints: the three public clouds by name, anything else from its metadata URL.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urlsplit

try:
    from azure.core import PipelineClient
    from azure.core.rest import HttpRequest
    HAS_AZURE_CORE = True
except ImportError:
    HAS_AZURE_CORE = False


@dataclass(frozen=True)
class Cloud:
    """Where a cloud's Azure Resource Manager and sign-in endpoints live."""

    name: str
    resource_manager: str  # ARM base URL, no trailing slash
    login_endpoint: str  # e.g. https://login.microsoftonline.com/
    audiences: tuple[str, ...]  # ARM token audiences, the first one is used
    public: bool = False  # one of the clouds azure-identity already knows

    @property
    def authority(self) -> str:
        """The sign-in host, as azure-identity's ``authority=`` wants it (scheme and host only)."""
        parts = urlsplit(self.login_endpoint)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def credential_scopes(self) -> list[str]:
        # Same rule as the Azure CLI: audience + "/.default", even when the audience ends
        # with "/" (".../" + "/.default" is the v1 resource form Entra ID expects).
        return [self.audiences[0] + "/.default"]


PUBLIC_CLOUDS = {
    "azurecloud": Cloud(
        name="AzureCloud",
        resource_manager="https://management.azure.com",
        login_endpoint="https://login.microsoftonline.com/",
        audiences=("https://management.core.windows.net/", "https://management.azure.com/"),
        public=True,
    ),
    "azurechinacloud": Cloud(
        name="AzureChinaCloud",
        resource_manager="https://management.chinacloudapi.cn",
        login_endpoint="https://login.chinacloudapi.cn/",
        audiences=("https://management.core.chinacloudapi.cn/", "https://management.chinacloudapi.cn/"),
        public=True,
    ),
    "azureusgovernment": Cloud(
        name="AzureUSGovernment",
        resource_manager="https://management.usgovcloudapi.net",
        login_endpoint="https://login.microsoftonline.us/",
        audiences=("https://management.core.usgovcloudapi.net/", "https://management.usgovcloudapi.net/"),
        public=True,
    ),
}

_CLOUD_HELP = (
    "cloud_environment: use AzureCloud, AzureChinaCloud, AzureUSGovernment, the https:// URL of the cloud's "
    "metadata endpoint (e.g. https://management.example/metadata/endpoints?api-version=2022-09-01) or the "
    "https:// URL of its Azure Resource Manager (e.g. https://management.example/)"
)
# Where a cloud's Azure Resource Manager serves its metadata: the path and api-version the Azure CLI's
# `az cloud register --endpoint-resource-manager` reads (azure-cli, azure-cli-core cloud.py). An
# AZURE_CLOUD_ENVIRONMENT holding an ARM URL (what azure.azcollection takes) is completed with it.
METADATA_PATH = "/metadata/endpoints"
METADATA_QUERY = "api-version=2022-09-01"


def resolve_cloud(value: Optional[str], connection_verify: str | bool = True,
                  fetch: Optional[Callable[[str, str | bool], Any]] = None) -> Cloud:
    """Return the Cloud for a name or a metadata URL; None means AzureCloud.

    ``fetch(url, connection_verify) -> parsed JSON`` is only replaced by tests.
    Raises ValueError with a message naming the option and the fix.
    """
    if not value:
        return PUBLIC_CLOUDS["azurecloud"]
    known = PUBLIC_CLOUDS.get(value.strip().lower())
    if known:
        return known
    parts = urlsplit(value)
    if parts.scheme == "http":
        raise ValueError(f"cloud_environment: {value!r} is plain http; the metadata must be fetched over "
                         "https (give a CA bundle in ca_bundle if the endpoint uses a private CA)")
    if parts.scheme != "https" or not parts.netloc:
        raise ValueError(f"{_CLOUD_HELP}; got {value!r}")
    url = metadata_url(value)
    metadata = (fetch or fetch_metadata)(url, connection_verify)
    return cloud_from_metadata(url, metadata)


def metadata_url(value: str) -> str:
    """The metadata URL for a metadata URL (kept as given) or an ARM base URL (path appended)."""
    parts = urlsplit(value.strip())
    if parts.path.rstrip("/").lower().endswith(METADATA_PATH):
        return value.strip()
    base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return f"{base}{METADATA_PATH}?{METADATA_QUERY}"


def fetch_metadata(url: str, connection_verify: str | bool) -> Any:
    """GET the metadata document, TLS verified (``connection_verify`` is True or a CA bundle path)."""
    client = PipelineClient(base_url=url)
    with client:
        response = client.send_request(HttpRequest("GET", url, headers={"Accept": "application/json"}),
                                       connection_verify=connection_verify)
        response.raise_for_status()
        try:
            return json.loads(response.text())
        except ValueError as exc:
            raise ValueError(f"cloud_environment: {url} did not return JSON ({exc})") from None


def cloud_from_metadata(url: str, metadata: Any) -> Cloud:
    """Build a Cloud from either metadata shape.

    * 2022-09-01 and later: a list of clouds, each with ``resourceManager`` and
      ``authentication.{loginEndpoint,audiences}``. The entry whose ARM host is the URL's host
      wins, else the first one.
    * 2015-01-01 (Azure Stack Hub): one object without ``resourceManager``; ARM is the host
      that served the metadata.
    """
    host = urlsplit(url).netloc.lower()
    if isinstance(metadata, dict) and "resourceManager" not in metadata:
        entry = metadata
        resource_manager = f"https://{urlsplit(url).netloc}"
    else:
        entries = metadata if isinstance(metadata, list) else [metadata]
        entries = [e for e in entries if isinstance(e, dict) and e.get("resourceManager")]
        if not entries:
            raise ValueError(f"cloud_environment: {url} returned no cloud with a resourceManager endpoint")
        entry = next((e for e in entries if urlsplit(e["resourceManager"]).netloc.lower() == host), entries[0])
        resource_manager = entry["resourceManager"]

    auth = entry.get("authentication") or {}
    login = auth.get("loginEndpoint")
    audiences = tuple(a for a in auth.get("audiences") or () if a)
    if not login or not audiences:
        raise ValueError(f"cloud_environment: {url} lacks authentication.loginEndpoint or authentication.audiences")
    if urlsplit(login).scheme != "https" or urlsplit(resource_manager).scheme != "https":
        raise ValueError(f"cloud_environment: {url} names non-https endpoints; TLS is required")
    public_hosts = {urlsplit(c.login_endpoint).netloc for c in PUBLIC_CLOUDS.values()}
    return Cloud(
        name=entry.get("name") or host,
        resource_manager=resource_manager.rstrip("/"),
        login_endpoint=login,
        audiences=audiences,
        public=urlsplit(login).netloc.lower() in public_hosts,
    )
