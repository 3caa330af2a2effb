# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""dns_resolver over the in-memory Microsoft.Network of vpn_fakes (Azure's JSON by id), with subnets delegated or not."""

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.modules import dns_resolver
from ansible_collections.privnet.azure.tests.unit.helpers import arm_error
from ansible_collections.privnet.azure.tests.unit.plugins.modules.vpn_fakes import HUB, SUB, VNET_HUB, install_network, vnet, written

RESOLVER_ID = f"{HUB}/dnsResolvers/dnspr-hub"
INBOUND_SUBNET = f"{VNET_HUB}/subnets/snet-dns-inbound"
OUTBOUND_SUBNET = f"{VNET_HUB}/subnets/snet-dns-outbound"
ARGS = {"subscription_id": SUB, "name": "dnspr-hub", "resource_group": "rg-hub"}
CREATE = dict(ARGS, virtual_network="vnet-hub",
              inbound_endpoints=[{"name": "inbound", "subnet": "snet-dns-inbound"}],
              outbound_endpoints=[{"name": "outbound", "subnet": "snet-dns-outbound"}],
              tags={"role": "hybrid-dns"})


def subnet(name, prefix, delegations=("Microsoft.Network/dnsResolvers",), vnet_id=VNET_HUB):
    sid = f"{vnet_id}/subnets/{name}"
    return {"id": sid, "name": name,
            "properties": {"addressPrefix": prefix, "provisioningState": "Succeeded",
                           "delegations": [{"name": f"d{i}", "properties": {"serviceName": s}}
                                           for i, s in enumerate(delegations)]}}


def assign_address(resource_id, stored):
    if "/inboundendpoints/" in resource_id.lower():
        for config in stored["properties"]["ipConfigurations"]:
            config.setdefault("privateIpAddress", "10.0.0.4")
    if "/dnsresolvers/" in resource_id.lower() and resource_id.lower().count("/") == 8:
        stored["properties"]["dnsResolverState"] = "Connected"


@pytest.fixture
def network(monkeypatch):
    fake = install_network(monkeypatch)
    fake.put_hooks.append(assign_address)
    fake.add(vnet())
    fake.add(subnet("snet-dns-inbound", "10.0.0.0/28"))
    fake.add(subnet("snet-dns-outbound", "10.0.0.16/28"))
    fake.add(subnet("snet-spare", "10.0.0.32/28"))
    return fake


def test_creates_the_resolver_then_its_endpoints_and_returns_the_inbound_address(run_module, network):
    result, failed = run_module(dns_resolver.main, dict(CREATE, _ansible_diff=True))
    assert not failed and result["changed"]
    puts = written(network)
    assert [i for _m, i, _b in puts] == [RESOLVER_ID, f"{RESOLVER_ID}/inboundEndpoints/inbound",
                                         f"{RESOLVER_ID}/outboundEndpoints/outbound"]
    assert puts[0][2] == {"location": "westeurope", "properties": {"virtualNetwork": {"id": VNET_HUB}},
                          "tags": {"role": "hybrid-dns"}}
    assert puts[1][2]["properties"] == {"ipConfigurations": [{"subnet": {"id": INBOUND_SUBNET},
                                                              "privateIpAllocationMethod": "Dynamic"}]}
    assert puts[2][2] == {"location": "westeurope", "properties": {"subnet": {"id": OUTBOUND_SUBNET}}}
    resolver = result["dns_resolver"]
    assert resolver["id"] == RESOLVER_ID and resolver["inbound_ip_addresses"] == ["10.0.0.4"]
    assert resolver["outbound_endpoints"][0]["id"] == f"{RESOLVER_ID}/outboundEndpoints/outbound"
    assert result["diff"]["before"] == {"state": "absent"}
    assert result["diff"]["after"]["inbound_endpoints"] == [
        {"name": "inbound", "subnet_id": INBOUND_SUBNET, "private_ip_address": None}]
    # The api-version of the spec's newest stable release.
    assert {v for _m, i, v in network.calls if "dnsResolvers" in i} == {"2025-05-01"}


def test_second_run_writes_nothing(run_module, network):
    run_module(dns_resolver.main, CREATE)
    network.writes.clear()
    result, failed = run_module(dns_resolver.main, dict(CREATE, location="West Europe", _ansible_diff=True))
    assert (failed, result["changed"]) == (False, False)
    assert network.writes == []
    assert result["dns_resolver"]["inbound_ip_addresses"] == ["10.0.0.4"]


def test_check_mode_predicts_and_writes_nothing(run_module, network):
    result, failed = run_module(dns_resolver.main, dict(CREATE, _ansible_check_mode=True, _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    assert network.writes == []
    resolver = result["dns_resolver"]
    assert resolver["id"] == RESOLVER_ID and resolver["virtual_network_id"] == VNET_HUB
    assert [e["name"] for e in resolver["inbound_endpoints"]] == ["inbound"]
    assert resolver["inbound_endpoints"][0]["private_ip_address"] is None


def test_static_address_and_tags_diff(run_module, network):
    args = dict(CREATE, inbound_endpoints=[{"name": "inbound", "subnet": INBOUND_SUBNET,
                                            "private_ip_address": "10.0.0.10"}])
    result, failed = run_module(dns_resolver.main, args)
    assert not failed
    body = written(network)[1][2]
    expected = {"subnet": {"id": INBOUND_SUBNET}, "privateIpAllocationMethod": "Static", "privateIpAddress": "10.0.0.10"}
    assert body["properties"]["ipConfigurations"][0] == expected
    assert result["dns_resolver"]["inbound_ip_addresses"] == ["10.0.0.10"]
    network.writes.clear()
    result, failed = run_module(dns_resolver.main, dict(args, tags={"role": "dns"}, _ansible_diff=True,
                                                        _ansible_check_mode=True))
    assert (failed, result["changed"]) == (False, True) and network.writes == []
    assert result["diff"]["before"]["tags"] == {"role": "hybrid-dns"} and result["diff"]["after"]["tags"] == {"role": "dns"}
    # The other fields the task sets are shown as they are.
    assert result["diff"]["before"]["inbound_endpoints"] == result["diff"]["after"]["inbound_endpoints"]


def test_unlisted_endpoints_are_kept_unless_purged(run_module, network):
    run_module(dns_resolver.main, CREATE)
    network.writes.clear()
    args = dict(ARGS, inbound_endpoints=[{"name": "inbound2", "subnet": "snet-spare"}])
    result, failed = run_module(dns_resolver.main, dict(args, _ansible_check_mode=True))
    assert failed is False and result["changed"]
    assert "5 inboundEndpoints" not in result.get("msg", "")
    result, failed = run_module(dns_resolver.main, dict(args, purge_endpoints=True, _ansible_diff=True))
    assert not failed and result["changed"]
    assert written(network, "DELETE") == [("DELETE", f"{RESOLVER_ID}/inboundEndpoints/inbound", None)]
    assert [i for _m, i, _b in written(network)] == [f"{RESOLVER_ID}/inboundEndpoints/inbound2"]
    assert [e["name"] for e in result["diff"]["before"]["inbound_endpoints"]] == ["inbound"]
    assert [e["name"] for e in result["diff"]["after"]["inbound_endpoints"]] == ["inbound2"]
    # The outbound endpoints were not listed: not touched, still returned.
    assert [e["name"] for e in result["dns_resolver"]["outbound_endpoints"]] == ["outbound"]
    assert "outbound_endpoints" not in result["diff"]["after"]


def test_purge_needs_a_list(run_module, network):
    result, failed = run_module(dns_resolver.main, dict(ARGS, purge_endpoints=True))
    assert failed and result["msg"].startswith("purge_endpoints: true needs inbound_endpoints or outbound_endpoints")
    assert network.writes == []


@pytest.mark.parametrize("args, message", [
    ({"inbound_endpoints": [{"name": "in", "subnet": "snet-plain"}]},
     "inbound_endpoints[0]: subnet 'snet-plain' of virtual network 'vnet-hub' is not delegated; a DNS resolver "
     "endpoint needs a dedicated subnet delegated to Microsoft.Network/dnsResolvers"),
    ({"outbound_endpoints": [{"name": "out", "subnet": "snet-aci"}]},
     "outbound_endpoints[0]: subnet 'snet-aci' of virtual network 'vnet-hub' is delegated to "
     "Microsoft.ContainerInstance/containerGroups"),
    ({"inbound_endpoints": [{"name": "in", "subnet": "snet-tiny"}]},
     "is 10.0.1.0/29, smaller than /28; a DNS resolver endpoint's subnet is /28 to /24"),
    ({"inbound_endpoints": [{"name": "in", "subnet": "snet-huge"}]},
     "is 10.0.4.0/22, larger than /24"),
    ({"inbound_endpoints": [{"name": "in", "subnet": f"{HUB}/virtualNetworks/vnet-spoke/subnets/snet-dns"}]},
     "inbound_endpoints[0].subnet: subnet 'snet-dns' is in virtual network 'vnet-spoke'"),
    ({"inbound_endpoints": [{"name": "in", "subnet": "snet-missing"}]},
     "subnet 'snet-missing' of virtual network 'vnet-hub' (resource group 'rg-hub', subscription"),
    ({"inbound_endpoints": [{"name": "in", "subnet": "snet-dns-inbound", "private_ip_address": "10.0.0.3"}]},
     "inbound_endpoints[0].private_ip_address: 10.0.0.3 is one of the five addresses Azure reserves"),
    ({"inbound_endpoints": [{"name": "in", "subnet": "snet-dns-inbound", "private_ip_address": "10.0.9.9"}]},
     "inbound_endpoints[0].private_ip_address: 10.0.9.9 is outside subnet 'snet-dns-inbound'"),
    ({"inbound_endpoints": [{"name": "in", "subnet": "snet-dns-inbound", "private_ip_address": "ten"}]},
     "inbound_endpoints[0].private_ip_address: 'ten' is not an IP address"),
    ({"inbound_endpoints": [{"name": "in", "subnet": "snet-dns-inbound"}],
      "outbound_endpoints": [{"name": "out", "subnet": "snet-dns-inbound"}]},
     "outbound_endpoints[0].subnet: subnet 'snet-dns-inbound' is already used by inbound_endpoints[0]"),
    ({"inbound_endpoints": [{"name": "in", "subnet": "snet-dns-inbound"}, {"name": "IN", "subnet": "snet-spare"}]},
     "inbound_endpoints[1].name: 'IN' is given twice"),
    ({"inbound_endpoints": [{"name": "in-", "subnet": "snet-dns-inbound"}]},
     "inbound_endpoints[0].name: 'in-' is not a valid dns resolver endpoint name"),
    ({"inbound_endpoints": [{"name": "in", "subnet": ""}]}, "inbound_endpoints[0].subnet: is empty"),
    ({"inbound_endpoints": [{"name": "in", "subnet": None}]}, "inbound_endpoints[0].subnet: is null"),
    ({"virtual_network": None}, "virtual_network: DNS resolver 'dnspr-hub' (resource group 'rg-hub') does not exist"),
    ({"virtual_network": "vnet-nowhere"}, "virtual_network: virtual network 'vnet-nowhere' was not found"),
    ({"location": "northeurope"}, "location: virtual network 'vnet-hub' is in westeurope"),
    ({"name": ""}, "name: is empty"),
    ({"name": "dns resolver"}, "name: 'dns resolver' is not a valid dns resolver name"),
])
def test_bad_input_fails_before_any_write(run_module, network, args, message):
    network.add(subnet("snet-plain", "10.0.0.48/28", delegations=()))
    network.add(subnet("snet-aci", "10.0.0.64/28", delegations=("Microsoft.ContainerInstance/containerGroups",)))
    network.add(subnet("snet-tiny", "10.0.1.0/29"))
    network.add(subnet("snet-huge", "10.0.4.0/22"))
    result, failed = run_module(dns_resolver.main, dict(ARGS, **dict({"virtual_network": "vnet-hub"}, **args)))
    assert failed, result
    assert message in result["msg"]
    assert network.writes == []
    assert "Traceback" not in result["msg"]


def test_an_endpoint_cannot_move_to_another_subnet(run_module, network):
    run_module(dns_resolver.main, CREATE)
    network.writes.clear()
    result, failed = run_module(dns_resolver.main, dict(ARGS, inbound_endpoints=[{"name": "inbound",
                                                                                  "subnet": "snet-spare"}]))
    assert failed and result["msg"].startswith("inbound_endpoints[0].subnet: endpoint 'inbound' is in subnet "
                                               "'snet-dns-inbound' and an endpoint's subnet cannot be changed")
    assert network.writes == []


def test_the_virtual_network_cannot_change(run_module, network):
    run_module(dns_resolver.main, CREATE)
    network.writes.clear()
    result, failed = run_module(dns_resolver.main, dict(ARGS, virtual_network="vnet-other"))
    assert failed and result["msg"].startswith("virtual_network: DNS resolver 'dnspr-hub' (resource group 'rg-hub') "
                                               "is in virtual network 'vnet-hub'")
    assert network.writes == []


def test_azure_error_is_code_and_message(run_module, network):
    def refuse(resource_id, stored):
        if "/outboundendpoints/" in resource_id.lower():
            raise arm_error(400, "SubnetInUse", "The subnet is already in use by another resource.")
    network.put_hooks.append(refuse)
    result, failed = run_module(dns_resolver.main, CREATE)
    assert failed
    assert result["msg"] == ("creating outbound_endpoints[0] 'outbound' of DNS resolver 'dnspr-hub' (resource group "
                             "'rg-hub'): SubnetInUse: The subnet is already in use by another resource.")
    assert result["azure_error"]["code"] == "SubnetInUse"


def test_absent_deletes_the_endpoints_then_the_resolver(run_module, network):
    run_module(dns_resolver.main, CREATE)
    network.writes.clear()
    result, failed = run_module(dns_resolver.main, dict(ARGS, state="absent", _ansible_check_mode=True))
    assert (failed, result["changed"]) == (False, True) and network.writes == []
    result, failed = run_module(dns_resolver.main, dict(ARGS, state="absent"))
    assert result["changed"] and [i for _m, i, _b in written(network, "DELETE")] == [
        f"{RESOLVER_ID}/outboundEndpoints/outbound", f"{RESOLVER_ID}/inboundEndpoints/inbound", RESOLVER_ID]
    result, failed = run_module(dns_resolver.main, dict(ARGS, state="absent"))
    assert (failed, result["changed"]) == (False, False)
