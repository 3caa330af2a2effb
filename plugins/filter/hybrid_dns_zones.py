# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: hybrid_dns_zones
short_description: The privatelink zones on-premises DNS servers forward to a resolver's inbound endpoint, per cloud
version_added: 0.2.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - On-premises clients resolve private endpoints' names through conditional forwarders on their DNS servers that
    send the service's zones to a DNS Private Resolver's inbound endpoint (Microsoft Learn,
    C(dns/private-resolver-hybrid-dns.md); C(private-link/private-endpoint-dns-integration.md)).
  - Given a cloud's name, returns the C(privatelink) zones of the Private Link targets this collection knows in that
    cloud, sorted - in C(AzureCloud) the zones of its target table (storage, key vault, SQL, Cosmos DB, PostgreSQL
    flexible server, Service Bus, container registry; Microsoft Learn C(private-link/private-endpoint-dns.md)); in
    C(AzureUSGovernment) and C(AzureChinaCloud) only the container registry's zone (C(privatelink.azurecr.us),
    C(privatelink.azurecr.cn)), the only one the collection's tables hold for those clouds. Give the list yourself
    for other services.
  - Given a list of zones, returns them checked (each must have a C(privatelink) label), lower-cased, without the
    trailing dot, without duplicates, sorted.
  - With O(forwarders=true), returns instead the public DNS zone forwarders of those zones, the names Microsoft's
    table gives for on-premises conditional forwarders (C(privatelink.azurecr.io) - C(azurecr.io);
    C(privatelink.vaultcore.azure.net) - C(vault.azure.net) and C(vaultcore.azure.net)).
positional: _input
options:
  _input:
    description: A cloud name (V(AzureCloud), V(AzureUSGovernment), V(AzureChinaCloud)), or a list of zone names.
    type: raw
    required: true
  forwarders:
    description: Return the public DNS zone forwarders instead of the C(privatelink) zones.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: The zones to forward from on-premises to the inbound endpoint, in Azure's public cloud
  ansible.builtin.debug:
    msg: "{{ 'AzureCloud' | privnet.azure.hybrid_dns_zones }}"  # [privatelink.azurecr.io, privatelink.blob.core.windows.net, ...]

- name: The public zones Microsoft names for the conditional forwarders
  ansible.builtin.debug:
    msg: "{{ ['privatelink.azurecr.io'] | privnet.azure.hybrid_dns_zones(forwarders=true) }}"  # [azurecr.io]
"""

RETURN = r"""
_value:
  description: Zone names, sorted, without the trailing dot.
  type: list
  elements: str
"""

from collections.abc import Sequence

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.module_utils._privatelink import (
    EXTRA_SUFFIXES,
    PRIVATELINK,
    ZONE_OF_SUFFIX,
)
from ansible_collections.privnet.azure.plugins.module_utils._targets import TARGET_TYPES

CLOUDS = ("AzureCloud", "AzureUSGovernment", "AzureChinaCloud")
# The registry's public suffix in each cloud (ZONE_OF_SUFFIX holds its zone).
_REGISTRY_SUFFIX = {"azurecloud": "azurecr.io", "azureusgovernment": "azurecr.us", "azurechinacloud": "azurecr.cn"}


def _cloud_zones(cloud):
    key = str(cloud).strip().lower()
    if key not in _REGISTRY_SUFFIX:
        raise AnsibleFilterError(f"hybrid_dns_zones: unknown cloud {cloud!r}; give one of {', '.join(CLOUDS)}, or the "
                                 "list of zones")
    if key == "azurecloud":
        return sorted({zone for target in TARGET_TYPES.values() for _group, zone in target.zones})
    return [ZONE_OF_SUFFIX[_REGISTRY_SUFFIX[key]]]


def _checked(zones):
    out = []
    for index, zone in enumerate(zones):
        name = str(zone or "").strip().rstrip(".").lower()
        if "privatelink" not in name.split("."):
            raise AnsibleFilterError(f"hybrid_dns_zones: [{index}] {zone!r} is not a privatelink zone (such as "
                                     "privatelink.azurecr.io)")
        if name not in out:
            out.append(name)
    return sorted(out)


def _forwarders(zone):
    if zone.startswith(PRIVATELINK):
        return [zone[len(PRIVATELINK):]] + EXTRA_SUFFIXES.get(zone, [])
    # {region}.data.privatelink.azurecr.io serves <registry>.{region}.data.azurecr.io.
    return [zone.replace("." + PRIVATELINK, ".", 1)]


def hybrid_dns_zones(value, forwarders=False):
    if isinstance(value, str):
        zones = _cloud_zones(value)
    elif isinstance(value, Sequence):
        zones = _checked(value)
    else:
        raise AnsibleFilterError(f"hybrid_dns_zones: expected a cloud name or a list of zones, got {type(value).__name__}")
    if not forwarders:
        return zones
    return sorted({name for zone in zones for name in _forwarders(zone)})


class FilterModule:
    """privnet.azure filters."""

    def filters(self):
        return {"hybrid_dns_zones": hybrid_dns_zones}
