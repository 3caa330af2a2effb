# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: shared_leaders
short_description: For each resource many hosts of a play share, the first host that names it
version_added: 0.2.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - In a fleet, many hosts (units of work) name the same shared resource - a subnet, a private DNS zone and its
    link. Each host publishes the keys of the shared resources it needs in a fact; this filter returns, for every
    key, the first host of the play (in play order) that names it, so that only that host writes the resource
    and forks do not race to write it.
  - An empty key (V("") or null) is a resource the host does not need, and is left out.
  - Needs the linear strategy, which finishes the task publishing the fact on every host before the next task.
  - Run it once for the whole play, with C(run_once) on an C(ansible.builtin.set_fact), whose fact then goes to every
    host. Evaluated by every host instead, each would read every host's fact, which grows with the square of the fleet.
positional: _input, hostvars, fact
options:
  _input:
    description: The play's hosts, in order (C(ansible_play_hosts)).
    type: list
    elements: str
    required: true
  hostvars:
    description: C(hostvars).
    type: raw
    required: true
  fact:
    description: The name of the fact holding each host's keys - a dict (its values are the keys) or a list of keys.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Which host writes each shared resource, for the whole play
  ansible.builtin.set_fact:
    my_leaders: "{{ ansible_play_hosts | privnet.azure.shared_leaders(hostvars, 'my_shared_keys') }}"
  run_once: true

- name: The zone, written by the first host naming it
  privnet.azure.private_dns_zone:
    name: privatelink.azurecr.io
    resource_group: rg-network
  when: my_leaders[my_shared_keys.zone] == inventory_hostname
"""

RETURN = r"""
_value:
  description: A dict, key - the first host naming it.
  type: dict
"""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def shared_leaders(hosts, hostvars, fact):
    if not isinstance(fact, str) or not fact:
        raise AnsibleFilterError("shared_leaders: fact must be the name of the fact holding each host's keys")
    leaders = {}
    for host in hosts or []:
        keys = (hostvars.get(host) or {}).get(fact) or {}
        values = keys.values() if isinstance(keys, Mapping) else keys
        if isinstance(values, str):
            raise AnsibleFilterError(f"shared_leaders: fact {fact} of host {host} is a string; give a dict or a list of keys")
        for key in values:
            if key:
                leaders.setdefault(key, host)
    return leaders


class FilterModule:
    """privnet.azure filters."""

    def filters(self):
        return {"shared_leaders": shared_leaders}
