# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import copy
import ipaddress
import json

import pytest

from ansible_collections.privnet.azure.plugins.module_utils import _endpoint
from ansible_collections.privnet.azure.plugins.module_utils._armjson import (
    CONTAINER_REGISTRY_API,
    NETWORK_API,
    PRIVATE_DNS_API,
)
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.module_utils._targets import PRIVATE_LINK_SERVICE_API_VERSION
from ansible_collections.privnet.azure.plugins.modules import private_endpoint
from ansible_collections.privnet.azure.tests.unit.helpers import (
    arm_error,
    install_arm,
    not_found,
    split_id,
    warnings_of,
)

SUB = "11111111-1111-4111-8111-111111111111"
NET = f"/subscriptions/{SUB}/resourceGroups/rg-network/providers/Microsoft.Network"
VNET_ID = f"{NET}/virtualNetworks/vnet-app"
SUBNET_ID = f"{VNET_ID}/subnets/snet-workload"
SUBNET_VM_ID = f"{VNET_ID}/subnets/snet-vm"
REGISTRY_ID = f"/subscriptions/{SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acrprivnetdemo"
BASIC_ID = f"/subscriptions/{SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acrbasicdemo"
STORAGE_ID = f"/subscriptions/{SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdata"
PE_ID = f"{NET}/privateEndpoints/pe-acr"
ZONE_ID = f"{NET}/privateDnsZones/privatelink.azurecr.io"
BASE = {"subscription_id": SUB, "name": "pe-acr", "resource_group": "rg-network", "virtual_network": "vnet-app",
        "subnet": "snet-workload", "target_id": REGISTRY_ID}
API_VERSIONS = {"privateendpoints": NETWORK_API, "networkinterfaces": NETWORK_API, "virtualnetworks": NETWORK_API,
                "privatednszones": PRIVATE_DNS_API, "registries": CONTAINER_REGISTRY_API,
                "privatelinkservices": PRIVATE_LINK_SERVICE_API_VERSION}
# A provider's private link service in another subscription, and the alias Azure generated for it.
PROVIDER_SUB = "33333333-3333-4333-8333-333333333333"
PLS_ID = f"/subscriptions/{PROVIDER_SUB}/resourceGroups/rg-provider/providers/Microsoft.Network/privateLinkServices/pls-orders"
ALIAS = "pls-orders.6f1c2b7e-0d0a-4b7a-9b36-2f1d0c6d7a11.westeurope.azure.privatelinkservice"
NOT_VISIBLE = "ThirdPartyPrivateLinkServiceProvidedDuringPrivateEndpointCreationDoesNotExistOrIsNotVisible"


class FakeAzure:
    """A small, stateful stand-in for Azure Resource Manager behind AzureModule.arm(), following NRP:
    an endpoint PUT creates a network interface whose IP configurations carry the target's
    members (for a registry: registry + registry_data_<region> per replica region)."""

    def __init__(self):
        self.writes = []  # (operation, args)
        self.reads = []
        self.calls = []   # (method, id, api_version): every request the module made
        self.endpoints = {}
        self.nics = {}
        self.zone_groups = {}  # endpoint name -> {group name: wire}
        self.zones = {ZONE_ID.lower()}
        self.subnet_store = {
            SUBNET_ID.lower(): {"id": SUBNET_ID, "name": "snet-workload",
                                "properties": {"addressPrefix": "10.20.1.0/24"}},
            SUBNET_VM_ID.lower(): {"id": SUBNET_VM_ID, "name": "snet-vm",
                                   "properties": {"addressPrefix": "10.20.2.0/24"}},
        }
        self.vnet_location = "westeurope"
        self.regions = {REGISTRY_ID.lower(): ["westeurope", "eastus"], BASIC_ID.lower(): ["westeurope"]}
        self.wait = True
        self.create_error = None
        # Private link services: id -> {alias, visible, auto_approve}; reading one may be forbidden (another tenant).
        self.services = {PLS_ID.lower(): {"id": PLS_ID, "alias": ALIAS, "visible": True, "auto_approve": False}}
        self.service_read_error = None
        self.echo_alias = True  # False: Azure answers the resolved id in privateLinkServiceId (see the module's notes)

    def handle(self, method, resource_id, body, headers):
        """ARM, routed by the id's types to the handlers below."""
        _sub, rg, pairs = split_id(resource_id)
        types = tuple(t.lower() for t, _name in pairs)
        names = [n for _type, n in pairs]
        assert self.calls[-1][2] == API_VERSIONS[types[0]], self.calls[-1]
        if types == ("privateendpoints",):
            if method == "LIST":
                return self.pe_list(rg) if rg else self.pe_list_all()
            return {"GET": self.pe_get, "PUT": self.pe_put, "DELETE": self.pe_delete}[method](rg, names[0], *(
                [body] if method == "PUT" else []))
        if types == ("privateendpoints", "privatednszonegroups"):
            if method == "LIST":
                return self.zg_list(names[0], rg)
            return {"GET": self.zg_get, "PUT": self.zg_put, "DELETE": self.zg_delete}[method](rg, names[0], names[1], *(
                [body] if method == "PUT" else []))
        if types == ("networkinterfaces",) and method == "GET":
            return self.nic_get(rg, names[0])
        if types == ("virtualnetworks", "subnets") and method == "GET":
            return self.subnet_get(rg, names[0], names[1])
        if types == ("virtualnetworks",) and method == "GET":
            return self.vnet_get(rg, names[0])
        if types == ("privatednszones",) and method == "GET":
            return self.zone_get(rg, names[0])
        if types == ("registries", "privatelinkresources") and method == "LIST":
            return self.registry_link_resources(rg, names[0])
        if types == ("privatelinkservices",) and method == "GET":
            return self.pls_get(resource_id)
        raise AssertionError(f"unexpected request {method} {resource_id}")

    # ---- endpoints
    def pe_get(self, rg, name):
        self.reads.append(("pe_get", name))
        stored = self.endpoints.get(name.lower())
        if stored is None:
            raise not_found()
        return copy.deepcopy(stored)

    def pe_list(self, rg):
        self.reads.append(("pe_list", rg))
        return [copy.deepcopy(e) for e in self.endpoints.values()
                if f"/resourceGroups/{rg}/".lower() in e["id"].lower()]

    def pe_list_all(self):
        self.reads.append(("pe_list_all",))
        return [copy.deepcopy(e) for e in self.endpoints.values()]

    def pe_put(self, rg, name, body):
        self.writes.append(("pe_put", name, copy.deepcopy(body)))
        if self.create_error is not None:
            raise self.create_error
        props = body["properties"]
        existing = self.endpoints.get(name.lower())
        pe_id = f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/privateEndpoints/{name}"
        for kind, status in (("privateLinkServiceConnections", ("Approved", "Auto-Approved")),
                             ("manualPrivateLinkServiceConnections", ("Pending", "Awaiting Approval"))):
            for conn in props.get(kind, []):
                service = self.service_of(conn["properties"]["privateLinkServiceId"])
                if service is not None and existing is None:
                    if not service["visible"]:
                        raise arm_error(400, NOT_VISIBLE, f"Third-party Private Link Service Id {service['id']} "
                                                          "provided during private endpoint creation does not exist "
                                                          "or is not visible.")
                    if service["auto_approve"]:
                        status = ("Approved", "Auto-Approved")
                    if not self.echo_alias:
                        conn["properties"]["privateLinkServiceId"] = service["id"]
                conn.setdefault("id", f"{pe_id}/{kind}/{conn['name']}")
                conn["properties"].setdefault("privateLinkServiceConnectionState", {
                    "status": status[0], "description": status[1], "actionsRequired": "None"})
        if existing is None:
            nic_name = props.get("customNetworkInterfaceName") or f"{name}.nic.00000000-aaaa"
            nic_id = f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/networkInterfaces/{nic_name}"
            self.nics[nic_id.lower()] = self.make_nic(nic_id, pe_id, props)
        else:
            nic_id = existing["properties"]["networkInterfaces"][0]["id"]
        props["networkInterfaces"] = [{"id": nic_id}]
        props["provisioningState"] = "Succeeded"
        stored = dict(body, id=pe_id, name=name, type="Microsoft.Network/privateEndpoints", etag='W/"1"')
        self.endpoints[name.lower()] = stored
        return copy.deepcopy(stored)

    def service_of(self, target):
        """The private link service a connection names by id or alias; None for another kind of target. An alias
        that names no service is not visible (Azure's answer for both)."""
        if target.lower().endswith(".azure.privatelinkservice"):
            found = [s for s in self.services.values() if s["alias"].lower() == target.lower()]
            return found[0] if found else {"id": target, "visible": False}
        if "/privatelinkservices/" in target.lower():
            return self.services.get(target.lower(), {"id": target, "visible": False})
        return None

    def pls_get(self, resource_id):
        self.reads.append(("pls_get", resource_id.rsplit("/", 1)[-1]))
        if self.service_read_error is not None:
            raise self.service_read_error
        service = self.services.get(resource_id.lower())
        if service is None:
            raise not_found()
        return {"id": service["id"], "name": service["id"].rsplit("/", 1)[-1], "properties": {"alias": service["alias"]}}

    def make_nic(self, nic_id, pe_id, props):
        conn = (props.get("privateLinkServiceConnections") or props.get("manualPrivateLinkServiceConnections"))[0]
        target = conn["properties"]["privateLinkServiceId"]
        if self.service_of(target) is not None:  # a private link service: one member, no group id (NRP)
            subnet = self.subnet_store[props["subnet"]["id"].lower()]
            address = str(list(ipaddress.ip_network(subnet["properties"]["addressPrefix"]).hosts())[3])
            return {"id": nic_id, "name": nic_id.rsplit("/", 1)[-1], "properties": {
                "privateEndpoint": {"id": pe_id}, "ipConfigurations": [{"name": "privateEndpointIpConfig", "properties": {
                    "privateIPAddress": address, "privateIPAllocationMethod": "Dynamic",
                    "subnet": {"id": props["subnet"]["id"]},
                    "privateLinkConnectionProperties": {"groupId": "", "requiredMemberName": "", "fqdns": []}}}]}}
        registry = target.rsplit("/", 1)[-1]
        members = [("registry", [f"{registry}.azurecr.io"])] + [
            (f"registry_data_{r}", [f"{registry}.{r}.data.azurecr.io"]) for r in self.regions.get(target.lower(), [])]
        static = {c["properties"]["memberName"]: c["properties"]["privateIPAddress"]
                  for c in props.get("ipConfigurations", [])}
        subnet = self.subnet_store[props["subnet"]["id"].lower()]
        hosts = ipaddress.ip_network(subnet["properties"]["addressPrefix"]).hosts()
        for _reserved in range(3):
            next(hosts)
        configs = []
        for member, fqdns in members:
            configs.append({"name": f"privateEndpointIpConfig.{member}", "properties": {
                "privateIPAddress": static.get(member) or str(next(hosts)),
                "privateIPAllocationMethod": "Static" if member in static else "Dynamic",
                "subnet": {"id": props["subnet"]["id"]},
                "privateLinkConnectionProperties": {"groupId": "registry", "requiredMemberName": member,
                                                    "fqdns": fqdns}}})
        return {"id": nic_id, "name": nic_id.rsplit("/", 1)[-1],
                "properties": {"privateEndpoint": {"id": pe_id}, "ipConfigurations": configs}}

    def pe_delete(self, rg, name):
        self.writes.append(("pe_delete", name))
        stored = self.endpoints.pop(name.lower(), None)
        if stored is not None:
            self.nics.pop(stored["properties"]["networkInterfaces"][0]["id"].lower(), None)
            self.zone_groups.pop(name.lower(), None)
        return None

    def nic_get(self, rg, name):
        self.reads.append(("nic_get", name))
        for nic in self.nics.values():
            if nic["name"].lower() == name.lower():
                return copy.deepcopy(nic)
        raise not_found()

    # ---- subnets / vnets
    def subnet_get(self, rg, vnet, name):
        self.reads.append(("subnet_get", name))
        for subnet in self.subnet_store.values():
            if subnet["id"].lower().endswith(f"/virtualnetworks/{vnet}/subnets/{name}".lower()):
                return copy.deepcopy(subnet)
        raise not_found()

    def vnet_get(self, rg, name):
        self.reads.append(("vnet_get", name))
        return {"id": VNET_ID, "name": name, "location": self.vnet_location}

    # ---- zone groups and zones
    def zg_list(self, pe_name, rg):
        self.reads.append(("zg_list", pe_name))
        return [copy.deepcopy(g) for g in self.zone_groups.get(pe_name.lower(), {}).values()]

    def zg_get(self, rg, pe_name, name):
        self.reads.append(("zg_get", name))
        group = self.zone_groups.get(pe_name.lower(), {}).get(name.lower())
        if group is None:
            raise not_found()
        return copy.deepcopy(group)

    def zg_put(self, rg, pe_name, name, body):
        self.writes.append(("zg_put", name, copy.deepcopy(body)))
        for config in body["properties"]["privateDnsZoneConfigs"]:
            config["properties"]["recordSets"] = [{"recordType": "A", "recordSetName": "acrprivnetdemo",
                                                   "fqdn": "acrprivnetdemo.privatelink.azurecr.io", "ttl": 10,
                                                   "ipAddresses": ["10.20.1.4"]}]
        stored = dict(body, name=name, id=f"{PE_ID}/privateDnsZoneGroups/{name}")
        self.zone_groups.setdefault(pe_name.lower(), {})[name.lower()] = stored
        return copy.deepcopy(stored)

    def zg_delete(self, rg, pe_name, name):
        self.writes.append(("zg_delete", name))
        self.zone_groups.get(pe_name.lower(), {}).pop(name.lower(), None)
        return None

    def zone_get(self, rg, name):
        self.reads.append(("zone_get", name))
        zone_id = f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/privateDnsZones/{name}"
        if zone_id.lower() not in self.zones:
            raise not_found()
        return {"id": zone_id, "name": name}

    # ---- the registry: what check mode predicts members from
    def registry_link_resources(self, rg, name):
        self.reads.append(("registry_link_resources", name))
        target = next(t for t in self.regions if t.endswith(f"/{name}".lower()))
        return [{"properties": {
            "groupId": "registry", "requiredMembers": ["registry"] + [f"registry_data_{r}" for r in self.regions[target]],
            "requiredZoneNames": ["privatelink.azurecr.io"]}}]

    def write_ops(self):
        return [w[0] for w in self.writes]


@pytest.fixture
def azure(monkeypatch):
    fake = FakeAzure()
    install_arm(monkeypatch, fake.handle, fake.calls)
    monkeypatch.setattr(AzureModule, "wait", property(lambda self: fake.wait and self.params.get("wait", True)))
    monkeypatch.setattr("ansible_collections.privnet.azure.plugins.module_utils._azure.time.sleep", lambda s: None)
    return fake


def run(run_module, args):
    return run_module(private_endpoint.main, args)


def create(run_module, azure, **extra):
    result, failed = run(run_module, dict(BASE, **extra))
    assert not failed, result
    return result


# ---- creation ---------------------------------------------------------------------------------

def test_creates_an_endpoint_to_a_registry_and_returns_its_three_members(run_module, azure):
    result = create(run_module, azure, connection_name="acr-connection")
    assert result["changed"] is True and result["replaced"] is False
    [(op, name, body)] = azure.writes
    assert (op, name) == ("pe_put", "pe-acr")
    assert body["location"] == "westeurope"  # the virtual network's region
    props = body["properties"]
    assert props["subnet"] == {"id": SUBNET_ID}
    assert props["privateLinkServiceConnections"] == [{"name": "acr-connection", "properties": {
        "privateLinkServiceId": REGISTRY_ID, "groupIds": ["registry"]}}]
    assert "manualPrivateLinkServiceConnections" not in props
    pe = result["private_endpoint"]
    assert pe["id"] == PE_ID and pe["group_ids"] == ["registry"] and pe["target_id"] == REGISTRY_ID
    assert pe["connection"]["status"] == "Approved" and pe["connection"]["manual"] is False
    assert result["connection_state"] == "Approved"
    assert result["members"] == pe["members"]
    assert [(m["required_member_name"], m["fqdns"]) for m in result["members"]] == [
        ("registry", ["acrprivnetdemo.azurecr.io"]),
        ("registry_data_westeurope", ["acrprivnetdemo.westeurope.data.azurecr.io"]),
        ("registry_data_eastus", ["acrprivnetdemo.eastus.data.azurecr.io"]),
    ]
    assert all(ipaddress.ip_address(m["private_ip"]) in ipaddress.ip_network("10.20.1.0/24")
               for m in result["members"])
    assert pe["network_interface_name"] == "pe-acr.nic.00000000-aaaa"
    assert warnings_of(result) == []


def test_second_run_changes_nothing_and_writes_nothing(run_module, azure):
    create(run_module, azure, tags={"owner": "platform"})
    azure.writes.clear()
    azure.reads.clear()
    second = create(run_module, azure, tags={"owner": "platform"})
    assert second["changed"] is False
    assert azure.writes == []
    # two reads: the endpoint and its NIC; the subnet is not read, the endpoint already in it proves it exists
    assert [r[0] for r in azure.reads] == ["pe_get", "nic_get"]
    assert len(second["members"]) == 3


def test_creation_reads_and_checks_the_subnet_first(run_module, azure):
    create(run_module, azure)
    assert [r[0] for r in azure.reads][:2] == ["pe_get", "subnet_get"]
    assert azure.write_ops() == ["pe_put"]


def test_static_addresses_on_an_existing_endpoint_need_no_subnet_read(run_module, azure):
    ips = [{"group_id": "registry", "member_name": m, "private_ip_address": ip}
           for m, ip in (("registry", "10.20.1.10"), ("registry_data_westeurope", "10.20.1.11"),
                         ("registry_data_eastus", "10.20.1.12"))]
    create(run_module, azure, ip_configurations=ips)
    azure.reads.clear()
    azure.writes.clear()
    again = create(run_module, azure, ip_configurations=ips)
    assert again["changed"] is False and azure.writes == []
    assert [r[0] for r in azure.reads] == ["pe_get", "nic_get"]


@pytest.mark.parametrize("address,message", [
    ("10.20.2.10", "ip_configurations[0].private_ip_address: 10.20.2.10 is outside subnet 'snet-workload'"),
    ("10.20.1.3", "ip_configurations[0].private_ip_address: 10.20.1.3 is reserved by Azure in 10.20.1.0/24"),
])
def test_replacing_in_the_same_subnet_checks_the_subnet_before_deleting(run_module, azure, address, message):
    # The endpoint stays in its subnet, so the subnet is not read up front; re-creating it (new static
    # addresses, replace=true) still checks them against the subnet before the delete.
    create(run_module, azure)
    azure.reads.clear()
    azure.writes.clear()
    ips = [{"group_id": "registry", "member_name": "registry", "private_ip_address": address},
           {"group_id": "registry", "member_name": "registry_data_westeurope", "private_ip_address": "10.20.1.20"},
           {"group_id": "registry", "member_name": "registry_data_eastus", "private_ip_address": "10.20.1.21"}]
    result, failed = run(run_module, dict(BASE, ip_configurations=ips, replace=True))
    assert failed
    assert message in result["msg"]
    assert [r[0] for r in azure.reads] == ["pe_get", "subnet_get"]
    assert azure.writes == []


def test_moving_to_another_subnet_reads_that_subnet(run_module, azure):
    create(run_module, azure)
    azure.subnet_store[SUBNET_VM_ID.lower()]["properties"]["delegations"] = [
        {"name": "aci", "properties": {"serviceName": "Microsoft.ContainerInstance/containerGroups"}}]
    azure.reads.clear()
    azure.writes.clear()
    result, failed = run(run_module, dict(BASE, subnet="snet-vm", replace=True))
    assert failed
    assert "is delegated to Microsoft.ContainerInstance/containerGroups" in result["msg"]
    assert [r[0] for r in azure.reads] == ["pe_get", "subnet_get"]
    assert azure.writes == []


def test_check_mode_create_writes_nothing_and_predicts(run_module, azure):
    result = create(run_module, azure, manual=True, request_message="please", _ansible_check_mode=True,
                    _ansible_diff=True)
    assert result["changed"] is True
    assert azure.writes == []
    pe = result["private_endpoint"]
    assert pe["id"] == PE_ID and pe["location"] == "westeurope" and pe["subnet_id"] == SUBNET_ID
    assert pe["connection"]["manual"] is True and pe["connection"]["request_message"] == "please"
    # Predicted from the registry's private link resources; the addresses come with the network interface.
    assert result["connection_state"] == "Pending"
    assert result["members"] == [
        {"group_id": "registry", "required_member_name": "registry", "private_ip": "(known after apply)",
         "fqdns": ["acrprivnetdemo.azurecr.io"]},
        {"group_id": "registry", "required_member_name": "registry_data_westeurope", "private_ip": "(known after apply)",
         "fqdns": ["acrprivnetdemo.westeurope.data.azurecr.io"]},
        {"group_id": "registry", "required_member_name": "registry_data_eastus", "private_ip": "(known after apply)",
         "fqdns": ["acrprivnetdemo.eastus.data.azurecr.io"]}]
    assert result["diff"]["before"]["target_id"] is None
    assert result["diff"]["after"]["target_id"] == REGISTRY_ID
    assert result["diff"]["after"]["manual"] is True


def test_check_mode_create_predicts_an_approved_connection_and_static_addresses(run_module, azure):
    static = [{"group_id": "registry", "member_name": m, "private_ip_address": ip}
              for m, ip in (("registry", "10.20.1.10"), ("registry_data_westeurope", "10.20.1.11"),
                            ("registry_data_eastus", "10.20.1.12"))]
    result = create(run_module, azure, ip_configurations=static, _ansible_check_mode=True)
    assert azure.writes == []
    assert result["connection_state"] == "Approved"
    assert [(m["required_member_name"], m["private_ip"]) for m in result["members"]] == [
        ("registry", "10.20.1.10"), ("registry_data_westeurope", "10.20.1.11"), ("registry_data_eastus", "10.20.1.12")]


@pytest.mark.parametrize("check_mode", [False, True])
def test_static_addresses_must_name_every_member_the_registry_requires(run_module, azure, check_mode):
    static = [{"group_id": "registry", "member_name": m, "private_ip_address": ip}
              for m, ip in (("registry", "10.20.1.10"), ("registry_data_westeurope", "10.20.1.11"),
                            ("registry_data_northeurope", "10.20.1.13"))]
    result, failed = run(run_module, dict(BASE, ip_configurations=static, _ansible_check_mode=check_mode))
    assert failed
    assert result["msg"] == ("ip_configurations: no address for registry_data_eastus; registry_data_northeurope is not "
                             "a member of it (registry 'acrprivnetdemo' requires registry, registry_data_westeurope, "
                             "registry_data_eastus: one address each)")
    assert azure.writes == []


def test_check_mode_create_to_another_target_predicts_no_members(run_module, azure):
    result = create(run_module, azure, target_id=STORAGE_ID, group_ids=["blob"], _ansible_check_mode=True)
    assert azure.writes == [] and result["members"] == []
    assert not [r for r in azure.reads if r[0] == "registry_link_resources"]


def test_two_group_ids_fail_before_calling_azure(run_module, azure):
    result, failed = run(run_module, dict(BASE, group_ids=["registry", "registry_data"]))
    assert failed and result["msg"].startswith("group_ids: ['registry', 'registry_data'] names 2 group ids")
    assert "OnlyOneGroupIdPermitted" in result["msg"]
    assert azure.reads == [] and azure.writes == []


def test_manual_connection_is_pending(run_module, azure):
    result = create(run_module, azure, manual=True, request_message="Pull access for the build agents")
    body = azure.writes[0][2]["properties"]
    assert "privateLinkServiceConnections" not in body
    assert body["manualPrivateLinkServiceConnections"][0]["properties"]["requestMessage"] == \
        "Pull access for the build agents"
    assert body["manualPrivateLinkServiceConnections"][0]["name"] == "pe-acr"  # default: the endpoint's name
    assert result["connection_state"] == "Pending"
    assert result["private_endpoint"]["connection"]["description"] == "Awaiting Approval"


@pytest.mark.parametrize("by_id", [True, False])
def test_subnet_in_another_subscription_is_refused_before_any_call(run_module, azure, by_id):
    # Microsoft Learn, private-endpoint-overview.md: the endpoint must be in the same region and
    # subscription as the virtual network.
    other_sub = "22222222-2222-4222-8222-222222222222"
    other = SUBNET_ID.replace(SUB, other_sub)
    args = {k: v for k, v in BASE.items() if k not in ("virtual_network", "subnet")}
    by_name = {"virtual_network": other.rsplit("/subnets/", 1)[0], "subnet": other.rsplit("/", 1)[1]}
    args.update({"subnet_id": other} if by_id else by_name)
    result, failed = run(run_module, args)
    assert failed
    assert result["msg"].startswith("subnet_id: " if by_id else "virtual_network: ")
    assert f"set subscription_id to {other_sub}" in result["msg"]
    assert azure.calls == [] and azure.writes == []


def test_subnet_by_id_in_the_endpoints_subscription(run_module, azure):
    args = {k: v for k, v in BASE.items() if k not in ("virtual_network", "subnet")}
    result, failed = run(run_module, dict(args, subnet_id=SUBNET_ID))
    assert not failed, result
    assert azure.writes[0][2]["properties"]["subnet"]["id"] == SUBNET_ID


def test_virtual_network_in_another_resource_group(run_module, azure):
    result, failed = run(run_module, dict(BASE, resource_group="rg-endpoints",
                                          virtual_network_resource_group="rg-network"))
    assert not failed, result
    assert azure.writes[0][2]["properties"]["subnet"]["id"] == SUBNET_ID


def test_static_addresses_and_network_interface_name(run_module, azure):
    ips = [{"group_id": "registry", "member_name": "registry", "private_ip_address": "10.20.1.10"},
           {"group_id": "registry", "member_name": "registry_data_westeurope", "private_ip_address": "10.20.1.11"},
           {"group_id": "registry", "member_name": "registry_data_eastus", "private_ip_address": "10.20.1.12",
            "name": "ipc-eastus"}]
    result = create(run_module, azure, ip_configurations=ips, network_interface_name="nic-pe-acr")
    props = azure.writes[0][2]["properties"]
    assert props["customNetworkInterfaceName"] == "nic-pe-acr"
    assert [(c["name"], c["properties"]["privateIPAddress"]) for c in props["ipConfigurations"]] == [
        ("registry", "10.20.1.10"), ("registry_data_westeurope", "10.20.1.11"), ("ipc-eastus", "10.20.1.12")]
    assert [m["private_ip"] for m in result["members"]] == ["10.20.1.10", "10.20.1.11", "10.20.1.12"]
    assert result["private_endpoint"]["network_interface_name"] == "nic-pe-acr"
    azure.writes.clear()
    # names left out are taken from the endpoint: no change
    again = create(run_module, azure, ip_configurations=ips[:2] + [dict(ips[2], name=None)],
                   network_interface_name="NIC-pe-acr")
    assert again["changed"] is False and azure.writes == []


def test_group_ids_default_to_registry_and_are_required_for_other_targets(run_module, azure):
    result, failed = run(run_module, dict(BASE, target_id=STORAGE_ID))
    assert failed
    assert result["msg"].startswith("group_ids: required for a Microsoft.Storage/storageAccounts target")
    assert azure.calls == []


# ---- validation before any write --------------------------------------------------------------

@pytest.mark.parametrize("extra,message", [
    ({"target_id": "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-acr/registries/x"}, "target_id: "),
    ({"target_id": "acrprivnetdemo"}, "target_id: 'acrprivnetdemo' is not an Azure resource id"),
    ({"name": "pe acr"}, "name: 'pe acr' is not a valid private endpoint name"),
    ({"subnet": "snet workload"}, "subnet: 'snet workload' is not a valid subnet name"),
    ({"ip_configurations": [{"group_id": "registry", "member_name": "registry", "private_ip_address": "10.20.1.x"}]},
     "ip_configurations[0].private_ip_address: '10.20.1.x' is not an IP address"),
    ({"ip_configurations": [{"group_id": "blob", "member_name": "registry", "private_ip_address": "10.20.1.9"}]},
     "ip_configurations[0].group_id: 'blob' is not one of group_ids"),
    ({"ip_configurations": [{"group_id": "registry", "member_name": "registry", "private_ip_address": "10.20.1.9"}]},
     "ip_configurations: a registry endpoint needs an address for every member"),
    ({"ip_configurations": [
        {"group_id": "registry", "member_name": "registry", "private_ip_address": "10.20.1.9"},
        {"group_id": "registry", "member_name": "registry_data_westeurope", "private_ip_address": "10.20.1.9"}]},
     "ip_configurations[1].private_ip_address: 10.20.1.9 is given to two members"),
    ({"dns_zone_group": {"zones": []}}, "dns_zone_group.zones"),
    ({"dns_zone_group": {"zones": ["azurecr"]}}, "dns_zone_group.zones: 'azurecr' needs at least two labels"),
    ({"group_ids": ["registry", ""]}, "group_ids: holds an empty or null item"),
])
def test_bad_input_fails_before_calling_azure(run_module, azure, extra, message):
    result, failed = run(run_module, dict(BASE, **extra))
    assert failed
    assert message in result["msg"]
    assert azure.calls == [] and azure.writes == []


@pytest.mark.parametrize("address,message", [
    ("10.20.2.10", "ip_configurations[0].private_ip_address: 10.20.2.10 is outside subnet 'snet-workload' of "
                   "virtual network 'vnet-app'"),
    ("10.20.1.3", "ip_configurations[0].private_ip_address: 10.20.1.3 is reserved by Azure in 10.20.1.0/24"),
    ("10.20.1.255", "is reserved by Azure"),
])
def test_static_address_outside_or_reserved_fails_after_reading_the_subnet(run_module, azure, address, message):
    ips = [{"group_id": "registry", "member_name": "registry", "private_ip_address": address},
           {"group_id": "registry", "member_name": "registry_data_westeurope", "private_ip_address": "10.20.1.20"}]
    result, failed = run(run_module, dict(BASE, ip_configurations=ips))
    assert failed
    assert message in result["msg"]
    assert ("subnet_get", "snet-workload") in azure.reads
    assert azure.writes == []


def test_unknown_subnet_fails_clearly(run_module, azure):
    result, failed = run(run_module, dict(BASE, subnet="snet-missing"))
    assert failed
    assert "subnet 'snet-missing' of virtual network 'vnet-app'" in result["msg"] and "not found" in result["msg"]
    assert azure.writes == []


def test_delegated_subnet_is_refused(run_module, azure):
    azure.subnet_store[SUBNET_ID.lower()]["properties"]["delegations"] = [
        {"name": "aci", "properties": {"serviceName": "Microsoft.ContainerInstance/containerGroups"}}]
    result, failed = run(run_module, BASE)
    assert failed
    assert "is delegated to Microsoft.ContainerInstance/containerGroups" in result["msg"]
    assert azure.writes == []


def test_location_other_than_the_virtual_networks_is_refused(run_module, azure):
    result, failed = run(run_module, dict(BASE, location="East US"))
    assert failed
    assert result["msg"].startswith("location: 'East US' is not the region of virtual network 'vnet-app'")
    assert azure.writes == []
    ok = create(run_module, azure, location="West Europe")
    assert ok["changed"] and azure.writes[0][2]["location"] == "West Europe"


def test_azure_error_is_reported_with_code_and_message(run_module, azure):
    azure.create_error = arm_error(400, "PrivateLinkNotSupportedForSku",
                                   "Private endpoints are only supported on the Premium SKU.")
    result, failed = run(run_module, dict(BASE, target_id=BASIC_ID))
    assert failed
    assert result["msg"] == ("creating private endpoint 'pe-acr' (resource group 'rg-network'): "
                             "PrivateLinkNotSupportedForSku: Private endpoints are only supported on the Premium SKU.")
    assert result["azure_error"]["status_code"] == 400
    assert "Traceback" not in json.dumps(result)


# ---- updates in place ---------------------------------------------------------------------------

def test_tags_change_in_place_keeping_unmanaged_properties(run_module, azure):
    create(run_module, azure, tags={"owner": "platform", "cost": "1"})
    stored = azure.endpoints["pe-acr"]
    stored["properties"]["applicationSecurityGroups"] = [{"id": f"{NET}/applicationSecurityGroups/asg-pe"}]
    stored["properties"]["customDnsConfigs"] = [{"fqdn": "acrprivnetdemo.azurecr.io", "ipAddresses": ["10.20.1.4"]}]
    azure.writes.clear()
    result = create(run_module, azure, tags={"owner": "team-x"}, _ansible_diff=True)
    assert result["changed"] is True
    [(op, _name, body)] = azure.writes
    assert op == "pe_put"
    assert body["tags"] == {"owner": "team-x"}
    assert body["properties"]["applicationSecurityGroups"] == [{"id": f"{NET}/applicationSecurityGroups/asg-pe"}]
    assert body["properties"]["customDnsConfigs"][0]["fqdn"] == "acrprivnetdemo.azurecr.io"
    assert body["properties"]["subnet"] == {"id": SUBNET_ID}
    assert result["diff"]["before"]["tags"] == {"owner": "platform", "cost": "1"}
    assert result["diff"]["after"]["tags"] == {"owner": "team-x"}
    assert result["private_endpoint"]["tags"] == {"owner": "team-x"}
    assert result["members"][0]["required_member_name"] == "registry"


def test_purge_tags_false_merges(run_module, azure):
    create(run_module, azure, tags={"owner": "platform"})
    azure.writes.clear()
    result = create(run_module, azure, tags={"env": "prod"}, purge_tags=False)
    assert result["private_endpoint"]["tags"] == {"owner": "platform", "env": "prod"}
    azure.writes.clear()
    again = create(run_module, azure, tags={"env": "prod"}, purge_tags=False)
    assert again["changed"] is False and azure.writes == []


def test_request_message_changes_in_place(run_module, azure):
    create(run_module, azure, manual=True, request_message="one")
    azure.writes.clear()
    result = create(run_module, azure, manual=True, request_message="two")
    [(op, _name, body)] = azure.writes
    assert op == "pe_put"
    assert body["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]["requestMessage"] == "two"
    assert result["private_endpoint"]["connection"]["request_message"] == "two"


def test_drifted_tags_are_corrected(run_module, azure):
    create(run_module, azure, tags={"owner": "platform"})
    azure.endpoints["pe-acr"]["tags"] = {"owner": "someone-else"}
    azure.writes.clear()
    result = create(run_module, azure, tags={"owner": "platform"})
    assert result["changed"] is True
    assert azure.writes[0][2]["tags"] == {"owner": "platform"}


def test_failed_endpoint_is_applied_again(run_module, azure):
    create(run_module, azure)
    azure.endpoints["pe-acr"]["properties"]["provisioningState"] = "Failed"
    azure.writes.clear()
    result = create(run_module, azure)
    assert result["changed"] is True
    assert azure.write_ops() == ["pe_put"]


# ---- fields Azure sets only at creation --------------------------------------------------------

@pytest.mark.parametrize("extra,field", [
    ({"subnet": "snet-vm"}, "subnet_id"),
    ({"manual": True}, "manual"),
    ({"connection_name": "other"}, "connection_name"),
    ({"network_interface_name": "nic-other"}, "network_interface_name"),
    ({"group_ids": ["vault"]}, "group_ids"),
    ({"location": "eastus"}, "location"),
])
def test_immutable_change_without_replace_fails_without_writing(run_module, azure, extra, field):
    create(run_module, azure)
    azure.writes.clear()
    result, failed = run(run_module, dict(BASE, **extra))
    assert failed
    assert result["msg"].startswith(f"private endpoint 'pe-acr' (resource group 'rg-network'): {field} cannot be "
                                    "changed in place")
    assert "Set replace: true" in result["msg"]
    assert field in result["immutable_changes"]["before"]
    assert azure.writes == []


def test_immutable_change_in_check_mode_is_reported_with_a_warning(run_module, azure):
    create(run_module, azure)
    azure.writes.clear()
    result = create(run_module, azure, subnet="snet-vm", _ansible_check_mode=True, _ansible_diff=True)
    assert result["changed"] is True and result["replaced"] is False
    assert any("subnet_id cannot be changed in place" in w for w in warnings_of(result))
    assert result["diff"]["before"]["subnet_id"] == SUBNET_ID
    assert result["diff"]["after"]["subnet_id"] == SUBNET_VM_ID
    assert azure.writes == []


def test_replace_deletes_and_recreates(run_module, azure):
    create(run_module, azure)
    azure.writes.clear()
    result = create(run_module, azure, subnet="snet-vm", replace=True)
    assert result["changed"] is True and result["replaced"] is True
    assert azure.write_ops() == ["pe_delete", "pe_put"]
    assert result["private_endpoint"]["subnet_id"] == SUBNET_VM_ID
    assert all(m["private_ip"].startswith("10.20.2.") for m in result["members"])
    azure.writes.clear()
    again = create(run_module, azure, subnet="snet-vm", replace=True)
    assert again["changed"] is False and azure.writes == []


def test_replace_waits_for_the_delete_even_with_wait_false(run_module, azure, monkeypatch):
    create(run_module, azure)
    azure.writes.clear()
    waits = []
    begin = AzureModule.begin

    def tracked(self, fn, *args, must_wait=False, **kwargs):
        waits.append((kwargs.get("what"), must_wait))
        return begin(self, fn, *args, must_wait=must_wait, **kwargs)

    monkeypatch.setattr(AzureModule, "begin", tracked)
    result = create(run_module, azure, subnet="snet-vm", replace=True, wait=False)
    assert result["replaced"] is True
    # the delete was waited for before the create
    assert waits[0] == ("deleting private endpoint 'pe-acr' (resource group 'rg-network') to re-create it", True)
    assert azure.write_ops() == ["pe_delete", "pe_put"]


def test_replace_in_check_mode_writes_nothing(run_module, azure):
    create(run_module, azure)
    azure.writes.clear()
    result = create(run_module, azure, subnet="snet-vm", replace=True, _ansible_check_mode=True)
    assert result["changed"] is True and result["replaced"] is True
    assert result["private_endpoint"]["subnet_id"] == SUBNET_VM_ID
    assert azure.writes == []


# ---- DNS zone group -----------------------------------------------------------------------------

def test_zone_group_created_with_the_endpoint(run_module, azure):
    result = create(run_module, azure, dns_zone_group={"zones": ["privatelink.azurecr.io"]}, _ansible_diff=True)
    assert azure.write_ops() == ["pe_put", "zg_put"]
    body = azure.writes[1][2]
    assert body["properties"]["privateDnsZoneConfigs"] == [
        {"name": "privatelink-azurecr-io", "properties": {"privateDnsZoneId": ZONE_ID}}]
    group = result["private_endpoint"]["dns_zone_group"]
    assert group["name"] == "default" and group["zones"] == [ZONE_ID]
    assert group["records"][0]["name"] == "acrprivnetdemo"
    assert result["diff"]["after"]["dns_zone_group"] == {"name": "default", "zones": [ZONE_ID]}
    azure.writes.clear()
    azure.reads.clear()
    again = create(run_module, azure, dns_zone_group={"zones": [ZONE_ID]})
    assert again["changed"] is False and azure.writes == []
    assert again["private_endpoint"]["dns_zone_group"] == group
    # unchanged: the listing is all it reads of the zone group; no zone is read either (nor the subnet)
    assert [r[0] for r in azure.reads] == ["pe_get", "zg_list", "nic_get"]


def test_zone_group_with_a_missing_zone_fails_before_any_write(run_module, azure):
    result, failed = run(run_module, dict(BASE, dns_zone_group={"zones": ["privatelink.blob.core.windows.net"]}))
    assert failed
    assert "dns_zone_group.zones: private DNS zone 'privatelink.blob.core.windows.net'" in result["msg"]
    assert azure.writes == []


def test_zone_group_added_and_removed_in_place(run_module, azure):
    create(run_module, azure)
    azure.writes.clear()
    create(run_module, azure, dns_zone_group={"name": "acr", "zones": ["privatelink.azurecr.io"]})
    assert azure.write_ops() == ["zg_put"]
    azure.writes.clear()
    result = create(run_module, azure, dns_zone_group={"name": "acr", "state": "absent"})
    assert result["changed"] is True and azure.write_ops() == ["zg_delete"]
    azure.writes.clear()
    again = create(run_module, azure, dns_zone_group={"name": "acr", "state": "absent"})
    assert again["changed"] is False and azure.writes == []


def test_another_zone_group_is_not_overwritten(run_module, azure):
    create(run_module, azure)
    azure.zone_groups["pe-acr"] = {"deployedbypolicy": {"name": "deployedByPolicy", "properties": {
        "privateDnsZoneConfigs": []}}}
    azure.writes.clear()
    result, failed = run(run_module, dict(BASE, dns_zone_group={"zones": ["privatelink.azurecr.io"]}))
    assert failed
    assert "already has the DNS zone group 'deployedByPolicy'" in result["msg"]
    assert azure.writes == []
    # left out, the policy's zone group is left alone
    assert create(run_module, azure)["changed"] is False


# ---- wait=false ---------------------------------------------------------------------------------

def test_wait_false_returns_what_azure_knows(run_module, azure):
    azure.wait = False
    result = create(run_module, azure, wait=False)
    assert result["changed"] is True
    assert result["private_endpoint"]["id"] == PE_ID
    assert ("pe_get", "pe-acr") in azure.reads[1:]


# ---- state=absent -------------------------------------------------------------------------------

def test_delete_returns_the_members_it_had(run_module, azure):
    create(run_module, azure)
    azure.writes.clear()
    result, failed = run(run_module, {"subscription_id": SUB, "name": "pe-acr", "resource_group": "rg-network",
                                      "state": "absent", "_ansible_diff": True})
    assert not failed and result["changed"] is True
    assert azure.write_ops() == ["pe_delete"]
    assert len(result["members"]) == 3
    assert result["diff"]["after"] == {"state": "absent"}
    assert result["diff"]["before"]["target_id"] == REGISTRY_ID
    azure.writes.clear()
    again, _failed = run(run_module, {"subscription_id": SUB, "name": "pe-acr", "resource_group": "rg-network",
                                      "state": "absent"})
    assert again["changed"] is False and azure.writes == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_delete_without_reading_the_members(run_module, azure, check_mode):
    create(run_module, azure)
    azure.writes.clear()
    azure.reads.clear()
    args = {"subscription_id": SUB, "name": "pe-acr", "resource_group": "rg-network", "state": "absent",
            "read_members": False, "_ansible_diff": True, "_ansible_check_mode": check_mode}
    result, failed = run(run_module, args)
    assert not failed and result["changed"] is True
    assert [r[0] for r in azure.reads] == ["pe_get"]  # no network interface read
    assert azure.write_ops() == ([] if check_mode else ["pe_delete"])
    assert result["members"] == [] and result["private_endpoint"]["members"] == []
    assert result["private_endpoint"]["id"] == PE_ID
    # the diff is the same as with the members read
    assert result["diff"]["before"]["target_id"] == REGISTRY_ID
    assert result["diff"]["before"]["subnet_id"] == SUBNET_ID
    assert result["diff"]["before"]["network_interface_name"] == "pe-acr.nic.00000000-aaaa"
    assert result["diff"]["after"] == {"state": "absent"}
    if not check_mode:
        azure.reads.clear()
        again, _failed = run(run_module, args)
        assert again["changed"] is False and azure.write_ops() == ["pe_delete"]
        assert [r[0] for r in azure.reads] == ["pe_get"]


def test_read_members_is_ignored_when_present(run_module, azure):
    result = create(run_module, azure, read_members=False)
    assert len(result["members"]) == 3


def test_delete_in_check_mode_writes_nothing(run_module, azure):
    create(run_module, azure)
    azure.writes.clear()
    result, _failed = run(run_module, {"subscription_id": SUB, "name": "pe-acr", "resource_group": "rg-network",
                                       "state": "absent", "_ansible_check_mode": True})
    assert result["changed"] is True and azure.writes == []


def test_rejected_connection_warns(run_module, azure):
    create(run_module, azure, manual=True)
    state = azure.endpoints["pe-acr"]["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]
    state["privateLinkServiceConnectionState"] = {"status": "Rejected", "description": "no", "actionsRequired": "None"}
    result = create(run_module, azure, manual=True)
    assert result["connection_state"] == "Rejected"
    assert any("the connection is Rejected" in w for w in warnings_of(result))


# ---- _endpoint helpers --------------------------------------------------------------------------

def test_members_skip_ip_configurations_without_private_link_properties():
    nic = {"id": "/nic", "properties": {"ipConfigurations": [
        {"name": "plain", "properties": {"privateIPAddress": "10.0.0.9"}},
        {"name": "pe", "properties": {"privateIPAddress": "10.0.0.4", "privateLinkConnectionProperties": {
            "groupId": "blob", "requiredMemberName": "blob", "fqdns": ["Store.blob.core.windows.net."]}}}]}}
    assert _endpoint.members(nic) == [{"group_id": "blob", "required_member_name": "blob", "private_ip": "10.0.0.4",
                                       "fqdns": ["store.blob.core.windows.net"]}]
    assert _endpoint.members(None) == []


def test_endpoint_result_of_an_endpoint_without_connection():
    result = _endpoint.endpoint_result({"id": PE_ID, "name": "pe-acr"}, [])
    assert result["connection"]["name"] is None and result["target_id"] is None and result["group_ids"] == []
    assert result["resource_group"] == "rg-network" and result["members"] == []


# ---- a private link service named by its alias --------------------------------------------------

ALIAS_BASE = dict({k: v for k, v in BASE.items() if k != "target_id"}, target_alias=ALIAS)


def test_alias_creates_a_manual_request_that_waits_as_pending(run_module, azure):
    result, failed = run(run_module, ALIAS_BASE)
    assert not failed, result
    assert result["changed"] is True
    [(op, name, body)] = azure.writes
    assert (op, name) == ("pe_put", "pe-acr")
    props = body["properties"]
    # The alias goes in privateLinkServiceId; a private link service takes no group id; a manual request by default.
    assert props["manualPrivateLinkServiceConnections"] == [{"name": "pe-acr", "properties": {
        "privateLinkServiceId": ALIAS, "groupIds": []}}]
    assert "privateLinkServiceConnections" not in props
    assert result["connection_state"] == "Pending"
    pe = result["private_endpoint"]
    assert pe["target_alias"] == ALIAS and pe["target_id"] is None and pe["connection"]["manual"] is True
    assert [(m["group_id"], m["required_member_name"]) for m in result["members"]] == [("", "")]
    # Nothing else is read: no registry, no private link service.
    assert [r[0] for r in azure.reads] == ["pe_get", "subnet_get", "vnet_get", "nic_get"]


def test_alias_from_an_auto_approved_subscription_is_approved_at_once(run_module, azure):
    azure.services[PLS_ID.lower()]["auto_approve"] = True
    result, failed = run(run_module, dict(ALIAS_BASE, request_message="Orders API for the shop"))
    assert not failed, result
    body = azure.writes[0][2]["properties"]
    assert body["manualPrivateLinkServiceConnections"][0]["properties"]["requestMessage"] == "Orders API for the shop"
    assert result["connection_state"] == "Approved"
    assert result["private_endpoint"]["connection"]["request_message"] == "Orders API for the shop"


def test_alias_with_manual_false_asks_for_an_automatic_connection(run_module, azure):
    result, failed = run(run_module, dict(ALIAS_BASE, manual=False))
    assert not failed, result
    props = azure.writes[0][2]["properties"]
    assert props["privateLinkServiceConnections"][0]["properties"]["privateLinkServiceId"] == ALIAS
    assert "manualPrivateLinkServiceConnections" not in props
    assert result["private_endpoint"]["connection"]["manual"] is False


@pytest.mark.parametrize("given", [ALIAS, ALIAS.upper(), f"  {ALIAS} "])
def test_alias_second_run_changes_nothing_and_writes_nothing(run_module, azure, given):
    run(run_module, dict(ALIAS_BASE, tags={"owner": "shop"}))
    azure.writes.clear()
    azure.reads.clear()
    for check_mode in (False, True):
        again, failed = run(run_module, dict(ALIAS_BASE, target_alias=given, tags={"owner": "shop"},
                                             _ansible_check_mode=check_mode, _ansible_diff=True))
        assert not failed, again
        assert again["changed"] is False, again["diff"]
        assert again["connection_state"] == "Pending" and again["private_endpoint"]["target_alias"] == ALIAS
    assert azure.writes == []
    # The endpoint and its NIC, once per run: the alias is compared as Azure keeps it, the service is not read.
    assert [r[0] for r in azure.reads] == ["pe_get", "nic_get"] * 2


def test_alias_check_mode_writes_nothing_and_predicts_the_request(run_module, azure):
    result, failed = run(run_module, dict(ALIAS_BASE, request_message="please", _ansible_check_mode=True,
                                          _ansible_diff=True))
    assert not failed, result
    assert result["changed"] is True and azure.writes == []
    assert result["connection_state"] == "Pending" and result["members"] == []
    pe = result["private_endpoint"]
    assert pe["target_alias"] == ALIAS and pe["target_id"] is None and pe["group_ids"] == []
    assert result["diff"]["before"]["target_alias"] is None
    assert result["diff"]["after"]["target_alias"] == ALIAS
    assert result["diff"]["after"]["manual"] is True and result["diff"]["after"]["request_message"] == "please"
    assert "target_id" not in result["diff"]["after"]
    assert not [c for c in azure.calls if "/privatelinkservices/" in c[1].lower()]


@pytest.mark.parametrize("alias", [ALIAS, "pls-gone.0f1c2b7e-0d0a-4b7a-9b36-2f1d0c6d7a11.westeurope.azure.privatelinkservice"])
def test_alias_not_visible_fails_with_azures_code_and_message(run_module, azure, alias):
    azure.services[PLS_ID.lower()]["visible"] = False
    result, failed = run(run_module, dict(ALIAS_BASE, target_alias=alias))
    assert failed
    assert result["msg"].startswith(f"creating private endpoint 'pe-acr' (resource group 'rg-network'): {NOT_VISIBLE}: ")
    assert "does not exist or is not visible" in result["msg"]
    assert result["azure_error"]["code"] == NOT_VISIBLE and result["azure_error"]["status_code"] == 400
    assert "Traceback" not in json.dumps(result)
    assert azure.endpoints == {}


@pytest.mark.parametrize("alias,message", [
    ("pls-orders.westeurope.azure.privatelinkservice", "is not a private link service alias; an alias has the form "
                                                       "<service name>.<GUID>.<region>.azure.privatelinkservice"),
    ("pls-orders.6f1c2b7e-0d0a-4b7a-9b36-2f1d0c6d7a11.westeurope", "is not a private link service alias"),
    ("pls-orders.6f1c2b7e0d0a4b7a9b362f1d0c6d7a11.westeurope.azure.privatelinkservice", "is not a private link service"),
    ("-pls.6f1c2b7e-0d0a-4b7a-9b36-2f1d0c6d7a11.westeurope.azure.privatelinkservice", "is not a private link service"),
    ("pls orders.6f1c2b7e-0d0a-4b7a-9b36-2f1d0c6d7a11.westeurope.azure.privatelinkservice", "is not a private link"),
    ("", "is empty; give a value, or leave the option out"),
    (PLS_ID, "is a resource id, not an alias; give the service's resource id as target_id instead"),
])
def test_bad_alias_fails_before_any_request_naming_the_field_and_the_fix(run_module, azure, alias, message):
    result, failed = run(run_module, dict(ALIAS_BASE, target_alias=alias))
    assert failed
    assert result["msg"].startswith("target_alias: ")
    assert message in result["msg"]
    assert azure.calls == [] and azure.writes == []


def test_the_fix_a_bad_alias_names_is_a_valid_alias(run_module, azure):
    result, failed = run(run_module, dict(ALIAS_BASE, target_alias="pls-orders"))
    assert failed
    example = result["msg"].split("(e.g. ", 1)[1].split(")", 1)[0]
    ok, failed = run(run_module, dict(ALIAS_BASE, target_alias=example, _ansible_check_mode=True))
    assert not failed, ok


def test_target_id_and_target_alias_exclude_each_other_and_one_is_required(run_module, azure):
    both, failed = run(run_module, dict(ALIAS_BASE, target_id=PLS_ID))
    assert failed and "mutually exclusive: target_id|target_alias" in both["msg"]
    neither, failed = run(run_module, {k: v for k, v in ALIAS_BASE.items() if k != "target_alias"})
    assert failed and "target_id, target_alias" in neither["msg"]
    assert azure.calls == []


def test_alias_takes_at_most_one_group_id(run_module, azure):
    result, failed = run(run_module, dict(ALIAS_BASE, group_ids=["a", "b"]))
    assert failed and result["msg"].startswith("group_ids: ['a', 'b'] names 2 group ids")
    assert azure.calls == []


def test_alias_tags_change_in_place_keeping_the_alias(run_module, azure):
    run(run_module, dict(ALIAS_BASE, tags={"owner": "shop"}))
    azure.writes.clear()
    result, failed = run(run_module, dict(ALIAS_BASE, tags={"owner": "billing"}))
    assert not failed, result
    [(op, _name, body)] = azure.writes
    assert op == "pe_put" and body["tags"] == {"owner": "billing"}
    assert body["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]["privateLinkServiceId"] == ALIAS
    assert result["changed"] is True and result["replaced"] is False


def test_another_alias_is_an_immutable_change(run_module, azure):
    run(run_module, ALIAS_BASE)
    azure.writes.clear()
    other = "pls-other.0f1c2b7e-0d0a-4b7a-9b36-2f1d0c6d7a11.westeurope.azure.privatelinkservice"
    result, failed = run(run_module, dict(ALIAS_BASE, target_alias=other))
    assert failed and "target_alias cannot be changed in place" in result["msg"]
    assert result["immutable_changes"]["after"]["target_alias"] == other
    assert azure.writes == []


def test_delete_an_alias_endpoint_shows_its_alias(run_module, azure):
    run(run_module, ALIAS_BASE)
    azure.writes.clear()
    result, failed = run(run_module, dict(ALIAS_BASE, state="absent", _ansible_diff=True))
    assert not failed, result
    assert azure.write_ops() == ["pe_delete"]
    assert result["diff"]["before"]["target_alias"] == ALIAS and result["diff"]["before"]["target_id"] is None


# ---- the same service named by alias on one side and by resource id on the other ------------------

def test_an_azure_answering_the_resolved_id_reads_the_service_and_changes_nothing(run_module, azure):
    azure.echo_alias = False
    first, failed = run(run_module, ALIAS_BASE)
    assert not failed, first
    assert first["private_endpoint"]["target_id"] == PLS_ID and first["private_endpoint"]["target_alias"] is None
    azure.writes.clear()
    azure.reads.clear()
    again, failed = run(run_module, ALIAS_BASE)
    assert not failed, again
    assert again["changed"] is False and azure.writes == []
    assert [r[0] for r in azure.reads] == ["pe_get", "pls_get", "nic_get"]
    assert ("GET", PLS_ID, PRIVATE_LINK_SERVICE_API_VERSION) in azure.calls
    assert warnings_of(again) == []


def test_an_id_of_another_service_is_a_change_of_target(run_module, azure):
    azure.echo_alias = False
    run(run_module, ALIAS_BASE)
    azure.services[PLS_ID.lower()]["alias"] = ALIAS.replace("6f1c2b7e", "0000aaaa")  # the service was re-created
    azure.writes.clear()
    result, failed = run(run_module, ALIAS_BASE)
    assert failed and "target_alias cannot be changed in place" in result["msg"]
    assert azure.writes == []


@pytest.mark.parametrize("status,code", [(403, "AuthorizationFailed"), (401, "InvalidAuthenticationTokenTenant")])
def test_a_service_that_may_not_be_read_is_compared_by_name_with_a_warning(run_module, azure, status, code):
    azure.echo_alias = False
    run(run_module, ALIAS_BASE)
    azure.service_read_error = arm_error(status, code, "no access")
    azure.writes.clear()
    again, failed = run(run_module, ALIAS_BASE)
    assert not failed, again
    assert again["changed"] is False and azure.writes == []
    [warning] = warnings_of(again)
    assert "only its name (the alias's prefix) was compared" in warning
    other = "pls-billing.6f1c2b7e-0d0a-4b7a-9b36-2f1d0c6d7a11.westeurope.azure.privatelinkservice"
    result, failed = run(run_module, dict(ALIAS_BASE, target_alias=other))
    assert failed and "target_alias cannot be changed in place" in result["msg"]
    assert azure.writes == []


def test_a_service_read_failing_otherwise_fails_the_task(run_module, azure):
    azure.echo_alias = False
    run(run_module, ALIAS_BASE)
    azure.service_read_error = arm_error(400, "BadRequest", "broken")
    azure.writes.clear()
    result, failed = run(run_module, ALIAS_BASE)
    assert failed and result["msg"].startswith("reading private link service 'pls-orders'")
    assert azure.writes == []


def test_endpoint_created_by_id_then_named_by_alias_and_back(run_module, azure):
    by_id = dict(BASE, target_id=PLS_ID, manual=True)
    first, failed = run(run_module, by_id)
    assert not failed, first
    assert first["private_endpoint"]["group_ids"] == []  # a private link service's default: no group id
    azure.writes.clear()
    again, failed = run(run_module, ALIAS_BASE)
    assert not failed, again
    assert again["changed"] is False and azure.writes == []
    # Named by alias first, then by the id of the same service: no change either.
    azure.endpoints.clear()
    run(run_module, ALIAS_BASE)
    azure.writes.clear()
    back, failed = run(run_module, by_id)
    assert not failed, back
    assert back["changed"] is False and azure.writes == []


def test_manual_defaults_to_false_with_target_id(run_module, azure):
    result, failed = run(run_module, dict(BASE, target_id=PLS_ID))
    assert not failed, result
    assert "privateLinkServiceConnections" in azure.writes[0][2]["properties"]
    assert result["private_endpoint"]["connection"]["manual"] is False


def test_alias_form():
    from ansible_collections.privnet.azure.plugins.module_utils import _validate
    assert _validate.is_private_link_service_alias(ALIAS)
    assert _validate.is_private_link_service_alias("a.6f1c2b7e-0d0a-4b7a-9b36-2f1d0c6d7a11.eastus2.azure.privatelinkservice")
    assert _validate.is_private_link_service_alias("my.svc_1.6F1C2B7E-0D0A-4B7A-9B36-2F1D0C6D7A11.westeurope.AZURE.privatelinkservice")
    # What Azure answers is read loosely (the suffix, not a resource id); what a task gives is checked strictly.
    assert _validate.is_private_link_service_alias("an.alias-of.another-form.azure.privatelinkservice")
    assert not _validate.is_private_link_service_alias(PLS_ID)
    assert not _validate.is_private_link_service_alias(PLS_ID + "/x.azure.privatelinkservice")
    assert not _validate.is_private_link_service_alias(None)
    assert _validate.alias_prefix("my.svc_1.6f1c2b7e-0d0a-4b7a-9b36-2f1d0c6d7a11.westeurope.azure.privatelinkservice") == "my.svc_1"
    assert _validate.alias_prefix("an.alias-of.another-form.azure.privatelinkservice") is None
    result = _endpoint.endpoint_result({"id": PE_ID, "name": "pe-acr", "properties": {
        "manualPrivateLinkServiceConnections": [{"name": "c", "properties": {"privateLinkServiceId": ALIAS}}]}}, [])
    assert (result["target_id"], result["target_alias"]) == (None, ALIAS)


def test_an_alias_azure_keeps_in_another_form_is_still_read_as_an_alias(run_module, azure):
    run(run_module, ALIAS_BASE)
    conn = azure.endpoints["pe-acr"]["properties"]["manualPrivateLinkServiceConnections"][0]
    conn["properties"]["privateLinkServiceId"] = "pls-orders.westeurope.azure.privatelinkservice"
    azure.service_read_error = arm_error(403, "AuthorizationFailed", "no access")
    azure.writes.clear()
    info, failed = run(run_module, dict(BASE, target_id=PLS_ID, manual=True, _ansible_check_mode=True))
    assert not failed, info
    # Not the service's id: reported (check mode) as a change of target, with no traceback and no write.
    assert info["private_endpoint"]["target_alias"] == "pls-orders.westeurope.azure.privatelinkservice"
    assert info["private_endpoint"]["target_id"] is None
    assert info["changed"] is True and "target_id cannot be changed in place" in warnings_of(info)[0]
    assert azure.writes == []
