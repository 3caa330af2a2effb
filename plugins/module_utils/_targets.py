# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Private Link target types: what this collection knows about each kind of resource a private
endpoint can point at.

For each type (``Microsoft.<Namespace>/<type>``):

- the api-version the collection sends for it (the resource, its ``privateEndpointConnections`` and
  ``privateLinkResources`` children); each is a folder name of Microsoft's OpenAPI files
  (Azure/azure-rest-api-specs, ``specification/<service>/resource-manager/<Namespace>/stable/<version>``);
- the sub-resources (group ids) Microsoft Learn documents for it (MicrosoftDocs/azure-docs,
  ``articles/private-link/private-endpoint-overview.md``, "Private-link resource" table, and
  ``articles/private-link/private-endpoint-dns.md``, the Azure commercial tables, which also give the
  Private DNS zone of each sub-resource);
- the virtual network service endpoint whose subnets the service's VNet rules accept (MicrosoftDocs/azure-docs
  ``articles/virtual-network/virtual-network-service-endpoints-overview.md``; ``Microsoft.Storage.Global``, the
  cross-region storage endpoint, counts for storage accounts too);
- whether the type lists its connections with ``GET {target}/privateEndpointConnections``. Azure CLI's generic
  table (Azure/azure-cli, ``src/azure-cli/azure/cli/command_modules/network/
  private_link_resource_and_endpoint_connections/custom.py``, ``register_providers``) marks the older
  api-versions of Key Vault and Cosmos DB as not listing them (it reads ``properties.privateEndpointConnections``
  of the resource instead); at the api-versions below the spec has the list operation for every type
  (e.g. Key Vault 2023-07-01 ``listPrivateEndpointConnection.json``, Cosmos DB 2024-11-15
  ``CosmosDBPrivateEndpointConnectionListGet.json``, PostgreSQL flexible server 2024-08-01
  ``PrivateEndpointConnections_ListByServer``), so every entry lists.

A type that is not in the table fails with a message listing the supported ones, unless the caller gives an
``api_version`` (checked here as ``YYYY-MM-DD`` or ``YYYY-MM-DD-preview``): every Private Link target of ARM
follows the same ``privateEndpointConnections`` / ``privateLinkResources`` child pattern (the generic client of
Azure CLI relies on it), so a user who knows the api-version may use any other type.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ansible_collections.privnet.azure.plugins.module_utils._ids import ResourceId, parse_resource_id

CONNECTIONS = "privateEndpointConnections"
LINK_RESOURCES = "privateLinkResources"
# ARM api-versions: a date, optionally "-preview" (the form of every folder under stable/ and preview/ in the specs).
# Microsoft.Network's api-version for private link services and load balancers (privnet.azure.private_link_service):
# the last stable folder of azure-rest-api-specs with privateLinkService.json and loadBalancer.json as files of their own.
PRIVATE_LINK_SERVICE_API_VERSION = "2024-05-01"
_API_VERSION = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(-preview)?$")


@dataclass(frozen=True)
class TargetType:
    """One kind of Private Link target."""

    type: str  # "Microsoft.Storage/storageAccounts", as Microsoft spells it
    label: str  # "storage account", for messages
    api_version: str
    group_ids: tuple = ()  # documented sub-resources; () when unknown (a type given with api_version)
    service_endpoint: str | None = None  # the subnet service endpoint its VNet rules need, None when it has none
    also_accepted_endpoints: tuple = ()  # other service endpoint names that satisfy its VNet rules
    zones: tuple = ()  # (group id, Private DNS zone in Azure commercial) pairs
    known: bool = True  # False: not in the table, used with a caller's api_version

    @property
    def namespace(self) -> str:
        return self.type.split("/", 1)[0]

    @property
    def resource_type(self) -> str:
        return self.type.split("/", 1)[1]

    @property
    def accepted_service_endpoints(self) -> tuple:
        """Service endpoint names of a subnet that satisfy this type's VNet rules (empty: it has none)."""
        if not self.service_endpoint:
            return ()
        return (self.service_endpoint,) + tuple(self.also_accepted_endpoints)

    def zone_of(self, group_id: str) -> str | None:
        """The documented Private DNS zone (Azure commercial) of a sub-resource, or None."""
        return next((z for g, z in self.zones if g.lower() == str(group_id or "").lower()), None)

    def connections_id(self, target_id: str) -> str:
        """The collection of the target's private endpoint connections."""
        return f"{str(target_id).rstrip('/')}/{CONNECTIONS}"

    def connection_id(self, target_id: str, name: str) -> str:
        return f"{self.connections_id(target_id)}/{name}"

    def link_resources_id(self, target_id: str) -> str:
        """The collection of the target's private link resources (its sub-resources / group ids)."""
        return f"{str(target_id).rstrip('/')}/{LINK_RESOURCES}"


def _zones(**by_group: str) -> tuple:
    return tuple(by_group.items())


# The table. api-versions: the collection's fixed set (each a stable/ folder of azure-rest-api-specs: storage
# 2023-05-01, keyvault 2023-07-01, sql 2023-08-01, cosmos-db 2024-11-15, postgresql flexible 2024-08-01,
# servicebus 2021-11-01, containerregistry 2023-07-01). Group ids and zones: private-endpoint-overview.md and
# private-endpoint-dns.md (see the module docstring).
_TABLE = (
    TargetType(
        "Microsoft.Storage/storageAccounts", "storage account", "2023-05-01",
        group_ids=("blob", "blob_secondary", "table", "table_secondary", "queue", "queue_secondary", "file",
                   "file_secondary", "web", "web_secondary", "dfs", "dfs_secondary"),
        service_endpoint="Microsoft.Storage", also_accepted_endpoints=("Microsoft.Storage.Global",),
        zones=_zones(blob="privatelink.blob.core.windows.net", blob_secondary="privatelink.blob.core.windows.net",
                     table="privatelink.table.core.windows.net", table_secondary="privatelink.table.core.windows.net",
                     queue="privatelink.queue.core.windows.net", queue_secondary="privatelink.queue.core.windows.net",
                     file="privatelink.file.core.windows.net", web="privatelink.web.core.windows.net",
                     web_secondary="privatelink.web.core.windows.net", dfs="privatelink.dfs.core.windows.net",
                     dfs_secondary="privatelink.dfs.core.windows.net")),
    TargetType(
        "Microsoft.KeyVault/vaults", "key vault", "2023-07-01", group_ids=("vault",),
        service_endpoint="Microsoft.KeyVault", zones=_zones(vault="privatelink.vaultcore.azure.net")),
    TargetType(
        "Microsoft.Sql/servers", "SQL server", "2023-08-01", group_ids=("sqlServer",),
        service_endpoint="Microsoft.Sql", zones=_zones(sqlServer="privatelink.database.windows.net")),
    # private-endpoint-overview.md names the type Microsoft.AzureCosmosDB/databaseAccounts; its ARM type (and
    # private-endpoint-dns.md's) is Microsoft.DocumentDB/databaseAccounts. The service endpoint is
    # Microsoft.AzureCosmosDB.
    TargetType(
        "Microsoft.DocumentDB/databaseAccounts", "Cosmos DB account", "2024-11-15",
        group_ids=("Sql", "MongoDB", "Cassandra", "Gremlin", "Table", "Analytical"),
        service_endpoint="Microsoft.AzureCosmosDB",
        zones=_zones(Sql="privatelink.documents.azure.com", MongoDB="privatelink.mongo.cosmos.azure.com",
                     Cassandra="privatelink.cassandra.cosmos.azure.com",
                     Gremlin="privatelink.gremlin.cosmos.azure.com", Table="privatelink.table.cosmos.azure.com",
                     Analytical="privatelink.analytics.cosmos.azure.com")),
    # Flexible servers take no service endpoints (their VNet integration is a delegated subnet, not a VNet rule).
    TargetType(
        "Microsoft.DBforPostgreSQL/flexibleServers", "PostgreSQL flexible server", "2024-08-01",
        group_ids=("postgresqlServer",),
        zones=_zones(postgresqlServer="privatelink.postgres.database.azure.com")),
    TargetType(
        "Microsoft.ServiceBus/namespaces", "Service Bus namespace", "2021-11-01", group_ids=("namespace",),
        service_endpoint="Microsoft.ServiceBus", zones=_zones(namespace="privatelink.servicebus.windows.net")),
    TargetType(
        "Microsoft.ContainerRegistry/registries", "container registry", "2023-07-01", group_ids=("registry",),
        service_endpoint="Microsoft.ContainerRegistry",
        zones=_zones(registry="privatelink.azurecr.io")),
    # A customer's own service (issue 18): a private link service takes no group id, has no private link resources,
    # service endpoint or documented zone; its connections are privateLinkServices/{name}/privateEndpointConnections
    # (azure-rest-api-specs network stable/2024-05-01 privateLinkService.json, PrivateLinkServices_*PrivateEndpoint
    # Connection*; the update is a PUT of the connection with privateLinkServiceConnectionState).
    TargetType(
        "Microsoft.Network/privateLinkServices", "private link service", PRIVATE_LINK_SERVICE_API_VERSION),
)

TARGET_TYPES = {t.type.lower(): t for t in _TABLE}


def supported_types() -> list:
    """The types in the table, as Microsoft spells them."""
    return [t.type for t in _TABLE]


def api_version(value: Any, option: str = "api_version") -> str:
    """Check an ARM api-version (YYYY-MM-DD or YYYY-MM-DD-preview)."""
    text = str(value or "").strip()
    if not _API_VERSION.match(text):
        raise ValueError(f"{option}: {value!r} is not an api-version; write it as YYYY-MM-DD or YYYY-MM-DD-preview, "
                         "as in the target's REST API reference (e.g. 2023-05-01)")
    return text


def lookup(type_name: str) -> TargetType | None:
    """The table's entry for ``Namespace/type`` (case-insensitive), or None."""
    return TARGET_TYPES.get(str(type_name or "").strip().strip("/").lower())


def target_type_of(resource_id: str, api_version_override: str | None = None,
                   option: str = "target_id") -> TargetType:
    """The target type of a resource id (a top-level resource in a resource group).

    ``api_version_override`` (already checked with api_version()) replaces the table's api-version, and lets a
    type that is not in the table through. Raises ValueError naming ``option``.
    """
    rid = parse_target_id(resource_id, option)
    known = lookup(rid.full_type)
    if known is not None:
        if api_version_override and api_version_override != known.api_version:
            return TargetType(known.type, known.label, api_version_override, known.group_ids, known.service_endpoint,
                              known.also_accepted_endpoints, known.zones)
        return known
    if api_version_override:
        return TargetType(f"{rid.provider}/{rid.type}", f"{rid.provider}/{rid.type} resource", api_version_override,
                          known=False)
    raise ValueError(f"{option}: {rid.provider}/{rid.type} is not a Private Link target type this collection knows; "
                     f"supported: {', '.join(supported_types())}. For another type, give api_version (the "
                     "api-version of its privateEndpointConnections API, YYYY-MM-DD[-preview])")


def parse_target_id(value: str | None, option: str = "target_id") -> ResourceId:
    """Parse the id of a Private Link target: a top-level resource in a resource group."""
    rid = parse_resource_id(value, option)
    if rid.children:
        raise ValueError(f"{option}: {value!r} is the id of a {rid.full_type}, a child resource; give the id of the "
                         f"resource itself (/subscriptions/<sub>/resourceGroups/<group>/providers/{rid.provider}/"
                         f"{rid.type}/{rid.name})")
    return rid


def describe(target_type: TargetType, rid: ResourceId) -> str:
    """e.g. "storage account 'stdemo' (resource group 'rg-data')"."""
    return f"{target_type.label} '{rid.name}' (resource group '{rid.resource_group}')"


def service_endpoint_ok(target_type: TargetType, subnet_services: Iterable[str]) -> bool:
    """Whether a subnet whose service endpoints are ``subnet_services`` (names) may be named in the target's
    VNet rules. A type without a service endpoint accepts none."""
    accepted = {s.lower() for s in target_type.accepted_service_endpoints}
    return bool(accepted) and any(str(s or "").lower() in accepted for s in subnet_services or ())
