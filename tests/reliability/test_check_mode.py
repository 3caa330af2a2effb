"""Part 4: check mode over every role. From the role's starting estate, `--check` makes zero ARM
writes and predicts, task by task (and loop item by loop item, host by host), the `changed` the
real run then reports; after the real run, `--check` predicts no change and still writes nothing.

The per-task outcome is read from the default callback's lines (`TASK [...]`, then `ok:`,
`changed:`, `skipping:` per host and loop item), which is what an operator reads.
"""

import os
import re

import pytest

import reliability_lib as lib

_TASK = re.compile(r"^TASK \[(?P<name>.*)\] \**$")
_RESULT = re.compile(r"^(?P<status>ok|changed|skipping|failed|fatal): \[(?P<host>[^\]]+)\]"
                     r"(?: => \(item=(?P<item>.*?)\))?(?:\s|$)")

ROLES = {
    "acr_private_link": dict(scenario="acr", playbook="acr_private_link.yml", vars="acr_private_link.demo.yml",
                             hosts=["acrprivnetdemo"]),
    "vnet_hub_spoke": dict(scenario="hub_spoke", playbook="hub_spoke.yml", vars="hub_spoke.example.yml",
                           hosts=["spoke1", "spoke2", "spoke3"]),
    "subnet_service_endpoints": dict(scenario="acr", playbook="service_endpoints.yml",
                                     vars="service_endpoints.example.yml", hosts=["vnet-app"]),
}


def outcomes(stdout):
    """{(task, host, item): status} from the default callback's output."""
    task = None
    found = {}
    for line in stdout.splitlines():
        match = _TASK.match(line)
        if match:
            task = match.group("name")
            continue
        match = _RESULT.match(line)
        if match and task is not None:
            status = "failed" if match.group("status") == "fatal" else match.group("status")
            found[(task, match.group("host"), match.group("item"))] = status
    return found


def changed_tasks(found):
    return sorted(f"{task} [{host}]" + (f" item={item}" if item else "") for (task, host, item), status in found.items()
                  if status == "changed")


def role_args(emulator, spec, *extra):
    args = ["ansible-playbook", "-i", lib.DEMO_INVENTORY, os.path.join(lib.REPO, "playbooks", spec["playbook"]),
            "-e", "@" + os.path.join(lib.REPO, "playbooks", "vars", spec["vars"])]
    if spec["playbook"] == "acr_private_link.yml":
        args += ["-e", f"acr_private_link_dns_resolver={lib.vnet_resolver(emulator)}"]
    return args + list(extra)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_check_mode_predicts_the_real_run(emulator, role, suite):
    spec = ROLES[role]
    lib.fresh(emulator, spec["scenario"])

    mark = lib.last_seq(emulator)
    check = lib.run(emulator, role_args(emulator, spec, "--check"))
    check_writes = lib.writes(emulator, mark)
    predicted = outcomes(check.stdout)

    real = lib.run(emulator, role_args(emulator, spec))
    actual = outcomes(real.stdout)

    mark = lib.last_seq(emulator)
    recheck = lib.run(emulator, role_args(emulator, spec, "--check"))
    recheck_writes = lib.writes(emulator, mark)
    repredicted = outcomes(recheck.stdout)

    mismatches = sorted(f"{task} [{host}]" + (f" item={item}" if item else "")
                        + f": check mode said {predicted.get(key, 'nothing')}, the run said {actual.get(key, 'nothing')}"
                        for key in set(predicted) | set(actual)
                        for task, host, item in [key]
                        if predicted.get(key) != actual.get(key))
    lib.record(suite, "check_mode", role, ok=not (mismatches or check_writes or recheck_writes) and check.rc == real.rc == 0,
               tasks=len(actual), changed=len(changed_tasks(actual)), predicted_changed=len(changed_tasks(predicted)),
               check_writes=len(check_writes), recheck_writes=len(recheck_writes),
               recheck_changed=len(changed_tasks(repredicted)), mismatches=mismatches,
               seconds=round(check.seconds + real.seconds + recheck.seconds, 1))

    assert check.rc == 0, check.describe()
    assert real.rc == 0, real.describe()
    assert recheck.rc == 0, recheck.describe()
    assert not check_writes, [(e["method"], e["path"]) for e in check_writes]
    assert not recheck_writes, [(e["method"], e["path"]) for e in recheck_writes]
    assert changed_tasks(actual), "the real run changed nothing: the role's starting estate is wrong"
    for host in spec["hosts"]:
        assert any(key[1] == host for key in actual), f"no result for host {host}"
    assert not mismatches, "check mode mispredicted:\n" + "\n".join(mismatches)
    assert not changed_tasks(repredicted), f"after the run, check mode still predicts changes: {changed_tasks(repredicted)}"


def _delete_record_set(emulator, record_set_id):
    """Delete a record set through ARM, as a colleague with the Azure CLI would."""
    from azure.identity import ClientSecretCredential
    from azure.mgmt.privatedns import PrivateDnsManagementClient

    env = emulator.env
    parts = record_set_id.strip("/").split("/")
    credential = ClientSecretCredential(env["AZURE_TENANT"], env["AZURE_CLIENT_ID"], env["AZURE_SECRET"],
                                        authority=env["PRIVNET_EMULATOR_URL"], disable_instance_discovery=True,
                                        connection_verify=env["REQUESTS_CA_BUNDLE"])
    client = PrivateDnsManagementClient(credential, parts[1], base_url=env["PRIVNET_EMULATOR_URL"],
                                        credential_scopes=["https://management.core.windows.net//.default"],
                                        connection_verify=env["REQUESTS_CA_BUNDLE"])
    client.record_sets.delete(parts[3], parts[7], parts[8], parts[9])


def test_check_mode_after_drift_predicts_the_fix_and_does_not_fail(emulator, suite):
    """Issue 14: after drift (public access turned on by hand, one A record changed, one deleted),
    `--check --diff` predicts the fix and exits 0 (verification reports what it sees, it does not fail
    on the state the real run would fix); the real run then does what was predicted."""
    spec = ROLES["acr_private_link"]
    lib.fresh(emulator, spec["scenario"])
    first = lib.run(emulator, role_args(emulator, spec))
    assert first.rc == 0, first.describe()

    sub = emulator.env["AZURE_SUBSCRIPTION_ID"]
    zone = f"/subscriptions/{sub}/resourceGroups/rg-network/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io"
    emulator.control.drift(f"/subscriptions/{sub}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/"
                           "registries/acrprivnetdemo", properties={"publicNetworkAccess": "Enabled"})
    emulator.control.drift(f"{zone}/A/acrprivnetdemo", properties={"aRecords": [{"ipv4Address": "10.99.0.9"}]})
    _delete_record_set(emulator, f"{zone}/A/acrprivnetdemo.westeurope.data")

    mark = lib.last_seq(emulator)
    check = lib.run(emulator, role_args(emulator, spec, "--check", "--diff"))
    check_writes = lib.writes(emulator, mark)
    predicted = outcomes(check.stdout)
    real = lib.run(emulator, role_args(emulator, spec))
    actual = outcomes(real.stdout)
    mismatches = sorted(f"{key}: check said {predicted.get(key)}, run said {actual.get(key)}"
                        for key in set(predicted) | set(actual) if predicted.get(key) != actual.get(key))
    lib.record(suite, "check_mode", "acr_private_link after drift",
               ok=check.rc == 0 and real.rc == 0 and not check_writes and not mismatches,
               tasks=len(actual), changed=len(changed_tasks(actual)), predicted_changed=len(changed_tasks(predicted)),
               check_writes=len(check_writes), recheck_writes=0, recheck_changed=0, mismatches=mismatches,
               seconds=round(first.seconds + check.seconds + real.seconds, 1))

    assert check.rc == 0, check.describe()
    assert not check_writes, [(e["method"], e["path"]) for e in check_writes]
    assert "10.99.0.9" in check.stdout  # the diff shows the drifted record's value before the fix
    assert '"public_network_access": "Enabled"' in check.stdout
    assert real.rc == 0, real.describe()
    changed = changed_tasks(actual)
    assert any("7/9 A records" in task for task in changed), changed
    assert any("8/9 public network access off" in task for task in changed), changed
    assert not mismatches, "check mode mispredicted:\n" + "\n".join(mismatches)
