"""Part 2: permanent faults fail at once, with Azure's code and message, without a retry storm.

The cases: a 403 AuthorizationFailed (the emulator's `forbidden` fault: the caller lacks the role
for one write of the procedure), real permanent failures (a wrong secret, an unknown subscription
or resource group, a reference to nothing, requests ARM refuses), and an operation that ends
Failed with a permission code (failed_lro with code=LinkedAuthorizationFailed).
"""

import json

import pytest

import reliability_lib as lib

SUB = "3f2b8c1e-6d4a-4e9b-a7c5-2e1d0f9b8a76"
UNKNOWN_SUB = "0badc0de-0000-4000-8000-000000000001"
ACR = f"/subscriptions/{SUB}/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries"
PE = dict(name="pe-x", resource_group="rg-network", virtual_network="vnet-app", subnet="snet-workload",
          target_id=f"{ACR}/acrprivnetdemo", group_ids=["registry"])
# A permanent failure costs a few reads and at most one write; a retry storm would cost many more,
# and backoff sleeps would show in the time.
MAX_ARM_REQUESTS = 8
MAX_SECONDS = 30


class Permanent:
    def __init__(self, case_id, what, expect, module=None, args=None, env=None, fault=None, status=None):
        self.id = case_id
        self.what = what
        self.expect = expect     # the Azure code and (part of) its message, as the user must see them
        self.module = module     # None: the whole main procedure (playbooks/acr_private_link.yml)
        self.args = args or {}
        self.env = env or {}
        self.fault = fault
        self.status = status     # the HTTP status ARM answered the failing request with


CASES = [
    Permanent("403-authorization-failed", "no role assignment for the subnet write (the whole procedure)",
              ["AuthorizationFailed", "does not have authorization to perform action "
               "'Microsoft.Network/virtualNetworks/subnets/write'", "/subnets/snet-workload"],
              fault=dict(kind="forbidden", method="PUT", path="/subnets/snet-workload$", count=10), status=403),
    Permanent("403-authorization-failed-registry", "no role assignment for the registry's network settings",
              ["AuthorizationFailed", "'Microsoft.ContainerRegistry/registries/write'"], module="acr_network",
              args=dict(name="acrprivnetdemo", resource_group="rg-acr", public_network_access="Disabled"),
              fault=dict(kind="forbidden", method="PATCH", path="/registries/acrprivnetdemo$", count=10), status=403),
    Permanent("401-wrong-secret", "the AWX credential's secret is wrong (the whole procedure)",
              ["ClientAuthenticationError", "AADSTS7000215", "Invalid client secret"], env={"AZURE_SECRET": "not-the-secret"},
              status=401),
    Permanent("404-unknown-subscription", "the AWX credential's subscription does not exist (the whole procedure)",
              ["SubscriptionNotFound", f"The subscription '{UNKNOWN_SUB}' could not be found"],
              env={"AZURE_SUBSCRIPTION_ID": UNKNOWN_SUB}, status=404),
    Permanent("404-unknown-resource-group", "a zone in a resource group that does not exist",
              ["ResourceGroupNotFound", "Resource group 'rg-nothere' could not be found"],
              module="private_dns_zone", args=dict(name="privatelink.azurecr.io", resource_group="rg-nothere"), status=404),
    Permanent("404-referenced-resource", "an endpoint whose target registry does not exist",
              ["InvalidResourceReference", "acrnothere", "was not found"],
              module="private_endpoint", args=dict(PE, target_id=f"{ACR}/acrnothere"), status=400),
    Permanent("400-group-id-not-found", "an endpoint to a group id the registry does not offer",
              ["PrivateLinkServiceGroupIdNotFound", "Group id 'vault' was not found"],
              module="private_endpoint", args=dict(PE, group_ids=["vault"]), status=400),
    Permanent("400-feature-not-supported-for-sku", "an endpoint to a Basic registry",
              ["FeatureNotSupportedForSku", "not supported for the SKU Basic"],
              module="private_endpoint", args=dict(PE, target_id=f"{ACR}/acrbasicdemo"), status=400),
    Permanent("403-failed-operation", "the endpoint's operation ends Failed with LinkedAuthorizationFailed",
              ["LinkedAuthorizationFailed", "The operation failed"], module="private_endpoint", args=PE,
              fault=dict(kind="failed_lro", method="PUT", path="/privateEndpoints/pe-x$", count=10,
                         code="LinkedAuthorizationFailed")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_permanent_fault(emulator, case, suite):
    lib.fresh(emulator, "acr")
    if case.fault:
        emulator.control.fault(**case.fault)
    if case.module:
        argv = ["ansible", "localhost", "-i", "localhost,", "-c", "local", "-m", f"privnet.azure.{case.module}",
                "-a", json.dumps(case.args)]
    else:
        argv = lib.acr_playbook_args(emulator, resolver=False)
    run = lib.run(emulator, argv, env=case.env)
    log = emulator.control.log()
    arm = [e for e in log if e["kind"] == "arm"]
    tokens = [e for e in log if e["kind"] == "token"]
    writes = [e for e in arm if e["write"]]
    per_request = {}
    for e in arm:
        key = (e["method"], e["path"])
        per_request[key] = per_request.get(key, 0) + 1
    repeated = {f"{m} {lib.short_path(p)}": n for (m, p), n in per_request.items() if n > 1 and m != "GET"}
    missing = [text for text in case.expect if text not in run.stdout]
    failing = [e for e in arm + tokens if e["status"] >= 400]
    lib.record(suite, "permanent", case.id, what=case.what, ok=run.rc != 0 and not missing and not repeated,
               code=case.expect[0], seconds=round(run.seconds, 1), arm_requests=len(arm), writes=len(writes),
               token_requests=len(tokens), missing=missing)
    assert run.rc != 0, f"{case.id}: the run did not fail\n{run.describe()}"
    assert not missing, f"{case.id}: the failure does not show {missing}\n{run.describe()}"
    # Fail at once: the failing request is not sent again, nothing piles up, no backoff sleeps.
    assert not repeated, f"{case.id}: writes sent again: {repeated}"
    assert len(writes) <= 1, [(e["method"], e["path"], e["status"]) for e in writes]
    assert len(arm) <= MAX_ARM_REQUESTS, [(e["method"], lib.short_path(e["path"]), e["status"]) for e in arm]
    assert len(tokens) <= 2
    assert run.seconds < MAX_SECONDS
    if case.status:
        # The request Azure refused (the write, when there is one) was sent once.
        refused = [e for e in writes if e["status"] >= 400] if writes else failing[-1:]
        assert refused and refused[-1]["status"] == case.status, [(e["method"], e["path"], e["status"]) for e in failing]
        same = [e for e in arm + tokens if (e["method"], e["path"]) == (refused[-1]["method"], refused[-1]["path"])]
        assert len(same) == 1, f"{case.id}: the refused request was sent {len(same)} times"
