# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.hybrid_dns_zones import hybrid_dns_zones


def test_public_cloud_gives_the_zones_of_the_target_table():
    zones = hybrid_dns_zones("AzureCloud")
    assert zones == sorted(set(zones))
    for zone in ("privatelink.azurecr.io", "privatelink.blob.core.windows.net", "privatelink.vaultcore.azure.net",
                 "privatelink.database.windows.net", "privatelink.servicebus.windows.net"):
        assert zone in zones
    assert all(z.startswith("privatelink.") for z in zones)
    assert hybrid_dns_zones("azurecloud") == zones


@pytest.mark.parametrize("cloud, zone", [("AzureUSGovernment", "privatelink.azurecr.us"),
                                         ("AzureChinaCloud", "privatelink.azurecr.cn")])
def test_sovereign_clouds_give_the_registry_zone_only(cloud, zone):
    assert hybrid_dns_zones(cloud) == [zone]


def test_a_list_is_checked_and_normalised():
    assert hybrid_dns_zones(["PrivateLink.AzureCR.io.", "privatelink.azurecr.io",
                             "westeurope.data.privatelink.azurecr.io"]) == [
        "privatelink.azurecr.io", "westeurope.data.privatelink.azurecr.io"]
    assert hybrid_dns_zones([]) == []
    with pytest.raises(AnsibleFilterError, match=r"\[1\] 'azurecr.io' is not a privatelink zone"):
        hybrid_dns_zones(["privatelink.azurecr.io", "azurecr.io"])


def test_forwarders_are_the_public_zones_of_microsofts_table():
    assert hybrid_dns_zones(["privatelink.azurecr.io"], forwarders=True) == ["azurecr.io"]
    assert hybrid_dns_zones(["privatelink.vaultcore.azure.net"], forwarders=True) == [
        "vault.azure.net", "vaultcore.azure.net"]
    assert hybrid_dns_zones(["westeurope.data.privatelink.azurecr.io"], forwarders=True) == [
        "westeurope.data.azurecr.io"]
    assert hybrid_dns_zones("AzureUSGovernment", forwarders=True) == ["azurecr.us"]


def test_bad_input():
    with pytest.raises(AnsibleFilterError, match="unknown cloud 'AzureStack'"):
        hybrid_dns_zones("AzureStack")
    with pytest.raises(AnsibleFilterError):
        hybrid_dns_zones(3)
