# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Models of the older (msrest) generation of azure-mgmt-*, for unit tests that run with the dev
pins' newer SDKs (whose models are mappings).

It behaves like msrest.serialization.Model where the collection's code can tell the difference:
attributes only (not a Mapping), an ``_attribute_map`` of dotted REST keys, ``deserialize`` keeps
only declared fields, ``as_dict()`` gives snake_case attribute names with flattened properties, and
``serialize()`` gives the nested REST form of the declared fields. The attribute maps below are the
relevant part of azure-mgmt-network 28.0's.
"""

from __future__ import annotations

import json


class MsrestModel:
    _attribute_map: dict = {}
    _children: dict = {}  # attribute -> model class of its value (or of each list item)

    def __init__(self, **kwargs):
        for attribute in self._attribute_map:
            setattr(self, attribute, kwargs.get(attribute))

    @classmethod
    def deserialize(cls, data):
        values = {}
        for attribute, desc in cls._attribute_map.items():
            value = data
            for key in desc["key"].split("."):
                value = value.get(key) if isinstance(value, dict) else None
            child = cls._children.get(attribute)
            if child is not None and value is not None:
                value = [child.deserialize(v) for v in value] if isinstance(value, list) else child.deserialize(value)
            values[attribute] = value
        return cls(**values)

    def as_dict(self):
        out = {}
        for attribute in self._attribute_map:
            value = getattr(self, attribute)
            if isinstance(value, MsrestModel):
                value = value.as_dict()
            elif isinstance(value, list):
                value = [v.as_dict() if isinstance(v, MsrestModel) else v for v in value]
            if value is not None:
                out[attribute] = value
        return out

    def serialize(self, keep_readonly=False):  # pylint: disable=unused-argument
        out = {}
        for attribute, desc in self._attribute_map.items():
            value = getattr(self, attribute)
            if isinstance(value, MsrestModel):
                value = value.serialize(keep_readonly)
            elif isinstance(value, list):
                value = [v.serialize(keep_readonly) if isinstance(v, MsrestModel) else v for v in value]
            if value is None:
                continue
            *parents, last = desc["key"].split(".")
            target = out
            for key in parents:
                target = target.setdefault(key, {})
            target[last] = value
        return out


class SubResource(MsrestModel):
    _attribute_map = {"id": {"key": "id", "type": "str"}}


class AddressSpace(MsrestModel):
    _attribute_map = {"address_prefixes": {"key": "addressPrefixes", "type": "[str]"}}


class VirtualNetworkPeering(MsrestModel):
    """azure-mgmt-network 28.0 (API 2024-03-01): no remoteGateways."""
    _attribute_map = {
        "id": {"key": "id", "type": "str"},
        "name": {"key": "name", "type": "str"},
        "etag": {"key": "etag", "type": "str"},
        "allow_virtual_network_access": {"key": "properties.allowVirtualNetworkAccess", "type": "bool"},
        "allow_forwarded_traffic": {"key": "properties.allowForwardedTraffic", "type": "bool"},
        "allow_gateway_transit": {"key": "properties.allowGatewayTransit", "type": "bool"},
        "use_remote_gateways": {"key": "properties.useRemoteGateways", "type": "bool"},
        "remote_virtual_network": {"key": "properties.remoteVirtualNetwork", "type": "SubResource"},
        "peering_state": {"key": "properties.peeringState", "type": "str"},
        "peering_sync_level": {"key": "properties.peeringSyncLevel", "type": "str"},
        "provisioning_state": {"key": "properties.provisioningState", "type": "str"},
        "local_address_space": {"key": "properties.localAddressSpace", "type": "AddressSpace"},
        "local_virtual_network_address_space": {"key": "properties.localVirtualNetworkAddressSpace",
                                                "type": "AddressSpace"},
        "remote_address_space": {"key": "properties.remoteAddressSpace", "type": "AddressSpace"},
        "remote_virtual_network_address_space": {"key": "properties.remoteVirtualNetworkAddressSpace",
                                                 "type": "AddressSpace"},
        "do_not_verify_remote_gateways": {"key": "properties.doNotVerifyRemoteGateways", "type": "bool"},
        "peer_complete_vnets": {"key": "properties.peerCompleteVnets", "type": "bool"},
        "enable_only_i_pv6_peering": {"key": "properties.enableOnlyIPv6Peering", "type": "bool"},
        "local_subnet_names": {"key": "properties.localSubnetNames", "type": "[str]"},
        "remote_subnet_names": {"key": "properties.remoteSubnetNames", "type": "[str]"},
    }
    _children = {"remote_virtual_network": SubResource, "local_address_space": AddressSpace,
                 "local_virtual_network_address_space": AddressSpace, "remote_address_space": AddressSpace,
                 "remote_virtual_network_address_space": AddressSpace}


class VirtualNetwork(MsrestModel):
    _attribute_map = {
        "id": {"key": "id", "type": "str"},
        "name": {"key": "name", "type": "str"},
        "virtual_network_peerings": {"key": "properties.virtualNetworkPeerings", "type": "[VirtualNetworkPeering]"},
    }
    _children = {"virtual_network_peerings": VirtualNetworkPeering}


class FakePipelineResponse:
    """What a ``cls=`` hook receives: the HTTP response's JSON text."""

    class _Response:
        def __init__(self, body):
            self._text = json.dumps(body)

        def text(self, encoding=None):  # pylint: disable=unused-argument
            return self._text

    def __init__(self, body):
        self.http_response = self._Response(body)
