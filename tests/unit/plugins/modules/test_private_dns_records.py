# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.privnet.azure.plugins.module_utils._armjson import PRIVATE_DNS_API
from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.modules import private_dns_records
from ansible_collections.privnet.azure.tests.unit.helpers import (
    StaticCredential,
    TLSServer,
    arm_error,
    install_arm,
    not_found,
    warnings_of,
)

ZONE = "privatelink.azurecr.io"
ZONE_ID = f"/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/{ZONE}"
BASE = {"subscription_id": "11111111-1111-4111-8111-111111111111", "zone": ZONE, "resource_group": "rg-dns"}
OWNED = {"managed_by": "privnet.azure"}
ACR = [
    {"name": "acrprivnetdemo", "values": ["10.20.1.4"]},
    {"name": "acrprivnetdemo.westeurope.data", "values": ["10.20.1.5"]},
    {"name": "acrprivnetdemo.eastus.data", "values": ["10.20.1.6"]},
]
RECORD_KEYS = {"A": "aRecords", "AAAA": "aaaaRecords", "CNAME": "cnameRecord", "TXT": "txtRecords",
               "MX": "mxRecords", "SRV": "srvRecords", "PTR": "ptrRecords", "SOA": "soaRecord"}


def wire(name, kind="A", values=("10.20.1.4",), ttl=3600, metadata=None, etag="etag-1"):
    """A record set as ARM returns it."""
    props = {"ttl": ttl, "fqdn": f"{ZONE}." if name == "@" else f"{name}.{ZONE}.", "isAutoRegistered": False}
    if metadata:
        props["metadata"] = dict(metadata)
    if kind == "A":
        props["aRecords"] = [{"ipv4Address": v} for v in values]
    elif kind == "AAAA":
        props["aaaaRecords"] = [{"ipv6Address": v} for v in values]
    elif kind == "CNAME" and values:
        props["cnameRecord"] = {"cname": values[0]}
    elif kind == "TXT":
        props["txtRecords"] = [{"value": [v]} for v in values]
    elif kind == "MX":
        props["mxRecords"] = [{"preference": int(v.split()[0]), "exchange": v.split()[1]} for v in values]
    elif kind == "SOA":
        props["soaRecord"] = {"host": "azureprivatedns.net", "email": "azureprivatedns-host.microsoft.com",
                              "serialNumber": 1, "refreshTime": 3600, "retryTime": 300, "expireTime": 2419200,
                              "minimumTtl": 10}
    return {"id": f"{ZONE_ID}/{kind}/{name}", "name": name, "type": f"Microsoft.Network/privateDnsZones/{kind}",
            "etag": etag, "properties": props}


def soa():
    return wire("@", "SOA", values=(), etag="soa-etag")


def quoted(etag):
    return f'"{etag}"'


class FakeZone:
    """Private DNS behind AzureModule.arm(), holding one zone's record sets (wire dicts by (name, type)) and
    honouring If-Match / If-None-Match like ARM (412)."""

    def __init__(self, *record_sets, exists=True):
        self.sets = {(rs["name"].lower(), rs["type"].rsplit("/", 1)[-1]): rs for rs in (soa(),) + record_sets}
        self.exists = exists
        self.calls = []           # (method, id, api-version) of every request
        self.writes = []          # (verb, type, name, conditional headers, body)
        self.conflicts = []       # queued callables run before a write; one returning True makes it a 412
        self.put_error = None     # raised by every PUT when set

    def handle(self, method, resource_id, body, headers):
        assert self.calls[-1][2] == PRIVATE_DNS_API
        assert resource_id.lower().startswith(ZONE_ID.lower()), resource_id
        if method == "LIST":
            assert resource_id == f"{ZONE_ID}/ALL", resource_id
            return self.list()
        kind, name = resource_id[len(ZONE_ID) + 1:].split("/")
        return {"GET": self.get, "PUT": self.put, "DELETE": self.delete}[method](kind, name, body, headers)

    @property
    def reads(self):
        return [(m, i) for m, i, _api in self.calls if m in ("GET", "LIST")]

    def list(self):
        if not self.exists:
            raise not_found("zone not found")
        return [copy.deepcopy(rs) for rs in self.sets.values()]

    def get(self, kind, name, body=None, headers=None):
        rs = self.sets.get((name.lower(), kind))
        if rs is None:
            raise not_found()
        return copy.deepcopy(rs)

    def _precondition(self, kind, name, headers):
        if self.conflicts:
            interfere = self.conflicts.pop(0)
            if interfere(self):
                raise arm_error(412, "PreconditionFailed", "The condition specified using HTTP conditional "
                                "header(s) is not met.")
        current = self.sets.get((name.lower(), kind))
        if headers.get("If-None-Match") == "*":
            assert current is None, "the module sent If-None-Match: * for a set it had read"
        elif "If-Match" in headers:
            etag = current["etag"] if current is not None else None
            assert etag is not None and headers["If-Match"] in (etag, quoted(etag)), "stale etag sent"

    def put(self, kind, name, body, headers):
        if self.put_error is not None:
            raise self.put_error
        self._precondition(kind, name, headers)
        self.writes.append(("PUT", kind, name, headers, body))
        stored = wire(name, kind, values=(), ttl=body["properties"]["ttl"], metadata=body["properties"]["metadata"],
                      etag=f"etag-{len(self.writes) + 100}")
        stored["properties"].update({k: v for k, v in body["properties"].items() if k in RECORD_KEYS.values()})
        self.sets[(name.lower(), kind)] = stored
        return copy.deepcopy(stored)

    def delete(self, kind, name, body, headers):
        self._precondition(kind, name, headers)
        self.writes.append(("DELETE", kind, name, headers, None))
        del self.sets[(name.lower(), kind)]


@pytest.fixture
def zone(monkeypatch):
    holder = {}

    def handle(*args):  # the fake is looked up per request: a test may swap it
        return holder["zone"].handle(*args)

    calls = install_arm(monkeypatch, handle)

    def make(*record_sets, exists=True):
        holder["zone"] = FakeZone(*record_sets, exists=exists)
        holder["zone"].calls = calls
        return holder["zone"]

    return make


def run(run_module, records, **extra):
    return run_module(private_dns_records.main, dict(BASE, records=records, **extra))


# ---- create, update, idempotence ---------------------------------------------------------------------


def test_creates_many_record_sets_with_if_none_match_and_the_marker(run_module, zone):
    fake = zone()
    records = ACR + [{"name": "portal", "type": "CNAME", "values": ["acrprivnetdemo.privatelink.azurecr.io"]},
                     {"name": "@", "type": "TXT", "values": ["owner=platform", "b" * 300]}]
    result, failed = run(run_module, records)
    assert not failed and result["changed"]
    assert [(verb, kind, name) for verb, kind, name, _kw, _b in fake.writes] == [
        ("PUT", "A", "acrprivnetdemo"), ("PUT", "A", "acrprivnetdemo.westeurope.data"),
        ("PUT", "A", "acrprivnetdemo.eastus.data"), ("PUT", "CNAME", "portal"), ("PUT", "TXT", "@")]
    for _verb, _kind, _name, headers, body in fake.writes:
        assert headers == {"If-None-Match": "*"}
        assert body["properties"]["metadata"] == OWNED
        assert body["properties"]["ttl"] == 3600
    assert fake.writes[0][4]["properties"]["aRecords"] == [{"ipv4Address": "10.20.1.4"}]
    assert fake.writes[3][4]["properties"]["cnameRecord"] == {"cname": "acrprivnetdemo.privatelink.azurecr.io"}
    # A value over 255 characters goes as strings of at most 255 (RFC 1035 character-strings).
    assert fake.writes[4][4]["properties"]["txtRecords"] == [
        {"value": ["owner=platform"]}, {"value": ["b" * 255, "b" * 45]}]
    assert [r["action"] for r in result["records"]] == ["created"] * 5
    assert result["records"][1] == {"name": "acrprivnetdemo.westeurope.data", "type": "A", "ttl": 3600,
                                    "values": ["10.20.1.5"], "action": "created",
                                    "fqdn": "acrprivnetdemo.westeurope.data.privatelink.azurecr.io."}


def test_a_long_txt_value_stored_as_several_strings_is_unchanged(run_module, zone):
    stored = wire("@", "TXT", values=(), metadata=OWNED)
    stored["properties"]["txtRecords"] = [{"value": ["b" * 255, "b" * 45]}]
    fake = zone(stored)
    result, failed = run(run_module, [{"name": "@", "type": "TXT", "values": ["b" * 300]}])
    assert not failed and result["changed"] is False
    assert fake.writes == []


def test_conditional_headers_of_create_update_and_delete(run_module, zone):
    """If-Match with the etag read (quoted, as an HTTP entity tag) to update and delete, If-None-Match: * to
    create; an etag Azure sends quoted already is sent as it is."""
    fake = zone(wire("acrprivnetdemo", values=("10.20.1.9",), metadata=OWNED, etag="etag-7"),
                wire("gone", values=("10.0.0.9",), metadata=OWNED, etag='W/"etag-9"'))
    result, failed = run(run_module, [{"name": "acrprivnetdemo", "values": ["10.20.1.4"]},
                                      {"name": "new", "values": ["10.20.1.8"]}], purge=True)
    assert not failed and result["changed"], result
    assert sorted((verb, name, headers) for verb, _kind, name, headers, _body in fake.writes) == [
        ("DELETE", "gone", {"If-Match": 'W/"etag-9"'}), ("PUT", "acrprivnetdemo", {"If-Match": '"etag-7"'}),
        ("PUT", "new", {"If-None-Match": "*"})]


def test_reads_the_zone_with_one_list_call(run_module, zone):
    fake = zone(*[wire(r["name"], values=r["values"], metadata=OWNED) for r in ACR])
    result, failed = run(run_module, ACR)
    assert (failed, result["changed"]) == (False, False)
    assert fake.reads == [("LIST", f"{ZONE_ID}/ALL")]
    assert fake.writes == []


# ---- return_zone_records ----------------------------------------------------------------------------

def zone_records_of(fake):
    """The zone as the fake holds it, in the shape of zone_records."""
    listed = [copy.deepcopy(rs) for rs in fake.sets.values()]
    return sorted(({"name": rs["name"], "type": rs["type"].rsplit("/", 1)[-1], "ttl": rs["properties"]["ttl"],
                    "values": private_dns_records.values_of(rs)} for rs in listed),
                  key=lambda r: (r["name"].lower(), r["type"]))


def test_zone_records_are_not_returned_unless_asked(run_module, zone):
    zone(*[wire(r["name"], values=r["values"], metadata=OWNED) for r in ACR])
    result, failed = run(run_module, ACR)
    assert not failed and "zone_records" not in result


def test_zone_records_of_an_unchanged_zone_come_from_the_one_list_call(run_module, zone):
    fake = zone(*[wire(r["name"], values=r["values"], metadata=OWNED) for r in ACR],
                wire("acrother", values=("10.20.1.9",)), wire("www", "CNAME", values=("acrother.privatelink.azurecr.io",)))
    result, failed = run(run_module, ACR, purge=True, return_zone_records=True)
    assert (failed, result["changed"]) == (False, False)
    assert fake.reads == [("LIST", f"{ZONE_ID}/ALL")]
    assert result["zone_records"] == zone_records_of(fake)
    assert [(r["name"], r["type"]) for r in result["zone_records"]] == [
        ("@", "SOA"), ("acrother", "A"), ("acrprivnetdemo", "A"), ("acrprivnetdemo.eastus.data", "A"),
        ("acrprivnetdemo.westeurope.data", "A"), ("www", "CNAME")]
    assert result["zone_records"][2] == {"name": "acrprivnetdemo", "type": "A", "ttl": 3600, "values": ["10.20.1.4"]}


def test_zone_records_after_writes_are_the_zone_as_azure_now_holds_it(run_module, zone):
    fake = zone(wire("acrprivnetdemo", values=("10.20.1.99",), metadata=OWNED), wire("old", metadata=OWNED),
                wire("foreign", values=("10.0.0.7",)))
    result, failed = run(run_module, ACR, purge=True, return_zone_records=True)
    assert not failed and result["changed"]
    assert [m for m, _id in fake.reads] == ["LIST"]
    # updated, created, purged and untouched sets, exactly as a fresh list would show them
    assert result["zone_records"] == zone_records_of(fake)
    assert [r["name"] for r in result["zone_records"]] == [
        "@", "acrprivnetdemo", "acrprivnetdemo.eastus.data", "acrprivnetdemo.westeurope.data", "foreign"]
    assert result["zone_records"][1]["values"] == ["10.20.1.4"]


def test_zone_records_in_check_mode_are_the_zone_as_it_would_be(run_module, zone):
    fake = zone(wire("acrprivnetdemo", values=("10.20.1.99",), metadata=OWNED), wire("old", metadata=OWNED))
    before = zone_records_of(fake)
    result, failed = run(run_module, ACR, purge=True, return_zone_records=True, _ansible_check_mode=True)
    assert not failed and result["changed"] and fake.writes == []
    assert zone_records_of(fake) == before
    assert [(r["name"], r["values"]) for r in result["zone_records"] if r["type"] == "A"] == [
        ("acrprivnetdemo", ["10.20.1.4"]), ("acrprivnetdemo.eastus.data", ["10.20.1.6"]),
        ("acrprivnetdemo.westeurope.data", ["10.20.1.5"])]


def test_zone_records_after_deleting(run_module, zone):
    fake = zone(*[wire(r["name"], values=r["values"], metadata=OWNED) for r in ACR])
    result, failed = run(run_module, [{"name": "acrprivnetdemo"}, {"name": "nothere"}], state="absent",
                         return_zone_records=True)
    assert not failed and result["changed"]
    assert result["zone_records"] == zone_records_of(fake)
    assert [r["name"] for r in result["zone_records"]] == ["@", "acrprivnetdemo.eastus.data",
                                                           "acrprivnetdemo.westeurope.data"]


def test_zone_records_after_a_412_hold_the_other_writers_value(run_module, zone):
    fake = zone(wire("acrprivnetdemo", values=("10.20.1.99",), metadata=OWNED, etag="e-read"))
    fake.conflicts.append(_someone_sets("acrprivnetdemo", values=("10.20.1.4",)))
    result, failed = run(run_module, [{"name": "acrprivnetdemo", "values": ["10.20.1.4"], "ttl": 3600}],
                         return_zone_records=True)
    assert not failed and fake.writes == []
    assert result["zone_records"] == zone_records_of(fake)


def test_zone_records_of_a_missing_zone_are_empty(run_module, zone):
    zone(exists=False)
    result, failed = run(run_module, [{"name": "acrprivnetdemo"}], state="absent", return_zone_records=True)
    assert not failed and result["zone_records"] == []


def test_idempotent_whatever_the_order_and_spelling(run_module, zone):
    fake = zone(wire("api", values=("10.0.0.2", "10.0.0.1")),
                wire("www", "CNAME", values=("API.privatelink.azurecr.io",)),
                wire("v6", "AAAA", values=("fd00:0:0:0:0:0:0:4",)),
                wire("mail", "MX", values=("10 Mail.example.com.",)))
    result, failed = run(run_module, [
        {"name": "API", "values": ["10.0.0.1", "10.0.0.2"]},
        {"name": "www", "type": "CNAME", "values": ["api.privatelink.azurecr.io."]},
        {"name": "v6", "type": "AAAA", "values": ["fd00::4"]},
        {"name": "mail", "type": "MX", "values": ["10 mail.example.com"]},
    ])
    assert (failed, result["changed"]) == (False, False)
    assert fake.writes == []
    # a listed set that already holds the values is not marked either (zero writes on a second run)
    assert [r["action"] for r in result["records"]] == ["unchanged"] * 4


def test_update_sends_the_etag_read_and_keeps_foreign_metadata(run_module, zone):
    fake = zone(wire("acrprivnetdemo", values=("10.20.1.99",), metadata={"owner": "team-a"}, etag="e-read"))
    result, failed = run(run_module, [{"name": "acrprivnetdemo", "values": ["10.20.1.4"], "ttl": 600}],
                         _ansible_diff=True)
    assert not failed and result["changed"]
    [(verb, kind, name, kwargs, body)] = fake.writes
    assert (verb, kind, name) == ("PUT", "A", "acrprivnetdemo")
    assert kwargs == {"If-Match": quoted("e-read")}
    assert body == {"properties": {"ttl": 600, "metadata": {"owner": "team-a", "managed_by": "privnet.azure"},
                                   "aRecords": [{"ipv4Address": "10.20.1.4"}]}}
    assert result["records"][0]["action"] == "updated"
    assert result["diff"] == {
        "before": {"A acrprivnetdemo": {"ttl": 3600, "values": ["10.20.1.99"], "metadata": {"owner": "team-a"}}},
        "after": {"A acrprivnetdemo": {"ttl": 600, "values": ["10.20.1.4"],
                                       "metadata": {"owner": "team-a", "managed_by": "privnet.azure"}}},
    }


def test_check_mode_predicts_and_writes_nothing(run_module, zone):
    fake = zone(wire("acrprivnetdemo", values=("10.20.1.99",), metadata=OWNED), wire("old", metadata=OWNED))
    result, failed = run(run_module, ACR, purge=True, _ansible_check_mode=True, _ansible_diff=True)
    assert not failed and result["changed"]
    assert fake.writes == []
    assert [(r["name"], r["action"]) for r in result["records"]] == [
        ("acrprivnetdemo", "updated"), ("acrprivnetdemo.westeurope.data", "created"),
        ("acrprivnetdemo.eastus.data", "created"), ("old", "deleted")]
    assert result["records"][0]["values"] == ["10.20.1.4"]
    assert result["records"][1]["fqdn"] == "acrprivnetdemo.westeurope.data.privatelink.azurecr.io."
    assert set(result["diff"]["before"]) == {"A acrprivnetdemo", "A old"}
    assert set(result["diff"]["after"]) == {"A acrprivnetdemo", "A acrprivnetdemo.westeurope.data",
                                            "A acrprivnetdemo.eastus.data"}


def test_check_mode_on_a_zone_not_created_yet_warns(run_module, zone):
    fake = zone(exists=False)
    result, failed = run(run_module, ACR, _ansible_check_mode=True)
    assert not failed and result["changed"]
    assert [r["action"] for r in result["records"]] == ["created"] * 3
    assert "does not exist (yet)" in warnings_of(result)[0]
    assert fake.writes == []


def test_missing_zone_fails(run_module, zone):
    fake = zone(exists=False)
    result, failed = run(run_module, ACR)
    assert failed
    assert result["msg"].startswith("private DNS zone 'privatelink.azurecr.io' (resource group 'rg-dns') was not found")
    assert fake.writes == []


def test_absent_on_a_missing_zone_is_no_change(run_module, zone):
    fake = zone(exists=False)
    result, failed = run(run_module, [{"name": "acrprivnetdemo"}], state="absent")
    assert (failed, result["changed"]) == (False, False)
    assert result["records"][0]["action"] == "unchanged"
    assert warnings_of(result) == []


PREDICTED = [{"name": "acrprivnetdemo", "values": ["(known after apply)"]}]  # members_to_records of a predicted endpoint


def test_an_address_known_after_apply_is_predicted_in_check_mode(run_module, zone):
    fake = zone()
    result, failed = run(run_module, PREDICTED, _ansible_check_mode=True)
    assert (failed, result["changed"]) == (False, True), result.get("msg")
    assert result["records"] == [{"name": "acrprivnetdemo", "type": "A", "ttl": 3600,
                                  "values": ["(known after apply)"], "action": "created",
                                  "fqdn": "acrprivnetdemo.privatelink.azurecr.io."}]
    assert fake.writes == []


def test_an_address_known_after_apply_is_refused_outside_check_mode(run_module, zone):
    fake = zone()
    result, failed = run(run_module, [{"name": "x", "values": ["10.0.0.1"]}] + PREDICTED)
    assert failed
    assert result["msg"] == ("records[1].values: '(known after apply)' stands for an address Azure gives when the "
                             "private endpoint is created (check mode predicts it); give the address")
    assert fake.calls == [] and fake.writes == []


def test_known_after_apply_is_no_aaaa_value_even_in_check_mode(run_module, zone):
    fake = zone()
    result, failed = run(run_module, [{"name": "a", "type": "AAAA", "values": ["(known after apply)"]}],
                         _ansible_check_mode=True)
    assert failed
    assert result["msg"].startswith("records[0].values[0]: '(known after apply)' is not an IPv6 address")
    assert fake.calls == []


# ---- purge and delete ---------------------------------------------------------------------------------


def test_purge_removes_only_marked_unlisted_sets_never_soa(run_module, zone):
    fake = zone(wire("acrprivnetdemo", metadata=OWNED),
                wire("stale", metadata=OWNED, etag="e-stale"),
                wire("stale", "TXT", values=("x",), metadata={"Managed_By": "PrivNet.Azure"}, etag="e-txt"),
                wire("zonegroup", values=("10.20.1.9",)),                       # written by a DNS zone group
                wire("vm1", metadata={"managed_by": "someone-else"}))
    result, failed = run(run_module, [{"name": "acrprivnetdemo", "values": ["10.20.1.4"]}], purge=True)
    assert not failed and result["changed"]
    assert sorted((verb, kind, name) for verb, kind, name, _kw, _b in fake.writes) == [
        ("DELETE", "A", "stale"), ("DELETE", "TXT", "stale")]
    assert {kw["If-Match"] for _v, _k, _n, kw, _b in fake.writes} == {quoted("e-stale"), quoted("e-txt")}
    assert ("@", "SOA") in fake.sets and ("zonegroup", "A") in fake.sets and ("vm1", "A") in fake.sets
    assert [(r["name"], r["type"], r["action"]) for r in result["records"]] == [
        ("acrprivnetdemo", "A", "unchanged"), ("stale", "A", "deleted"), ("stale", "TXT", "deleted")]


def test_purge_never_touches_soa_even_if_someone_marked_it(run_module, zone):
    fake = zone()
    fake.sets[("@", "SOA")]["properties"]["metadata"] = dict(OWNED)
    result, failed = run(run_module, [], purge=True)
    assert (failed, result["changed"]) == (False, False)
    assert fake.writes == []


def test_purge_with_an_empty_list_removes_every_marked_set(run_module, zone):
    fake = zone(wire("a", metadata=OWNED), wire("b"))
    result, failed = run(run_module, [], purge=True)
    assert not failed and result["changed"]
    assert [(v, n) for v, _k, n, _kw, _b in fake.writes] == [("DELETE", "a")]


def test_absent_deletes_listed_sets_whoever_wrote_them(run_module, zone):
    fake = zone(wire("acrprivnetdemo.eastus.data", etag="e-1"), wire("acrprivnetdemo", metadata=OWNED))
    result, failed = run(run_module, [{"name": "acrprivnetdemo.eastus.data"}, {"name": "gone", "type": "TXT"}],
                         state="absent")
    assert not failed and result["changed"]
    [(verb, kind, name, kwargs, _body)] = fake.writes
    assert (verb, kind, name) == ("DELETE", "A", "acrprivnetdemo.eastus.data")
    assert kwargs == {"If-Match": quoted("e-1")}
    assert [r["action"] for r in result["records"]] == ["deleted", "unchanged"]
    assert result["records"][0]["values"] == ["10.20.1.4"]


def test_a_cname_may_replace_an_a_set_that_purge_deletes_first(run_module, zone):
    fake = zone(wire("www", metadata=OWNED))
    result, failed = run(run_module, [{"name": "www", "type": "CNAME", "values": ["api.privatelink.azurecr.io"]}],
                         purge=True)
    assert not failed and result["changed"]
    assert [(v, k, n) for v, k, n, _kw, _b in fake.writes] == [("DELETE", "A", "www"), ("PUT", "CNAME", "www")]


def test_a_cname_next_to_a_foreign_a_set_is_refused_before_writing(run_module, zone):
    fake = zone(wire("www"))
    result, failed = run(run_module, [{"name": "www", "type": "CNAME", "values": ["api.privatelink.azurecr.io"]},
                                      {"name": "other", "values": ["10.0.0.1"]}], purge=True)
    assert failed
    assert result["msg"].startswith("records[0]: a CNAME record set cannot share the name 'www' with A record sets")
    assert fake.writes == []


# ---- concurrent changes (412) --------------------------------------------------------------------------


def _someone_sets(name, kind="A", values=("10.20.1.77",), metadata="owned", etag="e-theirs"):
    metadata = OWNED if metadata == "owned" else metadata

    def interfere(fake):
        fake.sets[(name.lower(), kind)] = wire(name, kind, values=values, metadata=metadata, etag=etag)
        return True
    return interfere


def test_412_on_update_reads_again_and_retries_with_the_new_etag(run_module, zone):
    fake = zone(wire("acrprivnetdemo", values=("10.20.1.99",), metadata=OWNED, etag="e-read"))
    fake.conflicts.append(_someone_sets("acrprivnetdemo"))
    result, failed = run(run_module, [{"name": "acrprivnetdemo", "values": ["10.20.1.4"]}], _ansible_diff=True)
    assert not failed and result["changed"]
    [(verb, _kind, _name, kwargs, _body)] = fake.writes
    assert kwargs == {"If-Match": quoted("e-theirs")}
    assert [m for m, _id in fake.reads] == ["LIST", "GET"]
    assert "was changed by someone else after it was read" in warnings_of(result)[0]
    # the diff shows what was really overwritten: their change, not the stale read
    assert result["diff"]["before"]["A acrprivnetdemo"]["values"] == ["10.20.1.77"]
    assert result["records"][0]["values"] == ["10.20.1.4"]


def test_412_when_the_other_writer_already_did_it_changes_nothing_more(run_module, zone):
    fake = zone(wire("acrprivnetdemo", values=("10.20.1.99",), metadata=OWNED, etag="e-read"))
    fake.conflicts.append(_someone_sets("acrprivnetdemo", values=("10.20.1.4",)))
    result, failed = run(run_module, [{"name": "acrprivnetdemo", "values": ["10.20.1.4"]}])
    assert not failed
    assert fake.writes == []
    assert result["records"][0]["action"] == "unchanged"
    assert result["changed"] is False
    assert "now needs no change" in warnings_of(result)[0]


def test_412_twice_fails_naming_the_record_set(run_module, zone):
    fake = zone(wire("acrprivnetdemo", values=("10.20.1.99",), metadata=OWNED, etag="e-read"),
                wire("later", values=("10.0.0.1",), metadata=OWNED))
    fake.conflicts += [_someone_sets("acrprivnetdemo", values=("10.20.1.77",), etag="e-2"),
                       _someone_sets("acrprivnetdemo", values=("10.20.1.78",), etag="e-3")]
    result, failed = run(run_module, [{"name": "acrprivnetdemo", "values": ["10.20.1.4"]},
                                      {"name": "later", "values": ["10.0.0.2"]}])
    assert failed
    assert result["msg"].startswith("record set 'acrprivnetdemo' (A) in private DNS zone 'privatelink.azurecr.io' "
                                    "(resource group 'rg-dns') was changed by someone else again")
    assert "nothing of theirs was overwritten" in result["msg"]
    assert fake.writes == []                                # not theirs, and not the next record either
    assert fake.sets[("acrprivnetdemo", "A")]["properties"]["aRecords"] == [{"ipv4Address": "10.20.1.78"}]


def test_412_on_create_turns_into_a_conditional_update(run_module, zone):
    fake = zone()
    fake.conflicts.append(_someone_sets("acrprivnetdemo", metadata=None))
    result, failed = run(run_module, [{"name": "acrprivnetdemo", "values": ["10.20.1.4"]}])
    assert not failed and result["changed"]
    [(_verb, _kind, _name, kwargs, body)] = fake.writes
    assert kwargs == {"If-Match": quoted("e-theirs")}
    assert body["properties"]["metadata"] == OWNED
    assert result["records"][0]["action"] == "updated"


def test_412_on_purge_of_a_set_someone_took_over_leaves_it(run_module, zone):
    fake = zone(wire("stale", metadata=OWNED))
    fake.conflicts.append(_someone_sets("stale", metadata={"owner": "team-b"}))
    result, failed = run(run_module, [], purge=True)
    assert not failed
    assert fake.writes == []
    assert ("stale", "A") in fake.sets
    assert result["records"][0]["action"] == "unchanged"
    assert result["changed"] is False


def test_other_azure_errors_are_reported_with_code_and_message(run_module, zone):
    fake = zone()
    fake.put_error = arm_error(400, "BadRequest", "The record set is invalid.")
    result, failed = run(run_module, ACR[:1])
    assert failed
    assert result["msg"] == ("creating record set 'acrprivnetdemo' (A) in private DNS zone 'privatelink.azurecr.io' "
                             "(resource group 'rg-dns'): BadRequest: The record set is invalid.")
    assert result["azure_error"]["status_code"] == 400


# ---- validation, before any call ------------------------------------------------------------------------


@pytest.mark.parametrize("args,message", [
    (dict(zone="azurecr"), "zone: 'azurecr' needs at least two labels"),
    (dict(zone="bad zone.io"), "zone: 'bad zone.io' is not a valid DNS zone name"),
    (dict(resource_group="rg/dns"), "resource_group: 'rg/dns' is not a valid resource group name"),
    (dict(records=[{"name": "a", "values": ["10.0.0.1"]}, {"name": "A", "values": ["10.0.0.2"]}]),
     "records[1]: the A record set 'A' is already listed as records[0]"),
    (dict(records=[{"name": "a", "values": ["10.0.0.1"], "ttl": 0}]),
     "records[0].ttl: 0 is out of range; a TTL is 1 to 2147483647 seconds"),
    (dict(records=[{"name": "a", "values": ["10.0.0.1"], "ttl": 2147483648}]),
     "records[0].ttl: 2147483648 is out of range"),
    (dict(records=[{"name": "a", "values": ["10.0.0.256"]}]), "records[0].values[0]: '10.0.0.256' is not an IPv4"),
    (dict(records=[{"name": "a", "values": ["10.0.0.1", "10.0.0.01"]}]),
     "records[0].values[1]: '10.0.0.01' is not an IPv4"),
    (dict(records=[{"name": "a", "values": ["10.0.0.1", " 10.0.0.1"]}]),
     "records[0].values: ' 10.0.0.1' is listed twice"),
    (dict(records=[{"name": "a", "type": "AAAA", "values": ["10.0.0.1"]}]), "records[0].values[0]: '10.0.0.1' is not an IPv6"),
    (dict(records=[{"name": "a", "type": "CNAME", "values": ["x.example.com", "y.example.com"]}]),
     "records[0].values: a CNAME record set holds exactly one host name, got 2"),
    (dict(records=[{"name": "a", "type": "CNAME", "values": ["not a host"]}]),
     "records[0].values[0]: 'not a host' is not a valid host name"),
    (dict(records=[{"name": "a", "type": "MX", "values": ["mail.example.com"]}]),
     "records[0].values[0]: 'mail.example.com' must be written as '<preference> <mail server>"),
    (dict(records=[{"name": "a", "type": "SRV", "values": ["0 5 70000 sip.example.com"]}]),
     "records[0].values[0]: port '70000' must be a whole number from 0 to 65535"),
    (dict(records=[{"name": "a", "type": "TXT", "values": ["x" * 1025]}]), "the limit is 1024"),
    (dict(records=[{"name": "a"}]), "records[0].values: at least one value is required for a A record set"),
    (dict(records=[{"name": "acr.privatelink.azurecr.io", "values": ["10.0.0.1"]}]),
     "records[0].name: 'acr.privatelink.azurecr.io' ends with the zone name privatelink.azurecr.io; record names "
     "are relative to the zone, so write 'acr'"),
    (dict(records=[{"name": "privatelink.azurecr.io", "values": ["10.0.0.1"]}]), "use '@' for the zone apex"),
    (dict(records=[{"name": "acr.", "values": ["10.0.0.1"]}]), "records[0].name: 'acr.' ends with a dot"),
    (dict(records=[{"name": "a..b", "values": ["10.0.0.1"]}]), "records[0].name: 'a..b' is not a valid record name"),
    (dict(records=[{"name": "a.*", "values": ["10.0.0.1"]}]), "records[0].name: 'a.*' is not a valid record name"),
    (dict(records=[{"name": ".".join(["x" * 63] * 3 + ["y" * 40]), "values": ["10.0.0.1"]}]),
     "longer than 253 characters"),
    (dict(records=[{"name": "a", "type": "SOA", "values": ["x"]}]), "value of type must be one of: A, AAAA, CNAME"),
    (dict(state="absent", purge=True, records=[{"name": "a"}]), "purge: only with state=present"),
])
def test_bad_input_fails_before_any_call(run_module, zone, args, message):
    fake = zone()
    params = dict(BASE, records=[{"name": "a", "values": ["10.0.0.1"]}])
    params.update(args)
    result, failed = run_module(private_dns_records.main, params)
    assert failed
    assert message in result["msg"]
    assert fake.calls == []


def test_wildcard_and_apex_names_are_accepted(run_module, zone):
    fake = zone()
    result, failed = run(run_module, [{"name": "*", "values": ["10.0.0.1"]}, {"name": "*.api", "values": ["10.0.0.2"]},
                                      {"name": "@", "values": ["10.0.0.3"]}])
    assert not failed and result["changed"]
    assert [n for _v, _k, n, _kw, _b in fake.writes] == ["*", "*.api", "@"]
    assert result["records"][2]["fqdn"] == "privatelink.azurecr.io."


# ---- on the wire: the real ArmResources pipeline against a local HTTPS stub --------------------------------------------------


def dns_stub_handler(state):
    """A tiny Private DNS stand-in: list ALL, PUT and DELETE record sets, honouring If-Match /
    If-None-Match like ARM (412), recording each request's method, path and conditional headers."""
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        def _send(self, status, body=None, headers=None):
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _record(self):
            path = self.path.split("?")[0]
            state["requests"].append((self.command, path, self.headers.get("If-Match"),
                                      self.headers.get("If-None-Match")))
            return path

        def do_GET(self):  # pylint: disable=invalid-name
            path = self._record()
            if path == "/metadata/endpoints":
                base = f"https://127.0.0.1:{self.server.server_address[1]}/"
                return self._send(200, [{"name": "Stub", "resourceManager": base,
                                         "authentication": {"loginEndpoint": base,
                                                            "audiences": ["https://management.core.windows.net/"]}}])
            if path.lower() == f"{ZONE_ID}/all".lower():
                return self._send(200, {"value": list(state["sets"].values())})
            return self._send(404, {"error": {"code": "NotFound", "message": "not found"}})

        def _check(self, key):
            current = state["sets"].get(key)
            if_match, if_none = self.headers.get("If-Match"), self.headers.get("If-None-Match")
            if if_match and (current is None or if_match.strip('"') != current["etag"]):
                return False
            if if_none == "*" and current is not None:
                return False
            return True

        def do_PUT(self):  # pylint: disable=invalid-name
            path = self._record()
            kind, name = path.split("/")[-2:]
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if not self._check((name, kind)):
                return self._send(412, {"error": {"code": "PreconditionFailed", "message": "etag mismatch"}})
            stored = wire(name, kind, values=(), ttl=body["properties"]["ttl"],
                          metadata=body["properties"].get("metadata"), etag=f"etag-{len(state['requests'])}")
            stored["properties"].update({k: v for k, v in body["properties"].items() if k in RECORD_KEYS.values()})
            created = (name, kind) not in state["sets"]
            state["sets"][(name, kind)] = stored
            return self._send(201 if created else 200, stored, {"ETag": stored["etag"]})

        def do_DELETE(self):  # pylint: disable=invalid-name
            path = self._record()
            kind, name = path.split("/")[-2:]
            if not self._check((name, kind)):
                return self._send(412, {"error": {"code": "PreconditionFailed", "message": "etag mismatch"}})
            state["sets"].pop((name, kind), None)
            return self._send(200)

        def log_message(self, *args):  # pylint: disable=arguments-differ
            pass

    return Handler


def test_conditional_headers_on_the_wire(run_module, tmp_path, monkeypatch):
    """The real ArmResources pipeline and HTTP: one list GET; If-None-Match: * to create, If-Match: "<etag read>" to update
    and delete; then a second run reads once and writes nothing."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.setattr(AzureModule, "credential", StaticCredential())
    state = {"requests": [], "sets": {
        ("@", "SOA"): soa(),
        ("acrprivnetdemo", "A"): wire("acrprivnetdemo", values=("10.20.1.99",), metadata=OWNED, etag="e-acr"),
        ("stale", "A"): wire("stale", metadata=OWNED, etag="e-stale"),
    }}
    with TLSServer(tmp_path, dns_stub_handler(state)) as server:
        args = dict(BASE, ca_bundle=server.ca_pem, purge=True, records=ACR[:2],
                    cloud_environment=f"{server.url}/metadata/endpoints?api-version=2022-09-01")
        first, failed = run_module(private_dns_records.main, args)
        assert not failed, first.get("msg")
        arm = [r for r in state["requests"] if r[1] != "/metadata/endpoints"]
        assert [(m, p.rsplit("/", 2)[-2] + "/" + p.rsplit("/", 1)[-1], im, inm) for m, p, im, inm in arm] == [
            ("GET", f"{ZONE}/ALL", None, None),
            ("DELETE", "A/stale", '"e-stale"', None),
            ("PUT", "A/acrprivnetdemo", '"e-acr"', None),
            ("PUT", "A/acrprivnetdemo.westeurope.data", None, "*"),
        ]
        state["requests"].clear()
        second, failed = run_module(private_dns_records.main, args)
        assert (failed, second["changed"]) == (False, False)
        assert [r[0] for r in state["requests"] if r[1] != "/metadata/endpoints"] == ["GET"]
    assert [r["action"] for r in first["records"]] == ["updated", "created", "deleted"]
    assert ("@", "SOA") in state["sets"]


def test_a_stale_etag_gets_a_412_on_the_wire_and_is_replaced_by_the_fresh_one(run_module, tmp_path, monkeypatch):
    """Someone writes between the module's list and its PUT: the stub answers 412 to the stale If-Match,
    the module GETs the set again and retries with the new etag."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.setattr(AzureModule, "credential", StaticCredential())
    state = {"requests": [], "sets": {("acrprivnetdemo", "A"): wire("acrprivnetdemo", values=("10.20.1.99",),
                                                                    metadata=OWNED, etag="e-old")}}
    handler = dns_stub_handler(state)
    original_get = handler.do_GET

    def get_one(self):
        path = self.path.split("?")[0]
        if path.endswith("/A/acrprivnetdemo"):
            state["requests"].append(("GET", path, None, None))
            return self._send(200, state["sets"][("acrprivnetdemo", "A")])
        original_get(self)
        if path.lower().endswith("/all"):   # someone writes right after the module's read
            state["sets"][("acrprivnetdemo", "A")] = wire("acrprivnetdemo", values=("10.20.1.77",),
                                                          metadata=OWNED, etag="e-new")
        return None

    handler.do_GET = get_one
    with TLSServer(tmp_path, handler) as server:
        args = dict(BASE, ca_bundle=server.ca_pem, records=ACR[:1],
                    cloud_environment=f"{server.url}/metadata/endpoints?api-version=2022-09-01")
        result, failed = run_module(private_dns_records.main, args)
    assert not failed, result.get("msg")
    writes = [(m, im) for m, p, im, _inm in state["requests"] if m == "PUT"]
    assert writes == [("PUT", '"e-old"'), ("PUT", '"e-new"')]
    assert state["sets"][("acrprivnetdemo", "A")]["properties"]["aRecords"] == [{"ipv4Address": "10.20.1.4"}]
    assert "changed by someone else" in warnings_of(result)[0]
