# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.forwarding_rule_problems import forwarding_rule_problems
from ansible_collections.privnet.azure.plugins.filter.forwarding_rules import forwarding_rules, rule_name_of

GOOD = [{"domain": "corp.contoso.example.", "targets": ["192.168.10.4", {"ip_address": "192.168.10.5", "port": 5353}]},
        {"name": "lab", "domain": "lab.contoso.example.", "targets": "192.168.30.4", "enabled": False}]


def test_rules_in_the_modules_shape():
    assert forwarding_rules(GOOD) == [
        {"name": "corp-contoso-example", "domain_name": "corp.contoso.example.", "enabled": None,
         "target_dns_servers": [{"ip_address": "192.168.10.4", "port": 53}, {"ip_address": "192.168.10.5", "port": 5353}]},
        {"name": "lab", "domain_name": "lab.contoso.example.", "enabled": False,
         "target_dns_servers": [{"ip_address": "192.168.30.4", "port": 53}]}]
    with pytest.raises(AnsibleFilterError):
        forwarding_rules("corp.contoso.example.")


@pytest.mark.parametrize("domain, name", [("corp.contoso.example.", "corp-contoso-example"), (".", "all-names"),
                                          ("1corp.example.", "rule-1corp-example"), ("_sip.example.", "rule-_sip-example"),
                                          ("a" * 63 + "." + "b" * 63 + ".", ("a" * 63 + "-" + "b" * 63)[:80])])
def test_default_names(domain, name):
    assert rule_name_of(domain) == name


def test_good_rules_have_no_problem():
    assert forwarding_rule_problems(GOOD, "hybrid_dns_forwarding_rules") == []
    assert forwarding_rule_problems([]) == []


def test_each_problem_names_the_variable_and_the_fix():
    problems = forwarding_rule_problems([{"domain": "corp.contoso.example", "targets": ["192.168.10.4"]}], "v")
    assert problems == ["v[0].domain: 'corp.contoso.example' has no trailing dot; a forwarding rule's domain name is "
                        "dot-terminated: write 'corp.contoso.example.'"]
    assert "v[0].targets: is empty" in forwarding_rule_problems([{"domain": "a.example.", "targets": []}], "v")[0]
    assert "168.63.129.16 (Azure DNS) cannot be a forwarding target" in forwarding_rule_problems(
        [{"domain": "a.example.", "targets": ["168.63.129.16"]}])[0]
    assert "is not an IP address" in forwarding_rule_problems([{"domain": "a.example.", "targets": ["dns1"]}])[0]
    assert "at most 6" in forwarding_rule_problems([{"domain": "a.example.", "targets": ["10.0.0.1"] * 7}])[0]
    assert "v[0].domain: give the domain" in forwarding_rule_problems([{"targets": ["10.0.0.1"]}], "v")[0]
    assert "not a valid forwarding rule name" in forwarding_rule_problems(
        [{"name": "9x", "domain": "a.example.", "targets": ["10.0.0.1"]}])[0]
    twice = forwarding_rule_problems([{"domain": "a.example.", "targets": ["10.0.0.1"]},
                                      {"name": "other", "domain": "A.example.", "targets": ["10.0.0.2"]}], "v")
    assert twice == ["v[1].domain: 'a.example.' is also in v[0]; give each rule a name and a domain of its own"]


def test_a_rule_to_the_linked_inbound_endpoint_loops():
    problems = forwarding_rule_problems([{"domain": "a.example.", "targets": ["10.60.0.4"]}], "v", ["10.60.0.4"])
    assert len(problems) == 1 and "resolution loop" in problems[0]
    assert forwarding_rule_problems([{"domain": "a.example.", "targets": ["10.60.0.4"]}], "v", [None]) == []
