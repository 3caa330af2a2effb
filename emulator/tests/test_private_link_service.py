"""Internal Standard load balancers, private link services and private endpoints to them (issue 18), driven through
the real azure-mgmt-network client over HTTPS. Sources: providers/linkservices.py (its docstring names each one)."""

import re

import pytest
from azure.core.exceptions import HttpResponseError
from azure.identity import ClientSecretCredential
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

from privnet_emulator import SECOND_SUBSCRIPTION
from privnet_emulator.tenants import SUBSCRIPTION_2, TENANT_2

RG, CONSUMER_RG = "rg-pls", "rg-consumer"
LB, PLS = "lb-internal", "pls-app"
ARM_SCOPE = "https://management.azure.com/.default"
THIRD_PARTY = "ThirdPartyPrivateLinkServiceProvidedDuringPrivateEndpointCreationDoesNotExistOrIsNotVisible"


def error_code(err):
    return err.value.error.code


# ---- the provider's estate ---------------------------------------------------------------------------------------
def make_provider_network(clients, nat_policies="Disabled"):
    clients.resource.resource_groups.create_or_update(RG, {"location": "westeurope"})
    vnet = clients.network.virtual_networks.begin_create_or_update(RG, "vnet-provider", {
        "location": "westeurope", "properties": {
            "addressSpace": {"addressPrefixes": ["10.30.0.0/16"]},
            "subnets": [{"name": "snet-lb", "properties": {"addressPrefix": "10.30.1.0/24"}},
                        {"name": "snet-nat", "properties": {"addressPrefix": "10.30.2.0/24",
                                                            "privateLinkServiceNetworkPolicies": nat_policies}}]}
    }).result()
    return {s.name: s.id for s in vnet.subnets}


def lb_body(subnet_id, lb_id, sku="Standard"):
    def ref(collection, name):
        return {"id": f"{lb_id}/{collection}/{name}"}
    return {"location": "westeurope", "sku": {"name": sku}, "properties": {
        "frontendIPConfigurations": [{"name": "fe", "properties": {
            "subnet": {"id": subnet_id}, "privateIPAllocationMethod": "Dynamic"}}],
        "backendAddressPools": [{"name": "pool"}],
        "probes": [{"name": "probe-tcp", "properties": {"protocol": "tcp", "port": 80, "intervalInSeconds": 15,
                                                        "numberOfProbes": 2}}],
        "loadBalancingRules": [{"name": "rule-http", "properties": {
            "protocol": "Tcp", "frontendPort": 80, "backendPort": 8080, "idleTimeoutInMinutes": 4,
            "frontendIPConfiguration": ref("frontendIPConfigurations", "fe"),
            "backendAddressPool": ref("backendAddressPools", "pool"), "probe": ref("probes", "probe-tcp")}}]}}


def lb_id(clients, name=LB):
    return f"/subscriptions/{clients.subscription}/resourceGroups/{RG}/providers/Microsoft.Network/loadBalancers/{name}"


def make_lb(clients, subnets, name=LB, sku="Standard"):
    return clients.network.load_balancers.begin_create_or_update(
        RG, name, lb_body(subnets["snet-lb"], lb_id(clients, name), sku)).result()


def pls_body(frontend_id, nat_subnet_id, visibility=(), auto_approval=(), **props):
    return {"location": "westeurope", "properties": dict({
        "loadBalancerFrontendIpConfigurations": [{"id": frontend_id}],
        "ipConfigurations": [{"name": "nat-1", "properties": {"subnet": {"id": nat_subnet_id},
                                                              "privateIPAllocationMethod": "Dynamic",
                                                              "primary": True}}],
        "visibility": {"subscriptions": list(visibility)}, "autoApproval": {"subscriptions": list(auto_approval)},
        "fqdns": ["app.contoso.example"]}, **props)}


def make_service(clients, visibility=(), auto_approval=()):
    subnets = make_provider_network(clients)
    lb = make_lb(clients, subnets)
    return clients.network.private_link_services.begin_create_or_update(
        RG, PLS, pls_body(lb.frontend_ip_configurations[0].id, subnets["snet-nat"], visibility,
                          auto_approval)).result()


# ---- the consumer's side -----------------------------------------------------------------------------------------
def make_consumer_subnet(resource, network, rg=CONSUMER_RG):
    resource.resource_groups.create_or_update(rg, {"location": "westeurope"})
    vnet = network.virtual_networks.begin_create_or_update(rg, "vnet-consumer", {
        "location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.40.0.0/16"]},
                                                 "subnets": [{"name": "snet-pe",
                                                              "properties": {"addressPrefix": "10.40.1.0/24"}}]}
    }).result()
    return vnet.subnets[0].id


def pe_body(subnet_id, target, manual=False, message="please approve"):
    kind = "manualPrivateLinkServiceConnections" if manual else "privateLinkServiceConnections"
    conn = {"name": "conn-pls", "properties": {"privateLinkServiceId": target}}
    if manual:
        conn["properties"]["requestMessage"] = message
    return {"location": "westeurope", "properties": {"subnet": {"id": subnet_id}, kind: [conn]}}


def connection_of(pe):
    conns = pe.manual_private_link_service_connections or pe.private_link_service_connections
    return conns[0]


def state_of(pe):
    state = connection_of(pe).private_link_service_connection_state
    return state.status, state.description


@pytest.fixture
def cross_tenant(emulator):
    """The cross_tenant scenario and a network client for its second tenant's subscription, signed into that
    tenant (the consumer of another organisation)."""
    emulator.control.scenario("cross_tenant")
    env = emulator.env
    credential = ClientSecretCredential(TENANT_2, env["AZURE_CLIENT_ID"], env["AZURE_SECRET"],
                                        authority=env["AZURE_AUTHORITY_HOST"], connection_verify=emulator.ca_path,
                                        disable_instance_discovery=True)

    def client(cls):
        return cls(credential, SUBSCRIPTION_2, base_url=emulator.url, credential_scopes=[ARM_SCOPE],
                   connection_verify=emulator.ca_path, polling_interval=0)
    network = client(NetworkManagementClient)
    vnet = network.virtual_networks.get("rg-spoke", "vnet-spoke")
    return {"network": network, "resource": client(ResourceManagementClient), "subnet": vnet.subnets[0].id}


# ---- load balancers ----------------------------------------------------------------------------------------------
def test_internal_standard_load_balancer(clients):
    subnets = make_provider_network(clients)
    lb = make_lb(clients, subnets)
    assert lb.provisioning_state == "Succeeded"
    assert (lb.sku.name, lb.etag.startswith('W/"')) == ("Standard", True)
    fe = lb.frontend_ip_configurations[0]
    assert fe.id == f"{lb.id}/frontendIPConfigurations/fe"
    assert fe.type == "Microsoft.Network/loadBalancers/frontendIPConfigurations"
    assert (fe.private_ip_address, fe.private_ip_allocation_method, fe.subnet.id) == \
        ("10.30.1.4", "Dynamic", subnets["snet-lb"])
    rule = lb.load_balancing_rules[0]
    assert rule.frontend_ip_configuration.id == fe.id and rule.probe.id == lb.probes[0].id
    assert [r.id for r in fe.load_balancing_rules] == [rule.id]
    assert lb.probes[0].protocol == "Tcp"   # read case-insensitively, answered in the spec's casing

    shown = clients.network.load_balancer_frontend_ip_configurations.get(RG, LB, "fe")
    assert (shown.id, shown.private_ip_address, shown.etag) == (fe.id, "10.30.1.4", lb.etag)
    assert [p.name for p in clients.network.load_balancer_probes.list(RG, LB)] == ["probe-tcp"]
    assert [p.name for p in clients.network.load_balancer_backend_address_pools.list(RG, LB)] == ["pool"]
    assert [r.name for r in clients.network.load_balancer_load_balancing_rules.list(RG, LB)] == ["rule-http"]
    assert [x.name for x in clients.network.load_balancers.list(RG)] == [LB]
    assert LB in [x.name for x in clients.network.load_balancers.list_all()]

    # A second PUT keeps the dynamic address; a tags PATCH changes nothing else.
    again = make_lb(clients, subnets)
    assert again.frontend_ip_configurations[0].private_ip_address == "10.30.1.4"
    tagged = clients.network.load_balancers.update_tags(RG, LB, {"tags": {"env": "test"}})
    assert tagged.tags == {"env": "test"} and len(tagged.load_balancing_rules) == 1

    # A static frontend address keeps its address; a rule naming another load balancer's probe is refused.
    body = lb_body(subnets["snet-lb"], lb_id(clients, "lb-static"))
    body["properties"]["frontendIPConfigurations"][0]["properties"].update(
        {"privateIPAllocationMethod": "Static", "privateIPAddress": "10.30.1.50"})
    static = clients.network.load_balancers.begin_create_or_update(RG, "lb-static", body).result()
    assert static.frontend_ip_configurations[0].private_ip_address == "10.30.1.50"
    body = lb_body(subnets["snet-lb"], lb_id(clients, "lb-bad"))
    body["properties"]["loadBalancingRules"][0]["properties"]["probe"] = {"id": f"{lb.id}/probes/probe-tcp"}
    with pytest.raises(HttpResponseError) as err:
        clients.network.load_balancers.begin_create_or_update(RG, "lb-bad", body)
    assert error_code(err) == "InvalidResourceReference"

    # The subnet holding a frontend is in use.
    with pytest.raises(HttpResponseError) as err:
        clients.network.subnets.begin_delete(RG, "vnet-provider", "snet-lb").result()
    assert error_code(err) == "InUseSubnetCannotBeDeleted"


# ---- private link services ---------------------------------------------------------------------------------------
def test_service_refused_on_basic_lb_and_on_a_subnet_with_policies_then_created(clients):
    subnets = make_provider_network(clients, nat_policies="Enabled")
    basic = make_lb(clients, subnets, name="lb-basic", sku="Basic")
    standard = make_lb(clients, subnets)
    with pytest.raises(HttpResponseError) as err:
        clients.network.private_link_services.begin_create_or_update(
            RG, PLS, pls_body(basic.frontend_ip_configurations[0].id, subnets["snet-nat"]))
    assert err.value.status_code == 400 and "Standard" in err.value.error.message
    with pytest.raises(HttpResponseError) as err:
        clients.network.private_link_services.begin_create_or_update(
            RG, PLS, pls_body(f"{standard.id}/frontendIPConfigurations/nope", subnets["snet-nat"]))
    assert error_code(err) == "InvalidResourceReference"
    with pytest.raises(HttpResponseError) as err:
        clients.network.private_link_services.begin_create_or_update(
            RG, PLS, pls_body(standard.frontend_ip_configurations[0].id, subnets["snet-nat"]))
    assert error_code(err) == "PrivateLinkServiceCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled"
    assert subnets["snet-nat"] in err.value.error.message

    clients.network.subnets.begin_create_or_update(RG, "vnet-provider", "snet-nat", {"properties": {
        "addressPrefix": "10.30.2.0/24", "privateLinkServiceNetworkPolicies": "Disabled"}}).result()
    pls = clients.network.private_link_services.begin_create_or_update(
        RG, PLS, pls_body(standard.frontend_ip_configurations[0].id, subnets["snet-nat"],
                          enableProxyProtocol=True)).result()
    assert pls.provisioning_state == "Succeeded"
    assert re.fullmatch(rf"{PLS}\.[0-9a-f-]{{36}}\.westeurope\.azure\.privatelinkservice", pls.alias)
    assert [f.id for f in pls.load_balancer_frontend_ip_configurations] == [standard.frontend_ip_configurations[0].id]
    nat = pls.ip_configurations[0]
    assert (nat.name, nat.private_ip_address, nat.primary, nat.subnet.id) == \
        ("nat-1", "10.30.2.4", True, subnets["snet-nat"])
    assert nat.id == f"{pls.id}/ipConfigurations/nat-1"
    assert (pls.visibility.subscriptions, pls.auto_approval.subscriptions) == ([], [])
    assert (pls.fqdns, pls.enable_proxy_protocol, pls.private_endpoint_connections) == \
        (["app.contoso.example"], True, [])

    # The service's NIC: created with it, named {service}.nic.{id}, holding the NAT address, not the customer's.
    nic_id = pls.network_interfaces[0].id
    assert re.fullmatch(rf".*/resourceGroups/{RG}/providers/Microsoft.Network/networkInterfaces/{PLS}\.nic\.[0-9a-f-]+",
                        nic_id)
    nic = clients.network.network_interfaces.get(RG, nic_id.split("/")[-1])
    assert nic.private_link_service.id == pls.id
    assert [c.private_ip_address for c in nic.ip_configurations] == ["10.30.2.4"]
    with pytest.raises(HttpResponseError) as err:
        clients.network.network_interfaces.begin_delete(RG, nic.name).result()
    assert err.value.status_code == 400

    # An update keeps the alias and the NAT address.
    again = clients.network.private_link_services.begin_create_or_update(
        RG, PLS, pls_body(standard.frontend_ip_configurations[0].id, subnets["snet-nat"],
                          visibility=["*"])).result()
    assert (again.alias, again.ip_configurations[0].private_ip_address) == (pls.alias, "10.30.2.4")
    assert again.visibility.subscriptions == ["*"]
    assert [p.name for p in clients.network.private_link_services.list(RG)] == [PLS]


def test_endpoint_from_an_auto_approved_subscription_is_approved(clients):
    pls = make_service(clients, visibility=[SECOND_SUBSCRIPTION], auto_approval=[SECOND_SUBSCRIPTION])
    subnet = make_consumer_subnet(clients.resource2, clients.network2)
    pe = clients.network2.private_endpoints.begin_create_or_update(
        CONSUMER_RG, "pe-app", pe_body(subnet, pls.id, manual=True)).result()
    assert state_of(pe) == ("Approved", "Auto-Approved")
    assert connection_of(pe).private_link_service_id == pls.id
    nic = clients.network2.network_interfaces.get(CONSUMER_RG, pe.network_interfaces[0].id.split("/")[-1])
    assert [c.private_ip_address for c in nic.ip_configurations] == ["10.40.1.4"]

    conns = list(clients.network.private_link_services.list_private_endpoint_connections(RG, PLS))
    assert len(conns) == 1
    conn = conns[0]
    assert conn.private_endpoint.id == pe.id and conn.name.startswith("pe-app.")
    assert conn.type == "Microsoft.Network/privateLinkServices/privateEndpointConnections"
    assert conn.private_link_service_connection_state.status == "Approved"
    assert conn.private_endpoint_location == "westeurope" and conn.link_identifier.isdigit()
    shown = clients.network.private_link_services.get(RG, PLS)
    assert [c.id for c in shown.private_endpoint_connections] == [conn.id]
    approved = list(clients.network2.private_link_services.list_auto_approved_private_link_services("westeurope"))
    assert [a.private_link_service for a in approved] == [pls.id]


def test_automatic_request_with_access_on_the_service_is_approved(clients):
    # Nothing listed: visible and approved because the caller may act on the service (RBAC, same tenant).
    pls = make_service(clients)
    subnet = make_consumer_subnet(clients.resource2, clients.network2)
    pe = clients.network2.private_endpoints.begin_create_or_update(CONSUMER_RG, "pe-app", pe_body(subnet, pls.id)) \
        .result()
    assert state_of(pe) == ("Approved", "Auto-Approved")


def test_visible_request_waits_as_pending_then_the_provider_approves_it(clients):
    pls = make_service(clients, visibility=[SECOND_SUBSCRIPTION])
    subnet = make_consumer_subnet(clients.resource2, clients.network2)
    pe = clients.network2.private_endpoints.begin_create_or_update(
        CONSUMER_RG, "pe-app", pe_body(subnet, pls.alias, manual=True)).result()   # by alias
    assert state_of(pe) == ("Pending", "please approve")
    assert connection_of(pe).private_link_service_id == pls.alias
    body = pe_body(subnet, pls.alias, manual=True)
    body["tags"] = {"team": "consumer"}
    pe = clients.network2.private_endpoints.begin_create_or_update(CONSUMER_RG, "pe-app", body).result()
    assert state_of(pe) == ("Pending", "please approve") and pe.tags == {"team": "consumer"}
    assert len(list(clients.network.private_link_services.list_private_endpoint_connections(RG, PLS))) == 1

    conn = list(clients.network.private_link_services.list_private_endpoint_connections(RG, PLS))[0]
    assert conn.private_link_service_connection_state.status == "Pending"
    updated = clients.network.private_link_services.update_private_endpoint_connection(RG, PLS, conn.name, {
        "name": conn.name, "properties": {"privateLinkServiceConnectionState": {
            "status": "Approved", "description": "welcome"}}})
    assert (updated.private_link_service_connection_state.status,
            updated.private_link_service_connection_state.description) == ("Approved", "welcome")
    pe = clients.network2.private_endpoints.get(CONSUMER_RG, "pe-app")
    assert state_of(pe) == ("Approved", "welcome")
    got = clients.network.private_link_services.get_private_endpoint_connection(RG, PLS, conn.name)
    assert got.private_link_service_connection_state.status == "Approved"

    with pytest.raises(HttpResponseError) as err:
        clients.network.private_link_services.update_private_endpoint_connection(RG, PLS, conn.name, {
            "properties": {"privateLinkServiceConnectionState": {"status": "Maybe"}}})
    assert err.value.status_code == 400

    # The provider removes the connection: the endpoint shows it Disconnected.
    clients.network.private_link_services.begin_delete_private_endpoint_connection(RG, PLS, conn.name).result()
    assert list(clients.network.private_link_services.list_private_endpoint_connections(RG, PLS)) == []
    pe = clients.network2.private_endpoints.get(CONSUMER_RG, "pe-app")
    assert state_of(pe)[0] == "Disconnected"


def test_request_from_outside_the_visibility_is_refused(clients, cross_tenant):
    pls = make_service(clients, visibility=[SECOND_SUBSCRIPTION])
    network = cross_tenant["network"]
    for target in (pls.id, pls.alias):
        with pytest.raises(HttpResponseError) as err:
            network.private_endpoints.begin_create_or_update("rg-spoke", "pe-partner",
                                                             pe_body(cross_tenant["subnet"], target, manual=True))
        assert err.value.status_code == 400 and error_code(err) == THIRD_PARTY
    with pytest.raises(HttpResponseError) as err:   # an alias that names no service
        network.private_endpoints.begin_create_or_update("rg-spoke", "pe-partner", pe_body(
            cross_tenant["subnet"], "nothing.00000000-0000-0000-0000-000000000000.westeurope.azure.privatelinkservice",
            manual=True))
    assert error_code(err) == THIRD_PARTY

    # Listed in the visibility, the partner's request reaches the provider as Pending.
    clients.network.private_link_services.begin_create_or_update(RG, PLS, pls_body(
        pls.load_balancer_frontend_ip_configurations[0].id, pls.ip_configurations[0].subnet.id,
        visibility=[SECOND_SUBSCRIPTION, SUBSCRIPTION_2])).result()
    pe = network.private_endpoints.begin_create_or_update(
        "rg-spoke", "pe-partner", pe_body(cross_tenant["subnet"], pls.alias, manual=True)).result()
    assert state_of(pe) == ("Pending", "please approve")


def test_visibility_check(clients, cross_tenant):
    pls = make_service(clients, visibility=[SECOND_SUBSCRIPTION])
    network = cross_tenant["network"]

    def check(client, alias, rg=None):
        body = {"privateLinkServiceAlias": alias}
        ops = client.private_link_services
        poller = ops.begin_check_private_link_service_visibility("westeurope", body) if rg is None else \
            ops.begin_check_private_link_service_visibility_by_resource_group("westeurope", rg, body)
        return poller.result().visible

    assert check(clients.network2, pls.alias) is True
    assert check(network, pls.alias) is False
    assert check(network, pls.alias, rg="rg-spoke") is False
    assert check(network, "nothing.00000000-0000-0000-0000-000000000000.westeurope.azure.privatelinkservice") is False
    clients.network.private_link_services.begin_create_or_update(RG, PLS, pls_body(
        pls.load_balancer_frontend_ip_configurations[0].id, pls.ip_configurations[0].subnet.id,
        visibility=["*"])).result()
    assert check(network, pls.alias) is True
    assert check(network, pls.alias, rg="rg-spoke") is True


def test_deletes(clients):
    pls = make_service(clients, visibility=[SECOND_SUBSCRIPTION], auto_approval=[SECOND_SUBSCRIPTION])
    subnet = make_consumer_subnet(clients.resource2, clients.network2)
    pe = clients.network2.private_endpoints.begin_create_or_update(CONSUMER_RG, "pe-app", pe_body(subnet, pls.id)) \
        .result()
    clients.network2.private_endpoints.begin_delete(CONSUMER_RG, "pe-app").result()
    assert list(clients.network.private_link_services.list_private_endpoint_connections(RG, PLS)) == []

    pe = clients.network2.private_endpoints.begin_create_or_update(CONSUMER_RG, "pe-app", pe_body(subnet, pls.id)) \
        .result()
    nic_name = pls.network_interfaces[0].id.split("/")[-1]
    clients.network.private_link_services.begin_delete(RG, PLS).result()
    assert PLS not in [p.name for p in clients.network.private_link_services.list(RG)]
    assert nic_name not in [n.name for n in clients.network.network_interfaces.list(RG)]
    pe = clients.network2.private_endpoints.get(CONSUMER_RG, "pe-app")
    assert state_of(pe)[0] == "Disconnected"

    clients.network.load_balancers.begin_delete(RG, LB).result()
    assert list(clients.network.load_balancers.list(RG)) == []
    clients.network.subnets.begin_delete(RG, "vnet-provider", "snet-lb").result()
    clients.network.subnets.begin_delete(RG, "vnet-provider", "snet-nat").result()


def test_api_versions_of_the_location_actions_and_the_hub_profile(clients, emulator):
    from azure.core.rest import HttpRequest
    base = f"/subscriptions/{clients.subscription}/providers/Microsoft.Network/locations/westeurope"
    body = {"privateLinkServiceAlias": "x.00000000-0000-0000-0000-000000000000.westeurope.azure.privatelinkservice"}
    resp = clients.network.send_request(HttpRequest(
        "POST", f"{base}/checkPrivateLinkServiceVisibility?api-version=2026-03-01", json=body))
    assert (resp.status_code, resp.json()) == (200, {"visible": False})
    resp = clients.network.send_request(HttpRequest(
        "POST", f"{base}/checkPrivateLinkServiceVisibility?api-version=1999-01-01", json=body))
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "InvalidApiVersionParameter"
    # Azure Stack Hub's profile (Microsoft.Network 2018-11-01) predates private link services (2019-04-01).
    emulator.control.config(api_profile="2020-09-01-hybrid")
    try:
        resp = clients.network.send_request(HttpRequest(
            "GET", f"/subscriptions/{clients.subscription}/resourceGroups/{RG}/providers/Microsoft.Network/"
                   "privateLinkServices/x?api-version=2018-11-01"))
        assert resp.status_code == 400 and resp.json()["error"]["code"] == "InvalidResourceType"
    finally:
        emulator.control.config(api_profile="")


def test_private_link_service_scenario(clients):
    loaded = clients.control.scenario("private_link_service")["loaded"]
    assert any(i.endswith("/privateLinkServices/pls-app") for i in loaded)
    pls = clients.network.private_link_services.get("rg-provider", "pls-app")
    assert pls.alias.startswith("pls-app.") and pls.visibility.subscriptions == [SECOND_SUBSCRIPTION]
    assert pls.ip_configurations[0].private_ip_address == "10.50.2.4"
    lb = clients.network.load_balancers.get("rg-provider", "lb-app")
    assert (lb.sku.name, lb.frontend_ip_configurations[0].private_ip_address) == ("Standard", "10.50.1.4")
    assert [f.id for f in pls.load_balancer_frontend_ip_configurations] == [lb.frontend_ip_configurations[0].id]
    subnet = clients.network2.subnets.get("rg-consumer", "vnet-consumer", "snet-endpoints")
    pe = clients.network2.private_endpoints.begin_create_or_update(
        "rg-consumer", "pe-app", pe_body(subnet.id, pls.alias, manual=True)).result()
    assert state_of(pe) == ("Pending", "please approve")
    closed = clients.network.subnets.get("rg-provider", "vnet-provider", "snet-closed")
    with pytest.raises(HttpResponseError) as err:
        clients.network.private_link_services.begin_create_or_update("rg-provider", "pls-closed", pls_body(
            lb.frontend_ip_configurations[0].id, closed.id))
    assert error_code(err) == "PrivateLinkServiceCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled"
