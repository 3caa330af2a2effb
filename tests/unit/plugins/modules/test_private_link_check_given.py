# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""private_link_check given what earlier tasks returned (endpoint, zones, public_network_access): only what is not
given is read, and what is given is judged as read state is."""

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.modules import private_endpoint, private_link_check
from ansible_collections.privnet.azure.tests.unit.helpers import install_arm, not_found, split_id
from ansible_collections.privnet.azure.tests.unit.plugins.modules.test_private_endpoint import (
    BASE as ENDPOINT_ARGS,
    NET,
    SUB,
    VNET_ID,
    API_VERSIONS,
    FakeAzure,
)

ZONE = "privatelink.azurecr.io"
FULL = {"subscription_id": SUB, "name": "pe-acr", "resource_group": "rg-network"}


class FakeEstate(FakeAzure):
    """private_endpoint's fake Azure, plus one private DNS zone (links, record sets) and the registry, each read
    counted in ``reads``; ``clients`` holds the subscription of each request."""

    def __init__(self):
        super().__init__()
        self.clients = []
        self.zone_exists = True
        self.links = [VNET_ID]
        self.records = {}            # name -> [addresses]
        self.public_network_access = "Disabled"

    def handle(self, method, resource_id, body, headers):
        subscription, _rg, pairs = split_id(resource_id)
        self.clients.append(subscription)
        types = tuple(t.lower() for t, _name in pairs)
        assert self.calls[-1][2] == API_VERSIONS[types[0]], self.calls[-1]
        if types == ("privatednszones",) and method == "GET":
            return self.dns_zone_get(pairs[0][1])
        if types == ("privatednszones", "virtualnetworklinks") and method == "LIST":
            return self.links_list(pairs[0][1])
        if types == ("privatednszones", "all") and method == "LIST":
            return self.records_list(pairs[0][1])
        if types == ("registries",) and method == "GET":
            return self.registry_get(pairs[0][1])
        return super().handle(method, resource_id, body, headers)

    def dns_zone_get(self, name):
        self.reads.append(("zone_get", name))
        if not self.zone_exists:
            raise not_found()
        return {"id": f"{NET}/privateDnsZones/{name}", "name": name, "location": "global"}

    def links_list(self, name):
        self.reads.append(("links_list", name))
        return [{"name": f"link{i}", "location": "global", "properties": {"virtualNetwork": {"id": vnet}}}
                for i, vnet in enumerate(self.links)]

    def records_list(self, name):
        self.reads.append(("records_list", name))
        soa = {"name": "@", "type": "Microsoft.Network/privateDnsZones/SOA", "properties": {"ttl": 3600, "soaRecord": {
            "host": "azureprivatedns.net", "email": "azureprivatedns-host.microsoft.com"}}}
        return [soa] + [{"name": record, "type": "Microsoft.Network/privateDnsZones/A", "properties": {
            "ttl": 3600, "aRecords": [{"ipv4Address": a} for a in addresses]}}
            for record, addresses in self.records.items()]

    def registry_get(self, name):
        self.reads.append(("registry_get", name))
        return {"location": "westeurope", "sku": {"name": "Premium"},
                "properties": {"publicNetworkAccess": self.public_network_access}}


@pytest.fixture
def estate(monkeypatch, run_module):
    """A working private link: endpoint pe-acr (three members), the zone linked to vnet-app with a record for each
    member, public access off. ``estate.endpoint`` is private_endpoint's result."""
    fake = FakeEstate()
    install_arm(monkeypatch, fake.handle, fake.calls)
    monkeypatch.setattr(AzureModule, "wait", property(lambda self: True))
    result, failed = run_module(private_endpoint.main, ENDPOINT_ARGS)
    assert not failed, result
    fake.endpoint = result["private_endpoint"]
    fake.records = {m["fqdns"][0][:-len(".azurecr.io")]: [m["private_ip"]] for m in fake.endpoint["members"]}
    fake.reads.clear()
    fake.clients.clear()
    return fake


def zone_records(records):
    """zone_records as private_dns_records returns them, SOA included."""
    return [{"name": "@", "type": "SOA", "ttl": 3600, "values": ["azureprivatedns.net azureprivatedns-host.microsoft.com 1"]}] + [
        {"name": name, "type": "A", "ttl": 3600, "values": addresses} for name, addresses in records.items()]


def everything(estate, **extra):
    """Every input a procedure has after its steps, as the estate is."""
    args = dict(FULL, endpoint=estate.endpoint, public_network_access="Disabled", virtual_network_dns_servers=[],
                zones=[{"name": ZONE, "linked_virtual_networks": [VNET_ID], "records": zone_records(estate.records)}])
    args.update(extra)
    return args


def check(run_module, args):
    result, failed = run_module(private_link_check.main, args)
    return result, failed


def test_reading_everything_is_seven_reads(run_module, estate):
    result, failed = check(run_module, FULL)
    assert not failed and result["ok"], result
    assert [r[0] for r in estate.reads] == ["pe_get", "nic_get", "vnet_get", "zone_get", "links_list", "records_list",
                                            "registry_get"]


def test_given_everything_reads_nothing_and_finds_the_same(run_module, estate):
    read, _failed = check(run_module, FULL)
    estate.reads.clear()
    estate.clients.clear()
    given, failed = check(run_module, everything(estate, fail_on="warning"))
    assert not failed, given
    assert estate.reads == [] and estate.clients == []
    for key in ("ok", "findings", "names", "zone", "data_zones", "connection_state"):
        assert given[key] == read[key], key
    assert given["ok"] and len(given["names"]) == 3
    assert given["zone"] == {"name": ZONE, "resource_group": "rg-network", "exists": True,
                             "linked_virtual_networks": [VNET_ID]}


def test_given_state_is_verified_like_read_state(run_module, estate):
    # What the earlier tasks returned is judged as the estate would be: every defect is found in it.
    records = dict(estate.records)
    records["acrprivnetdemo"] = ["10.20.1.200"]               # wrong address
    del records["acrprivnetdemo.eastus.data"]                 # missing record
    records["acrprivnetdemo.southcentralus.data"] = ["10.20.1.99"]  # stale
    endpoint = dict(estate.endpoint, connection_state="Pending")
    args = everything(estate, endpoint=endpoint, public_network_access="Enabled", zones=[
        {"name": ZONE, "linked_virtual_networks": ["/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/"
                                                   "virtualNetworks/vnet-other"], "records": zone_records(records)}])
    result, failed = check(run_module, args)
    assert not failed and not result["ok"]
    assert estate.reads == []
    assert sorted((f["check"], f["subject"]) for f in result["findings"]) == [
        ("connection", "pe-acr"),
        ("public_access", "acrprivnetdemo"),
        ("record", "acrprivnetdemo.azurecr.io"),
        ("record", "acrprivnetdemo.eastus.data.azurecr.io"),
        ("stale_record", "acrprivnetdemo.southcentralus.data.privatelink.azurecr.io"),
        ("zone_link", ZONE)]
    assert result["connection_state"] == "Pending"


@pytest.mark.parametrize("given,reads", [
    ({"endpoint": "given"}, ["zone_get", "links_list", "records_list", "registry_get"]),
    ({"records": True}, ["pe_get", "nic_get", "links_list", "registry_get"]),
    ({"links": True}, ["pe_get", "nic_get", "records_list", "registry_get"]),
    ({"public": True}, ["pe_get", "nic_get", "zone_get", "links_list", "records_list"]),
    ({"endpoint": "given", "records": True, "links": True}, ["registry_get"]),
])
def test_only_what_is_not_given_is_read(run_module, estate, given, reads):
    args = dict(FULL, virtual_network_dns_servers=[])  # the virtual network's own read: test_reading_everything
    if given.get("endpoint"):
        args["endpoint"] = estate.endpoint
    zone = {"name": ZONE.upper() + "."}  # compared as a zone name
    if given.get("records"):
        zone["records"] = zone_records(estate.records)
    if given.get("links"):
        zone["linked_virtual_networks"] = [VNET_ID]
    if len(zone) > 1:
        args["zones"] = [zone]
    if given.get("public"):
        args["public_network_access"] = "Disabled"
    result, failed = check(run_module, args)
    assert not failed and result["ok"], result
    assert [r[0] for r in estate.reads] == reads


def test_a_zone_listed_without_links_or_records_is_read(run_module, estate):
    estate.zone_exists = False
    result, failed = check(run_module, dict(FULL, zones=[{"name": ZONE}], virtual_network_dns_servers=[]))
    assert not failed
    assert [r[0] for r in estate.reads][2:] == ["zone_get", "registry_get"]
    assert [f["check"] for f in result["findings"]] == ["zone"]
    assert result["zone"]["exists"] is False


def test_regional_data_zones_not_given_are_read(run_module, estate):
    shared = {k: v for k, v in estate.records.items() if not k.endswith(".data")}
    result, failed = check(run_module, everything(estate, data_zones="regional", zones=[
        {"name": ZONE, "linked_virtual_networks": [VNET_ID], "records": zone_records(shared)},
        {"name": "westeurope.data.privatelink.azurecr.io", "linked_virtual_networks": [VNET_ID],
         "records": zone_records({"acrprivnetdemo": estate.records["acrprivnetdemo.westeurope.data"]})}]))
    assert not failed
    # eastus's regional zone was not given: read (the fake answers the shared zone's record sets for it, whose
    # 'acrprivnetdemo' holds the registry's address, not eastus's: one finding)
    assert estate.reads == [("zone_get", "eastus.data.privatelink.azurecr.io"),
                            ("links_list", "eastus.data.privatelink.azurecr.io"),
                            ("records_list", "eastus.data.privatelink.azurecr.io")]
    assert [z["name"] for z in result["data_zones"]] == ["westeurope.data.privatelink.azurecr.io",
                                                         "eastus.data.privatelink.azurecr.io"]
    assert [f["subject"] for f in result["findings"]] == ["acrprivnetdemo.eastus.data.azurecr.io"]


def test_public_access_given_is_not_checked_when_the_check_is_off(run_module, estate):
    result, failed = check(run_module, everything(estate, public_network_access="Enabled", check_public_access=False))
    assert not failed and result["ok"] and estate.reads == []


@pytest.mark.parametrize("endpoint,message", [
    ({"name": "pe-other", "resource_group": "rg-network"},
     "endpoint: describes private endpoint 'pe-other' (resource group 'rg-network'), not 'pe-acr' (resource group "
     "'rg-network'); give the result of the task that read or wrote 'pe-acr', or leave endpoint out"),
    ({"resource_group": "rg-other"}, "endpoint: describes private endpoint 'pe-acr' (resource group 'rg-other')"),
    ({"members": None}, "endpoint.members: is a NoneType, not a list; give private_endpoint as "
                        "privnet.azure.private_endpoint returned it"),
    ({"members": [{"required_member_name": "registry", "private_ip": "10.20.1.4"}]},
     "endpoint.members[0]: is not a member with required_member_name, private_ip and fqdns"),
    ({"subnet_id": "snet-workload"}, "endpoint.subnet_id: 'snet-workload' is not an Azure resource id"),
    ({"connection": "Approved"}, "endpoint.connection: is a str, not a dict"),
])
def test_a_given_endpoint_is_checked_before_any_call(run_module, estate, endpoint, message):
    result, failed = check(run_module, everything(estate, endpoint=dict(estate.endpoint, **endpoint)))
    assert failed
    assert result["msg"].startswith(message), result["msg"]
    assert estate.clients == [] and estate.reads == []


def test_a_given_endpoint_without_members_is_refused(run_module, estate):
    endpoint = {k: v for k, v in estate.endpoint.items() if k not in ("members", "subnet_id")}
    result, failed = check(run_module, everything(estate, endpoint=endpoint))
    assert failed
    assert result["msg"].startswith("endpoint: has no subnet_id, members; give private_endpoint as")
    assert estate.clients == []


@pytest.mark.parametrize("zones,message", [
    ([{"name": "azurecr"}], "zones[0].name: 'azurecr' needs at least two labels"),
    ([{"name": ZONE, "records": []}, {"name": ZONE + ".", "records": []}],
     "zones[1].name: zone 'privatelink.azurecr.io' is listed twice; list each zone once"),
    ([{"name": ZONE, "records": [{"name": "acr", "values": ["10.0.0.1"]}, {"name": "acr2", "values": "10.0.0.2"}]}],
     "zones[0].records[1]: is not a record set with a name and a list of values; give zone_records as "
     "privnet.azure.private_dns_records returns them (return_zone_records=true)"),
    ([{"name": ZONE, "records": [{"values": []}]}], "zones[0].records[0]: is not a record set with a name"),
])
def test_given_zones_are_checked_before_any_call(run_module, estate, zones, message):
    result, failed = check(run_module, everything(estate, zones=zones))
    assert failed
    assert result["msg"].startswith(message), result["msg"]
    assert estate.clients == [] and estate.reads == []
