"""Behaviours taken from Microsoft's documentation and specs (issue 13), driven through the real SDKs.

Each test names its source; emulator/README.md ("Behaviours and sources") lists them.
"""

import ipaddress

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest

from privnet_emulator import SECOND_SUBSCRIPTION

RG, NET_RG, ACR_RG, DNS_RG = "rg-pe", "rg-net", "rg-acr", "rg-dns"
REG = "acrprivnetdemo"
ZONE = "privatelink.azurecr.io"
DATA_ZONE = "westeurope.data.privatelink.azurecr.io"
PUBLIC_RANGE = ipaddress.ip_network("203.0.113.0/24")


# ---- helpers ------------------------------------------------------------------------------------------------
def make_network(clients, network=None, resource=None, location="westeurope"):
    (resource or clients.resource).resource_groups.create_or_update(NET_RG, {"location": location})
    vnet = (network or clients.network).virtual_networks.begin_create_or_update(NET_RG, "vnet-app", {
        "location": location, "properties": {"addressSpace": {"addressPrefixes": ["10.20.0.0/16"]},
                                             "subnets": [{"name": "snet-pe",
                                                          "properties": {"addressPrefix": "10.20.1.0/24"}}]}}).result()
    return vnet


def make_registry(clients, admin=False, replicas=()):
    clients.resource.resource_groups.create_or_update(ACR_RG, {"location": "westeurope"})
    registry = clients.acr.registries.begin_create(ACR_RG, REG, {
        "location": "westeurope", "sku": {"name": "Premium"}, "properties": {"adminUserEnabled": admin}}).result()
    for region in replicas:
        clients.acr.replications.begin_create(ACR_RG, REG, region, {"location": region}).result()
    return registry


def pe_body(subnet_id, target_id, manual=False, **props):
    kind = "manualPrivateLinkServiceConnections" if manual else "privateLinkServiceConnections"
    conn = {"name": "conn-acr", "properties": {"privateLinkServiceId": target_id, "groupIds": ["registry"]}}
    return {"location": "westeurope", "properties": dict({"subnet": {"id": subnet_id}, kind: [conn]}, **props)}


def make_pe(clients, subnet_id, target_id, name="pe-acr", manual=False, network=None, **props):
    clients.resource.resource_groups.create_or_update(RG, {"location": "westeurope"})
    return (network or clients.network).private_endpoints.begin_create_or_update(
        RG, name, pe_body(subnet_id, target_id, manual, **props)).result()


def connections(clients):
    return list(clients.acr.private_endpoint_connections.list(ACR_RG, REG))


def set_state(clients, name, status, description=None):
    state = {"status": status}
    if description is not None:
        state["description"] = description
    return clients.acr.private_endpoint_connections.begin_create_or_update(ACR_RG, REG, name, {
        "properties": {"privateLinkServiceConnectionState": state}}).result()


def endpoint_state(clients, name="pe-acr"):
    pe = clients.network.private_endpoints.get(RG, name)
    conn = (pe.manual_private_link_service_connections or pe.private_link_service_connections)[0]
    return conn.private_link_service_connection_state.status


# ---- 1. a rejected connection cannot be approved (manage-private-endpoint.md, final note) ---------------------
def test_rejected_connection_cannot_be_approved_and_needs_a_new_endpoint(clients):
    subnet_id = make_network(clients).subnets[0].id
    registry = make_registry(clients)
    make_pe(clients, subnet_id, registry.id, manual=True)
    [pec] = connections(clients)
    set_state(clients, pec.name, "Rejected", "not a known workload")

    with pytest.raises(HttpResponseError) as err:
        set_state(clients, pec.name, "Approved", "changed my mind")
    assert err.value.status_code == 400 and err.value.error.code == "BadRequest"
    assert "rejected" in err.value.error.message
    assert connections(clients)[0].private_link_service_connection_state.status == "Rejected"
    assert endpoint_state(clients) == "Rejected"

    # "Previously denied" stays denied: back to Pending, then approving is still refused.
    set_state(clients, pec.name, "Pending")
    with pytest.raises(HttpResponseError) as err:
        set_state(clients, pec.name, "Approved")
    assert err.value.status_code == 400

    # The endpoint's side cannot revive it either: the state in its connection is read-only (privateEndpoint.json).
    body = pe_body(subnet_id, registry.id, manual=True)
    body["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]["privateLinkServiceConnectionState"] = \
        {"status": "Approved", "description": "self-approved"}
    clients.network.private_endpoints.begin_create_or_update(RG, "pe-acr", body).result()
    assert endpoint_state(clients) == "Pending"

    # The way out: remove the connection (the endpoint shows Disconnected), re-create the endpoint, approve the new one.
    clients.acr.private_endpoint_connections.begin_delete(ACR_RG, REG, pec.name).result()
    assert endpoint_state(clients) == "Disconnected"
    clients.network.private_endpoints.begin_delete(RG, "pe-acr").result()
    make_pe(clients, subnet_id, registry.id, manual=True)
    [fresh] = connections(clients)
    assert fresh.name != pec.name and fresh.private_link_service_connection_state.status == "Pending"
    assert set_state(clients, fresh.name, "Approved").private_link_service_connection_state.status == "Approved"
    assert endpoint_state(clients) == "Approved"


def test_new_replica_sets_approved_connections_pending_not_rejected_ones(clients):
    # container-registry-private-link.md: once a new geo-replication is added, the connection is set to pending.
    subnet_id = make_network(clients).subnets[0].id
    registry = make_registry(clients)
    make_pe(clients, subnet_id, registry.id, name="pe-one")
    make_pe(clients, subnet_id, registry.id, name="pe-two", manual=True)
    by_pe = {c.private_endpoint.id.rsplit("/", 1)[-1]: c.name for c in connections(clients)}
    set_state(clients, by_pe["pe-two"], "Rejected")
    clients.acr.replications.begin_create(ACR_RG, REG, "eastus", {"location": "eastus"}).result()
    states = {c.private_endpoint.id.rsplit("/", 1)[-1]: c.private_link_service_connection_state.status
              for c in connections(clients)}
    assert states == {"pe-one": "Pending", "pe-two": "Rejected"}
    assert endpoint_state(clients, "pe-one") == "Pending"


# ---- 2. same subscription as the virtual network (private-endpoint-overview.md) -------------------------------
def test_endpoint_in_another_subscription_than_its_subnet_is_refused(clients):
    vnet = make_network(clients, network=clients.network2, resource=clients.resource2)
    assert vnet.id.startswith(f"/subscriptions/{SECOND_SUBSCRIPTION}/")
    registry = make_registry(clients)
    with pytest.raises(HttpResponseError) as err:
        make_pe(clients, vnet.subnets[0].id, registry.id)
    assert err.value.status_code == 400 and err.value.error.code == "InvalidResourceReference"
    assert vnet.subnets[0].id in err.value.error.message
    # Nothing was created: no endpoint, NIC or connection.
    assert list(clients.network.private_endpoints.list(RG)) == []
    assert list(clients.network.network_interfaces.list(RG)) == []
    assert connections(clients) == []


# ---- 5. ipConfigurations have no id (privateEndpoint.json PrivateEndpointIPConfiguration) ---------------------
def test_endpoint_ip_configurations_carry_no_id(clients):
    subnet_id = make_network(clients).subnets[0].id
    registry = make_registry(clients)
    statics = [{"name": f"ip-{member}", "properties": {"groupId": "registry", "memberName": member,
                                                        "privateIPAddress": ip}}
               for member, ip in (("registry", "10.20.1.10"), ("registry_data_westeurope", "10.20.1.11"))]
    pe = make_pe(clients, subnet_id, registry.id, ipConfigurations=statics)
    raw = clients.network.send_request(HttpRequest("GET", f"{pe.id}?api-version=2026-03-01")).json()
    configs = raw["properties"]["ipConfigurations"]
    assert [c["name"] for c in configs] == ["ip-registry", "ip-registry_data_westeurope"]
    for c in configs:
        assert "id" not in c
        assert set(c) == {"name", "type", "etag", "properties"}
        assert c["type"] == "Microsoft.Network/privateEndpoints/ipConfigurations"


# ---- 6. listCredentials (Registries_ListCredentials) ----------------------------------------------------------
def test_list_credentials_with_the_admin_user(clients):
    make_registry(clients, admin=True)
    creds = clients.acr.registries.list_credentials(ACR_RG, REG)
    assert creds.username == REG
    assert [p.name for p in creds.passwords] == ["password", "password2"]
    values = [p.value for p in creds.passwords]
    assert all(len(v) == 32 for v in values) and values[0] != values[1]
    again = clients.acr.registries.list_credentials(ACR_RG, REG)
    assert [p.value for p in again.passwords] == values   # stable
    log = [e for e in clients.control.log(method="POST") if e["path"].lower().endswith("/listcredentials")]
    assert len(log) == 2


def test_list_credentials_without_the_admin_user_is_refused(clients):
    registry = make_registry(clients, admin=False)
    with pytest.raises(HttpResponseError) as err:
        clients.acr.registries.list_credentials(ACR_RG, REG)
    assert err.value.status_code == 400
    assert err.value.error.code == "UnAuthorizedForCredentialOperations"
    assert registry.id in err.value.error.message and "admin user is disabled" in err.value.error.message


# ---- 4. DNS answers -------------------------------------------------------------------------------------------------
def port_of(clients, vnet):
    [port] = [l["port"] for l in clients.control.dns() if l["vnet_id"].lower() == vnet.id.lower()]
    return port


def ask(port, name, rdtype="A"):
    return dns.query.udp(dns.message.make_query(name, rdtype), "127.0.0.1", port=port, timeout=3)


def chain(response):
    return [(r.name.to_text(), dns.rdatatype.to_text(r.rdtype), sorted(x.to_text() for x in r))
            for r in response.answer]


def make_zone(clients, name):
    clients.resource.resource_groups.create_or_update(DNS_RG, {"location": "westeurope"})
    return clients.privatedns.private_zones.begin_create_or_update(DNS_RG, name, {"location": "global"}).result()


def link(clients, vnet, zone, **props):
    return clients.privatedns.virtual_network_links.begin_create_or_update(DNS_RG, zone, "link-app", {
        "location": "global", "properties": dict({"virtualNetwork": {"id": vnet.id}, "registrationEnabled": False},
                                                 **props)}).result()


def a_record(clients, zone, name, ip):
    clients.privatedns.record_sets.create_or_update(DNS_RG, zone, "A", name, {"properties": {
        "ttl": 10, "aRecords": [{"ipv4Address": ip}]}})


def test_nxdomain_redirect_only_for_private_link_zones_and_only_on_nxdomain(clients):
    # private-dns-fallback.md: a retry with public resolution on NXDOMAIN from a Private Link zone, A/AAAA/CNAME only.
    vnet = make_network(clients)
    registry = make_registry(clients)
    make_pe(clients, vnet.subnets[0].id, registry.id)
    make_zone(clients, ZONE)
    link(clients, vnet, ZONE, resolutionPolicy="NxDomainRedirect")
    a_record(clients, ZONE, f"{REG}.westeurope.data", "10.20.1.5")
    port = port_of(clients, vnet)

    # The name is absent: public resolution (the registry's public host).
    answer = ask(port, f"{REG}.azurecr.io")
    assert answer.rcode() == dns.rcode.NOERROR
    assert chain(answer)[1] == (f"{REG}.privatelink.azurecr.io.", "CNAME",
                                [f"{REG}.westeurope.cloudapp.azure.example."])
    assert ipaddress.ip_address(chain(answer)[2][2][0]) in PUBLIC_RANGE
    # A name that exists only above other records is NOERROR/NODATA, not NXDOMAIN: no fallback.
    nodata = ask(port, "westeurope.data.privatelink.azurecr.io")
    assert nodata.rcode() == dns.rcode.NOERROR and nodata.answer == []
    assert [dns.rdatatype.to_text(r.rdtype) for r in nodata.authority] == ["SOA"]
    # Other query types are not redirected.
    mx = ask(port, f"{REG}.privatelink.azurecr.io", "MX")
    assert mx.rcode() == dns.rcode.NXDOMAIN and [r.rdtype for r in mx.authority] == [dns.rdatatype.SOA]

    # A zone that is not a Private Link zone keeps its NXDOMAIN, with its SOA, whatever the link says.
    clients.privatedns.virtual_network_links.begin_delete(DNS_RG, ZONE, "link-app").result()
    make_zone(clients, "corp.example.com")
    created = link(clients, vnet, "corp.example.com", resolutionPolicy="NxDomainRedirect")
    assert created.resolution_policy == "NxDomainRedirect"
    missing = ask(port, "nope.corp.example.com")
    assert missing.rcode() == dns.rcode.NXDOMAIN
    assert [dns.rdatatype.to_text(r.rdtype) for r in missing.authority] == ["SOA"]

    # Only Default and NxDomainRedirect are accepted (private-dns-fallback.md, "Limitations").
    with pytest.raises(HttpResponseError) as err:
        link(clients, vnet, "corp.example.com", resolutionPolicy="Sometimes")
    assert err.value.status_code == 400


def test_regional_acr_data_zone(clients):
    # private-endpoint-dns.md, Containers: privatelink.azurecr.io and {regionName}.data.privatelink.azurecr.io.
    vnet = make_network(clients)
    registry = make_registry(clients, replicas=("eastus",))
    make_pe(clients, vnet.subnets[0].id, registry.id)
    data_zone = make_zone(clients, DATA_ZONE)
    login_zone = make_zone(clients, ZONE)
    # A zone group with both zones writes the regional data record into the regional zone as `<reg>`.
    clients.network.private_dns_zone_groups.begin_create_or_update(RG, "pe-acr", "default", {"properties": {
        "privateDnsZoneConfigs": [{"name": "data", "properties": {"privateDnsZoneId": data_zone.id}},
                                  {"name": "login", "properties": {"privateDnsZoneId": login_zone.id}}]}}).result()
    data_records = {r.name: [a.ipv4_address for a in r.a_records]
                    for r in clients.privatedns.record_sets.list_by_type(DNS_RG, DATA_ZONE, "A")}
    assert data_records == {REG: ["10.20.1.5"]}
    port = port_of(clients, vnet)

    # Only the regional data zone linked: the data endpoint of that region is private, the rest public.
    link(clients, vnet, DATA_ZONE)
    assert chain(ask(port, f"{REG}.westeurope.data.azurecr.io")) == [
        (f"{REG}.westeurope.data.azurecr.io.", "CNAME", [f"{REG}.westeurope.data.privatelink.azurecr.io."]),
        (f"{REG}.westeurope.data.privatelink.azurecr.io.", "A", ["10.20.1.5"])]
    login = chain(ask(port, f"{REG}.azurecr.io"))
    assert login[1] == (f"{REG}.privatelink.azurecr.io.", "CNAME", [f"{REG}.westeurope.cloudapp.azure.example."])
    eastus = chain(ask(port, f"{REG}.eastus.data.azurecr.io"))
    assert eastus[1][0] == f"{REG}.eastus.data.privatelink.azurecr.io." and eastus[1][1] == "CNAME"

    # Both zones linked: the regional zone answers its region's data name (longest zone), shadowing the other.
    clients.privatedns.virtual_network_links.begin_create_or_update(DNS_RG, ZONE, "link-app", {
        "location": "global", "properties": {"virtualNetwork": {"id": vnet.id}, "registrationEnabled": False}}).result()
    a_record(clients, ZONE, f"{REG}.westeurope.data", "10.20.1.99")
    assert chain(ask(port, f"{REG}.westeurope.data.azurecr.io"))[-1] == (
        f"{REG}.westeurope.data.privatelink.azurecr.io.", "A", ["10.20.1.5"])
    assert chain(ask(port, f"{REG}.azurecr.io"))[-1] == (f"{REG}.privatelink.azurecr.io.", "A", ["10.20.1.4"])
    assert chain(ask(port, f"{REG}.eastus.data.azurecr.io"))[-1] == (
        f"{REG}.eastus.data.privatelink.azurecr.io.", "A", ["10.20.1.6"])
    # The regional zone without the record: NXDOMAIN (Default policy) even though the other zone has one ...
    clients.privatedns.record_sets.delete(DNS_RG, DATA_ZONE, "A", REG)
    stale = ask(port, f"{REG}.westeurope.data.azurecr.io")
    assert stale.rcode() == dns.rcode.NXDOMAIN
    # ... and with NxDomainRedirect on the regional zone's link, public resolution (not the other private zone).
    link(clients, vnet, DATA_ZONE, resolutionPolicy="NxDomainRedirect")
    redirected = chain(ask(port, f"{REG}.westeurope.data.azurecr.io"))
    assert redirected[1] == (f"{REG}.westeurope.data.privatelink.azurecr.io.", "CNAME",
                             [f"{REG}-data.westeurope.cloudapp.azure.example."])
