"""The real Azure CLI as a judge of the Private Link targets beyond ACR (storage accounts, key vaults, SQL servers):
`az storage account create` / `network-rule add --subnet`, `az keyvault network-rule add`, `az sql server vnet-rule
create`, `az network private-endpoint create --group-id blob`, `az network private-endpoint-connection list / approve
--id`, against the emulator's `targets` scenario. Same rules as test_acr_article.py: runs when PRIVNET_AZ names the
az executable (`make cli-tests`); a CLI failure is an emulator gap.
"""

import subprocess

import pytest

from test_acr_article import AZ, az  # noqa: F401  (the module-scoped fixture: a fresh emulator, az signed in)

pytestmark = pytest.mark.skipif(not AZ, reason="PRIVNET_AZ (the az executable) is not set; `make cli-tests` sets it")

RG, NET_RG, VNET = "rg-targets", "rg-network", "vnet-app"
ACCOUNT, VAULT, SERVER = "stprivnetdemo", "kv-privnet-demo", "sql-privnet-demo"


def az_fails(az, *args):
    """Run az expecting a failure; the stderr."""
    proc = subprocess.run([az.binary, *args, "--output", "json"], env=az.env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode != 0, f"az {' '.join(args)} succeeded: {proc.stdout[-2000:]}"
    return proc.stderr


@pytest.fixture(scope="module")
def targets(az):   # noqa: F811
    az.emulator.control.scenario("targets")
    sub = az("account", "show")["id"]
    base = f"/subscriptions/{sub}/resourceGroups/{NET_RG}/providers/Microsoft.Network/virtualNetworks/{VNET}/subnets"
    return {"plain": f"{base}/snet-vm", "endpoints": f"{base}/snet-endpoints"}


def test_storage_account_and_network_rules(az, targets):   # noqa: F811
    created = az("storage", "account", "create", "--name", "stclidemo", "--resource-group", RG, "--location",
                 "westeurope", "--sku", "Standard_LRS", "--kind", "StorageV2")
    assert created["primaryEndpoints"]["blob"] == "https://stclidemo.blob.core.windows.net/"
    shown = az("storage", "account", "show", "--name", ACCOUNT, "--resource-group", RG)
    assert shown["networkRuleSet"]["defaultAction"] == "Allow"
    error = az_fails(az, "storage", "account", "network-rule", "add", "--resource-group", RG, "--account-name",
                     ACCOUNT, "--subnet", targets["plain"])
    assert "NetworkAclsValidationFailure" in error or "SubnetsHaveNoServiceEndpointsConfigured" in error
    rules = az("storage", "account", "network-rule", "add", "--resource-group", RG, "--account-name", ACCOUNT,
               "--subnet", targets["endpoints"])
    assert [r["virtualNetworkResourceId"].lower() for r in rules["networkRuleSet"]["virtualNetworkRules"]] == \
        [targets["endpoints"].lower()]
    rules = az("storage", "account", "network-rule", "add", "--resource-group", RG, "--account-name", ACCOUNT,
               "--ip-address", "203.0.113.10")
    assert [r["ipAddressOrRange"] for r in rules["networkRuleSet"]["ipRules"]] == ["203.0.113.10"]
    listed = az("storage", "account", "network-rule", "list", "--resource-group", RG, "--account-name", ACCOUNT)
    assert len(listed["virtualNetworkRules"]) == 1


def test_key_vault_network_rule(az, targets):   # noqa: F811
    vault = az("keyvault", "network-rule", "add", "--name", VAULT, "--resource-group", RG, "--subnet",
               targets["endpoints"])
    rules = vault["properties"]["networkAcls"]["virtualNetworkRules"]
    assert [r["id"].lower() for r in rules] == [targets["endpoints"].lower()]
    assert vault["properties"]["vaultUri"] == f"https://{VAULT}.vault.azure.net/"


def test_sql_server_vnet_rule(az, targets):   # noqa: F811
    error = az_fails(az, "sql", "server", "vnet-rule", "create", "--resource-group", RG, "--server", SERVER,
                     "--name", "rule-plain", "--subnet", targets["plain"])
    assert "VirtualNetworkRuleBadRequest" in error or "Microsoft.Sql" in error
    rule = az("sql", "server", "vnet-rule", "create", "--resource-group", RG, "--server", SERVER, "--name",
              "rule-endpoints", "--subnet", targets["endpoints"])
    assert rule["virtualNetworkSubnetId"].lower() == targets["endpoints"].lower()
    plain = az("sql", "server", "vnet-rule", "create", "--resource-group", RG, "--server", SERVER, "--name",
               "rule-ignore", "--subnet", targets["plain"], "--ignore-missing-endpoint", "true")
    assert plain["ignoreMissingVnetServiceEndpoint"] is True
    names = sorted(r["name"] for r in az("sql", "server", "vnet-rule", "list", "--resource-group", RG, "--server",
                                         SERVER))
    assert names == ["rule-endpoints", "rule-ignore"]


def test_private_endpoint_to_blob_and_connection_approval(az, targets):   # noqa: F811
    account_id = az("storage", "account", "show", "--name", ACCOUNT, "--resource-group", RG, "--query", "id",
                    output="tsv")
    groups = az("network", "private-link-resource", "list", "--id", account_id)
    assert "blob" in [g["properties"]["groupId"] for g in groups]
    endpoint = az("network", "private-endpoint", "create", "--name", "pe-blob", "--resource-group", NET_RG,
                  "--vnet-name", VNET, "--subnet", "snet-workload", "--private-connection-resource-id", account_id,
                  "--group-id", "blob", "--connection-name", "conn-blob", "--manual-request", "true",
                  "--request-message", "please")
    state = endpoint["manualPrivateLinkServiceConnections"][0]["privateLinkServiceConnectionState"]
    assert state["status"] == "Pending"
    nic = az("network", "nic", "show", "--ids", endpoint["networkInterfaces"][0]["id"])
    fqdns = [c["privateLinkConnectionProperties"]["fqdns"] for c in nic["ipConfigurations"]]
    assert fqdns == [[f"{ACCOUNT}.blob.core.windows.net"]]
    conns = az("network", "private-endpoint-connection", "list", "--id", account_id)
    assert len(conns) == 1 and conns[0]["properties"]["privateLinkServiceConnectionState"]["status"] == "Pending"
    approved = az("network", "private-endpoint-connection", "approve", "--id", conns[0]["id"], "--description",
                  "ok")
    assert approved["properties"]["privateLinkServiceConnectionState"]["status"] == "Approved"
    shown = az("network", "private-endpoint", "show", "--name", "pe-blob", "--resource-group", NET_RG)
    assert shown["manualPrivateLinkServiceConnections"][0]["privateLinkServiceConnectionState"]["status"] == \
        "Approved"
    # the key vault and the SQL server take endpoints the same way
    group_id = account_id.rsplit("/providers/", 1)[0]
    for target, group, name in ((f"{group_id}/providers/Microsoft.KeyVault/vaults/{VAULT}", "vault", "pe-kv"),
                                (f"{group_id}/providers/Microsoft.Sql/servers/{SERVER}", "sqlServer", "pe-sql")):
        pe = az("network", "private-endpoint", "create", "--name", name, "--resource-group", NET_RG, "--vnet-name",
                VNET, "--subnet", "snet-workload", "--private-connection-resource-id", target, "--group-id", group,
                "--connection-name", f"conn-{group}")
        assert pe["privateLinkServiceConnections"][0]["privateLinkServiceConnectionState"]["status"] == "Approved"
        listed = az("network", "private-endpoint-connection", "list", "--id", target)
        assert [c["properties"]["privateEndpoint"]["id"].lower() for c in listed] == [pe["id"].lower()]
