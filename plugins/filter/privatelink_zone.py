# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: privatelink_zone
short_description: The private DNS zone Microsoft documents for a service's public name, in its cloud
version_added: 0.2.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - Returns the C(privatelink) zone that serves a service's public name, as Microsoft's private endpoint
    DNS tables list it for each cloud. The zone differs per cloud because the public suffix does - a
    registry C(myreg.azurecr.io) is served by C(privatelink.azurecr.io) in Azure's public cloud,
    C(myreg.azurecr.us) by C(privatelink.azurecr.us) in Azure Government and C(myreg.azurecr.cn) by
    C(privatelink.azurecr.cn) in Azure China.
  - Takes a name (such as a registry's C(login_server)), or private endpoint members (as
    M(privnet.azure.private_endpoint) returns them), whose first known name decides.
  - It is an error when no name has a known suffix; give the zone yourself then.
  - With O(regional=true), the regional zones that serve a registry's data endpoints instead, one per region
    (C(myreg.westeurope.data.azurecr.io) - C(westeurope.data.privatelink.azurecr.io)), as Microsoft's table lists
    them for Azure's public cloud; names that are no data endpoint are left out.
positional: _input
options:
  _input:
    description: A public name, a list of names, or a list of members with C(fqdns).
    type: raw
    required: true
  regional:
    description: Return the list of regional data zones instead of the one zone.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: The zone of a registry, in whichever cloud it is
  ansible.builtin.debug:
    msg: "{{ registry.registry.login_server | privnet.azure.privatelink_zone }}"  # privatelink.azurecr.us in Azure Government
"""

RETURN = r"""
_value:
  description:
    - The private DNS zone name, such as V(privatelink.azurecr.io).
    - With O(regional=true), a list of zone names, such as V([westeurope.data.privatelink.azurecr.io]).
  type: raw
"""

from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.module_utils._privatelink import (
    ZONE_OF_SUFFIX,
    regional_data_zone,
    zone_of_name,
)


def _names(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return list(value.get("fqdns") or []) + _names(value.get("members") or [])
    if isinstance(value, Sequence):
        return [name for item in value for name in _names(item)]
    raise AnsibleFilterError(f"privatelink_zone: expected a name or members, got {type(value).__name__}")


def privatelink_zone(value, regional=False):
    names = _names(value)
    if regional:
        return list(dict.fromkeys(z for z in (regional_data_zone(n) for n in names) if z))
    for name in names:
        zone = zone_of_name(name)
        if zone:
            return zone
    raise AnsibleFilterError(f"privatelink_zone: no documented private DNS zone is known for {', '.join(names) or 'no name'} "
                             f"(known suffixes: {', '.join(sorted(ZONE_OF_SUFFIX))}); give the zone explicitly")


class FilterModule:
    """privnet.azure filters."""

    def filters(self):
        return {"privatelink_zone": privatelink_zone}
