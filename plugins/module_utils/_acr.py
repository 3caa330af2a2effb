# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Azure Container Registry: read a registry, refuse what its SKU cannot do, shape results.

Private Link, network rules, dedicated data endpoints and geo-replication are Premium-only;
require_premium() says so, naming the SKU and the fix, before a module writes anything. Registries and their
connections are Azure's JSON, read and written through AzureModule.arm() at _armjson.CONTAINER_REGISTRY_API.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Optional

from ansible_collections.privnet.azure.plugins.module_utils._armjson import CONTAINER_REGISTRY_API, properties, ref
from ansible_collections.privnet.azure.plugins.module_utils._ids import ResourceId, parse_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._validate import Refused

if TYPE_CHECKING:
    from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule

CONTAINER_REGISTRY = "Microsoft.ContainerRegistry"
CONNECTIONS = "privateEndpointConnections"


def region(value: Any) -> str:
    """ARM's canonical form of a location: "East US" -> "eastus"."""
    return str(value or "").replace(" ", "").lower()


def describe(resource_group: str, name: str) -> str:
    return f"container registry '{name}' (resource group '{resource_group}')"


def registry_id(module: AzureModule, resource_group: str, name: str) -> str:
    return str(ResourceId(module.subscription_id, resource_group, CONTAINER_REGISTRY, "registries", name))


def get_registry(module: AzureModule, resource_group: str, name: str) -> Any:
    """The registry (Azure's JSON, as its API version answers it: a legacy ``virtualNetworkRules`` of its network
    rule set is kept). Raises ValueError naming the registry when it does not exist
    (``module.validated(get_registry, module, resource_group, name)``)."""
    registry = module.arm().get(registry_id(module, resource_group, name), CONTAINER_REGISTRY_API,
                                what=f"reading {describe(resource_group, name)}")
    if registry is None:
        raise ValueError(f"{describe(resource_group, name)} was not found in subscription "
                         f"'{module.subscription_id}'; create it first, or fix name and resource_group")
    return registry


def sku_name(registry: Any) -> str:
    return (registry.get("sku") or {}).get("name") or "unknown"


def require_premium(registry: Any, feature: str) -> None:
    """Raise, before any write, unless the registry is on the Premium SKU (a _validate.Refused that
    puts ``sku`` in the failure result: ``module.validated(require_premium, registry, feature)``).

    ``feature`` completes "<feature> need(s) the Premium SKU", e.g. "network rules".
    """
    sku = sku_name(registry)
    name = registry.get("name")
    if sku.lower() != "premium":
        raise Refused(
            f"container registry '{name}' is on the {sku} SKU: {feature} need the Premium SKU. "
            f"Nothing was changed. Upgrade the registry to Premium first (az acr update --name {name} "
            "--sku Premium, or sku: Premium in the task that manages the registry), then run this task again.",
            sku=sku)


def list_replicas(module: AzureModule, resource_group: str, name: str, home: Any) -> list[str]:
    """Regions of the registry's geo-replicas, sorted, the home region left out (Azure lists the
    home region as a replication too)."""
    replications = module.arm().list(f"{registry_id(module, resource_group, name)}/replications",
                                     CONTAINER_REGISTRY_API,
                                     what=f"listing the replications of {describe(resource_group, name)}")
    return sorted({region(r.get("location")) for r in replications} - {region(home)})


def list_connections(module: AzureModule, resource_group: str, name: str) -> list[Any]:
    """The registry's private endpoint connections (Azure's JSON)."""
    return module.arm().list(f"{registry_id(module, resource_group, name)}/{CONNECTIONS}", CONTAINER_REGISTRY_API,
                             what=f"listing the private endpoint connections of {describe(resource_group, name)}")


def connection_id(module: AzureModule, resource_group: str, registry: str, connection: str) -> str:
    return f"{registry_id(module, resource_group, registry)}/{CONNECTIONS}/{connection}"


def get_connection(module: AzureModule, resource_group: str, registry: str, connection: str) -> Any:
    """One private endpoint connection, or None when it does not exist (any more)."""
    return module.arm().get(connection_id(module, resource_group, registry, connection), CONTAINER_REGISTRY_API,
                            what=f"reading private endpoint connection '{connection}' of "
                                 f"{describe(resource_group, registry)}")


def connection_result(connection: Any) -> dict[str, Any]:
    """The documented form of a private endpoint connection."""
    props = properties(connection)
    state = props.get("privateLinkServiceConnectionState") or {}
    return {
        "name": connection.get("name"),
        "id": connection.get("id"),
        "private_endpoint_id": ref(props.get("privateEndpoint")),
        "status": state.get("status"),
        "description": state.get("description"),
        "actions_required": state.get("actionsRequired"),
        "provisioning_state": props.get("provisioningState"),
    }


def connection_summary(connection: Any) -> dict[str, Any]:
    """The short form kept in a registry's result."""
    full = connection_result(connection)
    return {key: full[key] for key in ("name", "private_endpoint_id", "status", "description")}


def network_rule_set(registry: Any) -> dict:
    """The registry's network rule set ({} when it has none)."""
    return properties(registry).get("networkRuleSet") or {}


def ip_rule_values(rules: Optional[dict]) -> list[str]:
    """The IP rule values (addresses or CIDR ranges) of a network rule set, as Azure holds them."""
    return [rule.get("value") for rule in (rules or {}).get("ipRules") or []]


def data_endpoint_host_names(registry: Any, replicas: Iterable[str]) -> list[str]:
    """Azure's list of data endpoint host names when it gives one; otherwise the names the
    private endpoints serve, one per region: <registry>.<region>.data.<login server suffix>."""
    props = properties(registry)
    reported = list(props.get("dataEndpointHostNames") or [])
    if reported:
        return reported
    login_server = (props.get("loginServer") or "").lower()
    if "." not in login_server:
        return []
    name, suffix = login_server.split(".", 1)
    home = region(registry.get("location"))
    regions = [home] + [r for r in replicas if r != home]
    return [f"{name}.{r}.data.{suffix}" for r in regions]


def registry_result(registry: Any, replicas: Iterable[str]) -> dict[str, Any]:
    """The documented ``registry`` return value of acr_network."""
    props = properties(registry)
    rules = props.get("networkRuleSet")
    return {
        "id": registry.get("id"),
        "name": registry.get("name"),
        "resource_group": parse_resource_id(registry["id"]).resource_group if registry.get("id") else None,
        "location": region(registry.get("location")),
        "login_server": props.get("loginServer"),
        "sku": sku_name(registry),
        "public_network_access": props.get("publicNetworkAccess"),
        "default_action": (rules or {}).get("defaultAction"),
        "ip_rules": ip_rule_values(rules),
        "network_rule_bypass": props.get("networkRuleBypassOptions"),
        "data_endpoint_enabled": props.get("dataEndpointEnabled"),
        "data_endpoint_host_names": data_endpoint_host_names(registry, replicas),
        "replicas": list(replicas),
        "private_endpoint_connections": [connection_summary(c) for c in props.get(CONNECTIONS) or []],
        "provisioning_state": props.get("provisioningState"),
    }
