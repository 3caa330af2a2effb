# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.network_rule_kind import network_rule_kind

RG = "/subscriptions/s1/resourceGroups/rg-data/providers/"


@pytest.mark.parametrize("rid, module, service", [
    (RG + "Microsoft.Storage/storageAccounts/st1", "storage_account_network", "Microsoft.Storage"),
    (RG + "microsoft.storage/STORAGEACCOUNTS/st1", "storage_account_network", "Microsoft.Storage"),
    (RG + "Microsoft.KeyVault/vaults/kv1", "key_vault_network", "Microsoft.KeyVault"),
    (RG + "Microsoft.Sql/servers/sql1", "sql_server_network", "Microsoft.Sql"),
])
def test_each_supported_type_maps_to_its_module(rid, module, service):
    kind = network_rule_kind(rid)
    assert kind["module"] == module
    assert kind["services"][0] == service
    assert kind["resource_group"] == "rg-data" and kind["subscription"] == "s1"


def test_storage_accepts_the_global_endpoint_too():
    assert "Microsoft.Storage.Global" in network_rule_kind(RG + "Microsoft.Storage/storageAccounts/st1")["services"]


def test_other_types_have_no_module_unless_strict():
    rid = RG + "Microsoft.DocumentDB/databaseAccounts/cosmos1"
    assert network_rule_kind(rid)["module"] == ""
    with pytest.raises(AnsibleFilterError, match="Microsoft.Storage/storageAccounts, Microsoft.KeyVault/vaults"):
        network_rule_kind(rid, strict=True)


@pytest.mark.parametrize("rid", ["", None, 42, "st1", RG + "Microsoft.Sql/servers/sql1/databases/db"])
def test_not_a_resource_id(rid):
    with pytest.raises(AnsibleFilterError):
        network_rule_kind(rid)
