# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.modules import private_endpoint, private_endpoint_info
from ansible_collections.privnet.azure.tests.unit.helpers import arm_error, install_arm
from ansible_collections.privnet.azure.tests.unit.plugins.modules.test_private_endpoint import (
    BASE,
    BASIC_ID,
    REGISTRY_ID,
    SUB,
    FakeAzure,
)


@pytest.fixture
def azure(monkeypatch, run_module):
    """Three endpoints: two to the Premium registry (rg-network, rg-other), one to the Basic one."""
    fake = FakeAzure()
    install_arm(monkeypatch, fake.handle, fake.calls)
    for extra in ({"name": "pe-acr"}, {"name": "pe-acr-2", "resource_group": "rg-other",
                                       "virtual_network_resource_group": "rg-network", "manual": True},
                  {"name": "pe-basic", "target_id": BASIC_ID}):
        _result, failed = run_module(private_endpoint.main, dict(BASE, **extra))
        assert not failed
    fake.reads.clear()
    fake.calls.clear()
    return fake


def info(run_module, **args):
    result, failed = run_module(private_endpoint_info.main, dict({"subscription_id": SUB}, **args))
    assert not failed, result
    assert result["changed"] is False
    return result["private_endpoints"]


def test_by_name_returns_the_endpoint_and_its_members(run_module, azure):
    [pe] = info(run_module, name="pe-acr", resource_group="rg-network")
    assert pe["name"] == "pe-acr" and pe["target_id"] == REGISTRY_ID
    assert [m["required_member_name"] for m in pe["members"]] == [
        "registry", "registry_data_westeurope", "registry_data_eastus"]
    assert pe["connection_state"] == "Approved"
    assert [r[0] for r in azure.reads] == ["pe_get", "nic_get"]


def test_by_name_missing_is_an_empty_list(run_module, azure):
    assert info(run_module, name="pe-nope", resource_group="rg-network") == []
    assert [r[0] for r in azure.reads] == ["pe_get"]


def test_by_resource_group(run_module, azure):
    found = info(run_module, resource_group="rg-other")
    assert [pe["name"] for pe in found] == ["pe-acr-2"]
    assert found[0]["connection_state"] == "Pending" and found[0]["connection"]["manual"] is True
    assert [r[0] for r in azure.reads] == ["pe_list", "nic_get"]


def test_across_the_subscription_with_one_nic_read_per_endpoint(run_module, azure):
    found = info(run_module)
    # sorted by id: rg-network's two endpoints, then rg-other's
    assert [pe["name"] for pe in found] == ["pe-acr", "pe-basic", "pe-acr-2"]
    assert [r[0] for r in azure.reads] == ["pe_list_all", "nic_get", "nic_get", "nic_get"]
    assert all(pe["members"] for pe in found)


def test_without_members_the_subscription_is_one_list_call(run_module, azure):
    found = info(run_module, read_members=False)
    assert [pe["name"] for pe in found] == ["pe-acr", "pe-basic", "pe-acr-2"]
    assert [r[0] for r in azure.reads] == ["pe_list_all"]
    assert [pe["members"] for pe in found] == [[], [], []]
    # everything else of each endpoint is there
    assert [pe["target_id"] for pe in found] == [REGISTRY_ID, BASIC_ID, REGISTRY_ID]
    assert all(pe["subnet_id"].endswith("/subnets/snet-workload") for pe in found)
    assert [pe["connection_state"] for pe in found] == ["Approved", "Approved", "Pending"]
    assert all(pe["network_interface_id"] for pe in found)


@pytest.mark.parametrize("args,reads", [
    ({"name": "pe-acr", "resource_group": "rg-network"}, ["pe_get"]),
    ({"resource_group": "rg-other"}, ["pe_list"]),
    ({"target_id": REGISTRY_ID}, ["pe_list_all"]),
])
def test_without_members_no_network_interface_is_read(run_module, azure, args, reads):
    found = info(run_module, read_members=False, **args)
    assert found and all(pe["members"] == [] for pe in found)
    assert [r[0] for r in azure.reads] == reads


def test_target_filter_is_case_insensitive(run_module, azure):
    found = info(run_module, target_id=REGISTRY_ID.upper())
    assert sorted(pe["name"] for pe in found) == ["pe-acr", "pe-acr-2"]
    # endpoints of other targets cost no network interface read
    assert [r[0] for r in azure.reads] == ["pe_list_all", "nic_get", "nic_get"]


def test_name_needs_resource_group(run_module, azure):
    result, failed = run_module(private_endpoint_info.main, {"subscription_id": SUB, "name": "pe-acr"})
    assert failed and "resource_group" in result["msg"]
    assert azure.calls == []


def test_bad_target_id_fails_before_calling_azure(run_module, azure):
    result, failed = run_module(private_endpoint_info.main, {"subscription_id": SUB, "target_id": "acrprivnetdemo"})
    assert failed and result["msg"].startswith("target_id: 'acrprivnetdemo' is not an Azure resource id")
    assert azure.calls == []


def test_azure_error_is_reported(run_module, azure):
    def denied(rg):
        raise arm_error(403, "AuthorizationFailed", "no read on rg-secret")

    azure.pe_list = denied
    result, failed = run_module(private_endpoint_info.main, {"subscription_id": SUB, "resource_group": "rg-secret"})
    assert failed
    assert result["msg"] == ("listing the private endpoints of resource group 'rg-secret': AuthorizationFailed: "
                             "no read on rg-secret")


def test_endpoint_without_network_interface_has_no_members(run_module, azure):
    azure.endpoints["pe-acr"]["properties"]["networkInterfaces"] = []
    [pe] = info(run_module, name="pe-acr", resource_group="rg-network")
    assert pe["members"] == [] and pe["network_interface_id"] is None
    assert [r[0] for r in azure.reads] == ["pe_get"]


def test_virtual_network_filter_reads_only_its_endpoints_interfaces(run_module, azure):
    found = info(run_module, virtual_network="vnet-app", virtual_network_resource_group="rg-network")
    assert [pe["name"] for pe in found] == ["pe-acr", "pe-basic", "pe-acr-2"]
    assert [r[0] for r in azure.reads] == ["pe_list_all", "nic_get", "nic_get", "nic_get"]
    azure.reads.clear()
    vnet_id = f"/subscriptions/{SUB}/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-other"
    assert info(run_module, virtual_network=vnet_id) == []
    assert [r[0] for r in azure.reads] == ["pe_list_all"]


def test_excluded_endpoints_are_left_out_unread(run_module, azure):
    [first] = info(run_module, name="pe-acr", resource_group="rg-network", read_members=False)
    azure.reads.clear()
    found = info(run_module, virtual_network="vnet-app", virtual_network_resource_group="rg-network",
                 exclude=[first["id"].upper()])
    assert [pe["name"] for pe in found] == ["pe-basic", "pe-acr-2"]
    assert [r[0] for r in azure.reads] == ["pe_list_all", "nic_get", "nic_get"]


@pytest.mark.parametrize("args,message", [
    ({"exclude": ["pe-acr"]}, "exclude[0]: 'pe-acr' is not an Azure resource id"),
    ({"virtual_network_resource_group": "rg-network"}, "virtual_network"),
    ({"virtual_network": "vnet-app"}, "resource_group"),
])
def test_bad_filters_fail_before_calling_azure(run_module, azure, args, message):
    result, failed = run_module(private_endpoint_info.main, dict({"subscription_id": SUB}, **args))
    assert failed and message in result["msg"], result
    assert azure.calls == []
