# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.modules import storage_account_network
from ansible_collections.privnet.azure.tests.unit.helpers import arm_error, warnings_of
from ansible_collections.privnet.azure.tests.unit.plugins.modules.netrules_fakes import (
    SNET_GLOBAL,
    SNET_MISSING,
    SNET_NONE,
    SNET_SQL,
    SNET_STORAGE,
    SUB,
    install,
)

ST_ID = f"/subscriptions/{SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stprivnetdemo"
ARGS = {"subscription_id": SUB, "resource_group": "rg-data", "name": "stprivnetdemo"}
OTHER_RULE = {"id": SNET_GLOBAL, "action": "Allow", "state": "Succeeded"}


def account(**acls):
    """A storage account as ARM returns it, with properties the module must not touch."""
    network_acls = {"bypass": "AzureServices", "virtualNetworkRules": [], "ipRules": [], "defaultAction": "Allow",
                    "resourceAccessRules": [{"tenantId": "t", "resourceId": "/subscriptions/x/r"}]}
    network_acls.update(acls)
    return {"id": ST_ID, "name": "stprivnetdemo", "type": "Microsoft.Storage/storageAccounts", "location": "westeurope",
            "kind": "StorageV2", "sku": {"name": "Standard_LRS", "tier": "Standard"}, "tags": {"team": "data"},
            "properties": {"provisioningState": "Succeeded", "publicNetworkAccess": "Enabled",
                           "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False,
                           "networkAcls": network_acls}}


@pytest.fixture
def arm(monkeypatch):
    fake, network = install(monkeypatch, storage_account_network, {ST_ID: account()})
    fake.network = network
    return fake


def stored(arm):
    return arm.resources[ST_ID.lower()]


def test_sets_every_option_in_one_patch_keeping_what_it_does_not_manage(run_module, arm):
    result, failed = run_module(storage_account_network.main, dict(
        ARGS, default_action="Deny", ip_rules=["203.0.113.7", "198.51.100.0/24"], virtual_network_rules=[SNET_STORAGE],
        bypass=["Metrics", "AzureServices", "Logging"], _ansible_diff=True))
    assert not failed, result
    assert result["changed"] is True
    [(method, rid, body)] = arm.writes
    assert (method, rid) == ("PATCH", ST_ID)
    assert body == {"properties": {"networkAcls": {
        "bypass": "AzureServices, Logging, Metrics", "defaultAction": "Deny",
        "ipRules": [{"value": "203.0.113.7", "action": "Allow"}, {"value": "198.51.100.0/24", "action": "Allow"}],
        "virtualNetworkRules": [{"id": SNET_STORAGE, "action": "Allow"}],
        "resourceAccessRules": [{"tenantId": "t", "resourceId": "/subscriptions/x/r"}]}}}
    assert stored(arm)["properties"]["minimumTlsVersion"] == "TLS1_2"
    assert result["network"] == {
        "id": ST_ID, "name": "stprivnetdemo", "resource_group": "rg-data", "public_network_access": "Enabled",
        "default_action": "Deny", "ip_rules": ["203.0.113.7", "198.51.100.0/24"],
        "virtual_network_rules": [SNET_STORAGE], "bypass": ["AzureServices", "Logging", "Metrics"]}
    assert result["diff"] == {
        "before": {"bypass": ["AzureServices"], "default_action": "Allow", "ip_rules": [], "virtual_network_rules": []},
        "after": {"bypass": ["AzureServices", "Logging", "Metrics"], "default_action": "Deny",
                  "ip_rules": ["203.0.113.7", "198.51.100.0/24"], "virtual_network_rules": [SNET_STORAGE]}}
    assert arm.network.subnets_read == ["snet-storage"]
    assert warnings_of(result) == []


def test_second_run_changes_nothing_and_writes_nothing(run_module, arm):
    stored(arm)["properties"]["networkAcls"].update(
        defaultAction="Deny", bypass="Logging, AzureServices",
        ipRules=[{"value": "198.51.100.0/24", "action": "Allow"}, {"value": "203.0.113.7", "action": "Allow"}],
        virtualNetworkRules=[{"id": SNET_STORAGE.upper(), "action": "Allow", "state": "Succeeded"}])
    result, failed = run_module(storage_account_network.main, dict(
        ARGS, public_network_access="Enabled", default_action="Deny",
        ip_rules=["203.0.113.7", "198.51.100.0/24", "203.0.113.7"],
        virtual_network_rules=[SNET_STORAGE], bypass=["AzureServices", "Logging"]))
    assert (failed, result["changed"]) == (False, False)
    assert arm.writes == []
    assert arm.network.subnets_read == []  # a rule the account has is not checked again
    assert warnings_of(result) == []


def test_check_mode_predicts_and_writes_nothing(run_module, arm):
    result, failed = run_module(storage_account_network.main, dict(
        ARGS, default_action="Deny", _ansible_check_mode=True, _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    assert arm.writes == []
    assert result["network"]["default_action"] == "Deny"
    assert result["diff"] == {"before": {"default_action": "Allow"}, "after": {"default_action": "Deny"}}
    text = " ".join(warnings_of(result))
    assert "is to be set to default_action Deny without any IP or virtual network rule" in text
    assert "trusted Azure services through bypass AzureServices" in text


def test_purge_false_adds_and_keeps_rules_it_does_not_list(run_module, arm):
    stored(arm)["properties"]["networkAcls"].update(
        ipRules=[{"value": "192.0.2.10", "action": "Allow"}], virtualNetworkRules=[OTHER_RULE])
    result, failed = run_module(storage_account_network.main, dict(
        ARGS, ip_rules=["203.0.113.7"], purge_ip_rules=False, virtual_network_rules=[SNET_STORAGE],
        purge_virtual_network_rules=False))
    assert not failed and result["changed"]
    acls = arm.writes[0][2]["properties"]["networkAcls"]
    assert acls["ipRules"] == [{"value": "192.0.2.10", "action": "Allow"}, {"value": "203.0.113.7", "action": "Allow"}]
    assert acls["virtualNetworkRules"] == [OTHER_RULE, {"id": SNET_STORAGE, "action": "Allow"}]


def test_purge_removes_rules_not_listed(run_module, arm):
    stored(arm)["properties"]["networkAcls"].update(
        ipRules=[{"value": "192.0.2.10", "action": "Allow"}, {"value": "203.0.113.7", "action": "Allow"}],
        virtualNetworkRules=[OTHER_RULE])
    result, failed = run_module(storage_account_network.main, dict(
        ARGS, ip_rules=["203.0.113.7"], virtual_network_rules=[], _ansible_diff=True))
    assert not failed and result["changed"]
    acls = arm.writes[0][2]["properties"]["networkAcls"]
    assert acls["ipRules"] == [{"value": "203.0.113.7", "action": "Allow"}]
    assert acls["virtualNetworkRules"] == []
    assert result["diff"]["before"]["virtual_network_rules"] == [SNET_GLOBAL]
    assert result["network"]["virtual_network_rules"] == []


def test_storage_global_endpoint_counts(run_module, arm):
    result, failed = run_module(storage_account_network.main, dict(ARGS, virtual_network_rules=[SNET_GLOBAL]))
    assert not failed, result
    assert result["network"]["virtual_network_rules"] == [SNET_GLOBAL]


@pytest.mark.parametrize("subnet, text", [
    (SNET_NONE, "has no Microsoft.Storage or Microsoft.Storage.Global service endpoint (it has none)"),
    (SNET_SQL, "(it has Microsoft.Sql)"),
    (SNET_MISSING, "subnet 'snet-missing' of virtual network 'vnet-hub'"),
])
def test_subnet_without_the_endpoint_is_refused_before_any_write(run_module, arm, subnet, text):
    result, failed = run_module(storage_account_network.main, dict(
        ARGS, public_network_access="Enabled", default_action="Deny", virtual_network_rules=[SNET_STORAGE, subnet]))
    assert failed
    assert result["msg"].startswith("virtual_network_rules: ")
    assert text in result["msg"]
    assert "Nothing was changed" in result["msg"]
    if subnet != SNET_MISSING:
        assert "privnet.azure.service_endpoint" in result["msg"]
    else:
        assert "was not found" in result["msg"]
    assert arm.writes == []


def test_subnet_check_runs_in_check_mode_too(run_module, arm):
    result, failed = run_module(storage_account_network.main, dict(
        ARGS, virtual_network_rules=[SNET_NONE], _ansible_check_mode=True))
    assert failed and "service endpoint" in result["msg"]


@pytest.mark.parametrize("args, message", [
    ({"ip_rules": ["10.1.0.0/16"]}, r"^ip_rules: '10.1.0.0/16' is in the private range 10.0.0.0/8"),
    ({"ip_rules": ["192.168.1.7"]}, r"^ip_rules: '192.168.1.7' is in the private range 192.168.0.0/16"),
    ({"ip_rules": ["203.0.113.7/32"]}, r"^ip_rules: .*/31 and /32 ranges are not supported.*\(203.0.113.7\)"),
    ({"ip_rules": ["203.0.113.6/31"]}, r"^ip_rules: .*addresses instead \(203.0.113.6 and 203.0.113.7\)"),
    ({"ip_rules": ["203.0.113.7/24"]}, r"^ip_rules: .*host bits set.*203.0.113.0/24"),
    ({"ip_rules": ["2001:db8::/64"]}, r"^ip_rules: .*IPv6"),
    ({"ip_rules": ["office"]}, r"^ip_rules: 'office' is not an IPv4 address or range"),
    ({"ip_rules": [""]}, r"^ip_rules: holds an empty or null item"),
    ({"virtual_network_rules": ["snet-app"]}, r"^virtual_network_rules: 'snet-app' is not an Azure resource id"),
    ({"virtual_network_rules": [f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"]},
     r"^virtual_network_rules: .*is a Microsoft.Network/virtualNetworks id; expected a subnet id"),
    ({"bypass": ["None", "Logging"]}, r"^bypass: None cannot be combined with Logging"),
    ({"bypass": []}, r"^bypass: is empty"),
    ({"bypass": ["Everything"]}, r"^bypass: 'Everything' is not a bypass value"),
    ({"name": "St-Privnet"}, r"^name: 'St-Privnet' is not a valid storage account name; use lowercase letters"),
    ({"name": "st", "resource_group": "rg"}, r"^name: 'st' has 2 characters"),
    ({"name": None}, r"^name: is null"),
    ({"resource_group": None, "default_action": "Deny"}, r"^name: 'stprivnetdemo' is a bare name, so resource_group is "
                                                         "required"),
    ({"name": "/subscriptions/%s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1" % SUB},
     r"^name: .* is a Microsoft.KeyVault/vaults id; expected a Microsoft.Storage/storageAccounts id"),
])
def test_bad_input_fails_naming_the_field_before_any_call(run_module, arm, args, message):
    result, failed = run_module(storage_account_network.main, dict(ARGS, **args))
    assert failed
    assert __import__("re").search(message, result["msg"]), result["msg"]
    assert arm.calls == []


def test_account_given_by_id_in_another_subscription(run_module, arm):
    other = ST_ID.replace(SUB, "22222222-2222-4222-8222-222222222222")
    arm.resources[other.lower()] = dict(account(), id=other)
    result, failed = run_module(storage_account_network.main, {"subscription_id": SUB, "name": other,
                                                               "default_action": "Deny", "ip_rules": ["203.0.113.7"]})
    assert not failed, result
    assert arm.subscription_id == "22222222-2222-4222-8222-222222222222"
    assert arm.writes[0][1] == other


def test_missing_account_is_reported(run_module, arm):
    result, failed = run_module(storage_account_network.main, dict(ARGS, name="stmissing", default_action="Deny"))
    assert failed
    assert "storage account 'stmissing' (resource group 'rg-data') was not found" in result["msg"]
    assert arm.writes == []


def test_disabling_public_access_warns_and_sends_only_that(run_module, arm):
    result, failed = run_module(storage_account_network.main, dict(ARGS, public_network_access="Disabled"))
    assert not failed
    assert arm.writes[0][2] == {"properties": {"publicNetworkAccess": "Disabled"}}
    assert "clients reach it through private endpoints" in " ".join(warnings_of(result))


def test_azure_error_is_reported_with_code_and_message(run_module, arm):
    arm.fail_on[("PATCH", ST_ID.lower())] = arm_error(400, "NetworkAclsValidationFailure",
                                                      "Validation of network acls failure.")
    result, failed = run_module(storage_account_network.main, dict(ARGS, default_action="Deny"))
    assert failed
    assert result["msg"] == ("updating the network rules of storage account 'stprivnetdemo' (resource group "
                             "'rg-data'): NetworkAclsValidationFailure: Validation of network acls failure.")
    assert result["azure_error"]["code"] == "NetworkAclsValidationFailure"


def test_account_without_network_acls_gets_a_whole_rule_set(run_module, arm):
    del stored(arm)["properties"]["networkAcls"]
    del stored(arm)["properties"]["publicNetworkAccess"]
    result, failed = run_module(storage_account_network.main, dict(ARGS, ip_rules=["203.0.113.7"]))
    assert not failed and result["changed"]
    assert arm.writes[0][2] == {"properties": {"networkAcls": {"defaultAction": "Allow", "ipRules": [
        {"value": "203.0.113.7", "action": "Allow"}]}}}
