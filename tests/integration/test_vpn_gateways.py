"""Issue 19's end-to-end run, real modules over HTTPS against the emulator's `vpn` estate in realistic latency (a
small time_scale): playbooks/vpn_gateways.yml builds the hub's and the second region's VPN gateways at the same time
(one inventory host each, created with wait: false, waited for later), connects them VNet-to-VNet (both ends
Connected), and peers the spokes with the hub, using the hub's gateway; playbooks/site_to_site.yml connects the hub to
the on-premises device the estate declares (the emulator's device fixture). A second run of both writes nothing; the
shared keys appear in no output at -vvv; the site-to-site role's teardown removes the connection, then the local
network gateway; bad input to the hub gateway of vnet_hub_spoke fails before any write."""

import json
import os

import pytest

from conftest import REPO, arm_writes, result_of, run_playbook

PLAYBOOKS = os.path.join(REPO, "playbooks")
GATEWAYS = os.path.join(PLAYBOOKS, "vpn_gateways.yml")
SITES = os.path.join(PLAYBOOKS, "site_to_site.yml")
GATEWAY_ARGS = ["-i", os.path.join(PLAYBOOKS, "inventory", "vpn_gateways.yml"),
                "-e", "@" + os.path.join(PLAYBOOKS, "vars", "vpn_gateways.example.yml")]
SITE_ARGS = ["-i", os.path.join(PLAYBOOKS, "inventory", "site_to_site.yml"),
             "-e", "@" + os.path.join(PLAYBOOKS, "vars", "site_to_site.example.yml")]
KEYS = ("REPLACE-ME-vnet2vnet-key-vault-it", "onprem-shared-key")
TIME_SCALE = 0.005            # a gateway's 45 minutes -> 13.5 s; a connection's 2 minutes -> 0.6 s
GATEWAY_CREATE = 2700 * TIME_SCALE
GATEWAY_PATH = "/providers/microsoft.network/virtualnetworkgateways/"
GATEWAY_REGION2 = "/subscriptions/{sub}/resourceGroups/rg-region2/providers/Microsoft.Network/virtualNetworkGateways/vgw-region2"


@pytest.fixture
def vpn(emulator):
    emulator.control.reset()
    emulator.control.scenario("vpn")
    emulator.control.config(latency="realistic", time_scale=TIME_SCALE)
    yield emulator
    emulator.control.config(latency="instant")


def resource(emulator, suffix):
    found = [r for r in emulator.control.state()["resources"] if r["id"].lower().endswith(suffix.lower())]
    return found[0]["body"] if found else None


def gateway_puts(emulator, since=0):
    """{gateway name: time of its first PUT} (the create)."""
    out = {}
    for entry in emulator.control.log(since=since, method="PUT", kind="arm"):
        path = entry["path"].lower()
        if GATEWAY_PATH in path and "/" not in path.split(GATEWAY_PATH, 1)[1]:
            out.setdefault(path.rsplit("/", 1)[1], entry["time"])
    return out


READ = """
- name: Read the gateways and the connections as Azure answers them
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: Gateways
      privnet.azure.vpn_gateway_info:
        resource_group: "{{ item }}"
      loop: [rg-hub, rg-region2]
      register: gateways
    - name: Connections (check mode, no key given - a read)
      privnet.azure.vpn_connection:
        name: "{{ item.name }}"
        resource_group: rg-hub
        virtual_network_gateway: vgw-hub
        remote_virtual_network_gateway: "{{ item.remote | default(omit) }}"
        remote_name: "{{ item.remote_name | default(omit) }}"
        local_network_gateway: "{{ item.local | default(omit) }}"
      check_mode: true
      loop: "{{ connections }}"
      register: found
    - name: Result
      ansible.builtin.debug:
        msg: "RESULT {{ {'gateways': gateways.results | map(attribute='vpn_gateways') | flatten
                                     | items2dict(key_name='name', value_name='provisioning_state'),
                        'connections': found.results | map(attribute='connection') | list,
                        'remote': found.results | map(attribute='remote_connection') | list} | to_json }}"
"""


def read(emulator, tmp_path, connections):
    play = tmp_path / "read.yml"
    play.write_text(READ)
    proc = run_playbook(emulator, str(play), ["-e", json.dumps({"connections": connections})])
    return result_of(proc.stdout)


def leaked(proc):
    return [key for key in KEYS if key in proc.stdout or key in proc.stderr]


def test_gateways_in_parallel_connected_spokes_site_to_site_and_no_key_in_output(vpn, tmp_path):
    emulator = vpn

    # From the empty estate, at -vvv: both gateways, the connection, the spokes.
    first = run_playbook(emulator, GATEWAYS, GATEWAY_ARGS + ["-vvv"])
    assert leaked(first) == []
    # Built concurrently: the second gateway's create was sent while the first one's (45 scaled minutes) went on.
    puts = gateway_puts(emulator)
    assert sorted(puts) == ["vgw-hub", "vgw-region2"], puts
    started = sorted(puts.values())
    assert started[1] - started[0] < GATEWAY_CREATE / 2, puts
    # Both provisioned; VNet-to-VNet: both ends Connected.
    region2 = GATEWAY_REGION2.format(sub=emulator.env["AZURE_SUBSCRIPTION_ID"])
    seen = read(emulator, tmp_path, [{"name": "vgw-hub-to-vgw-region2", "remote": region2,
                                      "remote_name": "vgw-region2-to-vgw-hub"}])
    assert seen["gateways"] == {"vgw-hub": "Succeeded", "vgw-region2": "Succeeded"}, seen
    assert [c["connection_status"] for c in seen["connections"] + seen["remote"]] == ["Connected", "Connected"], seen
    # The spokes use the hub's gateway; the hub allows gateway transit.
    for spoke in ("vnet-spoke1", "vnet-spoke2"):
        peering = resource(emulator, f"/virtualnetworks/{spoke}/virtualnetworkpeerings/{spoke}-to-vnet-hub")
        assert peering["properties"]["useRemoteGateways"] is True, spoke
        back = resource(emulator, f"/virtualnetworks/vnet-hub/virtualnetworkpeerings/vnet-hub-to-{spoke}")
        assert back["properties"]["allowGatewayTransit"] is True, spoke

    # Site-to-site to the declared device: the local network gateway and a Connected connection.
    site = run_playbook(emulator, SITES, SITE_ARGS + ["-vvv"])
    assert leaked(site) == []
    assert resource(emulator, "/localnetworkgateways/lng-onprem-hq")["properties"]["gatewayIpAddress"] == "203.0.113.10"
    seen = read(emulator, tmp_path, [{"name": "vgw-hub-to-onprem-hq", "local": "lng-onprem-hq"}])
    assert seen["connections"][0]["connection_status"] == "Connected", seen
    assert "onprem-hq: Connected" in site.stdout

    # A second run of both, at -vvv: zero writes, nothing changed, no key.
    for playbook, args in ((GATEWAYS, GATEWAY_ARGS), (SITES, SITE_ARGS)):
        mark = emulator.control.summary()["last_seq"]
        again = run_playbook(emulator, playbook, args + ["-vvv"])
        assert arm_writes(emulator, mark) == [], playbook
        recap = [line for line in again.stdout.splitlines() if " : ok=" in line]
        assert recap and all(" changed=0 " in line for line in recap), recap
        assert leaked(again) == []

    # A wrong key never connects: the role fails with the last status, and does not show the key.
    mark = emulator.control.summary()["last_seq"]
    wrong = run_playbook(emulator, SITES, SITE_ARGS + ["-vvv", "-e", "site_to_site_connected_timeout=3",
                                                       "-e", '{"vault_site_to_site_shared_keys": {"onprem-hq": "wrong-key-x1"}}'],
                         check=False)
    assert wrong.returncode != 0 and "last status: vgw-hub-to-onprem-hq NotConnected" in wrong.stdout, wrong.stdout[-3000:]
    assert "wrong-key-x1" not in wrong.stdout + wrong.stderr and leaked(wrong) == []
    assert arm_writes(emulator, mark)  # the key was changed: the teardown below starts from this state
    # Teardown: the connection, then the local network gateway.
    mark = emulator.control.summary()["last_seq"]
    run_playbook(emulator, SITES, SITE_ARGS + ["-e", "site_to_site_state=absent"])
    deletes = [path for method, path in arm_writes(emulator, mark) if method == "DELETE"]
    assert [p.rsplit("/", 2)[1] for p in deletes] == ["connections", "localnetworkgateways"], deletes
    assert resource(emulator, "/connections/vgw-hub-to-onprem-hq") is None
    assert resource(emulator, "/localnetworkgateways/lng-onprem-hq") is None


BAD_GATEWAY = """
- name: A hub gateway the role must refuse before any write
  hosts: spokes
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{{{ ansible_playbook_python }}}}"
  roles:
    - role: privnet.azure.vnet_hub_spoke
      vars:
        vnet_hub_spoke_hub: {hub}
        vnet_hub_spoke_hub_gateway: {gateway}
"""


@pytest.mark.parametrize("hub,gateway,message", [
    ("{virtual_network: vnet-spoke1, resource_group: rg-spokes}",
     "{name: vgw-x, sku: VpnGw1, location: westeurope, public_ip_addresses: [pip-x]}",
     "subnet 'GatewaySubnet' of virtual network 'vnet-spoke1'"),
    ("{virtual_network: vnet-hub, resource_group: rg-hub}",
     "{name: vgw-x, sku: VpnGw5, generation: Generation1, location: westeurope, public_ip_addresses: [pip-x]}",
     "vnet_hub_spoke_hub_gateway.sku: VpnGw5 is not offered in Generation1"),
    ("{virtual_network: vnet-hub, resource_group: rg-hub}",
     "{name: vgw-x, sku: VpnGw1, location: westeurope, public_ip_addresses: [pip-x, pip-y]}",
     "vnet_hub_spoke_hub_gateway.public_ip_addresses: give one public IP address (given: 2)"),
])
def test_hub_gateway_bad_input_fails_before_any_write(emulator, tmp_path, hub, gateway, message):
    emulator.control.reset()
    emulator.control.scenario("vpn")
    play = tmp_path / "bad.yml"
    play.write_text(BAD_GATEWAY.format(hub=hub, gateway=gateway))
    mark = emulator.control.summary()["last_seq"]
    proc = run_playbook(emulator, str(play), ["-i", os.path.join(PLAYBOOKS, "inventory", "vpn_gateways.yml")],
                        check=False)
    assert proc.returncode != 0 and message in proc.stdout, proc.stdout[-3000:]
    assert arm_writes(emulator, mark) == []


HUB_GATEWAY = """
- name: Spokes whose hub's gateway the role makes
  hosts: spokes
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  roles:
    - role: privnet.azure.vnet_hub_spoke
      vars:
        vnet_hub_spoke_hub_gateway:
          name: vgw-hub
          sku: VpnGw1
          location: westeurope
          public_ip_addresses: [pip-vgw-hub-new]
          bgp_asn: 65010
  post_tasks:
    - name: Result
      ansible.builtin.debug:
        msg: "RESULT {{ vnet_hub_spoke_hub_gateway_result | to_json }}"
      run_once: true
"""


def test_the_first_spoke_makes_the_hubs_gateway_once_then_every_spoke_uses_it(vpn, tmp_path):
    emulator = vpn
    play = tmp_path / "hub_gateway.yml"
    play.write_text(HUB_GATEWAY)
    args = ["-i", os.path.join(PLAYBOOKS, "inventory", "vpn_gateways.yml")]
    proc = run_playbook(emulator, str(play), args)
    gateway = result_of(proc.stdout)
    assert gateway["name"] == "vgw-hub" and gateway["provisioning_state"] == "Succeeded" and gateway["bgp_asn"] == 65010
    # One host wrote the gateway (one create) and its new public IP; the other spoke waited for it.
    writes = arm_writes(emulator, 0)
    assert [p for m, p in writes if GATEWAY_PATH in p] == [
        p for m, p in writes if m == "PUT" and p.endswith(GATEWAY_PATH + "vgw-hub")], writes
    assert len([p for m, p in writes if GATEWAY_PATH in p]) == 1, writes
    assert len([p for m, p in writes if p.endswith("/publicipaddresses/pip-vgw-hub-new")]) == 1, writes
    for spoke in ("vnet-spoke1", "vnet-spoke2"):
        peering = resource(emulator, f"/virtualnetworks/{spoke}/virtualnetworkpeerings/{spoke}-to-vnet-hub")
        assert peering["properties"]["useRemoteGateways"] is True, spoke
    # A second run: zero writes.
    mark = emulator.control.summary()["last_seq"]
    run_playbook(emulator, str(play), args)
    assert arm_writes(emulator, mark) == []


def test_check_mode_from_empty_writes_nothing_and_predicts_every_step(vpn):
    emulator = vpn
    mark = emulator.control.summary()["last_seq"]
    proc = run_playbook(emulator, GATEWAYS, GATEWAY_ARGS + ["--check", "--diff"])
    recap = [line for line in proc.stdout.splitlines() if " : ok=" in line]
    assert recap and all(" failed=0 " in line for line in recap), recap
    assert any(" changed=0 " not in line for line in recap), recap
    # The connection and the spokes' peerings need gateways this run only predicts: warned about, not failed.
    # (ansible-core < 2.19 wraps a warning's lines.)
    assert "a real run fails unless it exists by then" in " ".join((proc.stdout + proc.stderr).split())
    assert leaked(proc) == []
    # The site-to-site playbook does not create the hub's gateway: in check mode too it stops, naming it.
    proc = run_playbook(emulator, SITES, SITE_ARGS + ["--check"], check=False)
    assert proc.returncode != 0 and "VPN gateway vgw-hub (resource group rg-hub) was not found" in proc.stdout
    assert leaked(proc) == []
    assert arm_writes(emulator, mark) == []
