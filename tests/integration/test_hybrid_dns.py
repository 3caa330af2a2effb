"""Issue 20's end-to-end run, real modules over HTTPS against the emulator's `hybrid_dns` estate: playbooks/hybrid_dns.yml
(the privnet.azure.hybrid_dns role, one inventory host for the hub) creates the hub's DNS Private Resolver with its
inbound and outbound endpoints, a forwarding ruleset sending corp.contoso.example. to the on-premises DNS server,
linked to the hub and both spokes, and points spoke2 (whose VM-hosted server forwards to Azure DNS from an unlinked
VNet) at the inbound endpoint. Then: an on-premises client asking the inbound endpoint gets the registry's private
IP; spoke1 resolves the on-premises zone through the ruleset; spoke2 gets the registry's private IP; a second run
writes nothing; a check-mode run from the empty estate writes nothing and reports what it can only predict; bad input
fails before any write; the teardown removes the ruleset and the resolver and gives spoke2 Azure-provided DNS."""

import json
import os

import dns.message
import dns.query
import dns.rdatatype
import pytest

from conftest import REPO, arm_writes, result_of, run_playbook

PLAYBOOKS = os.path.join(REPO, "playbooks")
PLAYBOOK = os.path.join(PLAYBOOKS, "hybrid_dns.yml")
ARGS = ["-i", os.path.join(PLAYBOOKS, "inventory", "hybrid_dns.yml"),
        "-e", "@" + os.path.join(PLAYBOOKS, "vars", "hybrid_dns.example.yml")]
REGISTRY = "acrhybriddemo.azurecr.io"
RESOLVER = "/providers/microsoft.network/dnsresolvers/dnspr-vnet-hub"
RULESET = "/providers/microsoft.network/dnsforwardingrulesets/dnsfrs-vnet-hub"

WITH_RESULT = """
- name: The playbook as users run it
  ansible.builtin.import_playbook: {playbook}

- name: Print the role's result
  hosts: dns_hubs
  connection: local
  gather_facts: false
  tasks:
    - name: Result
      ansible.builtin.debug:
        msg: "RESULT {{{{ hybrid_dns_result | to_json }}}}"
"""


@pytest.fixture
def hybrid(emulator):
    emulator.control.reset()
    emulator.control.scenario("hybrid_dns")
    return emulator


def run(emulator, tmp_path, extra=(), check=True):
    play = tmp_path / "with_result.yml"
    play.write_text(WITH_RESULT.format(playbook=PLAYBOOK))
    return run_playbook(emulator, str(play), ARGS + list(extra), check=check)


def query(address, port, name):
    answer = dns.query.udp(dns.message.make_query(name, "A"), address, port=port, timeout=5)
    return sorted(item.address for rrset in answer.answer if rrset.rdtype == dns.rdatatype.A for item in rrset)


def from_vnet(emulator, vnet, name):
    """What a VM in ``vnet`` gets (the emulator's listener of that VNet)."""
    found = next(i for i in emulator.control.dns() if i["vnet_id"].lower().endswith(f"/virtualnetworks/{vnet}"))
    return query(found["address"], found["port"], name)


def from_onprem(emulator, server_ip, name):
    """What an on-premises client using the DNS server at ``server_ip`` gets."""
    found = next(s for s in emulator.control.dns_server_listeners() if s["ip_address"] == server_ip)
    return query(found["address"], found["port"], name)


def endpoint_ip(emulator):
    for res in emulator.control.state()["resources"]:
        rid = res["id"].lower()
        if "/networkinterfaces/" in rid and "pe-acrhybriddemo" in rid:
            return res["body"]["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
    raise AssertionError("the registry's private endpoint has no network interface")


def resource(emulator, suffix):
    found = [r for r in emulator.control.state()["resources"] if r["id"].lower().endswith(suffix.lower())]
    return found[0]["body"] if found else None


def recap(proc):
    return [line for line in proc.stdout.splitlines() if " : ok=" in line]


def test_converges_resolves_from_onprem_and_spokes_then_writes_nothing(hybrid, tmp_path):
    emulator = hybrid
    private_ip = endpoint_ip(emulator)
    # Before: spoke2's VM-hosted server answers as Azure DNS for spoke2, not linked to the zone: not the private IP.
    assert from_vnet(emulator, "vnet-spoke2", REGISTRY) != [private_ip]

    result = result_of(run(emulator, tmp_path).stdout)
    assert result["state"] == "present" and result["changed"] is True and result["predicted"] == []
    assert result["inbound_ip_addresses"] == ["10.60.0.4"], result
    assert result["privatelink_zones"] == ["privatelink.azurecr.io"]
    assert result["forwarder_zones"] == ["azurecr.io"]
    assert result["ruleset_id"].lower().endswith(RULESET)
    assert sorted(v.rsplit("/", 1)[1] for v in result["linked_virtual_networks"]) == [
        "vnet-hub", "vnet-spoke1", "vnet-spoke2"]
    assert [(v["name"], v["dns_servers"]) for v in result["dns_servers_set"]] == [("vnet-spoke2", ["10.60.0.4"])]
    rule = resource(emulator, RULESET + "/forwardingrules/corp-contoso-example")["properties"]
    assert rule["domainName"] == "corp.contoso.example." and rule["targetDnsServers"][0]["ipAddress"] == "192.168.10.4"

    # On-premises conditional forwarders point at the inbound endpoint: the registry's private IP.
    assert from_onprem(emulator, "10.60.0.4", REGISTRY) == [private_ip]
    # Spoke1 (Azure-provided DNS, linked to the ruleset) resolves the on-premises zone.
    assert from_vnet(emulator, "vnet-spoke1", "app.corp.contoso.example") == ["192.168.20.10"]
    # Spoke2 now asks the inbound endpoint: the registry's private IP, and the on-premises zone (hub's link).
    assert from_vnet(emulator, "vnet-spoke2", REGISTRY) == [private_ip]
    assert from_vnet(emulator, "vnet-spoke2", "app.corp.contoso.example") == ["192.168.20.10"]

    # A second run: zero writes, nothing changed.
    mark = emulator.control.summary()["last_seq"]
    again = run(emulator, tmp_path)
    assert arm_writes(emulator, mark) == []
    assert recap(again) and all(" changed=0 " in line for line in recap(again)), recap(again)
    assert result_of(again.stdout)["changed"] is False

    # Teardown: spoke2 back to Azure-provided DNS, the ruleset (links first), then the resolver.
    mark = emulator.control.summary()["last_seq"]
    gone = result_of(run(emulator, tmp_path, ["-e", "hybrid_dns_state=absent"]).stdout)
    assert gone["state"] == "absent" and gone["changed"] is True
    deletes = [path for method, path in arm_writes(emulator, mark) if method == "DELETE"]
    assert deletes and deletes[-1].endswith(RESOLVER), deletes
    assert resource(emulator, RULESET) is None and resource(emulator, RESOLVER) is None
    spoke2 = resource(emulator, "/virtualnetworks/vnet-spoke2")
    assert spoke2["properties"].get("dhcpOptions", {}).get("dnsServers", []) == []


def test_check_mode_from_the_empty_estate_writes_nothing_and_names_what_it_predicts(hybrid, tmp_path):
    emulator = hybrid
    mark = emulator.control.summary()["last_seq"]
    proc = run(emulator, tmp_path, ["--check", "--diff"])
    assert arm_writes(emulator, mark) == []
    assert recap(proc) and all(" failed=0 " in line for line in recap(proc)), recap(proc)
    result = result_of(proc.stdout)
    assert result["check_mode"] is True and result["changed"] is True
    # The ruleset is predicted by dns_forwarding_ruleset (with its warning): the id it would have.
    assert result["inbound_ip_addresses"] == []
    assert result["ruleset_id"].endswith("/providers/Microsoft.Network/dnsForwardingRulesets/dnsfrs-vnet-hub")
    assert "a real run fails unless it exists by then" in " ".join((proc.stdout + proc.stderr).split()), proc.stderr
    assert len(result["predicted"]) == 2, result["predicted"]
    assert "forwarding ruleset dnsfrs-vnet-hub: predicted" in result["predicted"][0]
    assert "DNS servers of vnet-spoke2: predicted" in result["predicted"][1]


@pytest.mark.parametrize("extra, message", [
    ({"hybrid_dns_forwarding_rules": [{"domain": "corp.contoso.example", "targets": ["192.168.10.4"]}]},
     "hybrid_dns_forwarding_rules[0].domain: 'corp.contoso.example' has no trailing dot"),
    ({"hybrid_dns_forwarding_rules": [{"domain": "corp.contoso.example.", "targets": ["168.63.129.16"]}]},
     "168.63.129.16 (Azure DNS) cannot be a forwarding target"),
    ({"hybrid_dns_inbound_subnet": "snet-workload"}, "Microsoft.Network/dnsResolvers"),
    ({"hybrid_dns_spokes": [{"virtual_network": "vnet-hub", "resource_group": "rg-hybrid-network"}]},
     "hybrid_dns_spokes: list each spoke virtual network once"),
    ({"hybrid_dns_privatelink_zones": ["azurecr.io"]}, "hybrid_dns_privatelink_zones: azurecr.io is not a privatelink zone"),
])
def test_bad_input_fails_before_any_write(hybrid, tmp_path, extra, message):
    emulator = hybrid
    mark = emulator.control.summary()["last_seq"]
    proc = run(emulator, tmp_path, ["-e", json.dumps(extra)], check=False)
    out = " ".join(proc.stdout.split())
    assert proc.returncode != 0 and message in out, proc.stdout[-3000:]
    assert arm_writes(emulator, mark) == []
