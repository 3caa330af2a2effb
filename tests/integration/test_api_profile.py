"""A cloud that lags behind Azure (issue 14): Azure Stack Hub's 2020-09-01-hybrid profile serves
Microsoft.Network at 2018-11-01 and has no private endpoints. The modules, with the api-versions they
send (_armjson.NETWORK_API and the others; the installed SDK's for vnet_peering), get ARM's refusal, reported
with the api-version named and why, never a traceback, and nothing is written.
"""

import re

import pytest

from privnet_emulator.testing import RunningEmulator

from conftest import run_playbook

PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Private endpoint network policies on a Stack Hub subnet
      privnet.azure.subnet_network_policies:
        resource_group: rg-network
        virtual_network: vnet-app
        name: snet-workload
        private_endpoint_network_policies: Disabled
"""


@pytest.fixture(scope="module")
def stack_hub(tmp_path_factory):
    emu = RunningEmulator(str(tmp_path_factory.mktemp("stack-hub")), api_profile="2020-09-01-hybrid")
    emu.control.scenario("acr")
    yield emu
    emu.stop()


def test_a_cloud_without_the_sdks_api_version_is_named(stack_hub, tmp_path):
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAY)
    mark = stack_hub.control.summary()["last_seq"]
    run = run_playbook(stack_hub, str(playbook), check=False)
    assert run.returncode != 0
    assert "NoRegisteredProviderFound" in run.stdout, run.stdout[-3000:]
    # The api-version is the one the module sent (_armjson.NETWORK_API), and it is the one ARM's message names.
    named = re.search(r"does not serve this request at api-version (\d{4}-\d{2}-\d{2})", run.stdout)
    assert named, run.stdout[-3000:]
    assert f"API version '{named.group(1)}'" in run.stdout
    assert "Azure Stack Hub's API profiles have no private endpoints" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert [e for e in stack_hub.control.log(since=mark) if e["kind"] == "arm" and e["write"]] == []
