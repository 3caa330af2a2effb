# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.module_utils import _netrules as nr
from ansible_collections.privnet.azure.tests.unit.helpers import SUBNET_ID, subnet_wire


@pytest.mark.parametrize("value, expected", [
    ("203.0.113.7", "203.0.113.7"),
    (" 198.51.100.0/24 ", "198.51.100.0/24"),
    ("198.51.100.0/30", "198.51.100.0/30"),
    ("100.64.0.0/10", "100.64.0.0/10"),
    ("0.0.0.0/0", "0.0.0.0/0"),  # holds private ranges; what Azure says to it is not documented
])
def test_ip_rule_canonical(value, expected):
    assert nr.ip_rule(value) == expected


@pytest.mark.parametrize("value, message", [
    ("10.0.0.1", "private range 10.0.0.0/8"),
    ("172.20.0.0/16", "private range 172.16.0.0/12"),
    ("203.0.113.7/32", "write the address instead (203.0.113.7)"),
    ("203.0.113.6/31", "write the addresses instead (203.0.113.6 and 203.0.113.7)"),
    ("203.0.113.7/24", "host bits set; for /24 the range is 203.0.113.0/24"),
    ("2001:db8::1", "IPv6"),
    ("203.0.113", "not an IPv4 address or range"),
    (None, "not an IPv4 address or range"),
])
def test_ip_rule_refusals_name_the_option(value, message):
    with pytest.raises(ValueError) as err:
        nr.ip_rule(value, "ip_rules")
    assert str(err.value).startswith("ip_rules: ")
    assert message in str(err.value)


def test_rule_key_makes_an_address_and_its_32_one_rule():
    assert nr.rule_key("203.0.113.7") == nr.rule_key("203.0.113.7/32") == "203.0.113.7/32"
    assert nr.rule_set(["203.0.113.7/32", "198.51.100.0/24", "203.0.113.7"]) == ["198.51.100.0/24", "203.0.113.7/32"]


def test_merge_keeps_azure_spelling_and_appends_new_ones():
    current = ["203.0.113.7/32", "192.0.2.1"]
    purged = nr.merge(["203.0.113.7", "198.51.100.0/24"], current, True, nr.rule_key)
    assert purged == ["203.0.113.7/32", "198.51.100.0/24"]
    assert nr.merge(["203.0.113.7", "198.51.100.0/24"], current, False, nr.rule_key) == [
        "203.0.113.7/32", "192.0.2.1", "198.51.100.0/24"]
    assert nr.merge([], current, True, nr.rule_key) == []
    assert nr.merge(["A", "a"], [], True, str.lower) == ["A"]


def test_subnet_id_checks_the_type():
    assert nr.subnet_id(SUBNET_ID).leaf_name == "snet-pe"
    with pytest.raises(ValueError, match=r"^virtual_network_rules: .* is a Microsoft.Network/virtualNetworks id"):
        nr.subnet_id(SUBNET_ID.rsplit("/subnets/", 1)[0])
    with pytest.raises(ValueError, match=r"^rules\[0\]: 'x' is not an Azure resource id"):
        nr.subnet_id("x", "rules[0]")


def test_endpoint_problem():
    rid = nr.subnet_id(SUBNET_ID)
    storage = subnet_wire()  # Microsoft.Storage
    assert nr.endpoint_problem(storage, rid, nr.STORAGE_ENDPOINTS, "storage account 'st'") is None
    global_only = subnet_wire(serviceEndpoints=[{"service": "microsoft.storage.global"}])
    assert nr.endpoint_problem(global_only, rid, nr.STORAGE_ENDPOINTS, "storage account 'st'") is None
    problem = nr.endpoint_problem(storage, rid, nr.KEY_VAULT_ENDPOINTS, "key vault 'kv'")
    assert problem.startswith("virtual_network_rules: subnet 'snet-pe' of virtual network 'vnet-hub'")
    assert "has no Microsoft.KeyVault service endpoint (it has Microsoft.Storage)" in problem
    assert "services: [Microsoft.KeyVault]" in problem
    assert "was not found" in nr.endpoint_problem(None, rid, nr.SQL_ENDPOINTS, "SQL server 's'")


def test_check_subnet_endpoints_reads_each_subnet_and_raises_on_the_first_problem():
    read = []

    def reader(rid):
        read.append(rid.leaf_name)
        return subnet_wire(serviceEndpoints=[])

    assert nr.check_subnet_endpoints(reader, [], nr.SQL_ENDPOINTS, "SQL server 's'") == []
    with pytest.raises(ValueError, match="has no Microsoft.Sql service endpoint"):
        nr.check_subnet_endpoints(reader, [SUBNET_ID, SUBNET_ID], nr.SQL_ENDPOINTS, "SQL server 's'")
    assert read == ["snet-pe"]


@pytest.mark.parametrize("values, expected", [
    (["metrics", "AzureServices", "Logging", "Metrics"], ["AzureServices", "Logging", "Metrics"]),
    (["None"], ["None"]),
    (None, None),
])
def test_storage_bypass(values, expected):
    assert nr.storage_bypass(values) == expected


def test_bypass_wire_form():
    assert nr.split_bypass("Logging, Metrics") == ["Logging", "Metrics"]
    assert nr.split_bypass(None) == []
    assert nr.join_bypass(["AzureServices", "Logging"]) == "AzureServices, Logging"


def test_acl_patch_sends_only_what_changed_and_the_whole_rule_set():
    resource = {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/st",
                "properties": {"publicNetworkAccess": "Enabled", "networkAcls": {
                    "defaultAction": "Deny", "bypass": "AzureServices", "resourceAccessRules": [{"tenantId": "t"}],
                    "ipRules": [{"value": "203.0.113.7", "action": "Allow"}],
                    "virtualNetworkRules": [{"id": SUBNET_ID, "action": "Allow", "state": "Succeeded"}]}}}
    assert nr.acl_patch(resource, {"public_network_access": "Disabled"}, ["public_network_access"], bypass_list=True,
                        ip_rule_body=dict, vnet_rule_body=dict) == {"properties": {"publicNetworkAccess": "Disabled"}}
    body = nr.acl_patch(resource, {"ip_rules": ["203.0.113.7", "198.51.100.0/24"]}, ["ip_rules"], bypass_list=True,
                        ip_rule_body=lambda v: {"value": v}, vnet_rule_body=lambda v: {"id": v})
    assert body == {"properties": {"networkAcls": {
        "defaultAction": "Deny", "bypass": "AzureServices", "resourceAccessRules": [{"tenantId": "t"}],
        "ipRules": [{"value": "203.0.113.7", "action": "Allow"}, {"value": "198.51.100.0/24"}],
        "virtualNetworkRules": [{"id": SUBNET_ID, "action": "Allow", "state": "Succeeded"}]}}}
    view = nr.acl_view(resource, bypass_list=True)
    assert view["resource_group"] == "g" and view["bypass"] == ["AzureServices"]
    assert view["virtual_network_rules"] == [SUBNET_ID]
