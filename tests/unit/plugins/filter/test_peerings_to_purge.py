# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.peerings_to_purge import peerings_to_purge

S1, S2 = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"


def vnet(sub, rg, name):
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{name}"


def peering(remote_id, name=None):
    return {"name": name or f"vnet-hub-to-{remote_id.rsplit('/', 1)[1]}", "remote_virtual_network_id": remote_id}


SPOKES = [{"virtual_network": "vnet-spoke1", "resource_group": "rg-spokes"},
          {"virtual_network": "vnet-spoke2", "resource_group": "rg-spokes", "subscription_id": S2}]


def names(result):
    return [p["name"] for p in result]


def test_only_unlisted_spokes_named_by_the_procedure_are_purged():
    peerings = [peering(vnet(S1, "rg-spokes", "vnet-spoke1")),                  # listed
                peering(vnet(S2, "rg-spokes", "vnet-spoke2")),                  # listed, its subscription
                peering(vnet(S1, "rg-spokes", "vnet-spoke3")),                  # gone from the inventory
                peering(vnet(S1, "rg-hub-west", "vnet-hub-west"), "hub-to-hub-west"),      # hub-to-hub, named otherwise
                peering(vnet(S1, "rg-shared", "vnet-shared"), "shared-services")]          # shared services
    assert names(peerings_to_purge(peerings, "vnet-hub", SPOKES)) == ["vnet-hub-to-vnet-spoke3"]


def test_a_spoke_with_a_subscription_protects_only_that_subscriptions_network():
    # Same resource group and name in another subscription: not the listed spoke.
    other = peering(vnet(S1, "rg-spokes", "vnet-spoke2"))
    assert peerings_to_purge([other], "vnet-hub", SPOKES) == [other]


def test_keep_by_id_or_name_and_case_insensitive():
    kept_by_id = peering(vnet(S1, "rg-hub-west", "vnet-hub-west"))
    kept_by_name = peering(vnet(S1, "rg-x", "VNet-Shared"))
    assert peerings_to_purge([kept_by_id, kept_by_name], "VNET-HUB", SPOKES,
                             keep=[vnet(S1, "rg-hub-west", "vnet-hub-west").upper(), "vnet-shared"]) == []


def test_no_spokes_listed_purges_every_procedure_peering_only():
    peerings = [peering(vnet(S1, "rg-spokes", "vnet-spoke1")), peering(vnet(S1, "rg", "x"), "custom")]
    assert names(peerings_to_purge(peerings, "vnet-hub", [])) == ["vnet-hub-to-vnet-spoke1"]


@pytest.mark.parametrize("hub, spokes", [("", SPOKES), ("vnet-hub", [{"virtual_network": "v"}])])
def test_bad_arguments(hub, spokes):
    with pytest.raises(AnsibleFilterError):
        peerings_to_purge([], hub, spokes)
