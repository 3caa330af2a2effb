"""Issue 18's end-to-end run: playbooks/private_link_service.yml publishes a service behind the emulator's Standard
internal load balancer through a private link service (privnet.azure.private_link_service role) and connects two
consumers in other subscriptions of the tenant: the one whose subscription is in the auto-approval list is Approved at
once and names the service by its resource id, the other names it by the alias the provider shares and waits as
Pending until the role approves it; each consumer's own private DNS zone resolves the service's name to its endpoint.
From an empty estate (no service, the NAT subnet's policies on), a check-mode run writes nothing; a second real run
writes nothing; a consumer in another tenant, outside the visibility, is refused with Azure's error whether it names
the service by id or by alias; the teardown refuses while consumers are connected, unless forced."""

import os

import dns.message
import dns.query
import dns.rdatatype
import pytest
import yaml

from conftest import HERE, REPO, arm_writes, result_of, run_playbook

PLAYBOOK = os.path.join(REPO, "playbooks", "private_link_service.yml")
INVENTORY = os.path.join(REPO, "playbooks", "inventory", "private_link_service.yml")
VARS = os.path.join(REPO, "playbooks", "vars", "private_link_service.example.yml")
ESTATE = os.path.join(HERE, "private_link_service_estate.yml")
ARGS = ["-i", INVENTORY, "-e", f"@{VARS}"]
SERVICE = "/providers/microsoft.network/privatelinkservices/pls-orders"
NOT_VISIBLE = "ThirdPartyPrivateLinkServiceProvidedDuringPrivateEndpointCreationDoesNotExistOrIsNotVisible"


@pytest.fixture
def estate(emulator):
    emulator.control.reset()
    emulator.control.scenario("cross_tenant")  # tenant B: a consumer the service is not visible to
    with open(ESTATE, encoding="utf-8") as f:
        emulator.control.scenario(yaml.safe_load(f))
    return emulator


def resources(emulator, fragment):
    return [r for r in emulator.control.state()["resources"] if fragment in r["id"].lower()]


def connection_states(emulator):
    """{consumer endpoint name: status} of the service's connections, as the emulator holds them."""
    return {r["body"]["properties"]["privateEndpoint"]["id"].rsplit("/", 1)[1]:
            r["body"]["properties"]["privateLinkServiceConnectionState"]["status"]
            for r in resources(emulator, SERVICE + "/privateendpointconnections/")}


def resolve(emulator, vnet, name):
    """The A addresses a VM in ``vnet`` gets for ``name`` (the emulator's DNS listener of that VNet)."""
    found = next(item for item in emulator.control.dns() if item["vnet_id"].lower().endswith(f"/virtualnetworks/{vnet}"))
    answer = dns.query.udp(dns.message.make_query(name, "A"), found["address"], port=found["port"], timeout=5)
    return sorted(item.address for rrset in answer.answer if rrset.rdtype == dns.rdatatype.A for item in rrset)


def endpoint_ip(emulator, endpoint):
    """The private IP of a consumer endpoint's NIC."""
    for res in resources(emulator, f"/networkinterfaces/{endpoint}.nic."):
        return res["body"]["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
    return None


def recap(proc):
    return [line for line in proc.stdout.splitlines() if " : ok=" in line]


def consumer_states(proc):
    """What each consumer's task reported right after its request (before the providers' second play)."""
    out = {}
    for line in proc.stdout.splitlines():
        if '"msg": "pe-orders-' in line and " -> pls-orders: " in line:
            text = line.split('"msg": "', 1)[1].rstrip('"')
            name, state = text.split(" -> pls-orders: ")
            out[name] = state
    return out


def one_play(tmp_path, name, body):
    path = tmp_path / f"{name}.yml"
    path.write_text(body)
    return str(path)


def test_publish_approve_second_run_refusal_and_teardown(estate, tmp_path):
    emulator = estate

    # Check mode from the empty estate: every step predicted, nothing written.
    mark = emulator.control.summary()["last_seq"]
    checked = run_playbook(emulator, PLAYBOOK, ARGS + ["--check", "--diff"])
    assert arm_writes(emulator, mark) == []
    assert resources(emulator, SERVICE) == []
    assert "(known after apply)" in checked.stdout
    # The consumer by alias cannot be predicted before the service (and its alias) exists; the one by id is.
    assert consumer_states(checked) == {"pe-orders-shop": "Pending",
                                        "pe-orders-billing": "the service's alias is known after apply"}

    # Converge: the auto-approved consumer is Approved at once, the other Pending until the role approves it.
    first = run_playbook(emulator, PLAYBOOK, ARGS)
    assert consumer_states(first) == {"pe-orders-shop": "Approved", "pe-orders-billing": "Pending"}
    assert connection_states(emulator) == {"pe-orders-shop": "Approved", "pe-orders-billing": "Approved"}
    subnet = resources(emulator, "/virtualnetworks/vnet-provider/subnets/snet-nat")[0]
    assert subnet["body"]["properties"]["privateLinkServiceNetworkPolicies"] == "Disabled"
    [service] = [r for r in resources(emulator, SERVICE) if r["id"].lower().endswith(SERVICE)]
    props = service["body"]["properties"]
    assert props["visibility"]["subscriptions"] == ["8c4e1a2b-5d3f-4b6a-9e8d-7f0c1b2a3d4e",
                                                    "5e7a9c1d-3b2f-4d6e-8a0c-9f1e2d3c4b5a"]
    assert props["autoApproval"]["subscriptions"] == ["8c4e1a2b-5d3f-4b6a-9e8d-7f0c1b2a3d4e"]
    assert props["alias"].startswith("pls-orders.")
    # The shop's endpoint names the service by its resource id, the billing one by its alias (what it sent is kept).
    targets = {}
    for res in resources(emulator, "/privateendpoints/pe-orders-"):
        pe_props = res["body"]["properties"]
        [conn] = pe_props.get("privateLinkServiceConnections", []) + pe_props.get("manualPrivateLinkServiceConnections", [])
        targets[res["id"].rsplit("/", 1)[1]] = conn["properties"]["privateLinkServiceId"]
    assert targets == {"pe-orders-shop": service["id"], "pe-orders-billing": props["alias"]}, targets
    # Each consumer's own zone resolves the service's name, in its virtual network, to its endpoint.
    for vnet, endpoint in (("vnet-consumer", "pe-orders-shop"), ("vnet-consumer2", "pe-orders-billing")):
        address = endpoint_ip(emulator, endpoint)
        assert address and resolve(emulator, vnet, "orders.provider.example") == [address], (vnet, endpoint)

    # A second run, and check mode on the converged estate: zero writes, nothing changed.
    for extra in ([], ["--check", "--diff"]):
        mark = emulator.control.summary()["last_seq"]
        again = run_playbook(emulator, PLAYBOOK, ARGS + extra)
        assert arm_writes(emulator, mark) == [], extra
        assert len(recap(again)) == 3 and all(" changed=0 " in line for line in recap(again)), (extra, recap(again))

    # A consumer in another tenant, outside the visibility: Azure refuses its endpoint, nothing is created.
    alias = props["alias"]
    refused = one_play(tmp_path, "refused", f"""
- name: A consumer outside the visibility
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Endpoint to the service by its resource id
      privnet.azure.private_endpoint:
        name: pe-partner
        resource_group: rg-spoke
        virtual_network: vnet-spoke
        subnet: snet-app
        target_id: "{service['id']}"
        manual: true
      register: partner_by_id
      ignore_errors: true
    - name: Endpoint to the service by its alias
      privnet.azure.private_endpoint:
        name: pe-partner
        resource_group: rg-spoke
        virtual_network: vnet-spoke
        subnet: snet-app
        target_alias: "{alias}"
      register: partner_by_alias
      ignore_errors: true
    - name: Result
      ansible.builtin.debug:
        msg: "RESULT {{{{ [partner_by_id, partner_by_alias] | to_json }}}}"
""")
    env = {"AZURE_TENANT": emulator.env["PRIVNET_EMULATOR_TENANT_2"],
           "AZURE_SUBSCRIPTION_ID": emulator.env["PRIVNET_EMULATOR_SUBSCRIPTION_2"]}
    mark = emulator.control.summary()["last_seq"]
    proc = run_playbook(emulator, refused, env=env)
    for partner in result_of(proc.stdout):
        assert partner["failed"] and partner["azure_error"]["code"] == NOT_VISIBLE, partner
        assert NOT_VISIBLE in partner["msg"] and "Traceback" not in str(partner)
    assert resources(emulator, "/privateendpoints/pe-partner") == []
    assert arm_writes(emulator, mark) == [("PUT", "/subscriptions/" + env["AZURE_SUBSCRIPTION_ID"].lower()
                                           + "/resourcegroups/rg-spoke/providers/microsoft.network/privateendpoints/pe-partner")] * 2
    assert len(connection_states(emulator)) == 2

    # Teardown: refused while consumers are connected (before any write), done with force.
    teardown = one_play(tmp_path, "teardown", """
- name: Tear the service down
  hosts: link_services
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  roles:
    - role: privnet.azure.private_link_service
      vars:
        private_link_service_state: absent
""")
    mark = emulator.control.summary()["last_seq"]
    proc = run_playbook(emulator, teardown, ARGS, check=False)
    assert proc.returncode != 0 and "still has 2 connected consumer(s)" in proc.stdout, proc.stdout[-3000:]
    assert arm_writes(emulator, mark) == []
    run_playbook(emulator, teardown, ARGS + ["-e", "private_link_service_force_teardown=true"])
    assert resources(emulator, SERVICE) == []
