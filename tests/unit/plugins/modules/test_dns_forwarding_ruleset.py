# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""dns_forwarding_ruleset over the in-memory Microsoft.Network of vpn_fakes (Azure's JSON by id)."""

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.modules import dns_forwarding_ruleset as module_under_test
from ansible_collections.privnet.azure.tests.unit.helpers import arm_error, warnings_of
from ansible_collections.privnet.azure.tests.unit.plugins.modules.vpn_fakes import HUB, SUB, VNET_HUB, install_network, net, vnet, written

RULESET_ID = f"{HUB}/dnsForwardingRulesets/ruleset-onprem"
OUTBOUND_ID = f"{HUB}/dnsResolvers/dnspr-hub/outboundEndpoints/outbound"
SPOKE = f"{net('rg-spokes')}/virtualNetworks/vnet-spoke1"
ARGS = {"subscription_id": SUB, "name": "ruleset-onprem", "resource_group": "rg-hub"}
RULE = {"name": "corp", "domain_name": "corp.contoso.com.",
        "target_dns_servers": [{"ip_address": "192.168.0.10"}, {"ip_address": "192.168.0.11", "port": 5353}]}
CREATE = dict(ARGS, outbound_endpoints=[OUTBOUND_ID], rules=[RULE],
              virtual_network_links=[{"virtual_network": "vnet-spoke1", "resource_group": "rg-spokes"}])


@pytest.fixture
def network(monkeypatch):
    fake = install_network(monkeypatch)
    fake.add(vnet())
    fake.add(vnet(SPOKE))
    fake.add(vnet(f"{net('rg-spokes')}/virtualNetworks/vnet-far", location="eastus"))
    fake.add({"id": OUTBOUND_ID, "name": "outbound", "location": "westeurope",
              "properties": {"subnet": {"id": f"{VNET_HUB}/subnets/snet-dns-outbound"},
                             "provisioningState": "Succeeded"}})
    return fake


def test_creates_the_ruleset_its_rules_and_links(run_module, network):
    result, failed = run_module(module_under_test.main, dict(CREATE, _ansible_diff=True))
    assert not failed and result["changed"]
    puts = written(network)
    assert [i for _m, i, _b in puts] == [RULESET_ID, f"{RULESET_ID}/forwardingRules/corp",
                                         f"{RULESET_ID}/virtualNetworkLinks/vnet-spoke1"]
    assert puts[0][2] == {"location": "westeurope", "properties": {"dnsResolverOutboundEndpoints": [{"id": OUTBOUND_ID}]}}
    assert puts[1][2] == {"properties": {"domainName": "corp.contoso.com.", "forwardingRuleState": "Enabled",
                                         "targetDnsServers": [{"ipAddress": "192.168.0.10", "port": 53},
                                                              {"ipAddress": "192.168.0.11", "port": 5353}]}}
    assert puts[2][2] == {"properties": {"virtualNetwork": {"id": SPOKE}}}
    ruleset = result["dns_forwarding_ruleset"]
    assert ruleset["id"] == RULESET_ID and ruleset["outbound_endpoint_ids"] == [OUTBOUND_ID]
    assert ruleset["rules"][0]["target_dns_servers"] == [{"ip_address": "192.168.0.10", "port": 53},
                                                         {"ip_address": "192.168.0.11", "port": 5353}]
    assert ruleset["virtual_network_links"][0]["virtual_network_id"] == SPOKE
    assert result["diff"]["before"] == {"state": "absent"}
    assert {v for _m, i, v in network.calls if "dnsForwardingRulesets" in i} == {"2025-05-01"}


def test_second_run_writes_nothing(run_module, network):
    run_module(module_under_test.main, CREATE)
    network.writes.clear()
    result, failed = run_module(module_under_test.main, dict(CREATE, _ansible_diff=True))
    assert (failed, result["changed"]) == (False, False)
    assert network.writes == []
    assert result["diff"]["before"] == result["diff"]["after"]


def test_check_mode_predicts_and_writes_nothing(run_module, network):
    result, failed = run_module(module_under_test.main, dict(CREATE, _ansible_check_mode=True))
    assert (failed, result["changed"]) == (False, True) and network.writes == []
    ruleset = result["dns_forwarding_ruleset"]
    assert [r["domain_name"] for r in ruleset["rules"]] == ["corp.contoso.com."]
    assert [k["name"] for k in ruleset["virtual_network_links"]] == ["vnet-spoke1"]


def test_check_mode_predicts_a_ruleset_whose_outbound_endpoint_an_earlier_task_would_create(run_module, network):
    missing = f"{HUB}/dnsResolvers/dnspr-hub/outboundEndpoints/outbound-new"
    result, failed = run_module(module_under_test.main,
                                dict(CREATE, outbound_endpoints=[missing], _ansible_check_mode=True))
    assert (failed, result["changed"]) == (False, True) and network.writes == []
    assert any("outbound endpoint 'outbound-new'" in w and "a real run fails unless it exists" in w
               for w in warnings_of(result))
    assert result["dns_forwarding_ruleset"]["outbound_endpoint_ids"] == [missing]
    # A real run still refuses before any write.
    result, failed = run_module(module_under_test.main, dict(CREATE, outbound_endpoints=[missing]))
    assert failed and "outbound endpoint 'outbound-new'" in result["msg"] and "Nothing was changed" in result["msg"]
    assert network.writes == []


def test_disabling_a_rule_keeps_its_other_properties_and_shows_in_the_diff(run_module, network):
    run_module(module_under_test.main, dict(CREATE, rules=[dict(RULE, metadata={"owner": "dns-team"})]))
    network.writes.clear()
    result, failed = run_module(module_under_test.main, dict(ARGS, rules=[dict(RULE, enabled=False)],
                                                             _ansible_diff=True))
    assert not failed and result["changed"]
    [(_m, rule_id, body)] = written(network)
    assert rule_id == f"{RULESET_ID}/forwardingRules/corp"
    assert body["properties"]["forwardingRuleState"] == "Disabled"
    assert body["properties"]["metadata"] == {"owner": "dns-team"}
    assert "provisioningState" not in body["properties"]
    assert result["diff"]["before"]["rules"][0]["enabled"] is True
    assert result["diff"]["after"]["rules"][0]["enabled"] is False


def test_purge_deletes_unlisted_rules_and_links_only_when_asked(run_module, network):
    run_module(module_under_test.main, CREATE)
    network.writes.clear()
    other = {"name": "lab", "domain_name": "lab.contoso.com.", "target_dns_servers": [{"ip_address": "192.168.1.10"}]}
    result, failed = run_module(module_under_test.main, dict(ARGS, rules=[other]))
    assert not failed and [i for _m, i, _b in network.writes] == [f"{RULESET_ID}/forwardingRules/lab"]
    assert sorted(r["name"] for r in result["dns_forwarding_ruleset"]["rules"]) == ["corp", "lab"]
    network.writes.clear()
    result, failed = run_module(module_under_test.main, dict(ARGS, rules=[other], purge_rules=True,
                                                             virtual_network_links=[], purge_virtual_network_links=True,
                                                             _ansible_diff=True))
    assert not failed and result["changed"]
    deleted = [i for _m, i, _b in written(network, "DELETE")]
    assert deleted == [f"{RULESET_ID}/forwardingRules/corp", f"{RULESET_ID}/virtualNetworkLinks/vnet-spoke1"]
    assert [r["name"] for r in result["diff"]["after"]["rules"]] == ["lab"]
    assert result["diff"]["after"]["virtual_network_links"] == []


def test_purge_needs_its_list(run_module, network):
    result, failed = run_module(module_under_test.main, dict(ARGS, purge_rules=True))
    assert failed and result["msg"].startswith("purge_rules: true needs rules")
    assert network.writes == []


@pytest.mark.parametrize("rule, message", [
    ({"domain_name": "corp.contoso.com"},
     "rules[0].domain_name: 'corp.contoso.com' has no trailing dot; a forwarding rule's domain name is dot-terminated: "
     "write 'corp.contoso.com.'"),
    ({"domain_name": "corp..com."}, "rules[0].domain_name: 'corp..com.' is not a valid domain name"),
    ({"domain_name": ""}, "rules[0].domain_name: is empty"),
    ({"domain_name": None}, "rules[0].domain_name: is null"),
    ({"name": "1corp"}, "rules[0].name: '1corp' is not a valid forwarding rule name"),
    ({"target_dns_servers": []}, "rules[0].target_dns_servers: is empty"),
    ({"target_dns_servers": [{"ip_address": "168.63.129.16"}]},
     "rules[0].target_dns_servers[0].ip_address: 168.63.129.16 (Azure DNS) cannot be a forwarding target"),
    ({"target_dns_servers": [{"ip_address": "dns1"}]},
     "rules[0].target_dns_servers[0].ip_address: 'dns1' is not an IP address"),
    ({"target_dns_servers": [{"ip_address": "10.0.0.1", "port": 0}]}, "rules[0].target_dns_servers[0].port: 0"),
    ({"target_dns_servers": [{"ip_address": f"10.0.0.{i}"} for i in range(1, 8)]},
     "rules[0].target_dns_servers: 7 given; Azure allows at most 6"),
])
def test_bad_rules_fail_before_any_write(run_module, network, rule, message):
    result, failed = run_module(module_under_test.main, dict(CREATE, rules=[dict(RULE, **rule)]))
    assert failed, result
    assert message in result["msg"]
    assert network.writes == []


@pytest.mark.parametrize("args, message", [
    ({"rules": [RULE, dict(RULE, name="corp2")]},
     "rules[1].domain_name: 'corp.contoso.com.' is also in rules[0]"),
    ({"outbound_endpoints": [f"{VNET_HUB}/subnets/snet-dns-outbound"]},
     "outbound_endpoints[0]: '/subscriptions/"),
    ({"outbound_endpoints": [f"{HUB}/dnsResolvers/dnspr-hub/outboundEndpoints/nope"]},
     "outbound_endpoints[0]: outbound endpoint 'nope' of DNS resolver 'dnspr-hub' (resource group 'rg-hub') was not "
     "found"),
    ({"outbound_endpoints": None}, "outbound_endpoints: DNS forwarding ruleset 'ruleset-onprem' (resource group "
                                   "'rg-hub') does not exist"),
    ({"virtual_network_links": [{"virtual_network": "vnet-far", "resource_group": "rg-spokes"}]},
     "virtual_network_links[0].virtual_network: virtual network 'vnet-far' is in eastus, the ruleset in westeurope"),
    ({"virtual_network_links": [{"virtual_network": "vnet-none"}]},
     "virtual_network_links[0].virtual_network: virtual network 'vnet-none' was not found"),
    ({"virtual_network_links": [{"virtual_network": "vnet-hub"}, {"virtual_network": VNET_HUB, "name": "again"}]},
     "virtual_network_links[1].virtual_network: 'vnet-hub' is also linked by virtual_network_links[0]"),
    ({"location": "northeurope"}, "outbound_endpoints[0]: outbound endpoint 'outbound' is in westeurope, the ruleset "
                                  "in northeurope"),
    ({"name": "ruleset onprem"}, "name: 'ruleset onprem' is not a valid dns forwarding ruleset name"),
])
def test_bad_input_fails_before_any_write(run_module, network, args, message):
    result, failed = run_module(module_under_test.main, dict(CREATE, **args))
    assert failed, result
    assert message in result["msg"]
    assert network.writes == []


def test_a_rule_domain_or_a_link_network_cannot_change(run_module, network):
    run_module(module_under_test.main, CREATE)
    network.writes.clear()
    result, failed = run_module(module_under_test.main, dict(ARGS, rules=[dict(RULE, domain_name="other.com.")]))
    assert failed and result["msg"].startswith("rules[0].domain_name: rule 'corp' is for corp.contoso.com. and a "
                                               "rule's domain name cannot be changed")
    result, failed = run_module(module_under_test.main, dict(ARGS, virtual_network_links=[
        {"name": "vnet-spoke1", "virtual_network": "vnet-hub"}]))
    assert failed and "link 'vnet-spoke1' is to virtual network 'vnet-spoke1'" in result["msg"]
    assert network.writes == []


def test_azure_error_is_code_and_message(run_module, network):
    def refuse(resource_id, stored):
        if "/forwardingrules/" in resource_id.lower():
            raise arm_error(400, "BadRequest", "Exception while making add request for rule.")
    network.put_hooks.append(refuse)
    result, failed = run_module(module_under_test.main, CREATE)
    assert failed
    assert result["msg"] == ("writing rule 'corp' of DNS forwarding ruleset 'ruleset-onprem' (resource group 'rg-hub'): "
                             "BadRequest: Exception while making add request for rule.")


def test_absent_deletes_the_links_then_the_ruleset(run_module, network):
    run_module(module_under_test.main, CREATE)
    network.writes.clear()
    result, failed = run_module(module_under_test.main, dict(ARGS, state="absent", _ansible_check_mode=True))
    assert (failed, result["changed"]) == (False, True) and network.writes == []
    result, failed = run_module(module_under_test.main, dict(ARGS, state="absent"))
    deleted = [i for _m, i, _b in written(network, "DELETE")]
    assert deleted == [f"{RULESET_ID}/virtualNetworkLinks/vnet-spoke1", RULESET_ID]
    result, failed = run_module(module_under_test.main, dict(ARGS, state="absent"))
    assert (failed, result["changed"]) == (False, False)
