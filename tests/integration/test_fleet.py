"""A fleet in one play: playbooks/acr_private_link.yml over several registries (one inventory host
each, forks running them at once) writes each shared resource once. The subnet's policies, the zone
and its link are done by the first host of the play that names them; every other host skips those
steps, so forks do not race to write the same subnet and zone. A host naming another subnet does
that subnet's step itself. A second run writes nothing.
"""

import os
import re

import yaml

from conftest import REPO, arm_writes, run_playbook

REGISTRIES = ["acrfleet01", "acrfleet02", "acrfleet03", "acrfleet04"]
# acrfleet04's endpoint goes in another subnet of the same VNet (whose policies apply NSGs to
# endpoints): that subnet's step is its own, the zone link is still shared.
OTHER_SUBNET = {"acr_private_link_subnet": "snet-vm", "acr_private_link_subnet_policies": "NetworkSecurityGroupEnabled"}
PLAYBOOK = os.path.join(REPO, "playbooks", "acr_private_link.yml")


def estate():
    return {"registries": [{"name": name, "resource_group": "rg-acr", "location": "westeurope", "sku": "Premium",
                            "replicas": []} for name in REGISTRIES]}


def inventory(tmp_path):
    hosts = {name: {"acr_private_link_registry_name": name, "acr_private_link_registry_resource_group": "rg-acr",
                    "acr_private_link_virtual_network": "vnet-app",
                    "acr_private_link_virtual_network_resource_group": "rg-network",
                    "acr_private_link_subnet": "snet-workload", "acr_private_link_verify": False}
             for name in REGISTRIES}
    hosts["acrfleet04"].update(OTHER_SUBNET)
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump({"all": {"children": {"acr_private_links": {"hosts": hosts}}}}))
    return str(path)


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


def count(found, method, suffix):
    return len([1 for m, p in found if m == method and p.endswith(suffix)])


def test_a_fleet_writes_each_shared_resource_once(emulator, tmp_path):
    emulator.control.reset()
    emulator.control.scenario("acr")
    emulator.control.scenario(estate())
    inv = inventory(tmp_path)
    mark = emulator.control.summary()["last_seq"]
    first = run_playbook(emulator, PLAYBOOK, ["-i", inv, "-f", str(len(REGISTRIES))])
    found = arm_writes(emulator, mark)

    assert count(found, "PUT", "/subnets/snet-workload") == 1, found
    assert count(found, "PUT", "/subnets/snet-vm") == 1, found
    assert count(found, "PUT", "/privatednszones/privatelink.azurecr.io") == 1, found
    assert count(found, "PUT", "/privatednszones/privatelink.azurecr.io/virtualnetworklinks/vnet-app-link") == 1, found
    for name in REGISTRIES:
        assert count(found, "PUT", f"/privateendpoints/pe-{name}") == 1, found
        # The registry's name and its home region's data endpoint; no replica.
        assert count(found, "PUT", f"/privatednszones/privatelink.azurecr.io/a/{name}") == 1, found
        assert count(found, "PUT", f"/privatednszones/privatelink.azurecr.io/a/{name}.westeurope.data") == 1, found
        assert count(found, "PATCH", f"/registries/{name}") == 1, found
    assert len(found) == 4 + 4 * 4, found
    # Each shared step ran on the first host naming it and was skipped on the others.
    assert statuses(first.stdout, "2/9 private endpoint network policies") == {
        "acrfleet01": "changed", "acrfleet02": "skipping", "acrfleet03": "skipping", "acrfleet04": "changed"}
    assert statuses(first.stdout, "3/9 zone linked to") == {
        "acrfleet01": "changed", "acrfleet02": "skipping", "acrfleet03": "skipping", "acrfleet04": "skipping"}

    mark = emulator.control.summary()["last_seq"]
    second = run_playbook(emulator, PLAYBOOK, ["-i", inv, "-f", str(len(REGISTRIES))])
    assert arm_writes(emulator, mark) == []
    recap = re.findall(r"^(acrfleet\d+)\s+: ok=\d+\s+changed=(\d+)", second.stdout, re.M)
    assert sorted(recap) == [(name, "0") for name in REGISTRIES], second.stdout[-3000:]
