# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.service_network_rules import service_network_rules

RG = "/subscriptions/s1/resourceGroups/rg-data/providers/"
ST = RG + "Microsoft.Storage/storageAccounts/st1"
KV = RG + "Microsoft.KeyVault/vaults/kv1"
SQL = RG + "Microsoft.Sql/servers/sql1"


def subnet(name, services, resources=None):
    item = {"virtual_network": "vnet-app", "resource_group": "rg-network", "name": name, "services": services}
    if resources is not None:
        item["service_resources"] = resources
    return item


def test_one_rule_per_subnet_and_resource_with_its_module():
    rules = service_network_rules([
        subnet("snet-a", [{"service": "Microsoft.Storage", "locations": ["westeurope"]}, "Microsoft.KeyVault"], [ST, KV]),
        subnet("snet-b", ["Microsoft.EventHub"]),
        subnet("snet-c", ["microsoft.sql"], [SQL]),
    ])
    assert [(r["module"], r["subnet_index"], r["subnet"]) for r in rules] == [
        ("storage_account_network", 0, "snet-a"), ("key_vault_network", 0, "snet-a"), ("sql_server_network", 2, "snet-c")]
    assert rules[2]["rule_name"] == "vnet-app-snet-c"
    assert rules[0]["resource_id"] == ST and rules[0]["name"] == "st1" and rules[0]["resource_group"] == "rg-data"


def test_the_global_storage_endpoint_serves_a_storage_rule():
    assert service_network_rules([subnet("snet-a", ["Microsoft.Storage.Global"], [ST])])[0]["service"] == "Microsoft.Storage"


def test_a_subnet_without_the_endpoint_is_refused_naming_subnet_and_fix():
    with pytest.raises(AnsibleFilterError) as info:
        service_network_rules([subnet("snet-a", ["Microsoft.KeyVault"], [KV, ST])])
    message = str(info.value)
    assert "vnet-app/snet-a" in message and "st1" in message
    assert "Add Microsoft.Storage to the subnet's services (privnet.azure.service_endpoint)" in message
    assert "Nothing was changed" in message


@pytest.mark.parametrize("subnets, message", [
    ([subnet("snet-a", ["Microsoft.Web"], [RG + "Microsoft.Web/sites/app1"])], "managed for Microsoft.Storage"),
    ([subnet("snet-a", ["Microsoft.Storage"], ["st1"])], "not an Azure resource id"),
    ([subnet("snet-a", ["Microsoft.Storage"], [ST, ST.upper().replace("SUBSCRIPTIONS", "subscriptions")])], "twice"),
    ([subnet("snet-a", ["Microsoft.Storage"], ST)], "must be a list"),
    ("snet-a", "expected the list"),
])
def test_refused_input(subnets, message):
    with pytest.raises(AnsibleFilterError, match=message):
        service_network_rules(subnets)
