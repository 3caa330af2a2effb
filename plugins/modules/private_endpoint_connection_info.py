#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: private_endpoint_connection_info
short_description: List the private endpoint connections of any Private Link target
version_added: 0.1.0
description:
  - Lists the private endpoint connections of a Private Link target, such as a storage account, key vault, SQL
    server, Cosmos DB account, PostgreSQL flexible server, Service Bus namespace or container registry
    (C(az network private-endpoint-connection list)), optionally only those with one status.
  - Each connection is a private endpoint's request to reach the target, V(Pending) until the target's owner
    approves it unless its creator had the rights to approve it. Approve, reject or delete them with
    M(privnet.azure.private_endpoint_connection).
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
  status:
    description:
      - Only return the connections with this status.
    type: str
    choices: [Approved, Pending, Rejected, Disconnected]
  api_version:
    description:
      - The api-version of the target's REST API to read its connections with, V(YYYY-MM-DD) or
        V(YYYY-MM-DD-preview).
      - Needed for a type not listed under O(target_id); for a listed type it replaces the collection's
        api-version.
    type: str
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.attributes.info_module
seealso:
  - module: privnet.azure.private_endpoint_connection
  - module: privnet.azure.private_link_resource_info
  - name: Manage Azure private endpoints
    description: The connection approval workflow.
    link: https://learn.microsoft.com/azure/private-link/manage-private-endpoint
"""

EXAMPLES = r"""
- name: Connections waiting for approval on a key vault
  privnet.azure.private_endpoint_connection_info:
    target_id: /subscriptions/{{ subscription_id }}/resourceGroups/rg-sec/providers/Microsoft.KeyVault/vaults/kv-privnet-demo
    status: Pending
  register: pending

- name: Every connection of a storage account
  privnet.azure.private_endpoint_connection_info:
    target_id: "{{ storage_account_id }}"
  register: storage_connections
"""

RETURN = r"""
target_type:
  description: The type of the target, C(<Namespace>/<type>).
  returned: success
  type: str
  sample: Microsoft.KeyVault/vaults
connections:
  description: The target's private endpoint connections (with O(status), only those with that status).
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Resource id of the connection.
      type: str
      returned: always
      sample: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-sec/providers/Microsoft.KeyVault/\
        vaults/kv-privnet-demo/privateEndpointConnections/pe-kv.6f1c2b8a-3d4e-4f5a-9b0c-1d2e3f4a5b6c"
    name:
      description: Name of the connection.
      type: str
      returned: always
      sample: pe-kv.6f1c2b8a-3d4e-4f5a-9b0c-1d2e3f4a5b6c
    private_endpoint_id:
      description: Resource id of the private endpoint.
      type: str
      returned: always
      sample: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints/pe-kv
    status:
      description: V(Pending), V(Approved), V(Rejected) or V(Disconnected).
      type: str
      returned: always
      sample: Pending
    description:
      description: The reason recorded with the status.
      type: str
      returned: always
      sample: Awaiting approval
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
"""

from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._connections import (
    STATUSES,
    connection_result,
    target_from_params,
)

ARGUMENT_SPEC = dict(
    target_id=dict(type="str", required=True),
    status=dict(type="str", choices=list(STATUSES)),
    api_version=dict(type="str"),
)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    status = module.params["status"]

    # 1. Validate, before any call to Azure.
    target = target_from_params(module)

    # 2. Read: the target (so that a wrong id says so), then its connections.
    target.read(module)
    connections = [connection_result(c) for c in target.connections()]
    if status:
        connections = [c for c in connections if str(c["status"] or "").lower() == status.lower()]

    # 3. Return.
    module.exit(changed=False, target_type=target.type.type, connections=connections)


if __name__ == "__main__":
    main()
