# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: forwarding_rule_problems
short_description: What a DNS forwarding ruleset would refuse in a role's forwarding rules, before any write
version_added: 0.2.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - A role writes the DNS Private Resolver before its forwarding ruleset, and M(privnet.azure.dns_forwarding_ruleset)
    checks its rules only when it runs. This filter makes the same checks first (module_utils C(_resolver)), so that
    bad rules fail before anything is written - a domain name without its trailing dot, a rule name Azure refuses,
    no target or more than 6, a target that is not an IPv4 address or is Azure DNS (168.63.129.16), a port out of
    range, a name or a domain given twice.
  - With O(inbound_ip_addresses) (the resolver's inbound endpoint addresses, when its virtual network is linked to the
    ruleset), a rule forwarding to one of them is a problem too - Microsoft documents a resolution loop
    (C(dns/private-resolver-endpoints-rulesets.md)).
  - Returns the problems found, each naming the variable and the fix; an empty list when there is none.
positional: _input
options:
  _input:
    description: The rules as the C(hybrid_dns) role takes them (C(domain), C(targets), C(name), C(enabled)).
    type: list
    elements: dict
    required: true
  prefix:
    description: The variable holding the rules, named in the messages (C(<prefix>[0].domain)).
    type: str
    default: rules
  inbound_ip_addresses:
    description: Addresses no rule may forward to (the inbound endpoint of a linked virtual network).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Refuse bad rules before any write
  ansible.builtin.assert:
    that: my_problems == []
    fail_msg: "{{ my_problems | join('; ') }}. Nothing was changed."
  vars:
    my_problems: "{{ my_rules | privnet.azure.forwarding_rule_problems(prefix='my_rules') }}"
"""

RETURN = r"""
_value:
  description: The problems found, in the order of the rules; empty when there is none.
  type: list
  elements: str
"""

from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.forwarding_rules import rule_name_of, targets_of
from ansible_collections.privnet.azure.plugins.module_utils._resolver import (
    MAX_RULES,
    domain_name,
    rule_name,
    target_servers,
)


def forwarding_rule_problems(rules, prefix="rules", inbound_ip_addresses=None):
    if not isinstance(rules, Sequence) or isinstance(rules, (str, Mapping)):
        raise AnsibleFilterError("forwarding_rule_problems: expected a list of rules ({domain, targets, name?})")
    problems = []
    if len(rules) > MAX_RULES:
        problems.append(f"{prefix}: {len(rules)} rules; a ruleset holds at most {MAX_RULES}")
    avoid = {str(a) for a in inbound_ip_addresses or [] if a}
    names, domains = {}, {}
    for index, rule in enumerate(rules):
        where = f"{prefix}[{index}]"
        if not isinstance(rule, Mapping):
            problems.append(f"{where}: give a dict with domain and targets")
            continue
        if not rule.get("domain"):
            problems.append(f"{where}.domain: give the domain to forward, dot-terminated (corp.contoso.com.)")
            domain = None
        else:
            try:
                domain = domain_name(rule["domain"], f"{where}.domain")
            except ValueError as err:
                problems.append(str(err))
                domain = None
        name = rule.get("name") or rule_name_of(rule.get("domain"))
        try:
            rule_name(name, f"{where}.name")
        except ValueError as err:
            problems.append(str(err))
        for seen, key, label in ((names, str(name).lower(), f"{where}.name: {name!r}"),
                                 (domains, domain, f"{where}.domain: {domain!r}")):
            if key is None:
                continue
            if key in seen:
                problems.append(f"{label} is also in {seen[key]}; give each rule a name and a domain of its own")
            else:
                seen[key] = where
        try:
            servers = target_servers(targets_of(rule.get("targets")), f"{where}.targets")
        except (ValueError, TypeError) as err:
            problems.append(str(err))
            continue
        for server in servers:
            if server["ip_address"] in avoid:
                problems.append(f"{where}.targets: {server['ip_address']} is the resolver's inbound endpoint, in a "
                                "virtual network linked to the ruleset: a resolution loop (Microsoft Learn); forward "
                                "to the on-premises DNS servers")
    return problems


class FilterModule:
    """privnet.azure filters."""

    def filters(self):
        return {"forwarding_rule_problems": forwarding_rule_problems}
