# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: private_link_service_consumers
short_description: Which private endpoint connections of a private link service belong to the consumers named
version_added: 0.1.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - Takes the connections of a private link service (as M(privnet.azure.private_link_service) returns them) and the
    consumers an inventory names, each by C(private_endpoint_id) or by C(subscription_id), and returns the
    connections to approve (those of a named consumer that are V(Pending)), the connections of named consumers
    already approved, those of nobody named, and the consumers that have no connection yet.
  - Fails on a consumer that names neither or both, or whose value is not a private endpoint id or subscription id.
positional: _input, consumers
options:
  _input:
    description: The service's connections (C(name), C(private_endpoint_id), C(status)).
    type: list
    elements: dict
    required: true
  consumers:
    description: The consumers, each a dict with C(private_endpoint_id) or C(subscription_id), and optionally
      C(description) (recorded with the approval).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: The pending connections of the consumers named
  ansible.builtin.debug:
    msg: "{{ (pls.private_link_service.connections | privnet.azure.private_link_service_consumers(consumers)).approve }}"
"""

RETURN = r"""
_value:
  description:
    - C(approve) (pending connections of named consumers - C(name), C(private_endpoint_id), C(status), C(description)
      to record), C(approved) (connections of named consumers already approved), C(others) (connections of no named
      consumer), C(waiting) (named consumers without a connection yet).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.module_utils._connections import check_private_endpoint_id
from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id, same_id
from ansible_collections.privnet.azure.plugins.module_utils._validate import subscription_id


def _consumer(item, index):
    where = f"private_link_service_consumers: consumers[{index}]"
    if not isinstance(item, dict):
        raise AnsibleFilterError(f"{where}: {item!r} is not a dict; give private_endpoint_id or subscription_id")
    given = [k for k in ("private_endpoint_id", "subscription_id") if item.get(k)]
    if len(given) != 1:
        raise AnsibleFilterError(f"{where}: give exactly one of private_endpoint_id (one endpoint) or subscription_id "
                                 "(every endpoint of that subscription)")
    try:
        if given[0] == "private_endpoint_id":
            check_private_endpoint_id(str(item["private_endpoint_id"]), f"{where}.private_endpoint_id")
        else:
            subscription_id(item["subscription_id"], f"{where}.subscription_id")
    except ValueError as exc:
        raise AnsibleFilterError(str(exc)) from None
    return given[0], str(item[given[0]]).strip(), item.get("description")


def _matches(kind, value, connection):
    endpoint = connection.get("private_endpoint_id")
    if not endpoint:
        return False
    if kind == "private_endpoint_id":
        return same_id(endpoint, value)
    try:
        return parse_resource_id(endpoint).subscription.lower() == value.lower()
    except ValueError:
        return False


def private_link_service_consumers(connections, consumers):
    if not isinstance(consumers, list):
        raise AnsibleFilterError(f"private_link_service_consumers: consumers is {consumers!r}, not a list")
    wanted = [_consumer(item, index) for index, item in enumerate(consumers)]
    result = {"approve": [], "approved": [], "others": [], "waiting": []}
    matched = set()
    for connection in connections or []:
        owner = next((i for i, (kind, value, _d) in enumerate(wanted) if _matches(kind, value, connection)), None)
        if owner is None:
            result["others"].append(connection)
            continue
        matched.add(owner)
        status = str(connection.get("status") or "").lower()
        if status == "pending":
            description = wanted[owner][2] or "Approved (privnet.azure.private_link_service)"
            result["approve"].append(dict(connection, description=description))
        elif status == "approved":
            result["approved"].append(connection)
        else:
            result["others"].append(connection)
    for index, (kind, value, _d) in enumerate(wanted):
        if index not in matched:
            result["waiting"].append({kind: value})
    return result


class FilterModule:
    def filters(self):
        return {"private_link_service_consumers": private_link_service_consumers}
