# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.module_utils._ids import (
    ResourceId,
    build_resource_id,
    parse_resource_id,
    resolve_resource_id,
    same_id,
)

SUBNET_ID = "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-a/subnets/snet-1"


def test_parse_child_resource():
    rid = parse_resource_id(SUBNET_ID)
    assert rid == ResourceId("11111111-1111-4111-8111-111111111111", "rg-net", "Microsoft.Network", "virtualNetworks", "vnet-a", (("subnets", "snet-1"),))
    assert rid.full_type == "Microsoft.Network/virtualNetworks/subnets"
    assert rid.leaf_name == "snet-1"
    assert str(rid.parent) == "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-a"


def test_round_trip_and_child():
    rid = parse_resource_id(SUBNET_ID)
    assert str(rid) == SUBNET_ID
    assert str(rid.parent.child("subnets", "snet-1")) == SUBNET_ID


def test_parse_accepts_any_keyword_case_and_trailing_slash():
    # The resource groups SDK writes "resourcegroups"; ARM ids are case-insensitive.
    rid = parse_resource_id("/SUBSCRIPTIONS/s/resourcegroups/rg/PROVIDERS/Microsoft.Network/virtualNetworks/v/")
    assert (rid.subscription, rid.resource_group, rid.name) == ("s", "rg", "v")


@pytest.mark.parametrize("bad", [
    "",
    "vnet-a",
    "/subscriptions/s/resourceGroups/rg",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets",
    "/subscriptions/s/groups/rg/providers/Microsoft.Network/virtualNetworks/v",
    "/subscriptions//resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
])
def test_parse_rejects_malformed_ids_naming_the_option(bad):
    with pytest.raises(ValueError, match="^subnet_id: .* is not an Azure resource id"):
        parse_resource_id(bad, "subnet_id")


def test_build():
    assert build_resource_id("s", "rg", "Microsoft.Network", "virtualNetworks", "v", ("subnets", "a")) == (
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a")


def test_resolve_name_uses_defaults():
    rid = resolve_resource_id("vnet-a", option="virtual_network", subscription="s", resource_group="rg",
                              provider="Microsoft.Network", type_="virtualNetworks")
    assert str(rid) == "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-a"


def test_resolve_full_id_keeps_its_own_subscription():
    other = "/subscriptions/other/resourceGroups/rg2/providers/Microsoft.Network/virtualNetworks/vnet-b"
    rid = resolve_resource_id(other, option="virtual_network", subscription="s", resource_group="rg",
                              provider="Microsoft.Network", type_="virtualNetworks")
    assert (rid.subscription, rid.resource_group, rid.name) == ("other", "rg2", "vnet-b")


def test_resolve_rejects_id_of_another_type():
    with pytest.raises(ValueError, match="virtual_network: .* is a Microsoft.Network/virtualNetworks/subnets id"):
        resolve_resource_id(SUBNET_ID, option="virtual_network", subscription="s", resource_group="rg",
                            provider="Microsoft.Network", type_="virtualNetworks")


def test_resolve_bare_name_needs_resource_group():
    with pytest.raises(ValueError, match="resource_group is required"):
        resolve_resource_id("vnet-a", option="virtual_network", subscription="s", resource_group=None,
                            provider="Microsoft.Network", type_="virtualNetworks")


def test_resolve_checks_a_bare_name_against_the_naming_rule():
    with pytest.raises(ValueError, match="^virtual_network: '-vnet' is not a valid virtual network name"):
        resolve_resource_id("-vnet", option="virtual_network", subscription="s", resource_group="rg",
                            provider="Microsoft.Network", type_="virtualNetworks", name_kind="virtual_network")
    # the rule is for names: a full id is checked as an id
    vnet_id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/-vnet"
    rid = resolve_resource_id(vnet_id, option="virtual_network", subscription="s", resource_group="rg",
                              provider="Microsoft.Network", type_="virtualNetworks", name_kind="virtual_network")
    assert rid.name == "-vnet"


def test_resolve_asks_for_the_default_subscription_only_for_a_bare_name():
    asked = []

    def subscription():
        asked.append(True)
        return "s"

    other = "/subscriptions/other/resourceGroups/rg2/providers/Microsoft.Network/virtualNetworks/vnet-b"
    assert resolve_resource_id(other, option="virtual_network", subscription=subscription, resource_group=None,
                               provider="Microsoft.Network", type_="virtualNetworks").subscription == "other"
    assert asked == []
    assert resolve_resource_id("vnet-a", option="virtual_network", subscription=subscription, resource_group="rg",
                               provider="Microsoft.Network", type_="virtualNetworks").subscription == "s"
    assert asked == [True]


def test_same_id_is_case_insensitive():
    assert same_id(SUBNET_ID, SUBNET_ID.upper() + "/")
    assert not same_id(SUBNET_ID, SUBNET_ID.replace("snet-1", "snet-2"))
    assert not same_id(SUBNET_ID, None)
