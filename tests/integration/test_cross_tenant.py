"""A VNet peering across Microsoft Entra tenants (issue 14): the hub in tenant A, the spoke in tenant B
(the emulator's `cross_tenant` scenario, one multi-tenant application in both). vnet_peering signs the
remote side into tenant B and sends each side's write with a token for the other tenant in ARM's
x-ms-authorization-auxiliary header (Microsoft Learn, authenticate-multi-tenant.md); without the remote
tenant, ARM refuses, and the task reports Azure's code and message.
"""


from conftest import arm_writes, result_of, run_playbook

PLAY = """
- hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Peer the hub (tenant A) with the spoke (tenant B)
      privnet.azure.vnet_peering:
        virtual_network: vnet-hub
        resource_group: rg-hub
        remote_virtual_network:
          name: vnet-spoke
          resource_group: rg-spoke
          subscription_id: "{{ remote_subscription }}"
          tenant: "{{ remote_tenant | default(omit) }}"
        allow_forwarded_traffic: true
      register: peering
    - name: Show it
      ansible.builtin.debug:
        msg: "RESULT {{ peering | to_json }}"
"""


def test_peering_across_tenants(emulator, tmp_path):
    emulator.control.reset()
    emulator.control.scenario("cross_tenant")
    playbook = tmp_path / "peer.yml"
    playbook.write_text(PLAY)
    tenant_b = emulator.env["PRIVNET_EMULATOR_TENANT_2"]
    subscription_b = ["-e", f"remote_subscription={emulator.env['PRIVNET_EMULATOR_SUBSCRIPTION_2']}"]

    # Without the remote tenant: the spoke's subscription refuses tenant A's token, named as Azure names it.
    mark = emulator.control.summary()["last_seq"]
    refused = run_playbook(emulator, str(playbook), subscription_b, check=False)
    assert refused.returncode != 0
    assert "InvalidAuthenticationTokenTenant" in refused.stdout or "LinkedAuthorizationFailed" in refused.stdout, \
        refused.stdout[-3000:]
    assert arm_writes(emulator, mark) == []

    mark = emulator.control.summary()["last_seq"]
    first = run_playbook(emulator, str(playbook), subscription_b + ["-e", f"remote_tenant={tenant_b}"])
    found = arm_writes(emulator, mark)
    assert [m for m, _p in found] == ["PUT", "PUT"], found
    peering = result_of(first.stdout)
    assert peering["changed"] is True
    assert peering["local"]["peering_state"] == "Connected", peering
    assert peering["remote"]["peering_state"] == "Connected", peering

    mark = emulator.control.summary()["last_seq"]
    second = run_playbook(emulator, str(playbook), subscription_b + ["-e", f"remote_tenant={tenant_b}"])
    assert arm_writes(emulator, mark) == []
    assert result_of(second.stdout)["changed"] is False
