# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Test doubles for the network rule modules: ARM resources held as wire JSON behind an ArmResources stand-in,
and subnets behind AzureModule.arm()."""

from __future__ import annotations

import copy
from types import SimpleNamespace

from ansible_collections.privnet.azure.tests.unit.helpers import arm_error, install_arm, not_found, subnet_wire

SUB = "11111111-1111-4111-8111-111111111111"
NET = f"/subscriptions/{SUB}/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub"
SNET_STORAGE = f"{NET}/subnets/snet-storage"
SNET_GLOBAL = f"{NET}/subnets/snet-global"
SNET_VAULT = f"{NET}/subnets/snet-vault"
SNET_SQL = f"{NET}/subnets/snet-sql"
SNET_NONE = f"{NET}/subnets/snet-none"
SNET_MISSING = f"{NET}/subnets/snet-missing"

ENDPOINTS = {
    "snet-storage": ["Microsoft.Storage"],
    "snet-global": ["Microsoft.Storage.Global"],
    "snet-vault": ["Microsoft.KeyVault"],
    "snet-sql": ["Microsoft.Sql"],
    "snet-none": [],
}


class FakeArm:
    """ArmResources over a dict of wire JSON resources (keyed by lower-cased id). PATCH merges the top level of
    ``properties`` (a nested object such as networkAcls is replaced whole), as ARM's update does; every call is
    recorded in ``calls`` as (method, id, body)."""

    def __init__(self, resources=None):
        self.resources = {k.lower(): v for k, v in (resources or {}).items()}
        self.calls = []
        self.fail_on = {}  # (method, id lower) -> exception

    def __call__(self, module, subscription_id=None, tenant_id=None):
        self.module = module
        self.subscription_id = subscription_id
        return self

    def _maybe_fail(self, method, resource_id, what):
        error = self.fail_on.get((method, resource_id.lower()))
        if error is not None:
            self.module.fail_azure(what, error)

    def get(self, resource_id, api_version, what):
        self.calls.append(("GET", resource_id, api_version))
        self._maybe_fail("GET", resource_id, what)
        found = self.resources.get(resource_id.lower())
        return copy.deepcopy(found) if found is not None else None

    def list(self, collection_id, api_version, what):
        self.calls.append(("LIST", collection_id, api_version))
        prefix = collection_id.lower().rstrip("/") + "/"
        return [copy.deepcopy(v) for k, v in sorted(self.resources.items())
                if k.startswith(prefix) and "/" not in k[len(prefix):]]

    def patch(self, resource_id, api_version, body, what, must_wait=False):
        self.calls.append(("PATCH", resource_id, copy.deepcopy(body)))
        self._maybe_fail("PATCH", resource_id, what)
        stored = self.resources[resource_id.lower()]
        stored.setdefault("properties", {}).update(copy.deepcopy(body.get("properties") or {}))
        return copy.deepcopy(stored)

    def put(self, resource_id, api_version, body, what, must_wait=False):
        self.calls.append(("PUT", resource_id, copy.deepcopy(body)))
        self._maybe_fail("PUT", resource_id, what)
        name = resource_id.rstrip("/").split("/")[-1]
        stored = dict(copy.deepcopy(body), id=resource_id, name=name)
        self.resources[resource_id.lower()] = stored
        return copy.deepcopy(stored)

    def delete(self, resource_id, api_version, what, must_wait=False):
        self.calls.append(("DELETE", resource_id, None))
        self._maybe_fail("DELETE", resource_id, what)
        self.resources.pop(resource_id.lower(), None)

    @property
    def writes(self):
        return [c for c in self.calls if c[0] in ("PUT", "PATCH", "DELETE")]


def install(monkeypatch, module, resources):
    """Replace the module's ArmResources with a FakeArm over ``resources`` and AzureModule.arm() with one holding
    the subnets of ENDPOINTS; returns (arm, network), ``network.subnets_read`` the names of the subnets read."""
    arm = FakeArm(resources)
    monkeypatch.setattr(module, "ArmResources", arm)
    network = SimpleNamespace(subnets_read=[])

    def subnets(method, resource_id, body, headers):
        assert method == "GET" and "/virtualNetworks/vnet-hub/subnets/" in resource_id, (method, resource_id)
        name = resource_id.rsplit("/", 1)[-1]
        network.subnets_read.append(name)
        if name not in ENDPOINTS:
            raise not_found(f"Resource {name} not found.")
        return subnet_wire(serviceEndpoints=[{"service": s, "locations": ["*"]} for s in ENDPOINTS[name]])

    install_arm(monkeypatch, subnets)
    return arm, network


def conflict(code="Conflict", message="boom"):
    return arm_error(400, code, message)
