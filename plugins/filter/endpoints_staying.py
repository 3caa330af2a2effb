# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: endpoints_staying
short_description: The private endpoints of a virtual network that a teardown leaves in place
version_added: 0.3.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - Given the private endpoints listed once for a virtual network (the result of
    M(privnet.azure.private_endpoint_info), members need not be read), returns the ids of those in that virtual
    network, to a target of the given type, that the play is not tearing down. A shared zone link may go only when
    this is empty.
  - When there is no list (the task that lists the endpoints did not run or failed), returns one placeholder id,
    C((not listed\)), so that a caller keeps what it would otherwise remove.
positional: _input
options:
  _input:
    description: The result of M(privnet.azure.private_endpoint_info) (a dict with C(private_endpoints)), or its list.
    type: raw
    required: true
  virtual_network_id:
    description:
      - The virtual network's id, or its tail from C(/resourceGroups/) on. Endpoints in other virtual networks are
        left out. Compared without regard to case.
    type: str
    required: true
  exclude:
    description: Ids of the endpoints the play is tearing down.
    type: list
    elements: str
    default: []
  target_type:
    description:
      - Only endpoints to a target of this resource type (for example C(Microsoft.ContainerRegistry/registries)).
        Empty for any target.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Unlink the zone when no other registry endpoint in the virtual network needs it
  privnet.azure.private_dns_zone:
    name: privatelink.azurecr.io
    resource_group: rg-network
    links:
      - name: vnet-app-link
        virtual_network: vnet-app
        state: absent
  when: >-
    vnet_endpoints | privnet.azure.endpoints_staying(virtual_network_id='/resourceGroups/rg-network/providers/'
    ~ 'Microsoft.Network/virtualNetworks/vnet-app', exclude=[my_endpoint_id],
    target_type='Microsoft.ContainerRegistry/registries') | length == 0
"""

RETURN = r"""
_value:
  description: Ids of the endpoints that stay, or C([(not listed\)]) when there was no list.
  type: list
  elements: str
"""

from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

NOT_LISTED = "(not listed)"


def endpoints_staying(listed, virtual_network_id, exclude=None, target_type=""):
    if isinstance(listed, Mapping):
        if "private_endpoints" not in listed:
            return [NOT_LISTED]
        listed = listed["private_endpoints"]
    if listed is None:
        return [NOT_LISTED]
    if isinstance(listed, (str, bytes)) or not isinstance(listed, Sequence):
        raise AnsibleFilterError("endpoints_staying: expected the result of private_endpoint_info or its list")
    if not isinstance(virtual_network_id, str) or not virtual_network_id.strip():
        raise AnsibleFilterError("endpoints_staying: virtual_network_id must be the virtual network's id")
    prefix = virtual_network_id.strip().rstrip("/").lower() + "/subnets/"
    excluded = {str(e).rstrip("/").lower() for e in exclude or []}
    kind = f"/providers/{target_type.strip().strip('/')}/".lower() if target_type else ""
    staying = []
    for endpoint in listed:
        if not isinstance(endpoint, Mapping):
            raise AnsibleFilterError(f"endpoints_staying: an endpoint must be a dict, got {type(endpoint).__name__}")
        endpoint_id = str(endpoint.get("id") or "")
        if endpoint_id.rstrip("/").lower() in excluded or prefix not in str(endpoint.get("subnet_id") or "").lower():
            continue
        if kind and kind not in str(endpoint.get("target_id") or "").lower():
            continue
        staying.append(endpoint_id)
    return staying


class FilterModule:
    """privnet.azure filters."""

    def filters(self):
        return {"endpoints_staying": endpoints_staying}
