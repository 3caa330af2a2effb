# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.module_utils._arm import CONTAINER_REGISTRY_API, NETWORK_API, PRIVATE_DNS_API
from ansible_collections.privnet.azure.plugins.modules import private_link_check
from ansible_collections.privnet.azure.plugins.modules.private_link_check import parse_resolver
from ansible_collections.privnet.azure.tests.unit.helpers import install_arm, not_found, split_id, warnings_of

BASE = {"subscription_id": "11111111-1111-4111-8111-111111111111", "name": "pe-acr", "resource_group": "rg-network"}


class FakeNetwork:
    """Azure behind AzureModule.arm() without any private endpoint: every endpoint GET answers 404."""

    def __init__(self):
        self.clients = []
        self.reads = []

    def handle(self, method, resource_id, body, headers):
        subscription, rg, pairs = split_id(resource_id)
        if [t for t, _name in pairs] != ["privateEndpoints"] or method != "GET":
            raise AssertionError(f"unexpected {method} {resource_id}: the endpoint is missing, nothing else is read")
        self.clients.append(("network", subscription))
        self.reads.append(("private_endpoints.get", rg, pairs[0][1]))
        raise not_found(f"Resource '{pairs[0][1]}' not found.")


@pytest.fixture
def azure(monkeypatch):
    fake = FakeNetwork()
    calls = install_arm(monkeypatch, fake.handle)
    yield fake
    assert {api for _m, _id, api in calls} <= {NETWORK_API}


# ---- resolver -------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,parsed", [
    ("10.0.0.4", ("10.0.0.4", 53)),
    ("127.0.0.1:5353", ("127.0.0.1", 5353)),
    ("[::1]:53", ("::1", 53)),
    ("[fd00::4]", ("fd00::4", 53)),
    ("10.0.0.4:65535", ("10.0.0.4", 65535)),
])
def test_resolver_is_an_address_with_an_optional_port(value, parsed):
    assert parse_resolver(value) == parsed


HINT = "give address or address:port, e.g. 10.20.0.4 or 127.0.0.1:5353"


@pytest.mark.parametrize("value", ["dns.local", "dns.local:99999", "dns.local:53", "10.0.0", "[dns.local]:53"])
def test_resolver_must_start_with_an_ip_address(value):
    with pytest.raises(ValueError) as caught:
        parse_resolver(value)
    assert str(caught.value) == f"resolver: {value!r} does not start with an IP address; {HINT}"


@pytest.mark.parametrize("value", ["10.0.0.4:99999", "10.0.0.4:0", "10.0.0.4:dns", "[::1]:65536", "10.0.0.4:-1"])
def test_resolver_port_is_1_to_65535(value):
    with pytest.raises(ValueError) as caught:
        parse_resolver(value)
    assert str(caught.value) == f"resolver: {value!r} has a port that is not a number from 1 to 65535; {HINT}"


def test_bad_resolver_fails_before_calling_azure(run_module, azure):
    result, failed = run_module(private_link_check.main, dict(BASE, resolver="dns.local:99999"))
    assert failed
    assert result["msg"].startswith("resolver: 'dns.local:99999' does not start with an IP address")
    assert azure.clients == [] and azure.reads == []


@pytest.mark.parametrize("timeout", [0, -1, -0.5])
def test_dns_timeout_above_zero_before_calling_azure(run_module, azure, timeout):
    result, failed = run_module(private_link_check.main, dict(BASE, dns_timeout=timeout))
    assert failed
    assert result["msg"] == (f"dns_timeout: {float(timeout)} is not a number of seconds above 0; give e.g. 3")
    assert azure.clients == [] and azure.reads == []


# ---- a missing endpoint ---------------------------------------------------------------------------

def test_missing_endpoint_fails(run_module, azure):
    result, failed = run_module(private_link_check.main, BASE)
    assert failed
    assert result["msg"] == ("private endpoint 'pe-acr' was not found in resource group 'rg-network'; "
                             "check name and resource_group")
    assert azure.reads == [("private_endpoints.get", "rg-network", "pe-acr")]


@pytest.mark.parametrize("fail_on", ["never", "error"])
def test_missing_endpoint_in_check_mode_warns_without_findings(run_module, azure, fail_on):
    # An earlier task of the same check-mode run only predicted the endpoint: nothing to verify yet.
    result, failed = run_module(private_link_check.main, dict(BASE, fail_on=fail_on, _ansible_check_mode=True))
    assert not failed, result
    assert (result["changed"], result["ok"], result["findings"], result["names"]) == (False, False, [], [])
    assert result["connection_state"] is None
    assert result["zone"] == {"name": None, "resource_group": "rg-network", "exists": None,
                              "linked_virtual_networks": []}
    assert warnings_of(result) == ["private endpoint 'pe-acr' was not found in resource group 'rg-network': "
                                   "nothing to verify until a real run creates it (check mode)"]
    assert azure.clients == [("network", "11111111-1111-4111-8111-111111111111")]
    assert azure.reads == [("private_endpoints.get", "rg-network", "pe-acr")]


# ---- a whole check: endpoint, network interface, zone, links, records, registry ----------------------------------

SUB = BASE["subscription_id"]
NET = f"/subscriptions/{SUB}/resourceGroups/rg-network/providers/Microsoft.Network"
PE_ID = f"{NET}/privateEndpoints/pe-acr"
NIC_ID = f"{NET}/networkInterfaces/pe-acr.nic"
VNET_ID = f"{NET}/virtualNetworks/vnet-app"
REGISTRY_ID = f"/subscriptions/{SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acrdemo"
ZONE_ID = f"{NET}/privateDnsZones/privatelink.azurecr.io"


def a_record(name, *addresses):
    return {"id": f"{ZONE_ID}/A/{name}", "name": name, "type": "Microsoft.Network/privateDnsZones/A",
            "properties": {"ttl": 3600, "aRecords": [{"ipv4Address": a} for a in addresses]}}


@pytest.fixture
def estate(monkeypatch):
    """An approved endpoint to a registry with two members, its zone linked to the endpoint's VNet, the registry's
    public access still on; ``estate`` maps id -> JSON (a LIST answers ``estate[collection id]``)."""
    resources = {
        PE_ID: {"id": PE_ID, "name": "pe-acr", "location": "westeurope", "properties": {
            "subnet": {"id": f"{VNET_ID}/subnets/snet-pe"}, "networkInterfaces": [{"id": NIC_ID}],
            "privateLinkServiceConnections": [{"name": "pe-acr", "properties": {
                "privateLinkServiceId": REGISTRY_ID, "groupIds": ["registry"],
                "privateLinkServiceConnectionState": {"status": "Approved", "description": "Auto-Approved",
                                                      "actionsRequired": "None"}}}],
            "provisioningState": "Succeeded"}},
        NIC_ID: {"id": NIC_ID, "properties": {"ipConfigurations": [
            {"name": f"cfg-{member}", "properties": {"privateIPAddress": ip, "privateLinkConnectionProperties": {
                "groupId": "registry", "requiredMemberName": member, "fqdns": [fqdn]}}}
            for member, ip, fqdn in (("registry", "10.20.1.4", "acrdemo.azurecr.io"),
                                     ("registry_data_westeurope", "10.20.1.5", "acrdemo.westeurope.data.azurecr.io"))]}},
        ZONE_ID: {"id": ZONE_ID, "name": "privatelink.azurecr.io", "location": "global", "properties": {}},
        f"{ZONE_ID}/virtualNetworkLinks": [{"name": "link-app", "properties": {"virtualNetwork": {"id": VNET_ID}}}],
        f"{ZONE_ID}/ALL": [a_record("acrdemo", "10.20.1.4"), a_record("acrdemo.westeurope.data", "10.20.1.9"),
                           a_record("acrdemo.eastus.data", "10.20.1.6"),
                           {"name": "@", "type": "Microsoft.Network/privateDnsZones/SOA", "properties": {}}],
        REGISTRY_ID: {"id": REGISTRY_ID, "name": "acrdemo", "properties": {"publicNetworkAccess": "Enabled"}},
    }

    def handler(method, resource_id, body, headers):
        assert method in ("GET", "LIST"), (method, resource_id)
        if resource_id not in resources:
            raise not_found()
        return resources[resource_id]

    calls = install_arm(monkeypatch, handler)
    yield resources
    assert [(m, i) for m, i, _api in calls] == [
        ("GET", PE_ID), ("GET", NIC_ID), ("GET", ZONE_ID), ("LIST", f"{ZONE_ID}/virtualNetworkLinks"),
        ("LIST", f"{ZONE_ID}/ALL"), ("GET", REGISTRY_ID)]
    assert [api for _m, _i, api in calls] == [NETWORK_API, NETWORK_API, PRIVATE_DNS_API, PRIVATE_DNS_API,
                                              PRIVATE_DNS_API, CONTAINER_REGISTRY_API]


def test_a_whole_check_finds_a_wrong_record_a_stale_one_and_public_access(run_module, estate):
    result, failed = run_module(private_link_check.main, BASE)
    assert not failed, result
    assert result["changed"] is False and result["ok"] is False
    assert result["connection_state"] == "Approved"
    assert result["zone"] == {"name": "privatelink.azurecr.io", "resource_group": "rg-network", "exists": True,
                              "linked_virtual_networks": [VNET_ID]}
    assert [(n["fqdn"], n["record"], n["record_values"], n["ok"]) for n in result["names"]] == [
        ("acrdemo.azurecr.io", "acrdemo", ["10.20.1.4"], True),
        ("acrdemo.westeurope.data.azurecr.io", "acrdemo.westeurope.data", ["10.20.1.9"], False)]
    assert [(f["severity"], f["check"], f["subject"]) for f in result["findings"]] == [
        ("error", "record", "acrdemo.westeurope.data.azurecr.io"),
        ("warning", "stale_record", "acrdemo.eastus.data.privatelink.azurecr.io"),
        ("warning", "public_access", "acrdemo")]


def test_a_zone_not_linked_to_the_endpoints_network_is_an_error(run_module, estate):
    estate[f"{ZONE_ID}/virtualNetworkLinks"] = []
    result, failed = run_module(private_link_check.main, dict(BASE, fail_on="error"))
    assert failed
    assert "zone 'privatelink.azurecr.io' is not linked to virtual network 'vnet-app'" in result["msg"]
    assert result["zone"]["linked_virtual_networks"] == []
