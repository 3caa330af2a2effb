"""ARM reads of the ACR procedure (issue 17), counted in the emulator's request log.

A no-op re-run of playbooks/acr_private_link.yml (defaults: records, verification, public access off) reads each
resource it manages once: the registry and its replications (step 1), the subnet (2), the zone and its links (3), the
endpoint and its network interface (4), the zone's record sets (7). Step 8 is skipped when step 1 shows nothing to
change, and step 9 verifies what steps 1-8 returned instead of reading it all again; only the virtual network is
read for it, for the DNS servers its VMs use (issue 20: no earlier step reads them), once per virtual network for the
whole play (virtual_network_info, by the first host naming it), not once per host.

A fleet's teardown reads, for each host, only its own endpoint, network interface and records; the virtual
network's endpoints are listed once (no network interface read), and the zone link they share is decided once,
by the first host naming it, not counting the endpoints the play tears down.
"""

import collections
import os
import re

import yaml

from conftest import REPO, arm_writes, run_playbook

PLAYBOOK = os.path.join(REPO, "playbooks", "acr_private_link.yml")
TEARDOWN = ["-e", "acr_private_link_state=absent"]
ZONE = "/resourcegroups/rg-network/providers/microsoft.network/privatednszones/privatelink.azurecr.io"
NET = "/resourcegroups/rg-network/providers/microsoft.network"
FLEET = ["acrreads01", "acrreads02", "acrreads03", "acrreads04"]
# acrreads04's endpoint goes in another subnet of the same VNet: its subnet step is its own, the zone link is shared.
OTHER_SUBNET = {"acr_private_link_subnet": "snet-vm", "acr_private_link_subnet_policies": "NetworkSecurityGroupEnabled"}
# An endpoint of someone else's, to acrreads01 from another VNet: never read one by one, and it stays.
OUTSIDER = """
- name: Another team's endpoint to acrreads01, from vnet-other
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Create it
      privnet.azure.private_endpoint:
        name: pe-outsider
        resource_group: rg-network
        virtual_network: vnet-other
        subnet: snet-other
        target_id: /subscriptions/{sub}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/acrreads01
"""


def host_vars(name, **extra):
    return dict({"acr_private_link_registry_name": name, "acr_private_link_registry_resource_group": "rg-acr",
                 "acr_private_link_virtual_network": "vnet-app",
                 "acr_private_link_virtual_network_resource_group": "rg-network",
                 "acr_private_link_subnet": "snet-workload"}, **extra)


def write_inventory(tmp_path, hosts):
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"children": {"acr_private_links": {"hosts": hosts}}}}))
    return str(path)


def is_poll(path):
    """An operation status read after a write (not a read of a resource)."""
    return "/operations/" in path or "/privatednsoperationstatuses/" in path or "/operationresults/" in path


def arm_reads(emulator, since):
    """Lower-cased paths of the ARM reads logged after ``since``, operation polls left out."""
    return [e["path"].lower().rstrip("/") for e in emulator.control.log(since=since)
            if e["kind"] == "arm" and not e["write"] and not is_poll(e["path"].lower())]


def nic_of(path, endpoint):
    return re.search(rf"/networkinterfaces/{endpoint}\.nic\.[^/]+$", path) is not None


def statuses(stdout, task_words):
    """{host: status} of the one task whose name contains ``task_words`` (default callback output)."""
    found, inside = {}, False
    for line in stdout.splitlines():
        if line.startswith("TASK ["):
            inside = task_words in line
        elif inside:
            match = re.match(r"^(ok|changed|skipping): \[([^\]]+)\]", line)
            if match:
                found[match.group(2)] = match.group(1)
    return found


def recap_changed(stdout):
    return dict(re.findall(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", stdout, re.M))


def test_a_no_op_rerun_reads_each_managed_resource_once(emulator, tmp_path):
    emulator.control.reset()
    emulator.control.scenario("acr")
    sub = emulator.env["AZURE_SUBSCRIPTION_ID"].lower()
    inv = write_inventory(tmp_path, {"acrprivnetdemo": host_vars("acrprivnetdemo")})
    run_playbook(emulator, PLAYBOOK, ["-i", inv])

    registry = f"/subscriptions/{sub}/resourcegroups/rg-acr/providers/microsoft.containerregistry/registries/acrprivnetdemo"
    expected = {
        "registry": registry,
        "replications": f"{registry}/replications",
        "subnet": f"/subscriptions/{sub}{NET}/virtualnetworks/vnet-app/subnets/snet-workload",
        "zone": f"/subscriptions/{sub}{ZONE}",
        "links": f"/subscriptions/{sub}{ZONE}/virtualnetworklinks",
        "endpoint": f"/subscriptions/{sub}{NET}/privateendpoints/pe-acrprivnetdemo",
        "records": f"/subscriptions/{sub}{ZONE}/all",
        # before step 9 (issue 20): the DNS servers VMs in vnet-app use, which no earlier step reads
        "vnet": f"/subscriptions/{sub}{NET}/virtualnetworks/vnet-app",
    }
    for args in ([], ["--check", "--diff"]):
        mark = emulator.control.summary()["last_seq"]
        rerun = run_playbook(emulator, PLAYBOOK, ["-i", inv, *args])
        reads = arm_reads(emulator, mark)
        assert arm_writes(emulator, mark) == [], args
        assert recap_changed(rerun.stdout) == {"acrprivnetdemo": "0"}, rerun.stdout[-3000:]
        # One read per resource: each path once, the network interface the only other one.
        counts = collections.Counter(reads)
        assert max(counts.values()) == 1, (args, counts)
        nics = [p for p in reads if nic_of(p, "pe-acrprivnetdemo")]
        assert len(nics) == 1, (args, reads)
        assert sorted(set(reads) - set(nics)) == sorted(expected.values()), (args, reads)
        assert len(reads) == 9, (args, reads)
        # The virtual network, by its exact path: once, by virtual_network_info (in check mode too), not by the check.
        assert counts[expected["vnet"]] == 1, (args, counts)
        assert statuses(rerun.stdout, "read the DNS servers once per virtual network: vnet-app") == {"acrprivnetdemo": "ok"}
        # Steps 8 and 9: nothing to close; verified reading only the virtual network (three names, no finding).
        assert statuses(rerun.stdout, "8/9 public network access off") == {"acrprivnetdemo": "skipping"}
        assert statuses(rerun.stdout, "9/9 verify") == {"acrprivnetdemo": "ok"}
        assert "3 name(s), 0 finding(s)" in rerun.stdout, rerun.stdout[-3000:]

    # Drift between runs is still fixed and verified: public access turned on, a record changed by hand.
    emulator.control.drift(f"/subscriptions/{sub}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/"
                           "registries/acrprivnetdemo", properties={"publicNetworkAccess": "Enabled"})
    emulator.control.drift(f"/subscriptions/{sub}{ZONE}/A/acrprivnetdemo",
                           properties={"aRecords": [{"ipv4Address": "10.20.9.9"}]})
    mark = emulator.control.summary()["last_seq"]
    fixed = run_playbook(emulator, PLAYBOOK, ["-i", inv, "-e", "acr_private_link_fail_on=warning"])
    writes = arm_writes(emulator, mark)
    assert sorted(m for m, _p in writes) == ["PATCH", "PUT"], writes
    assert [p for m, p in writes if m == "PUT"] == [f"/subscriptions/{sub}{ZONE}/a/acrprivnetdemo"]
    assert statuses(fixed.stdout, "8/9 public network access off") == {"acrprivnetdemo": "changed"}
    assert "3 name(s), 0 finding(s)" in fixed.stdout, fixed.stdout[-3000:]
    mark = emulator.control.summary()["last_seq"]
    run_playbook(emulator, PLAYBOOK, ["-i", inv])
    assert arm_writes(emulator, mark) == []
    assert len(arm_reads(emulator, mark)) == 9


def fleet_estate():
    return {"registries": [{"name": name, "resource_group": "rg-acr", "location": "westeurope", "sku": "Premium",
                            "replicas": []} for name in FLEET],
            "virtual_networks": [{"name": "vnet-other", "resource_group": "rg-network", "location": "westeurope",
                                  "address_prefixes": ["10.30.0.0/16"],
                                  "subnets": [{"name": "snet-other", "address_prefix": "10.30.1.0/24"}]}]}


def test_a_fleet_reads_its_own_resources_and_decides_the_shared_link_once(emulator, tmp_path):
    emulator.control.reset()
    emulator.control.scenario("acr")
    emulator.control.scenario(fleet_estate())
    sub = emulator.env["AZURE_SUBSCRIPTION_ID"].lower()
    hosts = {name: host_vars(name) for name in FLEET}
    hosts["acrreads04"].update(OTHER_SUBNET)
    inv = write_inventory(tmp_path, hosts)
    forks = ["-f", str(len(FLEET))]
    run_playbook(emulator, PLAYBOOK, ["-i", inv, *forks])
    outsider = tmp_path / "outsider.yml"
    outsider.write_text(OUTSIDER.format(sub=sub))
    run_playbook(emulator, str(outsider))
    endpoint = {name: f"/subscriptions/{sub}{NET}/privateendpoints/pe-{name}" for name in FLEET}

    # ---- a no-op re-run: each host reads its own resources; the shared zone and link once, by the first host
    mark = emulator.control.summary()["last_seq"]
    rerun = run_playbook(emulator, PLAYBOOK, ["-i", inv, *forks])
    assert arm_writes(emulator, mark) == []
    reads = arm_reads(emulator, mark)
    counts = collections.Counter(reads)
    assert counts[f"/subscriptions/{sub}{ZONE}"] == 1, counts
    assert counts[f"/subscriptions/{sub}{ZONE}/virtualnetworklinks"] == 1, counts
    assert counts[f"/subscriptions/{sub}{ZONE}/all"] == len(FLEET), counts
    # the DNS servers of vnet-app (issue 20) are read once for the whole play, by its first host, not by each host
    assert counts[f"/subscriptions/{sub}{NET}/virtualnetworks/vnet-app"] == 1, counts
    assert statuses(rerun.stdout, "read the DNS servers once per virtual network: vnet-app") == {
        "acrreads01": "ok", "acrreads02": "skipping", "acrreads03": "skipping", "acrreads04": "skipping"}
    for name in FLEET:
        assert counts[endpoint[name]] == 1, (name, counts)
        assert len([p for p in reads if nic_of(p, f"pe-{name}")]) == 1, (name, reads)
    assert not [p for p in reads if "pe-outsider" in p], reads
    # registry + replications + endpoint + NIC + records per host; two subnets; the zone and its links; the virtual
    # network
    assert len(reads) == 5 * len(FLEET) + 2 + 2 + 1, reads
    assert set(recap_changed(rerun.stdout).values()) == {"0"}, rerun.stdout[-3000:]
    # each verified (its registry's two names, no finding) without reading the zone again
    assert rerun.stdout.count("2 name(s), 0 finding(s)") == len(FLEET), rerun.stdout[-3000:]

    # ---- the teardown
    mark = emulator.control.summary()["last_seq"]
    down = run_playbook(emulator, PLAYBOOK, ["-i", inv, *forks, *TEARDOWN])
    reads = arm_reads(emulator, mark)
    writes = arm_writes(emulator, mark)
    counts = collections.Counter(reads)
    everything_of_subscription = f"/subscriptions/{sub}/providers/microsoft.network/privateendpoints"
    shared = {everything_of_subscription: 1,                       # listed once, for the one shared link
              f"/subscriptions/{sub}{ZONE}": 1,                     # the link decided once
              f"/subscriptions/{sub}{ZONE}/virtualnetworklinks": 1,
              f"/subscriptions/{sub}{ZONE}/all": len(FLEET)}        # each host's own records
    own = collections.Counter()
    for name in FLEET:
        # its endpoint (read for its members, then by the deletion) and its network interface, once
        assert counts[endpoint[name]] == 2, (name, counts)
        own[endpoint[name]] = 2
        nics = [p for p in reads if nic_of(p, f"pe-{name}")]
        assert len(nics) == 1, (name, reads)
        own[nics[0]] = 1
    assert not [p for p in reads if "pe-outsider" in p], reads   # in the list only: no NIC read, no GET
    assert counts == collections.Counter(shared) + own, counts
    assert len(reads) == 4 * len(FLEET) + 3, reads

    assert statuses(down.stdout, "3/4 list the endpoints, once per virtual network") == {
        "acrreads01": "ok", "acrreads02": "skipping", "acrreads03": "skipping", "acrreads04": "skipping"}
    assert statuses(down.stdout, "3/4 unlink the zone") == {
        "acrreads01": "changed", "acrreads02": "skipping", "acrreads03": "skipping", "acrreads04": "skipping"}
    deleted = sorted(p for m, p in writes if m == "DELETE")
    assert deleted == sorted([f"/subscriptions/{sub}{ZONE}/virtualnetworklinks/vnet-app-link"]
                             + [endpoint[name] for name in FLEET]
                             + [f"/subscriptions/{sub}{ZONE}/a/{name}" for name in FLEET]
                             + [f"/subscriptions/{sub}{ZONE}/a/{name}.westeurope.data" for name in FLEET]), writes
    assert len(writes) == len(deleted), writes

    # Nothing of the fleet is left behind; the outsider's endpoint, NIC and connection stay.
    ids = [r["id"].lower() for r in emulator.control.state()["resources"]]
    assert [i for i in ids if "/privateendpoints/" in i] == [f"/subscriptions/{sub}{NET}/privateendpoints/pe-outsider"]
    assert [i for i in ids if "/networkinterfaces/" in i and "pe-outsider.nic." not in i] == [], ids
    assert len([i for i in ids if "/networkinterfaces/pe-outsider.nic." in i]) == 1, ids
    assert [i for i in ids if i.startswith(f"/subscriptions/{sub}{ZONE}/a/")] == [], ids
    assert [i for i in ids if "/virtualnetworklinks/" in i] == [], ids
    connections = [i for i in ids if "/privateendpointconnections/" in i]
    assert len(connections) == 1 and "/registries/acrreads01/" in connections[0], connections

    # ---- the teardown again: nothing to do, nothing written; each host reads only its own (gone) endpoint
    mark = emulator.control.summary()["last_seq"]
    again = run_playbook(emulator, PLAYBOOK, ["-i", inv, *forks, *TEARDOWN])
    assert arm_writes(emulator, mark) == []
    assert collections.Counter(arm_reads(emulator, mark)) == collections.Counter({endpoint[name]: 2 for name in FLEET})
    assert set(recap_changed(again.stdout).values()) == {"0"}, again.stdout[-3000:]
