"""The real Azure CLI as a judge of load balancers and private link services (issue 18): `az network lb create`
(Standard, internal, its frontend in a subnet; an ARM template deployment: providers/deployments.py) with the
article's `lb probe create` and `lb rule create`, `az network vnet subnet update
--private-link-service-network-policies`, `az network private-link-service create --lb-name
--lb-frontend-ip-configs --subnet` with visibility and auto-approval, `show` and `list-auto-approved`, a consumer's
`az network private-endpoint create --private-connection-resource-id <id> --manual-request`, the provider's
`az network private-link-service connection update --connection-status Approved`, an endpoint naming the service by
its alias, and a service on a Basic load balancer refused; against the emulator's `private_link_service` scenario (a
provider in the default subscription, a consumer network in the second one).

The CLI procedure follows Microsoft Learn `articles/private-link/create-private-link-service-cli.md` (the 2019
version: internal Standard LB, subnet policy, service, then an endpoint from another VNet by the service's resource
id). The alias as `--private-connection-resource-id`: Azure CLI 2.91 declares the argument a plain string
(command_modules/network/custom.py, PrivateEndpointCreate: AAZStrArg, not a resource id argument) and puts it in
`privateLinkServiceId` unchanged; the private link service overview says a consumer connects with the alias or the
resource id. Same rules as test_acr_article.py: runs when PRIVNET_AZ names the az executable (`make cli-tests`); a CLI
failure is an emulator gap.
"""

import pytest

from privnet_emulator import SECOND_SUBSCRIPTION

from test_acr_article import AZ, az  # noqa: F401  (the module-scoped fixture: a fresh emulator, az signed in)
from test_targets_cli import az_fails

pytestmark = pytest.mark.skipif(not AZ, reason="PRIVNET_AZ (the az executable) is not set; `make cli-tests` sets it")

PROVIDER_RG, VNET, CONSUMER_RG, CONSUMER_VNET = "rg-provider", "vnet-provider", "rg-consumer", "vnet-consumer"
LB, BASIC_LB, PLS = "lb-cli", "lb-basic", "pls-cli"


@pytest.fixture(scope="module")
def estate(az):   # noqa: F811
    az.emulator.control.scenario("private_link_service")
    return {"sub": az("account", "show")["id"]}


def consumer(*args):
    return [*args, "--subscription", SECOND_SUBSCRIPTION]


def test_internal_standard_load_balancer(az, estate):   # noqa: F811
    created = az("network", "lb", "create", "--resource-group", PROVIDER_RG, "--name", LB, "--sku", "Standard",
                 "--vnet-name", VNET, "--subnet", "snet-lb", "--frontend-ip-name", "fe-cli", "--backend-pool-name",
                 "pool-cli")
    lb = created["loadBalancer"]
    assert lb["frontendIPConfigurations"][0]["properties"]["privateIPAllocationMethod"] == "Dynamic"
    shown = az("network", "lb", "show", "--resource-group", PROVIDER_RG, "--name", LB)
    assert shown["sku"]["name"] == "Standard"
    frontend = shown["frontendIPConfigurations"][0]
    assert frontend["name"] == "fe-cli" and frontend["subnet"]["id"].lower().endswith("/subnets/snet-lb")
    assert frontend["privateIPAddress"].startswith("10.50.1.")
    assert [p["name"] for p in shown["backendAddressPools"]] == ["pool-cli"]
    listed = az("network", "lb", "frontend-ip", "list", "--resource-group", PROVIDER_RG, "--lb-name", LB)
    assert [f["name"] for f in listed] == ["fe-cli"]
    # the article's probe and rule (api-version 2023-04-01, as the CLI's aaz lb probe / rule commands send it)
    probe = az("network", "lb", "probe", "create", "--resource-group", PROVIDER_RG, "--lb-name", LB, "--name",
               "probe-cli", "--protocol", "tcp", "--port", "80")
    assert (probe["protocol"], probe["port"]) == ("Tcp", 80)
    rule = az("network", "lb", "rule", "create", "--resource-group", PROVIDER_RG, "--lb-name", LB, "--name",
              "rule-cli", "--protocol", "tcp", "--frontend-port", "80", "--backend-port", "80", "--frontend-ip-name",
              "fe-cli", "--backend-pool-name", "pool-cli", "--probe-name", "probe-cli", "--idle-timeout", "15",
              "--enable-tcp-reset", "true")
    assert rule["probe"]["id"].lower().endswith(f"/loadbalancers/{LB}/probes/probe-cli")
    assert (rule["idleTimeoutInMinutes"], rule["enableTcpReset"]) == (15, True)


def test_service_needs_the_subnet_policy_disabled(az, estate):   # noqa: F811
    args = ["network", "private-link-service", "create", "--resource-group", PROVIDER_RG, "--name", PLS,
            "--lb-name", LB, "--lb-frontend-ip-configs", "fe-cli", "--vnet-name", VNET, "--subnet", "snet-closed",
            "--visibility", SECOND_SUBSCRIPTION, "--auto-approval", estate["sub"], "--fqdns", "api.provider.example"]
    error = az_fails(az, *args)
    assert "PrivateLinkServiceCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled" in error
    subnet = az("network", "vnet", "subnet", "update", "--resource-group", PROVIDER_RG, "--vnet-name", VNET,
                "--name", "snet-closed", "--private-link-service-network-policies", "Disabled")
    assert subnet["privateLinkServiceNetworkPolicies"] == "Disabled"
    created = az(*args)
    assert created["provisioningState"] == "Succeeded"
    assert created["visibility"]["subscriptions"] == [SECOND_SUBSCRIPTION]
    assert created["autoApproval"]["subscriptions"] == [estate["sub"]]
    assert created["fqdns"] == ["api.provider.example"]
    nat = created["ipConfigurations"][0]
    assert nat["subnet"]["id"].lower().endswith("/subnets/snet-closed")
    assert nat["privateIPAddress"].startswith("10.50.3.")
    assert created["loadBalancerFrontendIpConfigurations"][0]["id"].lower().endswith(
        f"/loadbalancers/{LB}/frontendipconfigurations/fe-cli")


def test_show_has_the_alias(az, estate):   # noqa: F811
    shown = az("network", "private-link-service", "show", "--resource-group", PROVIDER_RG, "--name", PLS)
    # private-link-service-overview.md "Alias": {name}.{GUID}.{region}.azure.privatelinkservice
    name, guid, rest = shown["alias"].split(".", 2)
    assert name == PLS and len(guid) == 36 and rest == "westeurope.azure.privatelinkservice"
    assert shown["networkInterfaces"] and "/networkInterfaces/" in shown["networkInterfaces"][0]["id"]
    listed = az("network", "private-link-service", "list", "--resource-group", PROVIDER_RG)
    assert sorted(s["name"] for s in listed) == ["pls-app", PLS]
    # the service auto-approves this subscription (autoApprovedPrivateLinkServices; api-version 2023-09-01)
    auto = az("network", "private-link-service", "list-auto-approved", "--location", "westeurope")
    assert [a["privateLinkService"].lower() for a in auto] == [shown["id"].lower()]


def test_consumer_endpoint_by_id_waits_then_the_provider_approves(az, estate):   # noqa: F811
    pls_id = az("network", "private-link-service", "show", "--resource-group", PROVIDER_RG, "--name", PLS,
                "--query", "id", output="tsv")
    endpoint = az(*consumer("network", "private-endpoint", "create", "--resource-group", CONSUMER_RG, "--name",
                            "pe-by-id", "--vnet-name", CONSUMER_VNET, "--subnet", "snet-endpoints",
                            "--private-connection-resource-id", pls_id, "--connection-name", "conn-by-id",
                            "--manual-request", "true", "--request-message", "team A asks"))
    state = endpoint["manualPrivateLinkServiceConnections"][0]["privateLinkServiceConnectionState"]
    assert (state["status"], state["description"]) == ("Pending", "team A asks")
    shown = az("network", "private-link-service", "show", "--resource-group", PROVIDER_RG, "--name", PLS)
    conns = shown["privateEndpointConnections"]
    assert len(conns) == 1 and conns[0]["privateLinkServiceConnectionState"]["status"] == "Pending"
    assert conns[0]["privateEndpoint"]["id"].lower() == endpoint["id"].lower()
    approved = az("network", "private-link-service", "connection", "update", "--resource-group", PROVIDER_RG,
                  "--service-name", PLS, "--name", conns[0]["name"], "--connection-status", "Approved",
                  "--description", "welcome")
    assert approved["privateLinkServiceConnectionState"]["status"] == "Approved"
    seen = az(*consumer("network", "private-endpoint", "show", "--resource-group", CONSUMER_RG, "--name",
                        "pe-by-id"))
    state = seen["manualPrivateLinkServiceConnections"][0]["privateLinkServiceConnectionState"]
    assert (state["status"], state["description"]) == ("Approved", "welcome")


def test_consumer_endpoint_by_alias(az, estate):   # noqa: F811
    alias = az("network", "private-link-service", "show", "--resource-group", PROVIDER_RG, "--name", PLS,
               "--query", "alias", output="tsv")
    endpoint = az(*consumer("network", "private-endpoint", "create", "--resource-group", CONSUMER_RG, "--name",
                            "pe-by-alias", "--vnet-name", CONSUMER_VNET, "--subnet", "snet-endpoints",
                            "--private-connection-resource-id", alias, "--connection-name", "conn-by-alias",
                            "--manual-request", "true"))
    conn = endpoint["manualPrivateLinkServiceConnections"][0]
    assert conn["privateLinkServiceConnectionState"]["status"] == "Pending"
    listed = az("network", "private-link-service", "show", "--resource-group", PROVIDER_RG, "--name", PLS,
                "--query", "privateEndpointConnections[].privateEndpoint.id")
    assert endpoint["id"].lower() in [i.lower() for i in listed]
    # an alias that names no service: Azure's not-visible answer
    error = az_fails(az, *consumer("network", "private-endpoint", "create", "--resource-group", CONSUMER_RG,
                                   "--name", "pe-nowhere", "--vnet-name", CONSUMER_VNET, "--subnet", "snet-endpoints",
                                   "--private-connection-resource-id",
                                   "nothing.00000000-0000-0000-0000-000000000000.westeurope.azure.privatelinkservice",
                                   "--connection-name", "conn-nowhere", "--manual-request", "true"))
    assert "ThirdPartyPrivateLinkServiceProvidedDuringPrivateEndpointCreationDoesNotExistOrIsNotVisible" in error


def test_service_on_a_basic_load_balancer_is_refused(az, estate):   # noqa: F811
    az("network", "lb", "create", "--resource-group", PROVIDER_RG, "--name", BASIC_LB, "--sku", "Basic",
       "--vnet-name", VNET, "--subnet", "snet-lb", "--frontend-ip-name", "fe-basic", "--backend-pool-name",
       "pool-basic")
    assert az("network", "lb", "show", "--resource-group", PROVIDER_RG, "--name", BASIC_LB, "--query", "sku.name",
              output="tsv") == "Basic"
    error = az_fails(az, "network", "private-link-service", "create", "--resource-group", PROVIDER_RG, "--name",
                     "pls-basic", "--lb-name", BASIC_LB, "--lb-frontend-ip-configs", "fe-basic", "--vnet-name", VNET,
                     "--subnet", "snet-nat")
    # private-link-service-overview.md: Standard Load Balancer only (the code and wording: linkservices.py)
    assert "BadRequest" in error and "supported on Standard load balancers only" in error
