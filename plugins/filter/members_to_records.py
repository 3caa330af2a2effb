# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: members_to_records
short_description: Turn a private endpoint's members into the A records of a private DNS zone
version_added: 0.1.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - Takes the members of a private endpoint, as returned by M(privnet.azure.private_endpoint) and
    M(privnet.azure.private_endpoint_info), and returns one record per public name of a member that
    belongs to O(zone), in the form the C(records) option of M(privnet.azure.private_dns_records)
    takes.
  - The record name is the member's public name relative to the zone's public suffix. In zone
    C(privatelink.azurecr.io), C(myreg.azurecr.io) becomes C(myreg) and
    C(myreg.westeurope.data.azurecr.io) becomes C(myreg.westeurope.data); in zone
    C(privatelink.blob.core.windows.net), C(mystore.blob.core.windows.net) becomes C(mystore). The public
    name then resolves, through Azure's C(privatelink) CNAME, to the member's private address.
  - The public suffix is the zone name without its leading C(privatelink.); Key Vault's
    C(privatelink.vaultcore.azure.net) also takes C(vault.azure.net) names. Give O(suffixes) for
    zones that follow another rule.
  - Names that belong to another zone are left out (an endpoint to Azure Monitor, for example, needs
    records in several zones, so call the filter once per zone). It is an error when none of the members'
    names belongs to the zone, so that a wrong zone does not give an empty list, and when one name
    would get two different addresses.
positional: _input, zone
options:
  _input:
    description:
      - The members, a list of C(group_id), C(required_member_name), C(private_ip) and C(fqdns).
      - A member that M(privnet.azure.private_endpoint) only predicts (check mode, endpoint not created yet) has
        C(private_ip) V((known after apply\)); its record gets that value, which M(privnet.azure.private_dns_records)
        takes in check mode only.
      - A private endpoint (a dict with C(members)), a module result with C(members), or a list of
        private endpoints are accepted too; their members are taken.
    type: raw
    required: true
  zone:
    description:
      - The private DNS zone the records go in, such as V(privatelink.azurecr.io).
    type: str
    required: true
  ttl:
    description:
      - Time to live of the records, in seconds.
    type: int
    default: 3600
  suffixes:
    description:
      - Public DNS suffixes whose names belong to O(zone), instead of the derived ones.
      - Names under O(zone) itself are always accepted.
    type: list
    elements: str
  strict:
    description:
      - Fail when a member has a name outside O(zone), instead of leaving it out.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Endpoint to a Premium registry with a geo-replica
  privnet.azure.private_endpoint:
    name: pe-acrprivnetdemo
    resource_group: rg-network
    virtual_network: vnet-app
    subnet: snet-workload
    target_id: "{{ registry_id }}"
  register: endpoint

- name: Its A records in privatelink.azurecr.io
  privnet.azure.private_dns_records:
    resource_group: rg-network
    zone: privatelink.azurecr.io
    records: "{{ endpoint.members | privnet.azure.members_to_records('privatelink.azurecr.io') }}"
  # records:
  #   - {name: acrprivnetdemo, type: A, ttl: 3600, values: [10.20.1.4]}
  #   - {name: acrprivnetdemo.westeurope.data, type: A, ttl: 3600, values: [10.20.1.5]}
  #   - {name: acrprivnetdemo.eastus.data, type: A, ttl: 3600, values: [10.20.1.6]}

- name: Short TTL, from an endpoint read with private_endpoint_info
  ansible.builtin.set_fact:
    blob_records: "{{ found.private_endpoints[0] | privnet.azure.members_to_records('privatelink.blob.core.windows.net', ttl=300) }}"

- name: A zone whose names follow another rule
  ansible.builtin.set_fact:
    records: "{{ endpoint.members | privnet.azure.members_to_records('privatelink.example.net', suffixes=['svc.example.com']) }}"
"""

RETURN = r"""
_value:
  description:
    - One record per public name in the zone, in the order of the members, each with C(name) (relative
      to the zone), C(type) (C(A), or C(AAAA) for an IPv6 address), C(ttl) and C(values) (the private
      addresses).
  type: list
  elements: dict
  sample:
    - {name: acrprivnetdemo, type: A, ttl: 3600, values: [10.20.1.4]}
    - {name: acrprivnetdemo.westeurope.data, type: A, ttl: 3600, values: [10.20.1.5]}
"""

import ipaddress
from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.module_utils._privatelink import (
    KNOWN_AFTER_APPLY,
    public_suffixes,
    relative_name,
)

MAX_TTL = 2147483647


def _members(value):
    """The list of member dicts in ``value`` (members, an endpoint, a result, or endpoints)."""
    if isinstance(value, Mapping):
        if "members" not in value:
            raise AnsibleFilterError("members_to_records: the input is a dict without 'members'; give the "
                                     "members list, or a private endpoint returned by privnet.azure.private_endpoint")
        return _members(value["members"] or [])
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise AnsibleFilterError(f"members_to_records: expected a list of members, got {type(value).__name__}")
    members = []
    for item in value:
        if isinstance(item, Mapping) and "members" in item and "fqdns" not in item:
            members.extend(_members(item))
        elif isinstance(item, Mapping):
            members.append(item)
        else:
            raise AnsibleFilterError(f"members_to_records: a member must be a dict with private_ip and fqdns, "
                                     f"got {type(item).__name__}")
    return members


def members_to_records(members, zone, ttl=3600, suffixes=None, strict=False):
    """Records ``{name, type, ttl, values}`` for the members' names in ``zone``."""
    if not isinstance(zone, str) or "." not in zone.strip().strip("."):
        raise AnsibleFilterError(f"members_to_records: zone {zone!r} is not a DNS zone name; give the private "
                                 "DNS zone, e.g. privatelink.azurecr.io")
    zone = zone.strip().strip(".").lower()
    try:
        ttl = int(ttl)
    except (TypeError, ValueError):
        raise AnsibleFilterError(f"members_to_records: ttl {ttl!r} is not a number of seconds") from None
    if not 1 <= ttl <= MAX_TTL:
        raise AnsibleFilterError(f"members_to_records: ttl {ttl} is out of range; give 1 to {MAX_TTL} seconds")
    accepted = public_suffixes(zone, suffixes)

    records = {}
    outside = []
    for member in _members(members):
        address = member.get("private_ip")
        if not address:
            continue  # Azure has not given this member an address yet
        if address == KNOWN_AFTER_APPLY:
            # A member check mode predicts: its record is known, its (IPv4) address is not.
            record_type, value = "A", KNOWN_AFTER_APPLY
        else:
            try:
                ip = ipaddress.ip_address(str(address))
            except ValueError:
                raise AnsibleFilterError(f"members_to_records: member {member.get('required_member_name')!r} has "
                                         f"private_ip {address!r}, which is not an IP address") from None
            record_type, value = ("A" if ip.version == 4 else "AAAA"), str(ip)
        for fqdn in member.get("fqdns") or []:
            fqdn = str(fqdn).strip().rstrip(".").lower()
            name = relative_name(fqdn, accepted)
            if name is None:
                outside.append(fqdn)
                continue
            record = records.setdefault(name, {"name": name, "type": record_type, "ttl": ttl, "values": []})
            if record["values"] and value not in record["values"]:
                raise AnsibleFilterError(f"members_to_records: {fqdn} would get two addresses, "
                                         f"{record['values'][0]} and {value}; give the members of one endpoint "
                                         "per zone (two endpoints to one resource need two zones)")
            if value not in record["values"]:
                record["values"].append(value)
    if outside and strict:
        raise AnsibleFilterError(f"members_to_records: {', '.join(outside)} not in zone {zone} (public suffixes "
                                 f"{', '.join(accepted)}); fix the zone, give suffixes, or set strict=false")
    if outside and not records:
        raise AnsibleFilterError(f"members_to_records: none of the members' names ({', '.join(outside)}) belongs to "
                                 f"zone {zone}; give the zone of this service (for a registry, "
                                 "privatelink.azurecr.io) or its public suffix in suffixes")
    return list(records.values())


class FilterModule:
    """privnet.azure filters."""

    def filters(self):
        return {"members_to_records": members_to_records}
