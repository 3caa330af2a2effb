# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: service_network_rules
short_description: The virtual network rules that subnets' service endpoints need on service resources
version_added: 0.2.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - Takes the subnets of the P(privnet.azure.subnet_service_endpoints#role) role and returns one virtual network
    rule per subnet and service resource listed in its C(service_resources) - the second step of the service endpoint
    procedure (add the subnet to the service resource's virtual network rules).
  - Each rule names the module that writes it (see P(privnet.azure.network_rule_kind#filter)) and, for a SQL server,
    the rule's name (C(<virtual network>-<subnet>)).
  - Fails before anything is written when a resource is of a type no module manages, or when the subnet does not
    list the service endpoint the resource needs in its C(services) (a resource refuses a rule for a subnet without
    it - Microsoft Learn virtual-network/virtual-network-service-endpoints-overview.md), naming the subnet and the fix.
positional: _input
options:
  _input:
    description:
      - The subnets, each with C(virtual_network), C(resource_group), C(name), C(services) (names, or dicts with
        C(service)) and optionally C(service_resources) (resource ids).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: The rules to add
  ansible.builtin.debug:
    msg: "{{ subnet_service_endpoints_subnets | privnet.azure.service_network_rules }}"
  # - {module: storage_account_network, resource_id: /subscriptions/.../storageAccounts/stprivnetdemo, subnet_index: 0,
  #    virtual_network: vnet-app, subnet_resource_group: rg-network, subnet: snet-vm, rule_name: vnet-app-snet-vm, ...}
"""

RETURN = r"""
_value:
  description:
    - One rule per subnet and resource, in order - C(module), C(resource_id), C(name), C(resource_group),
      C(subscription) (of the resource), C(service) (the endpoint it needs), C(subnet_index) (the subnet's position in
      the input), C(virtual_network), C(subnet_resource_group), C(subnet) and C(rule_name).
  type: list
  elements: dict
"""

from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.network_rule_kind import network_rule_kind


def _service_names(services):
    names = []
    for service in services or []:
        name = service.get("service") if isinstance(service, Mapping) else service
        if isinstance(name, str):
            names.append(name.strip().lower())
    return names


def service_network_rules(subnets):
    if isinstance(subnets, (str, bytes, Mapping)) or not isinstance(subnets, Sequence):
        raise AnsibleFilterError("service_network_rules: expected the list of subnets")
    rules = []
    for index, subnet in enumerate(subnets):
        if not isinstance(subnet, Mapping):
            raise AnsibleFilterError(f"service_network_rules: subnet {index} is not a dict")
        where = f"{subnet.get('virtual_network')}/{subnet.get('name')}"
        resources = subnet.get("service_resources") or []
        if isinstance(resources, (str, bytes)) or not isinstance(resources, Sequence):
            raise AnsibleFilterError(f"service_network_rules: service_resources of subnet {where} must be a list of "
                                     "resource ids")
        listed = _service_names(subnet.get("services"))
        seen = set()
        for resource_id in resources:
            try:
                kind = network_rule_kind(resource_id, strict=True)
            except AnsibleFilterError as exc:
                raise AnsibleFilterError(f"service_network_rules: subnet {where}, service_resources: "
                                         f"{str(exc).split(': ', 1)[-1]}") from None
            if kind["id"].lower() in seen:
                raise AnsibleFilterError(f"service_network_rules: subnet {where} lists {kind['id']} twice in "
                                         "service_resources; list it once")
            seen.add(kind["id"].lower())
            if not any(service.lower() in listed for service in kind["services"]):
                raise AnsibleFilterError(
                    f"service_network_rules: subnet {where} lists {kind['name']} ({kind['type']}) in service_resources "
                    f"but not the service endpoint {kind['services'][0]} in its services: the resource refuses a "
                    f"virtual network rule for a subnet without it. Add {kind['services'][0]} to the subnet's services "
                    "(privnet.azure.service_endpoint). Nothing was changed.")
            rules.append({
                "module": kind["module"], "resource_id": kind["id"], "name": kind["name"],
                "resource_group": kind["resource_group"], "subscription": kind["subscription"],
                "service": kind["services"][0], "subnet_index": index,
                "virtual_network": subnet.get("virtual_network"), "subnet_resource_group": subnet.get("resource_group"),
                "subnet": subnet.get("name"), "rule_name": f"{subnet.get('virtual_network')}-{subnet.get('name')}",
            })
    return rules


class FilterModule:
    """privnet.azure filters."""

    def filters(self):
        return {"service_network_rules": service_network_rules}
