# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The SDK-generation shims (issue 14): each test drives the collection's code with a model of the
older (msrest) generation, which the dev pins' SDKs do not have."""

from __future__ import annotations

import json

import pytest

from ansible_collections.privnet.azure.plugins.module_utils import _peering, _sdkcompat
from ansible_collections.privnet.azure.tests.unit.plugins.module_utils import msrest_models as old

HUB = "/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"
SPOKE = "/subscriptions/s/resourceGroups/rg-spokes/providers/Microsoft.Network/virtualNetworks/vnet-spoke1"
GATEWAY = "/subscriptions/s/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworkGateways/vgw-hub"
SUBNET_PEERING = {
    "id": f"{SPOKE}/virtualNetworkPeerings/spoke-to-hub", "name": "spoke-to-hub", "etag": 'W/"1"',
    "properties": {
        "remoteVirtualNetwork": {"id": HUB}, "peeringState": "Connected", "peeringSyncLevel": "FullyInSync",
        "allowVirtualNetworkAccess": True, "allowForwardedTraffic": False, "allowGatewayTransit": False,
        "useRemoteGateways": True, "doNotVerifyRemoteGateways": True, "peerCompleteVnets": False,
        "localSubnetNames": ["snet-app"], "remoteSubnetNames": ["snet-shared"],
        "remoteGateways": [{"id": GATEWAY}],
    },
}


# The installed azure-mgmt-network's peering model: TypeSpec with the dev pins, msrest-style in
# `make matrix-min` (the tests of the TypeSpec behaviour are skipped there).
INSTALLED_PEERING = _sdkcompat.sdk_model("azure.mgmt.network", "VirtualNetworkPeering")


@pytest.fixture
def typespec_peering():
    if INSTALLED_PEERING is None or _sdkcompat.is_msrest(INSTALLED_PEERING):
        pytest.skip("the installed azure-mgmt-network has msrest-style models")
    return INSTALLED_PEERING


# ---- the model generations --------------------------------------------------------------------

def test_generations_are_told_apart():
    assert _sdkcompat.is_msrest(old.VirtualNetworkPeering)
    assert _sdkcompat.is_msrest(old.VirtualNetworkPeering())
    assert not _sdkcompat.is_msrest({"properties": {}})


def test_typespec_models_are_not_msrest(typespec_peering):
    assert not _sdkcompat.is_msrest(typespec_peering)


def test_wire_of_an_msrest_model():
    msrest = old.VirtualNetworkPeering.deserialize(SUBNET_PEERING)
    assert "properties" not in msrest.as_dict()  # why as_dict() is not enough
    assert _sdkcompat.wire(msrest)["properties"]["localSubnetNames"] == ["snet-app"]
    assert "remoteGateways" not in _sdkcompat.wire(msrest)["properties"]  # not declared: lost on reading
    assert _sdkcompat.wire(None) == {}


def test_wire_of_a_typespec_model(typespec_peering):
    typespec = typespec_peering(json.loads(json.dumps(SUBNET_PEERING)))
    assert _sdkcompat.wire(typespec)["properties"]["peerCompleteVnets"] is False
    assert _sdkcompat.wire(typespec)["properties"]["remoteGateways"] == [{"id": GATEWAY}]


def test_keep_wire_keeps_the_response_json_on_the_model_and_its_children():
    vnet_json = {"id": SPOKE, "name": "vnet-spoke1", "properties": {"virtualNetworkPeerings": [SUBNET_PEERING]}}
    vnet = old.VirtualNetwork.deserialize(vnet_json)
    hook = _sdkcompat.keep_wire({"virtual_network_peerings": ("properties", "virtualNetworkPeerings")})
    assert hook(old.FakePipelineResponse(vnet_json), vnet, {}) is vnet
    assert _sdkcompat.wire(vnet) == vnet_json
    assert _sdkcompat.wire(vnet.virtual_network_peerings[0]) == SUBNET_PEERING


def test_read_kwargs_and_request_body_with_msrest_models():
    assert set(_sdkcompat.read_kwargs(old.VirtualNetworkPeering)) == {"cls"}
    assert _sdkcompat.request_body({"a": 1}, old.VirtualNetworkPeering) == b'{"a": 1}'
    assert _sdkcompat.sdk_model("azure.mgmt.not_installed", "Anything") is None


def test_read_kwargs_and_request_body_touch_nothing_with_typespec_models(typespec_peering):
    assert _sdkcompat.read_kwargs(typespec_peering) == {}
    assert _sdkcompat.request_body({"a": 1}, typespec_peering) == {"a": 1}


# ---- vnet_peering: azure-mgmt-network 28 (what azure.azcollection pins) ---------------------------

def test_peering_body_keeps_subnet_peering_with_an_msrest_model():
    """azure-mgmt-network 28: the PUT of a flag change sent back none of the kept properties, turning
    a subnet peering into a full one and resetting doNotVerifyRemoteGateways."""
    current = old.VirtualNetworkPeering.deserialize(SUBNET_PEERING)
    body = _peering.peering_body(current, dict(_peering.CREATE_DEFAULTS, use_remote_gateways=True), HUB)
    props = body["properties"]
    assert props["doNotVerifyRemoteGateways"] is True
    assert props["peerCompleteVnets"] is False
    assert props["localSubnetNames"] == ["snet-app"] and props["remoteSubnetNames"] == ["snet-shared"]
    assert props["remoteVirtualNetwork"] == {"id": HUB} and props["useRemoteGateways"] is True


def test_remote_gateways_of_an_msrest_model_read_with_keep_wire():
    peering = old.VirtualNetworkPeering.deserialize(SUBNET_PEERING)
    assert _peering.remote_gateways(peering) == []  # the model alone has lost them
    _sdkcompat.keep_wire()(old.FakePipelineResponse(SUBNET_PEERING), peering, {})
    assert _peering.remote_gateways(peering) == [GATEWAY]
    assert _peering.side_result(peering, _peering.parse_resource_id(SPOKE))["remote_gateways"] == [GATEWAY]
