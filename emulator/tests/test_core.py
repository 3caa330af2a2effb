"""The emulator's core: cloud metadata, subscriptions, resource groups, providers, paging, conditional
requests, the control API, faults, latency modes and the command line."""

import os
import socket
import time

import pytest
import requests
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.core.rest import HttpRequest
from azure.mgmt.resource.resources import ResourceManagementClient

from privnet_emulator import DEFAULT_SUBSCRIPTION, DEFAULT_TENANT, SECOND_SUBSCRIPTION
from privnet_emulator.server import _Handler
from privnet_emulator.testing import EmulatorProcess, read_env

NET_API = "2026-03-01"
ENV_NAMES = {"AZURE_SUBSCRIPTION_ID", "AZURE_CLIENT_ID", "AZURE_SECRET", "AZURE_TENANT", "AZURE_CLIENT_SECRET",
             "AZURE_TENANT_ID", "AZURE_AUTHORITY_HOST", "AZURE_CLOUD_ENVIRONMENT", "REQUESTS_CA_BUNDLE",
             "PRIVNET_EMULATOR_URL",
             # the cross_tenant scenario's second tenant and subscription (tenants.py, test_tenants.py)
             "PRIVNET_EMULATOR_TENANT_2", "PRIVNET_EMULATOR_SUBSCRIPTION_2",
             # the default tenant's default user, for a user sign-in (identity.py, test_user_signin.py)
             "PRIVNET_EMULATOR_USER", "PRIVNET_EMULATOR_USER_PASSWORD"}


def _vnet_body(prefix="10.0.0.0/16", subnets=()):
    return {"location": "westeurope", "properties": {
        "addressSpace": {"addressPrefixes": [prefix]},
        "subnets": [{"name": n, "properties": {"addressPrefix": p}} for n, p in subnets]}}


def _vnet_path(rg, name, sub=DEFAULT_SUBSCRIPTION):
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"


def _raw(client, method, url, json=None, headers=None):
    """One request through the SDK's own pipeline (auth, TLS, retries) without a typed operation."""
    return client.send_request(HttpRequest(method, url, json=json, headers=headers or {}))


def _rg(clients, name="rg1"):
    return clients.resource.resource_groups.create_or_update(name, {"location": "westeurope"})


# ---- cloud metadata ------------------------------------------------------------------------------

def test_metadata_2015_object_shape(emulator):
    resp = requests.get(f"{emulator.url}/metadata/endpoints?api-version=2015-01-01", verify=emulator.ca_path,
                        timeout=10)
    assert resp.status_code == 200
    meta = resp.json()
    assert isinstance(meta, dict)
    # What msrestazure's get_cloud_from_metadata_endpoint reads.
    assert meta["galleryEndpoint"] == meta["graphEndpoint"] == meta["portalEndpoint"] == emulator.url + "/"
    assert meta["authentication"]["loginEndpoint"] == emulator.url + "/"
    assert meta["authentication"]["audiences"][0] == "https://management.core.windows.net/"


def test_metadata_2022_custom_cloud_object(emulator):
    resp = requests.get(emulator.env["AZURE_CLOUD_ENVIRONMENT"], verify=emulator.ca_path, timeout=10)
    assert resp.status_code == 200
    cloud = resp.json()
    # One cloud object, as a custom cloud answers: what `az cloud register --endpoint-resource-manager`
    # (azure-cli command_modules/cloud/custom.py -> core/cloud.py _arm_to_cli_mapper) reads.
    assert isinstance(cloud, dict)
    assert cloud["name"] == "PrivnetEmulator"
    assert cloud["resourceManager"] == emulator.url + "/"
    assert cloud["authentication"]["loginEndpoint"] == emulator.url + "/"
    assert cloud["authentication"]["audiences"] == ["https://management.core.windows.net/",
                                                    "https://management.azure.com/"]
    for key in ("sqlManagement", "batch", "graphAudience", "vmImageAliasDoc", "media", "activeDirectoryDataLake",
                "appInsightsResourceId", "logAnalyticsResourceId", "microsoftGraphResourceId"):
        assert cloud[key].startswith("https://"), key
    for key in ("storage", "keyVaultDns", "sqlServerHostname", "acrLoginServer", "azureDataLakeStoreFileSystem",
                "azureDataLakeAnalyticsCatalogAndJob"):
        assert cloud["suffixes"][key], key
    assert cloud["suffixes"]["acrLoginServer"] == "azurecr.io"
    assert "gallery" not in cloud
    older = requests.get(f"{emulator.url}/metadata/endpoints?api-version=2019-05-01", verify=emulator.ca_path,
                         timeout=10).json()
    assert isinstance(older, list) and older[0]["gallery"] == emulator.url + "/"


# ---- subscriptions, tenants, providers ------------------------------------------------------------

def test_subscriptions_and_tenants(clients):
    resp = _raw(clients.resource, "GET", "/subscriptions?api-version=2022-12-01")
    assert resp.status_code == 200
    subs = resp.json()["value"]
    assert [s["subscriptionId"] for s in subs] == [DEFAULT_SUBSCRIPTION, SECOND_SUBSCRIPTION]
    for sub in subs:
        assert sub["id"] == f"/subscriptions/{sub['subscriptionId']}"
        assert sub["state"] == "Enabled"
        assert sub["tenantId"] == DEFAULT_TENANT
        assert sub["displayName"]
    one = _raw(clients.resource, "GET", f"/subscriptions/{SECOND_SUBSCRIPTION}?api-version=2022-12-01")
    assert one.status_code == 200 and one.json()["subscriptionId"] == SECOND_SUBSCRIPTION
    tenants = _raw(clients.resource, "GET", "/tenants?api-version=2022-12-01").json()["value"]
    assert [t["tenantId"] for t in tenants] == [DEFAULT_TENANT]
    assert tenants[0]["id"] == f"/tenants/{DEFAULT_TENANT}"


def test_unknown_subscription(make_client):
    client = make_client(ResourceManagementClient, subscription="deadbeef-0000-4000-8000-000000000000")
    with pytest.raises(ResourceNotFoundError) as caught:
        list(client.resource_groups.list())
    assert caught.value.status_code == 404
    assert caught.value.error.code == "SubscriptionNotFound"


def test_missing_api_version(clients):
    resp = _raw(clients.resource, "GET", f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourcegroups")
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "MissingApiVersionParameter"


def test_providers_list_and_register(clients):
    namespaces = {p.namespace: p.registration_state for p in clients.resource.providers.list()}
    assert namespaces["Microsoft.Network"] == "Registered"
    assert "Microsoft.ContainerRegistry" in namespaces
    second = clients.resource2.providers
    assert second.get("Microsoft.ContainerRegistry").registration_state == "NotRegistered"
    registered = second.register("Microsoft.ContainerRegistry")
    assert registered.namespace == "Microsoft.ContainerRegistry"
    assert registered.registration_state == "Registered"
    assert second.get("Microsoft.ContainerRegistry").registration_state == "Registered"
    assert second.unregister("Microsoft.ContainerRegistry").registration_state == "NotRegistered"
    writes = clients.control.writes()
    assert [(w["method"], w["path"].rsplit("/", 1)[-1]) for w in writes] == [("POST", "register"),
                                                                            ("POST", "unregister")]


# ---- resource groups --------------------------------------------------------------------------------

def test_resource_group_crud(clients):
    groups = clients.resource.resource_groups
    assert groups.check_existence("rg-crud") is False
    created = groups.create_or_update("rg-crud", {"location": "West Europe", "tags": {"a": "1"}})
    assert created.id == f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/rg-crud"
    assert created.location == "westeurope"
    assert created.properties.provisioning_state == "Succeeded"
    assert groups.check_existence("rg-crud") is True
    assert groups.get("RG-CRUD").name == "rg-crud"
    assert groups.update("rg-crud", {"tags": {"b": "2"}}).tags == {"b": "2"}
    assert groups.create_or_update("rg-crud", {"location": "westeurope", "tags": {"c": "3"}}).tags == {"c": "3"}
    statuses = [(e["method"], e["status"]) for e in clients.control.log(kind="arm")]
    assert statuses == [("HEAD", 404), ("PUT", 201), ("HEAD", 204), ("GET", 200), ("PATCH", 200), ("PUT", 200)]
    with pytest.raises(ResourceExistsError) as caught:
        groups.create_or_update("rg-crud", {"location": "eastus"})
    assert caught.value.error.code == "InvalidResourceGroupLocation"
    with pytest.raises(ResourceNotFoundError) as caught:
        groups.get("rg-nope")
    assert caught.value.error.code == "ResourceGroupNotFound"


def test_resource_group_delete_lro_cascades(clients):
    _rg(clients, "rg-del")
    clients.network.virtual_networks.begin_create_or_update(
        "rg-del", "v1", _vnet_body(subnets=[("s1", "10.0.1.0/24")])).result()
    since = clients.control.summary()["last_seq"]
    assert clients.resource.resource_groups.begin_delete("rg-del").result() is None
    calls = [(e["method"], e["path"], e["status"]) for e in clients.control.log(since=since)]
    assert calls[0] == ("DELETE", f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourcegroups/rg-del", 202)
    assert calls[1][0] == "GET" and calls[1][2] == 200
    assert calls[1][1].startswith(f"/subscriptions/{DEFAULT_SUBSCRIPTION}/operationresults/")
    assert len(calls) == 2
    assert clients.resource.resource_groups.check_existence("rg-del") is False
    assert clients.control.state()["resources"] == []
    _rg(clients, "rg-del")
    assert list(clients.network.virtual_networks.list("rg-del")) == []


def test_resource_group_delete_location_header(clients, emulator):
    _rg(clients, "rg-loc")
    emulator.control.config(latency="realistic", time_scale=0.001)
    resp = _raw(clients.resource, "DELETE", f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourcegroups/rg-loc"
                                            "?api-version=2025-04-01")
    assert resp.status_code == 202
    location = resp.headers["Location"]
    assert location.startswith(f"{emulator.url}/subscriptions/{DEFAULT_SUBSCRIPTION}/operationresults/")
    assert "api-version=2025-04-01" in location
    assert _retry_after(resp.headers) == pytest.approx(0.015)
    while _raw(clients.resource, "GET", location).status_code == 202:
        time.sleep(0.005)
    assert _raw(clients.resource, "GET", location).status_code == 200
    assert clients.resource.resource_groups.check_existence("rg-loc") is False


def test_pagination(clients):
    clients.control.config(page_size=2)
    for i in range(5):
        _rg(clients, f"rg-page-{i}")
    since = clients.control.summary()["last_seq"]
    names = [g.name for g in clients.resource.resource_groups.list()]
    assert sorted(names) == [f"rg-page-{i}" for i in range(5)]
    gets = [e["query"] for e in clients.control.log(since=since, method="GET")]
    assert len(gets) == 3
    assert "skiptoken" not in gets[0]
    assert ["$skiptoken=2" in gets[1], "$skiptoken=4" in gets[2]] == [True, True]


# ---- conditional requests (engine level, on a VNet) ----------------------------------------------------

def test_if_match_and_if_none_match(clients):
    _rg(clients)
    url = _vnet_path("rg1", "v1") + f"?api-version={NET_API}"
    body = _vnet_body()
    create = _raw(clients.network, "PUT", url, body, {"If-None-Match": "*"})
    assert create.status_code == 201
    # NRP puts the etag in a write's body; the ETag header comes with GETs only (recordings).
    assert "ETag" not in create.headers
    etag = create.json()["etag"]
    assert etag.startswith('W/"') and _raw(clients.network, "GET", url, None, {}).headers["ETag"] == etag
    again = _raw(clients.network, "PUT", url, body, {"If-None-Match": "*"})
    assert again.status_code == 412 and again.json()["error"]["code"] == "PreconditionFailed"
    stale = _raw(clients.network, "PUT", url, body, {"If-Match": 'W/"00000000-0000-0000-0000-000000000000"'})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "PreconditionFailed"
    current = _raw(clients.network, "PUT", url, body, {"If-Match": etag})
    assert current.status_code == 200
    assert current.json()["etag"] != etag
    # The quoted form the SDKs send for bare etags matches too.
    new_etag = current.json()["etag"]
    assert _raw(clients.network, "PUT", url, body, {"If-Match": new_etag[2:]}).status_code == 200
    missing = _vnet_path("rg1", "v-missing") + f"?api-version={NET_API}"
    assert _raw(clients.network, "PUT", missing, body, {"If-Match": "*"}).status_code == 412
    delete = _raw(clients.network, "DELETE", url, None, {"If-Match": etag})
    assert delete.status_code == 412
    assert [s.name for s in clients.network.virtual_networks.list("rg1")] == ["v1"]


# ---- control API ----------------------------------------------------------------------------------

def test_log_filters_and_summary(clients):
    _rg(clients)
    clients.network.virtual_networks.begin_create_or_update("rg1", "v1", _vnet_body()).result()
    clients.network.virtual_networks.get("rg1", "v1")
    control = clients.control
    everything = control.log()
    assert [e["seq"] for e in everything] == sorted(e["seq"] for e in everything)
    tokens = control.log(kind="token")
    assert len(tokens) == 1 and tokens[0]["method"] == "POST"
    puts = control.log(method="put")
    assert [e["path"].rsplit("/", 1)[-1] for e in puts] == ["rg1", "v1"]
    assert all(e["write"] for e in puts)
    v1 = control.log(path="virtualNetworks/v1")
    # PUT, the LRO's final GET, our GET
    assert [(e["method"], e["status"]) for e in v1] == [("PUT", 201), ("GET", 200), ("GET", 200)]
    reads = control.log(kind="arm", write="false")
    assert {e["method"] for e in reads} == {"GET"}
    summary = control.summary()
    # PUT rg, PUT vnet, GET operation status (instant: Succeeded at once), the LRO's final GET, GET vnet
    assert summary["by_method"] == {"PUT": 2, "GET": 3}
    assert (summary["requests"], summary["writes"], summary["reads"]) == (5, 2, 3)
    assert summary["token_requests"] == 1
    since = summary["last_seq"]
    clients.network.virtual_networks.get("rg1", "v1")
    later = control.summary(since=since)
    assert (later["requests"], later["reads"], later["writes"], later["token_requests"]) == (1, 1, 0, 0)
    assert [e["method"] for e in control.log(since=since)] == ["GET"]
    control.clear_log()
    assert control.log() == []


def test_reset_and_state(clients):
    _rg(clients)
    clients.network.virtual_networks.begin_create_or_update(
        "rg1", "v1", _vnet_body(subnets=[("s1", "10.0.1.0/24")])).result()
    clients.control.fault(kind="500", path="never-matches")
    state = clients.control.state()
    assert [g["name"] for g in state["resourceGroups"]] == ["rg1"]
    ids = [r["id"] for r in state["resources"]]
    assert ids == [_vnet_path("rg1", "v1"), _vnet_path("rg1", "v1") + "/subnets/s1"]
    vnet = state["resources"][0]
    assert vnet["provisioningState"] == "Succeeded"
    assert vnet["body"]["properties"]["addressSpace"] == {"addressPrefixes": ["10.0.0.0/16"]}
    assert state["operations"] == []
    assert set(state["subscriptions"]) == {DEFAULT_SUBSCRIPTION, SECOND_SUBSCRIPTION}
    assert clients.control.reset() == {"status": "reset"}
    state = clients.control.state()
    assert (state["resourceGroups"], state["resources"]) == ([], [])
    assert clients.control.call("GET", "faults") == {"rules": []}
    assert clients.control.log() == [e for e in clients.control.log() if e["kind"] == "control"]
    assert clients.resource.resource_groups.check_existence("rg1") is False


def test_scenario_from_yaml_document(clients):
    doc = """
resource_groups:
  - {name: rg-doc, location: northeurope}
virtual_networks:
  - name: vnet-doc
    resource_group: rg-doc
    location: northeurope
    address_prefixes: [10.50.0.0/16]
    subnets:
      - {name: snet-a, address_prefix: 10.50.1.0/24, private_endpoint_network_policies: Enabled}
"""
    loaded = clients.control.scenario_yaml(doc)["loaded"]
    assert loaded == [f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/rg-doc", _vnet_path("rg-doc", "vnet-doc")]
    vnet = clients.network.virtual_networks.get("rg-doc", "vnet-doc")
    assert vnet.location == "northeurope"
    assert vnet.provisioning_state == "Succeeded"
    assert [(s.name, s.address_prefix, s.private_endpoint_network_policies) for s in vnet.subnets] == [
        ("snet-a", "10.50.1.0/24", "Enabled")]
    # Scenario loads are not API traffic: the log holds only what the SDK sent.
    assert [e["method"] for e in clients.control.log(kind="arm")] == ["GET"]


def test_scenario_unknown_name(clients):
    with pytest.raises(RuntimeError, match=r"/_emulator/scenario: 400 .*BadControlRequest.*unknown scenario"):
        clients.control.scenario("nope")


def test_scenario_acr_by_name(clients):
    loaded = clients.control.scenario("acr")["loaded"]
    registry = (f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/rg-acr/providers/"
                "Microsoft.ContainerRegistry/registries/acrprivnetdemo")
    assert registry in loaded and registry + "/replications/eastus" in loaded
    reg = clients.acr.registries.get("rg-acr", "acrprivnetdemo")
    assert reg.sku.name == "Premium" and reg.provisioning_state == "Succeeded"
    assert [r.location for r in clients.acr.replications.list("rg-acr", "acrprivnetdemo")] == ["eastus"]
    subnet = clients.network.subnets.get("rg-network", "vnet-app", "snet-workload")
    assert subnet.private_endpoint_network_policies == "Enabled"


def test_scenario_hub_spoke_by_name(clients):
    clients.control.scenario("hub_spoke")
    spokes = sorted(v.name for v in clients.network.virtual_networks.list("rg-spokes"))
    assert spokes == ["vnet-spoke1", "vnet-spoke2", "vnet-spoke3"]
    gateway = clients.network.virtual_network_gateways.get("rg-hub", "vgw-hub")
    assert gateway.provisioning_state == "Succeeded"
    assert gateway.ip_configurations[0].subnet.id.lower().endswith("/virtualnetworks/vnet-hub/subnets/gatewaysubnet")


def test_drift(clients):
    _rg(clients)
    before = clients.network.virtual_networks.begin_create_or_update("rg1", "v1", _vnet_body()).result()
    drifted = clients.control.drift(before.id, properties={"dhcpOptions": {"dnsServers": ["10.0.0.4"]}},
                                    tags={"changed": "by-hand"})
    assert drifted["properties"]["dhcpOptions"] == {"dnsServers": ["10.0.0.4"]}
    after = clients.network.virtual_networks.get("rg1", "v1")
    assert after.dhcp_options.dns_servers == ["10.0.0.4"]
    assert after.tags == {"changed": "by-hand"}
    assert after.etag != before.etag
    # A drift is not a write the collection made.
    assert [e["method"] for e in clients.control.writes()] == ["PUT", "PUT"]
    with pytest.raises(RuntimeError, match=r"/_emulator/drift: 404 "):
        clients.control.drift(_vnet_path("rg1", "nope"), properties={})


def test_control_api_refuses_non_loopback(emulator):
    def tcp_pair():
        with socket.create_server(("127.0.0.1", 0)) as listener:
            ours = socket.create_connection(listener.getsockname())
            theirs, _ = listener.accept()
        return ours, theirs

    def ask(client_ip):
        # The server's own handler on a plain TCP connection, told the client is at client_ip.
        ours, theirs = tcp_pair()
        with ours, theirs:
            ours.sendall(b"GET /_emulator/state HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n\r\n")
            _Handler(theirs, (client_ip, 50000), emulator.emulator.httpd)
            return ours.recv(65536).split(b"\r\n", 1)[0]

    assert ask("192.0.2.7") == b"HTTP/1.1 403 Forbidden"
    assert ask("10.1.2.3") == b"HTTP/1.1 403 Forbidden"
    assert ask("127.0.0.1") == b"HTTP/1.1 200 OK"
    assert ask("::1") == b"HTTP/1.1 200 OK"


# ---- faults -------------------------------------------------------------------------------------

def _arm_log(clients, since=0):
    return [(e["method"], e["status"], e["fault"]) for e in clients.control.log(kind="arm", since=since)]


def test_fault_429_retry_after_is_honoured(clients, make_client):
    _rg(clients)
    since = clients.control.summary()["last_seq"]
    clients.control.fault(kind="429", method="GET", path="/resourcegroups/rg1$", retry_after=0)
    assert clients.resource.resource_groups.get("rg1").name == "rg1"
    assert _arm_log(clients, since) == [("GET", 429, "429"), ("GET", 200, None)]
    # The throttle answer itself, seen without retries.
    clients.control.fault(kind="429", method="GET", path="/resourcegroups/rg1$", retry_after=7)
    no_retry = make_client(ResourceManagementClient, retry_total=0)
    with pytest.raises(HttpResponseError) as caught:
        no_retry.resource_groups.get("rg1")
    assert caught.value.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "7"
    assert caught.value.error.code == "TooManyRequests"


@pytest.mark.parametrize("kind,code", [("500", "InternalServerError"), ("503", "ServiceUnavailable")])
def test_fault_5xx_is_retried(clients, make_client, kind, code):
    _rg(clients)
    since = clients.control.summary()["last_seq"]
    clients.control.fault(kind=kind, path="/resourcegroups/rg1$", retry_after=0)
    assert clients.resource.resource_groups.get("rg1").name == "rg1"
    assert _arm_log(clients, since) == [("GET", int(kind), kind), ("GET", 200, None)]
    clients.control.fault(kind=kind, path="/resourcegroups/rg1$", retry_after=0)
    with pytest.raises(HttpResponseError) as caught:
        make_client(ResourceManagementClient, retry_total=0).resource_groups.get("rg1")
    assert caught.value.status_code == int(kind)
    assert caught.value.error.code == code


@pytest.mark.parametrize("kind,status,code,message", [
    ("conflict", 409, "AnotherOperationInProgress", "Another operation on this or dependent resource is in progress."),
    # 403 names the action and the scope, as ARM does.
    ("forbidden", 403, "AuthorizationFailed", "does not have authorization to perform action "
                                              "'Microsoft.Network/virtualNetworks/write' over scope '/subscriptions/"),
])
def test_fault_answered_at_once_surfaces(clients, kind, status, code, message):
    """Faults the SDK does not retry: the one answer reaches the caller."""
    _rg(clients)
    clients.control.fault(kind=kind, method="PUT", path="virtualNetworks/v1$")
    since = clients.control.summary()["last_seq"]
    with pytest.raises(HttpResponseError) as caught:
        clients.network.virtual_networks.begin_create_or_update("rg1", "v1", _vnet_body()).result()
    assert caught.value.status_code == status
    assert caught.value.error.code == code
    assert message in caught.value.error.message
    assert _arm_log(clients, since) == [("PUT", status, kind)]
    assert "Retry-After" not in caught.value.response.headers


def test_fault_failed_lro(clients):
    _rg(clients)
    clients.control.fault(kind="failed_lro", method="PUT", path="virtualNetworks/v1",
                          code="NetworkingInternalOperationError")
    with pytest.raises(HttpResponseError) as caught:
        clients.network.virtual_networks.begin_create_or_update("rg1", "v1", _vnet_body()).result()
    assert caught.value.error.code == "NetworkingInternalOperationError"
    assert clients.network.virtual_networks.get("rg1", "v1").provisioning_state == "Failed"
    again = clients.network.virtual_networks.begin_create_or_update("rg1", "v1", _vnet_body()).result()
    assert again.provisioning_state == "Succeeded"
    assert [(m, s) for m, s, _ in _arm_log(clients) if m == "PUT"] == [("PUT", 201), ("PUT", 201), ("PUT", 200)]


def test_fault_drop_get_is_retried(clients):
    _rg(clients)
    since = clients.control.summary()["last_seq"]
    clients.control.fault(kind="drop", method="GET", path="/resourcegroups/rg1$")
    assert clients.resource.resource_groups.get("rg1").name == "rg1"
    assert _arm_log(clients, since) == [("GET", 0, "drop"), ("GET", 200, None)]


def test_seeded_random_faults_repeat(clients, make_client):
    _rg(clients)
    no_retry = make_client(ResourceManagementClient, retry_total=0)

    def run(seed):
        clients.control.clear_faults()
        since = clients.control.summary()["last_seq"]
        clients.control.fault(rate=0.4, seed=seed, kinds=["500", "429", "conflict"], retry_after=0)
        for _ in range(25):
            try:
                no_retry.resource_groups.get("rg1")
            except HttpResponseError:
                pass
        clients.control.clear_faults()
        return [(status, fault) for _, status, fault in _arm_log(clients, since)]

    first = run(7)
    assert len(first) == 25
    kinds = {f for _, f in first}
    assert None in kinds and len(kinds - {None}) >= 2, first
    assert all(status == (200 if fault is None else {"500": 500, "429": 429, "conflict": 409}[fault])
               for status, fault in first)
    assert run(7) == first
    assert run(8) != first


# ---- latency modes ---------------------------------------------------------------------------------

def test_instant_latency(clients):
    _rg(clients)
    vnets = clients.network.virtual_networks
    vnets.begin_create_or_update("rg1", "warm", _vnet_body("10.9.0.0/16")).result()
    started = time.perf_counter()
    vnet = vnets.begin_create_or_update("rg1", "v1", _vnet_body(subnets=[("s1", "10.0.1.0/24")])).result()
    elapsed = time.perf_counter() - started
    print(f"instant VNet create + LRO: {elapsed * 1000:.1f} ms")
    assert vnet.provisioning_state == "Succeeded"
    assert elapsed < 0.2
    put = clients.control.log(method="PUT", path="virtualNetworks/v1")[0]
    assert put["status"] == 201


def _retry_after(headers):
    """Seconds from Retry-After, or from retry-after-ms (where the emulator puts sub-second initial delays)."""
    if "Retry-After" in headers:
        return float(headers["Retry-After"])
    if "retry-after-ms" in headers:
        return int(headers["retry-after-ms"]) / 1000
    return None


def test_realistic_latency(clients):
    # Large enough that the first poll lands inside the scaled 3 s even on a loaded machine (0.01 gave 30 ms, which a
    # busy CI machine sometimes missed).
    SCALE = 0.2
    _rg(clients)
    clients.control.config(latency="realistic", time_scale=SCALE)
    url = _vnet_path("rg1", "v1") + f"?api-version={NET_API}"
    put = _raw(clients.network, "PUT", url, _vnet_body())
    assert put.status_code == 201
    assert put.json()["properties"]["provisioningState"] == "Updating"
    assert _retry_after(put.headers) == pytest.approx(3 * SCALE)
    started = time.monotonic()
    first_poll = _raw(clients.network, "GET", put.headers["Azure-AsyncOperation"])
    waited = time.monotonic() - started
    assert first_poll.json() == {"status": "InProgress"}, f"polled after {waited:.3f} s"
    assert _retry_after(first_poll.headers) == pytest.approx(10 * SCALE)
    # The SDK waits it out, honouring the scaled Retry-After.
    started = time.monotonic()
    vnet = clients.network.virtual_networks.begin_create_or_update("rg1", "v2", _vnet_body("10.1.0.0/16")).result()
    assert vnet.provisioning_state == "Succeeded"
    assert time.monotonic() - started >= 3.0 * SCALE
    polls = clients.control.log(method="GET", path="/operations/")
    assert len(polls) >= 2
    final = _raw(clients.network, "GET", put.headers["Azure-AsyncOperation"])
    assert final.json() == {"status": "Succeeded"}
    assert _retry_after(final.headers) is None


# ---- command line ------------------------------------------------------------------------------------

def test_cli_starts_fast_and_writes_env(tmp_path):
    started = time.perf_counter()
    proc = EmulatorProcess(str(tmp_path / "emu"))
    elapsed = time.perf_counter() - started
    try:
        print(f"emulator subprocess ready (env + ca.pem written) in {elapsed:.2f} s")
        assert elapsed < 3.0
        assert os.path.exists(tmp_path / "emu" / "ca.pem")
        env = read_env(str(tmp_path / "emu"))
        assert set(env) == ENV_NAMES
        assert env["AZURE_SECRET"] == env["AZURE_CLIENT_SECRET"]
        assert env["AZURE_TENANT"] == env["AZURE_TENANT_ID"] == DEFAULT_TENANT
        assert env["AZURE_SUBSCRIPTION_ID"] == DEFAULT_SUBSCRIPTION
        assert env["AZURE_AUTHORITY_HOST"] == env["PRIVNET_EMULATOR_URL"]
        assert env["REQUESTS_CA_BUNDLE"] == str(tmp_path / "emu" / "ca.pem")
        assert oct(os.stat(tmp_path / "emu" / "env").st_mode & 0o777) == "0o600"
        assert proc.control.call("GET", "health")["status"] == "ok"
        cloud = requests.get(env["AZURE_CLOUD_ENVIRONMENT"], verify=env["REQUESTS_CA_BUNDLE"], timeout=10).json()
        assert cloud["resourceManager"] == env["PRIVNET_EMULATOR_URL"] + "/"
    finally:
        proc.stop()
    # The identity survives a restart on the same data dir (the env file is stable).
    again = EmulatorProcess(str(tmp_path / "emu"))
    try:
        assert {k: v for k, v in again.env.items() if k not in ("AZURE_AUTHORITY_HOST", "AZURE_CLOUD_ENVIRONMENT",
                                                                 "PRIVNET_EMULATOR_URL")} == \
            {k: v for k, v in env.items() if k not in ("AZURE_AUTHORITY_HOST", "AZURE_CLOUD_ENVIRONMENT",
                                                        "PRIVNET_EMULATOR_URL")}
    finally:
        again.stop()


def test_cli_scenario_acr(tmp_path):
    proc = EmulatorProcess(str(tmp_path / "emu"), "--scenario", "acr")
    try:
        ids = [r["id"] for r in proc.control.state()["resources"]]
        assert (f"/subscriptions/{DEFAULT_SUBSCRIPTION}/resourceGroups/rg-acr/providers/"
                "Microsoft.ContainerRegistry/registries/acrprivnetdemo") in ids
        assert _vnet_path("rg-network", "vnet-app") in ids
    finally:
        proc.stop()


def test_cli_scenario_file(tmp_path):
    scenario = tmp_path / "estate.yaml"
    scenario.write_text("virtual_networks:\n  - {name: vnet-f, resource_group: rg-f, location: westeurope,"
                        " address_prefixes: [10.7.0.0/16]}\n")
    proc = EmulatorProcess(str(tmp_path / "emu"), "--scenario", str(scenario), "--latency", "realistic",
                           "--time-scale", "0.5")
    try:
        state = proc.control.state()
        assert [r["id"] for r in state["resources"]] == [_vnet_path("rg-f", "vnet-f")]
        assert [g["name"] for g in state["resourceGroups"]] == ["rg-f"]
        config = proc.control.config()
        assert (config["latency"], config["time_scale"]) == ("realistic", 0.5)
    finally:
        proc.stop()


def test_network_client_against_second_subscription(clients):
    """The second subscription is a separate estate (same names do not collide)."""
    clients.resource.resource_groups.create_or_update("rg1", {"location": "westeurope"})
    clients.resource2.resource_groups.create_or_update("rg1", {"location": "westeurope"})
    clients.network.virtual_networks.begin_create_or_update("rg1", "v1", _vnet_body()).result()
    assert list(clients.network2.virtual_networks.list("rg1")) == []
    assert [v.name for v in clients.network.virtual_networks.list("rg1")] == ["v1"]
