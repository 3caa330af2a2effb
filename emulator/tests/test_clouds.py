"""The emulator posing as each Azure cloud (`--cloud`): names, zones, metadata and DNS follow the cloud.

One emulator per cloud (module scope), driven with the real SDK clients; DNS asked like `dig` with dnspython.
Facts and their sources are in privnet_emulator/clouds.py.
"""

import json
import ssl
import urllib.request

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
from azure.identity import ClientSecretCredential
from azure.mgmt.containerregistry import ContainerRegistryManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.privatedns import PrivateDnsManagementClient

from privnet_emulator.testing import EmulatorProcess, RunningEmulator

REG = "acrprivnetdemo"
# cloud -> (registry suffix, home region, replica region, storage suffix, key vault suffix, first audience)
CLOUDS = {
    "AzureCloud": ("azurecr.io", "westeurope", "eastus", "core.windows.net", "vault.azure.net",
                   "https://management.core.windows.net/"),
    "AzureUSGovernment": ("azurecr.us", "usgovvirginia", "usgovtexas", "core.usgovcloudapi.net",
                          "vault.usgovcloudapi.net", "https://management.core.usgovcloudapi.net/"),
    "AzureChinaCloud": ("azurecr.cn", "chinanorth3", "chinaeast2", "core.chinacloudapi.cn", "vault.azure.cn",
                        "https://management.core.chinacloudapi.cn/"),
}


@pytest.fixture(scope="module", params=list(CLOUDS))
def cloud(request, tmp_path_factory):
    name = request.param
    emu = RunningEmulator(str(tmp_path_factory.mktemp(f"emulator-{name}")), cloud=name)
    suffix, home, replica, storage, vault, audience = CLOUDS[name]

    class Cloud:
        pass

    c = Cloud()
    c.name, c.emu, c.suffix, c.home, c.replica = name, emu, suffix, home, replica
    c.storage, c.vault, c.audience = storage, vault, audience
    c.zone = f"privatelink.{suffix}"
    env = emu.env
    credential = ClientSecretCredential(env["AZURE_TENANT"], env["AZURE_CLIENT_ID"], env["AZURE_SECRET"],
                                        authority=env["AZURE_AUTHORITY_HOST"], connection_verify=emu.ca_path,
                                        disable_instance_discovery=True)

    def client(cls):
        return cls(credential, env["AZURE_SUBSCRIPTION_ID"], base_url=emu.url,
                   credential_scopes=[audience + "/.default"], connection_verify=emu.ca_path, polling_interval=0)

    c.network, c.privatedns, c.acr = (client(NetworkManagementClient), client(PrivateDnsManagementClient),
                                      client(ContainerRegistryManagementClient))
    yield c
    emu.stop()


@pytest.fixture
def estate(cloud):
    """The built-in acr scenario, whose regions follow the cloud."""
    cloud.emu.control.reset()
    cloud.emu.control.scenario("acr")
    return cloud


def metadata(cloud, api_version):
    ctx = ssl.create_default_context(cafile=cloud.emu.ca_path)
    url = f"{cloud.emu.url}/metadata/endpoints?api-version={api_version}"
    with urllib.request.urlopen(url, context=ctx, timeout=10) as resp:
        return json.loads(resp.read())


def make_endpoint(cloud, zone_group=None):
    registry = cloud.acr.registries.get("rg-acr", REG)
    subnet = cloud.network.subnets.get("rg-network", "vnet-app", "snet-workload")
    body = {"location": cloud.home, "properties": {
        "subnet": {"id": subnet.id},
        "privateLinkServiceConnections": [{"name": "conn-acr", "properties": {
            "privateLinkServiceId": registry.id, "groupIds": ["registry"]}}]}}
    pe = cloud.network.private_endpoints.begin_create_or_update("rg-network", "pe-acr", body).result()
    if zone_group:
        zone = cloud.privatedns.private_zones.get("rg-network", zone_group)
        cloud.network.private_dns_zone_groups.begin_create_or_update("rg-network", "pe-acr", "default", {
            "properties": {"privateDnsZoneConfigs": [{"name": "acr", "properties": {
                "privateDnsZoneId": zone.id}}]}}).result()
    return cloud.network.private_endpoints.get("rg-network", "pe-acr")


def nic_members(cloud, pe):
    nic_name = pe.network_interfaces[0].id.rsplit("/", 1)[1]
    nic = cloud.network.network_interfaces.get("rg-network", nic_name)
    return [(c.private_link_connection_properties.required_member_name, c.private_ip_address,
             c.private_link_connection_properties.fqdns) for c in nic.ip_configurations]


def ask(cloud, name, rdtype="A"):
    vnet = cloud.network.virtual_networks.get("rg-network", "vnet-app")
    [port] = [entry["port"] for entry in cloud.emu.control.dns() if entry["vnet_id"].lower() == vnet.id.lower()]
    return dns.query.udp(dns.message.make_query(name, rdtype), "127.0.0.1", port=port, timeout=3)


def chain(response):
    return [(r.name.to_text(), dns.rdatatype.to_text(r.rdtype), sorted(x.to_text() for x in r))
            for r in response.answer]


def test_metadata_names_the_cloud_its_suffixes_and_audiences(cloud):
    doc = metadata(cloud, "2022-09-01")
    expected_name = "PrivnetEmulator" if cloud.name == "AzureCloud" else cloud.name
    assert doc["name"] == expected_name
    assert doc["suffixes"]["acrLoginServer"] == cloud.suffix
    assert doc["suffixes"]["storage"] == cloud.storage
    assert doc["suffixes"]["keyVaultDns"] == cloud.vault
    assert doc["authentication"]["audiences"][0] == cloud.audience
    # Everything is still served at the emulator's own address (a custom cloud reached by its metadata URL).
    assert doc["resourceManager"] == cloud.emu.url + "/"
    assert doc["authentication"]["loginEndpoint"] == cloud.emu.url + "/"
    # The older shapes carry the same cloud.
    [listed] = metadata(cloud, "2019-05-01")
    assert (listed["name"], listed["suffixes"]["acrLoginServer"]) == (expected_name, cloud.suffix)
    assert metadata(cloud, "2015-01-01")["authentication"]["audiences"][0] == cloud.audience


def test_registry_names_and_zone_follow_the_cloud(estate):
    cloud = estate
    registry = cloud.acr.registries.get("rg-acr", REG)
    assert registry.login_server == f"{REG}.{cloud.suffix}"
    assert registry.location == cloud.home
    assert [r.location for r in cloud.acr.replications.list("rg-acr", REG)] == [cloud.replica]
    updated = cloud.acr.registries.begin_update("rg-acr", REG, {"properties": {"dataEndpointEnabled": True}}).result()
    assert updated.data_endpoint_host_names == [f"{REG}.{cloud.home}.data.{cloud.suffix}",
                                                f"{REG}.{cloud.replica}.data.{cloud.suffix}"]
    [plr] = list(cloud.acr.registries.list_private_link_resources("rg-acr", REG))
    assert plr.properties.required_zone_names == [cloud.zone]
    assert plr.properties.required_members == ["registry", f"registry_data_{cloud.home}", f"registry_data_{cloud.replica}"]


def test_endpoint_nic_and_custom_dns_configs_carry_the_cloud_fqdns(estate):
    cloud = estate
    pe = make_endpoint(cloud)
    fqdns = [f"{REG}.{cloud.suffix}", f"{REG}.{cloud.home}.data.{cloud.suffix}",
             f"{REG}.{cloud.replica}.data.{cloud.suffix}"]
    members = nic_members(cloud, pe)
    assert [(m, f) for m, _, f in members] == [
        ("registry", [fqdns[0]]), (f"registry_data_{cloud.home}", [fqdns[1]]),
        (f"registry_data_{cloud.replica}", [fqdns[2]])]
    assert [(c.fqdn, c.ip_addresses) for c in pe.custom_dns_configs] == [
        (fqdn, [ip]) for fqdn, (_, ip, _) in zip(fqdns, members)]


def test_dns_answers_follow_the_cloud(estate):
    cloud = estate
    cloud.privatedns.private_zones.begin_create_or_update("rg-network", cloud.zone, {"location": "global"}).result()
    vnet = cloud.network.virtual_networks.get("rg-network", "vnet-app")
    cloud.privatedns.virtual_network_links.begin_create_or_update("rg-network", cloud.zone, "link-app", {
        "location": "global", "properties": {"virtualNetwork": {"id": vnet.id},
                                             "registrationEnabled": False}}).result()
    # A zone group writes the cloud's records (<reg> and <reg>.<region>.data) into the cloud's zone.
    pe = make_endpoint(cloud, zone_group=cloud.zone)
    ips = {member: ip for member, ip, _ in nic_members(cloud, pe)}
    records = {r.name: [a.ipv4_address for a in r.a_records]
               for r in cloud.privatedns.record_sets.list_by_type("rg-network", cloud.zone, "A")}
    assert records == {REG: [ips["registry"]],
                       f"{REG}.{cloud.home}.data": [ips[f"registry_data_{cloud.home}"]],
                       f"{REG}.{cloud.replica}.data": [ips[f"registry_data_{cloud.replica}"]]}

    # The public name is a CNAME into the cloud's privatelink zone, answered there.
    answer = ask(cloud, f"{REG}.{cloud.suffix}")
    assert chain(answer) == [(f"{REG}.{cloud.suffix}.", "CNAME", [f"{REG}.{cloud.zone}."]),
                             (f"{REG}.{cloud.zone}.", "A", [ips["registry"]])]
    data = f"{REG}.{cloud.replica}.data"
    assert chain(ask(cloud, f"{data}.{cloud.suffix}")) == [
        (f"{data}.{cloud.suffix}.", "CNAME", [f"{data}.{cloud.zone}."]),
        (f"{data}.{cloud.zone}.", "A", [ips[f"registry_data_{cloud.replica}"]])]
    # Another cloud's registry name is not this cloud's registry.
    for other, (suffix, *_rest) in CLOUDS.items():
        if other != cloud.name:
            assert ask(cloud, f"{REG}.{suffix}").rcode() == dns.rcode.NXDOMAIN


def test_cli_option_poses_as_the_cloud(tmp_path):
    """`privnet-emulator --cloud AzureChinaCloud --scenario acr`: the metadata and the scenario's regions."""
    proc = EmulatorProcess(str(tmp_path / "emu"), "--cloud", "AzureChinaCloud", "--scenario", "acr")
    try:
        ctx = ssl.create_default_context(cafile=proc.env["REQUESTS_CA_BUNDLE"])
        with urllib.request.urlopen(f"{proc.url}/metadata/endpoints?api-version=2022-09-01", context=ctx,
                                    timeout=10) as resp:
            doc = json.loads(resp.read())
        assert (doc["name"], doc["suffixes"]["acrLoginServer"]) == ("AzureChinaCloud", "azurecr.cn")
        locations = {r["id"].rsplit("/", 1)[1]: r["body"].get("location") for r in proc.control.state()["resources"]
                     if "/registries/" in r["id"].lower()}
        assert locations[REG] == "chinanorth3" and locations["chinaeast2"] == "chinaeast2"
    finally:
        proc.stop()


def test_unknown_cloud_is_refused(tmp_path):
    with pytest.raises(ValueError, match="AzureUSGovernment"):
        RunningEmulator(str(tmp_path), cloud="AzureGermanCloud")
