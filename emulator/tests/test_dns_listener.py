"""DNS as a VM in a VNet sees it: per-VNet listeners queried with dnspython (like `dig @127.0.0.1 -p PORT`).

ARM state is written only through the real SDK clients; the listener ports come from GET /_emulator/dns.
"""

import ipaddress

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from azure.core.exceptions import HttpResponseError

ZONE = "privatelink.azurecr.io"
PUBLIC_RANGE = ipaddress.ip_network("203.0.113.0/24")


@pytest.fixture
def net(clients):
    clients.resource.resource_groups.create_or_update("rg-net", {"location": "westeurope"})
    clients.resource.resource_groups.create_or_update("rg-dns", {"location": "westeurope"})
    vnets = {}
    for name, space, subnet in (("vnet-app", "10.20.0.0/16", "10.20.1.0/24"),
                                ("vnet-other", "10.30.0.0/16", "10.30.1.0/24")):
        vnets[name] = clients.network.virtual_networks.begin_create_or_update("rg-net", name, {
            "location": "westeurope", "properties": {
                "addressSpace": {"addressPrefixes": [space]},
                "subnets": [{"name": "snet-workload", "properties": {"addressPrefix": subnet}}]}}).result()
    return vnets


def port_of(clients, vnet):
    ports = [l["port"] for l in clients.control.dns() if l["vnet_id"].lower() == vnet.id.lower()]
    assert len(ports) == 1, clients.control.dns()
    return ports[0]


def ask(port, name, rdtype="A", tcp=False, timeout=3):
    query = dns.message.make_query(name, rdtype)
    send = dns.query.tcp if tcp else dns.query.udp
    return send(query, "127.0.0.1", port=port, timeout=timeout)


def chain(response):
    """[(owner, type, [values])] of the answer section, in order."""
    return [(r.name.to_text(), dns.rdatatype.to_text(r.rdtype), sorted(x.to_text() for x in r))
            for r in response.answer]


def make_zone(clients, name=ZONE):
    clients.privatedns.private_zones.begin_create_or_update("rg-dns", name, {"location": "global"}).result()


def link(clients, vnet, zone=ZONE, name="link-app", **props):
    return clients.privatedns.virtual_network_links.begin_create_or_update("rg-dns", zone, name, {
        "location": "global", "properties": dict({"virtualNetwork": {"id": vnet.id}, "registrationEnabled": False},
                                                 **props)}).result()


def a_record(clients, name, ip, zone=ZONE):
    clients.privatedns.record_sets.create_or_update("rg-dns", zone, "A", name, {"properties": {
        "ttl": 10, "aRecords": [{"ipv4Address": ip}]}})


def need(emulator, namespace, *types):
    if emulator.emulator.engine.handler_for(namespace, types) is None:
        pytest.skip(f"{namespace}/{'/'.join(types)} is not emulated yet")


def test_one_listener_per_vnet_follows_the_store(clients, net):
    listeners = clients.control.dns()
    assert sorted(l["vnet_id"] for l in listeners) == sorted(v.id for v in net.values())
    assert all(l["address"] == "127.0.0.1" and l["port"] > 0 for l in listeners)
    assert len({l["port"] for l in listeners}) == 2
    port = port_of(clients, net["vnet-other"])
    clients.network.virtual_networks.begin_delete("rg-net", "vnet-other").result()
    assert [l["vnet_id"] for l in clients.control.dns()] == [net["vnet-app"].id]
    with pytest.raises((dns.exception.Timeout, ConnectionRefusedError)):
        ask(port, "anything.example.com", timeout=0.3)   # the socket is closed: no answer
    clients.control.reset()
    assert clients.control.dns() == []


def test_linked_private_zone_answers_and_unlinked_vnet_does_not(clients, net):
    zone = "corp.example.com"
    make_zone(clients, zone)
    link(clients, net["vnet-app"], zone=zone)
    a_record(clients, "db", "10.20.1.7", zone=zone)
    clients.privatedns.record_sets.create_or_update("rg-dns", zone, "CNAME", "www", {"properties": {
        "ttl": 60, "cnameRecord": {"cname": "db.corp.example.com"}}})
    clients.privatedns.record_sets.create_or_update("rg-dns", zone, "TXT", "info", {"properties": {
        "ttl": 60, "txtRecords": [{"value": ["hello world"]}]}})
    app = port_of(clients, net["vnet-app"])

    answer = ask(app, "db.corp.example.com")
    assert answer.rcode() == dns.rcode.NOERROR
    assert chain(answer) == [("db.corp.example.com.", "A", ["10.20.1.7"])]
    assert answer.answer[0].ttl == 10
    assert chain(ask(app, "www.corp.example.com", tcp=True)) == [
        ("www.corp.example.com.", "CNAME", ["db.corp.example.com."]), ("db.corp.example.com.", "A", ["10.20.1.7"])]
    assert chain(ask(app, "info.corp.example.com", "TXT")) == [("info.corp.example.com.", "TXT", ['"hello world"'])]
    clients.privatedns.record_sets.create_or_update("rg-dns", zone, "TXT", "long", {"properties": {
        "ttl": 60, "txtRecords": [{"value": ["x" * 300]}]}})
    long_txt = ask(app, "long.corp.example.com", "TXT", tcp=True).answer[0][0]
    assert [len(s) for s in long_txt.strings] == [255, 45]   # a character-string holds 255 bytes

    missing = ask(app, "nope.corp.example.com")
    assert missing.rcode() == dns.rcode.NXDOMAIN
    assert [dns.rdatatype.to_text(r.rdtype) for r in missing.authority] == ["SOA"]
    nodata = ask(app, "db.corp.example.com", "AAAA")
    assert nodata.rcode() == dns.rcode.NOERROR and nodata.answer == []

    other = ask(port_of(clients, net["vnet-other"]), "db.corp.example.com")
    assert other.rcode() == dns.rcode.NXDOMAIN and other.answer == []


def test_record_changes_show_at_once_and_link_removal_stops_resolution(clients, net):
    zone = "corp.example.com"
    make_zone(clients, zone)
    link(clients, net["vnet-app"], zone=zone)
    app = port_of(clients, net["vnet-app"])
    a_record(clients, "db", "10.20.1.7", zone=zone)
    a_record(clients, "db", "10.20.1.8", zone=zone)
    assert chain(ask(app, "db.corp.example.com")) == [("db.corp.example.com.", "A", ["10.20.1.8"])]
    clients.privatedns.virtual_network_links.begin_delete("rg-dns", zone, "link-app").result()
    assert ask(app, "db.corp.example.com").rcode() == dns.rcode.NXDOMAIN


def test_failed_link_does_not_resolve(clients, net):
    make_zone(clients, "corp.example.com")
    clients.resource.resource_groups.create_or_update("rg-dns2", {"location": "westeurope"})
    clients.privatedns.private_zones.begin_create_or_update("rg-dns2", "corp.example.com",
                                                            {"location": "global"}).result()
    link(clients, net["vnet-app"], zone="corp.example.com")
    a_record(clients, "db", "10.20.1.7", zone="corp.example.com")
    with pytest.raises(HttpResponseError):
        clients.privatedns.virtual_network_links.begin_create_or_update("rg-dns2", "corp.example.com", "l", {
            "location": "global", "properties": {"virtualNetwork": {"id": net["vnet-app"].id}}}).result()
    # The first zone still answers: the failed link of the second one is ignored.
    assert chain(ask(port_of(clients, net["vnet-app"]), "db.corp.example.com")) == [
        ("db.corp.example.com.", "A", ["10.20.1.7"])]


def test_unknown_names_are_nxdomain(clients, net):
    answer = ask(port_of(clients, net["vnet-app"]), "nothing.azurecr.io")
    assert answer.rcode() == dns.rcode.NXDOMAIN


# ---- registries (need the ACR provider, and private endpoints for the private-link case) -------------
def make_registry(clients, emulator, name="acrprivnetdemo", replicas=()):
    need(emulator, "Microsoft.ContainerRegistry", "registries")
    clients.resource.resource_groups.create_or_update("rg-acr", {"location": "westeurope"})
    registry = clients.acr.registries.begin_create("rg-acr", name, {
        "location": "westeurope", "sku": {"name": "Premium"}, "properties": {"adminUserEnabled": False}}).result()
    for region in replicas:
        clients.acr.replications.begin_create("rg-acr", name, region, {"location": region}).result()
    return registry


def make_private_endpoint(clients, emulator, registry, vnet):
    need(emulator, "Microsoft.Network", "privateEndpoints")
    return clients.network.private_endpoints.begin_create_or_update("rg-net", "pe-acr", {
        "location": "westeurope", "properties": {
            "subnet": {"id": f"{vnet.id}/subnets/snet-workload"},
            "privateLinkServiceConnections": [{"name": "conn-acr", "properties": {
                "privateLinkServiceId": registry.id, "groupIds": ["registry"]}}]}}).result()


def test_registry_without_private_endpoint_resolves_publicly(clients, emulator, net):
    make_registry(clients, emulator, "acrbasicdemo")
    answer = ask(port_of(clients, net["vnet-app"]), "acrbasicdemo.azurecr.io")
    assert answer.rcode() == dns.rcode.NOERROR
    values = chain(answer)
    assert values[0] == ("acrbasicdemo.azurecr.io.", "CNAME", ["acrbasicdemo.westeurope.cloudapp.azure.example."])
    assert values[1][:2] == ("acrbasicdemo.westeurope.cloudapp.azure.example.", "A")
    assert ipaddress.ip_address(values[1][2][0]) in PUBLIC_RANGE
    again = ask(port_of(clients, net["vnet-other"]), "acrbasicdemo.azurecr.io")
    assert chain(again) == values   # deterministic
    assert ask(port_of(clients, net["vnet-app"]), "acrbasicdemo.eastus.data.azurecr.io").rcode() == \
        dns.rcode.NXDOMAIN   # no replica there


def test_registry_private_link_resolution(clients, emulator, net):
    registry = make_registry(clients, emulator, replicas=("eastus",))
    make_private_endpoint(clients, emulator, registry, net["vnet-app"])
    make_zone(clients)
    link(clients, net["vnet-app"])
    a_record(clients, "acrprivnetdemo", "10.20.1.4")
    a_record(clients, "acrprivnetdemo.westeurope.data", "10.20.1.5")
    app, other = port_of(clients, net["vnet-app"]), port_of(clients, net["vnet-other"])

    assert chain(ask(app, "acrprivnetdemo.azurecr.io")) == [
        ("acrprivnetdemo.azurecr.io.", "CNAME", ["acrprivnetdemo.privatelink.azurecr.io."]),
        ("acrprivnetdemo.privatelink.azurecr.io.", "A", ["10.20.1.4"])]
    assert chain(ask(app, "acrprivnetdemo.westeurope.data.azurecr.io", tcp=True)) == [
        ("acrprivnetdemo.westeurope.data.azurecr.io.", "CNAME",
         ["acrprivnetdemo.westeurope.data.privatelink.azurecr.io."]),
        ("acrprivnetdemo.westeurope.data.privatelink.azurecr.io.", "A", ["10.20.1.5"])]
    # The replica's data record was never added: inside the VNet that name does not exist (a stale zone).
    stale = ask(app, "acrprivnetdemo.eastus.data.azurecr.io")
    assert stale.rcode() == dns.rcode.NXDOMAIN
    assert chain(stale) == [("acrprivnetdemo.eastus.data.azurecr.io.", "CNAME",
                             ["acrprivnetdemo.eastus.data.privatelink.azurecr.io."])]

    outside = chain(ask(other, "acrprivnetdemo.azurecr.io"))
    assert outside[:2] == [
        ("acrprivnetdemo.azurecr.io.", "CNAME", ["acrprivnetdemo.privatelink.azurecr.io."]),
        ("acrprivnetdemo.privatelink.azurecr.io.", "CNAME", ["acrprivnetdemo.westeurope.cloudapp.azure.example."])]
    assert outside[2][1] == "A" and ipaddress.ip_address(outside[2][2][0]) in PUBLIC_RANGE

    clients.privatedns.virtual_network_links.begin_delete("rg-dns", ZONE, "link-app").result()
    assert chain(ask(app, "acrprivnetdemo.azurecr.io")) == outside


def test_nxdomain_redirect_falls_back_to_public(clients, emulator, net):
    registry = make_registry(clients, emulator)
    make_private_endpoint(clients, emulator, registry, net["vnet-app"])
    make_zone(clients)
    link(clients, net["vnet-app"], resolutionPolicy="NxDomainRedirect")
    app = port_of(clients, net["vnet-app"])
    values = chain(ask(app, "acrprivnetdemo.azurecr.io"))
    assert values[1] == ("acrprivnetdemo.privatelink.azurecr.io.", "CNAME",
                         ["acrprivnetdemo.westeurope.cloudapp.azure.example."])
    a_record(clients, "acrprivnetdemo", "10.20.1.4")
    assert chain(ask(app, "acrprivnetdemo.azurecr.io"))[-1] == (
        "acrprivnetdemo.privatelink.azurecr.io.", "A", ["10.20.1.4"])
