# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The service side of Private Link for any target type: its private endpoint connections and private link
resources, read and written as ARM wire JSON through ``_arm.ArmResources`` at the api-version of the target's type
(``_targets``).

Every Private Link target follows the same shapes (common-types ``privatelinks.json`` of azure-rest-api-specs:
``PrivateEndpointConnection`` with ``properties.privateEndpoint.id``, ``properties.privateLinkServiceConnectionState``
``{status, description, actionsRequired}`` and ``properties.provisioningState``; ``PrivateLinkResource`` with
``properties.groupId``, ``requiredMembers``, ``requiredZoneNames``). Approving or rejecting is a PUT of the
connection as read with a new connection state (Azure CLI's generic ``az network private-endpoint-connection
approve`` does the same, Azure/azure-cli ``private_link_resource_and_endpoint_connections/resource_providers``);
deleting is a DELETE.

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ansible_collections.privnet.azure.plugins.module_utils._ids import ResourceId, parse_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._targets import TargetType

STATUS = {"approved": "Approved", "rejected": "Rejected"}
STATUSES = ("Approved", "Pending", "Rejected", "Disconnected")
# provisioningState values of a connection that is still being written (ACR: Creating/Updating/Deleting; Key Vault
# and Storage add Accepted/Provisioning in some versions): wait past them. Anything else (Succeeded, Ready,
# Failed, ...) is settled.
TRANSITIONAL_STATES = frozenset(("creating", "updating", "deleting", "accepted", "provisioning"))
_PRIVATE_ENDPOINT_TYPE = "microsoft.network/privateendpoints"
# Storage spells the connection state's third member actionRequired (azure-rest-api-specs Storage 2023-05-01,
# example StorageAccountGetPrivateEndpointConnection.json); common-types and the other services actionsRequired.
ACTION_REQUIRED = "actionRequired"


def check_private_endpoint_id(value: str, option: str = "private_endpoint_id") -> str:
    """A private endpoint's resource id; raises ValueError naming ``option``."""
    rid = parse_resource_id(value, option)
    if rid.children or rid.full_type.lower() != _PRIVATE_ENDPOINT_TYPE:
        raise ValueError(f"{option}: {value!r} is a {rid.full_type} id; expected /subscriptions/<sub>/resourceGroups/"
                         "<group>/providers/Microsoft.Network/privateEndpoints/<endpoint>")
    return value


_CONNECTION_NAME = re.compile(r"^[^/?#]+$")


def check_connection_name(value: str, option: str = "name") -> str:
    """A connection name is one segment of a resource id."""
    text = str(value or "").strip()
    if not _CONNECTION_NAME.match(text):
        raise ValueError(f"{option}: {value!r} is not a private endpoint connection name; give the name as "
                         "private_endpoint_connection_info lists it (one path segment, no '/')")
    return text


def connection_result(wire: dict) -> dict:
    """The documented form of a private endpoint connection (wire JSON in)."""
    props = wire.get("properties") or {}
    state = props.get("privateLinkServiceConnectionState") or {}
    return {
        "id": wire.get("id"),
        "name": wire.get("name"),
        "private_endpoint_id": (props.get("privateEndpoint") or {}).get("id"),
        "status": state.get("status"),
        "description": state.get("description"),
        "actions_required": state.get("actionsRequired", state.get(ACTION_REQUIRED)),
        "provisioning_state": props.get("provisioningState"),
    }


def link_resource_result(wire: dict) -> dict:
    """The documented form of a private link resource (a sub-resource a private endpoint can connect to)."""
    props = wire.get("properties") or {}
    return {
        "id": wire.get("id"),
        "name": wire.get("name"),
        "group_id": props.get("groupId"),
        "required_members": list(props.get("requiredMembers") or []),
        "required_zone_names": list(props.get("requiredZoneNames") or []),
    }


def status_of(wire: dict) -> str:
    return str(connection_result(wire)["status"] or "")


def settled(wire: dict) -> bool:
    return str(connection_result(wire)["provisioning_state"] or "Succeeded").lower() not in TRANSITIONAL_STATES


def with_state(wire: dict, status: str, description: str | None) -> dict:
    """The PUT body that sets a connection's state: the connection as read (read-modify-write, so properties this
    collection does not manage are sent back unchanged), minus the read-only envelope and provisioningState, with
    ``privateLinkServiceConnectionState`` {status, description, actionsRequired (or Storage's actionRequired) as
    read}."""
    props = copy.deepcopy(wire.get("properties") or {})
    props.pop("provisioningState", None)
    state = {"status": status}
    if description is not None:
        state["description"] = description
    read = (wire.get("properties") or {}).get("privateLinkServiceConnectionState") or {}
    for key in ("actionsRequired", ACTION_REQUIRED):  # sent back under the name the service uses
        if read.get(key) is not None:
            state[key] = read[key]
    props["privateLinkServiceConnectionState"] = state
    return {"properties": props}


class Target:
    """One Private Link target: its parsed id, its type, and reads of its connections and link resources."""

    def __init__(self, arm: Any, rid: ResourceId, target_type: TargetType) -> None:
        self.arm = arm
        self.rid = rid
        self.type = target_type
        self.id = str(rid)

    @property
    def label(self) -> str:
        return f"{self.type.label} '{self.rid.name}' (resource group '{self.rid.resource_group}')"

    def read(self, module: Any) -> dict:
        """The target resource (wire JSON); fails, naming target_id and the fix, when it does not exist."""
        found = self.arm.get(self.id, self.type.api_version, what=f"reading {self.label}")
        if found is None:
            module.fail_json(msg=f"target_id: {self.label} was not found in subscription '{self.rid.subscription}'; "
                                 "create it first, or fix target_id. Nothing was changed.")
        return found

    def connections(self) -> list:
        return self.arm.list(self.type.connections_id(self.id), self.type.api_version,
                             what=f"listing the private endpoint connections of {self.label}")

    def connection(self, name: str) -> dict | None:
        return self.arm.get(self.type.connection_id(self.id, name), self.type.api_version,
                            what=f"reading private endpoint connection '{name}' of {self.label}")

    def link_resources(self) -> list:
        return self.arm.list(self.type.link_resources_id(self.id), self.type.api_version,
                             what=f"listing the private link resources of {self.label}")

    def set_state(self, wire: dict, status: str, description: str | None) -> dict | None:
        name = wire["name"]
        return self.arm.put(self.type.connection_id(self.id, name), self.type.api_version,
                            with_state(wire, status, description),
                            what=f"setting private endpoint connection '{name}' of {self.label} to {status}")

    def delete(self, name: str) -> None:
        self.arm.delete(self.type.connection_id(self.id, name), self.type.api_version,
                        what=f"deleting private endpoint connection '{name}' of {self.label}")


def target_from_params(module: Any, option: str = "target_id") -> Target:
    """The Target of the module's ``target_id`` (and ``api_version``) options; fails before any request on a bad
    id, an unknown type without api_version, or a malformed api_version."""
    from ansible_collections.privnet.azure.plugins.module_utils._arm import ArmResources
    from ansible_collections.privnet.azure.plugins.module_utils._targets import (
        api_version,
        parse_target_id,
        target_type_of,
    )

    params = module.params
    version = params.get("api_version")
    if version is not None:
        version = module.validated(api_version, version)
    rid = module.validated(parse_target_id, params[option], option)
    target_type = module.validated(target_type_of, params[option], version, option)
    return Target(ArmResources(module, subscription_id=rid.subscription), rid, target_type)
