# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import copy
from unittest.mock import MagicMock

import pytest

from ansible_collections.privnet.azure.plugins.module_utils._armjson import CONTAINER_REGISTRY_API
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.modules import acr_network
from ansible_collections.privnet.azure.tests.unit.helpers import (
    FakePoller,
    arm_error,
    install_arm,
    not_found,
    split_id,
    warnings_of,
)

REG_ID = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acrprivnetdemo"
PE_ID = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints/pe-acr"
ARGS = {"subscription_id": "11111111-1111-4111-8111-111111111111", "resource_group": "rg-acr", "name": "acrprivnetdemo"}


def registry_wire(sku="Premium", **properties):
    """A registry as ARM returns it, with properties the module must not touch."""
    props = {
        "loginServer": "acrprivnetdemo.azurecr.io",
        "provisioningState": "Succeeded",
        "adminUserEnabled": False,
        "publicNetworkAccess": "Enabled",
        "networkRuleBypassOptions": "AzureServices",
        "dataEndpointEnabled": False,
        "dataEndpointHostNames": [],
        "zoneRedundancy": "Disabled",
        "policies": {"retentionPolicy": {"days": 7, "status": "disabled"}},
        "networkRuleSet": {"defaultAction": "Allow", "ipRules": []},
        "privateEndpointConnections": [{
            "id": f"{REG_ID}/privateEndpointConnections/acrprivnetdemo.abc",
            "name": "acrprivnetdemo.abc",
            "properties": {"privateEndpoint": {"id": PE_ID},
                           "privateLinkServiceConnectionState": {"status": "Approved", "description": "ok",
                                                                 "actionsRequired": "None"},
                           "provisioningState": "Succeeded"}}],
    }
    props.update(properties)
    return {"id": REG_ID, "name": "acrprivnetdemo", "type": "Microsoft.ContainerRegistry/registries",
            "location": "westeurope", "sku": {"name": sku, "tier": sku}, "tags": {"team": "ops"},
            "properties": props}


@pytest.fixture
def acr(monkeypatch):
    """One registry held as wire JSON behind AzureModule.arm(): ``acr.get(id)``, ``acr.list_replications(id)`` and
    ``acr.patch(id, body)`` are mocks, a PATCH merges the properties the way ARM does; ``acr.clients`` records
    ("containerregistry", subscription) of each request."""
    fake = MagicMock()
    fake.wire = registry_wire()
    fake.clients = []
    fake.get.side_effect = lambda resource_id: copy.deepcopy(fake.wire)
    fake.list_replications.side_effect = lambda resource_id: [
        {"name": "westeurope", "location": "westeurope"}, {"name": "eastus", "location": "East US"}]

    def patch(resource_id, body):
        fake.wire["properties"].update(body.get("properties", {}))
        return copy.deepcopy(fake.wire)

    fake.patch.side_effect = patch

    def handler(method, resource_id, body, headers):
        fake.clients.append(("containerregistry", split_id(resource_id)[0]))
        if method == "LIST":
            assert resource_id == f"{REG_ID}/replications"
            return fake.list_replications(resource_id)
        assert resource_id == REG_ID
        return fake.get(resource_id) if method == "GET" else fake.patch(resource_id, body)

    calls = install_arm(monkeypatch, handler)
    yield fake
    assert {api for _m, _id, api in calls} <= {CONTAINER_REGISTRY_API}


def sent(acr):
    [call] = acr.patch.call_args_list
    resource_id, body = call.args
    assert resource_id == REG_ID
    return body


def test_disables_public_access_with_one_patch_of_only_that_field(run_module, acr):
    result, failed = run_module(acr_network.main, dict(ARGS, public_network_access="Disabled"))
    assert not failed
    assert result["changed"] is True
    assert sent(acr) == {"properties": {"publicNetworkAccess": "Disabled"}}
    assert result["registry"]["public_network_access"] == "Disabled"
    # what the module does not manage is still there
    assert acr.wire["properties"]["policies"] == {"retentionPolicy": {"days": 7, "status": "disabled"}}
    assert acr.wire["tags"] == {"team": "ops"}
    text = " ".join(warnings_of(result))
    assert "az acr build" in text and "dedicated agent pool" in text
    assert "through network_rule_bypass: AzureServices" in text
    assert "outside the virtual network" in text


def test_every_option_in_a_single_patch(run_module, acr):
    result, failed = run_module(acr_network.main, dict(
        ARGS, public_network_access="Disabled", default_action="Deny", ip_rules=["203.0.113.7", "198.51.100.0/24"],
        network_rule_bypass="None", data_endpoint_enabled=True, _ansible_diff=True))
    assert not failed and result["changed"]
    assert acr.patch.call_count == 1
    assert sent(acr) == {"properties": {
        "publicNetworkAccess": "Disabled", "networkRuleBypassOptions": "None", "dataEndpointEnabled": True,
        "networkRuleSet": {"defaultAction": "Deny", "ipRules": [{"action": "Allow", "value": "203.0.113.7"},
                                                                {"action": "Allow", "value": "198.51.100.0/24"}]}}}
    assert result["diff"]["before"] == {"data_endpoint_enabled": False, "default_action": "Allow", "ip_rules": [],
                                        "network_rule_bypass": "AzureServices", "public_network_access": "Enabled"}
    assert result["diff"]["after"] == {"data_endpoint_enabled": True, "default_action": "Deny",
                                       "ip_rules": ["203.0.113.7", "198.51.100.0/24"],
                                       "network_rule_bypass": "None", "public_network_access": "Disabled"}
    assert "trusted Azure services can no longer reach it" in " ".join(warnings_of(result))


def test_second_run_is_idempotent_with_zero_writes(run_module, acr):
    acr.wire["properties"].update(publicNetworkAccess="Disabled", networkRuleBypassOptions="AzureServices",
                                  networkRuleSet={"defaultAction": "Deny",
                                                  "ipRules": [{"action": "Allow", "value": "198.51.100.0/24"},
                                                              {"action": "Allow", "value": "203.0.113.7"}]})
    result, failed = run_module(acr_network.main, dict(
        ARGS, public_network_access="Disabled", default_action="Deny",
        ip_rules=["203.0.113.7/32", "198.51.100.0/24", "203.0.113.7"], network_rule_bypass="AzureServices"))
    assert (failed, result["changed"]) == (False, False)
    acr.patch.assert_not_called()
    assert warnings_of(result) == []


def test_check_mode_predicts_and_writes_nothing(run_module, acr):
    result, failed = run_module(acr_network.main, dict(ARGS, default_action="Deny", ip_rules=["203.0.113.7"],
                                                       _ansible_check_mode=True, _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    acr.patch.assert_not_called()
    assert result["registry"]["default_action"] == "Deny"
    assert result["registry"]["ip_rules"] == ["203.0.113.7"]
    assert result["diff"] == {"before": {"default_action": "Allow", "ip_rules": []},
                              "after": {"default_action": "Deny", "ip_rules": ["203.0.113.7"]}}


def test_purge_removes_rules_not_listed_and_keeps_the_default_action(run_module, acr):
    acr.wire["properties"]["networkRuleSet"] = {
        "defaultAction": "Deny", "ipRules": [{"action": "Allow", "value": "192.0.2.1"},
                                             {"action": "Allow", "value": "203.0.113.7"}]}
    result, failed = run_module(acr_network.main, dict(ARGS, ip_rules=["203.0.113.7/32"]))
    assert not failed and result["changed"]
    assert sent(acr) == {"properties": {"networkRuleSet": {
        "defaultAction": "Deny", "ipRules": [{"action": "Allow", "value": "203.0.113.7"}]}}}


def test_without_purge_rules_are_added_and_others_kept(run_module, acr):
    acr.wire["properties"]["networkRuleSet"] = {"defaultAction": "Deny",
                                                "ipRules": [{"action": "Allow", "value": "192.0.2.1"}]}
    result, failed = run_module(acr_network.main, dict(ARGS, ip_rules=["203.0.113.7", "192.0.2.1"],
                                                       purge_ip_rules=False, _ansible_diff=True))
    assert not failed and result["changed"]
    assert [r["value"] for r in sent(acr)["properties"]["networkRuleSet"]["ipRules"]] == ["192.0.2.1", "203.0.113.7"]
    assert result["diff"]["after"]["ip_rules"] == ["192.0.2.1", "203.0.113.7"]
    # Nothing to add: no write
    acr.patch.reset_mock()
    again, _failed = run_module(acr_network.main, dict(ARGS, ip_rules=["192.0.2.1"], purge_ip_rules=False))
    assert again["changed"] is False
    acr.patch.assert_not_called()


def test_empty_list_with_purge_removes_every_rule(run_module, acr):
    acr.wire["properties"]["networkRuleSet"] = {"defaultAction": "Deny",
                                                "ipRules": [{"action": "Allow", "value": "192.0.2.1"}]}
    result, _failed = run_module(acr_network.main, dict(ARGS, ip_rules=[]))
    assert result["changed"]
    assert sent(acr)["properties"]["networkRuleSet"] == {"defaultAction": "Deny", "ipRules": []}


def test_legacy_virtual_network_rules_are_sent_back_and_warned_about(run_module, acr):
    vnet_rule = {"action": "Allow", "id": "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.Network/"
                                          "virtualNetworks/v/subnets/s"}
    acr.wire["properties"]["networkRuleSet"] = {"defaultAction": "Allow", "ipRules": [],
                                                "virtualNetworkRules": [vnet_rule]}
    result, _failed = run_module(acr_network.main, dict(ARGS, default_action="Deny"))
    assert sent(acr)["properties"]["networkRuleSet"]["virtualNetworkRules"] == [vnet_rule]
    assert any("1 virtual network (service endpoint) rule(s)" in w for w in warnings_of(result))


def test_no_approved_connection_is_warned_about_when_closing(run_module, acr):
    acr.wire["properties"]["privateEndpointConnections"] = []
    result, _failed = run_module(acr_network.main, dict(ARGS, public_network_access="Disabled", _ansible_check_mode=True))
    assert any("no approved private endpoint connection" in w for w in warnings_of(result))
    assert any("is to be disabled" in w for w in warnings_of(result))


@pytest.mark.parametrize("sku", ["Basic", "Standard"])
def test_non_premium_registry_is_refused_before_any_write(run_module, acr, sku):
    acr.wire = registry_wire(sku=sku)
    result, failed = run_module(acr_network.main, dict(ARGS, public_network_access="Disabled"))
    assert failed
    assert f"is on the {sku} SKU" in result["msg"]
    assert "Upgrade the registry to Premium" in result["msg"]
    assert "az acr update --name acrprivnetdemo --sku Premium" in result["msg"]
    assert result["sku"] == sku
    acr.patch.assert_not_called()
    acr.list_replications.assert_not_called()


def test_report_only_works_on_any_sku(run_module, acr):
    acr.wire = registry_wire(sku="Basic")
    result, failed = run_module(acr_network.main, ARGS)
    assert (failed, result["changed"]) == (False, False)
    assert result["registry"]["sku"] == "Basic"
    assert result["registry"]["replicas"] == []


def test_result_carries_what_the_dns_step_needs(run_module, acr):
    result, _failed = run_module(acr_network.main, ARGS)
    registry = result["registry"]
    assert registry["login_server"] == "acrprivnetdemo.azurecr.io"
    assert registry["replicas"] == ["eastus"]
    assert registry["data_endpoint_host_names"] == ["acrprivnetdemo.westeurope.data.azurecr.io",
                                                    "acrprivnetdemo.eastus.data.azurecr.io"]
    assert registry["private_endpoint_connections"] == [{"name": "acrprivnetdemo.abc", "private_endpoint_id": PE_ID,
                                                         "status": "Approved", "description": "ok"}]
    assert registry["resource_group"] == "rg-acr"
    assert acr.list_replications.call_count == 1


def test_data_endpoint_host_names_as_azure_reports_them(run_module, acr):
    acr.wire["properties"]["dataEndpointHostNames"] = ["acrprivnetdemo.westeurope.data.azurecr.io",
                                                       "acrprivnetdemo.eastus.data.azurecr.io"]
    result, _failed = run_module(acr_network.main, ARGS)
    assert result["registry"]["data_endpoint_host_names"] == ["acrprivnetdemo.westeurope.data.azurecr.io",
                                                              "acrprivnetdemo.eastus.data.azurecr.io"]


def test_enum_case_from_azure_does_not_cause_a_change(run_module, acr):
    acr.wire["properties"].update(publicNetworkAccess="disabled", networkRuleBypassOptions="azureservices")
    result, _failed = run_module(acr_network.main, dict(ARGS, public_network_access="Disabled",
                                                        network_rule_bypass="AzureServices"))
    assert result["changed"] is False
    acr.patch.assert_not_called()


@pytest.mark.parametrize("rule,message", [
    ("203.0.113.7/24", "ip_rules: '203.0.113.7/24' has host bits set; for /24 the prefix is 203.0.113.0/24"),
    ("2001:db8::1", "ip_rules: '2001:db8::1' is an IPv6 address"),
    ("2001:db8::/32", "ip_rules: '2001:db8::/32' is an IPv6 range"),
    ("office", "ip_rules: 'office' is not an IPv4 address or range"),
    ("10.0.0.0/33", "ip_rules: '10.0.0.0/33' is not an IPv4 address or range"),
])
def test_bad_ip_rules_fail_before_calling_azure(run_module, acr, rule, message):
    result, failed = run_module(acr_network.main, dict(ARGS, ip_rules=["203.0.113.8", rule]))
    assert failed
    assert message in result["msg"]
    assert acr.clients == []


@pytest.mark.parametrize("args,message", [
    (dict(ARGS, name="acr-demo"), "name: 'acr-demo' is not a valid registry name"),
    (dict(ARGS, name="acr"), "name: 'acr' has 3 characters"),
    (dict(ARGS, resource_group="rg."), "resource_group: 'rg.' is not a valid resource group name"),
    (dict(ARGS, public_network_access="Off"), "public_network_access must be one of: Enabled, Disabled"),
])
def test_invalid_input_fails_before_calling_azure(run_module, acr, args, message):
    result, failed = run_module(acr_network.main, args)
    assert failed
    assert message in result["msg"]
    assert acr.clients == []


def test_missing_registry_is_reported_clearly(run_module, acr):
    acr.get.side_effect = not_found()
    result, failed = run_module(acr_network.main, dict(ARGS, public_network_access="Disabled"))
    assert failed
    assert result["msg"] == ("container registry 'acrprivnetdemo' (resource group 'rg-acr') was not found in "
                             "subscription '11111111-1111-4111-8111-111111111111'; create it first, or fix name and resource_group")
    acr.patch.assert_not_called()


def test_azure_error_on_update_is_reported_cleanly(run_module, acr):
    acr.patch.side_effect = arm_error(400, "DisablingPublicNetworkAccessNotSupported", "nope")
    result, failed = run_module(acr_network.main, dict(ARGS, public_network_access="Disabled"))
    assert failed
    assert result["msg"] == ("updating the network settings of container registry 'acrprivnetdemo' (resource group "
                             "'rg-acr'): DisablingPublicNetworkAccessNotSupported: nope")


def test_no_wait_returns_the_requested_state(run_module, acr):
    acr.patch.side_effect = lambda resource_id, body: FakePoller(finishes=False)
    result, failed = run_module(acr_network.main, dict(ARGS, data_endpoint_enabled=True, wait=False))
    assert not failed and result["changed"]
    assert result["registry"]["data_endpoint_enabled"] is True


@pytest.mark.parametrize("given,expected", [
    ("203.0.113.7", "203.0.113.7"), ("203.0.113.7/32", "203.0.113.7"), (" 198.51.100.0/24 ", "198.51.100.0/24"),
])
def test_ip_rule_canonical_form(given, expected):
    assert acr_network.ip_rule(given) == expected


def acr_stub_handler(state):
    """Request handler for a tiny ARM stand-in with one registry, answering writes the way ACR
    does: 201 with Azure-AsyncOperation, the body still showing the old state, the new state
    on the final GET. ``state``: ``registry`` (wire JSON), ``connections`` (name -> wire JSON),
    ``replications`` (list of wire JSON), ``requests`` (appended (method, path, body) tuples)."""
    import http.server
    import json as _json

    conn_prefix = f"{REG_ID}/privateEndpointConnections/".lower()

    class Handler(http.server.BaseHTTPRequestHandler):
        def _send(self, status, body, headers=None):
            data = _json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _base(self):
            return f"https://127.0.0.1:{self.server.server_address[1]}"

        def _accepted(self, old_body, path):
            status_url = f"{self._base()}{path}/operationStatuses/op-1?api-version=2025-11-01"
            self._send(201, old_body, {"Azure-AsyncOperation": status_url, "Retry-After": "0"})

        def _body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return _json.loads(self.rfile.read(length)) if length else None

        def do_GET(self):  # pylint: disable=invalid-name
            path = self.path.split("?")[0]
            low = path.lower()
            state["requests"].append(("GET", path, None))
            if path == "/metadata/endpoints":
                base = self._base() + "/"
                return self._send(200, [{"name": "Stub", "resourceManager": base,
                                         "authentication": {"loginEndpoint": base,
                                                            "audiences": ["https://management.core.windows.net/"]}}])
            if "/operationstatuses/" in low:
                return self._send(200, {"status": "Succeeded"})
            if low == REG_ID.lower():
                registry = copy.deepcopy(state["registry"])
                registry["properties"]["privateEndpointConnections"] = list(state["connections"].values())
                return self._send(200, registry)
            if low == f"{REG_ID}/replications".lower():
                return self._send(200, {"value": state["replications"]})
            if low == f"{REG_ID}/privateEndpointConnections".lower():
                return self._send(200, {"value": list(state["connections"].values())})
            if low.startswith(conn_prefix) and path[len(conn_prefix):] in state["connections"]:
                return self._send(200, state["connections"][path[len(conn_prefix):]])
            return self._send(404, {"error": {"code": "ResourceNotFound", "message": f"{path} not found."}})

        def do_PATCH(self):  # pylint: disable=invalid-name
            path = self.path.split("?")[0]
            body = self._body()
            state["requests"].append(("PATCH", path, body))
            old = copy.deepcopy(state["registry"])
            old["properties"]["provisioningState"] = "Updating"
            state["registry"]["properties"].update(body.get("properties", {}))
            return self._accepted(old, path)

        def do_PUT(self):  # pylint: disable=invalid-name
            path = self.path.split("?")[0]
            body = self._body()
            state["requests"].append(("PUT", path, body))
            name = path[len(conn_prefix):]
            old = copy.deepcopy(state["connections"][name])
            old["properties"]["provisioningState"] = "Updating"
            state["connections"][name]["properties"]["privateLinkServiceConnectionState"] = \
                body["properties"]["privateLinkServiceConnectionState"]
            return self._accepted(old, path)

        def do_DELETE(self):  # pylint: disable=invalid-name
            path = self.path.split("?")[0]
            state["requests"].append(("DELETE", path, None))
            state["connections"].pop(path[len(conn_prefix):], None)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):  # pylint: disable=arguments-differ
            pass

    return Handler


def test_end_to_end_against_a_local_arm_stub(run_module, tmp_path, monkeypatch):
    """Cloud metadata, TLS with a private CA, the real ArmResources pipeline and ACR's LRO: one PATCH with
    only the changed fields, then idempotent with zero writes."""
    from ansible_collections.privnet.azure.tests.unit.helpers import StaticCredential, TLSServer

    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.setattr(AzureModule, "credential", StaticCredential())
    wire = registry_wire()
    wire["properties"].pop("privateEndpointConnections")
    state = {"registry": wire, "connections": {}, "requests": [],
             "replications": [{"name": "eastus", "location": "eastus", "properties": {}}]}
    with TLSServer(tmp_path, acr_stub_handler(state)) as server:
        args = dict(ARGS, ca_bundle=server.ca_pem, public_network_access="Disabled", default_action="Deny",
                    ip_rules=["203.0.113.7"], cloud_environment=f"{server.url}/metadata/endpoints?api-version=2022-09-01")
        first, failed = run_module(acr_network.main, args)
        assert (failed, first["changed"]) == (False, True), first.get("msg")
        second, failed = run_module(acr_network.main, args)
        assert (failed, second["changed"]) == (False, False)
    writes = [(m, b) for m, _p, b in state["requests"] if m != "GET"]
    assert writes == [("PATCH", {"properties": {
        "publicNetworkAccess": "Disabled",
        "networkRuleSet": {"defaultAction": "Deny", "ipRules": [{"action": "Allow", "value": "203.0.113.7"}]}}})]
    assert first["registry"]["public_network_access"] == "Disabled"
    assert first["registry"]["provisioning_state"] == "Succeeded"
    assert second["registry"]["ip_rules"] == ["203.0.113.7"]
    assert second["registry"]["replicas"] == ["eastus"]
    assert state["registry"]["properties"]["policies"] == {"retentionPolicy": {"days": 7, "status": "disabled"}}


def test_legacy_virtual_network_rules_without_private_link_are_not_warned_about(run_module, acr):
    acr.wire["properties"]["privateEndpointConnections"] = []
    acr.wire["properties"]["networkRuleSet"] = {"defaultAction": "Deny", "ipRules": [],
                                                "virtualNetworkRules": [{"action": "Allow", "id": "/x"}]}
    result, _failed = run_module(acr_network.main, ARGS)
    assert warnings_of(result) == []
