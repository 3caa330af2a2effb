# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from unittest.mock import MagicMock

import pytest

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API
from ansible_collections.privnet.azure.plugins.modules import service_endpoint
from ansible_collections.privnet.azure.tests.unit.helpers import (
    SUBNET_ID,
    install_arm,
    not_found,
    split_id,
    subnet_wire,
    warnings_of,
)

BY_NAME = {"subscription_id": "11111111-1111-4111-8111-111111111111", "resource_group": "rg-net", "virtual_network": "vnet-hub", "name": "snet-pe"}
NET = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-net/providers/Microsoft.Network"
SEP_STORAGE = f"{NET}/serviceEndpointPolicies/sep-storage"  # attached in subnet_wire()


def policy(name, service, location="westeurope"):
    return {"id": f"{NET}/serviceEndpointPolicies/{name}", "name": name, "location": location, "properties": {
        "serviceEndpointPolicyDefinitions": [{"name": "d", "properties": {"service": service}}]}}


@pytest.fixture
def network(monkeypatch):
    """Azure behind AzureModule.arm(), holding one subnet (subnet_wire, its GET and PUT the mocks ``network.get`` and
    ``network.put``), its virtual network and three policies; ``network.clients`` records ("network", subscription)
    of each request."""
    fake = MagicMock()
    fake.clients = []
    fake.current = {}
    fake.get.side_effect = lambda resource_id: subnet_wire(**fake.current)
    fake.put.side_effect = lambda resource_id, body: body
    policies = {"sep-storage": policy("sep-storage", "Microsoft.Storage"), "sep-sql": policy("sep-sql", "Microsoft.Sql"),
                "sep-sql-eastus": policy("sep-sql-eastus", "Microsoft.Sql", "eastus")}

    def handler(method, resource_id, body, headers):
        subscription, _rg, pairs = split_id(resource_id)
        fake.clients.append(("network", subscription))
        types = tuple(t for t, _name in pairs)
        if types == ("virtualNetworks", "subnets"):
            return fake.get(resource_id) if method == "GET" else fake.put(resource_id, body)
        assert method == "GET", (method, resource_id)
        if types == ("virtualNetworks",):
            return {"id": resource_id, "name": pairs[0][1], "location": "West Europe"}
        assert types == ("serviceEndpointPolicies",), resource_id
        if pairs[0][1] not in policies:
            raise not_found()
        return policies[pairs[0][1]]

    calls = install_arm(monkeypatch, handler)
    yield fake
    assert {api for _m, _id, api in calls} <= {NETWORK_API}


def sent(network):
    """The properties of the subnet PUT."""
    [call] = network.put.call_args_list
    return call.args[1]["properties"]


def test_adds_a_service_and_keeps_everything_else(run_module, network):
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, services=["microsoft.keyvault"]))
    assert not failed, result
    assert result["changed"] is True
    props = sent(network)
    assert props["serviceEndpoints"] == [{"service": "Microsoft.Storage", "locations": ["westeurope", "northeurope"]},
                                         {"service": "Microsoft.KeyVault"}]
    # untouched: everything the module does not manage
    assert props["serviceEndpointPolicies"] == [{"id": SEP_STORAGE}]
    assert props["networkSecurityGroup"]["id"].endswith("/networkSecurityGroups/nsg-pe")
    assert props["routeTable"]["id"].endswith("/routeTables/rt-hub")
    assert props["natGateway"]["id"].endswith("/natGateways/nat-hub")
    assert props["delegations"][0]["properties"]["serviceName"] == "Microsoft.ContainerInstance/containerGroups"
    assert props["privateEndpointNetworkPolicies"] == "Enabled"
    assert props["defaultOutboundAccess"] is False
    assert [e["service"] for e in result["subnet"]["service_endpoints"]] == ["Microsoft.Storage", "Microsoft.KeyVault"]
    assert result["subnet"]["service_endpoint_policies"] == [SEP_STORAGE]
    [warning] = warnings_of(result)
    assert "Microsoft.KeyVault enabled" in warning and "open connections" in warning and "firewall" in warning


def test_compared_by_name_whatever_the_case_and_locations(run_module, network):
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, services=["MICROSOFT.STORAGE"]))
    assert (failed, result["changed"]) == (False, False)
    network.put.assert_not_called()
    assert warnings_of(result) == []


@pytest.mark.parametrize("locations,changed", [
    (["westeurope", "northeurope"], False),
    (["North Europe", "West Europe"], False),
    (["westeurope"], True),
])
def test_locations_compared_only_when_given(run_module, network, locations, changed):
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, services=[
        {"service": "Microsoft.Storage", "locations": locations}], _ansible_diff=True))
    assert not failed
    assert result["changed"] is changed
    if changed:
        assert sent(network)["serviceEndpoints"] == [{"service": "Microsoft.Storage", "locations": ["westeurope"]}]
        assert result["diff"]["after"]["service_endpoints"] == [{"service": "Microsoft.Storage",
                                                                 "locations": ["westeurope"]}]
        assert warnings_of(result) == []  # same service, no source switch
    else:
        network.put.assert_not_called()


def test_purge_removes_unlisted_services(run_module, network):
    network.current = {"serviceEndpoints": [{"service": "Microsoft.Storage", "locations": ["westeurope"]},
                                            {"service": "Microsoft.Sql", "locations": ["westeurope"]}],
                       "serviceEndpointPolicies": []}
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, services=["Microsoft.Sql"], purge=True))
    assert not failed and result["changed"]
    assert sent(network)["serviceEndpoints"] == [{"service": "Microsoft.Sql", "locations": ["westeurope"]}]
    assert any("Microsoft.Storage removed" in w for w in warnings_of(result))


def test_purge_with_no_services_removes_all(run_module, network):
    network.current = {"serviceEndpointPolicies": []}
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, services=[], purge=True))
    assert not failed and result["changed"]
    assert sent(network)["serviceEndpoints"] == []


def test_absent_removes_only_the_listed_services(run_module, network):
    network.current = {"serviceEndpoints": [{"service": "Microsoft.KeyVault", "locations": ["*"]},
                                            {"service": "Microsoft.Sql", "locations": ["westeurope"]}],
                       "serviceEndpointPolicies": []}
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, services=["microsoft.sql"], state="absent"))
    assert not failed and result["changed"]
    assert sent(network)["serviceEndpoints"] == [{"service": "Microsoft.KeyVault", "locations": ["*"]}]


def test_absent_of_a_missing_service_changes_nothing(run_module, network):
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, services=["Microsoft.Sql"], state="absent"))
    assert (failed, result["changed"]) == (False, False)
    network.put.assert_not_called()


def test_check_mode_and_diff(run_module, network):
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, services=["Microsoft.Sql"], _ansible_check_mode=True,
                                                            _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    network.put.assert_not_called()
    assert result["diff"] == {
        "before": {"service_endpoints": [{"service": "Microsoft.Storage", "locations": ["westeurope", "northeurope"]}]},
        "after": {"service_endpoints": [{"service": "Microsoft.Storage", "locations": ["westeurope", "northeurope"]},
                                        {"service": "Microsoft.Sql", "locations": []}]},
    }
    assert [e["service"] for e in result["subnet"]["service_endpoints"]] == ["Microsoft.Storage", "Microsoft.Sql"]


def test_attaches_a_policy_by_name(run_module, network):
    network.current = {"serviceEndpoints": [{"service": "Microsoft.Sql", "locations": ["westeurope"]},
                                            {"service": "Microsoft.Storage", "locations": ["westeurope"]}]}
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, service_endpoint_policies=["sep-sql"],
                                                            _ansible_diff=True))
    assert not failed, result
    assert sent(network)["serviceEndpointPolicies"] == [{"id": SEP_STORAGE}, {"id": f"{NET}/serviceEndpointPolicies/sep-sql"}]
    assert "serviceEndpoints" in sent(network)  # kept as read
    assert result["diff"]["after"] == {"service_endpoint_policies": [SEP_STORAGE, f"{NET}/serviceEndpointPolicies/sep-sql"]}
    assert warnings_of(result) == []


def test_policies_compared_by_id_case_insensitively(run_module, network):
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, service_endpoint_policies=[SEP_STORAGE.upper()],
                                                            purge_policies=True))
    assert (failed, result["changed"]) == (False, False)


def test_purge_policies_and_absent(run_module, network):
    network.current = {"serviceEndpoints": [{"service": "Microsoft.Sql", "locations": ["westeurope"]},
                                            {"service": "Microsoft.Storage", "locations": ["westeurope"]}]}
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, service_endpoint_policies=["sep-sql"],
                                                            purge_policies=True))
    assert not failed
    assert sent(network)["serviceEndpointPolicies"] == [{"id": f"{NET}/serviceEndpointPolicies/sep-sql"}]
    network.put.reset_mock()
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, service_endpoint_policies=["sep-storage"],
                                                            state="absent"))
    assert not failed and result["changed"]
    assert sent(network)["serviceEndpointPolicies"] == []


def test_policy_needs_the_endpoint_of_its_service(run_module, network):
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, service_endpoint_policies=["sep-sql"]))
    assert failed
    assert "policy 'sep-sql' restricts Microsoft.Sql" in result["msg"] and "add Microsoft.Sql to services" in result["msg"]
    network.put.assert_not_called()


def test_removing_the_endpoint_of_an_attached_policy_is_refused(run_module, network):
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, services=[], purge=True))
    assert failed
    assert result["msg"].startswith("service_endpoint_policies: policy 'sep-storage' restricts Microsoft.Storage")
    network.put.assert_not_called()


def test_missing_policy_is_refused(run_module, network):
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, service_endpoint_policies=["sep-nowhere"]))
    assert failed
    assert "service endpoint policy 'sep-nowhere'" in result["msg"] and "was not found" in result["msg"]
    network.put.assert_not_called()


def test_policy_in_another_subscription_is_refused_before_any_call(run_module, network):
    # Microsoft Learn, virtual-network-service-endpoint-policies-overview.md: the policy must be in the
    # same region and subscription as the virtual network.
    other = SEP_STORAGE.replace("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222")
    network.current = {"serviceEndpointPolicies": []}
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, service_endpoint_policies=[other]))
    assert failed
    assert result["msg"].startswith("service_endpoint_policies[0]: policy 'sep-storage' is in subscription 2222")
    assert network.clients == [] and not network.put.called


def test_policy_in_another_region_is_refused_before_any_write(run_module, network):
    network.current = {"serviceEndpoints": [{"service": "Microsoft.Sql", "locations": ["westeurope"]},
                                            {"service": "Microsoft.Storage", "locations": ["westeurope"]}]}
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, service_endpoint_policies=["sep-sql-eastus"]))
    assert failed
    assert "policy 'sep-sql-eastus' is in eastus, virtual network 'vnet-hub' in West Europe" in result["msg"]
    network.put.assert_not_called()


def test_subnet_id_in_another_subscription(run_module, network):
    other = SUBNET_ID.replace("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222")
    result, failed = run_module(service_endpoint.main, {"subscription_id": "11111111-1111-4111-8111-111111111111", "subnet_id": other,
                                                        "services": ["Microsoft.Web"]})
    assert not failed and result["changed"]
    assert ("network", "22222222-2222-4222-8222-222222222222") in network.clients
    assert ("network", "11111111-1111-4111-8111-111111111111") not in network.clients  # adding a service: the attached policy is not re-read


def test_missing_subnet_fails_before_any_write(run_module, network):
    network.get.side_effect = not_found()
    result, failed = run_module(service_endpoint.main, dict(BY_NAME, services=["Microsoft.Sql"]))
    assert failed
    assert "subnet 'snet-pe' of virtual network 'vnet-hub'" in result["msg"] and "was not found" in result["msg"]
    network.put.assert_not_called()


@pytest.mark.parametrize("args,message", [
    (dict(BY_NAME, services=["Microsoft.Blob"]), "services[0]: 'Microsoft.Blob' is not a service endpoint service; "
                                                 "use one of Microsoft.Storage, Microsoft.Storage.Global,"),
    (dict(BY_NAME, services=[{"service": "Microsoft.Sql", "regions": ["x"]}]), "services[0]: unknown key(s) regions"),
    (dict(BY_NAME, services=[{"locations": ["x"]}]), "services[0].service: ''"),
    (dict(BY_NAME, services=[{"service": "Microsoft.Sql", "locations": [1]}]), "services[0].locations: give a list"),
    (dict(BY_NAME, services=["Microsoft.Sql", "microsoft.sql"]), "services[1]: Microsoft.Sql is listed twice"),
    (dict(BY_NAME, services=[["Microsoft.Sql"]]), "services[0]: give a service name"),
    (dict(BY_NAME, service_endpoint_policies=["bad/name"]), "service_endpoint_policies[0]: 'bad/name' is not a valid"),
    (dict(BY_NAME, service_endpoint_policies=["/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/"
                                              "virtualNetworks/v"]), "service_endpoint_policies[0]: "),
    (dict(BY_NAME), "one of the following is required: services, service_endpoint_policies"),
    (dict(BY_NAME, name="snet pe", services=["Microsoft.Sql"]), "name: 'snet pe' is not a valid subnet name"),
    (dict(BY_NAME, subnet_id=SUBNET_ID, services=["Microsoft.Sql"]), "mutually exclusive"),
])
def test_invalid_input_fails_before_calling_azure(run_module, network, args, message):
    result, failed = run_module(service_endpoint.main, args)
    assert failed
    assert message in result["msg"]
    assert network.clients == []


def test_every_documented_service_is_accepted():
    for service in service_endpoint.SERVICES:
        assert service_endpoint.canonical_service(service.upper(), "services[0]") == service
    assert "Microsoft.Storage.Global" in service_endpoint.DOCUMENTATION
    assert all(s in service_endpoint.DOCUMENTATION for s in service_endpoint.SERVICES)
