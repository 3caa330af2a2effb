# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Generic ARM requests (_arm.ArmResources) over TLS against a scripted local ARM stub: reads, paging,
absence, errors, and both long-running operation styles of ARM's async-operations contract."""

from __future__ import annotations

import http.server
import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.privnet.azure.plugins.module_utils import _azure
from ansible_collections.privnet.azure.plugins.module_utils._arm import ArmResources
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.tests.unit.helpers import StaticCredential, TLSServer

pytestmark = pytest.mark.usefixtures("patched_exit")

SUB = "11111111-1111-4111-8111-111111111111"
ACCOUNT = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1"
API = "2023-05-01"


def handler(state):
    """``state['script']`` maps (method, path) to a list of (status, body, headers) answers, used in turn
    (the last one repeats); every request is recorded in ``state['requests']``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self, method):
            path, query = (self.path.split("?", 1) + [""])[:2]
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            state["requests"].append((method, path, query, body))
            if path != "/metadata/endpoints":
                state["auth"].append((self.headers.get("Authorization") or "").startswith("Bearer "))
            if path == "/metadata/endpoints":
                base = f"https://127.0.0.1:{self.server.server_address[1]}/"
                answer = (200, [{"name": "Stub", "resourceManager": base,
                                 "authentication": {"loginEndpoint": base,
                                                    "audiences": ["https://management.core.windows.net/"]}}], {})
            else:
                answers = state["script"].get((method, path)) or [
                    (404, {"error": {"code": "ResourceNotFound", "message": f"{path} not found"}}, {})]
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
            status, payload, headers = answer
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            base = f"https://127.0.0.1:{self.server.server_address[1]}"
            for name, value in headers.items():
                self.send_header(name, value.replace("{base}", base))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # pylint: disable=invalid-name
            self._answer("GET")

        def do_PUT(self):  # pylint: disable=invalid-name
            self._answer("PUT")

        def do_PATCH(self):  # pylint: disable=invalid-name
            self._answer("PATCH")

        def do_DELETE(self):  # pylint: disable=invalid-name
            self._answer("DELETE")

        def log_message(self, *args):  # pylint: disable=arguments-differ
            pass

    return Handler


@pytest.fixture
def arm(tmp_path, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.setattr(_azure, "POLLING_INTERVAL", 0)
    monkeypatch.setattr("ansible_collections.privnet.azure.plugins.module_utils._arm.POLLING_INTERVAL", 0)
    state = {"script": {}, "requests": [], "auth": []}
    with TLSServer(tmp_path, handler(state)) as server:
        args = {"subscription_id": SUB, "ca_bundle": server.ca_pem,
                "cloud_environment": f"{server.url}/metadata/endpoints?api-version=2022-09-01"}
        monkeypatch.setattr(AzureModule, "credential", StaticCredential())
        with patch_module_args(args):
            module = AzureModule(argument_spec={}, lro=True)
        state["arm"] = ArmResources(module)
        yield state


def requests_of(arm, method):
    return [r for r in arm["requests"] if r[0] == method]


def test_get_returns_the_wire_json_at_the_api_version(arm):
    arm["script"][("GET", ACCOUNT)] = [(200, {"id": ACCOUNT, "properties": {"publicNetworkAccess": "Enabled"}}, {})]
    got = arm["arm"].get(ACCOUNT, API, what="reading st1")
    assert got["properties"]["publicNetworkAccess"] == "Enabled"
    assert requests_of(arm, "GET")[-1][2] == f"api-version={API}"


def test_get_of_an_absent_resource_is_none(arm):
    assert arm["arm"].get(ACCOUNT, API, what="reading st1") is None


def test_list_follows_next_link(arm):
    pecs = f"{ACCOUNT}/privateEndpointConnections"
    next_link = arm["arm"].module.cloud.resource_manager.rstrip("/") + pecs + "?page=2&api-version=" + API
    arm["script"][("GET", pecs)] = [(200, {"value": [{"name": "a"}], "nextLink": next_link}, {}),
                                    (200, {"value": [{"name": "b"}]}, {})]
    assert [c["name"] for c in arm["arm"].list(pecs, API, what="listing")] == ["a", "b"]
    assert [r[2] for r in requests_of(arm, "GET") if r[1] == pecs] == [f"api-version={API}",
                                                                       f"page=2&api-version={API}"]
    assert arm["auth"] and all(arm["auth"])  # every request carried a bearer token


def test_an_error_fails_with_azures_code_and_message(arm):
    arm["script"][("PATCH", ACCOUNT)] = [(400, {"error": {"code": "NetworkAclsValidationFailure",
                                                          "message": "Validation of network acls failure"}}, {})]
    with pytest.raises(Exception) as exc:
        arm["arm"].patch(ACCOUNT, API, {"properties": {}}, what="updating st1")
    result = exc.value.result
    assert exc.value.failed
    assert result["msg"] == "updating st1: NetworkAclsValidationFailure: Validation of network acls failure"


def test_put_waits_for_the_async_operation_then_reads_the_resource(arm):
    op = f"/subscriptions/{SUB}/providers/Microsoft.Storage/locations/westeurope/asyncoperations/1"
    arm["script"][("PUT", ACCOUNT)] = [(201, {"properties": {"provisioningState": "Updating"}},
                                        {"Azure-AsyncOperation": "{base}" + op, "Retry-After": "0"})]
    arm["script"][("GET", op)] = [(200, {"status": "InProgress"}, {}), (200, {"status": "Succeeded"}, {})]
    arm["script"][("GET", ACCOUNT)] = [(200, {"id": ACCOUNT, "properties": {"provisioningState": "Succeeded"}}, {})]
    got = arm["arm"].put(ACCOUNT, API, {"location": "westeurope"}, what="creating st1")
    assert got["properties"]["provisioningState"] == "Succeeded"
    assert len([r for r in arm["requests"] if r[1] == op]) == 2


def test_a_failed_operation_fails_with_its_error(arm):
    op = f"/subscriptions/{SUB}/providers/Microsoft.Storage/operations/2"
    arm["script"][("PUT", ACCOUNT)] = [(202, None, {"Azure-AsyncOperation": "{base}" + op})]
    failed = {"status": "Failed", "error": {"code": "Conflicting", "message": "nope"}}
    arm["script"][("GET", op)] = [(200, failed, {})]
    with pytest.raises(Exception) as exc:
        arm["arm"].put(ACCOUNT, API, {}, what="creating st1")
    assert exc.value.result["msg"] == "creating st1: Conflicting: nope"


def test_delete_polls_location_until_it_stops_answering_202(arm):
    loc = f"/subscriptions/{SUB}/providers/Microsoft.Storage/operationResults/3"
    arm["script"][("DELETE", ACCOUNT)] = [(202, None, {"Location": "{base}" + loc})]
    arm["script"][("GET", loc)] = [(202, None, {}), (202, None, {}), (204, None, {})]
    arm["arm"].delete(ACCOUNT, API, what="deleting st1")
    assert len([r for r in arm["requests"] if r[1] == loc]) == 3


def test_delete_of_an_absent_resource_is_done(arm):
    arm["arm"].delete(ACCOUNT, API, what="deleting st1")
    assert len(requests_of(arm, "DELETE")) == 1


def test_no_wait_returns_once_azure_accepted(arm, monkeypatch):
    op = f"/subscriptions/{SUB}/providers/Microsoft.Storage/operations/4"
    arm["script"][("PUT", ACCOUNT)] = [(201, {}, {"Azure-AsyncOperation": "{base}" + op})]
    arm["arm"].module.params["wait"] = False
    assert arm["arm"].put(ACCOUNT, API, {}, what="creating st1") is None
    assert not [r for r in arm["requests"] if r[1] == op]


def test_an_operation_header_on_a_200_is_polled_too(arm):
    """Key Vault answers a connection's PUT with 200 and Azure-AsyncOperation: the write is not done yet."""
    op = ACCOUNT + "/privateEndpointConnections/pec1"
    arm["script"][("PUT", op)] = [(200, {"properties": {"provisioningState": "Updating"}},
                                   {"Azure-AsyncOperation": "{base}" + op + "?kv-operation=1"})]
    arm["script"][("GET", op)] = [(200, {"status": "InProgress"}, {}), (200, {"status": "Succeeded"}, {}),
                                  (200, {"properties": {"provisioningState": "Succeeded"}}, {})]
    got = arm["arm"].put(op, API, {}, what="approving")
    assert got == {"properties": {"provisioningState": "Succeeded"}}
    assert len([r for r in arm["requests"] if r[:2] == ("GET", op)]) == 3


def test_a_resource_still_provisioning_without_an_operation_is_read_until_final(arm):
    """A new key vault answers 200 with provisioningState RegisteringDns and no operation header."""
    arm["script"][("PUT", ACCOUNT)] = [(200, {"properties": {"provisioningState": "RegisteringDns"}}, {})]
    arm["script"][("GET", ACCOUNT)] = [(200, {"properties": {"provisioningState": "RegisteringDns"}}, {}),
                                       (200, {"properties": {"provisioningState": "Succeeded"}}, {})]
    got = arm["arm"].put(ACCOUNT, API, {}, what="creating kv")
    assert got["properties"]["provisioningState"] == "Succeeded"
    assert len(requests_of(arm, "GET")) >= 3  # metadata, then two reads of the resource


def test_a_resource_whose_provisioning_fails_fails_the_task(arm):
    arm["script"][("PUT", ACCOUNT)] = [(201, {"properties": {"provisioningState": "Creating"}}, {})]
    arm["script"][("GET", ACCOUNT)] = [(200, {"properties": {"provisioningState": "Failed"}}, {})]
    with pytest.raises(Exception) as exc:
        arm["arm"].put(ACCOUNT, API, {}, what="creating st1")
    assert exc.value.failed
    assert "provisioningState is Failed" in exc.value.result["msg"]


def test_a_final_answer_is_done_at_once(arm):
    arm["script"][("PATCH", ACCOUNT)] = [(200, {"properties": {"provisioningState": "Succeeded"}}, {})]
    assert arm["arm"].patch(ACCOUNT, API, {}, what="updating")["properties"]["provisioningState"] == "Succeeded"
    assert not [r for r in requests_of(arm, "GET") if r[1] == ACCOUNT]
