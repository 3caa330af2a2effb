"""A central privatelink zone in another subscription (the Cloud Adoption Framework keeps them in a
connectivity subscription): the ACR role writes the zone, its link to the spoke's virtual network (by
id, across subscriptions) and the records there, verifies them there, and a second run writes nothing.
"""

import os

from privnet_emulator import DEFAULT_SUBSCRIPTION, SECOND_SUBSCRIPTION

from conftest import REPO, arm_writes, run_playbook

PLAYBOOK = os.path.join(REPO, "playbooks", "acr_private_link.yml")
INVENTORY = os.path.join(REPO, "playbooks", "inventory", "demo.yml")
VARS = os.path.join(REPO, "playbooks", "vars", "acr_private_link.demo.yml")
ZONE = (f"/subscriptions/{SECOND_SUBSCRIPTION}/resourcegroups/rg-connectivity/providers/microsoft.network/"
        "privatednszones/privatelink.azurecr.io")


def test_a_central_zone_in_the_connectivity_subscription(emulator):
    emulator.control.reset()
    emulator.control.scenario("acr")
    emulator.control.scenario({"resource_groups": [{"name": "rg-connectivity", "location": "westeurope",
                                                    "subscription": SECOND_SUBSCRIPTION}]})
    args = ["-i", INVENTORY, "-e", f"@{VARS}",
            "-e", f"acr_private_link_zone_subscription_id={SECOND_SUBSCRIPTION}",
            "-e", "acr_private_link_zone_resource_group=rg-connectivity",
            "-e", f"acr_private_link_subscription_id={DEFAULT_SUBSCRIPTION}",
            # A zone shared in a landing zone: names it has no record for fall back to public resolution.
            "-e", "acr_private_link_zone_resolution_policy=NxDomainRedirect"]
    mark = emulator.control.summary()["last_seq"]
    first = run_playbook(emulator, PLAYBOOK, args)
    found = arm_writes(emulator, mark)
    assert ("PUT", ZONE) in found, found
    assert ("PUT", f"{ZONE}/virtualnetworklinks/vnet-app-link") in found, found
    for name in ("acrprivnetdemo", "acrprivnetdemo.westeurope.data", "acrprivnetdemo.eastus.data"):
        assert ("PUT", f"{ZONE}/a/{name}") in found, found
    # Nothing of the zone in the network's subscription.
    assert not [p for _m, p in found if "privatednszones" in p and DEFAULT_SUBSCRIPTION in p], found
    assert "0 finding(s)" in first.stdout, first.stdout[-3000:]
    [link] = [r for r in emulator.control.state()["resources"] if r["id"].lower() == f"{ZONE}/virtualnetworklinks/vnet-app-link"]
    assert link["body"]["properties"]["resolutionPolicy"] == "NxDomainRedirect"
    assert link["body"]["properties"]["virtualNetwork"]["id"].lower().startswith(f"/subscriptions/{DEFAULT_SUBSCRIPTION}/")

    mark = emulator.control.summary()["last_seq"]
    run_playbook(emulator, PLAYBOOK, args)
    assert arm_writes(emulator, mark) == []


def test_a_zone_in_another_subscription_needs_the_networks_subscription(emulator):
    emulator.control.reset()
    emulator.control.scenario("acr")
    mark = emulator.control.summary()["last_seq"]
    run = run_playbook(emulator, PLAYBOOK, ["-i", INVENTORY, "-e", f"@{VARS}",
                                            "-e", f"acr_private_link_zone_subscription_id={SECOND_SUBSCRIPTION}"],
                       check=False)
    assert run.returncode != 0
    assert "acr_private_link_zone_subscription_id is set, acr_private_link_subscription_id is not" in run.stdout
    assert arm_writes(emulator, mark) == []
