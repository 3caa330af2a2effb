# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.module_utils._armjson import NETWORK_API
from ansible_collections.privnet.azure.plugins.modules import public_ip_address
from ansible_collections.privnet.azure.tests.unit.helpers import arm_error
from ansible_collections.privnet.azure.tests.unit.plugins.modules.vpn_fakes import (
    SUB,
    install_network,
    public_ip,
    written,
)

ARGS = {"subscription_id": SUB, "name": "pip-vpngw-hub-1", "resource_group": "rg-hub"}
PIP_ID = public_ip("pip-vpngw-hub-1")["id"]


@pytest.fixture
def network(monkeypatch):
    return install_network(monkeypatch)


def test_creates_a_standard_static_address(run_module, network):
    result, failed = run_module(public_ip_address.main, dict(ARGS, location="westeurope", zones=["3", "1", "2"],
                                                             tags={"role": "vpn"}, _ansible_diff=True))
    assert not failed and result["changed"] is True
    [(method, resource_id, body)] = written(network)
    assert resource_id == PIP_ID
    assert body["sku"] == {"name": "Standard", "tier": "Regional"}
    assert body["properties"]["publicIPAllocationMethod"] == "Static"
    assert body["zones"] == ["1", "2", "3"] and body["location"] == "westeurope" and body["tags"] == {"role": "vpn"}
    assert {api for _m, _i, api in network.calls} == {NETWORK_API}
    assert result["public_ip_address"]["ip_address"] == "20.50.1.7"
    assert result["diff"]["before"] == {"state": "absent"}
    assert result["diff"]["after"]["sku"] == "Standard"


def test_second_run_writes_nothing(run_module, network):
    network.add(public_ip("pip-vpngw-hub-1"))
    result, failed = run_module(public_ip_address.main, dict(ARGS, location="West Europe", sku="Standard",
                                                             allocation_method="Static"))
    assert (failed, result["changed"]) == (False, False)
    assert network.writes == []


def test_check_mode_predicts_without_writing(run_module, network):
    result, failed = run_module(public_ip_address.main, dict(ARGS, location="westeurope", _ansible_check_mode=True))
    assert (failed, result["changed"]) == (False, True)
    assert network.writes == []
    assert result["public_ip_address"]["sku"] == "Standard"
    assert result["public_ip_address"]["id"] == PIP_ID


def test_tag_update_keeps_what_the_module_does_not_manage(run_module, network):
    network.add(public_ip("pip-vpngw-hub-1", used_by="/subscriptions/x/ipconfig"))
    result, failed = run_module(public_ip_address.main, dict(ARGS, tags={"env": "prod"}))
    assert not failed and result["changed"]
    [(_m, _i, body)] = written(network)
    assert body["properties"]["dnsSettings"] == {"domainNameLabel": "keepme"}
    assert body["properties"]["idleTimeoutInMinutes"] == 4
    assert "ipConfiguration" not in body["properties"] and "provisioningState" not in body["properties"]
    assert "etag" not in body and body["tags"] == {"env": "prod"}


def test_sku_of_an_existing_address_cannot_change(run_module, network):
    network.add(public_ip("pip-vpngw-hub-1", sku="Basic"))
    result, failed = run_module(public_ip_address.main, dict(ARGS, sku="Standard"))
    assert failed
    assert result["msg"].startswith("sku: ") and "delete it and create it again" in result["msg"]
    assert network.writes == []


@pytest.mark.parametrize("args, message", [
    ({"sku": "Standard", "allocation_method": "Dynamic", "location": "westeurope"}, "allocation_method: a Standard"),
    ({"sku": "Basic", "zones": ["1"], "location": "westeurope"}, "zones: Basic public IP addresses"),
    ({"zones": ["4"], "location": "westeurope"}, "zones[0]: '4'"),
    ({}, "location: public IP address 'pip-vpngw-hub-1' does not exist"),
    ({"name": "-bad", "location": "westeurope"}, "name: '-bad' is not a valid public IP address name"),
])
def test_bad_input_fails_before_any_write(run_module, network, args, message):
    result, failed = run_module(public_ip_address.main, dict(ARGS, **args))
    assert failed
    assert message in result["msg"]
    assert network.writes == []


def test_absent_deletes_and_refuses_an_address_in_use(run_module, network):
    network.add(public_ip("pip-vpngw-hub-1", used_by="/subscriptions/s/gw/ipConfigurations/default"))
    result, failed = run_module(public_ip_address.main, dict(ARGS, state="absent"))
    assert failed and "is used by /subscriptions/s/gw/ipConfigurations/default" in result["msg"]
    assert network.writes == []
    network.add(public_ip("pip-vpngw-hub-1"))
    result, failed = run_module(public_ip_address.main, dict(ARGS, state="absent"))
    assert not failed and result["changed"]
    assert written(network, "DELETE") == [("DELETE", PIP_ID, None)]
    result, failed = run_module(public_ip_address.main, dict(ARGS, state="absent"))
    assert (failed, result["changed"]) == (False, False)


def test_azure_error_is_reported_with_code_and_message(run_module, network):
    def refuse(resource_id, stored):
        raise arm_error(400, "PublicIPCountLimitReached", "Cannot create more than 10 public IP addresses")
    network.put_hooks.append(refuse)
    result, failed = run_module(public_ip_address.main, dict(ARGS, location="westeurope"))
    assert failed
    assert "PublicIPCountLimitReached: Cannot create more than 10" in result["msg"]
    assert result["azure_error"]["code"] == "PublicIPCountLimitReached"
    assert "Traceback" not in str(result)
