# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: private_link_endpoints
short_description: The private endpoints one Private Link target needs, one per sub-resource, with names and zones
version_added: 0.2.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - Plans the private endpoints that put one target (a storage account, a key vault, a SQL server, ...) behind Private
    Link - one endpoint per sub-resource (group id), because Azure permits one group id per endpoint. For a storage
    account's V(blob) and V(file) that is two endpoints, each with its own private DNS zone.
  - Each endpoint gets its name - the one given in O(names) for its group id, else
    C(pe-<target name>-<group id>) in lower case - and its private DNS zones - those given in O(zones) for its group
    id, else the C(required_zone_names) the target itself answers for that sub-resource (as
    M(privnet.azure.private_link_resource_info) returns them), so that every cloud gets its own zone
    (C(privatelink.blob.core.windows.net) in Azure's public cloud, C(privatelink.blob.core.usgovcloudapi.net) in Azure
    Government, ...).
  - Also predicts each endpoint's members (C(required_members) of the sub-resource), with the public names they will
    serve and the private address C((known after apply\)), for check mode before the endpoint exists.
  - Fails, naming the value and the fix, on an empty or repeated group id, a group id the target does not offer (the
    offered ones are listed), an override for a group id that is not asked for, two endpoints with one name, and a
    name that breaks Azure's rule for private endpoint names (2 to 64 characters - alphanumerics, underscores,
    periods and hyphens, starting with an alphanumeric and ending with an alphanumeric or underscore; Microsoft
    Learn, C(azure-resource-manager/management/resource-name-rules.md)).
positional: _input, group_ids
options:
  _input:
    description: The target's resource id.
    type: str
    required: true
  group_ids:
    description: The sub-resources, such as V([blob, file]), V([vault]) or V([sqlServer]).
    type: list
    elements: str
    required: true
  resources:
    description:
      - The target's private link resources, as M(privnet.azure.private_link_resource_info) returns them in
        C(private_link_resources) (each with C(group_id), C(required_members) and C(required_zone_names)).
      - Without them the group ids are not checked, and zones and members come only from O(zones).
    type: list
    elements: dict
  names:
    description: Endpoint names by group id, for those that must not get the derived name.
    type: dict
    default: {}
  zones:
    description: Private DNS zones by group id (a name or a list of names), instead of the target's own.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: The endpoints of a storage account's blob and file sub-resources
  ansible.builtin.debug:
    msg: "{{ account_id | privnet.azure.private_link_endpoints(['blob', 'file'], resources=plr.private_link_resources) }}"
  # - {group_id: blob, name: pe-stprivnetdemo-blob, zones: [privatelink.blob.core.windows.net],
  #    required_members: [blob], predicted_members: [{group_id: blob, required_member_name: blob,
  #    private_ip: "(known after apply)", fqdns: [stprivnetdemo.blob.core.windows.net]}]}
  # - {group_id: file, name: pe-stprivnetdemo-file, zones: [privatelink.file.core.windows.net], ...}
"""

RETURN = r"""
_value:
  description:
    - One entry per group id, in the order given - C(group_id), C(name), C(zones) (list), C(required_members) (list)
      and C(predicted_members) (list of C(group_id), C(required_member_name), C(private_ip), C(fqdns)).
  type: list
  elements: dict
"""

import re
from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._privatelink import (
    EXTRA_SUFFIXES,
    KNOWN_AFTER_APPLY,
    predicted_fqdns,
)

# Microsoft Learn, azure-resource-manager/management/resource-name-rules.md (Microsoft.Network, privateEndpoints):
# 2-64 characters; alphanumerics, underscores, periods and hyphens; start with an alphanumeric, end with an
# alphanumeric or underscore.
ENDPOINT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]$")
NAME_RULE = ("2 to 64 characters: letters, digits, underscores, periods and hyphens, starting with a letter or digit "
             "and ending with a letter, digit or underscore")


def _predicted_fqdns(resource_name, member, zones):
    """The public names a member will serve; a zone whose services publish names under another suffix
    (privatelink.vaultcore.azure.net serves <vault>.vault.azure.net) gets that suffix."""
    names = []
    for zone in zones:
        if zone in EXTRA_SUFFIXES:
            names.append(f"{resource_name}.{EXTRA_SUFFIXES[zone][0]}".lower())
        else:
            names.extend(predicted_fqdns(resource_name, member, [zone]))
    return list(dict.fromkeys(names))


def _strings(value, what):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or isinstance(value, bytes):
        raise AnsibleFilterError(f"private_link_endpoints: {what} must be a list of strings, got {type(value).__name__}")
    out = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise AnsibleFilterError(f"private_link_endpoints: {what} holds {item!r}; give non-empty strings")
        out.append(item.strip())
    return out


def _overrides(value, what, group_ids):
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise AnsibleFilterError(f"private_link_endpoints: {what} must be a dict keyed by group id, got {type(value).__name__}")
    asked = {g.lower(): g for g in group_ids}
    out = {}
    for key, item in value.items():
        if str(key).lower() not in asked:
            raise AnsibleFilterError(f"private_link_endpoints: {what} names group id {key!r}, which is not asked for "
                                     f"({', '.join(group_ids)}); fix the key or add it to the group ids")
        out[asked[str(key).lower()]] = item
    return out


def private_link_endpoints(target_id, group_ids, resources=None, names=None, zones=None):
    try:
        target = parse_resource_id(target_id, "target_id")
    except ValueError as exc:
        raise AnsibleFilterError(f"private_link_endpoints: {exc}") from None
    if target.children:
        raise AnsibleFilterError(f"private_link_endpoints: target_id {target_id!r} is a child resource "
                                 f"({target.full_type}); give the id of the resource itself")
    groups = _strings(group_ids, "group_ids")
    if not groups:
        raise AnsibleFilterError("private_link_endpoints: group_ids is empty; give the target's sub-resources, "
                                 "such as [blob, file] for a storage account")
    seen = set()
    for group in groups:
        if group.lower() in seen:
            raise AnsibleFilterError(f"private_link_endpoints: group id {group!r} is given twice; "
                                     "one endpoint serves one sub-resource, so list each once")
        seen.add(group.lower())
    names = _overrides(names, "names", groups)
    zones = _overrides(zones, "zones", groups)

    offered = None
    if resources is not None:
        if isinstance(resources, Mapping) and "private_link_resources" in resources:
            resources = resources["private_link_resources"]
        if isinstance(resources, (str, bytes)) or not isinstance(resources, Sequence):
            raise AnsibleFilterError("private_link_endpoints: resources must be the private_link_resources list of "
                                     "privnet.azure.private_link_resource_info")
        offered = {}
        for resource in resources:
            if not isinstance(resource, Mapping) or not resource.get("group_id"):
                raise AnsibleFilterError(f"private_link_endpoints: a private link resource without group_id: {resource!r}")
            offered.setdefault(str(resource["group_id"]).lower(), resource)
        missing = [g for g in groups if g.lower() not in offered]
        if missing:
            listed = ", ".join(sorted(str(r["group_id"]) for r in offered.values())) or "none"
            raise AnsibleFilterError(f"private_link_endpoints: {target.name} ({target.full_type}) offers no sub-resource "
                                     f"{', '.join(missing)}; it offers {listed}. Fix the group ids")

    plan, used = [], {}
    for group in groups:
        resource = offered[group.lower()] if offered is not None else {}
        name = names.get(group)
        if name is None:
            name = f"pe-{target.name}-{group}".lower()
        elif not isinstance(name, str) or not name.strip():
            raise AnsibleFilterError(f"private_link_endpoints: names.{group} is {name!r}; give an endpoint name")
        name = name.strip()
        if not ENDPOINT_NAME.match(name):
            raise AnsibleFilterError(f"private_link_endpoints: endpoint name {name!r} (group id {group}) breaks Azure's "
                                     f"rule for private endpoint names ({NAME_RULE}); give names.{group}")
        if name.lower() in used:
            raise AnsibleFilterError(f"private_link_endpoints: group ids {used[name.lower()]} and {group} would both "
                                     f"use endpoint name {name!r}; give each its own name")
        used[name.lower()] = group
        if group in zones:
            group_zones = _strings(zones[group], f"zones.{group}")
        else:
            group_zones = [str(z).strip().rstrip(".").lower() for z in resource.get("required_zone_names") or []]
        members = [str(m) for m in resource.get("required_members") or []] or ([group] if offered is None else [])
        plan.append({
            "group_id": str(resource.get("group_id") or group),
            "name": name,
            "zones": group_zones,
            "required_members": members,
            "predicted_members": [
                {"group_id": str(resource.get("group_id") or group), "required_member_name": member,
                 "private_ip": KNOWN_AFTER_APPLY, "fqdns": _predicted_fqdns(target.name, member, group_zones)}
                for member in members
            ],
        })
    return plan


class FilterModule:
    """privnet.azure filters."""

    def filters(self):
        return {"private_link_endpoints": private_link_endpoints}
