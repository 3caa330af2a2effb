# -*- coding: utf-8 -*-
# Copyright: contributors to privnet.azure
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.privnet.azure.plugins.filter.shared_leaders import shared_leaders


def test_the_first_host_in_play_order_leads_each_key():
    hostvars = {"h1": {"keys": {"subnet": "s1", "zone": "z"}},
                "h2": {"keys": {"subnet": "s1", "zone": "z"}, "more": ["w.data"]},
                "h3": {"keys": {"subnet": "s2", "zone": "z"}, "more": ["w.data", "e.data"]},
                "h4": {}}
    assert shared_leaders(["h2", "h1", "h3", "h4"], hostvars, "keys") == {"s1": "h2", "z": "h2", "s2": "h3"}
    assert shared_leaders(["h1", "h2", "h3"], hostvars, "more") == {"w.data": "h2", "e.data": "h3"}


def test_empty_keys_are_resources_a_host_does_not_need():
    hostvars = {"h1": {"keys": {"subnet": "s1", "vnet": ""}}, "h2": {"keys": {"subnet": "s1", "vnet": "v1"}},
                "h3": {"keys": [None, "", "s2"]}}
    assert shared_leaders(["h1", "h2", "h3"], hostvars, "keys") == {"s1": "h1", "v1": "h2", "s2": "h3"}


def test_hosts_outside_the_play_do_not_count():
    hostvars = {"h1": {"keys": ["a"]}, "h2": {"keys": ["a"]}}
    assert shared_leaders(["h2"], hostvars, "keys") == {"a": "h2"}


@pytest.mark.parametrize("fact, hostvars", [("", {}), ("keys", {"h1": {"keys": "a"}})])
def test_bad_arguments(fact, hostvars):
    with pytest.raises(AnsibleFilterError):
        shared_leaders(["h1"], hostvars, fact)
