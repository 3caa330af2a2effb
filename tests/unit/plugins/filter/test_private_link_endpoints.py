# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.private_link_endpoints import private_link_endpoints

ACCOUNT = "/subscriptions/s1/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stprivnetdemo"
VAULT = "/subscriptions/s1/resourceGroups/rg-data/providers/Microsoft.KeyVault/vaults/kv-privnet"
PLR = [
    {"id": ACCOUNT + "/privateLinkResources/blob", "name": "blob", "group_id": "blob", "required_members": ["blob"],
     "required_zone_names": ["privatelink.blob.core.windows.net"]},
    {"id": ACCOUNT + "/privateLinkResources/file", "name": "file", "group_id": "file", "required_members": ["file"],
     "required_zone_names": ["privatelink.file.core.windows.net"]},
]


def test_one_endpoint_per_group_with_derived_names_zones_and_predicted_members():
    plan = private_link_endpoints(ACCOUNT, ["blob", "file"], resources=PLR)
    assert [p["name"] for p in plan] == ["pe-stprivnetdemo-blob", "pe-stprivnetdemo-file"]
    assert [p["zones"] for p in plan] == [["privatelink.blob.core.windows.net"], ["privatelink.file.core.windows.net"]]
    assert plan[0]["predicted_members"] == [{"group_id": "blob", "required_member_name": "blob",
                                             "private_ip": "(known after apply)",
                                             "fqdns": ["stprivnetdemo.blob.core.windows.net"]}]


def test_the_targets_own_zone_names_are_used_so_each_cloud_gets_its_own():
    gov = [dict(PLR[0], required_zone_names=["privatelink.blob.core.usgovcloudapi.net"])]
    plan = private_link_endpoints(ACCOUNT, ["blob"], resources=gov)
    assert plan[0]["zones"] == ["privatelink.blob.core.usgovcloudapi.net"]
    assert plan[0]["predicted_members"][0]["fqdns"] == ["stprivnetdemo.blob.core.usgovcloudapi.net"]


def test_a_key_vault_member_serves_its_vault_name():
    plr = [{"group_id": "vault", "required_members": ["default"], "required_zone_names": ["privatelink.vaultcore.azure.net"]}]
    plan = private_link_endpoints(VAULT, ["vault"], resources=plr)
    assert plan[0]["name"] == "pe-kv-privnet-vault"
    assert plan[0]["predicted_members"][0]["fqdns"] == ["kv-privnet.vault.azure.net"]


def test_overrides_by_group_id_case_insensitive():
    plan = private_link_endpoints(ACCOUNT, ["blob", "file"], resources=PLR, names={"Blob": "pe-blob"},
                                  zones={"file": "privatelink.file.example"})
    assert plan[0]["name"] == "pe-blob"
    assert plan[1]["zones"] == ["privatelink.file.example"]


def test_without_resources_zones_come_only_from_overrides():
    plan = private_link_endpoints(ACCOUNT, ["blob"], zones={"blob": ["privatelink.blob.core.windows.net"]})
    assert plan[0]["zones"] == ["privatelink.blob.core.windows.net"]
    assert plan[0]["required_members"] == ["blob"]
    assert private_link_endpoints(ACCOUNT, ["file"])[0]["zones"] == []


@pytest.mark.parametrize("kwargs, message", [
    ({"group_ids": []}, "group_ids is empty"),
    ({"group_ids": ["blob", ""]}, "give non-empty strings"),
    ({"group_ids": [None]}, "give non-empty strings"),
    ({"group_ids": ["blob", "BLOB"]}, "given twice"),
    ({"group_ids": ["blob", "queue"]}, "offers no sub-resource queue; it offers blob, file"),
    ({"group_ids": ["blob"], "names": {"file": "x1"}}, "not asked for"),
    ({"group_ids": ["blob"], "zones": "privatelink.blob.core.windows.net"}, "must be a dict keyed by group id"),
    ({"group_ids": ["blob", "file"], "names": {"blob": "pe-x", "file": "PE-X"}}, "would both use endpoint name"),
    ({"group_ids": ["blob"], "names": {"blob": "-bad"}}, "breaks Azure's rule"),
    ({"group_ids": ["blob"], "names": {"blob": "x" * 65}}, "breaks Azure's rule"),
    ({"group_ids": ["blob"], "names": {"blob": ""}}, "give an endpoint name"),
])
def test_refused_input_names_the_value_and_the_fix(kwargs, message):
    group_ids = kwargs.pop("group_ids")
    with pytest.raises(AnsibleFilterError, match=message):
        private_link_endpoints(ACCOUNT, group_ids, resources=PLR, **kwargs)


@pytest.mark.parametrize("target", ["", None, "stprivnetdemo", ACCOUNT + "/blobServices/default"])
def test_a_target_that_is_no_resource_id_is_refused(target):
    with pytest.raises(AnsibleFilterError, match="target_id"):
        private_link_endpoints(target, ["blob"])


def test_a_derived_name_that_is_too_long_asks_for_a_name():
    long_id = ACCOUNT.rsplit("/", 1)[0] + "/" + "s" * 60
    with pytest.raises(AnsibleFilterError, match="give names.blob"):
        private_link_endpoints(long_id, ["blob"])
