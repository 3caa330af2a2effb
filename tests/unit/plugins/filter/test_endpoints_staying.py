# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.endpoints_staying import endpoints_staying

VNET = "/subscriptions/s/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-app"
ACR = "/subscriptions/s/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/"
KV = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1"


def endpoint(name, subnet=VNET + "/subnets/snet-workload", target=ACR + "acr1"):
    return {"id": f"/subscriptions/s/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints/{name}",
            "subnet_id": subnet, "target_id": target}


LISTED = {"private_endpoints": [
    endpoint("pe-a"), endpoint("pe-b", target=ACR + "acr2"),
    endpoint("pe-other-vnet", subnet=VNET.replace("vnet-app", "vnet-other") + "/subnets/s1"),
    endpoint("pe-kv", target=KV),
]}


def test_endpoints_in_the_vnet_to_the_type_that_the_play_keeps():
    ids = endpoints_staying(LISTED, VNET, exclude=[LISTED["private_endpoints"][0]["id"].upper()],
                            target_type="Microsoft.ContainerRegistry/registries")
    assert ids == [LISTED["private_endpoints"][1]["id"]]


def test_the_tail_of_the_vnet_id_and_any_target_type():
    tail = VNET[VNET.index("/resourceGroups/"):].lower()
    ids = endpoints_staying(LISTED["private_endpoints"], tail)
    assert [i.rsplit("/", 1)[-1] for i in ids] == ["pe-a", "pe-b", "pe-kv"]


def test_everything_torn_down_leaves_nothing():
    assert endpoints_staying(LISTED, VNET, exclude=[e["id"] for e in LISTED["private_endpoints"]]) == []


@pytest.mark.parametrize("listed", [{}, None, {"skipped": True}])
def test_no_list_keeps_what_it_would_remove(listed):
    assert endpoints_staying(listed, VNET) == ["(not listed)"]


@pytest.mark.parametrize("listed, vnet, message", [
    ("pe-a", VNET, "expected the result"),
    ([["pe-a"]], VNET, "must be a dict"),
    (LISTED, "", "virtual_network_id"),
])
def test_bad_input_names_what_is_wrong(listed, vnet, message):
    with pytest.raises(AnsibleFilterError, match=message):
        endpoints_staying(listed, vnet)
