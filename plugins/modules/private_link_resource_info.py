#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: private_link_resource_info
short_description: List the sub-resources (group ids) a Private Link target offers to private endpoints
version_added: 0.1.0
description:
  - Lists the private link resources of a Private Link target, such as a storage account, key vault, SQL server,
    Cosmos DB account, PostgreSQL flexible server, Service Bus namespace or container registry
    (C(az network private-link-resource list)).
  - Each private link resource is a sub-resource a private endpoint can connect to (its C(group_id), such as
    V(blob) or V(vault)), with the members the endpoint's network interface gets and the Private DNS zones
    Azure recommends for them. Use its C(group_id) as the private endpoint's group id.
  - The result is what the target answers, unchanged.
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
        C(Microsoft.ServiceBus/namespaces) and C(Microsoft.ContainerRegistry/registries). Any other type needs
        O(api_version).
    type: str
    required: true
  api_version:
    description:
      - The api-version of the target's REST API to read its private link resources with, V(YYYY-MM-DD) or
        V(YYYY-MM-DD-preview).
      - Needed for a type not listed under O(target_id); for a listed type it replaces the collection's
        api-version.
    type: str
extends_documentation_fragment:
  - privnet.azure.azure
  - privnet.azure.attributes.info_module
seealso:
  - module: privnet.azure.private_endpoint
  - module: privnet.azure.private_endpoint_connection
  - name: What is a private endpoint?
    description: The private link resource types and their sub-resources.
    link: https://learn.microsoft.com/azure/private-link/private-endpoint-overview
"""

EXAMPLES = r"""
- name: Which sub-resources does the storage account offer?
  privnet.azure.private_link_resource_info:
    target_id: /subscriptions/{{ subscription_id }}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stprivnetdemo
  register: storage_groups

- name: Show the DNS zones the blob sub-resource needs
  ansible.builtin.debug:
    msg: "{{ (storage_groups.private_link_resources | selectattr('group_id', 'eq', 'blob') | first).required_zone_names }}"

- name: A target type the collection does not list, with its api-version
  privnet.azure.private_link_resource_info:
    target_id: /subscriptions/{{ subscription_id }}/resourceGroups/rg-app/providers/Microsoft.EventHub/namespaces/evh-demo
    api_version: "2024-01-01"
"""

RETURN = r"""
target_type:
  description: The type of the target, C(<Namespace>/<type>).
  returned: success
  type: str
  sample: Microsoft.Storage/storageAccounts
private_link_resources:
  description: The target's private link resources, as it answers them.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Resource id of the private link resource.
      type: str
      returned: always
      sample: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-data/providers/Microsoft.Storage/\
        storageAccounts/stprivnetdemo/privateLinkResources/blob"
    name:
      description: Name of the private link resource.
      type: str
      returned: always
      sample: blob
    group_id:
      description: The sub-resource (group id) a private endpoint names to connect to it.
      type: str
      returned: always
      sample: blob
    required_members:
      description: The members a private endpoint to this sub-resource gets.
      type: list
      elements: str
      returned: always
      sample: ["blob"]
    required_zone_names:
      description: The Private DNS zones recommended for the sub-resource.
      type: list
      elements: str
      returned: always
      sample: ["privatelink.blob.core.windows.net"]
"""

from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._connections import (
    link_resource_result,
    target_from_params,
)

ARGUMENT_SPEC = dict(
    target_id=dict(type="str", required=True),
    api_version=dict(type="str"),
)


def main():
    module = AzureModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)

    # 1. Validate, before any call to Azure.
    target = target_from_params(module)

    # 2. Read: the target (so that a wrong id says so), then its private link resources.
    target.read(module)
    resources = [link_resource_result(r) for r in target.link_resources()]

    # 3. Return.
    module.exit(changed=False, target_type=target.type.type, private_link_resources=resources)


if __name__ == "__main__":
    main()
