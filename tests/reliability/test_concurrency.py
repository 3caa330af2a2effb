"""Part 6: two runs of the main procedure at once against the same estate converge, and no record
is lost: writes to the shared zone are guarded by etags, so a run never overwrites what the
other wrote in between.

* two registries, two ansible-playbook processes, one shared zone (privatelink.azurecr.io) and
  one shared link: every A record of both registries must be there, pointing at its endpoint;
* one registry from two processes at once: the estate a single run leaves, nothing duplicated.

Both run with the emulator's realistic operation times (scaled down), so that the runs' long
operations overlap and each run meets the other's (AnotherOperationInProgress, etag changes).
"""

import os

import pytest
import yaml

import reliability_lib as lib

SECOND = {"registries": [{"name": "acrsecond", "resource_group": "rg-acr", "location": "westeurope", "sku": "Premium",
                          "replicas": ["northeurope"]}]}
HOST_VARS = dict(acr_private_link_registry_resource_group="rg-acr", acr_private_link_virtual_network="vnet-app",
                 acr_private_link_virtual_network_resource_group="rg-network", acr_private_link_subnet="snet-workload")
TIME_SCALE = 0.1     # realistic operation times, a tenth of Azure's


def inventory(tmp_path, registries):
    hosts = {name: dict(HOST_VARS, acr_private_link_registry_name=name) for name in registries}
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"children": {"acr_private_links": {"hosts": hosts}}}}))
    return str(path)


def both(emulator, argvs):
    started = [lib.start(emulator, argv) for argv in argvs]
    return [lib.finish(s) for s in started]


def expected_records(state):
    """{record name: IP} that every endpoint's members call for (fqdn minus the public zone)."""
    want = {}
    for res in state["resources"]:
        if "/networkinterfaces/" not in res["id"].lower():
            continue
        for config in res["body"]["properties"].get("ipConfigurations", []):
            props = config["properties"]
            for fqdn in props.get("privateLinkConnectionProperties", {}).get("fqdns", []):
                want[fqdn[: -len(".azurecr.io")]] = props["privateIPAddress"]
    return want


def records(state):
    found = {}
    for res in state["resources"]:
        rid = res["id"]
        if "/privatednszones/privatelink.azurecr.io/a/" in rid.lower():
            found[rid.split("/")[-1]] = [r["ipv4Address"] for r in res["body"]["properties"].get("aRecords", [])]
    return found


def of_type(state, type_):
    return [r for r in state["resources"] if rid_type(r["id"]) == type_.lower()]


def rid_type(rid):
    parts = rid.split("/providers/")[-1].split("/")
    return "/".join(p for i, p in enumerate(parts) if i == 0 or i % 2 == 1).lower()


@pytest.fixture()
def realistic(emulator):
    emulator.control.config(latency="realistic", time_scale=TIME_SCALE)
    yield
    emulator.control.config(latency="instant", time_scale=1.0)


def conflict_summary(emulator):
    """The 409 and 412 answers the runs met (each one a collision with the other run), by request."""
    met = {}
    for e in emulator.control.log():
        if e["kind"] == "arm" and e["status"] in (409, 412):
            key = f"{e['status']} {e['method']} {lib.short_path(e['path'])}"
            met[key] = met.get(key, 0) + 1
    return met


def test_two_registries_share_a_zone(emulator, tmp_path, realistic, suite):
    two_registries_share_a_zone(emulator, tmp_path, suite, "two-registries-one-zone")


@pytest.mark.soak
@pytest.mark.parametrize("repeat", range(5))
def test_soak_two_registries_share_a_zone(emulator, tmp_path, realistic, suite, repeat):
    two_registries_share_a_zone(emulator, tmp_path, suite, f"two-registries-one-zone-{repeat}")


@pytest.mark.soak
@pytest.mark.parametrize("repeat", range(5))
def test_soak_one_registry_from_two_processes(emulator, baseline, realistic, suite, repeat):
    one_registry_from_two_processes(emulator, baseline, suite, f"one-registry-two-processes-{repeat}")


def two_registries_share_a_zone(emulator, tmp_path, suite, name):
    lib.fresh(emulator, "acr")
    emulator.control.scenario(SECOND)
    inv = inventory(tmp_path, ["acrprivnetdemo", "acrsecond"])
    argv = ["ansible-playbook", "-i", inv, os.path.join(lib.REPO, "playbooks", "acr_private_link.yml"),
            "-e", f"@{lib.ACR_VARS}", "-e", "acr_private_link_verify=false"]
    runs = both(emulator, [argv + ["-l", "acrprivnetdemo"], argv + ["-l", "acrsecond"]])
    state = emulator.control.state()
    want = expected_records(state)
    have = records(state)
    lost = sorted(name for name in want if name not in have)
    wrong = sorted(f"{name}: {have[name]} != [{ip}]" for name, ip in want.items() if name in have and have[name] != [ip])
    extra = sorted(name for name in have if name not in want and name != "@")
    conflicts = conflict_summary(emulator)
    lib.record(suite, "concurrency", name, ok=all(r.rc == 0 for r in runs) and not (lost or wrong or extra),
               rcs=[r.rc for r in runs], seconds=[round(r.seconds, 1) for r in runs], expected_records=len(want),
               records=len(have), lost=lost, wrong=wrong, extra=extra, conflicts_met=sum(conflicts.values()),
               conflicts=conflicts)
    for run in runs:
        assert run.rc == 0, run.describe()
    # 3 names per registry: the registry and one data endpoint per region (home and replica).
    assert len(want) == 6, want
    assert not lost, f"records lost: {lost}"
    assert not wrong, wrong
    assert not extra, extra
    assert len(of_type(state, "Microsoft.Network/privateDnsZones")) == 1
    assert len(of_type(state, "Microsoft.Network/privateDnsZones/virtualNetworkLinks")) == 1
    assert len(of_type(state, "Microsoft.Network/privateEndpoints")) == 2
    assert len(of_type(state, "Microsoft.Network/networkInterfaces")) == 2
    assert not state["operations"], state["operations"]
    assert all(r["provisioningState"] == "Succeeded" for r in state["resources"])


def test_one_registry_from_two_processes(emulator, baseline, realistic, suite):
    one_registry_from_two_processes(emulator, baseline, suite, "one-registry-two-processes")


def one_registry_from_two_processes(emulator, baseline, suite, name):
    lib.fresh(emulator, "acr")
    argv = lib.acr_playbook_args(emulator)
    runs = both(emulator, [argv, argv])
    emulator.control.advance(everything=True)
    difference = lib.state_difference(baseline["state"], lib.normalise(emulator.control.state()))
    conflicts = conflict_summary(emulator)
    lib.record(suite, "concurrency", name, ok=all(r.rc == 0 for r in runs) and not difference,
               rcs=[r.rc for r in runs], seconds=[round(r.seconds, 1) for r in runs], difference=difference[:500],
               conflicts_met=sum(conflicts.values()), conflicts=conflicts)
    for run in runs:
        assert run.rc == 0, run.describe()
    assert not difference, f"two simultaneous runs left a different estate than one run:\n{difference}"
