# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: zones_in_use
short_description: The private DNS zones that other private endpoints in a virtual network still need
version_added: 0.2.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - Takes private endpoints (as M(privnet.azure.private_endpoint_info) returns them) and returns those of O(zones) that
    an endpoint other than the O(exclude)d ones, in virtual network O(virtual_network_id), still needs - because one of
    its members' public names is served by the zone (C(<acct>.blob.core.windows.net) by
    C(privatelink.blob.core.windows.net)) or its DNS zone group holds the zone.
  - A teardown unlinks only the zones this returns nothing for, so that it keeps the link of a zone another unit of
    work still uses.
positional: _input, zones
options:
  _input:
    description: The private endpoints, each with C(id), C(subnet_id), C(members) and optionally C(dns_zone_group).
    type: list
    elements: dict
    required: true
  zones:
    description: The zone names to look for.
    type: list
    elements: str
    required: true
  virtual_network_id:
    description:
      - Only endpoints in this virtual network count - its id, or the id's tail from C(/resourceGroups/) on when the
        subscription is not known. Empty - endpoints in any virtual network count.
    type: str
    default: ""
  exclude:
    description: Ids of the endpoints being torn down, which do not count.
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: The zones other endpoints in vnet-app still need
  ansible.builtin.debug:
    msg: "{{ all_endpoints.private_endpoints | privnet.azure.zones_in_use(['privatelink.blob.core.windows.net'],
             virtual_network_id=vnet_id, exclude=[my_endpoint_id]) }}"
"""

RETURN = r"""
_value:
  description: The zones of O(zones) still in use, in the order given (lower case).
  type: list
  elements: str
"""

from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.module_utils._privatelink import public_suffixes, relative_name


def _lower_list(value, what):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or isinstance(value, bytes):
        raise AnsibleFilterError(f"zones_in_use: {what} must be a list of strings")
    return [str(v).strip().rstrip("/").rstrip(".").lower() for v in value if str(v or "").strip()]


def zones_in_use(endpoints, zones, virtual_network_id="", exclude=None):
    if isinstance(endpoints, Mapping) and "private_endpoints" in endpoints:
        endpoints = endpoints["private_endpoints"]
    if isinstance(endpoints, (str, bytes)) or not isinstance(endpoints, Sequence):
        raise AnsibleFilterError("zones_in_use: expected a list of private endpoints")
    wanted = list(dict.fromkeys(_lower_list(zones, "zones")))
    excluded = set(_lower_list(exclude or [], "exclude"))
    # A full id, or its tail from /resourceGroups/ on when the subscription is not known.
    prefix = (str(virtual_network_id or "").strip().rstrip("/").lower() + "/subnets/") if virtual_network_id else ""
    used = set()
    for endpoint in endpoints:
        if not isinstance(endpoint, Mapping):
            raise AnsibleFilterError(f"zones_in_use: a private endpoint must be a dict, got {type(endpoint).__name__}")
        if str(endpoint.get("id") or "").rstrip("/").lower() in excluded:
            continue
        if prefix and prefix not in str(endpoint.get("subnet_id") or "").lower():
            continue
        fqdns = [str(f).rstrip(".").lower() for m in endpoint.get("members") or [] for f in (m.get("fqdns") or [])]
        group_zones = [str(z.get("name") if isinstance(z, Mapping) else z).rstrip("/").rsplit("/", 1)[-1].lower()
                       for z in ((endpoint.get("dns_zone_group") or {}).get("zones") or [])]
        for zone in wanted:
            if zone in group_zones or any(relative_name(f, public_suffixes(zone)) for f in fqdns):
                used.add(zone)
    return [zone for zone in wanted if zone in used]


class FilterModule:
    """privnet.azure filters."""

    def filters(self):
        return {"zones_in_use": zones_in_use}
