# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.module_utils import _targets
from ansible_collections.privnet.azure.plugins.module_utils._targets import (
    api_version,
    lookup,
    parse_target_id,
    service_endpoint_ok,
    supported_types,
    target_type_of,
)

SUB = "11111111-1111-4111-8111-111111111111"
STORAGE = f"/subscriptions/{SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/stdemo"
EVENTHUB = f"/subscriptions/{SUB}/resourceGroups/rg-app/providers/Microsoft.EventHub/namespaces/evh"


@pytest.mark.parametrize("type_name, version, service, group", [
    ("Microsoft.Storage/storageAccounts", "2023-05-01", "Microsoft.Storage", "blob"),
    ("Microsoft.KeyVault/vaults", "2023-07-01", "Microsoft.KeyVault", "vault"),
    ("Microsoft.Sql/servers", "2023-08-01", "Microsoft.Sql", "sqlServer"),
    ("Microsoft.DocumentDB/databaseAccounts", "2024-11-15", "Microsoft.AzureCosmosDB", "Sql"),
    ("Microsoft.DBforPostgreSQL/flexibleServers", "2024-08-01", None, "postgresqlServer"),
    ("Microsoft.ServiceBus/namespaces", "2021-11-01", "Microsoft.ServiceBus", "namespace"),
    ("Microsoft.ContainerRegistry/registries", "2023-07-01", "Microsoft.ContainerRegistry", "registry"),
])
def test_table_holds_the_fixed_api_versions_group_ids_and_service_endpoints(type_name, version, service, group):
    entry = lookup(type_name.lower())  # case-insensitive
    assert entry.type == type_name
    assert entry.api_version == version
    assert entry.service_endpoint == service
    assert group in entry.group_ids
    assert entry.zone_of(group).startswith("privatelink.")
    assert entry.known


def test_target_type_of_a_known_id_and_its_child_paths():
    entry = target_type_of(STORAGE.replace("Microsoft.Storage/storageAccounts", "microsoft.storage/STORAGEACCOUNTS"))
    assert entry is lookup("Microsoft.Storage/storageAccounts")
    assert entry.namespace == "Microsoft.Storage" and entry.resource_type == "storageAccounts"
    assert entry.connections_id(STORAGE) == STORAGE + "/privateEndpointConnections"
    assert entry.connection_id(STORAGE + "/", "c1") == STORAGE + "/privateEndpointConnections/c1"
    assert entry.link_resources_id(STORAGE) == STORAGE + "/privateLinkResources"
    assert entry.zone_of("BLOB") == "privatelink.blob.core.windows.net"
    assert entry.zone_of("nope") is None


def test_unknown_type_fails_listing_the_supported_ones_and_the_way_out():
    with pytest.raises(ValueError) as err:
        target_type_of(EVENTHUB)
    message = str(err.value)
    assert message.startswith("target_id: Microsoft.EventHub/namespaces is not a Private Link target type")
    for known in supported_types():
        assert known in message
    assert "api_version" in message


def test_unknown_type_with_an_api_version_is_generic():
    entry = target_type_of(EVENTHUB, "2024-01-01")
    assert (entry.type, entry.api_version, entry.known) == ("Microsoft.EventHub/namespaces", "2024-01-01", False)
    assert entry.group_ids == () and entry.service_endpoint is None
    assert entry.connections_id(EVENTHUB) == EVENTHUB + "/privateEndpointConnections"


def test_api_version_override_on_a_known_type_keeps_the_facts():
    entry = target_type_of(STORAGE, "2023-01-01")
    assert entry.api_version == "2023-01-01" and entry.known
    assert entry.service_endpoint == "Microsoft.Storage" and "blob" in entry.group_ids
    assert lookup("Microsoft.Storage/storageAccounts").api_version == "2023-05-01"  # the table is unchanged


@pytest.mark.parametrize("value", ["2023-05-01", "2021-06-01-preview", " 2024-11-15 "])
def test_api_version_accepts_dates_and_preview(value):
    assert api_version(value) == value.strip()


@pytest.mark.parametrize("value", ["", None, "2023-5-1", "2023-13-01", "2023-05-32", "latest", "2023-05-01-beta",
                                   "2023-05-01preview"])
def test_api_version_refuses_other_forms(value):
    with pytest.raises(ValueError, match=r"^api_version: .* YYYY-MM-DD or YYYY-MM-DD-preview"):
        api_version(value)


def test_target_id_must_be_a_top_level_resource():
    with pytest.raises(ValueError, match="child resource; give the id of the resource itself"):
        parse_target_id(STORAGE + "/blobServices/default")
    with pytest.raises(ValueError, match="^target_id: 'stdemo' is not an Azure resource id"):
        target_type_of("stdemo")
    with pytest.raises(ValueError, match="^my_target: "):
        target_type_of("/subscriptions/x", option="my_target")


def test_service_endpoint_ok():
    storage = lookup("Microsoft.Storage/storageAccounts")
    assert service_endpoint_ok(storage, ["microsoft.storage"])
    assert service_endpoint_ok(storage, ["Microsoft.Sql", "Microsoft.Storage.Global"])
    assert not service_endpoint_ok(storage, ["Microsoft.Sql"])
    assert not service_endpoint_ok(storage, [])
    assert not service_endpoint_ok(storage, None)
    vault = lookup("Microsoft.KeyVault/vaults")
    assert not service_endpoint_ok(vault, ["Microsoft.Storage.Global"])
    assert service_endpoint_ok(vault, ["Microsoft.KeyVault"])
    # A type without service endpoints accepts none.
    assert not service_endpoint_ok(lookup("Microsoft.DBforPostgreSQL/flexibleServers"), ["Microsoft.Sql"])


def test_every_fixed_api_version_is_well_formed_and_types_are_unique():
    types = [t.type.lower() for t in _targets._TABLE]  # pylint: disable=protected-access
    assert len(types) == len(set(types))
    for entry in _targets._TABLE:  # pylint: disable=protected-access
        assert api_version(entry.api_version) == entry.api_version
        assert set(g for g, _z in entry.zones) <= set(entry.group_ids)
