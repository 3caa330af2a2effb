# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from azure.mgmt.network import models

from ansible_collections.privnet.azure.plugins.module_utils._diff import as_dict, ci, compare, unordered


def test_only_user_set_fields_are_compared():
    current = {"a": "x", "b": "y", "c": "z"}
    result = compare({"a": "x", "b": "changed", "c": None}, current)
    assert result.changed_keys == ["b"]
    assert result.before == {"a": "x", "b": "y"}
    assert result.after == {"a": "x", "b": "changed"}
    assert result.changed
    assert result.as_diff() == {"before": {"a": "x", "b": "y"}, "after": {"a": "x", "b": "changed"}}


def test_no_change():
    result = compare({"a": 1}, {"a": 1, "other": 2})
    assert not result.changed
    assert result.changed_keys == []


def test_missing_resource_counts_as_change():
    result = compare({"a": "x"}, None)
    assert result.changed_keys == ["a"]
    assert result.before == {"a": None}


def test_exact_comparison_by_default_and_ci_when_asked():
    assert compare({"p": "Disabled"}, {"p": "disabled"}).changed
    assert not compare({"p": "Disabled"}, {"p": "disabled"}, normalisers={"p": ci}).changed
    assert not compare({"id": "/Subscriptions/S/x/"}, {"id": "/subscriptions/s/X"}, normalisers={"id": ci}).changed


def test_unordered_lists():
    norm = unordered(ci)
    assert not compare({"l": ["B", "a"]}, {"l": ["A", "b"]}, normalisers={"l": norm}).changed
    assert compare({"l": ["a"]}, {"l": ["a", "b"]}, normalisers={"l": norm}).changed


def test_as_dict_flattens_typespec_models_to_snake_case():
    subnet = models.Subnet(
        name="snet",
        address_prefix="10.0.0.0/24",
        private_endpoint_network_policies="Disabled",
        network_security_group=models.NetworkSecurityGroup(id="/nsg"),
        delegations=[models.Delegation(name="aci", service_name="Microsoft.ContainerInstance/containerGroups")],
    )
    data = as_dict(subnet)
    assert data["name"] == "snet"
    assert data["address_prefix"] == "10.0.0.0/24"
    assert data["private_endpoint_network_policies"] == "Disabled"
    assert data["network_security_group"] == {"id": "/nsg"}
    assert data["delegations"] == [{"name": "aci", "service_name": "Microsoft.ContainerInstance/containerGroups"}]
    assert "properties" not in data


def test_as_dict_keeps_tag_keys_as_written():
    vnet = models.VirtualNetwork(location="westeurope", tags={"CostCenter": "1", "properties": "x"})
    assert as_dict(vnet)["tags"] == {"CostCenter": "1", "properties": "x"}


def test_as_dict_of_none_and_lists():
    assert as_dict(None) is None
    assert as_dict([models.SubResource(id="/a")]) == [{"id": "/a"}]
