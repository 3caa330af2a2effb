# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""private_link_service, private_link_service_info, and the generic connection modules on a private link service,
over a fake ArmResources holding wire JSON (and a fake of the subnet code the module reuses for the NAT subnets)."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.privnet.azure.plugins.module_utils import _arm, _azure, _subnet
from ansible_collections.privnet.azure.plugins.modules import private_endpoint_connection as pec
from ansible_collections.privnet.azure.plugins.modules import private_endpoint_connection_info as pec_info
from ansible_collections.privnet.azure.plugins.modules import private_link_service as pls
from ansible_collections.privnet.azure.plugins.modules import private_link_service_info as pls_info
from ansible_collections.privnet.azure.tests.unit.helpers import arm_error, warnings_of

SUB = "11111111-1111-4111-8111-111111111111"
CONSUMER = "22222222-2222-4222-8222-222222222222"
OTHER = "33333333-3333-4333-8333-333333333333"
API = "2024-05-01"
NET = f"/subscriptions/{SUB}/resourceGroups/rg-provider/providers/Microsoft.Network"
LB_ID = f"{NET}/loadBalancers/lb-app"
BASIC_ID = f"{NET}/loadBalancers/lb-basic"
FRONTEND_ID = f"{LB_ID}/frontendIPConfigurations/frontend"
NAT_ID = f"{NET}/virtualNetworks/vnet-provider/subnets/snet-nat"
CLOSED_ID = f"{NET}/virtualNetworks/vnet-provider/subnets/snet-closed"
PLS_ID = f"{NET}/privateLinkServices/pls-app"
PE_ID = f"/subscriptions/{CONSUMER}/resourceGroups/rg-consumer/providers/Microsoft.Network/privateEndpoints"
ARGS = {"subscription_id": SUB, "name": "pls-app", "resource_group": "rg-provider"}
CREATE = dict(ARGS, load_balancer_frontends=[{"load_balancer": "lb-app", "name": "frontend"}],
              ip_configurations=[{"virtual_network": "vnet-provider", "subnet": "snet-nat"}],
              visibility=[CONSUMER], auto_approval=[CONSUMER], fqdns=["app.provider.example"])


def load_balancer(rid, name, sku, frontends=("frontend",)):
    return {"id": rid, "name": name, "location": "westeurope", "sku": {"name": sku, "tier": "Regional"},
            "properties": {"frontendIPConfigurations": [
                {"id": f"{rid}/frontendIPConfigurations/{f}", "name": f,
                 "properties": {"subnet": {"id": f"{NET}/virtualNetworks/vnet-provider/subnets/snet-lb"}}}
                for f in frontends]}}


class FakeArm:
    """ArmResources over a dict of wire JSON; a PUT of a private link service answers as Azure does (alias, NIC,
    Dynamic NAT addresses, provisioningState); every request is recorded."""

    store = {}
    requests = []
    fail_put = None

    def __init__(self, module, subscription_id=None, tenant_id=None):
        self.module = module

    @classmethod
    def reset(cls):
        cls.store, cls.requests, cls.fail_put = {}, [], None

    def get(self, resource_id, api_version, what):
        FakeArm.requests.append(("GET", resource_id, api_version))
        found = FakeArm.store.get(resource_id.lower())
        return copy.deepcopy(found) if found is not None else None

    def list(self, collection_id, api_version, what):
        FakeArm.requests.append(("LIST", collection_id, api_version))
        prefix = collection_id.lower() + "/"
        if "/resourcegroups/" not in prefix and prefix.endswith("/privatelinkservices/"):  # subscription scope
            return [copy.deepcopy(v) for k, v in FakeArm.store.items()
                    if "/providers/microsoft.network/privatelinkservices/" in k and k.count("/") == 8]
        return [copy.deepcopy(v) for k, v in FakeArm.store.items()
                if k.startswith(prefix) and "/" not in k[len(prefix):]]

    def put(self, resource_id, api_version, body, what, must_wait=False):
        FakeArm.requests.append(("PUT", resource_id, api_version, copy.deepcopy(body)))
        if FakeArm.fail_put is not None:
            self.module.fail_azure(what, FakeArm.fail_put)
        key = resource_id.lower()
        old = FakeArm.store.get(key)
        if "/privateendpointconnections/" in key:
            new = copy.deepcopy(old)
            new["properties"].update(copy.deepcopy(body["properties"]))
        else:
            new = copy.deepcopy(body)
            new.update(id=resource_id, name=resource_id.rsplit("/", 1)[1])
            props = new["properties"]
            old_props = (old or {}).get("properties") or {}
            props["alias"] = old_props.get("alias") or "pls-app.0000aaaa-0000-4000-8000-000000000000.westeurope.azure.privatelinkservice"
            props["networkInterfaces"] = [{"id": f"{NET}/networkInterfaces/pls-app.nic.1"}]
            props["privateEndpointConnections"] = old_props.get("privateEndpointConnections") or []
            props["provisioningState"] = "Succeeded"
            for index, config in enumerate(props.get("ipConfigurations") or []):
                config["properties"].setdefault("privateIPAddress", f"10.50.2.{4 + index}")
        FakeArm.store[key] = new
        return copy.deepcopy(new) if self.module.wait else None

    def delete(self, resource_id, api_version, what, must_wait=False):
        FakeArm.requests.append(("DELETE", resource_id, api_version))
        FakeArm.store.pop(resource_id.lower(), None)


SUBNETS = {}
SUBNET_WRITES = []


def fake_require_subnet(module, rid):
    found = SUBNETS.get(str(rid).lower())
    if found is None:
        raise ValueError(f"{_subnet.describe(rid)} was not found; create the virtual network and the subnet first")
    return dict(found)


def fake_subnet_result(subnet):
    return {"address_prefix": subnet["prefix"], "address_prefixes": [],
            "private_link_service_network_policies": subnet["policy"]}


def fake_update_subnet(module, rid, subnet, changes):
    SUBNET_WRITES.append((str(rid), dict(changes), module.check_mode))
    return subnet


@pytest.fixture
def arm(monkeypatch):
    FakeArm.reset()
    SUBNET_WRITES.clear()
    SUBNETS.clear()
    SUBNETS[NAT_ID.lower()] = {"prefix": "10.50.2.0/24", "policy": "Disabled"}
    SUBNETS[CLOSED_ID.lower()] = {"prefix": "10.50.3.0/24", "policy": "Enabled"}
    FakeArm.store[LB_ID.lower()] = load_balancer(LB_ID, "lb-app", "Standard")
    FakeArm.store[BASIC_ID.lower()] = load_balancer(BASIC_ID, "lb-basic", "Basic")
    monkeypatch.setattr(_arm, "ArmResources", FakeArm)
    monkeypatch.setattr(pls, "ArmResources", FakeArm)
    monkeypatch.setattr(pls_info, "ArmResources", FakeArm)
    monkeypatch.setattr(_subnet, "require_subnet", fake_require_subnet)
    monkeypatch.setattr(_subnet, "subnet_result", fake_subnet_result)
    monkeypatch.setattr(_subnet, "update_subnet", fake_update_subnet)
    monkeypatch.setattr(_azure.time, "sleep", lambda s: None)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    return FakeArm


@pytest.fixture
def run(run_module):
    """run(main, args) -> the module's result (run_module without the failed flag)."""
    return lambda main, args: run_module(main, args)[0]


def writes():
    return [r for r in FakeArm.requests if r[0] in ("PUT", "PATCH", "DELETE")]


def connection(name, endpoint, status, description=None):
    return {"id": f"{PLS_ID}/privateEndpointConnections/{name}", "name": name,
            "type": "Microsoft.Network/privateLinkServices/privateEndpointConnections",
            "properties": {"privateEndpoint": {"id": f"{PE_ID}/{endpoint}"}, "linkIdentifier": "536870913",
                           "privateLinkServiceConnectionState": {"status": status,
                                                                 "description": description or status,
                                                                 "actionsRequired": "None"},
                           "provisioningState": "Succeeded"}}


# ---- private_link_service -------------------------------------------------------------------------------------

def test_creates_on_the_standard_frontend_and_a_second_run_writes_nothing(run_module, arm):
    result, failed = run_module(pls.main, dict(CREATE, _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True), result
    [put] = writes()
    assert put[:3] == ("PUT", PLS_ID, API)
    assert put[3] == {"location": "westeurope", "properties": {
        "loadBalancerFrontendIpConfigurations": [{"id": FRONTEND_ID}],
        "ipConfigurations": [{"name": "pls-app_ipconfig_0", "properties": {
            "subnet": {"id": NAT_ID}, "privateIPAllocationMethod": "Dynamic", "primary": True}}],
        "visibility": {"subscriptions": [CONSUMER]}, "autoApproval": {"subscriptions": [CONSUMER]},
        "fqdns": ["app.provider.example"]}}
    service = result["private_link_service"]
    assert service["alias"].startswith("pls-app.") and service["connections"] == []
    assert service["ip_configurations"][0]["private_ip_address"] == "10.50.2.4"
    assert (service["location"], service["resource_group"]) == ("westeurope", "rg-provider")
    assert result["diff"]["before"] == {"state": "absent"}
    assert result["diff"]["after"]["visibility"] == [CONSUMER]
    assert SUBNET_WRITES == []

    again, failed = run_module(pls.main, dict(CREATE, _ansible_diff=True))
    assert (failed, again["changed"]) == (False, False), again.get("diff")
    assert len(writes()) == 1


def test_check_mode_predicts_the_service_and_writes_nothing(run_module, arm):
    result, failed = run_module(pls.main, dict(CREATE, _ansible_check_mode=True))
    assert (failed, result["changed"]) == (False, True)
    assert writes() == []
    assert result["private_link_service"]["alias"] == "(known after apply)"
    assert result["private_link_service"]["id"] == PLS_ID


def test_update_keeps_what_it_does_not_manage_and_the_dynamic_address(run_module, arm):
    run_module(pls.main, CREATE)
    stored = FakeArm.store[PLS_ID.lower()]
    stored["properties"]["destinationIPAddress"] = "10.50.1.10"
    stored["properties"]["ipConfigurations"][0]["properties"]["privateIPAddressVersion"] = "IPv4"
    stored["properties"]["privateEndpointConnections"] = [connection("pe-a.1", "pe-a", "Pending")]
    stored["tags"] = {"owner": "team-a"}
    result, failed = run_module(pls.main, dict(ARGS, enable_proxy_protocol=True, tags={"cost": "42"},
                                               purge_tags=False))
    assert (failed, result["changed"]) == (False, True)
    body = writes()[-1][3]
    props = body["properties"]
    assert props["destinationIPAddress"] == "10.50.1.10"
    assert props["enableProxyProtocol"] is True
    assert props["ipConfigurations"][0]["properties"]["privateIPAddress"] == "10.50.2.4"
    assert props["ipConfigurations"][0]["properties"]["privateIPAddressVersion"] == "IPv4"
    assert not {"alias", "networkInterfaces", "privateEndpointConnections", "provisioningState"} & set(props)
    assert body["tags"] == {"owner": "team-a", "cost": "42"}
    assert result["private_link_service"]["connections"][0]["status"] == "Pending"
    purged, failed = run_module(pls.main, dict(ARGS, tags={"cost": "42"}))
    assert (failed, purged["changed"], writes()[-1][3]["tags"]) == (False, True, {"cost": "42"})


def test_visibility_is_added_to_unless_purged(run_module, run, arm):
    run_module(pls.main, CREATE)
    result = run(pls.main, dict(ARGS, visibility=[OTHER]))
    assert result["changed"] and writes()[-1][3]["properties"]["visibility"] == {"subscriptions": [CONSUMER, OTHER]}
    again = run(pls.main, dict(ARGS, visibility=[OTHER]))
    assert not again["changed"]
    purged = run(pls.main, dict(ARGS, visibility=[OTHER], purge_visibility=True,
                                auto_approval=[], purge_auto_approval=True))
    assert purged["changed"]
    props = writes()[-1][3]["properties"]
    assert props["visibility"] == {"subscriptions": [OTHER]} and props["autoApproval"] == {"subscriptions": []}
    anyone = run(pls.main, dict(ARGS, visibility=["*"], purge_visibility=True))
    assert writes()[-1][3]["properties"]["visibility"] == {"subscriptions": ["*"]} and anyone["changed"]


def test_auto_approval_outside_the_visibility_warns(run_module, arm):
    result, failed = run_module(pls.main, dict(CREATE, auto_approval=[OTHER]))
    assert not failed
    assert any("not in visibility" in w for w in warnings_of(result))


def test_a_basic_load_balancer_is_refused_before_any_write(run_module, arm):
    result, failed = run_module(pls.main, dict(CREATE, load_balancer_frontends=[{"load_balancer": "lb-basic"}]))
    assert failed
    assert result["msg"].startswith("load_balancer_frontends[0]: load balancer 'lb-basic' is a Basic load balancer; "
                                    "a private link service can only be offered on a frontend of a Standard")
    assert writes() == []


def test_a_missing_frontend_or_load_balancer_names_what_exists(run_module, arm):
    frontends = [{"load_balancer": "lb-app", "name": "nope"}]
    result, failed = run_module(pls.main, dict(CREATE, load_balancer_frontends=frontends))
    assert failed and result["msg"] == ("load_balancer_frontends[0].name: load balancer 'lb-app' has no frontend "
                                        "'nope'; its frontends: frontend")
    result, failed = run_module(pls.main, dict(CREATE, load_balancer_frontends=[{"load_balancer": "lb-gone"}]))
    assert failed and "load balancer 'lb-gone' was not found in resource group 'rg-provider'" in result["msg"]
    FakeArm.store[LB_ID.lower()] = load_balancer(LB_ID, "lb-app", "Standard", frontends=("a", "b"))
    result, failed = run_module(pls.main, dict(CREATE, load_balancer_frontends=[{"load_balancer": "lb-app"}]))
    assert failed and "has 2 frontends (a, b); name the one" in result["msg"]
    assert writes() == []


def test_a_nat_subnet_with_policies_on_fails_naming_the_fix(run_module, arm):
    args = dict(CREATE, ip_configurations=[{"subnet_id": CLOSED_ID}])
    result, failed = run_module(pls.main, args)
    assert failed
    assert "has private link service network policies Enabled" in result["msg"]
    assert "privnet.azure.subnet_network_policies (private_link_service_network_policies: Disabled)" in result["msg"]
    assert "disable_subnet_policies: true" in result["msg"] and result["msg"].endswith("Nothing was changed.")
    assert writes() == [] and SUBNET_WRITES == []


def test_disable_subnet_policies_disables_them_first(run_module, arm):
    args = dict(CREATE, ip_configurations=[{"subnet_id": CLOSED_ID}], disable_subnet_policies=True)
    checked, failed = run_module(pls.main, dict(args, _ansible_check_mode=True, _ansible_diff=True))
    assert (failed, checked["changed"]) == (False, True)
    assert writes() == [] and SUBNET_WRITES == [(CLOSED_ID, {"privateLinkServiceNetworkPolicies": "Disabled"},
                                                 True)]
    assert checked["diff"]["after"]["subnet_policies"] == {CLOSED_ID: "Disabled"}
    SUBNET_WRITES.clear()
    result, failed = run_module(pls.main, args)
    assert (failed, result["subnet_policies"]) == (False, [CLOSED_ID])
    assert SUBNET_WRITES == [(CLOSED_ID, {"privateLinkServiceNetworkPolicies": "Disabled"}, False)]
    assert len(writes()) == 1


def test_static_address_outside_the_subnet_is_refused(run_module, arm):
    result, failed = run_module(pls.main, dict(CREATE, ip_configurations=[
        {"subnet_id": NAT_ID, "private_ip_address": "10.9.9.9"}]))
    assert failed and result["msg"].startswith("ip_configurations[0].private_ip_address: 10.9.9.9 is outside")
    assert writes() == []


def test_location_cannot_change(run_module, arm):
    run_module(pls.main, CREATE)
    result, failed = run_module(pls.main, dict(ARGS, location="northeurope"))
    assert failed and "a service's region cannot be changed" in result["msg"]
    assert len(writes()) == 1


def test_azure_error_on_the_write_is_code_and_message(run_module, arm):
    FakeArm.fail_put = arm_error(400, "PrivateLinkServiceCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled",
                                 "Private link service cannot be created in a subnet since it has policies enabled.")
    result, failed = run_module(pls.main, CREATE)
    assert failed
    assert result["msg"] == ("creating private link service 'pls-app' (resource group 'rg-provider'): "
                             "PrivateLinkServiceCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled: Private link "
                             "service cannot be created in a subnet since it has policies enabled.")
    assert result["azure_error"]["code"] == "PrivateLinkServiceCannotBeCreatedInSubnetThatHasNetworkPoliciesEnabled"


def test_absent_deletes_once(run_module, run, arm):
    run_module(pls.main, CREATE)
    checked = run(pls.main, dict(ARGS, state="absent", _ansible_check_mode=True))
    assert checked["changed"] and len(writes()) == 1
    result, failed = run_module(pls.main, dict(ARGS, state="absent", _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    assert writes()[-1] == ("DELETE", PLS_ID, API)
    assert result["diff"]["after"] == {"state": "absent"}
    again = run(pls.main, dict(ARGS, state="absent"))
    assert not again["changed"] and len(writes()) == 2


@pytest.mark.parametrize("args, message", [
    (dict(name=""), "name: is empty"),
    (dict(name=None), "name: is null"),
    (dict(name="-bad"), "name: '-bad' is not a valid private link service name"),
    (dict(resource_group="rg/x"), "resource_group: 'rg/x' is not a valid resource group name"),
    (dict(load_balancer_frontends=[]), "load_balancer_frontends: is empty"),
    (dict(load_balancer_frontends=[{"id": NAT_ID}]), "load_balancer_frontends[0].id: "),
    (dict(load_balancer_frontends=[{"load_balancer": ""}]), "load_balancer_frontends[0].load_balancer: is empty"),
    (dict(ip_configurations=[]), "ip_configurations: is empty"),
    (dict(ip_configurations=[{"subnet_id": NAT_ID}] * 9), "ip_configurations: 9 given; Azure allows at most 8"),
    (dict(ip_configurations=[{"subnet_id": NAT_ID, "primary": True, "name": "a"},
                             {"subnet_id": NAT_ID, "primary": True, "name": "b"}]),
     "ip_configurations: more than one is primary"),
    (dict(ip_configurations=[{"subnet_id": NAT_ID, "name": "a"}, {"subnet_id": NAT_ID, "name": "A"}]),
     "ip_configurations[1].name: 'A' is given twice"),
    (dict(ip_configurations=[{"subnet_id": LB_ID}]), "ip_configurations[0].subnet_id: "),
    (dict(ip_configurations=[{"subnet_id": NAT_ID, "private_ip_address": "x"}]),
     "ip_configurations[0].private_ip_address: 'x' is not an IP address"),
    (dict(visibility=["my-subscription"]), "visibility[0]: 'my-subscription' is not a subscription id"),
    (dict(visibility=["*", CONSUMER]), "visibility: '*' already makes the service visible"),
    (dict(visibility=[""]), "visibility: holds an empty or null item"),
    (dict(auto_approval=["*"]), "auto_approval[0]: '*' is not accepted here"),
    (dict(fqdns=["a..b"]), "fqdns[0]: 'a..b' is not a DNS name"),
    (dict(state="gone"), "value of state must be one of: present, absent"),
])
def test_bad_input_fails_before_any_request(run_module, arm, args, message):
    result, failed = run_module(pls.main, dict(CREATE, **args))
    assert failed
    assert result["msg"].startswith(message), result["msg"]
    assert FakeArm.requests == []


def test_create_needs_frontends_and_nat_ip_configurations(run_module, arm):
    result, failed = run_module(pls.main, dict(ARGS, visibility=[CONSUMER]))
    assert failed and result["msg"].startswith("load_balancer_frontends: private link service 'pls-app'")
    result, failed = run_module(pls.main, dict(ARGS, load_balancer_frontends=[{"id": FRONTEND_ID}]))
    assert failed and result["msg"].startswith("ip_configurations: private link service 'pls-app'")
    assert writes() == []


# ---- private_link_service_info --------------------------------------------------------------------------------

def test_info_by_name_group_and_subscription(run_module, run, arm):
    run_module(pls.main, CREATE)
    FakeArm.store[PLS_ID.lower()]["properties"]["privateEndpointConnections"] = [
        connection("pe-a.1", "pe-a", "Pending", "please"), connection("pe-b.2", "pe-b", "Approved")]
    by_name, failed = run_module(pls_info.main, dict(ARGS))
    assert not failed and not by_name["changed"]
    [service] = by_name["private_link_services"]
    assert service["alias"].startswith("pls-app.") and service["visibility"] == [CONSUMER]
    assert service["auto_approval"] == [CONSUMER]
    states = [(c["name"], c["status"]) for c in service["connections"]]
    assert states == [("pe-a.1", "Pending"), ("pe-b.2", "Approved")]
    group = run(pls_info.main, {"subscription_id": SUB, "resource_group": "rg-provider"})
    everything = run(pls_info.main, {"subscription_id": SUB})
    assert [s["name"] for s in group["private_link_services"]] == ["pls-app"]
    assert [s["name"] for s in everything["private_link_services"]] == ["pls-app"]
    missing, failed = run_module(pls_info.main, dict(ARGS, name="pls-none"))
    assert (failed, missing["private_link_services"]) == (False, [])


def test_info_name_needs_the_resource_group(run_module, arm):
    result, failed = run_module(pls_info.main, {"subscription_id": SUB, "name": "pls-app"})
    assert failed and "resource_group" in result["msg"]
    assert FakeArm.requests == []


# ---- the generic connection modules on a private link service ------------------------------------------------

@pytest.fixture
def service(arm):
    FakeArm.store[PLS_ID.lower()] = {"id": PLS_ID, "name": "pls-app", "type": "Microsoft.Network/privateLinkServices",
                                     "location": "westeurope", "properties": {}}
    for wire in (connection("pe-a.1", "pe-a", "Pending", "please"), connection("pe-b.2", "pe-b", "Pending")):
        FakeArm.store[wire["id"].lower()] = wire
    return FakeArm


def test_connections_of_a_service_are_approved_rejected_and_deleted(run_module, run, service):
    approved, failed = run_module(pec.main, {"target_id": PLS_ID, "private_endpoint_id": f"{PE_ID}/pe-a",
                                             "state": "approved", "description": "CHG-1"})
    assert (failed, approved["changed"], approved["target_type"]) == (False, True, "Microsoft.Network/privateLinkServices")
    [put] = writes()
    assert put[:3] == ("PUT", f"{PLS_ID}/privateEndpointConnections/pe-a.1", API)
    state = {"status": "Approved", "description": "CHG-1", "actionsRequired": "None"}
    assert put[3]["properties"]["privateLinkServiceConnectionState"] == state
    assert put[3]["properties"]["linkIdentifier"] == "536870913"  # sent back as read
    again = run(pec.main, {"target_id": PLS_ID, "private_endpoint_id": f"{PE_ID}/pe-a",
                           "state": "approved", "description": "CHG-1"})
    assert not again["changed"] and len(writes()) == 1
    rejected = run(pec.main, {"target_id": PLS_ID, "name": "pe-b.2", "state": "rejected"})
    assert rejected["changed"] and writes()[-1][3]["properties"]["privateLinkServiceConnectionState"]["status"] == \
        "Rejected"
    refused, failed = run_module(pec.main, {"target_id": PLS_ID, "name": "pe-b.2", "state": "approved"})
    assert failed and "was Rejected and cannot be approved again" in refused["msg"]
    deleted = run(pec.main, {"target_id": PLS_ID, "name": "pe-b.2", "state": "absent"})
    assert deleted["changed"] and writes()[-1] == ("DELETE", f"{PLS_ID}/privateEndpointConnections/pe-b.2", API)
    listed = run(pec_info.main, {"target_id": PLS_ID})
    assert [(c["name"], c["status"]) for c in listed["connections"]] == [("pe-a.1", "Approved")]
    assert listed["target_type"] == "Microsoft.Network/privateLinkServices"


def test_the_diff_shows_a_dynamic_address_as_it_is(run_module, arm):
    run_module(pls.main, CREATE)
    result, failed = run_module(pls.main, dict(CREATE, fqdns=["api.provider.example"], _ansible_diff=True))
    assert (failed, result["changed"]) == (False, True)
    diff = result["diff"]
    assert diff["before"]["ip_configurations"] == diff["after"]["ip_configurations"]
    assert diff["after"]["ip_configurations"][0]["private_ip_address"] == "10.50.2.4"
    assert (diff["before"]["fqdns"], diff["after"]["fqdns"]) == (["app.provider.example"], ["api.provider.example"])
