# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: network_rule_kind
short_description: Which module of this collection manages a service resource's network rules
version_added: 0.2.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - Takes the resource id of a service resource and returns how this collection manages its network access - the
    module (V(storage_account_network), V(key_vault_network) or V(sql_server_network)) and the service endpoint a
    subnet needs before the resource accepts a virtual network rule for it (C(Microsoft.Storage), C(Microsoft.KeyVault),
    C(Microsoft.Sql); for storage, C(Microsoft.Storage.Global) serves too).
  - Returns an empty C(module) for a resource of another type, or fails with O(strict=true), listing the supported
    types.
  - Fails on a value that is not a resource id of a top-level resource.
positional: _input
options:
  _input:
    description: The resource id, such as C(/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>).
    type: str
    required: true
  strict:
    description: Fail for a type no module of this collection manages.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: The module for a key vault
  ansible.builtin.debug:
    msg: "{{ (vault_id | privnet.azure.network_rule_kind).module }}"  # key_vault_network
"""

RETURN = r"""
_value:
  description:
    - C(module) (the module's short name, empty when none), C(services) (the service endpoint names that let a subnet's
      rule in), C(type) (the resource type, as in the id), C(name), C(resource_group), C(subscription) and C(id).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._targets import lookup

# The resource types whose network rules this collection's modules manage. The service endpoints a subnet needs for
# each come from the one table of target types (module_utils/_targets.py, with its sources).
KINDS = {
    "microsoft.storage/storageaccounts": "storage_account_network",
    "microsoft.keyvault/vaults": "key_vault_network",
    "microsoft.sql/servers": "sql_server_network",
}
SUPPORTED = "Microsoft.Storage/storageAccounts, Microsoft.KeyVault/vaults, Microsoft.Sql/servers"


def network_rule_kind(resource_id, strict=False):
    try:
        rid = parse_resource_id(resource_id if isinstance(resource_id, str) else None, "resource id")
    except ValueError as exc:
        raise AnsibleFilterError(f"network_rule_kind: {exc}") from None
    if rid.children:
        raise AnsibleFilterError(f"network_rule_kind: {resource_id!r} is a {rid.full_type} id; give the id of the "
                                 f"service resource itself ({SUPPORTED})")
    module = KINDS.get(rid.full_type.lower(), "")
    target_type = lookup(rid.full_type) if module else None
    services = list(target_type.accepted_service_endpoints) if target_type else []
    if strict and not module:
        raise AnsibleFilterError(f"network_rule_kind: {rid.name} is a {rid.full_type}; network rules are managed for "
                                 f"{SUPPORTED} only")
    return {"module": module, "services": list(services), "type": rid.full_type, "name": rid.name,
            "resource_group": rid.resource_group, "subscription": rid.subscription, "id": str(rid)}


class FilterModule:
    """privnet.azure filters."""

    def filters(self):
        return {"network_rule_kind": network_rule_kind}
