# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import copy
from unittest.mock import MagicMock

import pytest

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API, PRIVATE_DNS_API
from ansible_collections.privnet.azure.plugins.modules import private_dns_zone
from ansible_collections.privnet.azure.tests.unit.helpers import FakePoller, arm_error, install_arm, not_found, split_id

ZONE = "privatelink.azurecr.io"
RG = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups"
ZONE_ID = f"{RG}/rg-dns/providers/Microsoft.Network/privateDnsZones/{ZONE}"
APP = f"{RG}/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-app"
HUB = f"{RG}/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"
SPOKE = "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/rg-spokes/providers/Microsoft.Network/virtualNetworks/vnet-spoke1"
BASE = {"subscription_id": "11111111-1111-4111-8111-111111111111", "name": ZONE, "resource_group": "rg-dns"}
APP_LINK = {"virtual_network": "vnet-app", "resource_group": "rg-network"}


def zone_wire(tags=None, records=1, state="Succeeded"):
    out = {"id": ZONE_ID, "name": ZONE, "type": "Microsoft.Network/privateDnsZones", "location": "global",
           "etag": "zone-etag", "properties": {"numberOfRecordSets": records, "maxNumberOfRecordSets": 25000,
                                                "numberOfVirtualNetworkLinks": 0, "provisioningState": state}}
    if tags is not None:
        out["tags"] = dict(tags)
    return out


def link_wire(name, vnet, registration=False, policy="Default", state="Succeeded", tags=None):
    out = {"id": f"{ZONE_ID}/virtualNetworkLinks/{name}", "name": name, "location": "global",
           "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "etag": '"link-etag"',
           "properties": {"virtualNetwork": {"id": vnet}, "registrationEnabled": registration,
                          "resolutionPolicy": policy, "virtualNetworkLinkState": "Completed",
                          "provisioningState": state}}
    if tags:
        out["tags"] = dict(tags)
    return out


class FakeAzure:
    """Private DNS and the network behind AzureModule.arm(), around one zone, its links and some VNets."""

    def __init__(self, zone=None, links=(), vnets=(APP, HUB, SPOKE)):
        self.zone = zone
        self.links = {link["name"].lower(): link for link in links}
        self.vnets = {v.lower() for v in vnets}
        self.calls = []           # (verb, what, body, waited?) in order
        self.pollers = []
        self.clients = []         # ("privatedns" or "network", subscription) of each request
        self.get_vnet = MagicMock(side_effect=self.vnet)

    def handle(self, method, resource_id, body, headers):
        subscription, rg, pairs = split_id(resource_id)
        types = tuple(t.lower() for t, _name in pairs)
        if types == ("virtualnetworks",):
            self.clients.append(("network", subscription))
            assert self.requests[-1][2] == NETWORK_API
            assert method == "GET"
            return self.get_vnet(rg, pairs[0][1])
        self.clients.append(("privatedns", subscription))
        assert self.requests[-1][2] == PRIVATE_DNS_API
        assert resource_id.lower().startswith(ZONE_ID.lower()), resource_id
        if types == ("privatednszones",):
            return {"GET": self.get_zone, "PUT": self.put_zone, "DELETE": self.delete_zone}[method](rg, pairs[0][1],
                                                                                                    body)
        assert types == ("privatednszones", "virtualnetworklinks"), resource_id
        if method == "LIST":
            return self.list_links(rg, pairs[0][1])
        return {"PUT": self.put_link, "DELETE": self.delete_link}[method](rg, pairs[0][1], pairs[1][1], body)

    def get_zone(self, rg, name, body=None):
        if self.zone is None:
            raise not_found()
        return copy.deepcopy(self.zone)

    def list_links(self, rg, name):
        return [copy.deepcopy(link) for link in self.links.values()]

    def vnet(self, rg, name):
        if not any(v.endswith(f"/resourcegroups/{rg.lower()}/providers/microsoft.network/virtualnetworks/{name.lower()}")
                   for v in self.vnets):
            raise not_found()
        return {"name": name}

    def _poller(self, verb, what, body, result):
        poller = FakePoller(result=result)
        self.calls.append((verb, what, body, poller))
        return poller

    def put_zone(self, rg, name, sent):
        self.zone = zone_wire(tags=sent.get("tags"), records=(self.zone or {}).get("properties", {})
                              .get("numberOfRecordSets", 1))
        return self._poller("PUT", "zone", sent, copy.deepcopy(self.zone))

    def delete_zone(self, rg, name, body=None):
        assert not self.links, "the zone was deleted before its links"
        self.zone = None
        return self._poller("DELETE", "zone", None, None)

    def put_link(self, rg, zone, name, sent):
        props = sent["properties"]
        existing = self.links.get(name.lower())
        if existing is not None:
            assert existing["properties"]["virtualNetwork"]["id"].lower() == props["virtualNetwork"]["id"].lower(), \
                "a link's VNet cannot be changed in place"
        stored = link_wire(name, props["virtualNetwork"]["id"], props.get("registrationEnabled", False),
                           props.get("resolutionPolicy") or "Default", tags=sent.get("tags"))
        self.links[name.lower()] = stored
        return self._poller("PUT", f"link {name}", sent, copy.deepcopy(stored))

    def delete_link(self, rg, zone, name, body=None):
        del self.links[name.lower()]
        return self._poller("DELETE", f"link {name}", None, None)

    def writes(self):
        return [(verb, what) for verb, what, _b, _p in self.calls]

    def body(self, what):
        return next(b for _v, w, b, _p in self.calls if w == what and b is not None)

    def waited(self, what):
        return next(bool(p.waited) for _v, w, _b, p in self.calls if w == what)


@pytest.fixture
def azure(monkeypatch):
    holder = {}

    def handle(*args):  # the fake is looked up per request: a test may swap it
        return holder["azure"].handle(*args)

    requests = install_arm(monkeypatch, handle)

    def make(**kwargs):
        holder["azure"] = FakeAzure(**kwargs)
        holder["azure"].requests = requests
        return holder["azure"]

    return make


def run(run_module, **args):
    return run_module(private_dns_zone.main, dict(BASE, **args))


# ---- create ----------------------------------------------------------------------------------------------

def test_creates_the_zone_then_its_links(run_module, azure):
    fake = azure()
    result, failed = run(run_module, tags={"owner": "platform"},
                         links=[APP_LINK, {"name": "link-hub", "virtual_network": HUB, "resolution_policy": "Default"}])
    assert not failed and result["changed"]
    assert fake.writes() == [("PUT", "zone"), ("PUT", "link vnet-app"), ("PUT", "link link-hub")]
    assert fake.body("zone") == {"location": "global", "tags": {"owner": "platform"}}
    assert fake.body("link vnet-app") == {"location": "global", "properties": {
        "virtualNetwork": {"id": APP}, "registrationEnabled": False}}
    assert fake.body("link link-hub")["properties"]["resolutionPolicy"] == "Default"
    assert result["zone"] == {"id": ZONE_ID, "name": ZONE, "resource_group": "rg-dns", "number_of_record_sets": 1,
                              "tags": {"owner": "platform"}, "provisioning_state": "Succeeded"}
    assert result["links"][0] == {"name": "vnet-app", "id": f"{ZONE_ID}/virtualNetworkLinks/vnet-app",
                                  "virtual_network_id": APP, "registration_enabled": False,
                                  "resolution_policy": "Default", "state": "Completed",
                                  "provisioning_state": "Succeeded", "action": "created"}
    # the VNets were checked before anything was written
    assert fake.get_vnet.call_count == 2


def test_vnet_name_defaults_to_the_zone_resource_group(run_module, azure):
    fake = azure(vnets=[f"{RG}/rg-dns/providers/Microsoft.Network/virtualNetworks/vnet-dns"])
    result, failed = run(run_module, links=[{"virtual_network": "vnet-dns"}])
    assert not failed
    assert fake.body("link vnet-dns")["properties"]["virtualNetwork"]["id"] == \
        f"{RG}/rg-dns/providers/Microsoft.Network/virtualNetworks/vnet-dns"


def test_check_mode_predicts_and_writes_nothing(run_module, azure):
    fake = azure()
    result, failed = run(run_module, links=[APP_LINK], tags={"a": "b"}, _ansible_check_mode=True, _ansible_diff=True)
    assert not failed and result["changed"]
    assert fake.calls == []
    assert result["zone"]["id"] == ZONE_ID and result["zone"]["provisioning_state"] is None
    assert result["links"] == [{"name": "vnet-app", "id": f"{ZONE_ID}/virtualNetworkLinks/vnet-app",
                                "virtual_network_id": APP, "registration_enabled": False,
                                "resolution_policy": "Default", "state": None, "provisioning_state": None,
                                "action": "created"}]
    assert result["diff"] == {
        "before": {"name": ZONE, "state": "absent", "links": {}},
        "after": {"name": ZONE, "state": "present", "tags": {"a": "b"}, "links": {"vnet-app": {
            "virtual_network_id": APP, "registration_enabled": False, "resolution_policy": "Default"}}},
    }


def test_a_missing_vnet_fails_before_any_write(run_module, azure):
    fake = azure(vnets=[APP])
    result, failed = run(run_module, links=[APP_LINK, {"virtual_network": HUB}])
    assert failed
    assert result["msg"] == ("links[1].virtual_network: virtual network 'vnet-hub' was not found in resource group "
                             "'rg-hub' (subscription '11111111-1111-4111-8111-111111111111'); create it first, or fix the name, resource group or id")
    assert fake.calls == []


def test_a_vnet_it_may_not_read_is_left_to_azure(run_module, azure):
    fake = azure()
    fake.get_vnet.side_effect = arm_error(403, "AuthorizationFailed", "no read")
    result, failed = run(run_module, links=[{"virtual_network": SPOKE}])
    assert not failed
    assert fake.writes()[-1] == ("PUT", "link vnet-spoke1")
    assert ("network", "22222222-2222-4222-8222-222222222222") in fake.clients


def test_with_wait_false_the_new_zone_is_still_waited_for_before_its_links(run_module, azure):
    fake = azure()
    result, failed = run(run_module, links=[APP_LINK], wait=False)
    assert not failed and result["changed"]
    assert fake.waited("zone") is True
    assert fake.waited("link vnet-app") is False
    assert result["links"][0]["state"] is None


# ---- idempotence and updates -----------------------------------------------------------------------------

def test_second_run_writes_nothing(run_module, azure):
    fake = azure(zone=zone_wire(tags={"owner": "platform"}),
                 links=[link_wire("vnet-app", APP.upper()), link_wire("link-hub", HUB, policy="NxDomainRedirect")])
    result, failed = run(run_module, name=ZONE.upper() + ".", tags={"owner": "platform"},
                         links=[APP_LINK, {"name": "LINK-HUB", "virtual_network": HUB}])
    assert (failed, result["changed"]) == (False, False)
    assert fake.calls == []
    fake.get_vnet.assert_not_called()
    assert [link["action"] for link in result["links"]] == ["unchanged", "unchanged"]
    assert result["links"][1]["resolution_policy"] == "NxDomainRedirect"


def test_tags_are_merged_or_replaced(run_module, azure):
    fake = azure(zone=zone_wire(tags={"owner": "platform", "env": "prod"}, records=4))
    result, failed = run(run_module, tags={"costcenter": "42"}, purge_tags=False, _ansible_diff=True)
    assert not failed and result["changed"]
    assert fake.body("zone")["tags"] == {"owner": "platform", "env": "prod", "costcenter": "42"}
    assert result["diff"]["before"]["tags"] == {"owner": "platform", "env": "prod"}
    assert result["zone"]["number_of_record_sets"] == 4
    result, failed = run(run_module, tags={"owner": "platform"})
    assert fake.calls[-1][2]["tags"] == {"owner": "platform"}
    # the PUT is the zone read (location and all), not a bare body
    assert fake.calls[-1][2]["location"] == "global"


def test_tags_not_given_are_left_alone(run_module, azure):
    fake = azure(zone=zone_wire(tags={"owner": "platform"}))
    result, failed = run(run_module, _ansible_diff=True)
    assert (failed, result["changed"]) == (False, False)
    assert fake.calls == []
    assert result["diff"] == {"before": {"name": ZONE, "state": "present"}, "after": {"name": ZONE, "state": "present"}}


def test_link_settings_are_updated_keeping_its_tags(run_module, azure):
    fake = azure(zone=zone_wire(), links=[link_wire("vnet-app", APP, tags={"team": "net"})])
    result, failed = run(run_module, links=[dict(APP_LINK, registration_enabled=True,
                                                 resolution_policy="NxDomainRedirect")], _ansible_diff=True)
    assert not failed and result["changed"]
    assert fake.writes() == [("PUT", "link vnet-app")]
    body = fake.body("link vnet-app")
    assert body["tags"] == {"team": "net"}
    assert body["properties"]["registrationEnabled"] is True
    assert body["properties"]["resolutionPolicy"] == "NxDomainRedirect"
    assert result["links"][0]["action"] == "updated"
    assert result["diff"]["before"]["links"]["vnet-app"]["registration_enabled"] is False
    assert result["diff"]["after"]["links"]["vnet-app"] == {
        "virtual_network_id": APP, "registration_enabled": True, "resolution_policy": "NxDomainRedirect"}


def test_a_failed_link_is_put_again(run_module, azure):
    fake = azure(zone=zone_wire(), links=[link_wire("vnet-app", APP, state="Failed")])
    result, failed = run(run_module, links=[APP_LINK])
    assert not failed and result["changed"]
    assert fake.writes() == [("PUT", "link vnet-app")]


# ---- the wrong VNet ------------------------------------------------------------------------------------

def test_a_link_on_the_wrong_vnet_is_deleted_then_created_again(run_module, azure):
    fake = azure(zone=zone_wire(), links=[link_wire("link-hub", SPOKE, policy="NxDomainRedirect")])
    result, failed = run(run_module, links=[{"name": "link-hub", "virtual_network": HUB}], wait=False,
                         _ansible_diff=True)
    assert not failed and result["changed"]
    assert fake.writes() == [("DELETE", "link link-hub"), ("PUT", "link link-hub")]
    assert fake.waited("link link-hub") is True          # the delete, even with wait=false
    assert fake.body("link link-hub")["properties"]["virtualNetwork"]["id"] == HUB
    assert result["links"][0]["action"] == "recreated"
    after = result["diff"]["after"]["links"]["link-hub"]
    assert after["virtual_network_id"] == HUB
    assert after["resolution_policy"] == "Default"       # a new link: the old policy is not carried over
    assert "cannot be changed in place" in after["recreate"] and SPOKE in after["recreate"]
    assert result["diff"]["before"]["links"]["link-hub"]["virtual_network_id"] == SPOKE


def test_wrong_vnet_in_check_mode(run_module, azure):
    fake = azure(zone=zone_wire(), links=[link_wire("link-hub", SPOKE)])
    result, failed = run(run_module, links=[{"name": "link-hub", "virtual_network": HUB}], _ansible_check_mode=True)
    assert not failed and result["changed"]
    assert fake.calls == []
    assert result["links"][0]["action"] == "recreated"
    assert result["links"][0]["virtual_network_id"] == HUB


# ---- one link per zone and VNet --------------------------------------------------------------------------

def test_an_existing_link_to_the_vnet_is_adopted_when_no_name_is_given(run_module, azure):
    fake = azure(zone=zone_wire(), links=[link_wire("portal-made-link", APP)])
    result, failed = run(run_module, links=[APP_LINK])
    assert (failed, result["changed"]) == (False, False)
    assert fake.calls == []
    assert result["links"][0]["name"] == "portal-made-link"


def test_a_second_link_to_the_same_vnet_is_refused_before_any_write(run_module, azure):
    fake = azure(zone=zone_wire(), links=[link_wire("portal-made-link", APP)])
    result, failed = run(run_module, links=[dict(APP_LINK, name="link-app")])
    assert failed
    assert result["msg"].startswith("links[0]: private DNS zone 'privatelink.azurecr.io' (resource group 'rg-dns') "
                                    f"is already linked to {APP} by the link 'portal-made-link'")
    assert "set links[0].name to 'portal-made-link'" in result["msg"]
    assert fake.calls == []


def test_with_purge_the_old_link_goes_first(run_module, azure):
    fake = azure(zone=zone_wire(), links=[link_wire("portal-made-link", APP)])
    result, failed = run(run_module, links=[dict(APP_LINK, name="link-app")], purge_links=True)
    assert not failed and result["changed"]
    assert fake.writes() == [("DELETE", "link portal-made-link"), ("PUT", "link link-app")]


# ---- purge_links -------------------------------------------------------------------------------------------

def test_unlisted_links_are_kept_without_purge(run_module, azure):
    fake = azure(zone=zone_wire(), links=[link_wire("vnet-app", APP), link_wire("other", HUB)])
    result, failed = run(run_module, links=[APP_LINK])
    assert (failed, result["changed"]) == (False, False)
    assert [(link["name"], link["action"]) for link in result["links"]] == [
        ("vnet-app", "unchanged"), ("other", "unchanged")]
    assert fake.calls == []


def test_purge_links_deletes_the_unlisted_ones(run_module, azure):
    fake = azure(zone=zone_wire(), links=[link_wire("vnet-app", APP), link_wire("other", HUB)])
    result, failed = run(run_module, links=[APP_LINK], purge_links=True, _ansible_diff=True)
    assert not failed and result["changed"]
    assert fake.writes() == [("DELETE", "link other")]
    assert [(link["name"], link["action"]) for link in result["links"]] == [
        ("vnet-app", "unchanged"), ("other", "deleted")]
    assert result["links"][1]["state"] is None
    assert set(result["diff"]["before"]["links"]) == {"vnet-app", "other"}
    assert set(result["diff"]["after"]["links"]) == {"vnet-app"}


def test_purge_links_without_links_removes_them_all(run_module, azure):
    fake = azure(zone=zone_wire(), links=[link_wire("vnet-app", APP), link_wire("other", HUB)])
    result, failed = run(run_module, purge_links=True)
    assert not failed and result["changed"]
    assert sorted(fake.writes()) == [("DELETE", "link other"), ("DELETE", "link vnet-app")]


# ---- absent ------------------------------------------------------------------------------------------------

def test_absent_deletes_links_first_then_the_zone(run_module, azure):
    fake = azure(zone=zone_wire(tags={"a": "b"}), links=[link_wire("vnet-app", APP), link_wire("link-hub", HUB)])
    result, failed = run(run_module, state="absent", wait=False, _ansible_diff=True)
    assert not failed and result["changed"]
    assert fake.writes() == [("DELETE", "link vnet-app"), ("DELETE", "link link-hub"), ("DELETE", "zone")]
    assert fake.waited("link vnet-app") and fake.waited("link link-hub")
    assert fake.waited("zone") is False
    assert [link["action"] for link in result["links"]] == ["deleted", "deleted"]
    assert result["diff"]["after"] == {"name": ZONE, "state": "absent"}
    assert set(result["diff"]["before"]["links"]) == {"vnet-app", "link-hub"}
    assert "zone" not in result


def test_absent_when_already_gone(run_module, azure):
    fake = azure()
    result, failed = run(run_module, state="absent", links=[{"virtual_network": "-ignored-"}])
    assert (failed, result["changed"]) == (False, False)
    assert fake.calls == []
    assert [(m, i) for m, i, _api in fake.requests] == [("GET", ZONE_ID)]  # the zone only, not its links


def test_absent_in_check_mode(run_module, azure):
    fake = azure(zone=zone_wire(), links=[link_wire("vnet-app", APP)])
    result, failed = run(run_module, state="absent", _ansible_check_mode=True)
    assert not failed and result["changed"]
    assert fake.calls == []


def test_an_azure_error_names_the_link(run_module, azure):
    fake = azure(zone=zone_wire())
    fake.put_link = MagicMock(side_effect=arm_error(
        400, "BadRequest", "A virtual network cannot be linked to multiple zones with overlapping namespaces."))
    result, failed = run(run_module, links=[APP_LINK])
    assert failed
    assert result["msg"] == ("creating virtual network link 'vnet-app' of private DNS zone 'privatelink.azurecr.io' "
                             "(resource group 'rg-dns'): BadRequest: A virtual network cannot be linked to multiple "
                             "zones with overlapping namespaces.")


# ---- validation, before any call ------------------------------------------------------------------------

@pytest.mark.parametrize("args,message", [
    (dict(name="azurecr"), "name: 'azurecr' needs at least two labels"),
    (dict(name="a" * 64 + ".io"), "labels are 1-63 letters"),
    (dict(name="-bad.io"), "is not a valid DNS zone name"),
    (dict(name="bad zone.io"), "is not a valid DNS zone name"),
    (dict(name=".".join(["a" * 63] * 4) + ".io"), "253 characters in total"),
    (dict(resource_group="rg dns"), "resource_group: 'rg dns' is not a valid resource group name"),
    (dict(links=[APP_LINK, {"virtual_network": APP}]),
     "links[1].name: the link name 'vnet-app' is already used by links[0] (the default name is the virtual "
     "network's name)"),
    (dict(links=[APP_LINK, dict(APP_LINK, name="second")]),
     f"links[1].virtual_network: {APP} is already listed as links[0]"),
    (dict(links=[{"virtual_network": "-vnet"}]), "links[0].virtual_network: '-vnet' is not a valid virtual network name"),
    (dict(links=[dict(APP_LINK, name="bad name")]), "links[0].name: 'bad name' is not a valid virtual network link name"),
    (dict(links=[{"virtual_network": f"{APP}/subnets/snet"}]),
     "links[0].virtual_network: '" + APP + "/subnets/snet' is a Microsoft.Network/virtualNetworks/subnets id"),
    (dict(links=[dict(APP_LINK, resolution_policy="Sometimes")]), "resolution_policy"),
    (dict(links=[dict(APP_LINK, resource_group="rg/x")]), "links[0].resource_group: 'rg/x'"),
])
def test_bad_input_fails_before_any_call(run_module, azure, args, message):
    fake = azure()
    result, failed = run(run_module, **args)
    assert failed
    assert message in result["msg"]
    assert fake.clients == []
