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

The selection, planning and waiting of private_endpoint_connection and acr_private_endpoint_connection
(``check_selectors``, ``select``, ``plan``, ``planned``, ``listed``, ``await_connection``) work on any representation
of a connection (wire JSON here, SDK models in the ACR module) through a function that gives its documented form
(``connection_result``).

Private module_utils: an internal API of this collection, it may change at any time.
"""

from __future__ import annotations

import copy
import re
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence, TypeVar

from ansible_collections.privnet.azure.plugins.module_utils._diff import ABSENT, Difference
from ansible_collections.privnet.azure.plugins.module_utils._ids import ResourceId, parse_resource_id, same_id
from ansible_collections.privnet.azure.plugins.module_utils._targets import TargetType

if TYPE_CHECKING:
    from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule

C = TypeVar("C")  # a connection, as the module holds it (wire JSON, or an SDK model)
Result = Callable[[Any], dict]  # a connection -> its documented form (connection_result)

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


def settled_state(provisioning_state: Any) -> bool:
    """Whether a connection's provisioningState is past writing (none reported counts as Succeeded)."""
    return str(provisioning_state or "Succeeded").lower() not in TRANSITIONAL_STATES


def settled(wire: dict) -> bool:
    return settled_state(connection_result(wire)["provisioning_state"])


def with_state(wire: dict, status: str, description: str | None) -> dict:
    """The PUT body that sets a connection's state: the connection as read (read-modify-write, so properties this
    collection does not manage are sent back unchanged), minus the read-only envelope and provisioningState, with
    ``privateLinkServiceConnectionState`` {status, description, actionsRequired (or Storage's actionRequired) as
    read}."""
    props = copy.deepcopy(wire.get("properties") or {})
    props.pop("provisioningState", None)
    read = (wire.get("properties") or {}).get("privateLinkServiceConnectionState") or {}
    # Some services require a description (SQL's spec marks it required): keep the one read when none is given.
    state = {"status": status, "description": description if description is not None else read.get("description", "")}
    for key in ("actionsRequired", ACTION_REQUIRED):  # sent back under the name the service uses
        if read.get(key) is not None:
            state[key] = read[key]
    props["privateLinkServiceConnectionState"] = state
    return {"properties": props}


# ---- selection and planning (private_endpoint_connection, acr_private_endpoint_connection) -------------------

def check_selectors(params: Mapping[str, Any], lister: str = "") -> list[str]:
    """The selectors given (name, private_endpoint_id, all_pending: true), at most one; raises ValueError for two,
    for a ``state`` without any, or for a description without approved / rejected. ``lister`` is added to the
    message that asks for a selector (where to find the names)."""
    state = params["state"]
    # all_pending: false is no selector, so it may sit next to name (templated playbooks).
    selectors = [key for key in ("name", "private_endpoint_id", "all_pending") if params[key]]
    if len(selectors) > 1:
        raise ValueError(f"parameters are mutually exclusive: {' and '.join(selectors)}; choose the connections "
                         "by one of name, private_endpoint_id or all_pending: true")
    if state and not selectors:
        raise ValueError(f"state: {state} needs the connections to act on: give name, private_endpoint_id or "
                         f"all_pending: true{lister}")
    if params["description"] is not None and state not in STATUS:
        raise ValueError("description: only used with state: approved or state: rejected")
    return selectors


def select(module: AzureModule, connections: Sequence[C], result: Result, where: str,
           predicted: Callable[[], None], hint: str = "") -> list[C]:
    """The connections the selectors choose. None chosen: with state absent, none (already gone, and running the
    task again stays green); in check mode with private_endpoint_id, ``predicted()`` first (it exits when the
    endpoint is only predicted); else the task fails, listing the connections of ``where`` (and ``hint``)."""
    params = module.params
    if params["all_pending"]:
        return [c for c in connections if str(result(c)["status"] or "").lower() == "pending"]
    if params["name"]:
        chosen = [c for c in connections if str(result(c)["name"]).lower() == params["name"].lower()]
        wanted = f"private endpoint connection '{params['name']}'"
    else:
        chosen = [c for c in connections
                  if same_id(result(c)["private_endpoint_id"], params["private_endpoint_id"])]
        wanted = f"a private endpoint connection from private endpoint '{params['private_endpoint_id']}'"
    if chosen or params["state"] == "absent":
        return chosen  # absent and not found: already gone, and running the task again stays green
    if params["private_endpoint_id"] and params["state"] in STATUS and module.check_mode:
        predicted()
    existing = ", ".join(f"{result(c)['name']} ({result(c)['status'] or 'no status'})" for c in connections) or "none"
    module.fail_json(msg=f"{wanted} was not found on {where}; its connections: {existing}.{hint} Nothing was "
                         "changed.")


def unknown_endpoint(module: AzureModule, where: str) -> Optional[ResourceId]:
    """Check mode, no connection from the private_endpoint_id: when the endpoint does not exist either, an earlier
    task of the same check-mode run only predicted it, and the real run will find the connection it requests. Then
    warns and returns the endpoint's id (the module reports the change); None when the endpoint exists (the task
    fails as in a real run)."""
    from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API

    rid = parse_resource_id(module.params["private_endpoint_id"], "private_endpoint_id")
    endpoint = module.arm(rid.subscription).get(str(rid), NETWORK_API, what=f"reading private endpoint '{rid.name}'")
    if endpoint is not None:
        return None
    module.warn(f"private endpoint '{rid.name}' does not exist yet (check mode): its connection to {where} is "
                "assumed to be requested by then")
    return rid


def plan(chosen: Sequence[C], result: Result, state: str, description: Optional[str]) -> list[tuple[C, Optional[str]]]:
    """(connection, status) pairs that need a write; status None means delete. Raises ValueError, before any
    write, for a connection that cannot take the requested status."""
    changes: list[tuple[C, Optional[str]]] = []
    for connection in chosen:
        current = result(connection)
        if state == "absent":
            changes.append((connection, None))
            continue
        status = STATUS[state]
        if str(current["status"]).lower() == "disconnected":
            raise ValueError(f"private endpoint connection '{current['name']}' is Disconnected (its private "
                             f"endpoint was deleted) and cannot be {state}; delete it with state: absent. "
                             "Nothing was changed.")
        # "Connections previously denied can't be approved. You must remove the connection and create a new
        # one." (Microsoft Learn, private-link/manage-private-endpoint.md)
        if str(current["status"]).lower() == "rejected" and status == "Approved":
            raise ValueError(f"private endpoint connection '{current['name']}' was Rejected and cannot be approved "
                             "again (Azure refuses it): delete it with state: absent and re-create the private "
                             "endpoint (privnet.azure.private_endpoint with replace: true), then approve the new "
                             "connection. Nothing was changed.")
        if str(current["status"]).lower() != status.lower() or (
                description is not None and description != current["description"]):
            changes.append((connection, status))
    return changes


def planned(changes: Sequence[tuple[C, Optional[str]]], result: Result,
            description: Optional[str]) -> dict[str, Optional[dict]]:
    """What each connection to write becomes, by name: its documented form with the new status and description
    (the status when none is given), or None when it is deleted."""
    return {result(connection)["name"]: None if status is None else dict(
        result(connection), status=status, description=description if description is not None else status)
        for connection, status in changes}


def difference(chosen: Sequence[C], result: Result, targets: Mapping[str, Optional[dict]]) -> Difference:
    """Status and description of each chosen connection, before and after (a deleted one absent after)."""
    diff = Difference()
    for connection in chosen:
        current = result(connection)
        now = targets.get(current["name"], current)
        diff.add(current["name"], view(current), ABSENT if now is None else view(now),
                 changed=current["name"] in targets)
    return diff


def predicted_difference(endpoint_name: str, status: str, description: Optional[str]) -> Difference:
    """Check mode, the connection of an endpoint an earlier task only predicted: it will be set to ``status``."""
    diff = Difference()
    diff.add(endpoint_name, ABSENT, {"status": status, "description": description})
    return diff


def listed(connections: Sequence[C], result: Result, targets: Mapping[str, Optional[dict]]) -> list[dict]:
    """Every connection as it is now (or would be): the written ones as ``targets`` has them, deleted ones left
    out."""
    results = []
    for connection in connections:
        current = result(connection)
        if current["name"] not in targets:
            results.append(current)
        elif (written := targets[current["name"]]) is not None:
            results.append(written)
    return results


def await_connection(module: AzureModule, read: Callable[[], Optional[C]], result: Result, status: Optional[str],
                     description: Optional[str], what: str, deadline: float) -> Optional[dict]:
    """After a write of ``what``: re-read (``read()``, None once gone) until Azure shows it deleted (``status``
    None; returns None) or in ``status`` (and ``description``, unless None) and settled; returns its documented
    form then. Some services answer the PUT (and even its operation) with the old state, hence the reads."""
    if status is None:
        module.wait_until(read, lambda found: found is None, f"the deletion of {what}", deadline)
        return None

    def reached(found: Optional[C]) -> bool:
        if found is None:
            return True
        current = result(found)
        return (str(current["status"] or "").lower() == status.lower()
                and (description is None or current["description"] == description)
                and settled_state(current["provisioning_state"]))

    final = module.wait_until(read, reached, f"{what} to become {status}", deadline)
    if final is None:
        module.fail_json(msg=f"{what} disappeared while it was being set to {status}")
    return result(final)


def view(result: Mapping[str, Any]) -> dict:
    """A connection in the diff."""
    return {"status": result["status"], "description": result["description"]}


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
