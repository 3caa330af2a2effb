# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.zones_in_use import zones_in_use

VNET = "/subscriptions/s1/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-app"
OTHER_VNET = VNET.replace("vnet-app", "vnet-other")
BLOB = "privatelink.blob.core.windows.net"
FILE = "privatelink.file.core.windows.net"
VAULT = "privatelink.vaultcore.azure.net"


def endpoint(name, vnet, fqdns, zone_group=None):
    ep = {"id": f"/subscriptions/s1/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints/{name}",
          "subnet_id": vnet + "/subnets/snet-workload", "members": [{"fqdns": fqdns}]}
    if zone_group is not None:
        ep["dns_zone_group"] = {"zones": zone_group}
    return ep


def test_zones_served_by_other_endpoints_in_the_vnet():
    endpoints = [endpoint("pe-mine-blob", VNET, ["mine.blob.core.windows.net"]),
                 endpoint("pe-other-blob", VNET, ["other.blob.core.windows.net"]),
                 endpoint("pe-far-file", OTHER_VNET, ["far.file.core.windows.net"]),
                 endpoint("pe-kv", VNET, ["kv1.vault.azure.net"])]
    mine = [endpoints[0]["id"].upper()]
    assert zones_in_use(endpoints, [BLOB, FILE, VAULT], virtual_network_id=VNET, exclude=mine) == [BLOB, VAULT]
    assert zones_in_use(endpoints, [FILE], exclude=mine) == [FILE]


def test_only_our_endpoints_left_means_nothing_in_use():
    endpoints = [endpoint("pe-mine-blob", VNET, ["mine.blob.core.windows.net"])]
    assert zones_in_use({"private_endpoints": endpoints}, [BLOB], virtual_network_id=VNET + "/",
                        exclude=[endpoints[0]["id"]]) == []
    assert zones_in_use([], [BLOB]) == []


def test_a_zone_group_reference_counts():
    zone_id = "/subscriptions/s1/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/" + FILE
    assert zones_in_use([endpoint("pe-x", VNET, [], zone_group=[zone_id])], [FILE], virtual_network_id=VNET) == [FILE]


@pytest.mark.parametrize("endpoints", ["x", None, ["x"]])
def test_bad_input(endpoints):
    with pytest.raises(AnsibleFilterError):
        zones_in_use(endpoints, [BLOB])


def test_the_virtual_network_without_its_subscription():
    endpoints = [endpoint("pe-other-blob", VNET, ["other.blob.core.windows.net"]),
                 endpoint("pe-far-blob", VNET + "2", ["far.blob.core.windows.net"])]
    tail = VNET[VNET.lower().index("/resourcegroups/"):]
    assert zones_in_use(endpoints, [BLOB], virtual_network_id=tail) == [BLOB]
    assert zones_in_use(endpoints[1:], [BLOB], virtual_network_id=tail) == []
