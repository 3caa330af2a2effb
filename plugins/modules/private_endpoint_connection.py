#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: private_endpoint_connection
short_description: Approve, reject or delete the private endpoint connections of any Private Link target
version_added: 0.1.0
description:
  - Manages the service side of Private Link for any target type, such as a storage account, key vault, SQL
    server, Cosmos DB account, PostgreSQL flexible server, Service Bus namespace or container registry
    (C(az network private-endpoint-connection approve/reject/delete)).
  - A private endpoint created without rights on the target, or with a manual connection request, stays
    V(Pending) until the target's owner approves it.
  - Choose the connections by O(name), by O(private_endpoint_id) or with O(all_pending=true), and say what they
    should be with O(state). The module waits until Azure shows the new state.
  - Approving or rejecting sends the connection back as it was read, with the new status, description and the
    C(actionsRequired) it had, so every other property of the connection is kept.
  - A connection already in the requested state is left alone (no write). A connection named by O(name) or
    O(private_endpoint_id) that does not exist fails the task, listing the target's connections, before anything
    is written; with O(state=absent) it is already gone, so nothing changes. In check mode, a
    O(private_endpoint_id) whose endpoint does not exist yet (an earlier task only predicted it) reports the
    change with a warning instead.
author:
  - privnet maintainers (!UNKNOWN)
options:
  target_id:
    description:
      - Resource id of the Private Link target,
        C(/subscriptions/<sub>/resourceGroups/<group>/providers/<Namespace>/<type>/<name>).
      - The target may be in another subscription than O(subscription_id).
      - Known types are C(Microsoft.Storage/storageAccounts), C(Microsoft.KeyVault/vaults), C(Microsoft.Sql/servers),
        C(Microsoft.DocumentDB/databaseAccounts), C(Microsoft.DBforPostgreSQL/flexibleServers),
        C(Microsoft.ServiceBus/namespaces), C(Microsoft.ContainerRegistry/registries) and
        C(Microsoft.Network/privateLinkServices) (your own service, see M(privnet.azure.private_link_service)). Any
        other type needs O(api_version).
    type: str
    required: true
  name:
    description:
      - Name of the connection, as M(privnet.azure.private_endpoint_connection_info) lists it.
      - Mutually exclusive with O(private_endpoint_id) and O(all_pending).
    type: str
  private_endpoint_id:
    description:
      - Resource id of the private endpoint whose connection to choose; its connection name does not need to be
        known. The endpoint may be in another subscription or tenant.
      - Mutually exclusive with O(name) and O(all_pending).
    type: str
  all_pending:
    description:
      - Choose every connection whose status is V(Pending).
      - None pending is not an error; nothing changes.
      - Mutually exclusive with O(name) and O(private_endpoint_id).
    type: bool
    default: false
  state:
    description:
      - V(approved) or V(rejected) sets the status of the chosen connections; V(absent) deletes them (the private
        endpoint stays, its connection shows V(Disconnected)).
    type: str
    choices: [approved, rejected, absent]
    required: true
  description:
    description:
      - The reason recorded with the status, shown on the private endpoint's side.
      - Compared only when given. When not given and the status changes, V(Approved) or V(Rejected).
      - Only with O(state=approved) or O(state=rejected).
    type: str
  api_version:
    description:
      - The api-version of the target's REST API to manage its connections with, V(YYYY-MM-DD) or
        V(YYYY-MM-DD-preview).
      - Needed for a type not listed under O(target_id); for a listed type it replaces the collection's
        api-version.
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
      - The diff shows status and description of each chosen connection, before and after; a deleted connection
        is absent from C(after).
  idempotent:
    support: full
notes:
  - A connection whose private endpoint was deleted shows V(Disconnected); it cannot be approved or rejected any
    more, only deleted (O(state=absent)). The module refuses, before any write, to approve or reject it.
  - A V(Rejected) connection cannot be approved again (Microsoft Learn, "Manage Azure private endpoints"); the
    module refuses, before any write, and says to delete it and re-create the private endpoint.
seealso:
  - module: privnet.azure.private_endpoint_connection_info
  - module: privnet.azure.private_endpoint
  - module: privnet.azure.acr_private_endpoint_connection
  - name: Manage Azure private endpoints
    description: The connection approval workflow.
    link: https://learn.microsoft.com/azure/private-link/manage-private-endpoint
"""

EXAMPLES = r"""
- name: Approve the connection of our private endpoint to a storage account
  privnet.azure.private_endpoint_connection:
    target_id: "{{ storage_account_id }}"
    private_endpoint_id: "{{ pe.private_endpoint.id }}"
    state: approved
    description: Approved for the app VNet (CHG-1234)

- name: Approve every pending connection of a key vault
  privnet.azure.private_endpoint_connection:
    target_id: /subscriptions/{{ subscription_id }}/resourceGroups/rg-sec/providers/Microsoft.KeyVault/vaults/kv-privnet-demo
    all_pending: true
    state: approved

- name: Reject a connection request from an unknown endpoint
  privnet.azure.private_endpoint_connection:
    target_id: "{{ sql_server_id }}"
    name: pe-unknown.6f1c2b8a-3d4e-4f5a-9b0c-1d2e3f4a5b6c
    state: rejected
    description: Not a known workload

- name: Delete the connection of an endpoint that was removed
  privnet.azure.private_endpoint_connection:
    target_id: "{{ storage_account_id }}"
    name: pe-old.0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
    state: absent
"""

RETURN = r"""
target_type:
  description: The type of the target, C(<Namespace>/<type>).
  returned: success
  type: str
  sample: Microsoft.Storage/storageAccounts
connections:
  description:
    - Every private endpoint connection of the target, after the change; in check mode, as they would be.
    - With O(wait=false), the chosen connections as requested, before Azure finished applying it.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Resource id of the connection.
      type: str
      returned: always
      sample: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-data/providers/Microsoft.Storage/\
        storageAccounts/stprivnetdemo/privateEndpointConnections/stprivnetdemo.6f1c2b8a-3d4e-4f5a-9b0c-1d2e3f4a5b6c"
    name:
      description: Name of the connection.
      type: str
      returned: always
      sample: stprivnetdemo.6f1c2b8a-3d4e-4f5a-9b0c-1d2e3f4a5b6c
    private_endpoint_id:
      description: Resource id of the private endpoint.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints/pe-st
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
      description: Whether the endpoint's owner must act, as the target reports it (for example V(None)).
      type: str
      returned: always
      sample: None
    provisioning_state:
      description: Provisioning state of the connection.
      type: str
      returned: always
      sample: Succeeded
selected:
  description: Names of the connections the selectors chose (all of them were acted on).
  returned: success
  type: list
  elements: str
  sample: ["stprivnetdemo.6f1c2b8a-3d4e-4f5a-9b0c-1d2e3f4a5b6c"]
"""

from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._connections import (
    STATUS,
    await_connection,
    check_connection_name,
    check_private_endpoint_id,
    check_selectors,
    connection_result,
    difference,
    listed,
    plan,
    planned,
    predicted_difference,
    select,
    target_from_params,
    unknown_endpoint,
)

ARGUMENT_SPEC = dict(
    target_id=dict(type="str", required=True),
    name=dict(type="str"),
    private_endpoint_id=dict(type="str"),
    all_pending=dict(type="bool", default=False),
    state=dict(type="str", choices=["approved", "rejected", "absent"], required=True),
    description=dict(type="str"),
    api_version=dict(type="str"),
)


def predicted_request(module, target, connections):
    """Check mode, no connection from an endpoint that does not exist either (only predicted by an earlier task):
    report the change."""
    rid = unknown_endpoint(module, target.label)
    if rid is None:
        return
    params = module.params
    module.exit(changed=True, diff=predicted_difference(rid.name, STATUS[params["state"]], params["description"]),
                target_type=target.type.type,
                connections=[connection_result(c) for c in connections], selected=[])


def apply(module, target, connection, status, description, deadline):
    """Send one change and, with wait, re-read until Azure shows it; return the connection's new result dict
    (None once deleted)."""
    name = connection.get("name")
    if status is None:
        target.delete(name)
    else:
        target.set_state(connection, status, description)
    if not module.wait:
        return None if status is None else dict(connection_result(connection), status=status, description=description)
    return await_connection(module, lambda: target.connection(name), connection_result, status, description,
                            f"private endpoint connection '{name}' of {target.label}", deadline)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, lro=True, supports_check_mode=True)
    params = module.params
    state = params["state"]

    # 1. Validate, before any call to Azure.
    target = target_from_params(module)
    if params["name"] is not None:
        module.validated(check_connection_name, params["name"])
    if params["private_endpoint_id"] is not None:
        module.validated(check_private_endpoint_id, params["private_endpoint_id"])
    module.validated(check_selectors, params, " (privnet.azure.private_endpoint_connection_info lists them)")

    # 2. Read the current state.
    target.read(module)
    connections = target.connections()
    chosen = select(module, connections, connection_result, target.label,
                    lambda: predicted_request(module, target, connections))

    # 3. Compare: which chosen connections need a write.
    changes = module.validated(plan, chosen, connection_result, state, params["description"])
    targets = planned(changes, connection_result, params["description"])

    # 4. Apply, one connection after the other, waiting for each (not in check mode).
    if changes and not module.check_mode:
        deadline = module.deadline()
        for connection, status in changes:
            targets[connection["name"]] = apply(module, target, connection, status,
                                                targets[connection["name"]]["description"] if status else None,
                                                deadline)

    # 5. Return every connection, as it is now (or would be).
    module.exit(changed=bool(changes), diff=difference(chosen, connection_result, targets),
                target_type=target.type.type,
                connections=listed(connections, connection_result, targets), selected=[c["name"] for c in chosen])


if __name__ == "__main__":
    main()
