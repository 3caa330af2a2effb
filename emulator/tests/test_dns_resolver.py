"""DNS Private Resolver and custom DNS servers (issue 20) through the real azure-mgmt-dnsresolver SDK over HTTPS, and
DNS queries with dnspython through the listeners (GET /_emulator/dns: per-VNet listeners and per-server listeners).
README "DNS Private Resolver and custom DNS servers (issue 20)" names each behaviour's source."""

import dns.exception
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.dnsresolver import DnsResolverManagementClient

LOC = "westeurope"
ZONE = "privatelink.azurecr.io"
REG = "acrhybriddemo"
ONPREM_IP = "192.168.10.4"
CORP = "corp.contoso.example."


@pytest.fixture
def resolver_client(make_client):
    return make_client(DnsResolverManagementClient)


def vnet_body(prefix, subnets, location=LOC, dns_servers=None):
    props = {"addressSpace": {"addressPrefixes": [prefix]}, "subnets": [
        {"name": name, "properties": dict({"addressPrefix": p}, **(
            {"delegations": [{"name": "resolver", "properties": {"serviceName": "Microsoft.Network/dnsResolvers"}}]}
            if delegated else {}))} for name, p, delegated in subnets]}
    if dns_servers is not None:
        props["dhcpOptions"] = {"dnsServers": dns_servers}
    return {"location": location, "properties": props}


@pytest.fixture
def estate(clients, emulator):
    """A hub with two delegated /28 subnets (inbound, outbound), one undelegated /28 and a workload subnet; two spokes;
    a registry with a private endpoint in the hub and its privatelink zone linked to the hub."""
    for rg in ("rg-hub", "rg-acr", "rg-dns"):
        clients.resource.resource_groups.create_or_update(rg, {"location": LOC})
    net = clients.network
    vnets = {
        "hub": net.virtual_networks.begin_create_or_update("rg-hub", "vnet-hub", vnet_body("10.50.0.0/16", [
            ("snet-dns-inbound", "10.50.0.0/28", True), ("snet-dns-outbound", "10.50.0.16/28", True),
            ("snet-plain", "10.50.0.32/28", False), ("snet-wide", "10.50.4.0/23", True),
            ("snet-workload", "10.50.1.0/24", False)])).result(),
        "spoke1": net.virtual_networks.begin_create_or_update("rg-hub", "vnet-spoke1", vnet_body(
            "10.51.0.0/16", [("snet-app", "10.51.1.0/24", False)])).result(),
        "spoke2": net.virtual_networks.begin_create_or_update("rg-hub", "vnet-spoke2", vnet_body(
            "10.52.0.0/16", [("snet-app", "10.52.1.0/24", False)])).result(),
    }
    registry = clients.acr.registries.begin_create("rg-acr", REG, {
        "location": LOC, "sku": {"name": "Premium"}, "properties": {"adminUserEnabled": False}}).result()
    pe = net.private_endpoints.begin_create_or_update("rg-hub", "pe-acr", {"location": LOC, "properties": {
        "subnet": {"id": f"{vnets['hub'].id}/subnets/snet-workload"},
        "privateLinkServiceConnections": [{"name": "conn", "properties": {
            "privateLinkServiceId": registry.id, "groupIds": ["registry"]}}]}}).result()
    clients.privatedns.private_zones.begin_create_or_update("rg-dns", ZONE, {"location": "global"}).result()
    clients.privatedns.virtual_network_links.begin_create_or_update("rg-dns", ZONE, "link-hub", {
        "location": "global", "properties": {"virtualNetwork": {"id": vnets["hub"].id},
                                             "registrationEnabled": False}}).result()
    clients.privatedns.record_sets.create_or_update("rg-dns", ZONE, "A", REG, {"properties": {
        "ttl": 10, "aRecords": [{"ipv4Address": "10.50.1.4"}]}})
    clients.control.dns_server(ONPREM_IP, name="onprem-dns", zones={CORP: [
        {"name": "app", "type": "A", "values": ["192.168.20.10"]}]})
    return {"vnets": vnets, "registry": registry, "pe": pe}


def sub_id(vnet, name):
    return f"{vnet.id}/subnets/{name}"


def make_resolver(rc, vnet, name="dnspr-hub"):
    return rc.dns_resolvers.begin_create_or_update("rg-hub", name, {
        "location": LOC, "properties": {"virtualNetwork": {"id": vnet.id}}}).result()


def make_inbound(rc, vnet, subnet="snet-dns-inbound", name="in", resolver="dnspr-hub", **cfg):
    return rc.inbound_endpoints.begin_create_or_update("rg-hub", resolver, name, {
        "location": LOC, "properties": {"ipConfigurations": [dict({"subnet": {"id": sub_id(vnet, subnet)}}, **cfg)]}}
    ).result()


def make_outbound(rc, vnet, subnet="snet-dns-outbound", name="out", resolver="dnspr-hub"):
    return rc.outbound_endpoints.begin_create_or_update("rg-hub", resolver, name, {
        "location": LOC, "properties": {"subnet": {"id": sub_id(vnet, subnet)}}}).result()


def make_ruleset(rc, outbound, name="rs-hub"):
    return rc.dns_forwarding_rulesets.begin_create_or_update("rg-hub", name, {
        "location": LOC, "properties": {"dnsResolverOutboundEndpoints": [{"id": outbound.id}]}}).result()


def make_rule(rc, name, domain, targets, ruleset="rs-hub", state="Enabled"):
    return rc.forwarding_rules.create_or_update("rg-hub", ruleset, name, {"properties": {
        "domainName": domain, "forwardingRuleState": state,
        "targetDnsServers": [{"ipAddress": ip, "port": 53} for ip in targets]}})


def make_link(rc, vnet, name, ruleset="rs-hub"):
    return rc.virtual_network_links.begin_create_or_update("rg-hub", ruleset, name, {
        "properties": {"virtualNetwork": {"id": vnet.id}, "metadata": {"role": "spoke"}}}).result()


def vnet_port(clients, vnet):
    return next(l["port"] for l in clients.control.dns() if l["vnet_id"].lower() == vnet.id.lower())


def server_port(clients, ip):
    found = [s for s in clients.control.dns_server_listeners() if s["ip_address"] == ip]
    assert len(found) == 1, clients.control.dns_server_listeners()
    return found[0]["port"]


def ask(port, name, rdtype="A", timeout=3, tcp=False):
    send = dns.query.tcp if tcp else dns.query.udp
    return send(dns.message.make_query(name, rdtype), "127.0.0.1", port=port, timeout=timeout)


def values(response):
    return [(r.name.to_text(), dns.rdatatype.to_text(r.rdtype), sorted(x.to_text() for x in r))
            for r in response.answer]


def error_of(excinfo):
    return excinfo.value.status_code, excinfo.value.error.code


# ---- ARM: CRUD, wire shape, list operations -----------------------------------------------------------------------
def test_resolver_endpoints_rulesets_crud_and_lists(clients, estate, resolver_client, emulator):
    rc, hub = resolver_client, estate["vnets"]["hub"]
    resolver = make_resolver(rc, hub)
    assert resolver.virtual_network.id.lower() == hub.id.lower()
    assert resolver.dns_resolver_state == "Connected" and resolver.provisioning_state == "Succeeded"
    assert resolver.resource_guid and resolver.etag
    inbound = make_inbound(rc, hub)
    cfg = inbound.ip_configurations[0]
    # Learn: a dynamic inbound IP is typically the fifth address of the subnet.
    assert (cfg.private_ip_address, cfg.private_ip_allocation_method) == ("10.50.0.4", "Dynamic")
    assert inbound.location == LOC and inbound.type == "Microsoft.Network/dnsResolvers/inboundEndpoints"
    outbound = make_outbound(rc, hub)
    ruleset = make_ruleset(rc, outbound)
    rule = make_rule(rc, "corp", CORP, [ONPREM_IP])
    assert (rule.domain_name, rule.forwarding_rule_state, rule.target_dns_servers[0].port) == (CORP, "Enabled", 53)
    link = make_link(rc, estate["vnets"]["spoke1"], "link-spoke1")
    assert link.metadata == {"role": "spoke"}

    assert [r.name for r in rc.dns_resolvers.list_by_resource_group("rg-hub")] == ["dnspr-hub"]
    assert [r.name for r in rc.dns_resolvers.list()] == ["dnspr-hub"]
    assert [e.name for e in rc.inbound_endpoints.list("rg-hub", "dnspr-hub")] == ["in"]
    assert [e.name for e in rc.outbound_endpoints.list("rg-hub", "dnspr-hub")] == ["out"]
    assert [r.name for r in rc.dns_forwarding_rulesets.list()] == ["rs-hub"]
    assert [r.name for r in rc.forwarding_rules.list("rg-hub", "rs-hub")] == ["corp"]
    assert [r.name for r in rc.virtual_network_links.list("rg-hub", "rs-hub")] == ["link-spoke1"]
    assert [r.id.lower() for r in rc.dns_resolvers.list_by_virtual_network("rg-hub", "vnet-hub")] == \
        [resolver.id.lower()]
    by_vnet = list(rc.dns_forwarding_rulesets.list_by_virtual_network("rg-hub", "vnet-spoke1"))
    assert [(r.id.lower(), r.virtual_network_link.id.lower()) for r in by_vnet] == [(ruleset.id.lower(),
                                                                                      link.id.lower())]

    # Updates: PATCH tags (long-running), a rule's PATCH (not long-running), a link's metadata.
    assert rc.dns_resolvers.begin_update("rg-hub", "dnspr-hub", {"tags": {"env": "test"}}).result().tags == \
        {"env": "test"}
    assert rc.forwarding_rules.update("rg-hub", "rs-hub", "corp", {"properties": {
        "forwardingRuleState": "Disabled"}}).forwarding_rule_state == "Disabled"
    assert rc.virtual_network_links.begin_update("rg-hub", "rs-hub", "link-spoke1", {"properties": {
        "metadata": {"role": "x"}}}).result().metadata == {"role": "x"}


def test_long_running_wire_shape_and_etags(clients, estate, resolver_client, emulator):
    """202 with Azure-AsyncOperation and Location under .../locations/{loc}/dnsResolverOperationStatuses|Results
    (the spec's examples); If-None-Match * on an existing resource, If-Match with a stale etag: 412."""
    from azure.core.rest import HttpRequest
    hub = estate["vnets"]["hub"]
    emulator.control.config(latency="realistic", time_scale=0.001)
    url = f"{emulator.url}/subscriptions/{clients.subscription}/resourceGroups/rg-hub/providers/Microsoft.Network/" \
          "dnsResolvers/" \
          f"dnspr-hub?api-version=2025-05-01"
    resp = resolver_client._client.send_request(HttpRequest("PUT", url, json={
        "location": LOC, "properties": {"virtualNetwork": {"id": hub.id}}}))
    assert resp.status_code == 202
    assert "/locations/westeurope/dnsResolverOperationStatuses/" in resp.headers["Azure-AsyncOperation"]
    assert "/locations/westeurope/dnsResolverOperationResults/" in resp.headers["Location"]
    emulator.control.advance(everything=True)
    got = resolver_client.dns_resolvers.get("rg-hub", "dnspr-hub")
    assert got.provisioning_state == "Succeeded"
    with pytest.raises(HttpResponseError) as exc:
        resolver_client.dns_resolvers.begin_create_or_update("rg-hub", "dnspr-hub", {
            "location": LOC, "properties": {"virtualNetwork": {"id": hub.id}}}, if_none_match="*").result()
    assert exc.value.status_code == 412
    with pytest.raises(HttpResponseError) as exc:
        resolver_client.dns_resolvers.begin_update("rg-hub", "dnspr-hub", {"tags": {}}, if_match="stale").result()
    assert exc.value.status_code == 412
    # Other api-versions than the spec's stable ones are refused for these types.
    bad = resolver_client._client.send_request(HttpRequest("GET", url.replace("2025-05-01", "2026-03-01")))
    assert bad.status_code == 400
    assert resolver_client._client.send_request(HttpRequest("GET", url.replace("2025-05-01", "2022-07-01"))) \
        .status_code == 200


# ---- ARM: the documented rules ------------------------------------------------------------------------------------
def test_endpoint_subnet_rules(clients, estate, resolver_client):
    rc, hub, spoke = resolver_client, estate["vnets"]["hub"], estate["vnets"]["spoke1"]
    make_resolver(rc, hub)
    # Not delegated to Microsoft.Network/dnsResolvers, or wider than /24: the create operation fails (#21744) and
    # the endpoint stays, Failed.
    for subnet, name in (("snet-plain", "in-plain"), ("snet-wide", "in-wide")):
        with pytest.raises(HttpResponseError) as exc:
            make_inbound(rc, hub, subnet=subnet, name=name)
        assert "could not be used to provision the inbound endpoint" in str(exc.value)
        assert rc.inbound_endpoints.get("rg-hub", "dnspr-hub", name).provisioning_state == "Failed"
        rc.inbound_endpoints.begin_delete("rg-hub", "dnspr-hub", name).result()
    # A subnet outside the resolver's VNet: refused at once.
    with pytest.raises(HttpResponseError) as exc:
        make_inbound(rc, spoke, subnet="snet-app", name="in-spoke")
    assert error_of(exc) == (400, "BadRequest")
    # One endpoint per subnet.
    make_inbound(rc, hub)
    with pytest.raises(HttpResponseError) as exc:
        make_outbound(rc, hub, subnet="snet-dns-inbound", name="out-shared")
    assert "could not be used to provision the outbound endpoint" in str(exc.value)
    rc.outbound_endpoints.begin_delete("rg-hub", "dnspr-hub", "out-shared").result()
    # A static inbound IP of the subnet's free range.
    make_outbound(rc, hub)
    static = rc.inbound_endpoints.begin_create_or_update("rg-hub", "dnspr-hub", "in", {
        "location": LOC, "properties": {"ipConfigurations": [{
            "subnet": {"id": sub_id(hub, "snet-dns-inbound")}, "privateIpAllocationMethod": "Static",
            "privateIpAddress": "10.50.0.10"}]}}).result()
    assert static.ip_configurations[0].private_ip_address == "10.50.0.10"


def test_resolver_vnet_rules_and_delete_order(clients, estate, resolver_client):
    rc, hub = resolver_client, estate["vnets"]["hub"]
    west = clients.network.virtual_networks.begin_create_or_update("rg-hub", "vnet-ne", vnet_body(
        "10.60.0.0/16", [("s", "10.60.0.0/28", True)], location="northeurope")).result()
    with pytest.raises(HttpResponseError) as exc:   # a VNet of another region
        make_resolver(rc, west, name="dnspr-ne")
    assert error_of(exc) == (400, "BadRequest")
    make_resolver(rc, hub)
    with pytest.raises(HttpResponseError) as exc:   # one resolver per VNet
        make_resolver(rc, hub, name="dnspr-second")
    assert error_of(exc) == (400, "BadRequest")
    make_inbound(rc, hub)
    outbound = make_outbound(rc, hub)
    make_ruleset(rc, outbound)
    with pytest.raises(HttpResponseError) as exc:   # its inbound endpoints first
        rc.dns_resolvers.begin_delete("rg-hub", "dnspr-hub").result()
    assert error_of(exc) == (400, "BadRequest")
    with pytest.raises(HttpResponseError) as exc:   # an outbound endpoint a ruleset uses
        rc.outbound_endpoints.begin_delete("rg-hub", "dnspr-hub", "out").result()
    assert error_of(exc) == (400, "BadRequest")
    with pytest.raises(HttpResponseError) as exc:   # the delegated subnet is in use
        clients.network.subnets.begin_delete("rg-hub", "vnet-hub", "snet-dns-inbound").result()
    assert exc.value.status_code == 400
    rc.dns_forwarding_rulesets.begin_delete("rg-hub", "rs-hub").result()
    rc.outbound_endpoints.begin_delete("rg-hub", "dnspr-hub", "out").result()
    rc.inbound_endpoints.begin_delete("rg-hub", "dnspr-hub", "in").result()
    rc.dns_resolvers.begin_delete("rg-hub", "dnspr-hub").result()
    assert list(rc.dns_resolvers.list()) == []


def test_rule_and_link_rules(clients, estate, resolver_client):
    rc, hub = resolver_client, estate["vnets"]["hub"]
    make_resolver(rc, hub)
    make_ruleset(rc, make_outbound(rc, hub))
    for name, domain, targets in (("nodot", "corp.contoso.example", [ONPREM_IP]),     # not fully qualified
                                  ("azuredns", CORP, ["168.63.129.16"]),              # Azure DNS as a target
                                  ("toomany", CORP, [f"192.168.10.{i}" for i in range(1, 8)]),   # 6 at most
                                  ("1bad", CORP, [ONPREM_IP])):                       # starts with a digit
        with pytest.raises(HttpResponseError) as exc:
            make_rule(rc, name, domain, targets)
        assert error_of(exc) == (400, "BadRequest"), name
    assert make_rule(rc, "wildcard", ".", [ONPREM_IP]).domain_name == "."
    other = clients.network.virtual_networks.begin_create_or_update("rg-hub", "vnet-ne", vnet_body(
        "10.60.0.0/16", [("s", "10.60.1.0/24", False)], location="northeurope")).result()
    with pytest.raises(HttpResponseError) as exc:   # a ruleset is linked to VNets of its own region only
        make_link(rc, other, "link-ne")
    assert error_of(exc) == (400, "BadRequest")


# ---- DNS: how each client resolves --------------------------------------------------------------------------------
def test_inbound_endpoint_answers_as_azure_dns_for_the_hub(clients, estate, resolver_client):
    rc, hub = resolver_client, estate["vnets"]["hub"]
    make_resolver(rc, hub)
    make_inbound(rc, hub)
    servers = clients.control.dns_server_listeners()
    assert {(s["ip_address"], s["kind"]) for s in servers} == {("10.50.0.4", "inbound_endpoint"),
                                                               (ONPREM_IP, "dns_server")}
    # An on-premises client whose server forwards privatelink.azurecr.io to the inbound endpoint.
    clients.control.dns_server(ONPREM_IP, name="onprem-dns", zones={CORP: [
        {"name": "app", "type": "A", "values": ["192.168.20.10"]}]},
        forwarders=[{"domain": "privatelink.azurecr.io.", "targets": ["10.50.0.4"]}])
    direct = ask(server_port(clients, "10.50.0.4"), f"{REG}.azurecr.io")
    assert values(direct) == [(f"{REG}.azurecr.io.", "CNAME", [f"{REG}.privatelink.azurecr.io."]),
                              (f"{REG}.privatelink.azurecr.io.", "A", ["10.50.1.4"])]
    onprem = server_port(clients, ONPREM_IP)
    assert values(ask(onprem, f"{REG}.azurecr.io")) == values(direct)
    assert values(ask(onprem, f"app.{CORP}")) == [(f"app.{CORP}", "A", ["192.168.20.10"])]
    assert ask(onprem, f"nothing.{CORP}").rcode() == dns.rcode.NXDOMAIN
    # Without the forwarder the on-premises server resolves publicly: the registry's public address.
    clients.control.dns_server(ONPREM_IP, zones={CORP: []})
    public = values(ask(onprem, f"{REG}.azurecr.io"))
    assert public[1][1] == "CNAME" and public[-1][2][0].startswith("203.0.113.")


def test_custom_dns_servers_that_forward_and_that_do_not(clients, estate, resolver_client):
    rc, hub, spoke2 = resolver_client, estate["vnets"]["hub"], estate["vnets"]["spoke2"]
    # A VM-hosted DNS server in spoke2 that forwards everything to 168.63.129.16: Azure DNS for spoke2, which is not
    # linked to the privatelink zone: the public answer.
    clients.control.dns_server("10.52.1.10", virtual_network=spoke2.id,
                               forwarders=[{"domain": ".", "targets": ["168.63.129.16"]}])
    spoke2 = clients.network.virtual_networks.begin_create_or_update("rg-hub", "vnet-spoke2", vnet_body(
        "10.52.0.0/16", [("snet-app", "10.52.1.0/24", False)], dns_servers=["10.52.1.10"])).result()
    assert spoke2.dhcp_options.dns_servers == ["10.52.1.10"]
    port = vnet_port(clients, spoke2)
    assert values(ask(port, f"{REG}.azurecr.io"))[-1][2][0].startswith("203.0.113.")
    assert ask(port, f"app.{CORP}").rcode() == dns.rcode.NXDOMAIN    # no forwarder for corp: public NXDOMAIN
    # The same server placed in the hub (linked to the zone): the private answer.
    clients.control.dns_server("10.52.1.10", virtual_network=hub.id,
                               forwarders=[{"domain": ".", "targets": ["168.63.129.16"]}])
    assert values(ask(port, f"{REG}.azurecr.io"))[-1] == (f"{REG}.privatelink.azurecr.io.", "A", ["10.50.1.4"])
    # The resolver's inbound endpoint as the VNet's DNS server: the hub's view.
    make_resolver(rc, hub)
    make_inbound(rc, hub)
    clients.network.virtual_networks.begin_create_or_update("rg-hub", "vnet-spoke2", vnet_body(
        "10.52.0.0/16", [("snet-app", "10.52.1.0/24", False)], dns_servers=["10.52.9.9", "10.50.0.4"])).result()
    assert values(ask(port, f"{REG}.azurecr.io"))[-1] == (f"{REG}.privatelink.azurecr.io.", "A", ["10.50.1.4"])
    # Servers that do not exist: no answer at all (the client times out).
    clients.network.virtual_networks.begin_create_or_update("rg-hub", "vnet-spoke2", vnet_body(
        "10.52.0.0/16", [("snet-app", "10.52.1.0/24", False)], dns_servers=["10.52.9.9"])).result()
    with pytest.raises(dns.exception.Timeout):
        ask(port, f"{REG}.azurecr.io", timeout=0.5)
    # An empty list is Azure-provided DNS again.
    clients.network.virtual_networks.begin_create_or_update("rg-hub", "vnet-spoke2", vnet_body(
        "10.52.0.0/16", [("snet-app", "10.52.1.0/24", False)], dns_servers=[])).result()
    assert values(ask(port, f"{REG}.azurecr.io"))[-1][2][0].startswith("203.0.113.")


def test_ruleset_forwards_matching_names(clients, estate, resolver_client):
    rc, hub, spoke1 = resolver_client, estate["vnets"]["hub"], estate["vnets"]["spoke1"]
    make_resolver(rc, hub)
    make_inbound(rc, hub)
    make_ruleset(rc, make_outbound(rc, hub))
    make_rule(rc, "corp", CORP, [ONPREM_IP])
    make_rule(rc, "acr", "privatelink.azurecr.io.", ["10.50.0.4"])
    port = vnet_port(clients, spoke1)
    assert ask(port, f"app.{CORP}").rcode() == dns.rcode.NXDOMAIN   # not linked yet: Azure DNS alone
    make_link(rc, spoke1, "link-spoke1")
    assert values(ask(port, f"app.{CORP}", tcp=True)) == [(f"app.{CORP}", "A", ["192.168.20.10"])]
    # The spoke is not linked to the privatelink zone: the rule sends it to the hub's inbound endpoint.
    assert values(ask(port, f"{REG}.azurecr.io"))[-1] == (f"{REG}.privatelink.azurecr.io.", "A", ["10.50.1.4"])
    # Longest suffix wins; a disabled rule is ignored.
    clients.control.dns_server("192.168.10.5", zones={"app.corp.contoso.example.": [
        {"name": "@", "type": "A", "values": ["192.168.30.30"]}]})
    make_rule(rc, "app", "app.corp.contoso.example.", ["192.168.10.5"])
    assert values(ask(port, f"app.{CORP}")) == [(f"app.{CORP}", "A", ["192.168.30.30"])]
    rc.forwarding_rules.update("rg-hub", "rs-hub", "app", {"properties": {"forwardingRuleState": "Disabled"}})
    assert values(ask(port, f"app.{CORP}")) == [(f"app.{CORP}", "A", ["192.168.20.10"])]
    # Targets in order: the first that answers.
    make_rule(rc, "corp", CORP, ["192.168.99.99", ONPREM_IP])
    assert values(ask(port, f"app.{CORP}")) == [(f"app.{CORP}", "A", ["192.168.20.10"])]
    # No target answers: SERVFAIL.
    make_rule(rc, "corp", CORP, ["192.168.99.99"])
    assert ask(port, f"app.{CORP}").rcode() == dns.rcode.SERVFAIL
    # A wildcard rule does not take names under the domains reserved for Azure services.
    make_rule(rc, "acr", "privatelink.azurecr.io.", ["10.50.0.4"], state="Disabled")
    make_rule(rc, "all", ".", [ONPREM_IP])
    assert values(ask(port, f"{REG}.azurecr.io"))[-1][2][0].startswith("203.0.113.")   # Azure DNS, public view
    assert ask(port, "www.example.").rcode() == dns.rcode.NXDOMAIN                    # forwarded on-premises
    # Private zones linked to the VNet come before the rulesets.
    clients.privatedns.private_zones.begin_create_or_update("rg-dns", "contoso.example", {
        "location": "global"}).result()
    clients.privatedns.virtual_network_links.begin_create_or_update("rg-dns", "contoso.example", "link-s1", {
        "location": "global", "properties": {"virtualNetwork": {"id": spoke1.id},
                                             "registrationEnabled": False}}).result()
    assert ask(port, f"app.{CORP}").rcode() == dns.rcode.NXDOMAIN   # the linked zone answers, no forwarding


def test_forwarding_loop_ends_with_servfail(clients, estate, resolver_client):
    """Learn warns that linking a ruleset whose rule targets an inbound endpoint to that endpoint's own VNet can
    cause resolution loops."""
    rc, hub = resolver_client, estate["vnets"]["hub"]
    make_resolver(rc, hub)
    make_inbound(rc, hub)
    make_ruleset(rc, make_outbound(rc, hub))
    make_rule(rc, "loop", "loop.example.", ["10.50.0.4"])
    make_link(rc, hub, "link-hub")
    assert ask(vnet_port(clients, hub), "x.loop.example.").rcode() == dns.rcode.SERVFAIL


def test_hybrid_dns_scenario_loads(clients, emulator):
    result = clients.control.call("POST", "scenario", {"name": "hybrid_dns"})
    assert any("vnet-hub" in i for i in result["loaded"])
    servers = {s["ip_address"]: s for s in clients.control.dns_server_listeners()}
    assert servers["192.168.10.4"]["kind"] == "dns_server"
    hub = clients.network.virtual_networks.get("rg-hybrid-network", "vnet-hub")
    delegated = [s.name for s in hub.subnets if s.delegations and
                 s.delegations[0].service_name == "Microsoft.Network/dnsResolvers"]
    assert sorted(delegated) == ["snet-dns-inbound", "snet-dns-outbound"]
    spoke2 = clients.network.virtual_networks.get("rg-hybrid-network", "vnet-spoke2")
    assert spoke2.dhcp_options.dns_servers == ["10.62.1.10"]
    name = "acrhybriddemo.azurecr.io"
    hub_answer = values(ask(vnet_port(clients, hub), name))
    assert hub_answer[-1][:2] == ("acrhybriddemo.privatelink.azurecr.io.", "A")
    assert hub_answer[-1][2][0].startswith("10.60.1.")            # the private endpoint's address
    assert values(ask(vnet_port(clients, spoke2), name))[-1][2][0].startswith("203.0.113.")   # custom DNS: public
    assert values(ask(server_port(clients, "192.168.10.4"), f"app.{CORP}")) == [(f"app.{CORP}", "A",
                                                                                 ["192.168.20.10"])]
