"""Issue 15's end-to-end run: playbooks/private_link.yml puts a storage account (blob and file), a key vault and a
SQL server behind Private Link from the emulator's `targets` estate (one inventory host each, as the demo inventory
gives them), a second run writes nothing, each name resolves to its endpoint's private IP from inside the VNet and to
a public address from a VNet without the zones, and the teardown playbook leaves no endpoint, NIC, record or link."""

import ipaddress
import os
import re

import dns.message
import dns.query
import dns.rdatatype
import pytest

from conftest import REPO, arm_writes, run_playbook

PLAYBOOK = os.path.join(REPO, "playbooks", "private_link.yml")
TEARDOWN = os.path.join(REPO, "playbooks", "private_link_teardown.yml")
INVENTORY = os.path.join(REPO, "playbooks", "inventory", "demo.yml")
VARS = os.path.join(REPO, "playbooks", "vars", "private_link.example.yml")
# Public names, as Microsoft Learn private-endpoint-dns.md lists them for Azure commercial.
NAMES = {
    "stprivnetdemo.blob.core.windows.net": "blob",
    "stprivnetdemo.file.core.windows.net": "file",
    "kv-privnet-demo.vault.azure.net": "vault",
    "sql-privnet-demo.database.windows.net": "sqlServer",
}
# The emulator's public view answers from a documentation range (203.0.113.0/24, emulator/README.md); "private" below
# means inside the estate's RFC 1918 space, where every endpoint address is.
PRIVATE = ipaddress.ip_network("10.0.0.0/8")
# A VNet where no privatelink zone is linked: what a client outside the private network gets.
OUTSIDE = {
    "resource_groups": [{"name": "rg-outside", "location": "westeurope"}],
    "virtual_networks": [{"name": "vnet-outside", "resource_group": "rg-outside", "location": "westeurope",
                          "address_prefixes": ["10.99.0.0/16"],
                          "subnets": [{"name": "snet-a", "address_prefix": "10.99.1.0/24"}]}],
}


def listener(emulator, vnet):
    found = next(item for item in emulator.control.dns() if item["vnet_id"].lower().endswith(f"/virtualnetworks/{vnet}"))
    return found["address"], found["port"]


def resolve(emulator, vnet, name):
    """The A addresses a VM in ``vnet`` gets for ``name`` (CNAMEs followed by the listener, as Azure DNS does)."""
    address, port = listener(emulator, vnet)
    answer = dns.query.udp(dns.message.make_query(name, "A"), address, port=port, timeout=5)
    return sorted(item.address for rrset in answer.answer if rrset.rdtype == dns.rdatatype.A for item in rrset)


def endpoint_ips(emulator):
    """{group id: private IP} of every private endpoint NIC the emulator holds."""
    out = {}
    for res in emulator.control.state()["resources"]:
        if "/networkinterfaces/" in res["id"].lower():
            for config in (res["body"].get("properties") or {}).get("ipConfigurations") or []:
                link = config["properties"].get("privateLinkConnectionProperties")
                if link:
                    out[link["groupId"]] = config["properties"]["privateIPAddress"]
    return out


def left(emulator, pattern):
    return sorted(r["id"] for r in emulator.control.state()["resources"] if re.search(pattern, r["id"].lower()))


@pytest.fixture
def estate(emulator):
    emulator.control.reset()
    emulator.control.scenario("targets")
    emulator.control.scenario(OUTSIDE)
    return emulator


def test_storage_key_vault_and_sql_behind_private_link(estate):
    emulator = estate
    address, port = listener(emulator, "vnet-app")
    args = ["-i", INVENTORY, "-e", f"@{VARS}", "-e", f"private_link_dns_resolver={address}:{port}"]

    run_playbook(emulator, PLAYBOOK, args)

    ips = endpoint_ips(emulator)
    assert sorted(ips) == ["blob", "file", "sqlServer", "vault"], ips
    for name, group in NAMES.items():
        assert resolve(emulator, "vnet-app", name) == [ips[group]], name
        outside = resolve(emulator, "vnet-outside", name)
        assert outside and not any(ipaddress.ip_address(a) in PRIVATE for a in outside), (name, outside)

    mark = emulator.control.summary()["last_seq"]
    again = run_playbook(emulator, PLAYBOOK, args)
    assert arm_writes(emulator, mark) == []
    recap = [line for line in again.stdout.splitlines() if " : ok=" in line]
    assert len(recap) == 3 and all(" changed=0 " in line for line in recap), recap

    mark = emulator.control.summary()["last_seq"]
    run_playbook(emulator, TEARDOWN, args)
    # Reads: each host its own endpoints (zone group mode: no network interface needed); the virtual network's other
    # endpoints listed once, by the first host, leaving out the play's own, so no network interface is read at all.
    gets = [e["path"].lower() for e in emulator.control.log(since=mark) if e["kind"] == "arm" and e["method"] == "GET"]
    assert [p for p in gets if "/networkinterfaces/" in p] == [], gets
    assert len([p for p in gets if p.endswith("/providers/microsoft.network/privateendpoints")]) == 1, gets
    assert endpoint_ips(emulator) == {}
    assert left(emulator, r"/privateendpoints/") == []
    assert left(emulator, r"/privatednszones/privatelink\.[^/]+/(a|cname|virtualnetworklinks)/") == []
    assert left(emulator, r"/privateendpointconnections/") == []
    for name in NAMES:
        assert not any(ipaddress.ip_address(a) in PRIVATE for a in resolve(emulator, "vnet-app", name)), name
