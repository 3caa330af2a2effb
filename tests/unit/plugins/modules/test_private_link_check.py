# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.module_utils._armjson import (
    CONTAINER_REGISTRY_API,
    NETWORK_API,
    PRIVATE_DNS_API,
)
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


class Estate(dict):
    """id -> JSON (a LIST answers ``estate[collection id]``), and the calls the test expects."""
    expected = None


DEFAULT_CALLS = [("GET", PE_ID), ("GET", NIC_ID), ("GET", VNET_ID), ("GET", ZONE_ID),
                 ("LIST", f"{ZONE_ID}/virtualNetworkLinks"), ("LIST", f"{ZONE_ID}/ALL"), ("GET", REGISTRY_ID)]


@pytest.fixture
def estate(monkeypatch):
    """An approved endpoint to a registry with two members in vnet-app (Azure-provided DNS), its zone linked to the
    endpoint's VNet, the registry's public access still on; set ``estate.expected`` to the calls a test makes
    instead of the default ones."""
    resources = Estate({
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
        VNET_ID: {"id": VNET_ID, "name": "vnet-app", "properties": {
            "addressSpace": {"addressPrefixes": ["10.20.0.0/16"]}, "dhcpOptions": {"dnsServers": []}}},
        ZONE_ID: {"id": ZONE_ID, "name": "privatelink.azurecr.io", "location": "global", "properties": {}},
        f"{ZONE_ID}/virtualNetworkLinks": [{"name": "link-app", "properties": {"virtualNetwork": {"id": VNET_ID}}}],
        f"{ZONE_ID}/ALL": [a_record("acrdemo", "10.20.1.4"), a_record("acrdemo.westeurope.data", "10.20.1.9"),
                           a_record("acrdemo.eastus.data", "10.20.1.6"),
                           {"name": "@", "type": "Microsoft.Network/privateDnsZones/SOA", "properties": {}}],
        REGISTRY_ID: {"id": REGISTRY_ID, "name": "acrdemo", "properties": {"publicNetworkAccess": "Enabled"}},
    })

    def handler(method, resource_id, body, headers):
        assert method in ("GET", "LIST"), (method, resource_id)
        if resource_id not in resources:
            raise not_found()
        return resources[resource_id]

    calls = install_arm(monkeypatch, handler)
    yield resources
    expected = DEFAULT_CALLS if resources.expected is None else resources.expected
    assert [(m, i) for m, i, _api in calls] == expected
    api = {PE_ID: NETWORK_API, NIC_ID: NETWORK_API, ZONE_ID: PRIVATE_DNS_API, REGISTRY_ID: CONTAINER_REGISTRY_API}
    assert [a for _m, i, a in calls] == [api.get(i, PRIVATE_DNS_API if i.startswith(ZONE_ID) else NETWORK_API)
                                         for _m, i in expected]


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


# ---- the DNS servers VMs really use (issue 20) --------------------------------------------------------------

SPOKE_ID = f"{NET}/virtualNetworks/vnet-spoke2"
NAMES = ("acrdemo.azurecr.io", "acrdemo.westeurope.data.azurecr.io")


class Servers:
    """Stands in for _dnscheck.ask: ``answers[(address, port)]`` is a function of the name (or a fixed answer);
    every question is logged in ``asked``."""

    def __init__(self):
        self.answers = {}
        self.asked = []

    def ask(self, address, port, name, timeout):
        self.asked.append((address, port, name))
        answer = self.answers[(address, port)]
        answer = answer(name) if callable(answer) else answer
        return dict(answer)


def answered(*addresses):
    return {"answered": True, "resolves_to": list(addresses), "error": None}


SILENT = {"answered": False, "resolves_to": [], "error": "no answer within 3 s"}
PRIVATE = {"acrdemo.azurecr.io": "10.20.1.4", "acrdemo.westeurope.data.azurecr.io": "10.20.1.5"}


@pytest.fixture
def servers(monkeypatch):
    fake = Servers()
    monkeypatch.setattr(private_link_check, "ask", fake.ask)
    return fake


def private_answers(name):
    return answered(PRIVATE[name])


def fix_records(estate):
    estate[f"{ZONE_ID}/ALL"] = [a_record("acrdemo", "10.20.1.4"), a_record("acrdemo.westeurope.data", "10.20.1.5")]


def test_azure_provided_dns_asks_no_server_and_the_zone_link_decides(run_module, estate, servers):
    fix_records(estate)
    estate[f"{ZONE_ID}/virtualNetworkLinks"] = []
    result, failed = run_module(private_link_check.main, dict(BASE, check_public_access=False))
    assert not failed, result
    assert result["virtual_network"] == {"id": VNET_ID, "dns_servers": [], "azure_provided_dns": True}
    assert result["dns_answers"] == [] and servers.asked == []
    assert [(f["severity"], f["check"]) for f in result["findings"]] == [("error", "zone_link")]
    estate.expected = DEFAULT_CALLS[:-1]


def test_custom_dns_servers_that_answer_the_public_address_are_an_error_naming_the_fix(run_module, estate, servers):
    fix_records(estate)
    estate[VNET_ID]["properties"]["dhcpOptions"] = {"dnsServers": ["10.20.5.10", "10.20.5.11"]}
    estate[f"{ZONE_ID}/virtualNetworkLinks"] = [{"properties": {"virtualNetwork": {"id": f"{NET}/virtualNetworks/hub"}}}]
    servers.answers[("10.20.5.10", 53)] = answered("20.50.1.9")
    servers.answers[("127.0.0.1", 5353)] = {"answered": True, "resolves_to": [], "error": "NXDOMAIN"}
    result, failed = run_module(private_link_check.main, dict(
        BASE, check_public_access=False, fail_on="error", dns_address_map={"10.20.5.11": "127.0.0.1:5353"}))
    assert failed
    assert result["msg"].startswith("2 finding(s) at or above 'error': acrdemo.azurecr.io: VMs in virtual network "
                                    "'vnet-app' use custom DNS servers 10.20.5.10, 10.20.5.11")
    assert result["virtual_network"] == {"id": VNET_ID, "dns_servers": ["10.20.5.10", "10.20.5.11"],
                                         "azure_provided_dns": False}
    # Each server asked for each name, the mapped one where the map says.
    assert servers.asked == [("10.20.5.10", 53, NAMES[0]), ("10.20.5.10", 53, NAMES[1]),
                             ("127.0.0.1", 5353, NAMES[0]), ("127.0.0.1", 5353, NAMES[1])]
    assert [(a["server"], a["kind"], a["asked_at"], a["fqdn"], a["resolves_to"], a["error"], a["ok"])
            for a in result["dns_answers"]] == [
        ("10.20.5.10", "custom_dns_server", "10.20.5.10:53", NAMES[0], ["20.50.1.9"], None, False),
        ("10.20.5.10", "custom_dns_server", "10.20.5.10:53", NAMES[1], ["20.50.1.9"], None, False),
        ("10.20.5.11", "custom_dns_server", "127.0.0.1:5353", NAMES[0], [], "NXDOMAIN", False),
        ("10.20.5.11", "custom_dns_server", "127.0.0.1:5353", NAMES[1], [], "NXDOMAIN", False)]
    # The zone is not linked to vnet-app, but with custom DNS servers that link decides nothing: no zone_link finding.
    assert [(f["severity"], f["check"], f["subject"]) for f in result["findings"]] == [
        ("error", "custom_dns", NAMES[0]), ("error", "custom_dns", NAMES[1])]
    finding = result["findings"][0]
    assert finding["message"] == (
        "VMs in virtual network 'vnet-app' use custom DNS servers 10.20.5.10, 10.20.5.11, so the zone's links do not "
        "decide what they get: 10.20.5.10 answers 20.50.1.9; 10.20.5.11 answers NXDOMAIN, not the endpoint's "
        "10.20.1.4")
    assert "forward to 168.63.129.16 from such a virtual network" in finding["fix"]
    assert "linked to zone 'privatelink.azurecr.io' (linked now: hub)" in finding["fix"]
    assert "conditional forwarder for 'azurecr.io' (the public zone, not 'privatelink.azurecr.io')" in finding["fix"]
    assert "DNS Private Resolver in a linked virtual network" in finding["fix"]
    assert [n["ok"] for n in result["names"]] == [False, False]
    estate.expected = DEFAULT_CALLS[:-1]


def test_custom_dns_servers_that_answer_the_private_ip_give_no_finding(run_module, estate, servers):
    fix_records(estate)
    estate[VNET_ID]["properties"]["dhcpOptions"] = {"dnsServers": ["10.20.5.10"]}
    estate[f"{ZONE_ID}/virtualNetworkLinks"] = []
    servers.answers[("10.20.5.10", 53)] = private_answers
    result, failed = run_module(private_link_check.main, dict(BASE, check_public_access=False, fail_on="warning"))
    assert not failed, result
    assert result["ok"] and result["findings"] == []
    assert [(a["fqdn"], a["resolves_to"], a["ok"]) for a in result["dns_answers"]] == [
        (NAMES[0], ["10.20.1.4"], True), (NAMES[1], ["10.20.1.5"], True)]
    assert [n["ok"] for n in result["names"]] == [True, True]
    estate.expected = DEFAULT_CALLS[:-1]


def test_a_custom_dns_server_that_cannot_be_asked_is_a_warning_saying_how_to_verify(run_module, estate, servers):
    fix_records(estate)
    estate[VNET_ID]["properties"]["dhcpOptions"] = {"dnsServers": ["10.20.5.10"]}
    servers.answers[("10.20.5.10", 53)] = SILENT
    result, failed = run_module(private_link_check.main, dict(BASE, check_public_access=False, fail_on="error"))
    assert not failed, result
    assert servers.asked == [("10.20.5.10", 53, NAMES[0])]  # not asked again after no answer
    assert [(a["answered"], a["error"]) for a in result["dns_answers"]] == [
        (False, "no answer within 3 s"), (False, f"not asked (no answer for {NAMES[0]}: no answer within 3 s)")]
    assert result["findings"] == [{
        "severity": "warning", "check": "custom_dns", "subject": "10.20.5.10",
        "message": "DNS server 10.20.5.10 of virtual network 'vnet-app' could not be asked at 10.20.5.10:53 (no answer "
                   "within 3 s): resolution of the endpoint's names through it was not verified",
        "fix": f"on a VM in 'vnet-app', run 'nslookup {NAMES[0]} 10.20.5.10' and compare with 10.20.1.4; or give "
               "dns_address_map with an address where the controller reaches 10.20.5.10"}]
    assert [n["ok"] for n in result["names"]] == [True, True]  # nothing known against them
    estate.expected = DEFAULT_CALLS[:-1]


def test_azure_dns_listed_as_a_server_keeps_the_zone_link_deciding(run_module, estate, servers):
    fix_records(estate)
    estate[VNET_ID]["properties"]["dhcpOptions"] = {"dnsServers": ["168.63.129.16"]}
    estate[f"{ZONE_ID}/virtualNetworkLinks"] = []
    result, _failed = run_module(private_link_check.main, dict(BASE, check_public_access=False))
    assert servers.asked == [] and result["dns_answers"] == []
    assert [f["check"] for f in result["findings"]] == ["zone_link"]
    estate.expected = DEFAULT_CALLS[:-1]


def test_without_dnspython_custom_servers_are_a_warning_not_a_failure(run_module, estate, servers, monkeypatch):
    def missing():
        raise ImportError("No module named 'dns'")
    monkeypatch.setattr(private_link_check, "dnspython", missing)
    fix_records(estate)
    estate[VNET_ID]["properties"]["dhcpOptions"] = {"dnsServers": ["10.20.5.10"]}
    result, failed = run_module(private_link_check.main, dict(BASE, check_public_access=False))
    assert not failed, result
    assert servers.asked == []
    assert [(f["severity"], f["check"]) for f in result["findings"]] == [("warning", "custom_dns")]
    assert "pip install dnspython" in result["findings"][0]["fix"]
    estate.expected = DEFAULT_CALLS[:-1]


def test_given_dns_servers_are_not_read_again(run_module, estate, servers):
    fix_records(estate)
    servers.answers[("10.20.5.10", 53)] = private_answers
    result, failed = run_module(private_link_check.main, dict(
        BASE, check_public_access=False, virtual_network_dns_servers=["10.20.5.10"]))
    assert not failed, result
    assert result["virtual_network"]["dns_servers"] == ["10.20.5.10"]
    assert len(servers.asked) == 2 and result["findings"] == []
    estate.expected = [c for c in DEFAULT_CALLS[:-1] if c != ("GET", VNET_ID)]


def test_another_virtual_network_is_read_and_its_link_decides(run_module, estate, servers):
    # A spoke with Azure-provided DNS that uses vnet-app's endpoint: the zone must be linked to the spoke.
    fix_records(estate)
    estate[SPOKE_ID] = {"id": SPOKE_ID, "name": "vnet-spoke2", "properties": {"dhcpOptions": {}}}
    result, failed = run_module(private_link_check.main, dict(
        BASE, check_public_access=False, virtual_network="vnet-spoke2", virtual_network_resource_group="rg-network"))
    assert not failed, result
    assert result["virtual_network"] == {"id": SPOKE_ID, "dns_servers": [], "azure_provided_dns": True}
    assert [(f["check"], f["message"]) for f in result["findings"]] == [
        ("zone_link", "zone 'privatelink.azurecr.io' is not linked to virtual network 'vnet-spoke2': VMs there "
                      "resolve the public address")]
    estate.expected = [("GET", PE_ID), ("GET", NIC_ID), ("GET", SPOKE_ID)] + DEFAULT_CALLS[3:-1]


def test_another_virtual_network_that_does_not_exist_fails_naming_it(run_module, estate):
    result, failed = run_module(private_link_check.main, dict(BASE, virtual_network=SPOKE_ID))
    assert failed
    assert result["msg"] == ("virtual_network: virtual network 'vnet-spoke2' (resource group 'rg-network', "
                             f"subscription '{SUB}') was not found; check virtual_network and "
                             "virtual_network_resource_group")
    estate.expected = [("GET", PE_ID), ("GET", NIC_ID), ("GET", SPOKE_ID)]


def test_inbound_endpoints_are_asked_as_on_premises_clients_would(run_module, estate, servers):
    fix_records(estate)
    servers.answers[("127.0.0.1", 6053)] = answered("20.50.1.9")     # the zone not linked to the resolver's VNet
    servers.answers[("10.60.0.5", 53)] = private_answers
    result, failed = run_module(private_link_check.main, dict(
        BASE, check_public_access=False, inbound_endpoint_addresses=["10.60.0.4", "10.60.0.5"],
        dns_address_map={"10.60.0.4": "127.0.0.1:6053"}))
    assert not failed, result
    assert [(a["server"], a["kind"], a["asked_at"], a["ok"]) for a in result["dns_answers"]] == [
        ("10.60.0.4", "inbound_endpoint", "127.0.0.1:6053", False),
        ("10.60.0.4", "inbound_endpoint", "127.0.0.1:6053", False),
        ("10.60.0.5", "inbound_endpoint", "10.60.0.5:53", True), ("10.60.0.5", "inbound_endpoint", "10.60.0.5:53", True)]
    assert [(f["severity"], f["check"], f["subject"]) for f in result["findings"]] == [
        ("error", "inbound_endpoint", NAMES[0]), ("error", "inbound_endpoint", NAMES[1])]
    assert result["findings"][0]["message"] == (
        "on-premises clients whose DNS servers forward to inbound endpoint(s) get 10.60.0.4 answers 20.50.1.9, not "
        "the endpoint's 10.20.1.4")
    assert "link zone 'privatelink.azurecr.io' (linked now: vnet-app) to that virtual network" in \
        result["findings"][0]["fix"]
    assert "conditional-forward 'azurecr.io' (the public zone" in result["findings"][0]["fix"]
    estate.expected = DEFAULT_CALLS[:-1]


def test_an_inbound_endpoint_that_cannot_be_asked_is_a_warning(run_module, estate, servers):
    fix_records(estate)
    servers.answers[("10.60.0.4", 53)] = SILENT
    result, failed = run_module(private_link_check.main, dict(
        BASE, check_public_access=False, inbound_endpoint_addresses=["10.60.0.4"]))
    assert not failed, result
    assert [(f["severity"], f["check"], f["subject"]) for f in result["findings"]] == [
        ("warning", "inbound_endpoint", "10.60.0.4")]
    assert "was not verified" in result["findings"][0]["message"]
    assert "from an on-premises host, run 'nslookup acrdemo.azurecr.io 10.60.0.4'" in result["findings"][0]["fix"]
    estate.expected = DEFAULT_CALLS[:-1]


@pytest.mark.parametrize("options,message", [
    ({"virtual_network_dns_servers": ["10.0.0.4", "dns1"]},
     "virtual_network_dns_servers[1]: 'dns1' is not an IP address"),
    ({"virtual_network_dns_servers": ["10.0.0.4", None]},
     "virtual_network_dns_servers: holds an empty or null item; remove it or give a value"),
    ({"dns_address_map": {"10.0.0.4": ""}}, "dns_address_map.10.0.0.4: is empty or null"),
    ({"dns_address_map": {"10.0.0.4": None}}, "dns_address_map.10.0.0.4: is empty or null"),
    ({"dns_address_map": {"dns1": "127.0.0.1:53"}}, "dns_address_map key: 'dns1' is not an IP address"),
    ({"dns_address_map": {"10.0.0.4": "localhost:5353"}},
     "dns_address_map.10.0.0.4: 'localhost:5353' does not start with an IP address"),
    ({"dns_address_map": {"10.0.0.4": "127.0.0.1:0"}},
     "dns_address_map.10.0.0.4: '127.0.0.1:0' has a port that is not a number from 1 to 65535"),
    ({"inbound_endpoint_addresses": []}, "inbound_endpoint_addresses: is empty; give the inbound endpoints' IP"),
    ({"inbound_endpoint_addresses": ["10.60.0.4", "10.60.0.4"]},
     "inbound_endpoint_addresses[1]: 10.60.0.4 is given twice"),
    ({"inbound_endpoint_addresses": ["10.60.0.4", ""]},
     "inbound_endpoint_addresses: holds an empty or null item"),
    ({"virtual_network": ""}, "virtual_network: is empty; give a value, or leave the option out"),
    ({"virtual_network_resource_group": "rg-network"},
     "virtual_network_resource_group: given without virtual_network"),
])
def test_bad_dns_options_fail_naming_the_field_before_calling_azure(run_module, azure, options, message):
    result, failed = run_module(private_link_check.main, dict(BASE, **options))
    assert failed
    assert result["msg"].startswith(message), result["msg"]
    assert azure.clients == [] and azure.reads == []


# ---- asking a real DNS server (a tiny one on the loopback) ----------------------------------------------------

@pytest.fixture
def dns_server():
    """A UDP DNS server on 127.0.0.1 answering per name: {name: ('cname', target, address) | ('rcode', code)}."""
    import socket
    import threading

    import dns.message
    import dns.rcode
    import dns.rrset

    table = {}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                wire, peer = sock.recvfrom(4096)
            except OSError:
                continue
            query = dns.message.from_wire(wire)
            name = str(query.question[0].name).rstrip(".")
            response = dns.message.make_response(query)
            kind = table.get(name, ("rcode", dns.rcode.NXDOMAIN))
            if kind[0] == "rcode":
                response.set_rcode(kind[1])
            elif kind[0] == "silent":
                continue
            else:
                response.answer.append(dns.rrset.from_text(name + ".", 60, "IN", "CNAME", kind[1] + "."))
                response.answer.append(dns.rrset.from_text(kind[1] + ".", 60, "IN", "A", kind[2]))
            sock.sendto(response.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield table, sock.getsockname()[1]
    stop.set()
    thread.join()
    sock.close()


def test_ask_follows_the_cname_chain_and_tells_rcodes_from_silence(dns_server):
    import dns.rcode

    from ansible_collections.privnet.azure.plugins.module_utils._dnscheck import ask
    table, port = dns_server
    table["acrdemo.azurecr.io"] = ("cname", "acrdemo.privatelink.azurecr.io", "10.20.1.4")
    table["broken.azurecr.io"] = ("rcode", dns.rcode.SERVFAIL)
    table["slow.azurecr.io"] = ("silent",)
    assert ask("127.0.0.1", port, "acrdemo.azurecr.io", 2) == {"answered": True, "resolves_to": ["10.20.1.4"],
                                                               "error": None}
    assert ask("127.0.0.1", port, "missing.azurecr.io", 2) == {"answered": True, "resolves_to": [],
                                                               "error": "NXDOMAIN"}
    assert ask("127.0.0.1", port, "broken.azurecr.io", 2) == {"answered": True, "resolves_to": [],
                                                              "error": "SERVFAIL"}
    assert ask("127.0.0.1", port, "slow.azurecr.io", 0.3) == {"answered": False, "resolves_to": [],
                                                              "error": "no answer within 0.3 s"}
