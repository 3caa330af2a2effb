# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Azure Container Registry: read a registry, refuse what its SKU cannot do, shape results.

Private Link, network rules, dedicated data endpoints and geo-replication are Premium-only;
require_premium() says so, naming the SKU and the fix, before a module writes anything.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ansible_collections.privnet.azure.plugins.module_utils._sdk import text
from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._sdkcompat import read_kwargs, sdk_model
from ansible_collections.privnet.azure.plugins.module_utils._validate import Refused

if TYPE_CHECKING:
    from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule

CONTAINER_REGISTRY = "Microsoft.ContainerRegistry"
CONTAINER_REGISTRY_SDK = "azure.mgmt.containerregistry"


def region(value: Any) -> str:
    """ARM's canonical form of a location: "East US" -> "eastus"."""
    return str(value or "").replace(" ", "").lower()


def describe(resource_group: str, name: str) -> str:
    return f"container registry '{name}' (resource group '{resource_group}')"


def get_registry(module: AzureModule, resource_group: str, name: str) -> Any:
    """The Registry model. Raises ValueError naming the registry when it does not exist
    (``module.validated(get_registry, module, resource_group, name)``)."""
    client = module.client("containerregistry")
    # With an msrest-style SDK (azure-mgmt-containerregistry < 15) the response's JSON is kept beside the
    # model (_sdkcompat.wire): its API version may not declare all of a registry's network rules.
    registry = module.get_or_none(client.registries.get, resource_group, name,
                                  what=f"reading {describe(resource_group, name)}",
                                  **read_kwargs(sdk_model(CONTAINER_REGISTRY_SDK, "Registry")))
    if registry is None:
        raise ValueError(f"{describe(resource_group, name)} was not found in subscription "
                         f"'{module.subscription_id}'; create it first, or fix name and resource_group")
    return registry


def sku_name(registry: Any) -> str:
    sku = getattr(registry, "sku", None)
    return text(getattr(sku, "name", None)) or "unknown"


def require_premium(registry: Any, feature: str) -> None:
    """Raise, before any write, unless the registry is on the Premium SKU (a _validate.Refused that
    puts ``sku`` in the failure result: ``module.validated(require_premium, registry, feature)``).

    ``feature`` completes "<feature> need(s) the Premium SKU", e.g. "network rules".
    """
    sku = sku_name(registry)
    if sku.lower() != "premium":
        raise Refused(
            f"container registry '{registry.name}' is on the {sku} SKU: {feature} need the Premium SKU. "
            f"Nothing was changed. Upgrade the registry to Premium first (az acr update --name {registry.name} "
            "--sku Premium, or sku: Premium in the task that manages the registry), then run this task again.",
            sku=sku)


def list_replicas(module: AzureModule, resource_group: str, name: str, home: Any) -> list[str]:
    """Regions of the registry's geo-replicas, sorted, the home region left out (Azure lists the
    home region as a replication too)."""
    client = module.client("containerregistry")
    replications = module.call(lambda: list(client.replications.list(resource_group, name)),
                               what=f"listing the replications of {describe(resource_group, name)}")
    return sorted({region(r.location) for r in replications} - {region(home)})


def list_connections(module: AzureModule, resource_group: str, name: str) -> list[Any]:
    """The registry's private endpoint connection models."""
    client = module.client("containerregistry")
    return module.call(lambda: list(client.private_endpoint_connections.list(resource_group, name)),
                       what=f"listing the private endpoint connections of {describe(resource_group, name)}")


def get_connection(module: AzureModule, resource_group: str, registry: str, connection: str) -> Any:
    """One private endpoint connection model, or None when it does not exist (any more)."""
    client = module.client("containerregistry")
    return module.get_or_none(client.private_endpoint_connections.get, resource_group, registry, connection,
                              what=f"reading private endpoint connection '{connection}' of "
                                   f"{describe(resource_group, registry)}")


def connection_result(connection: Any) -> dict[str, Any]:
    """The documented form of a private endpoint connection."""
    state = getattr(connection, "private_link_service_connection_state", None)
    endpoint = getattr(connection, "private_endpoint", None)
    return {
        "name": connection.name,
        "id": connection.id,
        "private_endpoint_id": getattr(endpoint, "id", None),
        "status": text(getattr(state, "status", None)),
        "description": getattr(state, "description", None),
        "actions_required": text(getattr(state, "actions_required", None)),
        "provisioning_state": text(getattr(connection, "provisioning_state", None)),
    }


def connection_summary(connection: Any) -> dict[str, Any]:
    """The short form kept in a registry's result."""
    full = connection_result(connection)
    return {key: full[key] for key in ("name", "private_endpoint_id", "status", "description")}


def ip_rule_values(network_rule_set: Any) -> list[str]:
    """The IP rule values (addresses or CIDR ranges) of a network rule set, as Azure holds them."""
    rules = getattr(network_rule_set, "ip_rules", None) or []
    return [rule.ip_address_or_range for rule in rules]


def data_endpoint_host_names(registry: Any, replicas: Iterable[str]) -> list[str]:
    """Azure's list of data endpoint host names when it gives one; otherwise the names the
    private endpoints serve, one per region: <registry>.<region>.data.<login server suffix>."""
    reported = list(getattr(registry, "data_endpoint_host_names", None) or [])
    if reported:
        return reported
    login_server = (getattr(registry, "login_server", None) or "").lower()
    if "." not in login_server:
        return []
    name, suffix = login_server.split(".", 1)
    regions = [region(registry.location)] + [r for r in replicas if r != region(registry.location)]
    return [f"{name}.{r}.data.{suffix}" for r in regions]


def registry_result(registry: Any, replicas: Iterable[str]) -> dict[str, Any]:
    """The documented ``registry`` return value of acr_network."""
    rules = getattr(registry, "network_rule_set", None)
    return {
        "id": registry.id,
        "name": registry.name,
        "resource_group": parse_resource_id(registry.id).resource_group if registry.id else None,
        "location": region(registry.location),
        "login_server": getattr(registry, "login_server", None),
        "sku": sku_name(registry),
        "public_network_access": text(getattr(registry, "public_network_access", None)),
        "default_action": text(getattr(rules, "default_action", None)),
        "ip_rules": ip_rule_values(rules),
        "network_rule_bypass": text(getattr(registry, "network_rule_bypass_options", None)),
        "data_endpoint_enabled": getattr(registry, "data_endpoint_enabled", None),
        "data_endpoint_host_names": data_endpoint_host_names(registry, replicas),
        "replicas": list(replicas),
        "private_endpoint_connections": [connection_summary(c)
                                         for c in getattr(registry, "private_endpoint_connections", None) or []],
        "provisioning_state": text(getattr(registry, "provisioning_state", None)),
    }
