#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: acr_private_endpoint_connection
short_description: List, approve, reject or delete the private endpoint connections of a container registry
version_added: 0.1.0
description:
  - Manages the registry side of Private Link for an Azure Container Registry
    (C(az acr private-endpoint-connection list/show/approve/reject/delete)).
  - A private endpoint created without rights on the registry, or with a manual connection request,
    stays V(Pending) until the registry approves it. Adding a geo-replica to the registry sets its
    connections back to V(Pending) too; O(all_pending=true) approves them all in one task.
  - Choose the connections by O(name), by O(private_endpoint_id) or with O(all_pending=true), and say
    what they should be with O(state). The module waits until Azure shows the new state.
  - A connection already in the requested state is left alone (no write). A connection named by
    O(name) or O(private_endpoint_id) that does not exist fails the task, listing the registry's
    connections, before anything is written; with O(state=absent) it is already gone, so nothing
    changes. In check mode, a O(private_endpoint_id) whose endpoint does not exist yet (an earlier task
    only predicted it) reports the change with a warning instead.
  - Without O(state) the module changes nothing and only reports the connections (all of them, and
    which ones the selectors chose).
author:
  - privnet maintainers (!UNKNOWN)
options:
  registry:
    description:
      - Name of the container registry.
    type: str
    required: true
  resource_group:
    description:
      - Resource group of the container registry.
    type: str
    required: true
  name:
    description:
      - Name of the connection, as the registry lists it (C(<registry>.<id>)).
      - Mutually exclusive with O(private_endpoint_id) and O(all_pending).
    type: str
  private_endpoint_id:
    description:
      - Resource id of the private endpoint whose connection to choose; its connection name does not
        need to be known. The endpoint may be in another subscription or tenant.
      - Mutually exclusive with O(name) and O(all_pending).
    type: str
  all_pending:
    description:
      - Choose every connection whose status is V(Pending), for example after a geo-replica was added.
      - None pending is not an error; nothing changes.
      - Mutually exclusive with O(name) and O(private_endpoint_id).
    type: bool
    default: false
  state:
    description:
      - V(approved) or V(rejected) sets the status of the chosen connections; V(absent) deletes them
        (the private endpoint stays, its connection shows V(Disconnected)).
      - Needs O(name), O(private_endpoint_id) or O(all_pending=true).
      - When not given, nothing changes and the connections are only reported.
    type: str
    choices: [approved, rejected, absent]
  description:
    description:
      - The reason recorded with the status, shown on the private endpoint's side.
      - Compared only when given. When not given and the status changes, V(Approved) or V(Rejected).
      - Only with O(state=approved) or O(state=rejected).
    type: str
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.wait
  - privnet.azure.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details:
      - The diff shows status and description of each chosen connection, before and after; a deleted
        connection is absent from C(after).
  idempotent:
    support: full
notes:
  - A connection whose private endpoint was deleted shows V(Disconnected); it cannot be approved or
    rejected any more, only deleted (O(state=absent)). The module refuses, before any write, to
    approve or reject it.
  - A V(Rejected) connection cannot be approved again (Microsoft Learn, "Manage Azure private endpoints"); the
    module refuses, before any write, and says to delete it and re-create the private endpoint.
  - Private endpoints are a Premium feature; a Basic or Standard registry has no connections.
seealso:
  - module: privnet.azure.acr_network
  - name: Manage private endpoint connections of a registry
    description: The approval workflow and what adding a replica does to connections.
    link: https://learn.microsoft.com/azure/container-registry/container-registry-private-link
"""

EXAMPLES = r"""
- name: Approve the connection of our private endpoint
  privnet.azure.acr_private_endpoint_connection:
    resource_group: rg-acr
    registry: acrprivnetdemo
    private_endpoint_id: "{{ pe.private_endpoint.id }}"
    state: approved
    description: Approved for the app VNet (CHG-1234)

- name: After adding a geo-replica, approve every connection it set back to Pending
  privnet.azure.acr_private_endpoint_connection:
    resource_group: rg-acr
    registry: acrprivnetdemo
    all_pending: true
    state: approved

- name: Reject a connection request from an unknown endpoint
  privnet.azure.acr_private_endpoint_connection:
    resource_group: rg-acr
    registry: acrprivnetdemo
    name: acrprivnetdemo.6f1c2b8a3d4e4f5a9b0c1d2e3f4a5b6c
    state: rejected
    description: Not a known workload

- name: Delete the connection of an endpoint that was removed
  privnet.azure.acr_private_endpoint_connection:
    resource_group: rg-acr
    registry: acrprivnetdemo
    name: acrprivnetdemo.6f1c2b8a3d4e4f5a9b0c1d2e3f4a5b6c
    state: absent

- name: List the connections
  privnet.azure.acr_private_endpoint_connection:
    resource_group: rg-acr
    registry: acrprivnetdemo
  register: acr_connections
"""

RETURN = r"""
connections:
  description:
    - Every private endpoint connection of the registry, after the change; in check mode, as they
      would be.
    - With O(wait=false), the chosen connections as requested, before Azure finished applying it.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Name of the connection.
      type: str
      returned: always
      sample: acrprivnetdemo.6f1c2b8a3d4e4f5a9b0c1d2e3f4a5b6c
    id:
      description: Resource id of the connection.
      type: str
      returned: always
      sample: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/\
        registries/acrprivnetdemo/privateEndpointConnections/acrprivnetdemo.6f1c2b8a3d4e4f5a9b0c1d2e3f4a5b6c"
    private_endpoint_id:
      description: Resource id of the private endpoint.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints/pe-acr
    status:
      description: V(Pending), V(Approved), V(Rejected) or V(Disconnected).
      type: str
      returned: always
      sample: Approved
    description:
      description: The reason recorded with the status.
      type: str
      returned: always
      sample: Approved for the app VNet (CHG-1234)
    actions_required:
      description: Whether the endpoint's owner must act, V(None) or V(Recreate).
      type: str
      returned: always
      sample: None
    provisioning_state:
      description: Provisioning state of the connection.
      type: str
      returned: always
      sample: Succeeded
selected:
  description: Names of the connections the selectors chose (all of them were acted on when O(state) was given).
  returned: success
  type: list
  elements: str
  sample: ["acrprivnetdemo.6f1c2b8a3d4e4f5a9b0c1d2e3f4a5b6c"]
"""

from ansible_collections.privnet.azure.plugins.module_utils._acr import (
    connection_id,
    connection_result,
    describe,
    get_connection,
    get_registry,
    list_connections,
    sku_name,
)
from ansible_collections.privnet.azure.plugins.module_utils._armjson import CONTAINER_REGISTRY_API
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._connections import (
    STATUS,
    await_connection,
    check_private_endpoint_id,
    check_selectors,
    difference,
    listed,
    plan,
    planned,
    predicted_difference,
    select,
    unknown_endpoint,
)
from ansible_collections.privnet.azure.plugins.module_utils._validate import name as valid_name

ARGUMENT_SPEC = dict(
    registry=dict(type="str", required=True),
    resource_group=dict(type="str", required=True),
    name=dict(type="str"),
    private_endpoint_id=dict(type="str"),
    all_pending=dict(type="bool", default=False),
    state=dict(type="str", choices=["approved", "rejected", "absent"]),
    description=dict(type="str"),
)


def not_premium(registry):
    """Why a registry may have no connection at all: private endpoints need Premium."""
    if sku_name(registry).lower() == "premium":
        return ""
    return (f" The registry is on the {sku_name(registry)} SKU; private endpoints need Premium "
            f"(az acr update --name {registry.get('name')} --sku Premium).")


def predicted_request(module, connections):
    """Check mode, no connection from an endpoint that does not exist either (only predicted by an earlier task):
    report the change."""
    params = module.params
    rid = unknown_endpoint(module, describe(params["resource_group"], params["registry"]))
    if rid is None:
        return
    module.exit(changed=True, diff=predicted_difference(rid.name, STATUS[params["state"]], params["description"]),
                connections=[connection_result(c) for c in connections], selected=[])


def apply(module, connection, status, description, deadline):
    """Send one change and, with wait, re-read until Azure shows it; return the connection's new
    result dict (None once deleted)."""
    params = module.params
    resource_group, registry = params["resource_group"], params["registry"]
    name = connection["name"]
    what = f"private endpoint connection '{name}' of {describe(resource_group, registry)}"
    current = connection_result(connection)
    resource_id = connection_id(module, resource_group, registry, name)
    if status is None:
        module.arm().delete(resource_id, CONTAINER_REGISTRY_API, what=f"deleting {what}")
    else:
        state = {"status": status, "actionsRequired": current["actions_required"] or "None"}
        if description is not None:
            state["description"] = description
        body = {"properties": {"privateEndpoint": {"id": current["private_endpoint_id"]},
                               "privateLinkServiceConnectionState": state}}
        module.arm().put(resource_id, CONTAINER_REGISTRY_API, body, what=f"setting {what} to {status}")
    if not module.wait:
        return None if status is None else dict(current, status=status, description=description)
    # The PUT's first answer still shows the old status; wait until a read shows the new one (its status: the
    # description is not compared).
    return await_connection(module, lambda: get_connection(module, resource_group, registry, name),
                            connection_result, status, None, what, deadline)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True)
    params = module.params
    state = params["state"]

    # 1. Parse and validate, before any call to Azure.
    module.validated(valid_name, "registry", params["registry"], "registry")
    module.validated(valid_name, "resource_group", params["resource_group"], "resource_group")
    if params["private_endpoint_id"] is not None:
        module.validated(check_private_endpoint_id, params["private_endpoint_id"])
    selector = bool(module.validated(check_selectors, params))

    # 2. Read the current state.
    registry = module.validated(get_registry, module, params["resource_group"], params["registry"])
    connections = list_connections(module, params["resource_group"], params["registry"])
    chosen = select(module, connections, connection_result, describe(params["resource_group"], params["registry"]),
                    lambda: predicted_request(module, connections), not_premium(registry)) if selector else []

    # 3. Compare: which chosen connections need a write.
    changes = module.validated(plan, chosen, connection_result, state, params["description"]) if state else []
    targets = planned(changes, connection_result, params["description"])

    # 4. Apply, one connection after the other, waiting for each (not in check mode).
    if changes and not module.check_mode:
        deadline = module.deadline()
        for connection, status in changes:
            targets[connection["name"]] = apply(module, connection, status,
                                                targets[connection["name"]]["description"] if status else None,
                                                deadline)

    # 5. Return every connection, as it is now (or would be).
    module.exit(changed=bool(changes), diff=difference(chosen, connection_result, targets) if state else None,
                connections=listed(connections, connection_result, targets), selected=[c["name"] for c in chosen])


if __name__ == "__main__":
    main()
