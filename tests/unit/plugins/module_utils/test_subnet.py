# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Subnet read-modify-write, through the real ArmResources pipeline, over TLS, against a local ARM stub."""

from __future__ import annotations

from enum import Enum

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._ids import parse_resource_id
from ansible_collections.privnet.azure.plugins.module_utils._subnet import (
    get_subnet,
    require_subnet,
    subnet_result,
    update_subnet,
)
from ansible_collections.privnet.azure.tests.unit.helpers import (
    SUBNET_ID,
    StaticCredential,
    TLSServer,
    arm_stub_handler,
    subnet_wire,
)

# exit_json / fail_json raise ModuleExit instead of leaving the process (see conftest).
pytestmark = pytest.mark.usefixtures("patched_exit")


@pytest.fixture
def arm(tmp_path, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    state = {"subnet": subnet_wire(), "requests": []}
    with TLSServer(tmp_path, arm_stub_handler(state)) as server:
        state["server"] = server
        yield state


def make_module(arm, monkeypatch, check_mode=False):
    server = arm["server"]
    args = {"subscription_id": "11111111-1111-4111-8111-111111111111", "ca_bundle": server.ca_pem,
            "cloud_environment": f"{server.url}/metadata/endpoints?api-version=2022-09-01",
            "_ansible_check_mode": check_mode}
    monkeypatch.setattr(AzureModule, "credential", StaticCredential())
    with patch_module_args(args):
        return AzureModule(argument_spec={}, lro=True)


def puts(arm):
    return [r for r in arm["requests"] if r[0] == "PUT"]


def test_update_sends_back_every_property_it_does_not_manage(arm, monkeypatch):
    module = make_module(arm, monkeypatch)
    rid = parse_resource_id(SUBNET_ID)
    subnet = require_subnet(module, rid)
    updated = update_subnet(module, rid, subnet, {"privateEndpointNetworkPolicies": "Disabled"})

    [(_method, path, body)] = puts(arm)
    assert path == SUBNET_ID
    sent = body["properties"]
    original = subnet_wire()["properties"]
    assert sent["privateEndpointNetworkPolicies"] == "Disabled"
    for kept in ("addressPrefix", "networkSecurityGroup", "routeTable", "natGateway", "serviceEndpointPolicies",
                 "privateLinkServiceNetworkPolicies", "defaultOutboundAccess"):
        assert sent[kept] == original[kept], kept
    assert [(s["service"], s["locations"]) for s in sent["serviceEndpoints"]] == [
        ("Microsoft.Storage", ["westeurope", "northeurope"])]
    assert [(d["name"], d["properties"]["serviceName"]) for d in sent["delegations"]] == [
        ("aci", "Microsoft.ContainerInstance/containerGroups")]
    # read-only properties are not echoed back
    assert "provisioningState" not in sent and "ipConfigurations" not in sent
    assert subnet_result(updated)["private_endpoint_network_policies"] == "Disabled"


def test_check_mode_changes_the_model_but_sends_nothing(arm, monkeypatch):
    module = make_module(arm, monkeypatch, check_mode=True)
    rid = parse_resource_id(SUBNET_ID)
    subnet = update_subnet(module, rid, require_subnet(module, rid), {"privateEndpointNetworkPolicies": "Disabled"})
    assert puts(arm) == []
    assert subnet["properties"]["privateEndpointNetworkPolicies"] == "Disabled"
    assert subnet_result(subnet)["private_endpoint_network_policies"] == "Disabled"


def test_missing_subnet(arm, monkeypatch):
    arm["subnet"] = None
    module = make_module(arm, monkeypatch)
    rid = parse_resource_id(SUBNET_ID)
    assert get_subnet(module, rid) is None
    # The helper raises; the module fails with the same message through module.validated().
    with pytest.raises(ValueError) as caught:
        require_subnet(module, rid)
    assert str(caught.value) == (
        "subnet 'snet-pe' of virtual network 'vnet-hub' (resource group 'rg-net', subscription '11111111-1111-4111-8111-111111111111') was not "
        f"found (Azure: Resource {SUBNET_ID} not found.); create the virtual network and the subnet first, or fix the names")


def test_missing_resource_group_is_named_as_such(arm, monkeypatch):
    arm["subnet"] = None
    arm["not_found_code"] = "ResourceGroupNotFound"
    arm["not_found_message"] = "Resource group 'rg-net' could not be found."
    module = make_module(arm, monkeypatch)
    with pytest.raises(Exception) as caught:
        module.validated(require_subnet, module, parse_resource_id(SUBNET_ID))
    assert caught.value.result["msg"] == (
        "resource group 'rg-net' of virtual network 'vnet-hub' was not found in subscription "
        "'11111111-1111-4111-8111-111111111111'; fix the resource group (or the subscription)")


def test_subnet_result_shape(arm, monkeypatch):
    module = make_module(arm, monkeypatch)
    result = subnet_result(require_subnet(module, parse_resource_id(SUBNET_ID)))
    assert result == {
        "id": SUBNET_ID,
        "name": "snet-pe",
        "resource_group": "rg-net",
        "virtual_network": "vnet-hub",
        "address_prefix": "10.0.1.0/24",
        "address_prefixes": [],
        "private_endpoint_network_policies": "Enabled",
        "private_link_service_network_policies": "Enabled",
        "service_endpoints": [{"service": "Microsoft.Storage", "locations": ["westeurope", "northeurope"]}],
        "network_security_group_id": subnet_wire()["properties"]["networkSecurityGroup"]["id"],
        "route_table_id": subnet_wire()["properties"]["routeTable"]["id"],
        "nat_gateway_id": subnet_wire()["properties"]["natGateway"]["id"],
        "delegations": [{"name": "aci", "service_name": "Microsoft.ContainerInstance/containerGroups"}],
        "provisioning_state": "Succeeded",
    }
    # plain str, as Azure sent it
    assert isinstance(result["private_endpoint_network_policies"], str)
    assert not isinstance(result["private_endpoint_network_policies"], Enum)
