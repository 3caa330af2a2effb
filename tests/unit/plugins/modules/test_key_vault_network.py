# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import re

import pytest

from ansible_collections.privnet.azure.plugins.modules import key_vault_network
from ansible_collections.privnet.azure.tests.unit.helpers import warnings_of
from ansible_collections.privnet.azure.tests.unit.plugins.modules.netrules_fakes import (
    SNET_MISSING,
    SNET_STORAGE,
    SNET_VAULT,
    SUB,
    install,
)

KV_ID = f"/subscriptions/{SUB}/resourceGroups/rg-sec/providers/Microsoft.KeyVault/vaults/kv-privnet-demo"
ARGS = {"subscription_id": SUB, "resource_group": "rg-sec", "name": "kv-privnet-demo"}
POLICIES = [{"tenantId": "t", "objectId": "o", "permissions": {"secrets": ["get"]}}]


def vault(**acls):
    """A key vault as ARM returns it (spec example updateVault.json's shape)."""
    network_acls = {"bypass": "AzureServices", "defaultAction": "Allow", "ipRules": [], "virtualNetworkRules": []}
    network_acls.update(acls)
    return {"id": KV_ID, "name": "kv-privnet-demo", "type": "Microsoft.KeyVault/vaults", "location": "westeurope",
            "tags": {}, "properties": {"sku": {"family": "A", "name": "standard"}, "tenantId": "t",
                                       "accessPolicies": POLICIES, "enableSoftDelete": True,
                                       "vaultUri": "https://kv-privnet-demo.vault.azure.net/",
                                       "publicNetworkAccess": "Enabled", "networkAcls": network_acls}}


@pytest.fixture
def arm(monkeypatch):
    fake, network = install(monkeypatch, key_vault_network, {KV_ID: vault()})
    fake.network = network
    return fake


def stored(arm):
    return arm.resources[KV_ID.lower()]


def test_sets_the_firewall_in_one_patch_in_key_vault_shapes(run_module, arm):
    result, failed = run_module(key_vault_network.main, dict(
        ARGS, default_action="Deny", ip_rules=["203.0.113.7", "198.51.100.0/24"], virtual_network_rules=[SNET_VAULT],
        bypass="None", _ansible_diff=True))
    assert not failed, result
    [(method, rid, body)] = arm.writes
    assert (method, rid) == ("PATCH", KV_ID)
    assert body == {"properties": {"networkAcls": {
        "bypass": "None", "defaultAction": "Deny", "ipRules": [{"value": "203.0.113.7"}, {"value": "198.51.100.0/24"}],
        "virtualNetworkRules": [{"id": SNET_VAULT}]}}}
    assert stored(arm)["properties"]["accessPolicies"] == POLICIES
    assert result["network"]["bypass"] == "None"
    assert result["diff"]["before"] == {"bypass": "AzureServices", "default_action": "Allow", "ip_rules": [],
                                        "virtual_network_rules": []}
    assert arm.network.subnets_read == ["snet-vault"]


def test_a_single_address_shown_with_32_is_the_same_rule(run_module, arm):
    """Key Vault shows a single address as a /32 range (terraform-provider-azurerm #2164, azure-cli #18479)."""
    stored(arm)["properties"]["networkAcls"].update(
        defaultAction="Deny", ipRules=[{"value": "203.0.113.7/32"}, {"value": "198.51.100.0/24"}],
        virtualNetworkRules=[{"id": SNET_VAULT.lower(), "ignoreMissingVnetServiceEndpoint": False}])
    result, failed = run_module(key_vault_network.main, dict(
        ARGS, default_action="Deny", ip_rules=["198.51.100.0/24", "203.0.113.7"], virtual_network_rules=[SNET_VAULT],
        bypass="AzureServices", public_network_access="Enabled"))
    assert (failed, result["changed"]) == (False, False)
    assert arm.writes == []
    assert result["network"]["ip_rules"] == ["203.0.113.7/32", "198.51.100.0/24"]


def test_kept_rules_are_sent_back_as_read(run_module, arm):
    kept = {"id": SNET_VAULT, "ignoreMissingVnetServiceEndpoint": True}
    stored(arm)["properties"]["networkAcls"].update(ipRules=[{"value": "203.0.113.7/32"}], virtualNetworkRules=[kept])
    result, failed = run_module(key_vault_network.main, dict(ARGS, ip_rules=["203.0.113.7", "192.0.2.10"]))
    assert not failed and result["changed"]
    acls = arm.writes[0][2]["properties"]["networkAcls"]
    assert acls["ipRules"] == [{"value": "203.0.113.7/32"}, {"value": "192.0.2.10"}]
    assert "virtualNetworkRules" in acls and acls["virtualNetworkRules"] == [kept]


def test_check_mode_writes_nothing_and_warns(run_module, arm):
    result, failed = run_module(key_vault_network.main, dict(
        ARGS, default_action="Deny", bypass="None", _ansible_check_mode=True))
    assert (failed, result["changed"]) == (False, True)
    assert arm.writes == []
    text = " ".join(warnings_of(result))
    assert "key vault 'kv-privnet-demo' is to be set to default_action Deny without any IP or virtual network rule" in text
    assert "trusted Microsoft services" not in text


@pytest.mark.parametrize("subnet, text", [
    (SNET_STORAGE, "has no Microsoft.KeyVault service endpoint (it has Microsoft.Storage)"),
    (SNET_MISSING, "was not found"),
])
def test_subnet_without_the_endpoint_is_refused_before_any_write(run_module, arm, subnet, text):
    result, failed = run_module(key_vault_network.main, dict(ARGS, default_action="Deny",
                                                             virtual_network_rules=[subnet]))
    assert failed
    assert result["msg"].startswith("virtual_network_rules: ") and text in result["msg"]
    assert "a virtual network rule for key vault 'kv-privnet-demo'" in result["msg"]
    assert arm.writes == []


@pytest.mark.parametrize("args, message", [
    ({"ip_rules": ["172.16.4.0/24"]}, r"^ip_rules: .*private range 172.16.0.0/12"),
    ({"ip_rules": ["203.0.113.7/32"]}, r"^ip_rules: .*/31 and /32 ranges are not supported"),
    ({"name": "kv--demo"}, r"^name: 'kv--demo' is not a valid key vault name"),
    ({"name": "1kv"}, r"^name: '1kv' is not a valid key vault name"),
    ({"bypass": "Logging"}, r"^value of bypass must be one of: AzureServices, None"),
    ({"name": ""}, r"^name: is empty"),
])
def test_bad_input_fails_before_any_call(run_module, arm, args, message):
    result, failed = run_module(key_vault_network.main, dict(ARGS, **args))
    assert failed
    assert re.search(message, result["msg"]), result["msg"]
    assert arm.calls == []


def test_disabling_public_access(run_module, arm):
    result, failed = run_module(key_vault_network.main, dict(ARGS, public_network_access="Disabled"))
    assert not failed and result["changed"]
    assert arm.writes[0][2] == {"properties": {"publicNetworkAccess": "Disabled"}}
    assert result["network"]["public_network_access"] == "Disabled"
    assert "public network access to key vault 'kv-privnet-demo' is disabled" in " ".join(warnings_of(result))
