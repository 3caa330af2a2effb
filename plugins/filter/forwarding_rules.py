# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: forwarding_rules
short_description: Forwarding rules as a role takes them, turned into the rules of a DNS forwarding ruleset
version_added: 0.2.0
author:
  - privnet maintainers (!UNKNOWN)
description:
  - Takes forwarding rules in the short form of the C(hybrid_dns) role - C(domain) (dot-terminated), C(targets)
    (IPv4 addresses, or dicts with C(ip_address) and C(port)), optional C(name) and C(enabled) - and returns them
    as M(privnet.azure.dns_forwarding_ruleset) takes them in its C(rules) option.
  - A rule without a name is named after its domain - C(corp.contoso.com.) - C(corp-contoso-com) (a name starting
    with a digit or an underscore gets C(rule-) in front; C(.) is named C(all-names)), cut to 80 characters.
  - Check the rules first with M(privnet.azure.forwarding_rule_problems#filter); this filter does not check them.
positional: _input
options:
  _input:
    description: The rules, each a dict with C(domain), C(targets), optional C(name) and C(enabled).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: The on-premises zones to the on-premises DNS servers
  privnet.azure.dns_forwarding_ruleset:
    name: dnsfrs-hub
    resource_group: rg-hub
    rules: "{{ [{'domain': 'corp.contoso.com.', 'targets': ['192.168.10.4']}] | privnet.azure.forwarding_rules }}"
"""

RETURN = r"""
_value:
  description: The rules - C(name), C(domain_name), C(target_dns_servers) (C(ip_address), C(port)) and C(enabled)
    (null when not given, so an existing rule keeps its state).
  type: list
  elements: dict
"""

import re
from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

_NOT_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def rule_name_of(domain):
    """The default name of the rule for a domain."""
    text = str(domain or "").strip().rstrip(".")
    if not text:
        return "all-names"
    name = _NOT_NAME.sub("-", text.replace(".", "-")).strip("-") or "rule"
    if not name[0].isalpha():
        name = "rule-" + name
    return name[:80].rstrip("-")


def targets_of(targets):
    """[{ip_address, port}] from addresses or dicts (port 53 when not given)."""
    if isinstance(targets, (str, Mapping)):
        targets = [targets]
    out = []
    for target in targets or []:
        if isinstance(target, Mapping):
            port = target.get("port")
            out.append({"ip_address": str(target.get("ip_address") or "").strip(), "port": 53 if port is None else port})
        else:
            out.append({"ip_address": str(target).strip(), "port": 53})
    return out


def forwarding_rules(rules):
    if not isinstance(rules, Sequence) or isinstance(rules, (str, Mapping)):
        raise AnsibleFilterError("forwarding_rules: expected a list of rules ({domain, targets, name?, enabled?})")
    out = []
    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            raise AnsibleFilterError(f"forwarding_rules: [{index}] is not a dict ({{domain, targets}})")
        out.append({
            "name": rule.get("name") or rule_name_of(rule.get("domain")),
            "domain_name": str(rule.get("domain") or "").strip(),
            "target_dns_servers": targets_of(rule.get("targets")),
            "enabled": rule.get("enabled"),
        })
    return out


class FilterModule:
    """privnet.azure filters."""

    def filters(self):
        return {"forwarding_rules": forwarding_rules}
