# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.module_utils._privatelink import predicted_fqdns


@pytest.mark.parametrize("resource,member,zones,fqdns", [
    ("acrx", "registry", ["privatelink.azurecr.io"], ["acrx.azurecr.io"]),
    ("acrx", "registry_data_eastus", ["privatelink.azurecr.io"], ["acrx.eastus.data.azurecr.io"]),
    ("st1", "blob", ["privatelink.blob.core.windows.net"], ["st1.blob.core.windows.net"]),
    ("AcrX", "registry", ["Privatelink.AzureCR.io."], ["acrx.azurecr.io"]),
])
def test_predicted_fqdns(resource, member, zones, fqdns):
    assert predicted_fqdns(resource, member, zones) == fqdns


@pytest.mark.parametrize("zones", [["azurecr.io"], ["privatelinkazurecr.io"], [], None])
def test_no_prediction_without_a_privatelink_zone(zones):
    assert predicted_fqdns("acrx", "registry", zones) == []


def test_a_regional_zone_serves_the_name_without_its_privatelink_label():
    from ansible_collections.privnet.azure.plugins.module_utils._privatelink import public_suffixes, relative_name
    suffixes = public_suffixes("westeurope.data.privatelink.azurecr.io")
    assert "westeurope.data.azurecr.io" in suffixes
    assert relative_name("myreg.westeurope.data.azurecr.io", suffixes) == "myreg"
    assert relative_name("myreg.eastus.data.azurecr.io", suffixes) is None
    assert relative_name("myreg.azurecr.io", suffixes) is None
