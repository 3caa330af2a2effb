"""The real Azure CLI as an independent judge: the ACR Private Link article's CLI procedure, command for command.

The procedure is Microsoft's "Connect privately to an Azure container registry using Azure Private Link"
(MicrosoftDocs/azure-docs articles/container-registry/container-registry-private-link.md; restated in
/work/shared/PROCEDURES.md part A and seeds/05-acr-private-link-cli-zh-tw.txt). The emulator is registered
as a custom cloud the way Azure Stack Hub users register theirs (`az cloud register`, `az cloud set`,
`core.instance_discovery=false`), and the CLI signs in with the emulator's service principal.

Runs only when PRIVNET_AZ names the `az` executable (`make cli-tests` sets it to the CLI in its cached
virtualenv); when the variable is set but the file is missing, the test fails instead of skipping.
Every CLI failure here is an emulator gap to fix in the emulator, with its source, not in this test.
"""

import ipaddress
import json
import os
import subprocess

import dns.message
import dns.query
import dns.rdatatype
import pytest

from privnet_emulator import DEFAULT_SUBSCRIPTION, SECOND_SUBSCRIPTION
from privnet_emulator.testing import RunningEmulator

AZ = os.environ.get("PRIVNET_AZ")
pytestmark = pytest.mark.skipif(not AZ, reason="PRIVNET_AZ (the az executable) is not set; `make cli-tests` sets it")

# The article's variables, bound to the emulator's "acr" scenario (a Premium registry in westeurope with a
# geo-replica in eastus; vnet-app / snet-workload 10.20.1.0/24 in rg-network).
REGISTRY_NAME = "acrprivnetdemo"
REGISTRY_LOCATION = "westeurope"
REPLICA_LOCATION = "eastus"
RESOURCE_GROUP = "rg-network"
NETWORK_NAME = "vnet-app"
SUBNET_NAME = "snet-workload"
SUBNET_PREFIX = "10.20.1.0/24"
ZONE = "privatelink.azurecr.io"


class Az:
    def __init__(self, binary, env):
        self.binary = binary
        self.env = env
        self.calls = []

    def __call__(self, *args, output="json"):
        cmd = [self.binary, *args, "--output", output]
        proc = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=300)
        self.calls.append(" ".join(args))
        if proc.returncode != 0:
            pytest.fail(f"az {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
        if output == "tsv":
            return proc.stdout.strip()
        return json.loads(proc.stdout) if proc.stdout.strip() else None


@pytest.fixture(scope="module")
def az(tmp_path_factory):
    if not os.path.isfile(AZ) or not os.access(AZ, os.X_OK):
        pytest.fail(f"PRIVNET_AZ={AZ!r} is set but is not an executable az (run `make cli-tests`)")
    root = tmp_path_factory.mktemp("cli")
    emu = RunningEmulator(str(root / "emulator"))
    try:
        emu.control.scenario("acr")
        env = {key: value for key, value in os.environ.items() if not key.startswith(("AZURE_", "ARM_"))}
        env.update({
            "AZURE_CONFIG_DIR": str(root / "azure-config"),   # never the user's ~/.azure
            "REQUESTS_CA_BUNDLE": emu.ca_path,                # the emulator's own CA, verified
            "AZURE_CORE_COLLECT_TELEMETRY": "false",
            "AZURE_CORE_NO_COLOR": "true",
            "AZURE_CORE_ONLY_SHOW_ERRORS": "true",
        })
        run = Az(AZ, env)
        # Custom cloud registration, as for Azure Stack Hub: the CLI reads the cloud from
        # {arm}/metadata/endpoints?api-version=2022-09-01.
        run("config", "set", "core.instance_discovery=false", output="none")
        run("cloud", "register", "--name", "PrivnetEmulator", "--endpoint-resource-manager", emu.url + "/",
            output="none")
        run("cloud", "set", "--name", "PrivnetEmulator", output="none")
        creds = emu.env
        run("login", "--service-principal", "--username", creds["AZURE_CLIENT_ID"],
            f"--password={creds['AZURE_SECRET']}", "--tenant", creds["AZURE_TENANT"], output="none")
        run("account", "set", "--subscription", DEFAULT_SUBSCRIPTION, output="none")
        run.emulator = emu
        yield run
    finally:
        emu.stop()


def test_cloud_is_the_emulator(az):
    cloud = az("cloud", "show")
    assert cloud["name"] == "PrivnetEmulator" and cloud["isActive"]
    assert cloud["endpoints"]["resourceManager"] == az.emulator.url + "/"
    assert cloud["endpoints"]["activeDirectory"] == az.emulator.url + "/"
    account = az("account", "show")
    assert account["id"] == DEFAULT_SUBSCRIPTION and account["environmentName"] == "PrivnetEmulator"


def test_acr_private_link_article(az):
    # Disable network policies in the private endpoint's subnet.
    subnet = az("network", "vnet", "subnet", "update", "--name", SUBNET_NAME, "--vnet-name", NETWORK_NAME,
                "--resource-group", RESOURCE_GROUP, "--disable-private-endpoint-network-policies")
    assert subnet["privateEndpointNetworkPolicies"] == "Disabled"
    assert subnet["addressPrefix"] == SUBNET_PREFIX

    # Private DNS zone and its link to the VNet.
    zone = az("network", "private-dns", "zone", "create", "--resource-group", RESOURCE_GROUP, "--name", ZONE)
    assert zone["name"] == ZONE
    link = az("network", "private-dns", "link", "vnet", "create", "--resource-group", RESOURCE_GROUP,
              "--zone-name", ZONE, "--name", "MyDNSLink", "--virtual-network", NETWORK_NAME,
              "--registration-enabled", "false")
    assert link["registrationEnabled"] is False
    assert link["virtualNetwork"]["id"].lower().endswith(f"/virtualnetworks/{NETWORK_NAME}")

    # The registry's resource id, then the private endpoint.
    registry_id = az("acr", "show", "--name", REGISTRY_NAME, "--query", "id", output="tsv")
    assert registry_id.endswith(f"/providers/Microsoft.ContainerRegistry/registries/{REGISTRY_NAME}")
    endpoint = az("network", "private-endpoint", "create", "--name", "myPrivateEndpoint",
                  "--resource-group", RESOURCE_GROUP, "--vnet-name", NETWORK_NAME, "--subnet", SUBNET_NAME,
                  "--private-connection-resource-id", registry_id, "--group-ids", "registry",
                  "--connection-name", "myConnection")
    assert endpoint["provisioningState"] == "Succeeded"

    # The endpoint's IP configuration: one private IP for the registry, one per data endpoint (region).
    nic_id = az("network", "private-endpoint", "show", "--name", "myPrivateEndpoint",
                "--resource-group", RESOURCE_GROUP, "--query", "networkInterfaces[0].id", output="tsv")
    assert "/networkInterfaces/" in nic_id

    # The article queries `privateIpAddress`, the key the CLI printed while `az network nic` used msrest models;
    # Azure CLI 2.91's aaz `network nic show` prints the REST name `privateIPAddress` (azure-cli
    # command_modules/network/aaz/latest/network/nic/_show.py, serialized_name), so that is the key queried here.
    def member(name, what):
        return az("network", "nic", "show", "--ids", nic_id, "--query",
                  f"ipConfigurations[?privateLinkConnectionProperties.requiredMemberName=='{name}'].{what}",
                  output="tsv")

    registry_ip = member("registry", "privateIPAddress")
    data_ip = member(f"registry_data_{REGISTRY_LOCATION}", "privateIPAddress")
    registry_fqdn = member("registry", "privateLinkConnectionProperties.fqdns")
    data_fqdn = member(f"registry_data_{REGISTRY_LOCATION}", "privateLinkConnectionProperties.fqdns")
    replica_ip = member(f"registry_data_{REPLICA_LOCATION}", "privateIPAddress")
    replica_fqdn = member(f"registry_data_{REPLICA_LOCATION}", "privateLinkConnectionProperties.fqdns")
    subnet_net = ipaddress.ip_network(SUBNET_PREFIX)
    ips = [registry_ip, data_ip, replica_ip]
    assert all(ipaddress.ip_address(ip) in subnet_net for ip in ips), ips
    assert len(set(ips)) == 3
    assert registry_fqdn == f"{REGISTRY_NAME}.azurecr.io"
    assert data_fqdn == f"{REGISTRY_NAME}.{REGISTRY_LOCATION}.data.azurecr.io"
    assert replica_fqdn == f"{REGISTRY_NAME}.{REPLICA_LOCATION}.data.azurecr.io"

    # A records in the private zone: the registry, its data endpoint and the geo-replica's data endpoint.
    records = {REGISTRY_NAME: registry_ip,
               f"{REGISTRY_NAME}.{REGISTRY_LOCATION}.data": data_ip,
               f"{REGISTRY_NAME}.{REPLICA_LOCATION}.data": replica_ip}
    for name, ip in records.items():
        created = az("network", "private-dns", "record-set", "a", "create", "--name", name, "--zone-name", ZONE,
                     "--resource-group", RESOURCE_GROUP)
        assert created["name"] == name and not created.get("aRecords")
        added = az("network", "private-dns", "record-set", "a", "add-record", "--record-set-name", name,
                   "--zone-name", ZONE, "--resource-group", RESOURCE_GROUP, "--ipv4-address", ip)
        assert [r["ipv4Address"] for r in added["aRecords"]] == [ip]
    listed = az("network", "private-dns", "record-set", "a", "list", "--zone-name", ZONE,
                "--resource-group", RESOURCE_GROUP)
    assert {r["name"]: [a["ipv4Address"] for a in r["aRecords"]] for r in listed} == \
        {name: [ip] for name, ip in records.items()}
    assert {r["fqdn"] for r in listed} == {f"{name}.{ZONE}." for name in records}

    # Validate the private link from inside the VNet: the article's `dig $REGISTRY_NAME.azurecr.io` shows a CNAME
    # to <reg>.privatelink.azurecr.io and an A record in the subnet. The emulator answers as Azure DNS answers a
    # VM in the VNet, on a listener per VNet (queried with dnspython as `dig @127.0.0.1 -p PORT`).
    vnet_id = az("network", "vnet", "show", "--resource-group", RESOURCE_GROUP, "--name", NETWORK_NAME,
                 "--query", "id", output="tsv")
    port = next(entry["port"] for entry in az.emulator.control.dns() if entry["vnet_id"].lower() == vnet_id.lower())
    for fqdn, ip in ((registry_fqdn, registry_ip), (data_fqdn, data_ip), (replica_fqdn, replica_ip)):
        answer = dns.query.udp(dns.message.make_query(fqdn, "A"), "127.0.0.1", port=port, timeout=5).answer
        assert answer[0].rdtype == dns.rdatatype.CNAME and answer[-1].rdtype == dns.rdatatype.A, fqdn
        assert [r.to_text() for r in answer[-1]] == [ip], fqdn

    # Disable public access.
    updated = az("acr", "update", "--name", REGISTRY_NAME, "--public-network-enabled", "false")
    assert updated["publicNetworkAccess"] == "Disabled"
    assert az("acr", "show", "--name", REGISTRY_NAME, "--query", "publicNetworkAccess", output="tsv") == "Disabled"

    # Manage the private endpoint connections: the one just made, auto-approved.
    connections = az("acr", "private-endpoint-connection", "list", "--registry-name", REGISTRY_NAME)
    assert len(connections) == 1
    connection = connections[0]
    assert connection["privateLinkServiceConnectionState"]["status"] == "Approved"
    assert connection["privateEndpoint"]["id"].lower() == endpoint["id"].lower()
    assert connection["name"].startswith(f"{REGISTRY_NAME}.")


def test_generic_resource_commands(az):
    registry_id = az("acr", "show", "--name", REGISTRY_NAME, "--query", "id", output="tsv")
    shown = az("resource", "show", "--ids", registry_id)
    assert shown["id"] == registry_id and shown["type"] == "Microsoft.ContainerRegistry/registries"
    assert shown["sku"]["name"] == "Premium"
    listed = az("resource", "list", "--resource-group", "rg-acr")
    assert {r["name"] for r in listed} == {"acrprivnetdemo", "acrbasicdemo"}
    by_type = az("resource", "list", "--resource-type", "Microsoft.Network/virtualNetworks")
    assert [r["name"] for r in by_type] == [NETWORK_NAME]
    provider = az("provider", "show", "--namespace", "Microsoft.ContainerRegistry")
    assert provider["registrationState"] == "Registered"
    registries = next(t for t in provider["resourceTypes"] if t["resourceType"] == "registries")
    assert registries["apiVersions"] and "westeurope" in registries["locations"]


def test_register_resource_provider_in_endpoint_subscription(az):
    # The article's prerequisite for a registry reached from another subscription: register
    # Microsoft.ContainerRegistry there (`az account set` + `az provider register`).
    az("account", "set", "--subscription", SECOND_SUBSCRIPTION, output="none")
    try:
        before = az("provider", "show", "--namespace", "Microsoft.ContainerRegistry", "--query", "registrationState",
                    output="tsv")
        assert before == "NotRegistered"
        az("provider", "register", "--namespace", "Microsoft.ContainerRegistry", "--wait", output="none")
        assert az("provider", "show", "--namespace", "Microsoft.ContainerRegistry", "--query", "registrationState",
                  output="tsv") == "Registered"
    finally:
        az("account", "set", "--subscription", DEFAULT_SUBSCRIPTION, output="none")
