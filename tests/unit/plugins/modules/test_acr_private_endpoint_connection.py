# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import copy
from unittest.mock import MagicMock

import pytest

from ansible_collections.privnet.azure.plugins.module_utils import _azure
from ansible_collections.privnet.azure.plugins.module_utils._armjson import CONTAINER_REGISTRY_API
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.modules import acr_private_endpoint_connection as module_under_test
from ansible_collections.privnet.azure.tests.unit.helpers import (
    FakePoller,
    arm_error,
    install_arm,
    not_found,
    split_id,
    warnings_of,
)

REG_ID = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acrprivnetdemo"
NET = "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints"
ARGS = {"subscription_id": "11111111-1111-4111-8111-111111111111", "resource_group": "rg-acr", "registry": "acrprivnetdemo"}


def connection_wire(name, endpoint, status, description=None):
    return {"id": f"{REG_ID}/privateEndpointConnections/{name}", "name": name,
            "type": "Microsoft.ContainerRegistry/registries/privateEndpointConnections",
            "properties": {"privateEndpoint": {"id": f"{NET}/{endpoint}"},
                           "privateLinkServiceConnectionState": {
                               "status": status, "description": description or status, "actionsRequired": "None"},
                           "provisioningState": "Succeeded"}}


@pytest.fixture
def acr(monkeypatch):
    """A registry and its connections held as wire JSON behind AzureModule.arm(), the requests going to mocks
    (``get_registry(id)``, ``get(name)``, ``put(name, body)``, ``delete(name)``, ``get_endpoint(rg, name)``: a
    private endpoint read, which exists unless told otherwise). A PUT answers like ACR: its answer still shows the
    old status with Updating; the new status shows on the next GET. ``acr.clients`` records (kind, subscription)
    of each request."""
    fake = MagicMock()
    fake.clients = []
    fake.sku = "Premium"
    fake.conns = {
        "acrprivnetdemo.aaa": connection_wire("acrprivnetdemo.aaa", "pe-app", "Pending", "Awaiting Approval"),
        "acrprivnetdemo.bbb": connection_wire("acrprivnetdemo.bbb", "pe-build", "Approved", "Auto-Approved"),
        "acrprivnetdemo.ccc": connection_wire("acrprivnetdemo.ccc", "pe-other", "Pending", "Awaiting Approval"),
    }
    fake.get_registry.side_effect = lambda resource_id: {
        "id": REG_ID, "name": "acrprivnetdemo", "location": "westeurope",
        "sku": {"name": fake.sku, "tier": fake.sku}, "properties": {"loginServer": "acrprivnetdemo.azurecr.io"}}
    fake.get_endpoint.side_effect = lambda rg, name: {"id": f"{NET}/{name}", "name": name}

    def get(name):
        if name not in fake.conns:
            raise not_found()
        return copy.deepcopy(fake.conns[name])

    def put(name, body):
        old = copy.deepcopy(fake.conns[name])
        fake.conns[name]["properties"]["privateLinkServiceConnectionState"] = \
            body["properties"]["privateLinkServiceConnectionState"]
        old["properties"]["provisioningState"] = "Updating"
        return old

    def delete(name):
        del fake.conns[name]

    fake.get.side_effect = get
    fake.put.side_effect = put
    fake.delete.side_effect = delete

    def handler(method, resource_id, body, headers):
        subscription, rg, pairs = split_id(resource_id)
        if pairs[0][0] == "privateEndpoints":
            fake.clients.append(("network", subscription))
            assert method == "GET" and len(pairs) == 1
            return fake.get_endpoint(rg, pairs[0][1])
        fake.clients.append(("containerregistry", subscription))
        assert resource_id.startswith(REG_ID), resource_id
        if len(pairs) == 1:
            return fake.get_registry(resource_id)
        assert pairs[1][0] == "privateEndpointConnections"
        if method == "LIST":
            return [copy.deepcopy(c) for c in fake.conns.values()]
        name = pairs[1][1]
        return {"GET": lambda: fake.get(name), "PUT": lambda: fake.put(name, body),
                "DELETE": lambda: fake.delete(name)}[method]()

    calls = install_arm(monkeypatch, handler)
    monkeypatch.setattr(_azure.time, "sleep", lambda s: None)
    yield fake
    assert {api for _m, resource_id, api in calls if "/privateEndpoints/" not in resource_id} <= \
        {CONTAINER_REGISTRY_API}


def writes(acr):
    return acr.put.call_count + acr.delete.call_count


def by_name(result):
    return {c["name"]: c for c in result["connections"]}


def test_lists_every_connection_without_state(run_module, acr):
    result, failed = run_module(module_under_test.main, ARGS)
    assert (failed, result["changed"]) == (False, False)
    assert sorted(by_name(result)) == ["acrprivnetdemo.aaa", "acrprivnetdemo.bbb", "acrprivnetdemo.ccc"]
    assert by_name(result)["acrprivnetdemo.aaa"] == {
        "name": "acrprivnetdemo.aaa", "id": f"{REG_ID}/privateEndpointConnections/acrprivnetdemo.aaa",
        "private_endpoint_id": f"{NET}/pe-app", "status": "Pending", "description": "Awaiting Approval",
        "actions_required": "None", "provisioning_state": "Succeeded"}
    assert result["selected"] == []
    assert writes(acr) == 0


def test_show_one_by_name_without_state(run_module, acr):
    result, failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.bbb"))
    assert (failed, result["changed"], result["selected"]) == (False, False, ["acrprivnetdemo.bbb"])


def test_approves_by_name_and_waits_for_the_new_status(run_module, acr):
    result, failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.aaa", state="approved",
                                                             description="CHG-1", _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    [call] = acr.put.call_args_list
    name, body = call.args
    assert name == "acrprivnetdemo.aaa"
    assert body == {"properties": {
        "privateEndpoint": {"id": f"{NET}/pe-app"},
        "privateLinkServiceConnectionState": {"status": "Approved", "description": "CHG-1", "actionsRequired": "None"}}}
    # the PUT's answer still said Pending/Updating: the module re-read until Approved
    assert acr.get.call_count >= 1
    assert by_name(result)["acrprivnetdemo.aaa"]["status"] == "Approved"
    assert by_name(result)["acrprivnetdemo.aaa"]["provisioning_state"] == "Succeeded"
    assert result["diff"] == {"before": {"acrprivnetdemo.aaa": {"status": "Pending", "description": "Awaiting Approval"}},
                              "after": {"acrprivnetdemo.aaa": {"status": "Approved", "description": "CHG-1"}}}


def test_approving_an_approved_connection_writes_nothing(run_module, acr):
    result, failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.bbb", state="approved"))
    assert (failed, result["changed"]) == (False, False)
    assert writes(acr) == 0


def test_description_is_compared_only_when_given(run_module, acr):
    args = dict(ARGS, name="acrprivnetdemo.bbb", state="approved", description="Reviewed")
    result, _failed = run_module(module_under_test.main, args)
    assert result["changed"] is True
    assert by_name(result)["acrprivnetdemo.bbb"]["description"] == "Reviewed"
    again, _failed = run_module(module_under_test.main, args)
    assert again["changed"] is False
    assert writes(acr) == 1


def test_default_description_is_the_status(run_module, acr):
    result, _failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.aaa", state="rejected"))
    body = acr.put.call_args.args[1]
    assert body["properties"]["privateLinkServiceConnectionState"]["description"] == "Rejected"
    assert by_name(result)["acrprivnetdemo.aaa"]["status"] == "Rejected"


def test_by_private_endpoint_id_in_another_subscription_any_case(run_module, acr):
    result, failed = run_module(module_under_test.main, dict(ARGS, private_endpoint_id=f"{NET}/PE-APP".upper(),
                                                             state="approved"))
    assert (failed, result["changed"], result["selected"]) == (False, True, ["acrprivnetdemo.aaa"])


def test_all_pending_approves_every_pending_connection(run_module, acr):
    result, failed = run_module(module_under_test.main, dict(ARGS, all_pending=True, state="approved",
                                                             _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    assert sorted(result["selected"]) == ["acrprivnetdemo.aaa", "acrprivnetdemo.ccc"]
    assert acr.put.call_count == 2
    assert {c["status"] for c in result["connections"]} == {"Approved"}
    assert sorted(result["diff"]["after"]) == ["acrprivnetdemo.aaa", "acrprivnetdemo.ccc"]
    again, _failed = run_module(module_under_test.main, dict(ARGS, all_pending=True, state="approved"))
    assert (again["changed"], again["selected"]) == (False, [])
    assert acr.put.call_count == 2


def test_check_mode_predicts_and_writes_nothing(run_module, acr):
    result, failed = run_module(module_under_test.main, dict(ARGS, all_pending=True, state="rejected",
                                                             _ansible_check_mode=True, _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    assert writes(acr) == 0
    assert by_name(result)["acrprivnetdemo.aaa"]["status"] == "Rejected"
    assert result["diff"]["after"]["acrprivnetdemo.ccc"] == {"status": "Rejected", "description": "Rejected"}
    assert acr.conns["acrprivnetdemo.aaa"]["properties"]["privateLinkServiceConnectionState"]["status"] == "Pending"


def test_delete_waits_until_gone_and_drops_it_from_the_result(run_module, acr):
    result, failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.ccc", state="absent",
                                                             _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    acr.delete.assert_called_once_with("acrprivnetdemo.ccc")
    assert "acrprivnetdemo.ccc" not in by_name(result)
    assert result["diff"] == {"before": {"acrprivnetdemo.ccc": {"status": "Pending", "description": "Awaiting Approval"}},
                              "after": {}}


def test_deleting_a_connection_already_gone_changes_nothing(run_module, acr):
    result, failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.zzz", state="absent"))
    assert (failed, result["changed"]) == (False, False)
    assert writes(acr) == 0


def test_rejecting_a_missing_connection_by_name_fails_listing_what_exists(run_module, acr):
    result, failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.zzz", state="rejected"))
    assert failed
    assert "private endpoint connection 'acrprivnetdemo.zzz' was not found on container registry 'acrprivnetdemo'" \
        in result["msg"]
    assert "acrprivnetdemo.aaa (Pending), acrprivnetdemo.bbb (Approved), acrprivnetdemo.ccc (Pending)" in result["msg"]
    assert writes(acr) == 0


def test_missing_endpoint_fails_before_any_write(run_module, acr):
    result, failed = run_module(module_under_test.main, dict(ARGS, private_endpoint_id=f"{NET}/pe-gone",
                                                             state="approved"))
    assert failed
    assert f"from private endpoint '{NET}/pe-gone' was not found" in result["msg"]
    assert writes(acr) == 0


def test_missing_endpoint_is_not_read_outside_check_mode(run_module, acr):
    result, failed = run_module(module_under_test.main, dict(ARGS, private_endpoint_id=f"{NET}/pe-gone",
                                                             state="approved"))
    assert failed and "was not found on container registry 'acrprivnetdemo'" in result["msg"]
    acr.get_endpoint.assert_not_called()
    assert ("network", "22222222-2222-4222-8222-222222222222") not in acr.clients


def test_check_mode_predicts_the_request_of_an_endpoint_not_created_yet(run_module, acr):
    # An earlier task of the same check-mode run only predicted the endpoint: the real run finds its request.
    acr.get_endpoint.side_effect = not_found()
    result, failed = run_module(module_under_test.main, dict(ARGS, private_endpoint_id=f"{NET}/pe-new",
                                                             state="approved", _ansible_check_mode=True,
                                                             _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True), result.get("msg")
    acr.get_endpoint.assert_called_once_with("rg-network", "pe-new")
    assert ("network", "22222222-2222-4222-8222-222222222222") in acr.clients
    assert warnings_of(result) == ["private endpoint 'pe-new' does not exist yet (check mode): its connection to "
                                   "container registry 'acrprivnetdemo' (resource group 'rg-acr') is assumed to be "
                                   "requested by then"]
    assert result["selected"] == []
    assert result["diff"] == {"before": {}, "after": {"pe-new": {"status": "Approved", "description": None}}}
    assert sorted(by_name(result)) == ["acrprivnetdemo.aaa", "acrprivnetdemo.bbb", "acrprivnetdemo.ccc"]
    assert writes(acr) == 0


def test_check_mode_fails_for_an_existing_endpoint_without_a_connection(run_module, acr):
    # get_endpoint answers an endpoint: it exists, yet no connection comes from it
    result, failed = run_module(module_under_test.main, dict(ARGS, private_endpoint_id=f"{NET}/pe-gone",
                                                             state="approved", _ansible_check_mode=True))
    assert failed
    assert result["msg"].startswith(f"a private endpoint connection from private endpoint '{NET}/pe-gone' was not "
                                    "found on container registry 'acrprivnetdemo'")
    acr.get_endpoint.assert_called_once_with("rg-network", "pe-gone")
    assert writes(acr) == 0


def test_check_mode_without_state_reads_nothing_more_and_fails_as_a_real_run(run_module, acr):
    # Without state the module only reports: nothing to predict, a missing connection fails as in a real run.
    acr.get_endpoint.side_effect = not_found()
    result, failed = run_module(module_under_test.main, dict(ARGS, private_endpoint_id=f"{NET}/pe-new",
                                                             _ansible_check_mode=True))
    assert failed and "was not found on container registry 'acrprivnetdemo'" in result["msg"]
    acr.get_endpoint.assert_not_called()


def test_non_premium_registry_gets_the_hint(run_module, acr):
    acr.sku = "Standard"
    acr.conns.clear()
    result, failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.aaa", state="approved"))
    assert failed
    assert "its connections: none" in result["msg"]
    assert "on the Standard SKU; private endpoints need Premium" in result["msg"]


def test_disconnected_connection_cannot_be_approved(run_module, acr):
    acr.conns["acrprivnetdemo.aaa"]["properties"]["privateLinkServiceConnectionState"]["status"] = "Disconnected"
    result, failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.aaa", state="approved"))
    assert failed
    assert "is Disconnected" in result["msg"] and "state: absent" in result["msg"]
    assert writes(acr) == 0


def test_rejected_connection_cannot_be_approved_but_can_be_deleted(run_module, acr):
    # Microsoft Learn, manage-private-endpoint.md: a denied connection cannot be approved again.
    acr.conns["acrprivnetdemo.aaa"]["properties"]["privateLinkServiceConnectionState"]["status"] = "Rejected"
    result, failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.aaa", state="approved"))
    assert failed
    assert "was Rejected and cannot be approved again" in result["msg"] and "re-create the private endpoint" in result["msg"]
    assert writes(acr) == 0
    result, failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.aaa", state="rejected"))
    assert not failed and result["changed"] is False


def test_timeout_while_waiting_is_reported(run_module, acr, monkeypatch):
    # Azure accepts the PUT but the status never changes.
    acr.put.side_effect = \
        lambda name, body: FakePoller(result=None)
    clock = iter(range(0, 10 ** 9, 50))  # every reading of the clock is 50 s later
    monkeypatch.setattr(_azure.time, "monotonic", lambda: next(clock))
    result, failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.aaa", state="approved",
                                                             wait_timeout=120))
    assert failed
    assert result["msg"].startswith("timed out after 120 s waiting for private endpoint connection "
                                    "'acrprivnetdemo.aaa'")


def test_no_wait_returns_the_requested_state_without_reading_again(run_module, acr):
    acr.put.side_effect = \
        lambda name, body: FakePoller(finishes=False)
    result, failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.aaa", state="approved",
                                                             wait=False))
    assert (failed, result["changed"]) == (False, True)
    assert by_name(result)["acrprivnetdemo.aaa"]["status"] == "Approved"
    acr.get.assert_not_called()


@pytest.mark.parametrize("args,message", [
    (dict(ARGS, state="approved"), "state: approved needs the connections to act on"),
    (dict(ARGS, name="a.b", all_pending=True, state="approved"), "mutually exclusive: name and all_pending"),
    (dict(ARGS, name="a.b", private_endpoint_id=f"{NET}/pe", state="approved"),
     "mutually exclusive: name and private_endpoint_id"),
    (dict(ARGS, name="a.b", state="absent", description="x"), "description: only used with state: approved"),
    (dict(ARGS, private_endpoint_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/"
                                    "networkInterfaces/nic", state="approved"),
     "private_endpoint_id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic' "
     "is a Microsoft.Network/networkInterfaces id"),
    (dict(ARGS, private_endpoint_id="pe-app", state="approved"), "private_endpoint_id: 'pe-app' is not an Azure "
                                                                 "resource id"),
    (dict(ARGS, registry="acr_demo"), "registry: 'acr_demo' is not a valid registry name"),
    (dict(ARGS, name=" ", state="approved"), "name: is empty; give a value"),
    (dict(ARGS, name="a.b", state="approve"), "state must be one of: approved, rejected, absent"),
])
def test_invalid_input_fails_before_calling_azure(run_module, acr, args, message):
    result, failed = run_module(module_under_test.main, args)
    assert failed
    assert message in result["msg"]
    assert acr.clients == []


def test_all_pending_false_next_to_name_is_fine(run_module, acr):
    result, failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.bbb", all_pending=False,
                                                             state="approved"))
    assert (failed, result["changed"]) == (False, False)


def test_azure_error_is_reported_with_code_and_message(run_module, acr):
    acr.put.side_effect = arm_error(
        400, "PrivateEndpointConnectionCannotBeApproved", "rejected connections cannot be approved")
    # Pending now, rejected once (the module cannot see that): Azure's refusal is reported as it comes.
    acr.conns["acrprivnetdemo.aaa"]["properties"]["privateLinkServiceConnectionState"]["status"] = "Pending"
    result, failed = run_module(module_under_test.main, dict(ARGS, name="acrprivnetdemo.aaa", state="approved"))
    assert failed
    assert result["msg"] == ("setting private endpoint connection 'acrprivnetdemo.aaa' of container registry "
                             "'acrprivnetdemo' (resource group 'rg-acr') to Approved: "
                             "PrivateEndpointConnectionCannotBeApproved: rejected connections cannot be approved")


def test_missing_registry(run_module, acr):
    acr.get_registry.side_effect = not_found()
    result, failed = run_module(module_under_test.main, dict(ARGS, all_pending=True, state="approved"))
    assert failed
    assert "container registry 'acrprivnetdemo' (resource group 'rg-acr') was not found" in result["msg"]
    assert writes(acr) == 0


def test_end_to_end_against_a_local_arm_stub(run_module, tmp_path, monkeypatch):
    """The real ArmResources pipeline against an ACR-like stub: PUT answered 201 with the old status, the module
    waits for the new one; delete; then idempotent with zero writes."""
    from ansible_collections.privnet.azure.tests.unit.helpers import StaticCredential, TLSServer
    from ansible_collections.privnet.azure.tests.unit.plugins.modules.test_acr_network import (
        acr_stub_handler,
        registry_wire,
    )

    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.setattr(AzureModule, "credential", StaticCredential())
    monkeypatch.setattr(_azure, "POLLING_INTERVAL", 0.01)
    state = {"registry": registry_wire(), "replications": [], "requests": [], "connections": {
        "acrprivnetdemo.aaa": connection_wire("acrprivnetdemo.aaa", "pe-app", "Pending", "Awaiting Approval"),
        "acrprivnetdemo.ccc": connection_wire("acrprivnetdemo.ccc", "pe-old", "Rejected")}}
    with TLSServer(tmp_path, acr_stub_handler(state)) as server:
        common = dict(ARGS, ca_bundle=server.ca_pem,
                      cloud_environment=f"{server.url}/metadata/endpoints?api-version=2022-09-01")
        approve = dict(common, private_endpoint_id=f"{NET}/pe-app", state="approved", description="CHG-1")
        first, failed = run_module(module_under_test.main, approve)
        assert (failed, first["changed"]) == (False, True), first.get("msg")
        second, failed = run_module(module_under_test.main, approve)
        assert (failed, second["changed"]) == (False, False)
        delete = dict(common, name="acrprivnetdemo.ccc", state="absent")
        third, failed = run_module(module_under_test.main, delete)
        assert (failed, third["changed"]) == (False, True), third.get("msg")
        fourth, failed = run_module(module_under_test.main, delete)
        assert (failed, fourth["changed"], fourth["selected"]) == (False, False, [])
    assert [(m, p.rsplit("/", 1)[-1]) for m, p, _b in state["requests"] if m in ("PUT", "DELETE")] == [
        ("PUT", "acrprivnetdemo.aaa"), ("DELETE", "acrprivnetdemo.ccc")]
    assert by_name(first)["acrprivnetdemo.aaa"]["status"] == "Approved"
    assert by_name(first)["acrprivnetdemo.aaa"]["description"] == "CHG-1"
    assert [c["name"] for c in third["connections"]] == ["acrprivnetdemo.aaa"]
