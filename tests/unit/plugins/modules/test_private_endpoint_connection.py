# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""private_endpoint_connection, private_endpoint_connection_info and private_link_resource_info over a fake
ArmResources (the generic ARM client) holding wire JSON."""

from __future__ import annotations

import copy
from unittest.mock import MagicMock

import pytest

from ansible_collections.privnet.azure.plugins.module_utils import _arm, _azure
from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API
from ansible_collections.privnet.azure.plugins.modules import private_endpoint_connection as pec
from ansible_collections.privnet.azure.plugins.modules import private_endpoint_connection_info as pec_info
from ansible_collections.privnet.azure.plugins.modules import private_link_resource_info as plr_info
from ansible_collections.privnet.azure.tests.unit.helpers import arm_error, install_arm, not_found, warnings_of

SUB = "11111111-1111-4111-8111-111111111111"
ST_ID = f"/subscriptions/{SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdemo"
KV_ID = f"/subscriptions/{SUB}/resourceGroups/rg-sec/providers/Microsoft.KeyVault/vaults/kv-demo"
EVH_ID = f"/subscriptions/{SUB}/resourceGroups/rg-app/providers/Microsoft.EventHub/namespaces/evh"
NET = "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints"
ARGS = {"target_id": ST_ID}


def connection_wire(target, name, endpoint, status, description=None, actions="None"):
    state = {"status": status, "description": description or status}
    if actions is not None:
        state["actionsRequired"] = actions
    return {"id": f"{target}/privateEndpointConnections/{name}", "name": name,
            "type": "Microsoft.Storage/storageAccounts/privateEndpointConnections",
            "properties": {"privateEndpoint": {"id": f"{NET}/{endpoint}"},
                           "groupIds": ["blob"],  # a property the module does not manage: sent back as read
                           "privateLinkServiceConnectionState": state,
                           "provisioningState": "Succeeded"}}


class FakeArm:
    """ArmResources over a dict of wire JSON. ``lag`` GETs after a PUT still show the old state (as ACR's answer
    does); every request is recorded."""

    store = {}
    requests = []
    lag = 1
    fail_put = None

    def __init__(self, module, subscription_id=None, tenant_id=None):
        self.module = module
        self.subscription_id = subscription_id
        self._stale = {}

    @classmethod
    def reset(cls):
        cls.store, cls.requests, cls.lag, cls.fail_put = {}, [], 1, None

    def get(self, resource_id, api_version, what):
        FakeArm.requests.append(("GET", resource_id, api_version))
        key = resource_id.lower()
        if key in self._stale and self._stale[key][1] > 0:
            old, left = self._stale[key]
            self._stale[key] = (old, left - 1)
            return copy.deepcopy(old)
        found = FakeArm.store.get(key)
        return copy.deepcopy(found) if found is not None else None

    def list(self, collection_id, api_version, what):
        FakeArm.requests.append(("LIST", collection_id, api_version))
        prefix = collection_id.lower() + "/"
        return [copy.deepcopy(v) for k, v in FakeArm.store.items()
                if k.startswith(prefix) and "/" not in k[len(prefix):]]

    def put(self, resource_id, api_version, body, what, must_wait=False):
        FakeArm.requests.append(("PUT", resource_id, api_version, copy.deepcopy(body)))
        if FakeArm.fail_put is not None:
            self.module.fail_azure(what, FakeArm.fail_put)
        key = resource_id.lower()
        old = FakeArm.store[key]
        self._stale[key] = (copy.deepcopy(old), FakeArm.lag)
        new = copy.deepcopy(old)
        new["properties"].update(copy.deepcopy(body["properties"]))
        FakeArm.store[key] = new
        return copy.deepcopy(old) if self.module.wait else None

    def delete(self, resource_id, api_version, what, must_wait=False):
        FakeArm.requests.append(("DELETE", resource_id, api_version))
        FakeArm.store.pop(resource_id.lower(), None)


@pytest.fixture
def arm(monkeypatch):
    FakeArm.reset()
    FakeArm.store[ST_ID.lower()] = {"id": ST_ID, "name": "stdemo", "type": "Microsoft.Storage/storageAccounts",
                                    "properties": {}}
    for wire in (connection_wire(ST_ID, "stdemo.aaa", "pe-app", "Pending", "Awaiting Approval"),
                 connection_wire(ST_ID, "stdemo.bbb", "pe-build", "Approved", "Auto-Approved"),
                 connection_wire(ST_ID, "stdemo.ccc", "pe-other", "Pending", "Awaiting Approval")):
        FakeArm.store[wire["id"].lower()] = wire
    FakeArm.store[(ST_ID + "/privateLinkResources/blob").lower()] = {
        "id": ST_ID + "/privateLinkResources/blob", "name": "blob", "type": "Microsoft.Storage/storageAccounts/privateLinkResources",
        "properties": {"groupId": "blob", "requiredMembers": ["blob"],
                       "requiredZoneNames": ["privatelink.blob.core.windows.net"]}}
    monkeypatch.setattr(_arm, "ArmResources", FakeArm)
    monkeypatch.setattr(_azure.time, "sleep", lambda s: None)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    return FakeArm


def writes():
    return [r for r in FakeArm.requests if r[0] in ("PUT", "PATCH", "DELETE")]


def by_name(result):
    return {c["name"]: c for c in result["connections"]}


def state_of(name):
    return FakeArm.store[f"{ST_ID}/privateEndpointConnections/{name}".lower()]["properties"][
        "privateLinkServiceConnectionState"]


# ---- private_endpoint_connection ------------------------------------------------------------------------------


def test_approves_by_endpoint_id_keeping_the_rest_and_waits_for_the_new_status(run_module, arm):
    result, failed = run_module(pec.main, dict(ARGS, private_endpoint_id=f"{NET}/PE-APP".upper(), state="approved",
                                               description="CHG-1", _ansible_diff=True))
    assert (failed, result["changed"], result["selected"]) == (False, True, ["stdemo.aaa"])
    [put] = writes()
    assert put[:3] == ("PUT", f"{ST_ID}/privateEndpointConnections/stdemo.aaa", "2023-05-01")
    assert put[3] == {"properties": {
        "privateEndpoint": {"id": f"{NET}/pe-app"}, "groupIds": ["blob"],
        "privateLinkServiceConnectionState": {"status": "Approved", "description": "CHG-1", "actionsRequired": "None"}}}
    # the first read after the PUT still showed Pending: the module read again until Approved
    reads_after = [r for r in FakeArm.requests[FakeArm.requests.index(put):] if r[0] == "GET"]
    assert len(reads_after) == 2
    assert by_name(result)["stdemo.aaa"] == {
        "id": f"{ST_ID}/privateEndpointConnections/stdemo.aaa", "name": "stdemo.aaa",
        "private_endpoint_id": f"{NET}/pe-app", "status": "Approved", "description": "CHG-1",
        "actions_required": "None", "provisioning_state": "Succeeded"}
    assert by_name(result)["stdemo.bbb"]["status"] == "Approved"
    assert result["target_type"] == "Microsoft.Storage/storageAccounts"
    assert result["diff"] == {"before": {"stdemo.aaa": {"status": "Pending", "description": "Awaiting Approval"}},
                              "after": {"stdemo.aaa": {"status": "Approved", "description": "CHG-1"}}}
    again, failed = run_module(pec.main, dict(ARGS, private_endpoint_id=f"{NET}/pe-app", state="approved",
                                              description="CHG-1"))
    assert (failed, again["changed"]) == (False, False)
    assert len(writes()) == 1


def test_actions_required_is_sent_only_when_the_connection_has_it(run_module, arm):
    wire = connection_wire(ST_ID, "stdemo.ddd", "pe-x", "Pending", actions=None)
    FakeArm.store[wire["id"].lower()] = wire
    result, failed = run_module(pec.main, dict(ARGS, name="stdemo.ddd", state="rejected"))
    assert (failed, result["changed"]) == (False, True)
    assert writes()[0][3]["properties"]["privateLinkServiceConnectionState"] == {"status": "Rejected",
                                                                                 "description": "Rejected"}


def test_all_pending_approves_each_and_is_idempotent(run_module, arm):
    result, failed = run_module(pec.main, dict(ARGS, all_pending=True, state="approved", _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    assert sorted(result["selected"]) == ["stdemo.aaa", "stdemo.ccc"]
    assert len(writes()) == 2
    assert {c["status"] for c in result["connections"]} == {"Approved"}
    assert sorted(result["diff"]["after"]) == ["stdemo.aaa", "stdemo.ccc"]
    again, _failed = run_module(pec.main, dict(ARGS, all_pending=True, state="approved"))
    assert (again["changed"], again["selected"]) == (False, [])
    assert len(writes()) == 2


def test_check_mode_predicts_and_writes_nothing(run_module, arm):
    result, failed = run_module(pec.main, dict(ARGS, all_pending=True, state="rejected", _ansible_check_mode=True,
                                               _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    assert writes() == []
    assert by_name(result)["stdemo.aaa"]["status"] == "Rejected"
    assert result["diff"]["after"]["stdemo.ccc"] == {"status": "Rejected", "description": "Rejected"}
    assert state_of("stdemo.aaa")["status"] == "Pending"


def test_description_is_compared_only_when_given(run_module, arm):
    args = dict(ARGS, name="stdemo.bbb", state="approved", description="Reviewed")
    result, _failed = run_module(pec.main, args)
    assert result["changed"] is True
    assert by_name(result)["stdemo.bbb"]["description"] == "Reviewed"
    again, _failed = run_module(pec.main, args)
    assert again["changed"] is False
    without, _failed = run_module(pec.main, dict(ARGS, name="stdemo.bbb", state="approved"))
    assert without["changed"] is False
    assert len(writes()) == 1


def test_delete_waits_until_gone_and_is_idempotent(run_module, arm):
    result, failed = run_module(pec.main, dict(ARGS, name="stdemo.ccc", state="absent", _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    assert writes() == [("DELETE", f"{ST_ID}/privateEndpointConnections/stdemo.ccc", "2023-05-01")]
    assert "stdemo.ccc" not in by_name(result)
    assert result["diff"] == {"before": {"stdemo.ccc": {"status": "Pending", "description": "Awaiting Approval"}},
                              "after": {}}
    again, failed = run_module(pec.main, dict(ARGS, name="stdemo.ccc", state="absent"))
    assert (failed, again["changed"]) == (False, False)
    assert len(writes()) == 1


def test_a_rejected_connection_is_not_approved_and_the_fix_is_named(run_module, arm):
    state_of("stdemo.aaa")["status"] = "Rejected"
    result, failed = run_module(pec.main, dict(ARGS, name="stdemo.aaa", state="approved"))
    assert failed
    assert "'stdemo.aaa' was Rejected and cannot be approved again" in result["msg"]
    assert "delete it with state: absent and re-create the private endpoint" in result["msg"]
    assert writes() == []


def test_a_disconnected_connection_can_only_be_deleted(run_module, arm):
    state_of("stdemo.aaa")["status"] = "Disconnected"
    result, failed = run_module(pec.main, dict(ARGS, name="stdemo.aaa", state="rejected"))
    assert failed and "is Disconnected" in result["msg"] and "state: absent" in result["msg"]
    assert writes() == []


def test_a_missing_connection_fails_listing_what_exists(run_module, arm):
    result, failed = run_module(pec.main, dict(ARGS, name="stdemo.zzz", state="approved"))
    assert failed
    assert result["msg"].startswith("private endpoint connection 'stdemo.zzz' was not found on storage account "
                                    "'stdemo' (resource group 'rg-data'); its connections: stdemo.aaa (Pending), ")
    assert writes() == []


def test_check_mode_with_an_endpoint_that_does_not_exist_yet_predicts_the_change(run_module, arm, monkeypatch):
    network = MagicMock(side_effect=not_found())
    calls = install_arm(monkeypatch, lambda method, resource_id, body, headers: network(method, resource_id))
    result, failed = run_module(pec.main, dict(ARGS, private_endpoint_id=f"{NET}/pe-new", state="approved",
                                               _ansible_check_mode=True, _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    assert "does not exist yet (check mode)" in warnings_of(result)[0]
    assert result["diff"]["after"] == {"pe-new": {"status": "Approved", "description": None}}
    network.assert_called_once_with("GET", f"{NET}/pe-new")
    assert calls == [("GET", f"{NET}/pe-new", NETWORK_API)]
    assert writes() == []
    # an endpoint that exists without a connection fails as in a real run
    network.side_effect = None
    network.return_value = {"id": f"{NET}/pe-new"}
    result, failed = run_module(pec.main, dict(ARGS, private_endpoint_id=f"{NET}/pe-new", state="approved",
                                               _ansible_check_mode=True))
    assert failed and "was not found on storage account 'stdemo'" in result["msg"]


def test_wait_false_returns_the_requested_state(run_module, arm):
    result, failed = run_module(pec.main, dict(ARGS, name="stdemo.aaa", state="approved", wait=False))
    assert (failed, result["changed"]) == (False, True)
    assert by_name(result)["stdemo.aaa"]["status"] == "Approved"
    assert [r for r in FakeArm.requests if r[0] == "GET" and "stdemo.aaa" in r[1]] == []


def test_azure_error_on_the_write_is_code_and_message(run_module, arm):
    FakeArm.fail_put = arm_error(403, "AuthorizationFailed", "no rights on the account")
    result, failed = run_module(pec.main, dict(ARGS, name="stdemo.aaa", state="approved"))
    assert failed
    assert result["msg"] == ("setting private endpoint connection 'stdemo.aaa' of storage account 'stdemo' (resource "
                             "group 'rg-data') to Approved: AuthorizationFailed: no rights on the account")
    assert result["azure_error"]["code"] == "AuthorizationFailed"


def test_a_missing_target_names_target_id(run_module, arm):
    result, failed = run_module(pec.main, dict(ARGS, target_id=KV_ID, all_pending=True, state="approved"))
    assert failed
    assert result["msg"] == (f"target_id: key vault 'kv-demo' (resource group 'rg-sec') was not found in subscription "
                             f"'{SUB}'; create it first, or fix target_id. Nothing was changed.")
    assert FakeArm.requests == [("GET", KV_ID, "2023-07-01")]


@pytest.mark.parametrize("args, message", [
    (dict(name="a", all_pending=True, state="approved"), "parameters are mutually exclusive: name and all_pending"),
    (dict(name="a", private_endpoint_id=f"{NET}/pe", state="approved"),
     "parameters are mutually exclusive: name and private_endpoint_id"),
    (dict(state="approved"), "state: approved needs the connections to act on"),
    (dict(name="a", state="absent", description="x"), "description: only used with state: approved"),
    (dict(name="a/b", state="absent"), "name: 'a/b' is not a private endpoint connection name"),
    (dict(private_endpoint_id=ST_ID, state="absent"), "private_endpoint_id: "),
    (dict(name="a", state="absent", api_version="latest"), "api_version: 'latest' is not an api-version"),
    (dict(name="a", state="absent", target_id=EVH_ID),
     "target_id: Microsoft.EventHub/namespaces is not a Private Link target type"),
    (dict(name="a", state="absent", target_id=ST_ID + "/blobServices/default"), "target_id: "),
    (dict(name="a", state="absent", target_id=None), "target_id: is null"),
    (dict(name="a", state=None), "value of state must be one of: approved, rejected, absent"),
    (dict(name="", state="absent"), "name: is empty"),
])
def test_bad_input_fails_before_any_request(run_module, arm, args, message):
    result, failed = run_module(pec.main, dict(ARGS, **args))
    assert failed
    assert result["msg"].startswith(message)
    assert FakeArm.requests == []


def test_a_type_outside_the_table_with_api_version(run_module, arm):
    FakeArm.store[EVH_ID.lower()] = {"id": EVH_ID, "name": "evh", "properties": {}}
    wire = connection_wire(EVH_ID, "evh.1", "pe-evh", "Pending")
    FakeArm.store[wire["id"].lower()] = wire
    result, failed = run_module(pec.main, dict(ARGS, target_id=EVH_ID, api_version="2024-01-01", all_pending=True,
                                               state="approved"))
    assert (failed, result["changed"], result["target_type"]) == (False, True, "Microsoft.EventHub/namespaces")
    assert {r[2] for r in FakeArm.requests} == {"2024-01-01"}


# ---- private_endpoint_connection_info -------------------------------------------------------------------------


def test_info_lists_and_filters_by_status(run_module, arm):
    result, failed = run_module(pec_info.main, dict(ARGS))
    assert (failed, result["changed"], result["target_type"]) == (False, False, "Microsoft.Storage/storageAccounts")
    assert sorted(by_name(result)) == ["stdemo.aaa", "stdemo.bbb", "stdemo.ccc"]
    pending, _failed = run_module(pec_info.main, dict(ARGS, status="Pending"))
    assert sorted(by_name(pending)) == ["stdemo.aaa", "stdemo.ccc"]
    assert writes() == []
    assert ("LIST", f"{ST_ID}/privateEndpointConnections", "2023-05-01") in FakeArm.requests


def test_info_bad_input(run_module, arm):
    result, failed = run_module(pec_info.main, dict(ARGS, status="pending"))
    assert failed and "status" in result["msg"]
    result, failed = run_module(pec_info.main, dict(target_id=EVH_ID))
    assert failed and "supported: Microsoft.Storage/storageAccounts" in result["msg"]
    assert FakeArm.requests == []


# ---- private_link_resource_info -------------------------------------------------------------------------------


def test_link_resources_as_the_target_answers(run_module, arm):
    result, failed = run_module(plr_info.main, dict(ARGS))
    assert (failed, result["changed"], result["target_type"]) == (False, False, "Microsoft.Storage/storageAccounts")
    assert result["private_link_resources"] == [{
        "id": ST_ID + "/privateLinkResources/blob", "name": "blob", "group_id": "blob", "required_members": ["blob"],
        "required_zone_names": ["privatelink.blob.core.windows.net"]}]
    assert FakeArm.requests == [("GET", ST_ID, "2023-05-01"), ("LIST", ST_ID + "/privateLinkResources", "2023-05-01")]


def test_link_resources_with_api_version_and_missing_target(run_module, arm):
    result, failed = run_module(plr_info.main, dict(ARGS, api_version="2022-09-01"))
    assert not failed
    assert {r[2] for r in FakeArm.requests} == {"2022-09-01"}
    result, failed = run_module(plr_info.main, dict(target_id=KV_ID))
    assert failed and result["msg"].startswith("target_id: key vault 'kv-demo' (resource group 'rg-sec') was not found")
