# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""An in-memory Microsoft.Network behind AzureModule.arm() for the VPN modules' unit tests: resources by id as Azure's
JSON, PUT answered as Azure answers (id, name, provisioningState, a public IP's address, a gateway's BGP peering
address, a connection's status and its shared key, which the sharedkey operation serves too)."""

from __future__ import annotations

import copy

from ansible_collections.privnet.azure.tests.unit.helpers import install_arm, not_found

SUB = "11111111-1111-4111-8111-111111111111"
OTHER_SUB = "22222222-2222-4222-8222-222222222222"


def net(group, sub=SUB):
    return f"/subscriptions/{sub}/resourceGroups/{group}/providers/Microsoft.Network"


HUB = net("rg-hub")
VNET_HUB = f"{HUB}/virtualNetworks/vnet-hub"
GW_SUBNET = f"{VNET_HUB}/subnets/GatewaySubnet"


class FakeNetwork:
    """``store`` maps lower-cased ids to resources; ``writes`` lists (method, id, body) of every PUT/DELETE;
    ``keys`` holds connections' shared keys by lower-cased connection id (never in the connection's GET)."""

    def __init__(self):
        self.store = {}
        self.keys = {}
        self.writes = []
        self.calls = None
        self.put_hooks = []
        self.get_hooks = []
        self.poller = None  # a FakePoller every PUT answers with (to see whether it is waited for)

    def add(self, resource):
        self.store[resource["id"].lower()] = copy.deepcopy(resource)
        return resource

    def get(self, resource_id):
        return copy.deepcopy(self.store.get(resource_id.lower()))

    def handler(self, method, resource_id, body, headers):
        key = resource_id.lower()
        if method == "GET" and key.endswith("/sharedkey"):
            connection = key[:-len("/sharedkey")]
            if connection not in self.keys:
                raise not_found()
            return {"id": resource_id, "value": self.keys[connection]}
        if method == "GET":
            for hook in self.get_hooks:
                hook(resource_id)
            if key not in self.store:
                raise not_found(f"Resource {resource_id} not found.")
            return copy.deepcopy(self.store[key])
        if method == "LIST":
            prefix = key + "/"
            return [copy.deepcopy(v) for k, v in self.store.items()
                    if k.startswith(prefix) and "/" not in k[len(prefix):]]
        if method == "DELETE":
            self.writes.append(("DELETE", resource_id, None))
            self.store.pop(key, None)
            self.keys.pop(key, None)
            return None
        self.writes.append((method, resource_id, copy.deepcopy(body)))
        stored = copy.deepcopy(body)
        stored.update(id=resource_id, name=resource_id.rsplit("/", 1)[1])
        props = stored.setdefault("properties", {})
        props["provisioningState"] = "Succeeded"
        if "/publicipaddresses/" in key:
            props.setdefault("ipAddress", "20.50.1.7")
            old = self.store.get(key, {}).get("properties", {})
            if old.get("ipConfiguration"):
                props["ipConfiguration"] = old["ipConfiguration"]
        if "/virtualnetworkgateways/" in key:
            bgp = props.setdefault("bgpSettings", {})
            bgp.setdefault("asn", 65515)
            bgp["bgpPeeringAddress"] = "10.0.255.30"
        if "/connections/" in key:
            if "sharedKey" in props:  # kept in the GET too, as the emulator answers it: the harder case for leaks
                self.keys[key] = props["sharedKey"]
            props["connectionStatus"] = self.store.get(key, {}).get("properties", {}).get("connectionStatus", "Connected")
        for hook in self.put_hooks:
            hook(resource_id, stored)
        self.store[key] = stored
        if self.poller is not None:
            return self.poller
        return copy.deepcopy(stored)


def install_network(monkeypatch):
    fake = FakeNetwork()
    fake.calls = install_arm(monkeypatch, fake.handler)
    return fake


def vnet(vid=VNET_HUB, location="westeurope"):
    return {"id": vid, "name": vid.rsplit("/", 1)[1], "location": location,
            "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}


def subnet(sid=GW_SUBNET, prefix="10.0.255.0/27"):
    return {"id": sid, "name": sid.rsplit("/", 1)[1],
            "properties": {"addressPrefix": prefix, "provisioningState": "Succeeded"}}


def public_ip(name, group="rg-hub", sku="Standard", location="westeurope", used_by=None, sub=SUB, zones=None):
    props = {"publicIPAllocationMethod": "Static" if sku == "Standard" else "Dynamic",
             "publicIPAddressVersion": "IPv4", "ipAddress": "20.50.1.7", "provisioningState": "Succeeded",
             "idleTimeoutInMinutes": 4, "dnsSettings": {"domainNameLabel": "keepme"}}
    if used_by:
        props["ipConfiguration"] = {"id": used_by}
    if zones is None:
        zones = ["1", "2", "3"] if sku == "Standard" else []
    return {"id": f"{net(group, sub)}/publicIPAddresses/{name}", "name": name, "location": location,
            "zones": zones, "sku": {"name": sku, "tier": "Regional"}, "etag": 'W/"1"', "type": "Microsoft.Network/publicIPAddresses",
            "properties": props}


def gateway(name="vpngw-hub", group="rg-hub", sku="VpnGw2AZ", generation="Generation2", pips=("pip-vpngw-hub-1",),
            state="Succeeded", enable_bgp=False, asn=65515, subnet_id=GW_SUBNET, location="westeurope", sub=SUB,
            **extra):
    configs = [{"id": f"{net(group, sub)}/virtualNetworkGateways/{name}/ipConfigurations/vnetGatewayConfig{i}",
                "name": f"vnetGatewayConfig{i}", "etag": 'W/"1"',
                "properties": {"privateIPAllocationMethod": "Dynamic", "subnet": {"id": subnet_id},
                               "publicIPAddress": {"id": f"{net(group, sub)}/publicIPAddresses/{p}"},
                               "provisioningState": state}}
               for i, p in enumerate(pips)]
    props = {"gatewayType": "Vpn", "vpnType": "RouteBased", "vpnGatewayGeneration": generation,
             "sku": {"name": sku, "tier": sku, "capacity": 2}, "activeActive": len(pips) > 1, "enableBgp": enable_bgp,
             "bgpSettings": {"asn": asn, "bgpPeeringAddress": "10.0.255.30", "peerWeight": 0},
             "ipConfigurations": configs, "provisioningState": state, "resourceGuid": "guid",
             "enablePrivateIpAddress": False, "customRoutes": {"addressPrefixes": ["10.99.0.0/16"]}}
    props.update(extra)
    return {"id": f"{net(group, sub)}/virtualNetworkGateways/{name}", "name": name, "location": location,
            "etag": 'W/"1"', "type": "Microsoft.Network/virtualNetworkGateways", "tags": {"keep": "me"},
            "properties": props}


def written(fake, method="PUT"):
    return [(m, i, b) for m, i, b in fake.writes if m == method]
