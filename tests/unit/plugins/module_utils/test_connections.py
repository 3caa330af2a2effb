# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.privnet.azure.plugins.module_utils._connections import (
    check_connection_name,
    check_private_endpoint_id,
    connection_result,
    link_resource_result,
    settled,
    with_state,
)

PE = "/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/rg-network/providers/Microsoft.Network/privateEndpoints/pe"


def test_results_from_sparse_wire_json():
    assert connection_result({"name": "c"}) == {
        "id": None, "name": "c", "private_endpoint_id": None, "status": None, "description": None,
        "actions_required": None, "provisioning_state": None}
    assert link_resource_result({"name": "vault", "properties": {"groupId": "vault"}}) == {
        "id": None, "name": "vault", "group_id": "vault", "required_members": [], "required_zone_names": []}


def test_with_state_keeps_what_it_does_not_manage_and_drops_read_only_parts():
    wire = {"id": "/x", "name": "c", "type": "t", "etag": "W/1", "systemData": {"createdBy": "me"},
            "properties": {"privateEndpoint": {"id": PE}, "groupIds": ["vault"], "provisioningState": "Succeeded",
                           "privateLinkServiceConnectionState": {"status": "Pending", "description": "please",
                                                                 "actionsRequired": "None"}}}
    body = with_state(wire, "Approved", "ok")
    assert body == {"properties": {"privateEndpoint": {"id": PE}, "groupIds": ["vault"],
                                   "privateLinkServiceConnectionState": {"status": "Approved", "description": "ok",
                                                                         "actionsRequired": "None"}}}
    assert wire["properties"]["provisioningState"] == "Succeeded"  # the read connection is not modified
    # No description given: the one read is sent back (SQL's spec requires one), or "" when none was read.
    assert with_state({"name": "c", "properties": {"privateLinkServiceConnectionState": None}}, "Rejected", None) == {
        "properties": {"privateLinkServiceConnectionState": {"status": "Rejected", "description": ""}}}
    assert with_state(wire, "Rejected", None)["properties"]["privateLinkServiceConnectionState"]["description"] == \
        "please"


@pytest.mark.parametrize("state, done", [("Succeeded", True), ("Ready", True), (None, True), ("Failed", True),
                                         ("Updating", False), ("creating", False), ("Accepted", False)])
def test_settled(state, done):
    assert settled({"properties": {"provisioningState": state}}) is done


def test_input_checks():
    assert check_private_endpoint_id(PE) == PE
    with pytest.raises(ValueError, match="^private_endpoint_id: .* is a Microsoft.Network/privateEndpoints/x id"):
        check_private_endpoint_id(PE + "/x/y")
    assert check_connection_name(" c.1 ") == "c.1"
    with pytest.raises(ValueError, match="^name: 'a/b' is not a private endpoint connection name"):
        check_connection_name("a/b")


def test_storage_spells_action_required_and_gets_it_back_so():
    wire = {"name": "c", "properties": {"privateLinkServiceConnectionState": {
        "status": "Pending", "description": "x", "actionRequired": "None"}}}
    assert connection_result(wire)["actions_required"] == "None"
    assert with_state(wire, "Approved", "ok")["properties"]["privateLinkServiceConnectionState"] == {
        "status": "Approved", "description": "ok", "actionRequired": "None"}
