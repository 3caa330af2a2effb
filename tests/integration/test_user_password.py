"""A user sign-in with a user name and password (AWX's Azure credential for a user: AZURE_AD_USER and
AZURE_PASSWORD, no service principal). The collection signs in through the Azure CLI's public client with the
ROPC grant (module_utils/_auth.py; the emulator's grant: identity.py, after Microsoft identity platform's
v2-oauth-ropc.md). A wrong password fails the task with Entra ID's AADSTS50126 and writes nothing, and the password
is never shown, not even at -vvv.

MSAL asks https://<authority hostname>/common/userrealm/... without the authority's port first
(msal/authority.py), so this module runs its own emulator on port 443 of a loopback address of its own
(RunningEmulator.on_port_443); where that port cannot be bound, the module is skipped.
"""

import os
import subprocess
import sys

import pytest

from conftest import HERE, arm_writes, playbook_env, result_of
from privnet_emulator.testing import RunningEmulator

PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Disable the network policies for private endpoints
      privnet.azure.subnet_network_policies:
        resource_group: rg-network
        virtual_network: vnet-app
        name: snet-workload
        private_endpoint_network_policies: Disabled
      register: policies
    - name: Show it
      ansible.builtin.debug:
        msg: "RESULT {{ policies | to_json }}"
"""


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    try:
        emu = RunningEmulator.on_port_443(str(tmp_path_factory.mktemp("emulator443")))
    except OSError as err:
        pytest.skip(f"MSAL's user realm discovery needs the emulator on port 443, which cannot be bound: {err}")
    yield emu
    emu.stop()


def user_env(emulator, password=None, tenant=True):
    """Only what AWX's credential for a user injects, plus the cloud and the CA bundle: no AZURE_CLIENT_ID,
    AZURE_SECRET or azure-identity variables."""
    env = playbook_env(emulator)
    for name in [k for k in env if k.startswith("AZURE_")]:
        del env[name]
    env.update({"AZURE_SUBSCRIPTION_ID": emulator.env["AZURE_SUBSCRIPTION_ID"],
                "AZURE_AD_USER": emulator.env["PRIVNET_EMULATOR_USER"],
                "AZURE_PASSWORD": password or emulator.env["PRIVNET_EMULATOR_USER_PASSWORD"],
                "AZURE_CLOUD_ENVIRONMENT": emulator.env["AZURE_CLOUD_ENVIRONMENT"],
                "REQUESTS_CA_BUNDLE": emulator.env["REQUESTS_CA_BUNDLE"]})
    if tenant:
        env["AZURE_TENANT"] = emulator.env["AZURE_TENANT"]
    return env


def play(emulator, playbook, env, *args):
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", playbook, *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=HERE, timeout=900, check=False)


def test_user_sign_in_changes_then_is_idempotent(emulator, tmp_path):
    emulator.control.reset()
    emulator.control.scenario("acr")
    playbook = tmp_path / "policies.yml"
    playbook.write_text(PLAY)
    password = emulator.env["PRIVNET_EMULATOR_USER_PASSWORD"]

    mark = emulator.control.summary()["last_seq"]
    first = play(emulator, str(playbook), user_env(emulator), "-vvv")
    assert first.returncode == 0, first.stdout[-5000:] + first.stderr[-3000:]
    assert result_of(first.stdout)["changed"] is True
    assert [m for m, _p in arm_writes(emulator, mark)] == ["PUT"]
    assert password not in first.stdout and password not in first.stderr
    # The token ARM took was the user's, from the password grant of the Azure CLI's public client.
    grants = [e for e in emulator.control.log(since=mark) if e["kind"] == "token"]
    assert [e["status"] for e in grants] == [200]

    mark = emulator.control.summary()["last_seq"]
    second = play(emulator, str(playbook), user_env(emulator, tenant=False))   # `organizations`: the user's tenant
    assert second.returncode == 0, second.stdout[-5000:] + second.stderr[-3000:]
    assert result_of(second.stdout)["changed"] is False
    assert arm_writes(emulator, mark) == []


def test_wrong_password_fails_with_aadsts50126_and_writes_nothing(emulator, tmp_path):
    emulator.control.reset()
    emulator.control.scenario("acr")
    playbook = tmp_path / "policies.yml"
    playbook.write_text(PLAY)
    wrong = "Wrong-Passw0rd-4-test"

    mark = emulator.control.summary()["last_seq"]
    refused = play(emulator, str(playbook), user_env(emulator, password=wrong), "-vvv")
    assert refused.returncode != 0
    failed = next(line for line in refused.stdout.splitlines() if '"msg":' in line and "AADSTS" in line)
    assert "AADSTS50126" in failed, refused.stdout[-3000:]
    assert arm_writes(emulator, mark) == []
    assert [e["status"] for e in emulator.control.log(since=mark) if e["kind"] == "token"] == [400]
    assert wrong not in refused.stdout and wrong not in refused.stderr
