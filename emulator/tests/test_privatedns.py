"""Private DNS through the real azure-mgmt-privatedns SDK: zones, VNet links and record sets."""

import pytest
from azure.core import MatchConditions
from azure.core.exceptions import (HttpResponseError, ResourceExistsError, ResourceModifiedError,
                                   ResourceNotFoundError)
from azure.core.rest import HttpRequest

ZONE = "privatelink.azurecr.io"
# Private DNS operations take 30 s with Retry-After 30; the SDK reads an initial Retry-After as an int, so the
# scale keeps it whole (1 s).
SCALE = 1 / 30


@pytest.fixture
def rg(clients):
    clients.resource.resource_groups.create_or_update("rg-dns", {"location": "westeurope"})
    clients.resource.resource_groups.create_or_update("rg-net", {"location": "westeurope"})
    return "rg-dns"


def make_vnet(clients, name, prefix="10.20.0.0/16", rg="rg-net", network=None):
    return (network or clients.network).virtual_networks.begin_create_or_update(rg, name, {
        "location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": [prefix]}}}).result()


def make_zone(clients, name=ZONE, rg="rg-dns", **kw):
    return clients.privatedns.private_zones.begin_create_or_update(rg, name, {"location": "global"}, **kw).result()


def link(clients, vnet_id, name="link1", zone=ZONE, registration=False, **props):
    body = {"location": "global", "properties": dict(
        {"virtualNetwork": {"id": vnet_id}, "registrationEnabled": registration}, **props)}
    return clients.privatedns.virtual_network_links.begin_create_or_update("rg-dns", zone, name, body).result()


def test_zone_create_polls_and_reads_back(clients, rg):
    clients.control.clear_log()
    zone = make_zone(clients)
    assert zone.location == "global"
    assert zone.type == "Microsoft.Network/privateDnsZones"
    assert zone.properties.provisioning_state == "Succeeded"
    assert zone.properties.number_of_record_sets == 1   # the SOA
    assert zone.properties.max_number_of_record_sets == 25000
    assert zone.properties.max_number_of_virtual_network_links == 1000
    assert zone.properties.max_number_of_virtual_network_links_with_registration == 100
    assert zone.properties.number_of_virtual_network_links == 0
    assert zone.properties.internal_id
    assert "-" in zone.etag and not zone.etag.startswith(('"', "W/"))   # a bare GUID
    log = clients.control.log(kind="arm")
    put = [e for e in log if e["method"] == "PUT"]
    polls = [e for e in log if "privateDnsOperationStatuses" in e["path"]]
    assert [e["status"] for e in put] == [202]
    assert polls and polls[-1]["status"] == 200
    assert clients.privatedns.private_zones.get(rg, ZONE).etag == zone.etag


def test_zone_poll_is_202_while_running(clients, rg):
    clients.control.config(latency="realistic", time_scale=SCALE)
    poller = clients.privatedns.private_zones.begin_create_or_update(rg, "slow.example.com", {"location": "global"})
    zone = poller.result()
    assert zone.properties.provisioning_state == "Succeeded"
    statuses = [e["status"] for e in clients.control.log(kind="arm") if "privateDnsOperationStatuses" in e["path"]]
    assert statuses[0] == 202 and statuses[-1] == 200


def test_running_status_poll_repeats_the_operation_urls(clients, rg):
    clients.control.config(latency="realistic", time_scale=1.0)
    path = f"/subscriptions/{clients.subscription}/resourceGroups/{rg}/providers/Microsoft.Network/privateDnsZones/" \
           "slow.example.com?api-version=2024-06-01"
    started = clients.privatedns.send_request(HttpRequest("PUT", path, json={"location": "global"}))
    assert (started.status_code, started.json()) == (202, {})
    urls = {k: started.headers[k] for k in ("Azure-AsyncOperation", "Location")}
    running = clients.privatedns.send_request(HttpRequest("GET", urls["Azure-AsyncOperation"]))
    assert (running.status_code, running.json()) == (202, {"status": "InProgress"})
    assert {k: running.headers[k] for k in urls} == urls
    clients.control.advance()
    done = clients.privatedns.send_request(HttpRequest("GET", urls["Azure-AsyncOperation"]))
    assert (done.status_code, done.json()) == (200, {"status": "Succeeded"})
    assert "Azure-AsyncOperation" not in done.headers and "Location" not in done.headers


def test_zone_list_tags_patch_and_delete(clients, rg):
    make_zone(clients, "a.example.com")
    make_zone(clients, "b.example.com")
    names = [z.name for z in clients.privatedns.private_zones.list_by_resource_group(rg)]
    assert names == ["a.example.com", "b.example.com"]
    assert [z.name for z in clients.privatedns.private_zones.list_by_resource_group(rg, top=1)] == ["a.example.com"]
    assert {z.name for z in clients.privatedns.private_zones.list()} == {"a.example.com", "b.example.com"}
    before = clients.privatedns.private_zones.get(rg, "a.example.com")
    assert before.tags is None
    updated = clients.privatedns.private_zones.begin_update(rg, "a.example.com", {"tags": {"env": "test"}}).result()
    assert updated.tags == {"env": "test"}
    assert updated.etag != before.etag
    clients.privatedns.private_zones.begin_delete(rg, "a.example.com").result()
    with pytest.raises(ResourceNotFoundError) as err:
        clients.privatedns.private_zones.get(rg, "a.example.com")
    assert err.value.error.code == "ResourceNotFound"


def test_zone_name_and_location_are_validated(clients, rg):
    with pytest.raises(HttpResponseError) as err:
        make_zone(clients, "localdomain")
    assert err.value.status_code == 400
    assert err.value.error.code == "BadRequest"
    assert err.value.error.message == ("The zone name 'localdomain' does not have enough labels. Zone names must "
                                       "have two or more labels.")
    with pytest.raises(HttpResponseError) as err:
        make_zone(clients, ("x" * 64) + ".example.com")
    assert err.value.status_code == 400
    with pytest.raises(HttpResponseError) as err:
        clients.privatedns.private_zones.begin_create_or_update(rg, "ok.example.com", {"location": "westeurope"})
    assert err.value.error.code == "LocationNotAvailableForResourceType"


def test_zone_if_none_match_and_if_match(clients, rg):
    zone = make_zone(clients, match_condition=MatchConditions.IfMissing)
    with pytest.raises(ResourceExistsError) as err:
        make_zone(clients, match_condition=MatchConditions.IfMissing)
    assert err.value.status_code == 412
    with pytest.raises(ResourceModifiedError):
        clients.privatedns.private_zones.begin_update(rg, ZONE, {"tags": {"a": "b"}}, etag="0" * 36,
                                                      match_condition=MatchConditions.IfNotModified)
    done = clients.privatedns.private_zones.begin_update(rg, ZONE, {"tags": {"a": "b"}}, etag=zone.etag,
                                                         match_condition=MatchConditions.IfNotModified).result()
    assert done.tags == {"a": "b"}


def test_zone_with_link_cannot_be_deleted_until_link_goes(clients, rg):
    vnet = make_vnet(clients, "vnet-app")
    make_zone(clients)
    link(clients, vnet.id)
    with pytest.raises(ResourceExistsError) as err:
        clients.privatedns.private_zones.begin_delete(rg, ZONE)
    assert err.value.status_code == 409
    assert err.value.error.code == "CannotDeleteResource"
    assert err.value.error.message == "Can not delete resource before nested resources are deleted."
    clients.privatedns.virtual_network_links.begin_delete(rg, ZONE, "link1").result()
    clients.privatedns.private_zones.begin_delete(rg, ZONE).result()
    assert list(clients.privatedns.private_zones.list_by_resource_group(rg)) == []


def test_link_create_state_and_counts(clients, rg):
    vnet = make_vnet(clients, "vnet-app")
    make_zone(clients)
    created = link(clients, vnet.id, registration=True)
    assert created.location == "global"
    assert created.type == "Microsoft.Network/privateDnsZones/virtualNetworkLinks"
    assert created.properties.virtual_network_link_state == "Completed"
    assert created.properties.provisioning_state == "Succeeded"
    assert created.properties.registration_enabled is True
    assert created.properties.resolution_policy == "Default"
    assert created.properties.virtual_network.id == vnet.id
    assert created.etag.startswith('"') and created.etag.endswith('"')
    zone = clients.privatedns.private_zones.get(rg, ZONE)
    assert zone.properties.number_of_virtual_network_links == 1
    assert zone.properties.number_of_virtual_network_links_with_registration == 1
    links = list(clients.privatedns.virtual_network_links.list(rg, ZONE))
    assert [l.name for l in links] == ["link1"]
    updated = clients.privatedns.virtual_network_links.begin_update(
        rg, ZONE, "link1", {"properties": {"registrationEnabled": False}}).result()
    assert updated.properties.registration_enabled is False
    assert updated.properties.virtual_network.id == vnet.id
    with pytest.raises(ResourceModifiedError):   # links compare their quoted etag
        clients.privatedns.virtual_network_links.begin_update(
            rg, ZONE, "link1", {"tags": {"a": "b"}}, etag=created.etag, match_condition=MatchConditions.IfNotModified)
    tagged = clients.privatedns.virtual_network_links.begin_update(
        rg, ZONE, "link1", {"tags": {"a": "b"}}, etag=updated.etag, match_condition=MatchConditions.IfNotModified)
    assert tagged.result().tags == {"a": "b"}


def test_link_in_progress_while_running(clients, rg):
    vnet = make_vnet(clients, "vnet-app")
    make_zone(clients)
    clients.control.config(latency="realistic", time_scale=SCALE)
    poller = clients.privatedns.virtual_network_links.begin_create_or_update(rg, ZONE, "link1", {
        "location": "global", "properties": {"virtualNetwork": {"id": vnet.id}, "registrationEnabled": False}})
    running = clients.privatedns.virtual_network_links.get(rg, ZONE, "link1")
    assert running.properties.virtual_network_link_state == "InProgress"
    assert running.properties.provisioning_state == "Creating"
    assert poller.result().properties.virtual_network_link_state == "Completed"


def test_one_link_per_zone_and_vnet(clients, rg):
    vnet = make_vnet(clients, "vnet-app")
    make_zone(clients)
    link(clients, vnet.id)
    with pytest.raises(ResourceExistsError) as err:
        link(clients, vnet.id, name="link2")
    assert err.value.status_code == 409
    assert err.value.error.code == "Conflict"
    with pytest.raises(HttpResponseError) as err:   # the VNet of a link cannot change
        link(clients, make_vnet(clients, "vnet-other", "10.30.0.0/16").id)
    assert err.value.status_code == 400


def test_link_to_missing_vnet_fails_the_operation(clients, rg):
    make_zone(clients)
    missing = f"/subscriptions/{clients.subscription}/resourceGroups/rg-net/providers/Microsoft.Network/" \
              "virtualNetworks/nope"
    with pytest.raises(HttpResponseError) as err:
        link(clients, missing)
    assert err.value.error.code == "BadRequest"
    assert err.value.error.message == f"Virtual network resource not found for '{missing}'"
    assert clients.privatedns.virtual_network_links.get(rg, ZONE, "link1").properties.provisioning_state == "Failed"


def test_same_zone_name_twice_on_a_vnet_fails(clients, rg):
    vnet = make_vnet(clients, "vnet-app")
    make_zone(clients)
    link(clients, vnet.id)
    clients.resource.resource_groups.create_or_update("rg-dns2", {"location": "westeurope"})
    clients.privatedns.private_zones.begin_create_or_update("rg-dns2", ZONE, {"location": "global"}).result()
    with pytest.raises(HttpResponseError) as err:
        clients.privatedns.virtual_network_links.begin_create_or_update("rg-dns2", ZONE, "link1", {
            "location": "global", "properties": {"virtualNetwork": {"id": vnet.id}}}).result()
    assert err.value.error.code == "BadRequest"
    assert "overlapping namespaces" in err.value.error.message


def test_link_to_vnet_in_other_subscription(clients, rg):
    clients.resource2.resource_groups.create_or_update("rg-net", {"location": "westeurope"})
    vnet = make_vnet(clients, "vnet-remote", network=clients.network2)
    make_zone(clients)
    assert link(clients, vnet.id).properties.virtual_network_link_state == "Completed"


def test_a_record_set_crud_and_fqdn(clients, rg):
    make_zone(clients)
    rs = clients.privatedns.record_sets
    created = rs.create_or_update(rg, ZONE, "A", "myreg", {"properties": {"ttl": 3600}})
    assert created.type == "Microsoft.Network/privateDnsZones/A"
    assert created.fqdn == f"myreg.{ZONE}."
    assert created.a_records == []
    assert created.is_auto_registered is False
    updated = rs.create_or_update(rg, ZONE, "A", "myreg", {"properties": {
        "ttl": 10, "aRecords": [{"ipv4Address": "10.20.1.5"}], "metadata": {"k": "v"}}})
    assert [r.ipv4_address for r in updated.a_records] == ["10.20.1.5"]
    assert updated.metadata == {"k": "v"}
    assert updated.etag != created.etag
    patched = rs.update(rg, ZONE, "A", "myreg", {"properties": {"ttl": 60}})
    assert patched.ttl == 60 and [r.ipv4_address for r in patched.a_records] == ["10.20.1.5"]
    assert rs.get(rg, ZONE, "A", "myreg").ttl == 60
    assert clients.privatedns.private_zones.get(rg, ZONE).properties.number_of_record_sets == 2
    rs.delete(rg, ZONE, "A", "myreg")
    with pytest.raises(ResourceNotFoundError):
        rs.get(rg, ZONE, "A", "myreg")
    assert clients.privatedns.private_zones.get(rg, ZONE).properties.number_of_record_sets == 1
    writes = [(e["method"], e["status"]) for e in clients.control.writes() if "/A/" in e["path"]]
    assert writes == [("PUT", 201), ("PUT", 200), ("PATCH", 200), ("DELETE", 200)]


def test_other_record_types(clients, rg):
    make_zone(clients, "corp.example.com")
    rs = clients.privatedns.record_sets
    aaaa = rs.create_or_update(rg, "corp.example.com", "AAAA", "v6", {"properties": {
        "ttl": 300, "aaaaRecords": [{"ipv6Address": "fd00::5"}]}})
    assert [r.ipv6_address for r in aaaa.aaaa_records] == ["fd00::5"]
    cname = rs.create_or_update(rg, "corp.example.com", "CNAME", "www", {"properties": {
        "ttl": 300, "cnameRecord": {"cname": "web.corp.example.com"}}})
    assert cname.cname_record.cname == "web.corp.example.com"
    txt = rs.create_or_update(rg, "corp.example.com", "TXT", "info", {"properties": {
        "ttl": 300, "txtRecords": [{"value": ["hello", "world"]}]}})
    assert txt.txt_records[0].value == ["hello", "world"]
    soa = rs.get(rg, "corp.example.com", "SOA", "@")
    assert soa.fqdn == "corp.example.com."
    assert soa.soa_record.host == "azureprivatedns.net"
    with pytest.raises(HttpResponseError) as err:   # a CNAME owns its name
        rs.create_or_update(rg, "corp.example.com", "A", "www", {"properties": {"ttl": 300}})
    assert err.value.status_code == 400
    with pytest.raises(HttpResponseError) as err:   # the SOA cannot go
        rs.delete(rg, "corp.example.com", "SOA", "@")
    assert err.value.status_code == 400


def test_record_set_lists(clients, rg):
    make_zone(clients)
    rs = clients.privatedns.record_sets
    rs.create_or_update(rg, ZONE, "A", "myreg", {"properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.0.0.4"}]}})
    rs.create_or_update(rg, ZONE, "A", "myreg.westeurope.data", {"properties": {
        "ttl": 10, "aRecords": [{"ipv4Address": "10.0.0.5"}]}})
    rs.create_or_update(rg, ZONE, "TXT", "note", {"properties": {"ttl": 10, "txtRecords": [{"value": ["x"]}]}})
    everything = [(r.type.rsplit("/", 1)[-1], r.name) for r in rs.list(rg, ZONE)]
    assert everything == [("SOA", "@"), ("A", "myreg"), ("A", "myreg.westeurope.data"), ("TXT", "note")]
    assert [r.name for r in rs.list_by_type(rg, ZONE, "A")] == ["myreg", "myreg.westeurope.data"]
    assert [r.name for r in rs.list_by_type(rg, ZONE, "A", top=1)] == ["myreg"]
    assert [r.name for r in rs.list(rg, ZONE, recordsetnamesuffix="data")] == ["myreg.westeurope.data"]


def test_record_set_etags(clients, rg):
    make_zone(clients)
    rs = clients.privatedns.record_sets
    body = {"properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.0.0.4"}]}}
    first = rs.create_or_update(rg, ZONE, "A", "myreg", body, match_condition=MatchConditions.IfMissing)
    with pytest.raises(ResourceExistsError) as err:
        rs.create_or_update(rg, ZONE, "A", "myreg", body, match_condition=MatchConditions.IfMissing)
    assert err.value.status_code == 412
    assert err.value.error.code == "PreconditionFailed"
    second = rs.create_or_update(rg, ZONE, "A", "myreg", body, etag=first.etag,
                                 match_condition=MatchConditions.IfNotModified)
    with pytest.raises(ResourceModifiedError) as err:   # first.etag is stale now
        rs.create_or_update(rg, ZONE, "A", "myreg", body, etag=first.etag,
                            match_condition=MatchConditions.IfNotModified)
    assert err.value.status_code == 412
    with pytest.raises(ResourceModifiedError):
        rs.delete(rg, ZONE, "A", "myreg", etag=first.etag, match_condition=MatchConditions.IfNotModified)
    rs.delete(rg, ZONE, "A", "myreg", etag=second.etag, match_condition=MatchConditions.IfNotModified)


def test_record_set_validation(clients, rg):
    make_zone(clients)
    rs = clients.privatedns.record_sets
    for ttl in (-1, 2147483648):
        with pytest.raises(HttpResponseError) as err:
            rs.create_or_update(rg, ZONE, "A", "x", {"properties": {"ttl": ttl}})
        assert err.value.status_code == 400
    with pytest.raises(HttpResponseError) as err:
        rs.create_or_update(rg, ZONE, "A", "x", {"properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.0.0"}]}})
    assert err.value.status_code == 400
    assert rs.create_or_update(rg, ZONE, "A", "x", {"properties": {"ttl": 2147483647}}).ttl == 2147483647
    with pytest.raises(ResourceNotFoundError):
        rs.create_or_update(rg, "missing.example.com", "A", "x", {"properties": {"ttl": 10}})
