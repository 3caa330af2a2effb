# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.private_link_service_consumers import (
    private_link_service_consumers as consumers_of,
)

SUB_A = "22222222-2222-4222-8222-222222222222"
SUB_B = "33333333-3333-4333-8333-333333333333"


def pe(sub, name):
    return f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/{name}"


CONNECTIONS = [
    {"name": "a.1", "private_endpoint_id": pe(SUB_A, "pe-a"), "status": "Pending"},
    {"name": "b.1", "private_endpoint_id": pe(SUB_B, "pe-b"), "status": "Pending"},
    {"name": "c.1", "private_endpoint_id": pe(SUB_B, "pe-c"), "status": "Approved"},
    {"name": "d.1", "private_endpoint_id": pe(SUB_B, "pe-d"), "status": "Rejected"},
]


def test_by_endpoint_id_and_by_subscription():
    result = consumers_of(CONNECTIONS, [{"private_endpoint_id": pe(SUB_A, "PE-A").upper(), "description": "CHG-1"},
                                        {"subscription_id": SUB_B},
                                        {"private_endpoint_id": pe(SUB_A, "pe-later")}])
    assert [(c["name"], c["description"]) for c in result["approve"]] == [
        ("a.1", "CHG-1"), ("b.1", "Approved (privnet.azure.private_link_service)")]
    assert [c["name"] for c in result["approved"]] == ["c.1"]
    assert [c["name"] for c in result["others"]] == ["d.1"]
    assert result["waiting"] == [{"private_endpoint_id": pe(SUB_A, "pe-later")}]


def test_nobody_named_approves_nothing():
    result = consumers_of(CONNECTIONS, [])
    assert result["approve"] == [] and len(result["others"]) == 4


@pytest.mark.parametrize("consumers, message", [
    ([{}], "consumers[0]: give exactly one of private_endpoint_id"),
    ([{"private_endpoint_id": pe(SUB_A, "x"), "subscription_id": SUB_A}], "consumers[0]: give exactly one"),
    ([{"subscription_id": "prod"}], "subscription_id: 'prod' is not a subscription id"),
    ([{"private_endpoint_id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb"}],
     "is a Microsoft.Network/loadBalancers id"),
    (["pe-a"], "consumers[0]: 'pe-a' is not a dict"),
    ("pe-a", "consumers is 'pe-a', not a list"),
])
def test_bad_consumers_fail_naming_the_item(consumers, message):
    with pytest.raises(AnsibleFilterError, match=None) as err:
        consumers_of(CONNECTIONS, consumers)
    assert message in str(err.value)
