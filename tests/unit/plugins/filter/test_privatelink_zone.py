# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.privatelink_zone import privatelink_zone


# Microsoft Learn, private-link/private-endpoint-dns.md: one zone per cloud for Container Registry.
@pytest.mark.parametrize("login_server, zone", [
    ("acrprivnetdemo.azurecr.io", "privatelink.azurecr.io"),
    ("AcrPrivnetDemo.AzureCR.io.", "privatelink.azurecr.io"),
    ("acrgov.azurecr.us", "privatelink.azurecr.us"),
    ("acrchina.azurecr.cn", "privatelink.azurecr.cn"),
])
def test_a_registry_login_server_gives_its_clouds_zone(login_server, zone):
    assert privatelink_zone(login_server) == zone


def test_members_give_the_zone_of_their_first_known_name():
    members = [{"required_member_name": "registry_data_usgovvirginia",
                "fqdns": ["acrgov.usgovvirginia.data.azurecr.us"]},
               {"required_member_name": "registry", "fqdns": ["acrgov.azurecr.us"]}]
    assert privatelink_zone(members) == "privatelink.azurecr.us"
    assert privatelink_zone({"members": members}) == "privatelink.azurecr.us"


@pytest.mark.parametrize("value", ["registry.example.com", [], [{"fqdns": []}]])
def test_an_unknown_name_asks_for_the_zone(value):
    with pytest.raises(AnsibleFilterError, match="give the zone explicitly"):
        privatelink_zone(value)


def test_not_a_name():
    with pytest.raises(AnsibleFilterError, match="expected a name or members"):
        privatelink_zone(42)


def test_regional_data_zones_one_per_region_public_cloud_only():
    names = ["acrprivnetdemo.azurecr.io", "acrprivnetdemo.westeurope.data.azurecr.io",
             "acrprivnetdemo.eastus.data.azurecr.io", "acrprivnetdemo.westeurope.data.azurecr.io",
             "acrgov.usgovvirginia.data.azurecr.us"]
    assert privatelink_zone(names, regional=True) == ["westeurope.data.privatelink.azurecr.io",
                                                      "eastus.data.privatelink.azurecr.io"]
    assert privatelink_zone(["acrgov.azurecr.us"], regional=True) == []
