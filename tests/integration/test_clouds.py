"""Sovereign clouds end to end: playbooks/acr_private_link.yml against an emulator posing as each cloud.

The emulator runs with `cloud=` (its `--cloud` option): the registry's login server is `<reg>.azurecr.io`,
`.azurecr.us` (Azure Government) or `.azurecr.cn` (Azure China), and the built-in `acr` scenario's regions follow
the cloud (westeurope/eastus, usgovvirginia/usgovtexas, chinanorth3/chinaeast2). The playbook runs with the demo
inventory and vars, as scripts/demo does, plus the VNet's DNS listener as the resolver; nothing else differs per
cloud, since the role takes the zone from the registry's login server (privnet.azure.privatelink_zone).

Checked per cloud: rc 0; the zone created is the cloud's (privatelink.azurecr.io / .us / .cn) and no other; it
holds an A record for the registry and for each data endpoint (home region and replica) with the endpoint's
addresses; the verification step found nothing; a second run writes nothing; the teardown playbook then removes
the records, the zone's link and the endpoint (absent.yml finds the same zone from the endpoint's names).
"""

import os
import re

import pytest

from conftest import REPO, arm_writes, run_playbook
from privnet_emulator.testing import RunningEmulator

PLAYBOOK = os.path.join(REPO, "playbooks", "acr_private_link.yml")
TEARDOWN = os.path.join(REPO, "playbooks", "acr_private_link_teardown.yml")
DEMO_INVENTORY = os.path.join(REPO, "playbooks", "inventory", "demo.yml")
DEMO_VARS = os.path.join(REPO, "playbooks", "vars", "acr_private_link.demo.yml")
REG = "acrprivnetdemo"
# cloud -> (its registry zone, home region, replica region) as the emulator's acr scenario has them
CLOUDS = {
    "AzureCloud": ("privatelink.azurecr.io", "westeurope", "eastus"),
    "AzureUSGovernment": ("privatelink.azurecr.us", "usgovvirginia", "usgovtexas"),
    "AzureChinaCloud": ("privatelink.azurecr.cn", "chinanorth3", "chinaeast2"),
}


@pytest.fixture(scope="module", params=list(CLOUDS))
def cloud_emulator(request, tmp_path_factory):
    emu = RunningEmulator(str(tmp_path_factory.mktemp(f"emulator-{request.param}")), cloud=request.param)
    yield request.param, emu
    emu.stop()


def resolver(emulator):
    listener = next(item for item in emulator.control.dns()
                    if item["vnet_id"].lower().endswith("/virtualnetworks/vnet-app"))
    return f"{listener['address']}:{listener['port']}"


def resources(emulator, marker):
    return {r["id"]: r["body"] for r in emulator.control.state()["resources"] if marker in r["id"].lower()}


def test_acr_private_link_in_each_cloud(cloud_emulator):
    cloud, emulator = cloud_emulator
    zone, home, replica = CLOUDS[cloud]
    emulator.control.reset()
    emulator.control.scenario("acr")
    args = ["-i", DEMO_INVENTORY, "-e", f"@{DEMO_VARS}", "-e", f"acr_private_link_dns_resolver={resolver(emulator)}"]

    first = run_playbook(emulator, PLAYBOOK, args)
    assert first.returncode == 0

    # The zone is the cloud's, and the only Private DNS zone there is.
    zones = [rid.rsplit("/", 1)[1] for rid in resources(emulator, "/privatednszones/")
             if rid.lower().split("/privatednszones/", 1)[1].count("/") == 0]
    assert zones == [zone], zones

    # One A record per endpoint member, holding the address the endpoint's NIC gave it.
    nics = [body for rid, body in resources(emulator, "/networkinterfaces/").items()
            if "/networkinterfaces/pe-acrprivnetdemo.nic." in rid.lower()]
    assert len(nics) == 1, nics
    addresses = {c["properties"]["privateLinkConnectionProperties"]["requiredMemberName"]:
                 c["properties"]["privateIPAddress"] for c in nics[0]["properties"]["ipConfigurations"]}
    records = {rid.rsplit("/", 1)[1]: [a["ipv4Address"] for a in body["properties"].get("aRecords") or []]
               for rid, body in resources(emulator, f"/privatednszones/{zone}/a/").items()}
    assert records == {REG: [addresses["registry"]],
                       f"{REG}.{home}.data": [addresses[f"registry_data_{home}"]],
                       f"{REG}.{replica}.data": [addresses[f"registry_data_{replica}"]]}, (records, addresses)

    # The verification (step 9) found nothing, and the summary names the cloud's zone.
    summary = re.search(rf"{REG}: endpoint pe-{REG} \((\w+)\),\s+zone (\S+),\s+(\d+) name\(s\), (\d+) finding\(s\)",
                        first.stdout)
    assert summary, first.stdout[-4000:]
    assert summary.groups() == ("Approved", zone, "3", "0"), summary.group(0)
    suffix = zone[len("privatelink."):]
    for fqdn in (f"{REG}.{suffix}", f"{REG}.{home}.data.{suffix}", f"{REG}.{replica}.data.{suffix}"):
        assert f"{fqdn} -> " in first.stdout, first.stdout[-4000:]

    # A second run converges without a write.
    mark = emulator.control.summary()["last_seq"]
    second = run_playbook(emulator, PLAYBOOK, args)
    assert arm_writes(emulator, mark) == []
    assert re.search(rf"^{REG}\s+: ok=\d+\s+changed=0\s", second.stdout, re.M), second.stdout[-3000:]

    # The teardown (absent.yml) finds the same zone from the endpoint's member names: records, link, endpoint go.
    run_playbook(emulator, TEARDOWN, ["-i", DEMO_INVENTORY, "-e", f"@{DEMO_VARS}"])
    assert resources(emulator, f"/privatednszones/{zone}/a/") == {}
    assert resources(emulator, f"/privatednszones/{zone}/virtualnetworklinks/") == {}
    assert resources(emulator, "/privateendpoints/") == {}
