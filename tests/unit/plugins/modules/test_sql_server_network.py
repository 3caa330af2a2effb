# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import re

import pytest

from ansible_collections.privnet.azure.plugins.modules import sql_server_network
from ansible_collections.privnet.azure.tests.unit.helpers import arm_error, warnings_of
from ansible_collections.privnet.azure.tests.unit.plugins.modules.netrules_fakes import (
    SNET_MISSING,
    SNET_NONE,
    SNET_SQL,
    SNET_STORAGE,
    SUB,
    install,
)

SQL_ID = f"/subscriptions/{SUB}/resourceGroups/rg-data/providers/Microsoft.Sql/servers/sql-privnet-demo"
ARGS = {"subscription_id": SUB, "resource_group": "rg-data", "name": "sql-privnet-demo"}
OFFICE = {"name": "office", "start_ip_address": "203.0.113.0", "end_ip_address": "203.0.113.255"}
APP = {"name": "snet-sql", "subnet_id": SNET_SQL}


def server(public="Enabled"):
    return {"id": SQL_ID, "name": "sql-privnet-demo", "type": "Microsoft.Sql/servers", "location": "westeurope",
            "kind": "v12.0", "properties": {"administratorLogin": "sqladmin", "version": "12.0",
                                            "publicNetworkAccess": public, "minimalTlsVersion": "1.2",
                                            "state": "Ready"}}


def firewall(name, start, end):
    return {"id": f"{SQL_ID}/firewallRules/{name}", "name": name, "type": "Microsoft.Sql/servers/firewallRules",
            "properties": {"startIpAddress": start, "endIpAddress": end}}


def vnet_rule(name, subnet, state="Ready"):
    return {"id": f"{SQL_ID}/virtualNetworkRules/{name}", "name": name,
            "type": "Microsoft.Sql/servers/virtualNetworkRules",
            "properties": {"virtualNetworkSubnetId": subnet, "ignoreMissingVnetServiceEndpoint": False, "state": state}}


@pytest.fixture
def arm(monkeypatch):
    fake, network = install(monkeypatch, sql_server_network, {SQL_ID: server()})
    fake.network = network
    return fake


def add(arm, *resources):
    for resource in resources:
        arm.resources[resource["id"].lower()] = resource


def test_writes_each_rule_that_differs_and_nothing_else(run_module, arm):
    add(arm, firewall("office", "203.0.113.0", "203.0.113.127"), firewall("old", "192.0.2.1", "192.0.2.1"))
    result, failed = run_module(sql_server_network.main, dict(
        ARGS, firewall_rules=[OFFICE, {"name": "agent", "start_ip_address": "198.51.100.7",
                                       "end_ip_address": "198.51.100.7"}],
        virtual_network_rules=[APP], _ansible_diff=True))
    assert not failed, result
    assert arm.writes == [
        ("DELETE", f"{SQL_ID}/firewallRules/old", None),
        ("PUT", f"{SQL_ID}/firewallRules/agent", {"properties": {"startIpAddress": "198.51.100.7",
                                                                 "endIpAddress": "198.51.100.7"}}),
        ("PUT", f"{SQL_ID}/firewallRules/office", {"properties": {"startIpAddress": "203.0.113.0",
                                                                  "endIpAddress": "203.0.113.255"}}),
        ("PUT", f"{SQL_ID}/virtualNetworkRules/snet-sql", {"properties": {
            "virtualNetworkSubnetId": SNET_SQL, "ignoreMissingVnetServiceEndpoint": False}}),
    ]
    network = result["network"]
    assert [r["name"] for r in network["firewall_rules"]] == ["agent", "office"]
    assert network["virtual_network_rules"][0]["subnet_id"] == SNET_SQL
    assert result["diff"]["before"]["firewall_rules"] == [
        {"name": "office", "start_ip_address": "203.0.113.0", "end_ip_address": "203.0.113.127"},
        {"name": "old", "start_ip_address": "192.0.2.1", "end_ip_address": "192.0.2.1"}]
    assert result["diff"]["after"]["virtual_network_rules"] == [{"name": "snet-sql", "subnet_id": SNET_SQL}]
    assert arm.resources[SQL_ID.lower()]["properties"]["minimalTlsVersion"] == "1.2"


def test_second_run_writes_nothing(run_module, arm):
    add(arm, firewall("Office", "203.0.113.0", "203.0.113.255"), vnet_rule("snet-sql", SNET_SQL.upper()))
    result, failed = run_module(sql_server_network.main, dict(
        ARGS, public_network_access="Enabled", firewall_rules=[OFFICE], virtual_network_rules=[APP]))
    assert (failed, result["changed"]) == (False, False)
    assert arm.writes == []
    assert arm.network.subnets_read == []
    assert result["network"]["virtual_network_rules"][0]["state"] == "Ready"
    assert warnings_of(result) == []


def test_check_mode_predicts_and_writes_nothing(run_module, arm):
    result, failed = run_module(sql_server_network.main, dict(
        ARGS, firewall_rules=[OFFICE], virtual_network_rules=[APP], _ansible_check_mode=True, _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    assert arm.writes == []
    assert result["network"]["firewall_rules"] == [OFFICE]
    assert result["diff"]["before"] == {"firewall_rules": [], "virtual_network_rules": []}


def test_purge_false_keeps_other_rules(run_module, arm):
    add(arm, firewall("keep", "192.0.2.1", "192.0.2.1"), vnet_rule("other", SNET_STORAGE))
    result, failed = run_module(sql_server_network.main, dict(
        ARGS, firewall_rules=[OFFICE], purge_firewall_rules=False, virtual_network_rules=[APP],
        purge_virtual_network_rules=False))
    assert not failed and result["changed"]
    assert [w[0] for w in arm.writes] == ["PUT", "PUT"]
    assert [r["name"] for r in result["network"]["firewall_rules"]] == ["keep", "office"]
    assert [r["name"] for r in result["network"]["virtual_network_rules"]] == ["other", "snet-sql"]


@pytest.mark.parametrize("subnet, text", [
    (SNET_NONE, "has no Microsoft.Sql service endpoint (it has none)"),
    (SNET_STORAGE, "has no Microsoft.Sql service endpoint (it has Microsoft.Storage)"),
    (SNET_MISSING, "was not found"),
])
def test_subnet_without_the_endpoint_is_refused_before_any_write(run_module, arm, subnet, text):
    result, failed = run_module(sql_server_network.main, dict(
        ARGS, public_network_access="Enabled", firewall_rules=[OFFICE],
        virtual_network_rules=[{"name": "app", "subnet_id": subnet}]))
    assert failed
    assert result["msg"].startswith("virtual_network_rules[app]: ") and text in result["msg"]
    assert "ignore_missing_vnet_service_endpoint: true" in result["msg"]
    assert arm.writes == []


def test_ignore_missing_endpoint_creates_the_rule_and_warns(run_module, arm):
    result, failed = run_module(sql_server_network.main, dict(ARGS, virtual_network_rules=[
        {"name": "app", "subnet_id": SNET_NONE, "ignore_missing_vnet_service_endpoint": True}]))
    assert not failed, result
    assert arm.writes[0][2]["properties"]["ignoreMissingVnetServiceEndpoint"] is True
    assert "admits the subnet's traffic only once the endpoint is added" in " ".join(warnings_of(result))


def test_opening_public_access_comes_before_the_rules(run_module, arm):
    arm.resources[SQL_ID.lower()]["properties"]["publicNetworkAccess"] = "Disabled"
    result, failed = run_module(sql_server_network.main, dict(ARGS, public_network_access="Enabled",
                                                              firewall_rules=[OFFICE]))
    assert not failed, result
    assert [(m, i) for m, i, _b in arm.writes] == [("PATCH", SQL_ID), ("PUT", f"{SQL_ID}/firewallRules/office")]
    assert arm.writes[0][2] == {"properties": {"publicNetworkAccess": "Enabled"}}


def test_closing_public_access_comes_after_the_rules_and_warns(run_module, arm):
    result, failed = run_module(sql_server_network.main, dict(ARGS, public_network_access="Disabled",
                                                              firewall_rules=[OFFICE]))
    assert not failed, result
    assert [(m, i) for m, i, _b in arm.writes] == [("PUT", f"{SQL_ID}/firewallRules/office"), ("PATCH", SQL_ID)]
    assert "public network access to SQL server 'sql-privnet-demo' is disabled" in " ".join(warnings_of(result))


def test_rules_to_add_to_a_server_that_stays_closed_are_refused(run_module, arm):
    arm.resources[SQL_ID.lower()]["properties"]["publicNetworkAccess"] = "Disabled"
    result, failed = run_module(sql_server_network.main, dict(ARGS, firewall_rules=[OFFICE]))
    assert failed
    assert result["msg"].startswith("firewall_rules: public network access of SQL server 'sql-privnet-demo'")
    assert "Set public_network_access: Enabled" in result["msg"]
    assert arm.writes == []


def test_removing_rules_of_a_closed_server_is_allowed(run_module, arm):
    arm.resources[SQL_ID.lower()]["properties"]["publicNetworkAccess"] = "Disabled"
    add(arm, firewall("old", "192.0.2.1", "192.0.2.1"))
    result, failed = run_module(sql_server_network.main, dict(ARGS, firewall_rules=[]))
    assert not failed, result
    assert arm.writes == [("DELETE", f"{SQL_ID}/firewallRules/old", None)]


def test_removing_the_azure_services_rule_warns(run_module, arm):
    add(arm, firewall("AllowAllWindowsAzureIps", "0.0.0.0", "0.0.0.0"))
    result, failed = run_module(sql_server_network.main, dict(ARGS, firewall_rules=[OFFICE]))
    assert not failed
    assert "Allow Azure services and resources to access this server" in " ".join(warnings_of(result))


@pytest.mark.parametrize("args, message", [
    ({"firewall_rules": [dict(OFFICE, start_ip_address="203.0.113.300")]},
     r"^firewall_rules\[0\].start_ip_address: '203.0.113.300' is not an IPv4 address"),
    ({"firewall_rules": [dict(OFFICE, end_ip_address="2001:db8::1")]}, r"^firewall_rules\[0\].end_ip_address: .*IPv6"),
    ({"firewall_rules": [dict(OFFICE, start_ip_address="203.0.113.9", end_ip_address="203.0.113.1")]},
     r"^firewall_rules\[0\]: start_ip_address 203.0.113.9 is after end_ip_address 203.0.113.1"),
    ({"firewall_rules": [OFFICE, dict(OFFICE, name="OFFICE")]}, r"^firewall_rules\[1\].name: 'OFFICE' is given twice"),
    ({"firewall_rules": [dict(OFFICE, name=None)]}, r"^firewall_rules\[0\].name: is null"),
    ({"firewall_rules": [dict(OFFICE, name="")]}, r"^firewall_rules\[0\].name: is empty"),
    ({"virtual_network_rules": [{"name": "a", "subnet_id": "snet-app"}]},
     r"^virtual_network_rules\[0\].subnet_id: 'snet-app' is not an Azure resource id"),
    ({"virtual_network_rules": [APP, dict(APP)]}, r"^virtual_network_rules\[1\].name: 'snet-sql' is given twice"),
    ({"name": "SQL_Server"}, r"^name: 'SQL_Server' is not a valid sql server name"),
])
def test_bad_input_fails_before_any_call(run_module, arm, args, message):
    result, failed = run_module(sql_server_network.main, dict(ARGS, **args))
    assert failed
    assert re.search(message, result["msg"]), result["msg"]
    assert arm.calls == []


def test_azure_error_on_a_rule_is_reported(run_module, arm):
    arm.fail_on[("PUT", f"{SQL_ID}/firewallRules/office".lower())] = arm_error(
        400, "FirewallRuleInvalidRange", "The specified firewall rule range is invalid.")
    result, failed = run_module(sql_server_network.main, dict(ARGS, firewall_rules=[OFFICE]))
    assert failed
    assert result["msg"] == ("writing firewall rule 'office' of SQL server 'sql-privnet-demo' (resource group "
                             "'rg-data'): FirewallRuleInvalidRange: The specified firewall rule range is invalid.")


def test_missing_server_is_reported(run_module, arm):
    result, failed = run_module(sql_server_network.main, dict(ARGS, name="sql-missing", public_network_access="Disabled"))
    assert failed and "SQL server 'sql-missing' (resource group 'rg-data') was not found" in result["msg"]


def test_public_access_alone_reports_the_rules_too(run_module, arm):
    add(arm, firewall("office", "203.0.113.0", "203.0.113.255"), vnet_rule("app", SNET_SQL))
    result, failed = run_module(sql_server_network.main, dict(ARGS, public_network_access="Enabled"))
    assert (failed, result["changed"]) == (False, False)
    assert result["network"]["firewall_rules"] == [OFFICE]
    assert result["network"]["virtual_network_rules"] == [{"name": "app", "subnet_id": SNET_SQL,
                                                           "ignore_missing_vnet_service_endpoint": False,
                                                           "state": "Ready"}]
