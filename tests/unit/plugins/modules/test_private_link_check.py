# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.module_utils._azure import AzureModule
from ansible_collections.privnet.azure.plugins.modules import private_link_check
from ansible_collections.privnet.azure.plugins.modules.private_link_check import parse_resolver
from ansible_collections.privnet.azure.tests.unit.helpers import not_found, warnings_of

BASE = {"subscription_id": "11111111-1111-4111-8111-111111111111", "name": "pe-acr", "resource_group": "rg-network"}


class FakeNetwork:
    """A network client without any private endpoint: every endpoint GET answers 404."""

    def __init__(self):
        self.clients = []
        self.reads = []
        self.private_endpoints = self

    def get(self, rg, name, **kwargs):
        self.reads.append(("private_endpoints.get", rg, name))
        raise not_found(f"Resource '{name}' not found.")


@pytest.fixture
def azure(monkeypatch):
    fake = FakeNetwork()

    def fake_client(self, name, subscription_id=None):
        fake.clients.append((name, subscription_id))
        if name != "network":
            raise AssertionError(f"unexpected {name} client: the endpoint is missing, nothing else is read")
        return fake

    monkeypatch.setattr(AzureModule, "client", fake_client)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    return fake


# ---- resolver -------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,parsed", [
    ("10.0.0.4", ("10.0.0.4", 53)),
    ("127.0.0.1:5353", ("127.0.0.1", 5353)),
    ("[::1]:53", ("::1", 53)),
    ("[fd00::4]", ("fd00::4", 53)),
    ("10.0.0.4:65535", ("10.0.0.4", 65535)),
])
def test_resolver_is_an_address_with_an_optional_port(value, parsed):
    assert parse_resolver(value) == parsed


HINT = "give address or address:port, e.g. 10.20.0.4 or 127.0.0.1:5353"


@pytest.mark.parametrize("value", ["dns.local", "dns.local:99999", "dns.local:53", "10.0.0", "[dns.local]:53"])
def test_resolver_must_start_with_an_ip_address(value):
    with pytest.raises(ValueError) as caught:
        parse_resolver(value)
    assert str(caught.value) == f"resolver: {value!r} does not start with an IP address; {HINT}"


@pytest.mark.parametrize("value", ["10.0.0.4:99999", "10.0.0.4:0", "10.0.0.4:dns", "[::1]:65536", "10.0.0.4:-1"])
def test_resolver_port_is_1_to_65535(value):
    with pytest.raises(ValueError) as caught:
        parse_resolver(value)
    assert str(caught.value) == f"resolver: {value!r} has a port that is not a number from 1 to 65535; {HINT}"


def test_bad_resolver_fails_before_calling_azure(run_module, azure):
    result, failed = run_module(private_link_check.main, dict(BASE, resolver="dns.local:99999"))
    assert failed
    assert result["msg"].startswith("resolver: 'dns.local:99999' does not start with an IP address")
    assert azure.clients == [] and azure.reads == []


@pytest.mark.parametrize("timeout", [0, -1, -0.5])
def test_dns_timeout_above_zero_before_calling_azure(run_module, azure, timeout):
    result, failed = run_module(private_link_check.main, dict(BASE, dns_timeout=timeout))
    assert failed
    assert result["msg"] == (f"dns_timeout: {float(timeout)} is not a number of seconds above 0; give e.g. 3")
    assert azure.clients == [] and azure.reads == []


# ---- a missing endpoint ---------------------------------------------------------------------------

def test_missing_endpoint_fails(run_module, azure):
    result, failed = run_module(private_link_check.main, BASE)
    assert failed
    assert result["msg"] == ("private endpoint 'pe-acr' was not found in resource group 'rg-network'; "
                             "check name and resource_group")
    assert azure.reads == [("private_endpoints.get", "rg-network", "pe-acr")]


@pytest.mark.parametrize("fail_on", ["never", "error"])
def test_missing_endpoint_in_check_mode_warns_without_findings(run_module, azure, fail_on):
    # An earlier task of the same check-mode run only predicted the endpoint: nothing to verify yet.
    result, failed = run_module(private_link_check.main, dict(BASE, fail_on=fail_on, _ansible_check_mode=True))
    assert not failed, result
    assert (result["changed"], result["ok"], result["findings"], result["names"]) == (False, False, [], [])
    assert result["connection_state"] is None
    assert result["zone"] == {"name": None, "resource_group": "rg-network", "exists": None,
                              "linked_virtual_networks": []}
    assert warnings_of(result) == ["private endpoint 'pe-acr' was not found in resource group 'rg-network': "
                                   "nothing to verify until a real run creates it (check mode)"]
    assert azure.clients == [("network", None)]
    assert azure.reads == [("private_endpoints.get", "rg-network", "pe-acr")]
