# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: peerings_to_purge
short_description: The hub's peerings to spokes that are no longer listed, and nothing else
version_added: 0.2.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - Takes a hub's peerings (as M(privnet.azure.vnet_peering_info) returns them) and returns those that the
    hub-and-spoke procedure made for a spoke that is no longer listed, so that they can be removed.
  - A peering is returned only when all of these hold - its name is the one the procedure gives it
    (C(<hub>-to-<remote virtual network>), the default of M(privnet.azure.vnet_peering)); its remote virtual
    network is not a listed spoke; and it is not in O(keep).
  - So a hub-to-hub peering, a peering to a shared-services network or any peering named otherwise is never
    returned; give O(keep) for those that follow the naming but must stay.
  - A spoke with C(subscription_id) matches only the virtual network of that subscription; without it, the
    virtual network of that resource group and name in any subscription.
positional: _input, hub, spokes
options:
  _input:
    description: The hub's peerings, each with C(name) and C(remote_virtual_network_id).
    type: list
    elements: dict
    required: true
  hub:
    description: The hub's virtual network name.
    type: str
    required: true
  spokes:
    description: The listed spokes, each C({virtual_network, resource_group, subscription_id?}).
    type: list
    elements: dict
    required: true
  keep:
    description: Remote virtual networks never to remove, by resource id or by name.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Peerings to remove
  ansible.builtin.debug:
    msg: "{{ hub_peerings.peerings | privnet.azure.peerings_to_purge('vnet-hub', spokes, keep=['vnet-hub-westus']) }}"
"""

RETURN = r"""
_value:
  description: The peerings to remove, as they were given.
  type: list
  elements: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def _parts(vnet_id):
    segments = str(vnet_id or "").strip("/").lower().split("/")
    if len(segments) < 8 or segments[0] != "subscriptions" or segments[2] != "resourcegroups":
        return None
    return segments[1], segments[3], segments[7]


def peerings_to_purge(peerings, hub, spokes, keep=None):
    if not isinstance(hub, str) or not hub.strip():
        raise AnsibleFilterError("peerings_to_purge: hub must be the hub's virtual network name")
    listed = []
    for spoke in spokes or []:
        if not isinstance(spoke, Mapping) or not spoke.get("virtual_network") or not spoke.get("resource_group"):
            raise AnsibleFilterError(f"peerings_to_purge: a spoke needs virtual_network and resource_group, got {spoke!r}")
        listed.append(((spoke.get("subscription_id") or "").lower() or None, str(spoke["resource_group"]).lower(),
                       str(spoke["virtual_network"]).lower()))
    kept = {str(k).strip().lower() for k in keep or []}
    prefix = f"{hub.strip().lower()}-to-"
    chosen = []
    for peering in peerings or []:
        remote = _parts(peering.get("remote_virtual_network_id"))
        name = str(peering.get("name") or "").lower()
        if remote is None or name != prefix + remote[2]:
            continue  # not named as the procedure names it: someone else's peering
        if str(peering.get("remote_virtual_network_id")).lower().rstrip("/") in kept or remote[2] in kept:
            continue
        if any((sub is None or sub == remote[0]) and group == remote[1] and vnet == remote[2] for sub, group, vnet in listed):
            continue
        chosen.append(peering)
    return chosen


class FilterModule:
    """privnet.azure filters."""

    def filters(self):
        return {"peerings_to_purge": peerings_to_purge}
