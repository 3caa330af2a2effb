# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.members_to_records import FilterModule, members_to_records
from ansible_collections.privnet.azure.plugins.module_utils._privatelink import KNOWN_AFTER_APPLY

ACR_MEMBERS = [
    {"group_id": "registry", "required_member_name": "registry", "private_ip": "10.20.1.4",
     "fqdns": ["acrprivnetdemo.azurecr.io"]},
    {"group_id": "registry", "required_member_name": "registry_data_westeurope", "private_ip": "10.20.1.5",
     "fqdns": ["acrprivnetdemo.westeurope.data.azurecr.io"]},
    {"group_id": "registry", "required_member_name": "registry_data_eastus", "private_ip": "10.20.1.6",
     "fqdns": ["acrprivnetdemo.eastus.data.azurecr.io"]},
]


def test_registry_members_become_three_a_records():
    assert members_to_records(ACR_MEMBERS, "privatelink.azurecr.io") == [
        {"name": "acrprivnetdemo", "type": "A", "ttl": 3600, "values": ["10.20.1.4"]},
        {"name": "acrprivnetdemo.westeurope.data", "type": "A", "ttl": 3600, "values": ["10.20.1.5"]},
        {"name": "acrprivnetdemo.eastus.data", "type": "A", "ttl": 3600, "values": ["10.20.1.6"]},
    ]


def test_registered_as_a_filter():
    assert FilterModule().filters()["members_to_records"] is members_to_records


@pytest.mark.parametrize("value", [
    {"members": ACR_MEMBERS},  # a private_endpoint result, or the module's whole result
    [{"name": "pe-acr", "members": ACR_MEMBERS}],  # private_endpoint_info's list
])
def test_endpoints_and_results_are_accepted(value):
    assert [r["name"] for r in members_to_records(value, "privatelink.azurecr.io", ttl=60)] == [
        "acrprivnetdemo", "acrprivnetdemo.westeurope.data", "acrprivnetdemo.eastus.data"]
    assert {r["ttl"] for r in members_to_records(value, "privatelink.azurecr.io", ttl=60)} == {60}


@pytest.mark.parametrize("zone,fqdn,name", [
    ("privatelink.blob.core.windows.net", "mystore.blob.core.windows.net", "mystore"),
    ("privatelink.blob.core.windows.net.", "MyStore.Blob.Core.Windows.Net.", "mystore"),
    ("privatelink.vaultcore.azure.net", "kv-app.vault.azure.net", "kv-app"),
    ("privatelink.vaultcore.azure.net", "kv-app.vaultcore.azure.net", "kv-app"),
    ("privatelink.azurecr.io", "acr.privatelink.azurecr.io", "acr"),
    ("privatelink.documents.azure.com", "cosmos-westeurope.documents.azure.com", "cosmos-westeurope"),
])
def test_generic_suffix_mapping(zone, fqdn, name):
    [record] = members_to_records([{"private_ip": "10.0.0.4", "fqdns": [fqdn]}], zone)
    assert record["name"] == name


def test_names_of_other_zones_are_left_out_unless_strict():
    members = [{"private_ip": "10.0.0.4", "fqdns": ["ampls.monitor.azure.com"]},
               {"private_ip": "10.0.0.5", "fqdns": ["ws1.oms.opinsights.azure.com"]}]
    assert members_to_records(members, "privatelink.monitor.azure.com") == [
        {"name": "ampls", "type": "A", "ttl": 3600, "values": ["10.0.0.4"]}]
    with pytest.raises(AnsibleFilterError, match="ws1.oms.opinsights.azure.com not in zone"):
        members_to_records(members, "privatelink.monitor.azure.com", strict=True)


def test_wrong_zone_is_an_error_not_an_empty_list():
    with pytest.raises(AnsibleFilterError, match="none of the members' names .* belongs to zone "
                                                 "privatelink.blob.core.windows.net"):
        members_to_records(ACR_MEMBERS, "privatelink.blob.core.windows.net")


def test_explicit_suffixes():
    members = [{"private_ip": "10.0.0.4", "fqdns": ["api.svc.example.com"]}]
    assert members_to_records(members, "privatelink.example.net", suffixes=["svc.example.com"])[0]["name"] == "api"
    assert members_to_records(members, "privatelink.example.net", suffixes="svc.example.com")[0]["name"] == "api"


def test_ipv6_gives_aaaa_and_duplicates_merge():
    members = [{"private_ip": "fd00::4", "fqdns": ["a.blob.core.windows.net"]},
               {"private_ip": "fd00::4", "fqdns": ["a.blob.core.windows.net"]}]
    assert members_to_records(members, "privatelink.blob.core.windows.net") == [
        {"name": "a", "type": "AAAA", "ttl": 3600, "values": ["fd00::4"]}]


def test_one_name_with_two_addresses_is_an_error():
    members = [{"private_ip": "10.0.0.4", "fqdns": ["a.blob.core.windows.net"]},
               {"private_ip": "10.1.0.4", "fqdns": ["a.blob.core.windows.net"]}]
    with pytest.raises(AnsibleFilterError, match="would get two addresses, 10.0.0.4 and 10.1.0.4"):
        members_to_records(members, "privatelink.blob.core.windows.net")


def test_members_without_address_and_empty_input():
    assert members_to_records([{"private_ip": None, "fqdns": ["a.azurecr.io"]}], "privatelink.azurecr.io") == []
    assert members_to_records([], "privatelink.azurecr.io") == []
    assert members_to_records({"members": []}, "privatelink.azurecr.io") == []


def test_a_predicted_member_gets_a_record_known_after_apply():
    # private_endpoint in check mode predicts members whose address Azure gives only on creation.
    assert KNOWN_AFTER_APPLY == "(known after apply)"
    members = [dict(m, private_ip=KNOWN_AFTER_APPLY) for m in ACR_MEMBERS[:2]] + [
        dict(ACR_MEMBERS[2], private_ip="")]  # still no address at all: skipped, as before
    assert members_to_records(members, "privatelink.azurecr.io") == [
        {"name": "acrprivnetdemo", "type": "A", "ttl": 3600, "values": ["(known after apply)"]},
        {"name": "acrprivnetdemo.westeurope.data", "type": "A", "ttl": 3600, "values": ["(known after apply)"]},
    ]


@pytest.mark.parametrize("args,message", [
    ((ACR_MEMBERS, "azurecr"), "is not a DNS zone name"),
    ((ACR_MEMBERS, "privatelink.azurecr.io", 0), "ttl 0 is out of range"),
    ((ACR_MEMBERS, "privatelink.azurecr.io", "soon"), "ttl 'soon' is not a number"),
    (("10.0.0.4", "privatelink.azurecr.io"), "expected a list of members, got str"),
    (({"id": "x"}, "privatelink.azurecr.io"), "dict without 'members'"),
    ((["x"], "privatelink.azurecr.io"), "a member must be a dict"),
    (([{"private_ip": "ten", "fqdns": ["a.azurecr.io"]}], "privatelink.azurecr.io"), "'ten', which is not an IP"),
])
def test_bad_input(args, message):
    with pytest.raises(AnsibleFilterError, match=message):
        members_to_records(*args)


def test_through_jinja_templating():
    """The filter as a playbook uses it, by its FQCN."""
    import os
    import subprocess
    import sys

    from ansible_collections.privnet.azure.plugins.filter import members_to_records as plugin

    # the directory that holds ansible_collections/privnet/azure, as this test imported it
    collections = plugin.__file__[:plugin.__file__.rindex(os.sep + "ansible_collections" + os.sep)]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_NOCOLOR="1")
    expr = ("{{ members | privnet.azure.members_to_records('privatelink.azurecr.io', ttl=300) "
            "| map(attribute='name') | join(',') }}")
    proc = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible"), "localhost", "-m", "ansible.builtin.debug",
         "-a", f"msg={expr}", "-e", '{"members": %s}' % __import__("json").dumps(ACR_MEMBERS)],
        capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "acrprivnetdemo,acrprivnetdemo.westeurope.data,acrprivnetdemo.eastus.data" in proc.stdout
