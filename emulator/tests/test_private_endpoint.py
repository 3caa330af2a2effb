"""Private endpoints to a container registry, their NICs and DNS zone groups, driven through the real SDKs."""

import re

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.core.rest import HttpRequest

from privnet_emulator import SECOND_SUBSCRIPTION

RG, NET_RG, ACR_RG = "rg-pe", "rg-net", "rg-acr"
REG = "acrprivnetdemo"
ZONE = "privatelink.azurecr.io"


# ---- helpers ------------------------------------------------------------------------------------------------
def error_code(err):
    return err.value.error.code


def make_network(clients, prefix="10.20.1.0/24", policies=None, location="westeurope"):
    clients.resource.resource_groups.create_or_update(NET_RG, {"location": location})
    subnet = {"name": "snet-pe", "properties": {"addressPrefix": prefix}}
    if policies:
        subnet["properties"]["privateEndpointNetworkPolicies"] = policies
    vnet = clients.network.virtual_networks.begin_create_or_update(NET_RG, "vnet-app", {
        "location": location, "properties": {"addressSpace": {"addressPrefixes": ["10.20.0.0/16"]},
                                             "subnets": [subnet]}}).result()
    return vnet.subnets[0].id


def make_registry(clients, name=REG, sku="Premium", replicas=()):
    clients.resource.resource_groups.create_or_update(ACR_RG, {"location": "westeurope"})
    registry = clients.acr.registries.begin_create(ACR_RG, name, {
        "location": "westeurope", "sku": {"name": sku}, "properties": {"adminUserEnabled": False}}).result()
    for region in replicas:
        clients.acr.replications.begin_create(ACR_RG, name, region, {"location": region}).result()
    return registry


def pe_body(subnet_id, target_id, manual=False, group_ids=("registry",), location="westeurope", **props):
    kind = "manualPrivateLinkServiceConnections" if manual else "privateLinkServiceConnections"
    conn = {"name": "conn-acr", "properties": {"privateLinkServiceId": target_id, "groupIds": list(group_ids)}}
    if manual:
        conn["properties"]["requestMessage"] = "please approve"
    return {"location": location, "properties": dict({"subnet": {"id": subnet_id}, kind: [conn]}, **props)}


def make_pe(clients, subnet_id, target_id, name="pe-acr", rg=RG, manual=False, network=None, **props):
    clients.resource.resource_groups.create_or_update(rg, {"location": "westeurope"})
    network = network or clients.network
    return network.private_endpoints.begin_create_or_update(rg, name, pe_body(subnet_id, target_id, manual,
                                                                              **props)).result()


def nic_of(clients, pe, network=None):
    nic_id = pe.network_interfaces[0].id
    parts = nic_id.split("/")
    return (network or clients.network).network_interfaces.get(parts[4], parts[-1])


def members(nic):
    return [(c.private_link_connection_properties.required_member_name, c.private_ip_address,
             c.private_link_connection_properties.fqdns, c.private_ip_allocation_method, c.primary)
            for c in nic.ip_configurations]


def connections(clients, name=REG):
    return list(clients.acr.private_endpoint_connections.list(ACR_RG, name))


def make_zone(clients):
    clients.resource.resource_groups.create_or_update("rg-dns", {"location": "westeurope"})
    return clients.privatedns.private_zones.begin_create_or_update("rg-dns", ZONE, {"location": "global"}).result()


def a_records(clients):
    return {r.name: sorted(a.ipv4_address for a in r.a_records)
            for r in clients.privatedns.record_sets.list_by_type("rg-dns", ZONE, "A")}


def zone_group(clients, zone_id, name="default", pe="pe-acr", config_name="acr"):
    config = {"properties": {"privateDnsZoneId": zone_id}}
    if config_name:
        config["name"] = config_name
    return clients.network.private_dns_zone_groups.begin_create_or_update(RG, pe, name, {
        "properties": {"privateDnsZoneConfigs": [config]}}).result()


# ---- creation, NIC and members ---------------------------------------------------------------------------------
def test_pe_to_premium_registry_with_replica_has_three_members(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients, replicas=("eastus",))
    pe = make_pe(clients, subnet_id, registry.id)

    assert pe.provisioning_state == "Succeeded"
    assert pe.etag.startswith('W/"')
    conn = pe.private_link_service_connections[0]
    assert conn.id == f"{pe.id}/privateLinkServiceConnections/conn-acr"
    assert conn.type == "Microsoft.Network/privateEndpoints/privateLinkServiceConnections"
    assert conn.etag == pe.etag
    assert conn.group_ids == ["registry"]
    state = conn.private_link_service_connection_state
    assert (state.status, state.description, state.actions_required) == ("Approved", "Auto-Approved", "None")
    assert pe.manual_private_link_service_connections == []
    assert pe.ip_configurations == []
    assert pe.custom_network_interface_name == ""

    nic_id = pe.network_interfaces[0].id
    assert re.fullmatch(rf"/subscriptions/{clients.subscription}/resourceGroups/{RG}/providers/Microsoft.Network/"
                        r"networkInterfaces/pe-acr\.nic\.[0-9a-f-]{36}", nic_id)
    nic = nic_of(clients, pe)
    assert nic.private_endpoint.id == pe.id
    assert members(nic) == [
        ("registry", "10.20.1.4", [f"{REG}.azurecr.io"], "Dynamic", True),
        ("registry_data_westeurope", "10.20.1.5", [f"{REG}.westeurope.data.azurecr.io"], "Dynamic", False),
        ("registry_data_eastus", "10.20.1.6", [f"{REG}.eastus.data.azurecr.io"], "Dynamic", False)]
    assert all(c.subnet.id == subnet_id for c in nic.ip_configurations)
    assert all(re.fullmatch(r"privateEndpointIpConfig\.[0-9a-f-]{36}", c.name) for c in nic.ip_configurations)
    assert {c.private_link_connection_properties.group_id for c in nic.ip_configurations} == {"registry"}

    # Without a DNS zone group Azure fills customDnsConfigs with each member's fqdn and address.
    assert [(c.fqdn, c.ip_addresses) for c in pe.custom_dns_configs] == [
        (f"{REG}.azurecr.io", ["10.20.1.4"]), (f"{REG}.westeurope.data.azurecr.io", ["10.20.1.5"]),
        (f"{REG}.eastus.data.azurecr.io", ["10.20.1.6"])]

    # The registry holds the connection (name <registry>.<32hex>) and lists it.
    [pec] = connections(clients)
    assert re.fullmatch(rf"{REG}\.[0-9a-f]{{32}}", pec.name)
    assert pec.private_endpoint.id == pe.id
    assert pec.private_link_service_connection_state.status == "Approved"
    reg = clients.acr.registries.get(ACR_RG, REG)
    assert [c.name for c in reg.private_endpoint_connections] == [pec.name]

    # The subnet shows the endpoint and the NIC's addresses.
    subnet = clients.network.subnets.get(NET_RG, "vnet-app", "snet-pe")
    assert [p.id for p in subnet.private_endpoints] == [pe.id]
    assert sorted(c.id for c in subnet.ip_configurations) == sorted(f"{nic_id}/ipConfigurations/{c.name}"
                                                                     for c in nic.ip_configurations)
    with pytest.raises(HttpResponseError) as err:
        clients.network.subnets.begin_delete(NET_RG, "vnet-app", "snet-pe").result()
    assert error_code(err) == "InUseSubnetCannotBeDeleted"

    assert [p.name for p in clients.network.private_endpoints.list(RG)] == ["pe-acr"]
    assert [p.name for p in clients.network.private_endpoints.list_by_subscription()] == ["pe-acr"]


def test_pe_put_is_idempotent_and_keeps_its_nic_and_connection(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    pe = make_pe(clients, subnet_id, registry.id)
    [pec] = connections(clients)
    again = clients.network.private_endpoints.begin_create_or_update(
        RG, "pe-acr", dict(pe_body(subnet_id, registry.id), tags={"env": "test"})).result()
    assert again.tags == {"env": "test"}
    assert again.network_interfaces[0].id == pe.network_interfaces[0].id
    assert again.etag != pe.etag
    assert [c.name for c in connections(clients)] == [pec.name]
    assert [m[1] for m in members(nic_of(clients, again))] == ["10.20.1.4", "10.20.1.5"]


def test_tag_only_update_is_done_at_once(clients):
    subnet_id, registry = make_network(clients), make_registry(clients)
    pe = make_pe(clients, subnet_id, registry.id)
    clients.control.config(latency="realistic", time_scale=1.0)
    url = f"{pe.id}?api-version=2026-03-01"
    body = dict(pe_body(subnet_id, registry.id), tags={"env": "test"})
    # Only the tags change: 200, Succeeded, an operation URL but no Retry-After (ASO recording).
    tagged = clients.network.send_request(HttpRequest("PUT", url, json=body))
    assert tagged.status_code == 200 and tagged.json()["properties"]["provisioningState"] == "Succeeded"
    assert "Azure-AsyncOperation" in tagged.headers
    assert "Retry-After" not in tagged.headers and "retry-after-ms" not in tagged.headers
    assert clients.network.send_request(HttpRequest("GET", tagged.headers["Azure-AsyncOperation"])).json() == \
        {"status": "Succeeded"}
    # Any other change takes its time.
    body["properties"]["customDnsConfigs"] = [{"fqdn": "x.example.com", "ipAddresses": ["10.20.1.200"]}]
    changed = clients.network.send_request(HttpRequest("PUT", url, json=body))
    assert changed.status_code == 200 and changed.json()["properties"]["provisioningState"] == "Updating"
    assert changed.headers["Retry-After"] == "10"


def test_custom_nic_name_and_second_endpoint_gets_next_addresses(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    make_pe(clients, subnet_id, registry.id)
    pe2 = make_pe(clients, subnet_id, registry.id, name="pe-two", customNetworkInterfaceName="nic-pe-two")
    assert pe2.custom_network_interface_name == "nic-pe-two"
    assert pe2.network_interfaces[0].id.endswith("/networkInterfaces/nic-pe-two")
    assert [m[1] for m in members(nic_of(clients, pe2))] == ["10.20.1.6", "10.20.1.7"]
    assert len(connections(clients)) == 2


def test_manual_connection_pending_then_approved_from_registry_side(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    pe = make_pe(clients, subnet_id, registry.id, manual=True)
    conn = pe.manual_private_link_service_connections[0]
    assert pe.private_link_service_connections == []
    assert conn.id == f"{pe.id}/manualPrivateLinkServiceConnections/conn-acr"
    assert conn.type == "Microsoft.Network/privateEndpoints/manualPrivateLinkServiceConnections"
    assert conn.request_message == "please approve"
    assert conn.private_link_service_connection_state.status == "Pending"
    assert conn.private_link_service_connection_state.description == "please approve"

    [pec] = connections(clients)
    assert pec.private_link_service_connection_state.status == "Pending"
    body = {"properties": {"privateEndpoint": {"id": pe.id}, "privateLinkServiceConnectionState": {
        "status": "Approved", "description": "ok by me"}}}
    # The initial answer (201) still shows the old state, with provisioningState Updating.
    initial = clients.acr.private_endpoint_connections.begin_create_or_update(
        ACR_RG, REG, pec.name, body, polling=False).result()
    assert initial.provisioning_state == "Updating"
    assert initial.private_link_service_connection_state.status == "Pending"
    final = clients.acr.private_endpoint_connections.get(ACR_RG, REG, pec.name)
    assert final.provisioning_state == "Succeeded"
    assert (final.private_link_service_connection_state.status,
            final.private_link_service_connection_state.description) == ("Approved", "ok by me")

    shown = clients.network.private_endpoints.get(RG, "pe-acr").manual_private_link_service_connections[0]
    state = shown.private_link_service_connection_state
    assert (state.status, state.description, state.actions_required) == ("Approved", "ok by me", "None")


def test_reject_and_delete_from_registry_side(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    make_pe(clients, subnet_id, registry.id, manual=True)
    [pec] = connections(clients)
    done = clients.acr.private_endpoint_connections.begin_create_or_update(ACR_RG, REG, pec.name, {
        "properties": {"privateLinkServiceConnectionState": {"status": "Rejected", "description": "no"}}}).result()
    assert done.private_link_service_connection_state.status == "Rejected"
    state = clients.network.private_endpoints.get(RG, "pe-acr") \
        .manual_private_link_service_connections[0].private_link_service_connection_state
    assert (state.status, state.description) == ("Rejected", "no")

    clients.acr.private_endpoint_connections.begin_delete(ACR_RG, REG, pec.name).result()
    assert connections(clients) == []
    state = clients.network.private_endpoints.get(RG, "pe-acr") \
        .manual_private_link_service_connections[0].private_link_service_connection_state
    assert state.status == "Disconnected"
    # The endpoint and its NIC stay.
    assert len(nic_of(clients, clients.network.private_endpoints.get(RG, "pe-acr")).ip_configurations) == 2


def test_registry_connection_errors(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    make_pe(clients, subnet_id, registry.id)
    with pytest.raises(ResourceNotFoundError):
        clients.acr.private_endpoint_connections.begin_create_or_update(ACR_RG, REG, f"{REG}.{'0' * 32}", {
            "properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}}).result()
    [pec] = connections(clients)
    with pytest.raises(HttpResponseError) as err:
        clients.acr.private_endpoint_connections.begin_create_or_update(ACR_RG, REG, pec.name, {
            "properties": {"privateLinkServiceConnectionState": {"status": "Maybe"}}}).result()
    assert err.value.status_code == 400 and error_code(err) == "BadRequest"


def test_new_replica_adds_member_and_asks_for_approval_again(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    pe = make_pe(clients, subnet_id, registry.id)
    assert [m[0] for m in members(nic_of(clients, pe))] == ["registry", "registry_data_westeurope"]

    clients.acr.replications.begin_create(ACR_RG, REG, "eastus", {"location": "eastus"}).result()
    nic = nic_of(clients, pe)
    assert [(m[0], m[1]) for m in members(nic)] == [
        ("registry", "10.20.1.4"), ("registry_data_westeurope", "10.20.1.5"), ("registry_data_eastus", "10.20.1.6")]
    shown = clients.network.private_endpoints.get(RG, "pe-acr")
    assert shown.private_link_service_connections[0].private_link_service_connection_state.status == "Pending"
    assert connections(clients)[0].private_link_service_connection_state.status == "Pending"

    clients.acr.replications.begin_delete(ACR_RG, REG, "eastus").result()
    assert [(m[0], m[1]) for m in members(nic_of(clients, pe))] == [
        ("registry", "10.20.1.4"), ("registry_data_westeurope", "10.20.1.5")]


def test_delete_cascades_to_nic_connection_and_subnet_use(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    pe = make_pe(clients, subnet_id, registry.id)
    nic_name = pe.network_interfaces[0].id.rsplit("/", 1)[-1]
    clients.network.private_endpoints.begin_delete(RG, "pe-acr").result()
    with pytest.raises(ResourceNotFoundError):
        clients.network.private_endpoints.get(RG, "pe-acr")
    with pytest.raises(ResourceNotFoundError):
        clients.network.network_interfaces.get(RG, nic_name)
    assert connections(clients) == []
    subnet = clients.network.subnets.get(NET_RG, "vnet-app", "snet-pe")
    assert subnet.private_endpoints is None and subnet.ip_configurations is None
    clients.network.subnets.begin_delete(NET_RG, "vnet-app", "snet-pe").result()


def test_registry_deleted_leaves_endpoint_disconnected(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients, replicas=("eastus",))
    pe = make_pe(clients, subnet_id, registry.id)
    clients.acr.registries.begin_delete(ACR_RG, REG).result()
    shown = clients.network.private_endpoints.get(RG, "pe-acr")
    assert shown.private_link_service_connections[0].private_link_service_connection_state.status == "Disconnected"
    assert len(nic_of(clients, pe).ip_configurations) == 3


# ---- NICs ---------------------------------------------------------------------------------------------------
def test_pe_nic_cannot_be_deleted_or_changed_directly(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    pe = make_pe(clients, subnet_id, registry.id)
    nic = nic_of(clients, pe)
    assert [n.name for n in clients.network.network_interfaces.list(RG)] == [nic.name]
    with pytest.raises(HttpResponseError) as err:
        clients.network.network_interfaces.begin_delete(RG, nic.name).result()
    assert err.value.status_code == 400 and error_code(err) == "CannotDeleteNicAttachedToPrivateEndpoint"
    with pytest.raises(HttpResponseError) as err:
        clients.network.network_interfaces.begin_create_or_update(RG, nic.name, {
            "location": "westeurope", "properties": {"ipConfigurations": [
                {"name": "x", "properties": {"subnet": {"id": subnet_id}}}]}}).result()
    assert error_code(err) == "CannotModifyNicAttachedToPrivateEndpoint"


def test_plain_nic_takes_the_next_address_and_can_be_deleted(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    make_pe(clients, subnet_id, registry.id)
    clients.resource.resource_groups.create_or_update(RG, {"location": "westeurope"})
    nic = clients.network.network_interfaces.begin_create_or_update(RG, "nic-vm", {
        "location": "westeurope", "properties": {"ipConfigurations": [
            {"name": "ipconfig1", "properties": {"subnet": {"id": subnet_id}}}]}}).result()
    cfg = nic.ip_configurations[0]
    assert (cfg.private_ip_address, cfg.private_ip_allocation_method, cfg.primary) == ("10.20.1.6", "Dynamic", True)
    assert nic.private_endpoint is None
    static = clients.network.network_interfaces.begin_create_or_update(RG, "nic-vm2", {
        "location": "westeurope", "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
            "subnet": {"id": subnet_id}, "privateIPAllocationMethod": "Static",
            "privateIPAddress": "10.20.1.50"}}]}}).result()
    assert static.ip_configurations[0].private_ip_address == "10.20.1.50"
    with pytest.raises(HttpResponseError) as err:
        clients.network.network_interfaces.begin_create_or_update(RG, "nic-vm3", {
            "location": "westeurope", "properties": {"ipConfigurations": [{"name": "c", "properties": {
                "subnet": {"id": subnet_id}, "privateIPAllocationMethod": "Static",
                "privateIPAddress": "10.20.1.50"}}]}}).result()
    assert error_code(err) == "PrivateIPAddressInUse"
    clients.network.network_interfaces.begin_delete(RG, "nic-vm").result()
    with pytest.raises(ResourceNotFoundError):
        clients.network.network_interfaces.get(RG, "nic-vm")


# ---- static addresses --------------------------------------------------------------------------------------------
def static_configs(*pairs):
    return [{"name": f"ip-{member}", "properties": {"groupId": "registry", "memberName": member,
                                                   "privateIPAddress": ip}} for member, ip in pairs]


def test_static_addresses_for_every_member(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    pe = make_pe(clients, subnet_id, registry.id, ipConfigurations=static_configs(
        ("registry", "10.20.1.10"), ("registry_data_westeurope", "10.20.1.11")))
    assert [(c.name, c.group_id, c.member_name, c.private_ip_address) for c in pe.ip_configurations] == [
        ("ip-registry", "registry", "registry", "10.20.1.10"),
        ("ip-registry_data_westeurope", "registry", "registry_data_westeurope", "10.20.1.11")]
    nic = nic_of(clients, pe)
    assert [(c.name, c.private_ip_address, c.private_ip_allocation_method) for c in nic.ip_configurations] == [
        ("ip-registry", "10.20.1.10", "Static"), ("ip-registry_data_westeurope", "10.20.1.11", "Static")]
    # A replica added later gets a dynamic address; the static ones stay.
    clients.acr.replications.begin_create(ACR_RG, REG, "eastus", {"location": "eastus"}).result()
    assert [(m[0], m[1], m[3]) for m in members(nic_of(clients, pe))] == [
        ("registry", "10.20.1.10", "Static"), ("registry_data_westeurope", "10.20.1.11", "Static"),
        ("registry_data_eastus", "10.20.1.4", "Dynamic")]


@pytest.mark.parametrize("pairs,code", [
    ((("registry", "10.20.1.10"),), "PrivateEndpointIpConfigurationMissingMemberNamesRequiredByFps"),
    ((("registry", "10.20.2.10"), ("registry_data_westeurope", "10.20.1.11")), "PrivateIPAddressNotInSubnet"),
    ((("registry", "10.20.1.1"), ("registry_data_westeurope", "10.20.1.11")), "PrivateIPAddressIsReserved"),
    ((("registry", "10.20.1.255"), ("registry_data_westeurope", "10.20.1.11")), "PrivateIPAddressIsReserved"),
    ((("registry", "10.20.1.10"), ("registry_data_westeurope", "10.20.1.10")), "PrivateIPAddressInUse"),
])
def test_static_address_errors(clients, pairs, code):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    with pytest.raises(HttpResponseError) as err:
        make_pe(clients, subnet_id, registry.id, ipConfigurations=static_configs(*pairs))
    assert err.value.status_code == 400 and error_code(err) == code
    if code.startswith("PrivateEndpointIpConfigurationMissing"):
        assert "[GroupId: registry, MemberName: registry_data_westeurope]" in err.value.error.message
    # Nothing was created.
    assert connections(clients) == []
    assert list(clients.network.network_interfaces.list(RG)) == []


def test_static_address_used_by_another_endpoint(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    make_pe(clients, subnet_id, registry.id)   # takes .4 and .5
    with pytest.raises(HttpResponseError) as err:
        make_pe(clients, subnet_id, registry.id, name="pe-two", ipConfigurations=static_configs(
            ("registry", "10.20.1.5"), ("registry_data_westeurope", "10.20.1.11")))
    assert error_code(err) == "PrivateIPAddressInUse"


# ---- validation --------------------------------------------------------------------------------------------------
def test_target_and_connection_errors(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    basic = make_registry(clients, name="acrbasicdemo", sku="Basic")
    clients.resource.resource_groups.create_or_update(RG, {"location": "westeurope"})
    pes = clients.network.private_endpoints

    def refused(body):
        with pytest.raises(HttpResponseError) as err:
            pes.begin_create_or_update(RG, "pe-bad", body).result()
        assert err.value.status_code == 400
        return err.value.error

    error = refused(pe_body(subnet_id, basic.id))
    assert error.code == "FeatureNotSupportedForSku" and "SKU Basic" in error.message
    error = refused(pe_body(subnet_id, registry.id, group_ids=("registri",)))
    assert error.code == "PrivateLinkServiceGroupIdNotFound" and "Valid group ids: registry." in error.message
    assert refused(pe_body(subnet_id, registry.id, group_ids=())).code == "PrivateLinkServiceGroupIdNotFound"
    assert refused(pe_body(subnet_id, registry.id, group_ids=("registry", "other"))).code == \
        "OnlyOneGroupIdPermitted"
    vnet_id = subnet_id.rsplit("/subnets/", 1)[0]
    assert refused(pe_body(subnet_id, vnet_id)).code == "InvalidPrivateLinkServiceIdType"
    missing = registry.id.replace(REG, "acrmissing1")
    error = refused(pe_body(subnet_id, missing))
    assert error.code == "InvalidResourceReference" and missing in error.message
    error = refused(pe_body(f"{vnet_id}/subnets/nope", registry.id))
    assert error.code == "InvalidResourceReference"
    assert refused(pe_body(subnet_id, registry.id, location="eastus")).code == "InvalidResourceReference"
    both = pe_body(subnet_id, registry.id)
    both["properties"]["manualPrivateLinkServiceConnections"] = both["properties"]["privateLinkServiceConnections"]
    assert refused(both).code == "OnlyOnePrivateLinkServiceConnectionPermitted"
    assert refused({"location": "westeurope", "properties": {"subnet": {"id": subnet_id}}}).code == \
        "PrivateEndpointHasNoPrivateLinkServiceConnection"
    assert list(pes.list(RG)) == [] and connections(clients) == []


def test_subnet_and_target_cannot_change(clients):
    clients.resource.resource_groups.create_or_update(NET_RG, {"location": "westeurope"})
    vnet = clients.network.virtual_networks.begin_create_or_update(NET_RG, "vnet-app", {
        "location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.20.0.0/16"]}, "subnets": [
            {"name": "a", "properties": {"addressPrefix": "10.20.1.0/24"}},
            {"name": "b", "properties": {"addressPrefix": "10.20.2.0/24"}}]}}).result()
    registry = make_registry(clients)
    other = make_registry(clients, name="acrotherdemo")
    make_pe(clients, vnet.subnets[0].id, registry.id)
    with pytest.raises(HttpResponseError) as err:
        make_pe(clients, vnet.subnets[1].id, registry.id)
    assert error_code(err) == "CannotChangePrivateEndpointSubnet"
    for body in (pe_body(vnet.subnets[0].id, other.id), pe_body(vnet.subnets[0].id, registry.id, manual=True)):
        with pytest.raises(HttpResponseError) as err:
            clients.network.private_endpoints.begin_create_or_update(RG, "pe-acr", body).result()
        assert error_code(err) == "CannotChangePrivateLinkServiceConnection"


def test_legacy_policy_check_only_when_configured(clients):
    subnet_id = make_network(clients, policies="Enabled")
    registry = make_registry(clients)
    clients.control.config(legacy_pe_policy_check=True)
    try:
        with pytest.raises(HttpResponseError) as err:
            make_pe(clients, subnet_id, registry.id)
        assert err.value.status_code == 400 and error_code(err) == "BadRequest"
        assert [d.code for d in err.value.error.details] == [
            "PrivateEndpointCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled"]
    finally:
        clients.control.config(legacy_pe_policy_check=False)
    assert make_pe(clients, subnet_id, registry.id).provisioning_state == "Succeeded"


def test_cross_resource_group_and_subscription(clients):
    # A private endpoint must be in its virtual network's subscription (private-endpoint-overview.md): the endpoint,
    # its NIC and its subnet are in the second subscription, the registry in the first.
    make_network(clients)
    registry = make_registry(clients)
    clients.resource2.resource_groups.create_or_update("rg-remote", {"location": "westeurope"})
    clients.resource2.resource_groups.create_or_update(NET_RG, {"location": "westeurope"})
    subnet_id = clients.network2.virtual_networks.begin_create_or_update(NET_RG, "vnet-app", {
        "location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.20.0.0/16"]},
                                                 "subnets": [{"name": "snet-pe", "properties": {
                                                     "addressPrefix": "10.20.1.0/24"}}]}}).result().subnets[0].id
    # The registry lives in another subscription: Microsoft.ContainerRegistry must be registered in the PE's one.
    # The SDK's auto-registration policy cannot read the streamed 409 of an LRO's first call, so it does not step in.
    with pytest.raises(ResourceExistsError) as err:
        make_pe(clients, subnet_id, registry.id, rg="rg-remote", network=clients.network2)
    assert error_code(err) == "MissingSubscriptionRegistration"
    assert "'Microsoft.ContainerRegistry'" in err.value.error.message
    assert [e for e in clients.control.log(method="POST") if e["path"].endswith("/register")] == []
    clients.resource2.providers.register("Microsoft.ContainerRegistry")

    # The PE, its NIC and its subnet in three resource groups of two subscriptions.
    pe = make_pe(clients, subnet_id, registry.id, rg="rg-remote", network=clients.network2)
    assert pe.id.startswith(f"/subscriptions/{SECOND_SUBSCRIPTION}/resourceGroups/rg-remote/")
    assert pe.network_interfaces[0].id.startswith(f"/subscriptions/{SECOND_SUBSCRIPTION}/resourceGroups/rg-remote/")
    assert [m[1] for m in members(nic_of(clients, pe, clients.network2))] == ["10.20.1.4", "10.20.1.5"]
    assert connections(clients)[0].private_endpoint.id == pe.id
    subnet = clients.network2.subnets.get(NET_RG, "vnet-app", "snet-pe")
    assert [p.id for p in subnet.private_endpoints] == [pe.id]


# ---- DNS zone groups ---------------------------------------------------------------------------------------------
def test_zone_group_writes_records_and_follows_members(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients, replicas=("eastus",))
    make_pe(clients, subnet_id, registry.id)
    zone = make_zone(clients)
    group = zone_group(clients, zone.id)
    assert group.provisioning_state == "Succeeded"
    [config] = group.private_dns_zone_configs
    assert config.name == "acr" and config.private_dns_zone_id == zone.id
    assert config["id"] == f"{group.id}/privateDnsZoneConfigs/acr"   # not in the SDK model: read the raw field
    assert [(r.record_type, r.record_set_name, r.fqdn, r.ttl, r.ip_addresses) for r in config.record_sets] == [
        ("A", REG, f"{REG}.{ZONE}", 10, ["10.20.1.4"]),
        ("A", f"{REG}.westeurope.data", f"{REG}.westeurope.data.{ZONE}", 10, ["10.20.1.5"]),
        ("A", f"{REG}.eastus.data", f"{REG}.eastus.data.{ZONE}", 10, ["10.20.1.6"])]
    assert a_records(clients) == {REG: ["10.20.1.4"], f"{REG}.westeurope.data": ["10.20.1.5"],
                                  f"{REG}.eastus.data": ["10.20.1.6"]}
    record = clients.privatedns.record_sets.get("rg-dns", ZONE, "A", REG)
    assert record.ttl == 10
    pe = clients.network.private_endpoints.get(RG, "pe-acr")
    assert pe.custom_dns_configs == []
    assert group.etag == pe.etag   # a zone group carries its endpoint's etag
    assert [g.name for g in clients.network.private_dns_zone_groups.list("pe-acr", RG)] == ["default"]

    clients.acr.replications.begin_create(ACR_RG, REG, "northeurope", {"location": "northeurope"}).result()
    assert a_records(clients)[f"{REG}.northeurope.data"] == ["10.20.1.7"]
    clients.acr.replications.begin_delete(ACR_RG, REG, "eastus").result()
    assert f"{REG}.eastus.data" not in a_records(clients)

    clients.network.private_dns_zone_groups.begin_delete(RG, "pe-acr", "default").result()
    assert a_records(clients) == {}
    assert len(clients.network.private_endpoints.get(RG, "pe-acr").custom_dns_configs) == 3

    zone_group(clients, zone.id)
    assert len(a_records(clients)) == 3
    clients.network.private_endpoints.begin_delete(RG, "pe-acr").result()
    assert a_records(clients) == {}


def test_zone_group_errors(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    make_pe(clients, subnet_id, registry.id)
    zone = make_zone(clients)
    with pytest.raises(HttpResponseError) as err:
        zone_group(clients, zone.id, config_name=None)
    assert err.value.status_code == 400 and err.value.error.message == "Cannot parse the request."
    missing = zone.id.replace(ZONE, "privatelink.example.com")
    with pytest.raises(HttpResponseError) as err:
        zone_group(clients, missing)
    assert error_code(err) == "InvalidResourceReference"
    with pytest.raises(ResourceNotFoundError):
        clients.network.private_dns_zone_groups.begin_create_or_update(RG, "pe-none", "default", {
            "properties": {"privateDnsZoneConfigs": [{"name": "a", "properties": {
                "privateDnsZoneId": zone.id}}]}}).result()


def test_zone_group_that_matches_no_member_writes_nothing(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    make_pe(clients, subnet_id, registry.id)
    clients.resource.resource_groups.create_or_update("rg-dns", {"location": "westeurope"})
    other = clients.privatedns.private_zones.begin_create_or_update("rg-dns", "www.zone1.com",
                                                                    {"location": "global"}).result()
    group = zone_group(clients, other.id)
    assert group.private_dns_zone_configs[0].record_sets == []


def test_zone_group_refused_while_endpoint_is_being_written(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    zone = make_zone(clients)
    clients.resource.resource_groups.create_or_update(RG, {"location": "westeurope"})
    clients.control.config(latency="realistic", time_scale=100.0)   # the PE's operation lasts a while
    try:
        poller = clients.network.private_endpoints.begin_create_or_update(RG, "pe-acr",
                                                                          pe_body(subnet_id, registry.id))
        with pytest.raises(HttpResponseError) as err:
            clients.network.private_dns_zone_groups.begin_create_or_update(RG, "pe-acr", "default", {
                "properties": {"privateDnsZoneConfigs": [{"name": "a", "properties": {
                    "privateDnsZoneId": zone.id}}]}}, polling=False).result()
        assert error_code(err) == "ReferencedResourceNotProvisioned"
        assert "Resource is in Updating state" in err.value.error.message
        assert poller.status() == "InProgress"
    finally:
        clients.control.advance(everything=True)
        clients.control.config(latency="instant", time_scale=1.0)


def test_endpoint_delete_supersedes_a_running_zone_group_operation(clients):
    subnet_id = make_network(clients)
    registry = make_registry(clients)
    make_pe(clients, subnet_id, registry.id)
    zone = make_zone(clients)
    group = zone_group(clients, zone.id)
    api = "?api-version=2026-03-01"
    clients.control.config(latency="realistic", time_scale=1.0)   # operations last seconds, the test milliseconds
    try:
        started = clients.network.send_request(HttpRequest("DELETE", group.id + api))
        assert started.status_code == 202
        pe_id = group.id.split("/privateDnsZoneGroups/")[0]
        assert clients.network.send_request(HttpRequest("DELETE", pe_id + api)).status_code == 202
        # As in the ASO recording: the group's delete ends Canceled, superseded by the endpoint's.
        status = clients.network.send_request(HttpRequest("GET", started.headers["Azure-AsyncOperation"])).json()
        assert status["status"] == "Canceled" and status["error"]["code"] == "Canceled"
        assert [d["code"] for d in status["error"]["details"]] == ["CanceledAndSupersededDueToAnotherOperation"]
        again = clients.network.send_request(HttpRequest("DELETE", group.id + api))
        assert again.status_code == 400
        assert again.json()["error"]["code"] == "ReferencedResourceNotProvisioned"
        assert "Resource is in Deleting state" in again.json()["error"]["message"]
    finally:
        clients.control.advance(everything=True)
        clients.control.config(latency="instant", time_scale=1.0)
    with pytest.raises(ResourceNotFoundError):
        clients.network.private_endpoints.get(RG, "pe-acr")
    assert a_records(clients) == {}
