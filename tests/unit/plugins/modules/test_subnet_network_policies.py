# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.modules import subnet_network_policies
from ansible_collections.privnet.azure.tests.unit.helpers import (
    SUBNET_ID,
    StaticCredential,
    TLSServer,
    arm_error,
    arm_stub_handler,
    install_arm,
    not_found,
    split_id,
    subnet_wire,
)

SUB = "11111111-1111-4111-8111-111111111111"
BY_NAME = {"subscription_id": "11111111-1111-4111-8111-111111111111", "resource_group": "rg-net", "virtual_network": "vnet-hub", "name": "snet-pe"}


@pytest.fixture
def network(monkeypatch):
    """The subnet behind AzureModule.arm(): ``network.get(id)`` and ``network.put(id, body)`` are mocks (the PUT
    answers the subnet sent); ``network.calls`` records every (method, id, api-version)."""
    fake = MagicMock()
    fake.current = {}
    fake.get.side_effect = lambda resource_id: subnet_wire(**fake.current)
    fake.put.side_effect = lambda resource_id, body: dict(body, id=resource_id)

    def handler(method, resource_id, body, headers):
        assert resource_id.lower().endswith("/virtualnetworks/vnet-hub/subnets/snet-pe"), resource_id
        return fake.get(resource_id) if method == "GET" else fake.put(resource_id, body)

    fake.calls = install_arm(monkeypatch, handler)
    return fake


def sent_subnet(network):
    """(subnet id, subnet sent) of the one PUT."""
    [call] = network.put.call_args_list
    return call.args


def subscriptions(network):
    assert {api for _m, _id, api in network.calls} == {NETWORK_API}
    return {split_id(resource_id)[0] for _m, resource_id, _api in network.calls}


def test_disables_private_endpoint_policies(run_module, network):
    result, failed = run_module(subnet_network_policies.main,
                                dict(BY_NAME, private_endpoint_network_policies="Disabled"))
    assert not failed
    assert result["changed"] is True
    resource_id, subnet = sent_subnet(network)
    assert resource_id == SUBNET_ID
    sent = subnet["properties"]
    assert sent["privateEndpointNetworkPolicies"] == "Disabled"
    # untouched: the other policy and everything else the module does not manage
    assert sent["privateLinkServiceNetworkPolicies"] == "Enabled"
    assert sent["networkSecurityGroup"]["id"].endswith("/networkSecurityGroups/nsg-pe")
    assert sent["routeTable"]["id"].endswith("/routeTables/rt-hub")
    assert sent["delegations"][0]["properties"]["serviceName"] == "Microsoft.ContainerInstance/containerGroups"
    # what Azure sets is not sent back
    assert "provisioningState" not in sent and "ipConfigurations" not in sent and "etag" not in subnet
    assert result["subnet"]["private_endpoint_network_policies"] == "Disabled"
    assert result["subnet"]["id"] == SUBNET_ID
    assert "diff" not in result


def test_idempotent_even_if_azure_answers_in_another_case(run_module, network):
    network.current = {"privateEndpointNetworkPolicies": "disabled"}
    result, failed = run_module(subnet_network_policies.main,
                                dict(BY_NAME, private_endpoint_network_policies="Disabled"))
    assert (failed, result["changed"]) == (False, False)
    network.put.assert_not_called()


def test_check_mode_reports_the_change_without_writing(run_module, network):
    result, failed = run_module(subnet_network_policies.main,
                                dict(BY_NAME, private_link_service_network_policies="Disabled",
                                     _ansible_check_mode=True, _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    network.put.assert_not_called()
    assert result["subnet"]["private_link_service_network_policies"] == "Disabled"
    assert result["diff"] == {"before": {"private_link_service_network_policies": "Enabled"},
                              "after": {"private_link_service_network_policies": "Disabled"}}


def test_diff_shows_only_the_fields_the_user_set(run_module, network):
    network.current = {"privateLinkServiceNetworkPolicies": "Disabled"}
    result, _failed = run_module(subnet_network_policies.main,
                                 dict(BY_NAME, private_endpoint_network_policies="NetworkSecurityGroupEnabled",
                                      private_link_service_network_policies="Disabled", _ansible_diff=True))
    assert result["changed"] is True
    assert result["diff"] == {
        "before": {"private_endpoint_network_policies": "Enabled", "private_link_service_network_policies": "Disabled"},
        "after": {"private_endpoint_network_policies": "NetworkSecurityGroupEnabled",
                  "private_link_service_network_policies": "Disabled"},
    }
    subnet = sent_subnet(network)[1]
    assert subnet["properties"]["privateEndpointNetworkPolicies"] == "NetworkSecurityGroupEnabled"


def test_subnet_id_in_another_subscription(run_module, network):
    other = SUBNET_ID.replace("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222")
    result, failed = run_module(subnet_network_policies.main,
                                {"subscription_id": "11111111-1111-4111-8111-111111111111", "subnet_id": other,
                                 "private_endpoint_network_policies": "Disabled"})
    assert not failed and result["changed"]
    assert subscriptions(network) == {"22222222-2222-4222-8222-222222222222"}


def test_virtual_network_given_as_id(run_module, network):
    vnet_id = SUBNET_ID.rsplit("/subnets/", 1)[0].replace("11111111-1111-4111-8111-111111111111", "33333333-3333-4333-8333-333333333333")
    _result, failed = run_module(subnet_network_policies.main,
                                 {"subscription_id": "11111111-1111-4111-8111-111111111111", "virtual_network": vnet_id, "name": "snet-pe",
                                  "private_endpoint_network_policies": "Disabled"})
    assert not failed
    assert subscriptions(network) == {"33333333-3333-4333-8333-333333333333"}


def test_missing_subnet_fails_before_any_write(run_module, network):
    network.get.side_effect = not_found()
    result, failed = run_module(subnet_network_policies.main,
                                dict(BY_NAME, private_endpoint_network_policies="Disabled"))
    assert failed
    assert "subnet 'snet-pe' of virtual network 'vnet-hub'" in result["msg"]
    assert "was not found" in result["msg"]
    network.put.assert_not_called()


@pytest.mark.parametrize("args,message", [
    (dict(BY_NAME, name="snet pe"), "name: 'snet pe' is not a valid subnet name"),
    (dict(BY_NAME, virtual_network="-vnet"), "virtual_network: '-vnet' is not a valid virtual network name"),
    (dict(BY_NAME, resource_group=None), "resource_group is required"),
    ({"subscription_id": SUB, "subnet_id": f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/"
      "virtualNetworks/vnet"}, f"subnet_id: '/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/"
                               "virtualNetworks/vnet' is a Microsoft.Network/virtualNetworks id"),
    (dict(BY_NAME, subnet_id=SUBNET_ID), "mutually exclusive"),
    ({"subscription_id": "11111111-1111-4111-8111-111111111111", "name": "snet-pe"}, "virtual_network"),
])
def test_invalid_input_fails_before_calling_azure(run_module, network, args, message):
    result, failed = run_module(subnet_network_policies.main, dict(args, private_endpoint_network_policies="Disabled"))
    assert failed
    assert message in result["msg"]
    assert network.calls == []


def test_a_policy_is_required(run_module, network):
    result, failed = run_module(subnet_network_policies.main, BY_NAME)
    assert failed
    assert "one of the following is required: private_endpoint_network_policies" in result["msg"]


def test_azure_error_on_update_is_reported_cleanly(run_module, network):
    network.put.side_effect = arm_error(403, "AuthorizationFailed", "not allowed")
    result, failed = run_module(subnet_network_policies.main,
                                dict(BY_NAME, private_endpoint_network_policies="Disabled"))
    assert failed
    assert result["msg"] == ("updating subnet 'snet-pe' of virtual network 'vnet-hub' (resource group 'rg-net', "
                             "subscription '11111111-1111-4111-8111-111111111111'): AuthorizationFailed: not allowed")
    assert result["azure_error"]["status_code"] == 403


def test_busy_vnet_is_retried(run_module, network, monkeypatch):
    monkeypatch.setattr("ansible_collections.privnet.azure.plugins.module_utils._azure.time.sleep", lambda s: None)
    outcomes = [arm_error(429, "RetryableError", details=["RetryableErrorDueToAnotherOperation"]), None]

    def put(resource_id, body):
        error = outcomes.pop(0)
        if error:
            raise error
        return body

    network.put.side_effect = put
    result, failed = run_module(subnet_network_policies.main,
                                dict(BY_NAME, private_endpoint_network_policies="Disabled"))
    assert (failed, result["changed"]) == (False, True)
    assert network.put.call_count == 2


def test_secret_never_appears_in_the_result(run_module, network):
    network.get.side_effect = arm_error(401, "InvalidAuthenticationToken", "token for s3cr3t-value rejected")
    result, failed = run_module(subnet_network_policies.main,
                                dict(BY_NAME, private_endpoint_network_policies="Disabled", secret="s3cr3t-value"))
    assert failed
    assert "s3cr3t-value" not in repr(result)


def test_end_to_end_against_a_local_arm_stub(run_module, tmp_path, monkeypatch):
    """Cloud metadata, TLS with a private CA, the real ArmResources pipeline and LRO: one PUT, then idempotent."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.setattr(AzureModule, "credential", StaticCredential())
    state = {"subnet": subnet_wire(), "requests": []}
    with TLSServer(tmp_path, arm_stub_handler(state)) as server:
        args = dict(BY_NAME, ca_bundle=server.ca_pem, private_endpoint_network_policies="Disabled",
                    cloud_environment=f"{server.url}/metadata/endpoints?api-version=2022-09-01")
        first, failed = run_module(subnet_network_policies.main, args)
        assert (failed, first["changed"]) == (False, True)
        second, failed = run_module(subnet_network_policies.main, args)
        assert (failed, second["changed"]) == (False, False)
    assert [m for m, _p, _b in state["requests"] if m == "PUT"] == ["PUT"]
    assert second["subnet"]["private_endpoint_network_policies"] == "Disabled"
    assert second["subnet"]["route_table_id"].endswith("/routeTables/rt-hub")
